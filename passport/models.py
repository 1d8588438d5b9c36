"""The learner's passport: the badges one person keeps, whether awarded on this platform or
imported from elsewhere, with the learner's own choices (accept or decline, who may see it,
share links, tags) and the last verification result.

Awarded badges point at their `issuing.Award` (whose documents stay there); imported badges
keep the exact bytes received in `original`. Both carry a display snapshot so lists render
without parsing credentials.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MAX_TAGS = 20


class BadgeSource(models.TextChoices):
    AWARDED = "awarded", _("Awarded on this platform")
    IMPORTED = "imported", _("Imported")


class BadgeState(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class Visibility(models.TextChoices):
    PRIVATE = "private", _("Only me")
    SIGNED_IN = "signed_in", _("Signed-in users")
    PUBLIC = "public", _("Everyone")


class OriginalFormat(models.TextChoices):
    PNG = "png", _("Baked PNG image")
    SVG = "svg", _("Baked SVG image")
    JSON = "json", _("JSON")
    JWT = "jwt", _("JWT")
    URL = "url", _("Web address")


class Spec(models.TextChoices):
    OB2 = "ob2", _("Open Badges 2.0")
    OB3 = "ob3", _("Open Badges 3.0")


class VerificationStatus(models.TextChoices):
    UNVERIFIED = "unverified", _("Not verified")
    VALID = "valid", _("Valid")
    INVALID = "invalid", _("Invalid")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")
    NOT_YET_VALID = "not_yet_valid", _("Not yet valid")
    ERROR = "error", _("Could not be checked")


class PassportBadge(models.Model):
    """One badge in one learner's passport."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="passport_badges"
    )
    source = models.CharField(_("source"), max_length=10, choices=BadgeSource.choices)
    award = models.ForeignKey(
        "issuing.Award",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="passport_badges",
    )
    state = models.CharField(
        _("state"), max_length=10, choices=BadgeState.choices, default=BadgeState.PENDING
    )
    state_changed_at = models.DateTimeField(null=True, blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    hide_evidence = models.BooleanField(_("hide evidence"), default=False)
    # NULL, not "", when there is no share link: the unique constraint must not see them as equal.
    share_token = models.CharField(max_length=64, null=True, blank=True, unique=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)

    # Imported badges only; awarded badges' documents live on the Award.
    original = models.BinaryField(null=True, blank=True)
    original_format = models.CharField(max_length=4, choices=OriginalFormat.choices, blank=True)
    original_filename = models.CharField(max_length=255, blank=True)
    source_url = models.URLField(max_length=2000, blank=True)
    credential = models.JSONField(null=True, blank=True)

    # Display snapshot, filled for both kinds.
    name = models.CharField(_("name"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    issuer_name = models.CharField(_("issuer"), max_length=500, blank=True)
    issuer_url = models.URLField(_("issuer website"), max_length=2000, blank=True)
    image_url = models.URLField(_("image address"), max_length=2000, blank=True)
    image = models.FileField(_("image"), upload_to="passport/", blank=True)
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    spec = models.CharField(max_length=3, choices=Spec.choices, blank=True)

    verification_status = models.CharField(
        _("verification"),
        max_length=15,
        choices=VerificationStatus.choices,
        default=VerificationStatus.UNVERIFIED,
    )
    verification_report = models.JSONField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    recipient_matched = models.CharField(max_length=320, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "award"],
                condition=Q(award__isnull=False),
                name="passport_unique_owner_award",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "state"], name="passport_owner_state"),
            models.Index(fields=["owner", "created_at"], name="passport_owner_created"),
            models.Index(fields=["verified_at"], name="passport_verified_at"),
        ]
        verbose_name = _("passport badge")
        verbose_name_plural = _("passport badges")

    def __str__(self) -> str:
        return f"{self.name} ({self.owner})"

    @property
    def is_awarded(self) -> bool:
        return self.source == BadgeSource.AWARDED

    @property
    def is_imported(self) -> bool:
        return self.source == BadgeSource.IMPORTED


class PassportProfile(models.Model):
    """A learner's opt-in public page at /u/<handle>/, listing their public accepted badges."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="passport_profile"
    )
    handle = models.SlugField(_("handle"), max_length=50, unique=True)
    enabled = models.BooleanField(_("public profile on"), default=False)
    headline = models.CharField(_("headline"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("passport profile")
        verbose_name_plural = _("passport profiles")

    def __str__(self) -> str:
        return self.handle
