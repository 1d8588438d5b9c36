"""Writes of the evidence library: adding files and links, editing, deleting, attaching to and
detaching from passport badges, and making thumbnails.

Every function takes keyword arguments, acts only on the actor's own library (another person's
item is "not found", never "forbidden": they must not learn it exists), runs in one transaction
and writes an audit event. Bad input raises a translated ValidationError; the code
"duplicate" means the same file or address is already in the library (a double submit adds
nothing).
"""

import logging

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.http import Http404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from audit.services import audit_record

from . import conf, files, thumbnails
from .models import (
    MAX_DESCRIPTION_LENGTH,
    MAX_TITLE_LENGTH,
    BadgeEvidence,
    EvidenceItem,
    EvidenceKind,
    FileCategory,
    ThumbnailState,
)

logger = logging.getLogger(__name__)

MAX_ITEMS_PER_LEARNER = 1000
MAX_ATTACHMENTS_PER_BADGE = 20
_url_validator = URLValidator(schemes=["http", "https"])


def evidence_usage(*, user) -> int:
    """Bytes of files in the user's library (what counts against the quota)."""
    total = EvidenceItem.objects.filter(owner=user, kind=EvidenceKind.FILE).aggregate(
        total=Sum("size")
    )["total"]
    return total or 0


def _lock_owner(user) -> None:
    # One learner's additions queue behind each other, so two uploads at once cannot both fit
    # in the quota that only one of them fits in.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()


def _check_room(user, *, adding_bytes: int, name: str) -> None:
    if EvidenceItem.objects.filter(owner=user).count() >= MAX_ITEMS_PER_LEARNER:
        raise ValidationError(
            _("Your library holds %(count)s items, the most it may hold.")
            % {"count": MAX_ITEMS_PER_LEARNER},
            code="too_many_items",
        )
    if adding_bytes and evidence_usage(user=user) + adding_bytes > conf.quota_bytes():
        raise ValidationError(
            _("“%(name)s” does not fit in your library: it would pass your %(quota)s quota.")
            % {"name": name, "quota": filesizeformat(conf.quota_bytes())},
            code="quota",
        )


def _clean_text(title: str, description: str) -> tuple[str, str]:
    title = " ".join((title or "").split())
    description = (description or "").strip()
    errors = {}
    if not title:
        errors["title"] = _("Give the evidence a title.")
    elif len(title) > MAX_TITLE_LENGTH:
        errors["title"] = _("The title may be at most %(count)s characters long.") % {
            "count": MAX_TITLE_LENGTH
        }
    if len(description) > MAX_DESCRIPTION_LENGTH:
        errors["description"] = _("The description may be at most %(count)s characters long.") % {
            "count": MAX_DESCRIPTION_LENGTH
        }
    if errors:
        raise ValidationError(errors)
    return title, description


def _title_from_filename(name: str) -> str:
    stem = name.rpartition(".")[0] or name
    return " ".join(stem.replace("_", " ").split())[:MAX_TITLE_LENGTH] or _("Untitled")


