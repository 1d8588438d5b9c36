"""A learner's evidence library: files and links they keep, and which passport badges they
attach them to.

Files are stored under a random name (never the uploaded filename) in the private evidence
storage (`evidence.conf`); the filename the learner gave is kept in `original_filename` for
display and downloads only. `content_type` is what the bytes are, sniffed on upload; the
extension had to agree with it.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .conf import evidence_storage

MAX_TITLE_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 2000


class EvidenceKind(models.TextChoices):
    FILE = "file", _("File")
    LINK = "link", _("Link")


class FileCategory(models.TextChoices):
    """What a file is for display and serving: images and PDFs are shown in the browser and get a
    thumbnail; videos and office documents are downloaded and shown with an icon."""

    IMAGE = "image", _("Image")
    PDF = "pdf", _("PDF document")
    VIDEO = "video", _("Video")
    DOCUMENT = "document", _("Office document")


class ThumbnailState(models.TextChoices):
    NONE = "none", _("No thumbnail")
    PENDING = "pending", _("Being made")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Could not be made")


def evidence_file_name(instance, filename):
    # Only the extension survives: it was checked against the content, and a random name keeps
    # the learner's filename (and anything hostile in it) out of the file system.
    extension = filename.rpartition(".")[2].lower() if "." in filename else "bin"
    return f"files/{uuid.uuid4().hex}.{extension}"


def evidence_thumbnail_name(instance, filename):
    return f"thumbnails/{uuid.uuid4().hex}.webp"


class EvidenceItem(models.Model):
    """One file or link in one learner's evidence library."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="evidence_items"
    )
    kind = models.CharField(_("kind"), max_length=4, choices=EvidenceKind.choices)
    title = models.CharField(_("title"), max_length=MAX_TITLE_LENGTH)
    description = models.TextField(_("description"), max_length=MAX_DESCRIPTION_LENGTH, blank=True)

    url = models.URLField(_("web address"), max_length=2000, blank=True)

    file = models.FileField(
        upload_to=evidence_file_name, storage=evidence_storage, max_length=200, blank=True
    )
    original_filename = models.CharField(_("original filename"), max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    category = models.CharField(max_length=10, choices=FileCategory.choices, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    thumbnail = models.FileField(
        upload_to=evidence_thumbnail_name, storage=evidence_storage, max_length=200, blank=True
    )
    thumbnail_state = models.CharField(
        max_length=10, choices=ThumbnailState.choices, default=ThumbnailState.NONE
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="file") & ~Q(file="") & ~Q(sha256=""))
                | (Q(kind="link") & ~Q(url="") & Q(file="")),
                name="evidence_file_or_link",
            ),
            # The same bytes or address once per library: a double submit adds nothing.
            models.UniqueConstraint(
                fields=["owner", "sha256"],
                condition=Q(kind="file"),
                name="evidence_unique_owner_file",
            ),
            models.UniqueConstraint(
                fields=["owner", "url"],
                condition=Q(kind="link"),
                name="evidence_unique_owner_link",
            ),
        ]
        indexes = [models.Index(fields=["owner", "created_at"], name="evidence_owner_created")]
        verbose_name = _("evidence item")
        verbose_name_plural = _("evidence items")

    def __str__(self) -> str:
        return self.title

    @property
    def is_file(self) -> bool:
        return self.kind == EvidenceKind.FILE

    @property
    def is_link(self) -> bool:
        return self.kind == EvidenceKind.LINK

    @property
    def shown_inline(self) -> bool:
        """Images and PDFs open in the browser; everything else is downloaded."""
        return self.category in (FileCategory.IMAGE, FileCategory.PDF)

    @property
    def has_thumbnail(self) -> bool:
        return self.thumbnail_state == ThumbnailState.READY and bool(self.thumbnail)


class BadgeEvidence(models.Model):
    """A learner's evidence item attached to one of their passport badges, after issue. Kept apart
    from the issuer's evidence, which is part of the signed credential and never changes."""

    badge = models.ForeignKey(
        "passport.PassportBadge", on_delete=models.CASCADE, related_name="learner_evidence"
    )
    evidence = models.ForeignKey(EvidenceItem, on_delete=models.CASCADE, related_name="attachments")
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["badge", "evidence"], name="evidence_unique_attachment")
        ]
        verbose_name = _("badge evidence")
        verbose_name_plural = _("badge evidence")

    def __str__(self) -> str:
        return f"{self.evidence} → {self.badge}"
