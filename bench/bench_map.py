"""Benchmark: the Badge Europe map with 10,000 initiatives and 1,000,000 awards (not a test).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h8 \\
        uv run python bench/bench_map.py [--initiatives 10000] [--awards 1000000] [--requests 40]

Issue 6 asks that the map page, the totals and the GeoJSON answer in under 300 ms of server
time with that much data. The benchmark works in a PostgreSQL database of its own
(`<name>_mapbench` beside the one in DATABASE_URL, created anew and dropped at the end).

How the data is made, honestly:
- 100 issuing organisations, each with a badge class made by `issuing.badge_class_create` and
  one real signed award (`issuing.award_create`), which gives the signing key, badge class
  version and status list the other rows point to.
- The other awards (1,000,000 in all, 1 % revoked, issue dates spread over twelve months) are
  MINIMAL ROWS written with PostgreSQL COPY: recipient, dates and foreign keys are real, the
  signed credential columns are empty. Nothing on the map reads them.
- 10,000 approved initiatives around 60 European cities, each with one pledge; 100 of them are
  linked to one organisation each, so the campaign's achieved total is the number of awards.
- The counters are then built by the campaign's own code (`campaign.counting.counters_rebuild_all`,
  what `manage.py campaign_recount` runs): the pages read those counters, never the awards.

Measured: N requests per URL through Django's test client (the full middleware stack, templates
and static manifest of a production configuration: DEBUG off, collected static files, persistent
database connections), wall time per request in this process. The open-data files are measured
with the server cache off (the cost of building them) and on (what most visitors get). Every
request's SQL is captured once to show that no query touches the awards table.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LIMIT_MS = 300.0
ORGANISATIONS = 100

CITIES = [
    ("AT", "Wien", 48.208, 16.373),
    ("AT", "Graz", 47.070, 15.439),
    ("BE", "Bruxelles", 50.850, 4.352),
    ("BE", "Antwerpen", 51.219, 4.402),
    ("BG", "Sofia", 42.698, 23.322),
    ("HR", "Zagreb", 45.815, 15.982),
    ("CY", "Lefkosia", 35.186, 33.382),
    ("CZ", "Praha", 50.075, 14.438),
    ("CZ", "Brno", 49.195, 16.607),
    ("DK", "København", 55.676, 12.568),
    ("EE", "Tallinn", 59.437, 24.754),
    ("EE", "Tartu", 58.378, 26.729),
    ("FI", "Helsinki", 60.170, 24.938),
    ("FI", "Oulu", 65.012, 25.465),
    ("FR", "Paris", 48.857, 2.352),
    ("FR", "Lyon", 45.764, 4.836),
    ("FR", "Marseille", 43.296, 5.370),
    ("FR", "Toulouse", 43.605, 1.444),
    ("DE", "Berlin", 52.520, 13.405),
    ("DE", "Hamburg", 53.551, 9.994),
    ("DE", "München", 48.137, 11.575),
    ("DE", "Köln", 50.938, 6.960),
    ("GR", "Athína", 37.984, 23.728),
    ("GR", "Thessaloníki", 40.640, 22.944),
    ("HU", "Budapest", 47.498, 19.040),
    ("IE", "Dublin", 53.350, -6.260),
    ("IE", "Cork", 51.899, -8.476),
    ("IT", "Roma", 41.903, 12.496),
    ("IT", "Milano", 45.464, 9.190),
    ("IT", "Napoli", 40.852, 14.268),
    ("IT", "Palermo", 38.116, 13.361),
    ("LV", "Rīga", 56.950, 24.105),
    ("LT", "Vilnius", 54.687, 25.280),
    ("LU", "Luxembourg", 49.612, 6.130),
    ("MT", "Valletta", 35.899, 14.514),
    ("NL", "Amsterdam", 52.370, 4.895),
    ("NL", "Rotterdam", 51.924, 4.478),
    ("PL", "Warszawa", 52.230, 21.012),
    ("PL", "Kraków", 50.065, 19.945),
    ("PL", "Gdańsk", 54.352, 18.646),
    ("PT", "Lisboa", 38.722, -9.139),
    ("PT", "Porto", 41.158, -8.629),
    ("RO", "București", 44.427, 26.103),
    ("RO", "Cluj-Napoca", 46.771, 23.624),
    ("SK", "Bratislava", 48.149, 17.107),
    ("SI", "Ljubljana", 46.056, 14.506),
    ("ES", "Madrid", 40.417, -3.704),
    ("ES", "Barcelona", 41.385, 2.173),
    ("ES", "Sevilla", 37.389, -5.984),
    ("ES", "Valencia", 39.470, -0.376),
    ("SE", "Stockholm", 59.329, 18.069),
    ("SE", "Göteborg", 57.709, 11.975),
    ("NO", "Oslo", 59.914, 10.752),
    ("IS", "Reykjavík", 64.147, -21.943),
    ("CH", "Zürich", 47.377, 8.542),
    ("UA", "Kyiv", 50.450, 30.524),
    ("RS", "Beograd", 44.787, 20.457),
    ("AL", "Tiranë", 41.328, 19.819),
    ("MK", "Skopje", 41.998, 21.425),
    ("MD", "Chișinău", 47.011, 28.863),
]


def bench_database(url: str) -> tuple[str, str, str]:
    """Create an empty `<name>_mapbench` beside the database of `url`; return its URL, its
    name and the URL of the maintenance database (to drop it afterwards)."""
    import psycopg

    parts = urlsplit(url)
    name = (parts.path.lstrip("/") or "postgres") + "_mapbench"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}")), name, admin


def drop_database(admin: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def seed_organisations(rng):
    """Organisations with a real badge class and one real, signed award each."""
    from PIL import Image

    from accounts.models import Membership, Organisation, Role, User
    from issuing import services as issuing

    owner = User.objects.create_user(email="owner@mapbench.example.org", password=None)
    image = io.BytesIO()
    Image.new("RGBA", (64, 64), (0, 82, 147, 255)).save(image, format="PNG")
    made = []
    for number in range(ORGANISATIONS):
        organisation = Organisation.objects.create(
            slug=f"mapbench-{number}", name=f"Map Bench Organisation {number}"
        )
        Membership.objects.create(organisation=organisation, user=owner, role=Role.OWNER)
        badge = issuing.badge_class_create(
            actor=owner,
            organisation=organisation,
            image=image.getvalue(),
            name=f"Map Bench Badge {number}",
            description="A badge of the map benchmark.",
            criteria_narrative="Be counted.",
        )
        award = issuing.award_create(
            actor=owner, badge_class=badge, recipient_email=f"first{number}@mapbench.example.org"
        )
        made.append((organisation, badge, award))
    return owner, made


def copy_awards(made, total: int, rng) -> int:
    """Minimal award rows by COPY, `total` in all including the real ones already made."""
    from django.db import connection
    from django.db.models.fields import NOT_PROVIDED
    from django.utils import timezone

    from issuing.models import Award

    given = {
        "public_id",
        "organisation_id",
        "badge_class_id",
        "badge_class_version_id",
        "recipient_type",
        "recipient_identity",
        "recipient_salt",
        "recipient_hash",
        "recipient_name",
        "narrative",
        "evidence",
        "issued_at",
        "source",
        "signing_key_id",
        "credential_json",
        "credential_jwt",
        "assertion_json",
        "status_list_id",
        "status_index",
        "revoked_at",
        "revocation_reason",
        "created_at",
    }
    # Columns added to Award later must be nullable or defaulted in the database for COPY.
    missing = [
        field.column
        for field in Award._meta.concrete_fields
        if field.column not in given
        and not field.null
        and not field.primary_key
        and field.db_default is NOT_PROVIDED
    ]
    if missing:
        raise SystemExit(f"Award has new required columns the benchmark does not fill: {missing}")
    columns = sorted(given)
    now = timezone.now()
    per_organisation = total // len(made)
    written = 0
    with connection.cursor() as cursor:
        table = Award._meta.db_table
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for organisation, badge, award in made:
                for index in range(1, per_organisation):
                    issued = now - timedelta(seconds=rng.randrange(365 * 86400))
                    row = {
                        "public_id": uuid.uuid4(),
                        "organisation_id": organisation.pk,
                        "badge_class_id": badge.pk,
                        "badge_class_version_id": award.badge_class_version_id,
                        "recipient_type": "email",
                        "recipient_identity": f"l{index}@o{organisation.pk}.mapbench.example.org",
                        "recipient_salt": "",
                        "recipient_hash": "",
                        "recipient_name": "",
                        "narrative": "",
                        "evidence": "[]",
                        "issued_at": issued,
                        "source": award.source,
                        "signing_key_id": award.signing_key_id,
                        "credential_json": b"",
                        "credential_jwt": "",
                        "assertion_json": b"",
                        "status_list_id": award.status_list_id,
                        "status_index": award.status_index + index,
                        "revoked_at": issued if rng.random() < 0.01 else None,
                        "revocation_reason": "",
                        "created_at": issued,
                    }
                    copy.write_row([row[column] for column in columns])
                    written += 1
    return written


def seed_initiatives(count: int, made, owner, rng) -> None:
    from django.utils import timezone

    from campaign.models import Initiative, InitiativeKind, InitiativeStatus, Pledge

    kinds = [value for value, _label in InitiativeKind.choices]
    today = timezone.localdate()
    initiatives = []
    for number in range(count):
        country, city, lat, lon = CITIES[number % len(CITIES)]
        initiatives.append(
            Initiative(
                slug=f"initiative-{number}",
                name=f"{city} Badges {number}",
                description="An initiative of the map benchmark.",
                translations={"fr": {"name": f"Badges de {city} {number}"}},
                kind=rng.choice(kinds),
                country=country,
                city=city,
                latitude=Decimal(f"{lat + rng.uniform(-0.5, 0.5):.6f}"),
                longitude=Decimal(f"{lon + rng.uniform(-0.8, 0.8):.6f}"),
                status=InitiativeStatus.APPROVED,
                proposed_by=owner,
            )
        )
    Initiative.objects.bulk_create(initiatives, batch_size=2000)
    initiatives = list(Initiative.objects.order_by("id"))
    Pledge.objects.bulk_create(
        (
            Pledge(
                initiative=initiative,
                badge_count=rng.randrange(100, 5000),
                starts_on=today - timedelta(days=400),
                deadline=today + timedelta(days=365),
                created_by=owner,
            )
            for initiative in initiatives
        ),
        batch_size=2000,
    )
    through = Initiative.organisations.through
    through.objects.bulk_create(
        through(initiative_id=initiative.pk, organisation_id=organisation.pk)
        for initiative, (organisation, _badge, _award) in zip(initiatives, made, strict=False)
    )


def measure(client, path: str, count: int, headers: dict) -> list[float]:
    for _ in range(3):  # warm-up: imports, template and URL caches
        assert client.get(path, headers=headers).status_code == 200, path
    timings = []
    for _ in range(count):
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return timings


def recorder(sink: list[str]):
    """An execute wrapper that notes each SQL statement (Django clears its own query log when
    a request starts)."""

    def record(execute, sql, params, many, context):
        sink.append(sql)
        return execute(sql, params, many, context)

    return record


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--initiatives", type=int, default=10_000)
    parser.add_argument("--awards", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=40, help="timed requests per URL")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print("Set DATABASE_URL to a PostgreSQL server (the benchmark makes its own database).")
        return 2
    database_url, name, admin = bench_database(url)
    var_dir = tempfile.mkdtemp(prefix="mapbench-var-")
    os.environ.update(
        DATABASE_URL=database_url,
        DATABASE_CONN_MAX_AGE="60",
        VAR_DIR=var_dir,
        AWARD_NOTIFICATIONS="0",
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        LOG_LEVEL="WARNING",
        DEBUG="0",
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "badgeeurope.settings")
    try:
        return run(args, name)
    finally:
        from django.db import connections

        connections.close_all()
        if args.keep:
            print(f"database kept: {name}")
        else:
            drop_database(admin, name)
            print(f"database {name} dropped")


def run(args, name: str) -> int:
    import django

    django.setup()
    # Import every view now: a broken import fails here, not after twenty minutes of seeding.
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from campaign import counting
    from campaign.selectors import campaign_totals
    from issuing.models import Award

    rng = random.Random(2026)
    print(f"database {name}: migrating, collecting static files (production storage)")
    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)

    started = time.perf_counter()
    owner, made = seed_organisations(rng)
    print(
        f"{ORGANISATIONS} organisations with a badge class and one signed award each: "
        f"{time.perf_counter() - started:.1f} s"
    )
    started = time.perf_counter()
    copied = copy_awards(made, args.awards, rng)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Award._meta.db_table}")
    awards = Award.objects.count()
    print(
        f"{copied:,} MINIMAL award rows written with COPY (empty credential columns), "
        f"{awards:,} awards in all: {time.perf_counter() - started:.1f} s"
    )
    started = time.perf_counter()
    seed_initiatives(args.initiatives, made, owner, rng)
    print(
        f"{args.initiatives:,} approved initiatives with one pledge each, "
        f"{ORGANISATIONS} linked to an organisation: {time.perf_counter() - started:.1f} s"
    )
    started = time.perf_counter()
    rebuilt = counting.counters_rebuild_all()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"counters built from the awards by campaign.counting.counters_rebuild_all "
        f"({rebuilt['organisations']} organisations, {rebuilt['initiatives']:,} initiatives): "
        f"{time.perf_counter() - started:.1f} s"
    )
    totals = campaign_totals()
    non_revoked = Award.objects.filter(revoked_at__isnull=True).count()
    print(
        f"totals read from the counters: {totals.initiatives:,} initiatives, "
        f"committed {totals.committed:,}, achieved {totals.achieved:,} "
        f"(non-revoked awards counted the slow way: {non_revoked:,})"
    )

    client = Client()
    gzip = {"accept-encoding": "gzip"}
    urls = [
        ("map page", "/map/", 0, {}),
        ("totals page", "/map/totals/", 0, {}),
        ("totals JSON", "/map/totals.json", 0, {}),
        ("GeoJSON, all, no cache", "/map/initiatives.geojson", 0, {}),
        ("GeoJSON, all, no cache, gzip", "/map/initiatives.geojson", 0, gzip),
        ("GeoJSON, one country, no cache", "/map/initiatives.geojson?country=FR", 0, {}),
        ("GeoJSON, all, server cache, gzip", "/map/initiatives.geojson", 60, gzip),
        ("list view (first page)", "/map/list/", 0, {}),
        ("list view, filtered", "/map/list/?country=DE&kind=school", 0, {}),
        ("CSV, all, no cache", "/map/initiatives.csv", 0, {}),
        ("widget", "/map/widget/", 0, {}),
    ]
    print(f"\n{args.requests} timed requests per URL (3 warm-up requests first), test client")
    print(
        f"{'what':<34} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'bytes':>10} {'SQL':>3}"
        "  awards table read"
    )
    worst = {}
    for label, path, cache_seconds, headers in urls:
        with override_settings(MAP_DATA_CACHE_SECONDS=cache_seconds):
            queries: list[str] = []
            with connection.execute_wrapper(recorder(queries)):
                size = len(client.get(path, headers=headers).content)
            reads_awards = any(Award._meta.db_table in sql for sql in queries)
            timings = measure(client, path, args.requests, headers)
        p50, p95 = statistics.median(timings), percentile(timings, 0.95)
        worst[label] = p95
        print(
            f"{label:<34} {p50:7.1f} {p95:7.1f} {max(timings):7.1f} {size:10,d} {len(queries):3d}"
            f"  {'YES' if reads_awards else 'no'}"
        )

    required = ["map page", "totals page", "totals JSON", "GeoJSON, all, no cache"]
    verdict = all(worst[label] < LIMIT_MS for label in required)
    print(
        f"\nissue 6 demands < {LIMIT_MS:.0f} ms for the map page, the totals and the GeoJSON: "
        + ("met at p95" if verdict else "NOT met")
        + " ("
        + ", ".join(f"{label} p95 {worst[label]:.0f} ms" for label in required)
        + ")"
    )
    return 0 if verdict else 1


if __name__ == "__main__":
    sys.exit(main())