def evidence_file_add(*, actor, upload, title: str = "", description: str = "") -> EvidenceItem:
    """Add an uploaded file (a Django UploadedFile) to the actor's library.

    The file is checked (`evidence.files.inspect_upload`) before anything is written; images are
    stored re-encoded. A thumbnail is made afterwards by a background task."""
    name = (upload.name or "").rsplit("/", 1)[-1][:255]
    inspected = files.inspect_upload(upload)
    title, description = _clean_text(title or _title_from_filename(name), description)
    content = ContentFile(inspected.cleaned) if inspected.cleaned is not None else upload
    item = EvidenceItem(
        owner=actor,
        kind=EvidenceKind.FILE,
        title=title,
        description=description,
        original_filename=name,
        content_type=inspected.content_type,
        category=inspected.category,
        size=inspected.size,
        sha256=inspected.sha256,
        thumbnail_state=ThumbnailState.PENDING
        if inspected.category in (FileCategory.IMAGE, FileCategory.PDF)
        else ThumbnailState.NONE,
    )
    try:
        with transaction.atomic():
            _lock_owner(actor)
            existing = EvidenceItem.objects.filter(
                owner=actor,
                kind=EvidenceKind.FILE,
                sha256__in={inspected.sha256, inspected.source_sha256},
            ).first()
            if existing is not None:
                raise _duplicate(name, existing)
            _check_room(actor, adding_bytes=inspected.size, name=name)
            item.file.save(f"upload.{inspected.extension}", content, save=False)
            item.save()
            audit_record(
                actor=actor,
                action="evidence.added",
                target=item,
                data={"kind": "file", "content_type": item.content_type, "size": item.size},
            )
            if item.thumbnail_state == ThumbnailState.PENDING:
                transaction.on_commit(lambda: _enqueue_thumbnail(item.pk))
    except IntegrityError as exc:
        # A double submit that raced past the check above: the other request stored it.
        _delete_stored(item.file.name)
        existing = EvidenceItem.objects.filter(owner=actor, sha256=inspected.sha256).first()
        raise _duplicate(name, existing) from exc
    except BaseException:
        _delete_stored(item.file.name)
        raise
    return item


class DuplicateEvidence(ValidationError):
    """The same file or address is already in the library; `existing` is that item."""

    def __init__(self, message, existing):
        super().__init__(message, code="duplicate")
        self.existing = existing


def _duplicate(name: str, existing) -> DuplicateEvidence:
    return DuplicateEvidence(
        _("“%(name)s” is already in your library, as “%(title)s”.")
        % {"name": name, "title": existing.title if existing else name},
        existing,
    )


def delete_stored_files(item: EvidenceItem) -> None:
    """Remove an item's file and thumbnail from storage once the deletion has committed."""
    names = [item.file.name, item.thumbnail.name]
    transaction.on_commit(lambda: [_delete_stored(name) for name in names])


def _delete_stored(name: str | None) -> None:
    if name:
        storage = conf.evidence_storage()
        if storage.exists(name):
            storage.delete(name)


def _enqueue_thumbnail(item_id: int) -> None:
    from .tasks import evidence_thumbnail_make

    evidence_thumbnail_make.enqueue(evidence_id=item_id)


def evidence_link_add(*, actor, url: str, title: str, description: str = "") -> EvidenceItem:
    """Add a link (http or https) to the actor's library."""
    url = (url or "").strip()
    try:
        _url_validator(url)
    except ValidationError as exc:
        raise ValidationError(
            {"url": _("Enter a web address starting with https:// or http://.")}
        ) from exc
    if len(url) > 2000:
        raise ValidationError({"url": _("The web address is too long.")})
    title, description = _clean_text(title, description)
    try:
        with transaction.atomic():
            _lock_owner(actor)
            existing = EvidenceItem.objects.filter(
                owner=actor, kind=EvidenceKind.LINK, url=url
            ).first()
            if existing is not None:
                raise _duplicate(url, existing)
            _check_room(actor, adding_bytes=0, name=url)
            item = EvidenceItem.objects.create(
                owner=actor, kind=EvidenceKind.LINK, title=title, description=description, url=url
            )
            audit_record(actor=actor, action="evidence.added", target=item, data={"kind": "link"})
    except IntegrityError as exc:
        existing = EvidenceItem.objects.filter(owner=actor, kind=EvidenceKind.LINK, url=url).first()
        raise _duplicate(url, existing) from exc
    return item


def _own(actor, evidence: EvidenceItem) -> None:
    if evidence.owner_id != getattr(actor, "pk", None):
        raise Http404


@transaction.atomic
def evidence_update(*, actor, evidence: EvidenceItem, title: str, description: str = ""):
    """Change the title and description (the file or address itself never changes)."""
    _own(actor, evidence)
    evidence.title, evidence.description = _clean_text(title, description)
    evidence.save(update_fields=["title", "description", "updated_at"])
    audit_record(actor=actor, action="evidence.updated", target=evidence)
    return evidence


