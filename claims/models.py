"""Claimable badge classes: anyone may claim the badge by confirming an email address.

An organisation marks one of its badge classes as claimable (`ClaimableBadge`), with an optional
period. A person asks for it with a name and an address (`ClaimRequest`), receives a signed,
time-limited link by email, and accepts the badge on the page it opens. Each address can hold
the badge once: the award's idempotency key is derived from the address.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from issuing.models import Award, BadgeClass


class ClaimableBadge(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    badge_class = models.OneToOneField(
        BadgeClass, on_delete=models.PROTECT, related_name="claim_settings"
    )
    enabled = models.BooleanField(_("people may claim this badge"), default=True)
    opens_at = models.DateTimeField(_("open from"), null=True, blank=True)
    closes_at = models.DateTimeField(_("open until"), null=True, blank=True)
    # Claims are awarded in the name of the member who last configured them (an awarder):
    # the award service checks that they still may award.
    configured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("claimable badge")
        verbose_name_plural = _("claimable badges")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens_at__isnull=True)
                | models.Q(closes_at__isnull=True)
                | models.Q(closes_at__gt=models.F("opens_at")),
                name="claim_closes_after_it_opens",
            )
        ]

    def __str__(self) -> str:
        return str(self.badge_class)

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.enabled
            and not self.badge_class.is_archived
            and (self.opens_at is None or self.opens_at <= now)
            and (self.closes_at is None or now < self.closes_at)
        )


class ClaimRequest(models.Model):
    """One request for the badge: the confirmation link names it; accepting it makes the award."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    claimable = models.ForeignKey(ClaimableBadge, on_delete=models.CASCADE, related_name="requests")
    email = models.EmailField(_("email address"))  # lower-cased
    name = models.CharField(_("name"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    award = models.ForeignKey(
        Award, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["claimable", "email"], name="claim_request_address")]
        verbose_name = _("claim request")
        verbose_name_plural = _("claim requests")

    def __str__(self) -> str:
        return f"{self.claimable} · {self.email}"
