"""What an uploaded file really is, and making it safe to keep.

The type is sniffed from the bytes (the `filetype` library reads the magic numbers of the first
8 KB); the extension of the uploaded name must be one of those that type is known by, or the
file is refused, so that a `.pdf` holding HTML, or a program renamed to `.docx`, never enters a
library. Images are decoded and re-encoded by Pillow: that applies the EXIF orientation, drops
metadata (a phone photo's EXIF carries where it was taken, and evidence is shown to others)
and anything appended after the image data (a PNG with a ZIP archive glued on is stored as the
PNG alone). PDFs must open in PDFium. SVG is refused outright: it is a document that can carry
scripts and external references, and a learner can convert it to PNG.
"""

import hashlib
import io
import warnings
from dataclasses import dataclass

import filetype
import pypdfium2
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from . import conf
from .models import FileCategory

SNIFF_BYTES = 8192
CHUNK = 1024 * 1024

# filetype's name for a type → (category, MIME type served, extensions the upload may carry).
ACCEPTED: dict[str, tuple[str, str, frozenset[str]]] = {
    "jpg": (FileCategory.IMAGE, "image/jpeg", frozenset({"jpg", "jpeg", "jpe", "jfif"})),
    "png": (FileCategory.IMAGE, "image/png", frozenset({"png"})),
    "gif": (FileCategory.IMAGE, "image/gif", frozenset({"gif"})),
    "webp": (FileCategory.IMAGE, "image/webp", frozenset({"webp"})),
    "pdf": (FileCategory.PDF, "application/pdf", frozenset({"pdf"})),
    "mp4": (FileCategory.VIDEO, "video/mp4", frozenset({"mp4", "m4v"})),
    "m4v": (FileCategory.VIDEO, "video/mp4", frozenset({"mp4", "m4v"})),
    "mov": (FileCategory.VIDEO, "video/quicktime", frozenset({"mov", "qt"})),
    "webm": (FileCategory.VIDEO, "video/webm", frozenset({"webm"})),
    "docx": (
        FileCategory.DOCUMENT,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        frozenset({"docx"}),
    ),
    "xlsx": (
        FileCategory.DOCUMENT,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        frozenset({"xlsx"}),
    ),
    "pptx": (
        FileCategory.DOCUMENT,
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        frozenset({"pptx"}),
    ),
    "odt": (FileCategory.DOCUMENT, "application/vnd.oasis.opendocument.text", frozenset({"odt"})),
    "ods": (
        FileCategory.DOCUMENT,
        "application/vnd.oasis.opendocument.spreadsheet",
        frozenset({"ods"}),
    ),
    "odp": (
        FileCategory.DOCUMENT,
        "application/vnd.oasis.opendocument.presentation",
        frozenset({"odp"}),
    ),
    "doc": (FileCategory.DOCUMENT, "application/msword", frozenset({"doc"})),
    "xls": (FileCategory.DOCUMENT, "application/vnd.ms-excel", frozenset({"xls"})),
    "ppt": (FileCategory.DOCUMENT, "application/vnd.ms-powerpoint", frozenset({"ppt"})),
}
VIDEO_EXTENSIONS = frozenset(
    extension
    for category, _mime, extensions in ACCEPTED.values()
    if category == FileCategory.VIDEO
    for extension in extensions
)
ACCEPT_ATTRIBUTE = ",".join(
    sorted({f".{ext}" for *_rest, extensions in ACCEPTED.values() for ext in extensions})
)
_PILLOW_FORMAT = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/webp": "WEBP",
}


@dataclass
class InspectedFile:
    """An upload that passed every check: what to store and how to describe it."""

    category: str
    content_type: str
    extension: str
    size: int
    sha256: str
    # Re-encoded bytes for images; None when the upload itself is stored as it came.
    cleaned: bytes | None = None
    # The hash of the bytes as uploaded: an image stored re-encoded and uploaded again (from
    # an export, say) is the same evidence even though a second re-encoding differs.
    source_sha256: str = ""


def extension_of(filename: str) -> str:
    return filename.rpartition(".")[2].lower() if "." in filename else ""


def size_limit_for_name(filename: str) -> int:
    """The most a file of this name may hold, before its content is known (upload handler)."""
    if extension_of(filename) in VIDEO_EXTENSIONS:
        return max(conf.max_video_bytes(), conf.max_file_bytes())
    return conf.max_file_bytes()


def _too_large(name: str, limit: int) -> ValidationError:
    return ValidationError(
        _("“%(name)s” is larger than %(limit)s, the most one file of this type may be.")
        % {"name": name, "limit": filesizeformat(limit)},
        code="file_too_large",
    )


def _read_head(upload) -> bytes:
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    return head


def _looks_like_svg(head: bytes, extension: str) -> bool:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:512].lower()
    return extension in {"svg", "svgz"} or b"<svg" in start


