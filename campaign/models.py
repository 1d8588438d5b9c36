"""The Badge Europe campaign: initiatives, their pledges, the counters of what they achieved and
the reports of connected systems.

Counters (`AwardTally`, `TallyState`, `InitiativeCounter`, `AchievedMonth`) are derived data kept
by `campaign/counting.py`; every other model is written only through `campaign/services.py`.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation


class InitiativeKind(models.TextChoices):
    SCHOOL = "school", _("School")
    UNIVERSITY = "university", _("University")
    VET = "vet", _("Vocational education and training")
    CITY_REGION = "city_region", _("City or region")
    EMPLOYER = "employer", _("Employer")
    NGO = "ngo", _("Non-governmental organisation")
    NETWORK = "network", _("Network")
    PUBLIC_BODY = "public_body", _("Public body")
    OTHER = "other", _("Other")


class InitiativeStatus(models.TextChoices):
    PROPOSED = "proposed", _("Awaiting review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Initiative(models.Model):
    """An initiative of the campaign: public once a platform administrator approved it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    language = models.CharField(_("language of the description"), max_length=10, default="en")
    description = models.TextField(_("description"))
    # {"en": {"name": …, "description": …}, …}: the same texts in other languages.
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    kind = models.CharField(_("type"), max_length=20, choices=InitiativeKind.choices)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-90)), MaxValueValidator(Decimal(90))],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-180)), MaxValueValidator(Decimal(180))],
    )
    country = models.CharField(_("country"), max_length=2)  # ISO 3166-1 alpha-2
    city = models.CharField(_("city"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="initiatives/", blank=True)
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=InitiativeStatus.choices,
        default=InitiativeStatus.PROPOSED,
    )
    review_reason = models.TextField(_("reason"), blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="initiatives", verbose_name=_("organisations")
    )

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["status", "country"], name="initiative_status_country"),
            models.Index(fields=["status", "kind"], name="initiative_status_kind"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True)
                | models.Q(latitude__gte=-90, latitude__lte=90),
                name="initiative_latitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__isnull=True)
                | models.Q(longitude__gte=-180, longitude__lte=180),
                name="initiative_longitude_range",
            ),
        ]
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")

    def __str__(self) -> str:
        return self.name

    @property
    def is_public(self) -> bool:
        return self.status == InitiativeStatus.APPROVED

    def _translated(self, field: str, language: str | None) -> str:
        """The text in `language` (or the active one), else in its own language."""
        language = (language or get_language() or "en").split("-")[0]
        if language != self.language:
            text = (self.translations.get(language) or {}).get(field)
            if text:
                return text
        return getattr(self, field)

    def name_in(self, language: str | None = None) -> str:
        return self._translated("name", language)

    def description_in(self, language: str | None = None) -> str:
        return self._translated("description", language)

    @property
    def country_name(self) -> str:
        """The country's name in the active language."""
        from .countries import country_name

        return country_name(self.country)

    @property
    def display_name(self) -> str:
        return self.name_in()

    @property
    def display_description(self) -> str:
        return self.description_in()


class Pledge(models.Model):
    """A commitment to award `badge_count` badges by `deadline`. Never edited in place: a change
    is a new pledge plus the withdrawal of the old one, so the history stays."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="pledges")
    badge_count = models.PositiveBigIntegerField(_("number of badges"))
    starts_on = models.DateField(_("counting from"))
    deadline = models.DateField(_("deadline"))
    theme = models.CharField(_("theme"), max_length=200, blank=True)
    badge_classes = models.ManyToManyField(
        "issuing.BadgeClass", blank=True, related_name="pledges", verbose_name=_("badge classes")
    )
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pledges",
        verbose_name=_("pledged on behalf of"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    replaced_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replaces"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deadline__gte=models.F("starts_on")),
                name="pledge_deadline_after_start",
            ),
        ]
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")

    def __str__(self) -> str:
        return f"{self.initiative}: {self.badge_count} by {self.deadline}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class JoinRequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class JoinRequest(models.Model):
    """An organisation asking to belong to an initiative; the initiative's proposer or a platform
    administrator decides."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="join_requests"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="initiative_join_requests"
    )
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(
        max_length=10, choices=JoinRequestStatus.choices, default=JoinRequestStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "organisation"],
                condition=models.Q(status="pending"),
                name="unique_pending_join_request",
            ),
        ]
        verbose_name = _("request to join")
        verbose_name_plural = _("requests to join")

    def __str__(self) -> str:
        return f"{self.organisation} → {self.initiative}"


