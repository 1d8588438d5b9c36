"""Benchmark: N awards of one badge class through the platform's CSV bulk path (not a test).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \\
        uv run python bench/bench_bulk_award.py [--count 1000000] [--workers 2] [--job-size 50000]

What runs is exactly what production runs: CSV files are generated and uploaded through
`bulk.services.bulk_job_upload` (parsed, checked, rows stored), confirmed with
`bulk_job_confirm` (tasks enqueued on the django-tasks-db backend), and `--workers` separate
`manage.py db_worker --batch` processes award them through issuing's `awards_create_bulk`
(signed eddsa-rdfc-2022 credential, VC-JWT, OB 2.0 assertion, status list index, stored bytes).

It works in a database of its own (`<name>_bulkbench` on the same server, dropped and created
anew), so it never touches the development or test databases; recipient emails are switched
off (AWARD_NOTIFICATIONS=0) so a million mails are not written to disk.

Printed: upload (parse) rate, awarding rate in awards/s over the workers' wall time, peak
memory of this process and of the largest worker (resource.getrusage), and the ratio of the
awarding rate to raw Ed25519 signing of 64 bytes measured on one core in the same run.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def raw_ed25519_rate(seconds: float = 1.0) -> tuple[float, float]:
    """Signatures per second of wall time, and per second of this process's CPU time (which
    other programs on the machine do not slow down)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    message = os.urandom(64)
    count = 0
    started = time.perf_counter()
    cpu_started = time.process_time()
    while (elapsed := time.perf_counter() - started) < seconds:
        for _ in range(200):
            key.sign(message)
        count += 200
    return count / elapsed, count / (time.process_time() - cpu_started)


class BackendCpu:
    """CPU seconds used by the PostgreSQL server processes serving the benchmark's database
    (read from /proc: the server runs on this machine), sampled while they live."""

    def __init__(self) -> None:
        self.seen: dict[int, float] = {}
        self.ticks = os.sysconf("SC_CLK_TCK")

    def sample(self) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            )
            pids = [pid for (pid,) in cursor.fetchall()]
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            self.seen[pid] = (int(fields[11]) + int(fields[12])) / self.ticks

    @property
    def seconds(self) -> float:
        return sum(self.seen.values())


