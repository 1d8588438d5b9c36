"""Delivery records of the emails that tell recipients about their badges.

Kept in their own small app, beside `issuing`, so that their migrations never collide with the
issuing data model's. The sending itself lives in `issuing.notifications` and
`issuing.tasks_notify`.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Not sent")


class AwardNotification(models.Model):
    """The email to the recipient of one award: one record per award, whatever the attempts.

    `language` is the language chosen when the award was made (the award form, a CSV column);
    blank means "decide when sending" (the recipient's account, then the badge's language).
    """

    award = models.OneToOneField(
        "issuing.Award", on_delete=models.CASCADE, related_name="notification"
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=NotificationStatus.choices,
        default=NotificationStatus.QUEUED,
    )
    language = models.CharField(_("language"), max_length=10, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notification_due")]
        verbose_name = _("award notification")
        verbose_name_plural = _("award notifications")

    def __str__(self) -> str:
        return f"{self.award_id} · {self.get_status_display()}"
