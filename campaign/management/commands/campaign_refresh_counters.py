from django.core.management.base import BaseCommand
from django.utils.translation import gettext_lazy as _

from campaign import counting


class Command(BaseCommand):
    help = _(
        "Rebuild the campaign counters older than CAMPAIGN_COUNTER_MAX_AGE seconds (or queued). "
        "Run it from cron as a safety net beside the task queue."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--max-age",
            type=int,
            default=None,
            help=_("Rebuild what is older than this many seconds (default: the setting)."),
        )

    def handle(self, *args, max_age=None, **options):
        from datetime import timedelta

        older_than = None if max_age is None else timedelta(seconds=max(max_age, 0))
        done = counting.counters_refresh_stale(older_than=older_than)
        self.stdout.write(
            f"Rebuilt {done['organisations']} organisation tallies and "
            f"{done['initiatives']} initiative counters."
        )
