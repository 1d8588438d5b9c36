"""Evidence files attached to an award: checked by their content, stored under an unguessable
address, written into the signed badge as OB 3.0 Evidence (and the OB 2.0 assertion's evidence).

What is accepted is decided from the bytes, never from the file name or the browser's content
type: PDF (opened with pdfium), PNG, JPEG, GIF and WebP images (decoded and re-encoded by
Pillow, which drops metadata and anything appended), office documents in their modern zip
formats (OOXML and OpenDocument, macro-enabled ones refused) and MP4, QuickTime and WebM videos.
SVG is refused: a drawing can carry scripts, and a PNG or PDF shows the same work.

The file is stored before the award is signed, because its public URL goes into the signature;
if awarding fails, the stored files are deleted again, so nothing is left half-done.
"""

import hashlib
import io
import re
import unicodedata
import uuid
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import filetype
import pypdfium2
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from accounts.permissions import require_permission
from accounts.roles import AWARD_BADGES
from audit.services import audit_record
from openbadges.baking import image_type

from . import links
from .models import Award, AwardEvidenceFile

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_FILES_PER_AWARD = 5
# Decoding more pixels than this could exhaust memory; no photo of real work needs it.
MAX_IMAGE_PIXELS = 40_000_000
# A zip whose members would unpack to more than this is refused unopened (zip bombs).
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_ZIP_MEMBERS = 5000

IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
VIDEO_TYPES = {"video/mp4", "video/quicktime", "video/webm"}
_ODF = {
    b"application/vnd.oasis.opendocument.text": ("odt", "OpenDocument text"),
    b"application/vnd.oasis.opendocument.spreadsheet": ("ods", "OpenDocument spreadsheet"),
    b"application/vnd.oasis.opendocument.presentation": ("odp", "OpenDocument presentation"),
}
_OOXML = {
    "word/document.xml": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    "xl/workbook.xml": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    ),
    "ppt/presentation.xml": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "pptx",
    ),
}
_VIDEO_EXTENSIONS = {"video/mp4": "mp4", "video/quicktime": "mov", "video/webm": "webm"}
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class CheckedFile:
    data: bytes
    content_type: str
    extension: str