def inspect_upload(upload) -> InspectedFile:
    """Check an uploaded file (Django UploadedFile) and describe it, or raise ValidationError."""
    name = upload.name or ""
    extension = extension_of(name)
    if not upload.size:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name}, code="file_empty")
    if upload.size > max(conf.max_video_bytes(), conf.max_file_bytes()):
        raise _too_large(name, max(conf.max_video_bytes(), conf.max_file_bytes()))
    head = _read_head(upload)
    kind = filetype.guess(head)
    if kind is None and _looks_like_svg(head, extension):
        raise ValidationError(
            _(
                "“%(name)s” is an SVG image. SVG files can contain scripts, so they are not "
                "accepted: please convert it to PNG."
            )
            % {"name": name},
            code="file_svg",
        )
    if kind is None or kind.extension not in ACCEPTED:
        raise ValidationError(
            _(
                "“%(name)s” is not a file type the library accepts: images (JPEG, PNG, GIF, "
                "WebP), PDF, videos (MP4, MOV, WebM) and office documents."
            )
            % {"name": name},
            code="file_type",
        )
    category, content_type, extensions = ACCEPTED[kind.extension]
    if extension not in extensions:
        raise ValidationError(
            _(
                "The content of “%(name)s” is %(type)s, which does not match its name. Rename "
                "it to end in .%(extension)s."
            )
            % {"name": name, "type": content_type, "extension": sorted(extensions)[0]},
            code="file_mismatch",
        )
    limit = conf.max_video_bytes() if category == FileCategory.VIDEO else conf.max_file_bytes()
    if upload.size > limit:
        raise _too_large(name, limit)
    preferred = kind.extension if kind.extension in extensions else sorted(extensions)[0]
    if category == FileCategory.IMAGE:
        cleaned = clean_image(upload, name=name, content_type=content_type)
        return InspectedFile(
            category=category,
            content_type=content_type,
            extension=preferred,
            size=len(cleaned),
            sha256=hashlib.sha256(cleaned).hexdigest(),
            cleaned=cleaned,
            source_sha256=_sha256_of(upload),
        )
    if category == FileCategory.PDF:
        check_pdf(upload, name=name)
    digest = _sha256_of(upload)
    return InspectedFile(
        category=category,
        content_type=content_type,
        extension=preferred,
        size=upload.size,
        sha256=digest,
        source_sha256=digest,
    )


def _sha256_of(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks(CHUNK):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def open_image_checked(source, *, name: str) -> Image.Image:
    """Open an image lazily and refuse it before decoding when it has too many pixels."""
    unreadable = ValidationError(
        _("“%(name)s” cannot be read as an image.") % {"name": name}, code="image_invalid"
    )
    try:
        with warnings.catch_warnings():
            # Pillow only warns below twice its own limit; any bomb is refused here.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(source)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise _too_many_pixels(name) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise unreadable from exc
    width, height = image.size
    if width * height > conf.max_image_pixels():
        image.close()
        raise _too_many_pixels(name)
    return image


def _too_many_pixels(name: str) -> ValidationError:
    return ValidationError(
        _("“%(name)s” has more than %(pixels)s million pixels; please make it smaller.")
        % {"name": name, "pixels": conf.max_image_pixels() // 1_000_000 or 1},
        code="image_too_many_pixels",
    )


def clean_image(upload, *, name: str, content_type: str) -> bytes:
    upload.seek(0)
    image = open_image_checked(upload, name=name)
    output = io.BytesIO()
    try:
        with image, warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            animated = getattr(image, "is_animated", False)
            if animated:
                # Frames are re-encoded as they are; orientation tags are rare in animations.
                image.save(output, format=_PILLOW_FORMAT[content_type], save_all=True)
            else:
                oriented = ImageOps.exif_transpose(image)
                transparency = oriented.info.get("transparency")
                # Only what drawing needs survives: EXIF, XMP, comments and text chunks go.
                oriented.info = {} if transparency is None else {"transparency": transparency}
                if content_type == "image/jpeg" and oriented.mode not in ("RGB", "L"):
                    oriented = oriented.convert("RGB")
                options = {"quality": 90} if content_type in ("image/jpeg", "image/webp") else {}
                oriented.save(output, format=_PILLOW_FORMAT[content_type], **options)
    except ValidationError:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise _too_many_pixels(name) from exc
    except (OSError, SyntaxError, ValueError, KeyError, EOFError) as exc:
        raise ValidationError(
            _("“%(name)s” cannot be read as an image.") % {"name": name}, code="image_invalid"
        ) from exc
    return output.getvalue()


def open_pdf(source) -> pypdfium2.PdfDocument:
    """A PDFium document from a path, an upload spilled to disk, or any readable file."""
    if isinstance(source, str):
        return pypdfium2.PdfDocument(source)
    if hasattr(source, "temporary_file_path"):
        return pypdfium2.PdfDocument(source.temporary_file_path())
    source.seek(0)
    return pypdfium2.PdfDocument(source.read())


def check_pdf(upload, *, name: str) -> None:
    try:
        document = open_pdf(upload)
    except pypdfium2.PdfiumError as exc:
        raise ValidationError(
            _("“%(name)s” cannot be read as a PDF document (damaged or password-protected).")
            % {"name": name},
            code="pdf_invalid",
        ) from exc
    try:
        if len(document) == 0:
            raise ValidationError(
                _("“%(name)s” is a PDF document without pages.") % {"name": name},
                code="pdf_invalid",
            )
    finally:
        document.close()
        upload.seek(0)
