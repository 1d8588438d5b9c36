"""The issuing data model: issuer profiles, signing keys, badge classes and their immutable
versions, awards with the exact bytes of their signed documents, and revocation status lists.

Public identifiers are UUIDs (awards: time-ordered UUIDv7); database keys never appear in URLs.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Organisation
from openbadges import status as ob_status

from .ids import uuid7

# Achievement types of the OB 3.0 vocabulary (the schema also allows `ext:` extensions).
ACHIEVEMENT_TYPES = [
    ("Badge", _("Badge")),
    ("MicroCredential", _("Micro-credential")),
    ("Achievement", _("Achievement")),
    ("Assessment", _("Assessment")),
    ("Assignment", _("Assignment")),
    # A context of its own: "Award" is also the staff pages' word for one awarded badge.
    ("Award", pgettext_lazy("achievement type", "Award")),
    ("Certificate", _("Certificate")),
    ("CertificateOfCompletion", _("Certificate of completion")),
    ("Certification", _("Certification")),
    ("CoCurricular", _("Co-curricular activity")),
    ("CommunityService", _("Community service")),
    ("Competency", _("Competency")),
    ("Course", _("Course")),
    ("Fieldwork", _("Fieldwork")),
    ("LearningProgram", _("Learning programme")),
    ("License", _("Licence")),
    ("Membership", _("Membership")),
]


class IssuerProfile(models.Model):
    """An organisation as an Open Badges issuer.

    The Profile published in credentials is a snapshot taken here (not read live from the
    organisation), so the issuer embedded in old credentials and the profile document stay
    consistent until the issuer deliberately changes them.
    """

    organisation = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="issuer_profile"
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    url = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("contact email"), blank=True)
    description = models.TextField(_("description"), blank=True)
    image = models.FileField(_("image"), upload_to="issuers/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("issuer profile")
        verbose_name_plural = _("issuer profiles")

    def __str__(self) -> str:
        return self.name


class KeyAlgorithm(models.TextChoices):
    ED25519 = "Ed25519", "Ed25519"
    P256 = "P-256", "P-256 (ECDSA)"
    RSA = "RSA", "RSA"


class KeyState(models.TextChoices):
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")
    REVOKED = "revoked", _("Revoked")


class SigningKey(models.Model):
    """One of an issuer's keys. The private key is encrypted at rest (issuing.keystore)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="signing_keys"
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    key_id = models.CharField(max_length=64)  # the fragment of its verification method: key-1
    algorithm = models.CharField(
        max_length=10, choices=KeyAlgorithm.choices, default=KeyAlgorithm.ED25519
    )
    public_jwk = models.JSONField()
    private_key_encrypted = models.BinaryField()
    verification_method = models.CharField(max_length=500)
    status = models.CharField(max_length=10, choices=KeyState.choices, default=KeyState.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "key_id"], name="unique_key_id"),
            models.UniqueConstraint(
                fields=["organisation"],
                condition=models.Q(status="active"),
                name="one_active_key_per_organisation",
            ),
        ]
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")

    def __str__(self) -> str:
        return f"{self.organisation} · {self.key_id} ({self.get_status_display()})"


