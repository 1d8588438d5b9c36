"""Benchmark: where the CPU of one bulk award goes, in the worker and in PostgreSQL (not a test).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<name> \\
        uv run python bench/bench_bulk_cpu.py [--count 10000]

Uploads one CSV file and awards it in this process with `bulk.services.bulk_job_process` (what
a worker's task runs), reading the CPU time of this process and of the PostgreSQL server
process serving it (from /proc: the server must run on this machine) around every SQL
statement and around the COPY of the awards. CPU time, unlike wall time, hardly depends on
what else runs on the machine. Works in the database `<name>_bulkbench` (dropped and created
anew, as bench_bulk_award.py does; do not run both at once).
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import gc
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def raw_ed25519_cpu(seconds: float = 0.5) -> float:
    """Ed25519 signatures of 64 bytes per second of this process's CPU: the machine's speed
    at the moment, to compare runs made while it was faster or slower."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    message = os.urandom(64)
    count = 0
    started = time.process_time()
    while time.process_time() - started < seconds:
        for _ in range(200):
            key.sign(message)
        count += 200
    return count / (time.process_time() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument(
        "--profile",
        type=int,
        metavar="N",
        default=0,
        help="also print the N functions of the worker with the most own time (cProfile)",
    )
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print("Set DATABASE_URL to a PostgreSQL server (the benchmark makes its own database).")
        return 2
    import tempfile

    from bench_bulk_award import bench_database, csv_bytes

    os.environ.update(
        DATABASE_URL=bench_database(url),
        MEDIA_ROOT=tempfile.mkdtemp(prefix="bulkcpu-media-"),
        AWARD_NOTIFICATIONS="0",
        LOG_LEVEL="WARNING",
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "badgeeurope.settings")
    import django

    django.setup()
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection
    from PIL import Image

    call_command("migrate", verbosity=0)
    from accounts.models import Membership, Organisation, Role, User
    from bulk import services as bulk
    from issuing import services as issuing

    owner = User.objects.create_user(email="owner@bench.example.org", password=None)
    organisation = Organisation.objects.create(slug="bench", name="Bench Academy")
    Membership.objects.create(organisation=organisation, user=owner, role=Role.OWNER)
    image = io.BytesIO()
    Image.new("RGBA", (256, 256), (0, 82, 147, 255)).save(image, format="PNG")
    badge = issuing.badge_class_create(
        actor=owner,
        organisation=organisation,
        image=image.getvalue(),
        name="Bulk Benchmark Badge",
        description="Awarded to measure the bulk path.",
        criteria_narrative="Be one of many learners.",
    )
    upload = SimpleUploadedFile("bench.csv", csv_bytes(0, args.count), "text/csv")
    job = bulk.bulk_job_upload(actor=owner, badge_class=badge, upload=upload)
    bulk.bulk_job_confirm(actor=owner, job=job)

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (server_pid,) = cursor.fetchone()
    ticks = os.sysconf("SC_CLK_TCK")

    def server_cpu() -> float:
        fields = Path(f"/proc/{server_pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / ticks

    spent: collections.Counter[str] = collections.Counter()

    def measured(execute, sql, params, many, context):
        before = server_cpu()
        try:
            return execute(sql, params, many, context)
        finally:
            spent[" ".join(sql.split())[:70]] += server_cpu() - before

    store = issuing._bulk_store

    def measured_store(awards):
        before = server_cpu()
        store(awards)
        spent["COPY of the awards"] += server_cpu() - before

    issuing._bulk_store = measured_store
    server_started = server_cpu()
    in_gc = {"since": 0.0, "total": 0.0}

    def gc_clock(phase, _info):
        now = time.process_time()
        if phase == "start":
            in_gc["since"] = now
        else:
            in_gc["total"] += now - in_gc["since"]

    gc.callbacks.append(gc_clock)
    raw_before = raw_ed25519_cpu()
    started = time.process_time()
    profiler = cProfile.Profile() if args.profile else None
    with connection.execute_wrapper(measured):
        if profiler:
            profiler.enable()
        bulk.bulk_job_process(job_id=job.pk)
        if profiler:
            profiler.disable()
    worker = (time.process_time() - started) / args.count
    server = (server_cpu() - server_started) / args.count
    print(f"{args.count:,} awards; load average {os.getloadavg()[0]:.2f}")
    gc.callbacks.remove(gc_clock)
    raw = (raw_before + raw_ed25519_cpu()) / 2
    print(f"CPU per award: worker {worker * 1e6:.0f} µs, PostgreSQL {server * 1e6:.0f} µs")
    print(
        f"  in raw Ed25519 signatures measured around the run ({raw:,.0f}/s of CPU): "
        f"worker {worker * raw:.1f}, PostgreSQL {server * raw:.1f}; "
        f"the worker's garbage collection {in_gc['total'] / args.count * 1e6:.0f} µs"
    )
    print(
        f"on {os.cpu_count()} cores to ourselves: {os.cpu_count() / (worker + server):,.0f} "
        f"awards/s, 1,000,000 in {1_000_000 * (worker + server) / os.cpu_count() / 60:.1f} min"
    )
    print("PostgreSQL CPU per award by statement:")
    for statement, seconds in spent.most_common(8):
        print(f"  {seconds / args.count * 1e6:6.1f} µs  {statement}")
    if profiler:
        # Profiling slows the worker down; read the shares, not the absolute figures above.
        if os.environ.get("PROFILE_OUT"):
            profiler.dump_stats(os.environ["PROFILE_OUT"])
        pstats.Stats(profiler).sort_stats(os.environ.get("PROFILE_SORT", "tottime")).print_stats(
            args.profile
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
