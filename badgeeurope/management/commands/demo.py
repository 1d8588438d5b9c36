from django.core.management.base import BaseCommand
from django.utils.translation import gettext_lazy as _

from badgeeurope.demo import load_demo
from campaign.demo import load_campaign_demo
from issuing.demo import load_issuing_demo
from passport.demo import load_passport_demo


class Command(BaseCommand):
    help = _(
        "Load the demo world (initiatives, organisations, people, badge classes and awards). "
        "Safe to run twice."
    )

    # Each app's demo step builds on the previous ones: people and organisations first, then
    # the badge classes they design and the awards they make.
    steps = (load_demo, load_issuing_demo, load_passport_demo, load_campaign_demo)

    def handle(self, *args, **options):
        for step in self.steps:
            for line in step():
                self.stdout.write(line)
