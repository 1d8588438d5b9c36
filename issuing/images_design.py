"""Uploaded badge images made ready for `issuing.services` (which checks them once more).

Raster uploads (PNG, JPEG, WebP, recognised by their first bytes, never by the file name) are
decoded by Pillow and re-encoded as a square PNG of at most 1024 pixels: padding or cropping
makes them square, re-encoding drops metadata and anything hidden after the image data. SVG
uploads are rebuilt by `openbadges.baking.sanitize_svg`, which removes scripts, event handlers
and external references instead of refusing the file: designers' tools routinely leave harmless
editor metadata or links in their exports, and the sanitised copy is what every later check and
every viewer sees. A drawing that is not roughly square is refused, because badges are shown in
square frames everywhere.
"""

import io
import re
import warnings

from defusedxml.ElementTree import fromstring
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from openbadges.baking import image_type, sanitize_svg
from openbadges.errors import OpenBadgesError

from .images import MAX_IMAGE_BYTES as STORED_IMAGE_LIMIT
from .images import MIN_PIXELS

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_SIDE = 1024
# Far above any real badge photo, far below what would exhaust memory when decoded.
MAX_SOURCE_PIXELS = 40_000_000
FIT_PAD = "pad"
FIT_CROP = "crop"
_RASTER_FORMATS = {"PNG", "JPEG", "WEBP"}
_NUMBER = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*(px)?\s*$")


def too_large_message() -> str:
    return _("The file is larger than %(size)s MB. Choose a smaller image.") % {
        "size": MAX_UPLOAD_BYTES // 1024 // 1024
    }


class UploadLimitHandler(FileUploadHandler):
    """Stops receiving a file once it passes the upload limit, so a huge upload is neither kept
    in memory nor written to disk. The other fields of the form still arrive; the names of the
    skipped files are left in `request.uploads_too_large` for the form to explain."""

    def new_file(self, field_name, *args, **kwargs):
        super().new_file(field_name, *args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > MAX_UPLOAD_BYTES:
            skipped = getattr(self.request, "uploads_too_large", set())
            skipped.add(self.field_name)
            self.request.uploads_too_large = skipped
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None


def prepare_badge_image(data: bytes, *, fit: str = FIT_PAD) -> bytes:
    """PNG or SVG bytes ready for `badge_class_create(image=…)`, or a ValidationError."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(too_large_message(), code="image_too_large")
    if not data:
        raise ValidationError(_("The file is empty."), code="image_empty")
    if _is_raster(data):
        return _square_png(data, fit=fit)
    if image_type(data) == "svg":
        return _clean_svg(data)
    raise ValidationError(
        _("This file is not an image we accept. Upload a PNG, JPEG, WebP or SVG image."),
        code="image_type",
    )


def _is_raster(data: bytes) -> bool:
    return (
        data.startswith(b"\x89PNG\r\n\x1a\n")
        or data.startswith(b"\xff\xd8\xff")
        or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")
    )


def _unreadable() -> ValidationError:
    return ValidationError(
        _("The image cannot be read. It may be damaged; export it again and retry."),
        code="image_invalid",
    )


def _square_png(data: bytes, *, fit: str) -> bytes:
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its own limit and twice that; treat it as a refusal.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=sorted(_RASTER_FORMATS)) as image:
                width, height = image.size
                if width * height > MAX_SOURCE_PIXELS:
                    raise ValidationError(
                        _(
                            "The image has too many pixels (%(width)s × %(height)s). "
                            "Use an image of at most %(side)s × %(side)s pixels."
                        )
                        % {"width": width, "height": height, "side": MAX_SIDE * 4},
                        code="image_too_many_pixels",
                    )
                image.load()
                picture = ImageOps.exif_transpose(image).convert("RGBA")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError(
            _("The image has too many pixels to be opened safely."),
            code="image_too_many_pixels",
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise _unreadable() from exc
    width, height = picture.size
    if min(width, height) < MIN_PIXELS:
        raise ValidationError(
            _("The image is too small: it needs at least %(min)s × %(min)s pixels.")
            % {"min": MIN_PIXELS},
            code="image_too_small",
        )
    if fit == FIT_CROP:
        side = min(width, height)
        left, top = (width - side) // 2, (height - side) // 2
        picture = picture.crop((left, top, left + side, top + side))
    elif width != height:
        side = max(width, height)
        canvas = Image.new("RGBA", (side, side), (0, 0, 0, 0))
        canvas.paste(picture, ((side - width) // 2, (side - height) // 2))
        picture = canvas
    # Photos can compress badly: step down until the PNG fits the stored image limit.
    for side in (MAX_SIDE, 768, 512, 256):
        resized = picture
        if picture.width > side:
            resized = picture.resize((side, side), Image.Resampling.LANCZOS)
        output = io.BytesIO()
        resized.save(output, format="PNG", optimize=True)
        if output.tell() <= STORED_IMAGE_LIMIT:
            return output.getvalue()
    raise ValidationError(
        _("The image is too detailed to store. Simplify it or upload an SVG."),
        code="image_too_large",
    )


def _length(value: str | None) -> float | None:
    match = _NUMBER.match(value or "")
    return float(match.group(1)) if match else None


def svg_proportions(svg: bytes) -> tuple[float, float] | None:
    """(width, height) from the viewBox, else from the width and height attributes."""
    root = fromstring(svg)
    box = (root.get("viewBox") or "").replace(",", " ").split()
    if len(box) == 4:
        try:
            width, height = float(box[2]), float(box[3])
        except ValueError:
            width = height = 0.0
        if width > 0 and height > 0:
            return width, height
    width, height = _length(root.get("width")), _length(root.get("height"))
    if width and height:
        return width, height
    return None


def _clean_svg(data: bytes) -> bytes:
    if len(data) > STORED_IMAGE_LIMIT:
        raise ValidationError(
            _("SVG images may be at most %(size)s MB.")
            % {"size": STORED_IMAGE_LIMIT // 1024 // 1024},
            code="image_too_large",
        )
    try:
        clean = sanitize_svg(data)
    except OpenBadgesError as exc:
        raise ValidationError(
            _("The SVG image cannot be read safely. Export it again as plain SVG."),
            code="image_invalid",
        ) from exc
    proportions = svg_proportions(clean)
    if proportions is None:
        raise ValidationError(
            _("The SVG image needs a viewBox (or a width and height) so its shape is known."),
            code="image_no_size",
        )
    width, height = proportions
    if not 0.9 <= width / height <= 1.1:
        raise ValidationError(
            _("The SVG image must be square (its drawing area is %(width)s × %(height)s).")
            % {"width": f"{width:g}", "height": f"{height:g}"},
            code="image_not_square",
        )
    return clean