def too_large_message() -> str:
    return _("The file is larger than %(size)s MB.") % {"size": MAX_FILE_BYTES // 1024 // 1024}


def unaccepted_message() -> str:
    return _(
        "This kind of file is not accepted as evidence. Upload a PDF, an image (PNG, JPEG, GIF, "
        "WebP), an office document (Word, Excel, PowerPoint, OpenDocument) or a video (MP4, "
        "WebM)."
    )


class EvidenceUploadLimitHandler(FileUploadHandler):
    """Stops receiving a file once it passes the size limit, so a huge upload is neither kept in
    memory nor written to disk. The names of skipped fields are left in
    `request.uploads_too_large` for the form to explain."""

    def new_file(self, field_name, *args, **kwargs):
        super().new_file(field_name, *args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > MAX_FILE_BYTES:
            skipped = getattr(self.request, "uploads_too_large", set())
            skipped.add(self.field_name)
            self.request.uploads_too_large = skipped
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None


def check_file(data: bytes) -> CheckedFile:
    """The bytes to store with their content type and file extension, or ValidationError."""
    if not data:
        raise ValidationError(_("The file is empty."), code="evidence_empty")
    if len(data) > MAX_FILE_BYTES:
        raise ValidationError(too_large_message(), code="evidence_too_large")
    if data.startswith(b"%PDF-"):
        return _check_pdf(data)
    if data.startswith(b"PK\x03\x04"):
        return _check_office(data)
    # Binary formats by their magic numbers first: a photo whose metadata mentions "<svg" is
    # still a photo.
    guess = filetype.guess(data[:8192])
    if guess is not None and guess.mime in IMAGE_TYPES:
        return _reencode_image(data)
    if guess is not None and guess.mime in VIDEO_TYPES:
        return CheckedFile(data, guess.mime, _VIDEO_EXTENSIONS[guess.mime])
    if image_type(data) == "svg" or b"<svg" in data[:1024].lower():
        raise ValidationError(
            _("SVG drawings are not accepted as evidence. Export the drawing as PNG or PDF."),
            code="evidence_svg",
        )
    raise ValidationError(unaccepted_message(), code="evidence_type")


def _check_pdf(data: bytes) -> CheckedFile:
    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        raise ValidationError(
            _("The PDF cannot be read. It may be damaged or protected by a password."),
            code="evidence_invalid",
        ) from exc
    try:
        if len(document) < 1:
            raise ValidationError(_("The PDF has no pages."), code="evidence_invalid")
    finally:
        document.close()
    return CheckedFile(data, "application/pdf", "pdf")


def _reencode_image(data: bytes) -> CheckedFile:
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise ValidationError(
                    _("The image has too many pixels. Reduce it to at most 40 megapixels."),
                    code="evidence_too_large",
                )
            image.load()
            kind = image.format
            upright = ImageOps.exif_transpose(image)
            # Pillow writes some metadata (JPEG comments, EXIF, text chunks) back from `info`:
            # keep only the colour profile, so nothing else the file carried is published.
            upright.info = {
                key: value for key, value in upright.info.items() if key == "icc_profile"
            }
            output = io.BytesIO()
            if kind == "JPEG":
                upright.convert("RGB").save(output, format="JPEG", quality=90)
                return CheckedFile(output.getvalue(), "image/jpeg", "jpg")
            if kind == "WEBP":
                upright.save(output, format="WEBP", quality=90)
                return CheckedFile(output.getvalue(), "image/webp", "webp")
            # PNG, and GIF as its first frame: PNG keeps the colours and transparency.
            if upright.mode not in ("RGB", "RGBA", "L", "LA"):
                upright = upright.convert("RGBA")
            upright.save(output, format="PNG", optimize=True)
            return CheckedFile(output.getvalue(), "image/png", "png")
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValidationError(_("The image cannot be read."), code="evidence_invalid") from exc


def _check_office(data: bytes) -> CheckedFile:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > MAX_ZIP_MEMBERS or (
                sum(member.file_size for member in members) > MAX_UNPACKED_BYTES
            ):
                raise ValidationError(
                    _("The document unpacks to too much data."), code="evidence_invalid"
                )
            names = {member.filename for member in members}
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                raise ValidationError(
                    _("Documents with macros are not accepted. Save it without macros."),
                    code="evidence_macros",
                )
            if "mimetype" in names:
                found = _ODF.get(archive.read("mimetype").strip())
                if found is not None:
                    extension = found[0]
                    return CheckedFile(data, archive.read("mimetype").strip().decode(), extension)
            if "[Content_Types].xml" in names:
                content_types = archive.read("[Content_Types].xml")
                if b"macroEnabled" in content_types:
                    raise ValidationError(
                        _("Documents with macros are not accepted. Save it without macros."),
                        code="evidence_macros",
                    )
                for part, (mime, extension) in _OOXML.items():
                    if part in names:
                        return CheckedFile(data, mime, extension)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError) as exc:
        raise ValidationError(_("The document cannot be read."), code="evidence_invalid") from exc
    raise ValidationError(unaccepted_message(), code="evidence_type")


def safe_filename(name: str, extension: str) -> str:
    """A plain ASCII file name for the URL and the download, with the extension of what the file
    really is (a PDF named `photo.jpg` is served as `photo.pdf`)."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base.lstrip(".") else base
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    cleaned = _SAFE_NAME.sub("-", ascii_stem).strip(".-_")[:80] or "evidence"
    return f"{cleaned}.{extension}"


def public_url(evidence_file: AwardEvidenceFile) -> str:
    return links.site() + reverse(
        "issuing:evidence_file",
        kwargs={"public_id": evidence_file.public_id, "filename": evidence_file.filename},
    )


def _storage_name(instance: AwardEvidenceFile, extension: str) -> str:
    # Stored under a random name: the uploader's file name never becomes a path.
    # (The field's upload_to puts it under evidence/.)
    return f"{instance.public_id.hex[:2]}/{uuid.uuid4().hex}.{extension}"


@dataclass
class EvidenceUpload:
    """One uploaded file with the title and description the awarder gave it."""

    name: str
    data: bytes
    title: str = ""
    description: str = ""
    # The result of `check_file` when the form already ran it (images are re-encoded once).
    checked: CheckedFile | None = None


def evidence_files_store(
    *, actor, organisation, uploads: Sequence[EvidenceUpload]
) -> list[AwardEvidenceFile]:
    """Check and store uploaded files for an award about to be made (not yet linked to it).

    Every file is checked before any is stored; a refusal names the file. The caller links them
    with `evidence_files_attach` once the award exists, or discards them if it could not be
    made."""
    require_permission(actor, organisation, AWARD_BADGES)
    if len(uploads) > MAX_FILES_PER_AWARD:
        raise ValidationError(
            _("At most %(count)s files per award.") % {"count": MAX_FILES_PER_AWARD}
        )
    checked = []
    for upload in uploads:
        try:
            checked.append(upload.checked or check_file(upload.data))
        except ValidationError as error:
            raise ValidationError(
                _("%(file)s: %(problem)s") % {"file": upload.name, "problem": error.messages[0]},
                code=error.error_list[0].code,
            ) from None
    stored: list[AwardEvidenceFile] = []
    try:
        for upload, result in zip(uploads, checked, strict=True):
            item = AwardEvidenceFile(
                organisation=organisation,
                filename=safe_filename(upload.name, result.extension),
                title=upload.title.strip()[:200],
                description=upload.description.strip()[:1000],
                content_type=result.content_type,
                size=len(result.data),
                sha256=hashlib.sha256(result.data).hexdigest(),
                created_by=actor,
            )
            item.file.save(
                _storage_name(item, result.extension), ContentFile(result.data), save=False
            )
            stored.append(item)
            item.save()
    except BaseException:
        evidence_files_discard(stored)
        raise
    return stored


def evidence_item(evidence_file: AwardEvidenceFile) -> dict:
    """The evidence entry for `award_create(evidence=…)`: written into the signed badge."""
    item = {"url": public_url(evidence_file), "name": evidence_file.title or evidence_file.filename}
    if evidence_file.description:
        item["description"] = evidence_file.description
    return item


def evidence_files_attach(*, actor, award: Award, files: Iterable[AwardEvidenceFile]) -> None:
    """Link stored files to the award whose signed evidence names them."""
    files = list(files)
    if not files:
        return
    with transaction.atomic():
        AwardEvidenceFile.objects.filter(pk__in=[item.pk for item in files], award=None).update(
            award=award
        )
        audit_record(
            actor=actor,
            action="award.evidence_files_attached",
            target=award,
            organisation=award.organisation,
            data={"files": [item.filename for item in files]},
        )


def evidence_files_discard(files: Iterable[AwardEvidenceFile]) -> None:
    """Delete stored files that no award uses (awarding failed or was a repeat)."""
    for item in files:
        if item.file:
            item.file.delete(save=False)
        if item.pk:
            AwardEvidenceFile.objects.filter(pk=item.pk, award=None).delete()


def award_create_with_files(
    *, award_function, actor, badge_class, uploads: Sequence[EvidenceUpload], evidence, **fields
) -> Award:
    """Store the files, award with their public URLs as evidence, link them; or, when awarding
    fails, delete them again. `award_function` is `services.award_create` or a wrapper with the
    same keyword arguments (the staff form adds the email language)."""
    stored = evidence_files_store(
        actor=actor, organisation=badge_class.organisation, uploads=uploads
    )
    items = [*evidence, *(evidence_item(item) for item in stored)]
    try:
        award = award_function(actor=actor, badge_class=badge_class, evidence=items, **fields)
    except BaseException:
        evidence_files_discard(stored)
        raise
    # A repeated submission (same idempotency key) returns the award made the first time,
    # whose evidence names that submission's files, not these copies.
    named = {item.get("url") for item in award.evidence}
    used = [item for item in stored if public_url(item) in named]
    evidence_files_discard(item for item in stored if item not in used)
    evidence_files_attach(actor=actor, award=award, files=used)
    return award


def evidence_file_public(public_id) -> AwardEvidenceFile | None:
    """A file that an award names, or None (files of failed awards are never served)."""
    return (
        AwardEvidenceFile.objects.select_related("award")
        .filter(public_id=public_id, award__isnull=False)
        .first()
    )


def files_of(award: Award) -> list[AwardEvidenceFile]:
    return list(AwardEvidenceFile.objects.filter(award=award).order_by("created_at", "id"))


@dataclass
class EvidenceEntry:
    """One evidence item of an award as pages show it: the signed entry, and the stored file
    when the entry names one of ours."""

    url: str
    name: str
    description: str
    narrative: str
    file: AwardEvidenceFile | None = None


def evidence_entries(award: Award) -> list[EvidenceEntry]:
    files = {public_url(item): item for item in files_of(award)}
    return [
        EvidenceEntry(
            url=item.get("url", ""),
            name=item.get("name", ""),
            description=item.get("description", ""),
            narrative=item.get("narrative", ""),
            file=files.get(item.get("url", "")),
        )
        for item in award.evidence
    ]
