"""The bulk award path: what it stores is exactly what it signed (COPY on PostgreSQL,
bulk_create elsewhere), awards signed from templates verify with Digital Bazaar's libraries and
jose, and parallel batches never award one recipient twice although signing holds no lock."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from threading import Barrier
from urllib.parse import urlsplit

import orjson
import pytest
from django.db import connection, connections
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from issuing import services
from issuing.models import Award
from issuing.selectors_award import text_array
from issuing.services import AwardRequest
from openbadges.tests.test_interop_node import error_text, requires_node, run_batch

from .conftest import BADGE_FIELDS, png_bytes

EVIDENCE = [
    {"url": "https://portfolio.example.org/work", "name": "Portfolio « été »"},
    {"narrative": 'Facilitated a "live" session\nwith 20 learners.'},
]


def _requests(prefix: str, count: int) -> list[AwardRequest]:
    """Awards of several shapes, each shape more than once (the first of a shape makes its
    templates, the others are signed from them)."""
    issued = timezone.now() - timedelta(days=3)
    requests = []
    for number in range(count):
        kind = number % 4
        requests.append(
            AwardRequest(
                f"{prefix}{number}@example.org",
                recipient_name=f"Learner {number}",
                narrative="Ran four sessions — très bien." if kind == 1 else "",
                evidence=EVIDENCE if kind == 2 else [],
                issued_at=issued,
                expires_at=issued + timedelta(days=365) if kind == 3 else None,
                idempotency_key=f"{prefix}:{number}",
            )
        )
    return requests


def test_stored_awards_are_the_signed_bytes(w, badge):
    result = services.awards_create_bulk(
        actor=w.members[Role.AWARDER], badge_class=badge, requests=_requests("stored", 24)
    )
    assert len(result.created) == 24 and not result.errors
    stored = {award.pk: award for award in Award.objects.filter(badge_class=badge)}
    assert set(stored) == {award.pk for award in result.created}
    for signed in result.created:
        award = stored[signed.pk]
        assert bytes(award.credential_json) == signed.credential_json
        assert award.credential_jwt == ""  # signed on its first request
        assert bytes(award.assertion_json) == signed.assertion_json
        for name in (
            "public_id",
            "recipient_identity",
            "recipient_salt",
            "recipient_hash",
            "recipient_name",
            "narrative",
            "evidence",
            "issued_at",
            "expires_at",
            "idempotency_key",
            "status_list_id",
            "status_index",
            "signing_key_id",
            "created_by_id",
            "created_at",
        ):
            assert getattr(award, name) == getattr(signed, name), name
        credential = orjson.loads(bytes(award.credential_json))
        assert credential["id"].endswith(str(award.public_id))
        assert credential["credentialStatus"]["statusListIndex"] == str(award.status_index)
    assert stored[result.created[2].pk].evidence == EVIDENCE


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_parallel_batches_naming_one_recipient_award_it_once(w, badge):
    """Both batches pass the check before signing; the re-check under the badge class lock
    at the write refuses the recipient in whichever batch writes second."""
    awarder = w.members[Role.AWARDER]
    start = Barrier(2)

    def batch(number):
        try:
            requests = [AwardRequest("shared@example.org", idempotency_key=f"b{number}:shared")]
            requests += [AwardRequest(f"b{number}-{n}@example.org") for n in range(30)]
            start.wait()
            return services.awards_create_bulk(actor=awarder, badge_class=badge, requests=requests)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(batch, range(2)))
    assert Award.objects.filter(recipient_identity="shared@example.org").count() == 1
    assert sorted(len(result.created) for result in results) == [30, 31]
    refused = [result.errors[0] for result in results if 0 in result.errors]
    assert len(refused) == 1 and "already has this badge" in refused[0][0]
    places = list(Award.objects.values_list("status_list_id", "status_index"))
    assert len(places) == len(set(places)) == 61


SITE = "https://badges.example.org"


def served(client, url):
    response = client.get(urlsplit(url).path)
    assert response.status_code == 200, url
    return response.json()


@requires_node
def test_bulk_awards_verify_with_independent_libraries(client, w):
    with override_settings(SITE_URL=SITE):
        badge = services.badge_class_create(
            actor=w.members[Role.DESIGNER],
            organisation=w.organisation,
            image=png_bytes(),
            **BADGE_FIELDS,
        )
        result = services.awards_create_bulk(
            actor=w.members[Role.AWARDER], badge_class=badge, requests=_requests("interop", 8)
        )
        assert len(result.created) == 8
        profile = w.organisation.issuer_profile
        did_document = served(client, f"{SITE}/issuers/{profile.public_id}/did.json")
        jobs = []
        for award in result.created:
            credential = orjson.loads(bytes(award.credential_json))
            list_url = credential["credentialStatus"]["statusListCredential"]
            documents = {did_document["id"]: did_document, list_url: served(client, list_url)}
            jobs.append({"op": "verify-di", "credential": credential, "documents": documents})
            token = client.get(f"/credentials/{award.public_id}.jwt").content.decode()
            jobs.append({"op": "verify-jwt", "token": token, "documents": documents})
        results = run_batch(jobs)
    for job, verdict in zip(jobs, results, strict=True):
        assert verdict["verified"], (job["op"], error_text(verdict))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="planner statistics: PostgreSQL")
def test_a_batch_that_grew_the_table_refreshes_its_statistics(w, badge, monkeypatch):
    """Without fresh statistics the duplicate check reads every award of the class per batch
    (1 s per batch at 900,000 awards): a batch that changed enough of the table analyzes it."""

    def reltuples():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [Award._meta.db_table]
            )
            return cursor.fetchone()[0]

    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Award._meta.db_table}")
    before = reltuples()
    awarder = w.members[Role.AWARDER]
    services.awards_create_bulk(actor=awarder, badge_class=badge, requests=_requests("a", 30))
    assert reltuples() == before  # a small change: not analyzed
    monkeypatch.setattr(services, "_bulk_statistics_stale", lambda cursor, table: True)
    services.awards_create_bulk(actor=awarder, badge_class=badge, requests=_requests("b", 30))
    assert reltuples() == max(before, 0) + 60  # ANALYZE counted this transaction's rows


@pytest.mark.skipif(connection.vendor != "postgresql", reason="planner statistics: PostgreSQL")
def test_the_whole_table_is_analyzed_without_the_documents(w, badge, monkeypatch):
    """ANALYZE of chosen columns would leave the change counter as it is, so every later
    batch would analyze again (measured: 988 ANALYZE runs for a million awards); the
    documents are left out by their statistics target instead."""
    monkeypatch.setattr(services, "_bulk_statistics_stale", lambda cursor, table: True)
    with CaptureQueriesContext(connection) as queries:
        services.awards_create_bulk(
            actor=w.members[Role.AWARDER], badge_class=badge, requests=_requests("c", 3)
        )
    analyzes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("ANALYZE")]
    assert analyzes == [f'ANALYZE "{Award._meta.db_table}"']
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, attstattarget FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attname IN ('credential_json', 'assertion_json', "
            "'recipient_identity')",
            [Award._meta.db_table],
        )
        targets = dict(cursor.fetchall())
    assert targets["credential_json"] == targets["assertion_json"] == 0
    assert targets["recipient_identity"] != 0


def test_statistics_are_stale_once_the_table_doubled(monkeypatch):
    class Cursor:
        def __init__(self, row):
            self.row = row

        def execute(self, sql, params):
            assert "pg_stat_user_tables" in sql

        def fetchone(self):
            return self.row

    stale = services._bulk_statistics_stale
    assert stale(Cursor(None), "t") is False  # no statistics kept for the table
    assert stale(Cursor((9_999, 0)), "t") is False  # small: any plan is cheap
    assert stale(Cursor((10_000, 0)), "t") is True
    assert stale(Cursor((499_999, 1_000_000)), "t") is False
    assert stale(Cursor((500_000, 1_000_000)), "t") is True


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL array literals")
@pytest.mark.django_db
def test_text_array_literal_round_trips_hostile_values():
    values = ['a"b', "back\\slash", "{braces},commas", " spaced ", "NULL", "", "é ✓ 中", "'quote"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::text[]", [text_array(values)])
        assert cursor.fetchone()[0] == values


def test_without_the_look_up_first_the_check_under_the_lock_still_refuses_repeats(w, badge):
    awarder = w.members[Role.AWARDER]
    first = services.awards_create_bulk(
        actor=awarder, badge_class=badge, requests=_requests("first", 6)
    )
    assert len(first.created) == 6 and first.repeats == 0
    again = _requests("first", 6)[3:]  # the same keys: the earlier awards are returned
    others = [
        AwardRequest(recipient_identity=request.recipient_identity, idempotency_key=f"other:{n}")
        for n, request in enumerate(_requests("first", 3))
    ]  # the same recipients under new keys: refused
    fresh = [AwardRequest(recipient_identity="new@example.org", idempotency_key="fresh")]
    result = services.awards_create_bulk(
        actor=awarder, badge_class=badge, requests=again + others + fresh, look_up_first=False
    )
    assert result.repeats == 6
    assert {position: award.pk for position, award in result.existing.items()} == {
        position: award.pk for position, award in enumerate(first.created[3:])
    }
    assert sorted(result.errors) == [3, 4, 5]
    assert "already has this badge" in result.errors[3][0]
    assert [award.recipient_identity for award in result.created] == ["new@example.org"]
    assert Award.objects.filter(badge_class=badge).count() == 7


def test_replayed_keys_without_any_look_up_are_caught_by_the_constraint(w, badge, monkeypatch):
    """A class that allows duplicates has no recipient check; a new file's batch then writes
    without looking keys up, and the unique (organisation, key) constraint refuses a replayed
    one: the batch looks its keys up and writes the rest."""
    services.badge_class_update(
        actor=w.members[Role.DESIGNER], badge_class=badge, allow_duplicates=True
    )
    badge.refresh_from_db()
    awarder = w.members[Role.AWARDER]
    first = services.awards_create_bulk(
        actor=awarder, badge_class=badge, requests=_requests("dup", 4)
    )
    replay = [
        *_requests("dup", 4)[2:],
        AwardRequest(recipient_identity="dup2@example.org", idempotency_key="dup:new"),
    ]
    stored = []
    real_store = services._bulk_store
    monkeypatch.setattr(
        services, "_bulk_store", lambda awards: stored.append(len(awards)) or real_store(awards)
    )
    result = services.awards_create_bulk(
        actor=awarder, badge_class=badge, requests=replay, look_up_first=False
    )
    assert stored == [3, 1]  # refused by the constraint, then written without the replays
    assert {position: award.pk for position, award in result.existing.items()} == {
        0: first.created[2].pk,
        1: first.created[3].pk,
    }
    assert [award.idempotency_key for award in result.created] == ["dup:new"]
    assert result.repeats == 2 and not result.errors
    assert Award.objects.filter(badge_class=badge).count() == 5
