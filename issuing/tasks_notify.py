"""Background task of recipient notifications: one batch of award emails per task.

The work is in `issuing.notifications`; the task sends a batch, then enqueues later batches
for the emails that failed for a reason that may pass (the retry policy of
`badgeeurope.tasks`, counted per recipient).
"""

from django.tasks import task

from . import notifications


@task
def send_award_notifications(*, award_ids: list[int]) -> dict[str, int]:
    """Send the queued emails of these awards (database ids); returns counts per outcome."""
    report = notifications.award_notifications_send(award_ids=award_ids)
    notifications.notification_retries_enqueue(report)
    return {
        "sent": len(report.sent),
        "failed": len(report.failed),
        "skipped": len(report.skipped),
        "retrying": sum(len(ids) for ids in report.retry.values()),
    }
