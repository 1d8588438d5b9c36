from django.core.management.base import BaseCommand
from django.utils.translation import gettext_lazy as _

from campaign import counting


class Command(BaseCommand):
    help = _("Rebuild every campaign counter from the awards now.")

    def handle(self, *args, **options):
        done = counting.counters_rebuild_all()
        self.stdout.write(
            f"Rebuilt {done['organisations']} organisation tallies and "
            f"{done['initiatives']} initiative counters."
        )
