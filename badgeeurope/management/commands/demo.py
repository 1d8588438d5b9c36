from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from badgeeurope.demo import load_demo


class Command(BaseCommand):
    help = _("Load the demo world (initiatives, organisations, people). Safe to run twice.")

    def handle(self, *args, **options):
        summary = load_demo()
        for line in summary:
            self.stdout.write(line)
