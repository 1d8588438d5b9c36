"""Re-enqueue recipient emails that are due but have no task on its way.

Emails are normally sent by tasks enqueued when their award commits, and retried by the tasks
themselves. A worker killed mid-batch, or a process that died between the commit and the
enqueue, leaves emails queued with nobody to send them: run this command from time to time
(cron, a systemd timer) to pick them up. Sending twice is prevented by the records themselves.
"""

from django.core.management.base import BaseCommand

from issuing.notifications import award_notifications_dispatch_due


class Command(BaseCommand):
    help = "Enqueue the recipient emails that are due and were left without a task."

    def handle(self, *args, **options):
        count = award_notifications_dispatch_due()
        self.stdout.write(f"{count} email(s) enqueued.")
