import threading

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from passport import tasks_reverify


class Command(BaseCommand):
    help = (
        "Verify passport badges again whose last check is older than --days (default 7), so "
        "badges revoked or expired since then are flagged. Enqueues batches for the task "
        "worker, or with --now checks them in this process. Run it daily (cron, systemd timer)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=tasks_reverify.DEFAULT_AGE_DAYS)
        parser.add_argument("--batch-size", type=int, default=tasks_reverify.DEFAULT_BATCH_SIZE)
        parser.add_argument("--limit", type=int, default=None, help="At most this many badges.")
        parser.add_argument("--now", action="store_true", help="Verify here instead of enqueuing.")
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            help="Keep running: enqueue what is due again every this many seconds (0: once).",
        )

    def handle(self, *args, days, batch_size, limit, now, every, **options):
        if batch_size < 1 or days < 0 or every < 0:
            self.stderr.write("--batch-size must be at least 1, --days and --every at least 0.")
            return
        if every:
            # `./dev start` runs this beside the task worker, so that a local platform flags
            # badges revoked since import without cron. A failed round (database restarting)
            # must not end the loop.
            stop = threading.Event()
            try:
                while True:
                    close_old_connections()
                    try:
                        self._once(days, batch_size, limit, now)
                    except Exception as error:
                        self.stderr.write(f"Re-verifying passport badges failed: {error}")
                    stop.wait(every)
            except KeyboardInterrupt:
                return
        self._once(days, batch_size, limit, now)

    def _once(self, days, batch_size, limit, now):
        if now:
            ids = tasks_reverify.due_badge_ids(older_than_days=days, limit=limit)
            totals: dict[str, int] = {}
            for start in range(0, len(ids), batch_size):
                batch = tasks_reverify.reverify_badges(ids[start : start + batch_size])
                for status, count in batch.items():
                    totals[status] = totals.get(status, 0) + count
            summary = ", ".join(f"{status}: {count}" for status, count in sorted(totals.items()))
            self.stdout.write(f"Verified {len(ids)} badges again. {summary}".strip())
            return
        count = tasks_reverify.passport_reverify_due(
            older_than_days=days, batch_size=batch_size, limit=limit
        )
        self.stdout.write(f"Enqueued {count} badges for verification.")