class BadgeClass(models.Model):
    """What an organisation awards. Its content lives in versions; `current_version` is what
    new awards get."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="badge_classes"
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    current_version = models.ForeignKey(
        "BadgeClassVersion", null=True, on_delete=models.PROTECT, related_name="+"
    )
    archived_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organisation", "archived_at"])]
        verbose_name = _("badge class")
        verbose_name_plural = _("badge classes")

    def __str__(self) -> str:
        return self.current_version.name if self.current_version_id else str(self.public_id)

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class BadgeClassVersion(models.Model):
    """The content of a badge class as awarded. Once awarded, a version never changes: an edit
    makes a new version, and awards keep theirs."""

    badge_class = models.ForeignKey(BadgeClass, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"))
    image = models.FileField(_("image"), upload_to="badges/")
    image_type = models.CharField(max_length=40)  # image/png or image/svg+xml
    criteria_narrative = models.TextField(_("criteria"), blank=True)  # Markdown
    criteria_url = models.URLField(_("criteria page"), blank=True)
    # [{targetName, targetUrl, targetFramework, targetCode, targetType, targetDescription}]
    alignments = models.JSONField(_("alignments"), default=list, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    achievement_type = models.CharField(
        _("achievement type"), max_length=60, choices=ACHIEVEMENT_TYPES, default="Badge"
    )
    eqf_level = models.PositiveSmallIntegerField(
        _("EQF level"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(8)],
    )
    # EU micro-credential elements (Council Recommendation 2022/C 243/02): learning_outcomes
    # (list of text), workload_hours, ects_credits, assessment_type, participation_form,
    # prerequisites, quality_assurance, stackability.
    microcredential = models.JSONField(_("micro-credential details"), default=dict, blank=True)
    default_validity_days = models.PositiveIntegerField(
        _("valid for (days)"), null=True, blank=True
    )
    allow_duplicates = models.BooleanField(_("may be awarded more than once"), default=False)
    language = models.CharField(_("language"), max_length=10, default="en")
    # {"fr": {"name": …, "description": …, "criteria_narrative": …}, …}
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["badge_class", "number"]
        constraints = [
            models.UniqueConstraint(fields=["badge_class", "number"], name="unique_version_number")
        ]
        verbose_name = _("badge class version")
        verbose_name_plural = _("badge class versions")

    def __str__(self) -> str:
        return f"{self.name} (v{self.number})"

    def translated(self, field: str, language: str | None) -> str:
        """A field in `language` when a translation exists, else in the version's language."""
        if language and language != self.language:
            value = (self.translations.get(language) or {}).get(field)
            if value:
                return value
        return getattr(self, field)


class IdentityType(models.TextChoices):
    EMAIL = "email", _("Email address")
    URL = "url", _("Web address")
    TELEPHONE = "telephone", _("Telephone number")


class AwardSource(models.TextChoices):
    UI = "ui", _("Website")
    CSV = "csv", _("CSV upload")
    API = "api", _("API")
    DEMO = "demo", _("Demo data")
    CLAIM = "claim", _("Claim")