class ReportToken(models.Model):
    """An API token with which a connected system reports badges issued elsewhere. Only the
    SHA-256 digest is stored; the token is shown once when it is created."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="report_tokens"
    )
    name = models.CharField(_("system name"), max_length=100)
    prefix = models.CharField(max_length=12)  # the first characters, to recognise a token
    digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("report token")
        verbose_name_plural = _("report tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ExternalReport(models.Model):
    """Badges a connected system says it issued for the initiative: shown apart from the awards
    counted on the platform, attributed to the token that sent them."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="external_reports"
    )
    count = models.PositiveBigIntegerField(_("number of badges"))
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    system = models.CharField(_("system"), max_length=100)
    reference = models.CharField(_("reference"), max_length=200)
    reported_by = models.ForeignKey(
        ReportToken, null=True, on_delete=models.SET_NULL, related_name="reports"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_end", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "reference"], name="unique_external_report_reference"
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="external_report_period_order",
            ),
        ]
        verbose_name = _("external report")
        verbose_name_plural = _("external reports")

    def __str__(self) -> str:
        return f"{self.system}: {self.count}"


# --- Derived counters (campaign/counting.py keeps them) ---------------------------------------


class AwardTally(models.Model):
    """Non-revoked awards of one organisation's badge class issued on one day (in TIME_ZONE).
    Rebuilt per organisation from its awards; initiative counters are sums over these rows."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    badge_class = models.ForeignKey(
        "issuing.BadgeClass", on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField()
    count = models.PositiveBigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "badge_class", "day"], name="unique_award_tally"
            ),
        ]
        indexes = [models.Index(fields=["badge_class", "day"], name="award_tally_class_day")]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.badge_class_id} {self.day}: {self.count}"


class TallyState(models.Model):
    """When an organisation's tally was last rebuilt, and whether a rebuild is queued (so that a
    burst of award batches queues one rebuild, not one per batch)."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="campaign_tally_state"
    )
    pending = models.BooleanField(default=False)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    awards = models.PositiveBigIntegerField(default=0)  # non-revoked, at the last rebuild

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.awards} ({self.refreshed_at})"


class InitiativeCounter(models.Model):
    initiative = models.OneToOneField(
        Initiative, on_delete=models.CASCADE, related_name="counter", primary_key=True
    )
    committed = models.PositiveBigIntegerField(default=0)
    achieved = models.PositiveBigIntegerField(default=0)
    achieved_external = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.initiative_id}: {self.achieved} / {self.committed}"


class AchievedMonth(models.Model):
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="months")
    month = models.DateField()  # the first day of the month
    count = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["month"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "month"], name="unique_achieved_month"),
        ]

    def __str__(self) -> str:
        return f"{self.initiative_id} {self.month:%Y-%m}: {self.count}"


class CampaignSettings(models.Model):
    """The campaign's settings that platform administrators change on the settings page: one
    row (pk 1). An empty field falls back to the environment variable of the same meaning
    (CAMPAIGN_SUPPORTER_BADGE, CAMPAIGN_GOAL, CAMPAIGN_NEXT_GOAL; see campaign/conf.py)."""

    SINGLETON_ID = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID, editable=False)
    supporter_badge = models.ForeignKey(
        "issuing.BadgeClass",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("supporter badge"),
    )
    goal = models.PositiveBigIntegerField(_("goal"), null=True, blank=True)
    next_goal = models.PositiveBigIntegerField(_("next goal"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="campaign_settings_singleton"),
        ]
        verbose_name = _("campaign settings")
        verbose_name_plural = _("campaign settings")

    def __str__(self) -> str:
        return "Campaign settings"

    @classmethod
    def load(cls) -> "CampaignSettings":
        """The row, unsaved and empty when nobody changed the settings yet."""
        return cls.objects.filter(pk=cls.SINGLETON_ID).first() or cls()
