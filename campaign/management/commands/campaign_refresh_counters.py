import threading
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection
from django.utils.translation import gettext_lazy as _

from campaign import counting


class Command(BaseCommand):
    help = _(
        "Rebuild the campaign counters older than CAMPAIGN_COUNTER_MAX_AGE seconds (or queued). "
        "Run it once from cron or a systemd timer, or with --every to keep running beside the "
        "task worker."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--max-age",
            type=int,
            default=None,
            help=_("Rebuild what is older than this many seconds (default: the setting)."),
        )
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            help=_("Keep running: refresh again every this many seconds (0: run once)."),
        )
        parser.add_argument(
            "--runs",
            type=int,
            default=0,
            help=_("With --every, stop after this many refreshes (0: until stopped)."),
        )

    def handle(self, *args, max_age=None, every=0, runs=0, **options):
        older_than = None if max_age is None else timedelta(seconds=max(max_age, 0))
        every = max(every, 0)
        stop = threading.Event()
        done_runs = 0
        try:
            while True:
                _reconnect_if_needed()
                try:
                    done = counting.counters_refresh_stale(older_than=older_than)
                except Exception as error:
                    if not every:
                        raise
                    # One failed round (database restarting) must not end the loop.
                    self.stderr.write(f"Refreshing the campaign counters failed: {error}")
                else:
                    if options["verbosity"] > 0 or not every:
                        self.stdout.write(
                            f"Rebuilt {done['organisations']} organisation tallies and "
                            f"{done['initiatives']} initiative counters."
                        )
                done_runs += 1
                if not every or (runs and done_runs >= runs):
                    return
                stop.wait(every)
        except KeyboardInterrupt:
            return
        finally:
            _reconnect_if_needed()


def _reconnect_if_needed() -> None:
    """A long-running loop must not keep a connection the database closed meanwhile. Inside a
    transaction (a caller's, or a test's) the connection is left alone."""
    if not connection.in_atomic_block:
        close_old_connections()