class Award(models.Model):
    """A badge awarded to one recipient, with the exact bytes of what was signed."""

    public_id = models.UUIDField(default=uuid7, unique=True, editable=False)
    # Every index and foreign-key check of this table is paid by each of millions of bulk
    # awards (docs/scale.md). The organisation and the badge class follow from the version,
    # whose foreign key PostgreSQL checks, and are set from it by the services alone; their
    # own checks cost about 8 µs per award, so the database does not repeat them. Their
    # look-ups are served by the composite indexes in Meta, so they have no index of their own.
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="awards",
        db_index=False,
        db_constraint=False,
    )
    badge_class = models.ForeignKey(
        BadgeClass,
        on_delete=models.PROTECT,
        related_name="awards",
        db_index=False,
        db_constraint=False,
    )
    badge_class_version = models.ForeignKey(
        BadgeClassVersion, on_delete=models.PROTECT, related_name="awards"
    )
    # Kept for the issuer (search, duplicates, notifications); only the salted hash is public.
    recipient_type = models.CharField(
        max_length=10, choices=IdentityType.choices, default=IdentityType.EMAIL
    )
    recipient_identity = models.CharField(_("recipient"), max_length=320)
    recipient_salt = models.CharField(max_length=64)
    recipient_hash = models.CharField(max_length=80)
    recipient_name = models.CharField(_("recipient name"), max_length=200, blank=True)
    narrative = models.TextField(_("narrative"), blank=True)
    evidence = models.JSONField(_("evidence"), default=list, blank=True)  # [{url, name, …}]
    issued_at = models.DateTimeField(_("issued"))
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    source = models.CharField(max_length=10, choices=AwardSource.choices, default=AwardSource.UI)
    # NULL, not "", for awards without a key: the unique constraint must not see them as equal.
    idempotency_key = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001
    # Keys are kept for ever (what they signed must keep verifying) and nothing looks awards up
    # by key, so the foreign key has no index to write for every award.
    signing_key = models.ForeignKey(
        SigningKey, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    credential_json = models.BinaryField()  # the signed OB 3.0 credential, byte for byte
    # The VC-JWT, signed on its first request (services.award_vc_jwt) and kept: "" until then.
    credential_jwt = models.TextField(blank=True, default="")
    assertion_json = models.BinaryField()  # the OB 2.0 hosted assertion, byte for byte
    # Indexed by the (status_list, status_index) constraint.
    status_list = models.ForeignKey(
        "StatusList", on_delete=models.PROTECT, related_name="awards", db_index=False
    )
    status_index = models.PositiveIntegerField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.CharField(_("reason"), max_length=500, blank=True)
    # Indexed where set (Meta): a full index would take an entry for every unrevoked award.
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "idempotency_key"], name="unique_award_idempotency_key"
            ),
            models.UniqueConstraint(
                fields=["status_list", "status_index"], name="unique_award_status_index"
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "-created_at"], name="award_org_created"),
            models.Index(fields=["badge_class", "-created_at"], name="award_badge_created"),
            # Duplicate check of an award (and of every bulk batch) within one badge class.
            models.Index(
                fields=["badge_class", "recipient_identity"], name="award_class_recipient"
            ),
            # A recipient's awards across organisations (the learner passport finds awards by
            # verified email address); it also serves lookups within one organisation, as a
            # recipient has few awards, so no (organisation, recipient) index is kept.
            models.Index(fields=["recipient_identity"], name="award_recipient_identity"),
            models.Index(
                fields=["revoked_by"],
                name="award_revoked_by",
                condition=models.Q(revoked_by__isnull=False),
            ),
        ]
        verbose_name = _("award")
        verbose_name_plural = _("awards")

    def __str__(self) -> str:
        return f"{self.badge_class_version.name} → {self.recipient_name or self.recipient_identity}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class StatusList(models.Model):
    """A Bitstring Status List of one organisation: bit i is set when the award at index i is
    revoked. `signed_json` caches the signed status list credential until a bit changes."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="status_lists"
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    purpose = models.CharField(max_length=20, default="revocation")
    size = models.PositiveIntegerField(default=ob_status.MIN_ENTRIES)
    bits = models.BinaryField()  # uncompressed, index 0 at the left-most bit of the first byte
    next_index = models.PositiveIntegerField(default=0)
    signed_json = models.BinaryField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("status list")
        verbose_name_plural = _("status lists")

    def __str__(self) -> str:
        return f"{self.organisation} · {self.purpose} · {self.public_id}"

    @property
    def is_full(self) -> bool:
        return self.next_index >= self.size


class AwardEvidenceFile(models.Model):
    """A file shown as evidence of an award, served at a public, unguessable and stable URL
    (`/evidence/<public_id>/<filename>`) that the signed badge names. Stored before the award is
    signed (its URL is part of the signature) and linked to it afterwards; a file without an
    award is never served."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="evidence_files"
    )
    award = models.ForeignKey(
        Award, null=True, blank=True, on_delete=models.PROTECT, related_name="evidence_files"
    )
    file = models.FileField(upload_to="evidence/", max_length=200)
    filename = models.CharField(_("file name"), max_length=100)  # ASCII, as in the URL
    title = models.CharField(_("title"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    content_type = models.CharField(max_length=100)  # sniffed from the content, never trusted
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.filename

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @property
    def is_video(self) -> bool:
        return self.content_type.startswith("video/")


class BadgeClassDesign(models.Model):
    """The built-in designer's settings (shape, colours, icon, text) of a version whose image
    the designer drew, so that editing the badge reopens the designer as it was left."""

    version = models.OneToOneField(
        BadgeClassVersion, on_delete=models.CASCADE, related_name="design"
    )
    # {"shape", "primary", "secondary", "icon", "line1", "line2"}: issuing.designer.Design
    settings = models.JSONField(_("designer settings"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("badge design")
        verbose_name_plural = _("badge designs")

    def __str__(self) -> str:
        return str(self.version)
