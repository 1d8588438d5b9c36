from django.core.management.base import BaseCommand
from django.utils.translation import gettext_lazy as _

from badgeeurope.demo import load_demo


class Command(BaseCommand):
    help = _("Load the demo world (initiatives, organisations, people). Safe to run twice.")

    def handle(self, *args, **options):
        for line in load_demo():
            self.stdout.write(line)