def bench_database(url: str) -> str:
    """Create an empty database beside the one in `url` and return its URL."""
    import psycopg

    parts = urlsplit(url)
    name = (parts.path.lstrip("/") or "postgres") + "_bulkbench"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def csv_bytes(start: int, count: int) -> bytes:
    lines = ["email,name,issue date"]
    lines.extend(
        f"learner{number}@bench.example.org,Learner {number},2026-01-15"
        for number in range(start, start + count)
    )
    return ("\n".join(lines) + "\n").encode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--job-size", type=int, default=50_000, help="rows per CSV file")
    parser.add_argument("--report-every", type=float, default=15, help="seconds between reports")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print("Set DATABASE_URL to a PostgreSQL server (the benchmark makes its own database).")
        return 2
    media = tempfile.mkdtemp(prefix="bulkbench-media-")
    env = dict(os.environ)
    env.update(
        DATABASE_URL=bench_database(url),
        MEDIA_ROOT=media,
        AWARD_NOTIFICATIONS="0",
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        LOG_LEVEL="WARNING",
    )
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "badgeeurope.settings")

    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from PIL import Image

    call_command("migrate", verbosity=0)
    from accounts.models import Membership, Organisation, Role, User
    from bulk import services as bulk
    from bulk.models import BulkAwardJob, JobStatus
    from issuing import services as issuing
    from issuing.models import Award

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
        description="Awarded a million times to measure the bulk path.",
        criteria_narrative="Be one of a million learners.",
    )

    raw, raw_cpu = raw_ed25519_rate()
    print(
        f"raw Ed25519 signing (1 core): {raw:,.0f} signatures/s "
        f"({raw_cpu:,.0f} per CPU second); load average {os.getloadavg()[0]:.2f}"
    )

    started = time.perf_counter()
    jobs = []
    for start in range(0, args.count, args.job_size):
        size = min(args.job_size, args.count - start)
        upload = SimpleUploadedFile(f"bench-{start}.csv", csv_bytes(start, size), "text/csv")
        job = bulk.bulk_job_upload(actor=owner, badge_class=badge, upload=upload)
        assert job.valid_rows == size, job.valid_rows
        bulk.bulk_job_confirm(actor=owner, job=job)
        jobs.append(job)
    upload_seconds = time.perf_counter() - started
    print(
        f"upload: {args.count:,} rows in {len(jobs)} files, {upload_seconds:.1f} s "
        f"({args.count / upload_seconds:,.0f} rows/s)"
    )

    command = [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"]
    loads = [os.getloadavg()[0]]
    backend = BackendCpu()
    during: list[float] = []
    started = time.perf_counter()
    workers = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)  # noqa: S603
        for _ in range(args.workers)
    ]
    last_report = started
    while any(worker.poll() is None for worker in workers):
        time.sleep(0.5)
        backend.sample()
        if time.perf_counter() - last_report >= args.report_every:
            last_report = time.perf_counter()
            # The jobs' counters, not COUNT(*) of the awards: counting a table of millions
            # of wide rows every 15 s would take CPU from the run it measures.
            done = sum(BulkAwardJob.objects.values_list("awarded_count", flat=True))
            loads.append(os.getloadavg()[0])
            # How fast this machine signs per CPU second right now (a shared host's speed
            # drifts by a fifth within minutes): 0.1 s of one core per report.
            during.append(raw_ed25519_rate(0.1)[1])
            print(
                f"  {done:,} awards after {last_report - started:.0f} s "
                f"(load average {loads[-1]:.2f})"
            )
    elapsed = time.perf_counter() - started
    loads.append(os.getloadavg()[0])
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    failed = [worker.returncode for worker in workers if worker.returncode]
    if failed:
        print(f"a worker exited with {failed}")
        return 1

    awards = Award.objects.filter(badge_class=badge)
    total = awards.count()
    distinct = awards.values("idempotency_key").distinct().count()
    unfinished = BulkAwardJob.objects.exclude(status=JobStatus.DONE).count()
    rate = total / elapsed
    self_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"awarded: {total:,} awards ({distinct:,} distinct keys, {unfinished} jobs unfinished)")
    print(f"awarding: {elapsed:.1f} s with {args.workers} workers = {rate:,.0f} awards/s")
    print(f"end to end (upload + awarding): {upload_seconds + elapsed:.1f} s")
    print(f"peak memory: this process {self_peak:,.0f} MiB, largest worker {worker_peak:,.0f} MiB")
    print(f"ratio to raw Ed25519 signing on one core: {rate / raw:.3f}")
    if during:
        print(
            f"raw Ed25519 per CPU second during the run: {min(during):,.0f} to "
            f"{max(during):,.0f} (mean {sum(during) / len(during):,.0f}; "
            f"{raw_cpu:,.0f} before it)"
        )
        raw_cpu = sum(during) / len(during)
    print(f"extrapolated to 1,000,000 awards: {1_000_000 / rate / 60:.1f} min of awarding")
    # Wall time on a shared machine depends on what else runs; CPU time per award does not.
    worker_cpu = (children.ru_utime + children.ru_stime) / total
    server_cpu = backend.seconds / total
    per_award = worker_cpu + server_cpu
    print(
        f"load average during the run: {min(loads):.2f} to {max(loads):.2f} "
        f"(1-minute, sampled every {args.report_every:g} s)"
    )
    print(
        f"CPU per award: workers {worker_cpu * 1e6:.0f} µs + PostgreSQL {server_cpu * 1e6:.0f} µs "
        f"= {per_award * 1e6:.0f} µs = {per_award * raw_cpu:.1f} raw Ed25519 signatures"
    )
    print(
        f"on {os.cpu_count()} cores to ourselves: {os.cpu_count() / per_award:,.0f} awards/s, "
        f"1,000,000 awards in {1_000_000 * per_award / os.cpu_count() / 60:.1f} min"
    )
    return 0 if total == distinct == args.count and not unfinished else 1


if __name__ == "__main__":
    sys.exit(main())