def evidence_delete(*, actor, evidence: EvidenceItem) -> int:
    """Delete an item, its file and thumbnail, and its attachments to badges (the page asks
    first and names those badges). Returns how many badges it was attached to."""
    _own(actor, evidence)
    with transaction.atomic():
        attached = BadgeEvidence.objects.filter(evidence=evidence).count()
        audit_record(
            actor=actor,
            action="evidence.deleted",
            target=evidence,
            data={"attached_to": attached},
        )
        # The stored files go with the row (evidence.receivers), after commit.
        evidence.delete()
    return attached


def _own_badge(actor, badge) -> None:
    if badge.owner_id != getattr(actor, "pk", None):
        raise Http404


@transaction.atomic
def badge_evidence_attach(*, actor, badge, evidence: EvidenceItem) -> BadgeEvidence:
    """Attach one of the actor's items to one of their passport badges (again: no change)."""
    _own_badge(actor, badge)
    _own(actor, evidence)
    type(badge).objects.select_for_update().filter(pk=badge.pk).first()
    attachment = BadgeEvidence.objects.filter(badge=badge, evidence=evidence).first()
    if attachment is not None:
        return attachment
    count = BadgeEvidence.objects.filter(badge=badge).count()
    if count >= MAX_ATTACHMENTS_PER_BADGE:
        raise ValidationError(
            _("A badge can have at most %(count)s pieces of your evidence.")
            % {"count": MAX_ATTACHMENTS_PER_BADGE},
            code="too_many_attachments",
        )
    last = BadgeEvidence.objects.filter(badge=badge).aggregate(last=Max("position"))["last"]
    attachment = BadgeEvidence.objects.create(
        badge=badge, evidence=evidence, position=0 if last is None else last + 1
    )
    audit_record(
        actor=actor,
        action="evidence.attached",
        target=evidence,
        data={"badge": str(badge.public_id)},
    )
    return attachment


@transaction.atomic
def badge_evidence_detach(*, actor, badge, evidence: EvidenceItem) -> bool:
    """Remove an item from a badge (the item stays in the library). False if it was not there."""
    _own_badge(actor, badge)
    _own(actor, evidence)
    deleted, _rows = BadgeEvidence.objects.filter(badge=badge, evidence=evidence).delete()
    if deleted:
        audit_record(
            actor=actor,
            action="evidence.detached",
            target=evidence,
            data={"badge": str(badge.public_id)},
        )
    return bool(deleted)


def evidence_thumbnail_make(*, evidence_id: int) -> str:
    """Make the thumbnail of an image or PDF item; safe to run twice. Returns the new state."""
    item = EvidenceItem.objects.filter(pk=evidence_id, kind=EvidenceKind.FILE).first()
    if item is None:
        return "missing"
    if item.has_thumbnail or item.category not in (FileCategory.IMAGE, FileCategory.PDF):
        return item.thumbnail_state
    try:
        if item.category == FileCategory.IMAGE:
            with item.file.open("rb") as source:
                data = thumbnails.image_thumbnail(source, name=item.original_filename)
        else:
            data = thumbnails.pdf_thumbnail(item.file.path)
    except Exception:
        # A file that passed the upload checks but still cannot be drawn gets the icon instead.
        logger.exception("Thumbnail of evidence %s failed", item.public_id)
        EvidenceItem.objects.filter(pk=item.pk).update(thumbnail_state=ThumbnailState.FAILED)
        return ThumbnailState.FAILED
    item.thumbnail.save("thumbnail.webp", ContentFile(data), save=False)
    updated = EvidenceItem.objects.filter(pk=item.pk).update(
        thumbnail=item.thumbnail.name, thumbnail_state=ThumbnailState.READY
    )
    if not updated:
        # Deleted while the thumbnail was being drawn.
        _delete_stored(item.thumbnail.name)
        return "missing"
    return ThumbnailState.READY
