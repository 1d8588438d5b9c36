"""Badge images: PNG re-encoded through Pillow, SVG accepted only when it is self-contained and
script-free. Baking needs PNG or SVG; other formats are refused with a clear message."""

import io
import re

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from openbadges.baking import image_type

MAX_IMAGE_BYTES = 2 * 1024 * 1024
MAX_PIXELS = 2048
MIN_PIXELS = 64
_SVG = "{http://www.w3.org/2000/svg}"
_FORBIDDEN_SVG_TAGS = {"script", "foreignObject", "iframe", "embed", "object", "audio", "video"}
_HREF = re.compile(r"^(#|data:image/(png|jpeg|gif|webp);base64,)", re.IGNORECASE)


def clean_badge_image(data: bytes, *, square: bool = True) -> tuple[bytes, str]:
    """(bytes to store, MIME type) of an uploaded badge image, or ValidationError.

    Badge images must be square; issuer logos (`square=False`) may have any proportions."""
    if len(data) > MAX_IMAGE_BYTES:
        raise ValidationError(
            _("The image is larger than %(size)s MB.") % {"size": MAX_IMAGE_BYTES // 1024 // 1024},
            code="image_too_large",
        )
    kind = image_type(data)
    if kind == "png":
        return _clean_png(data, square=square), "image/png"
    if kind == "svg":
        return _check_svg(data), "image/svg+xml"
    raise ValidationError(_("The image must be a PNG or SVG file."), code="image_type")


def _clean_png(data: bytes, *, square: bool) -> bytes:
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if square and width != height:
                raise ValidationError(
                    _("The image must be square (it is %(width)s × %(height)s pixels).")
                    % {"width": width, "height": height},
                    code="image_not_square",
                )
            if not (MIN_PIXELS <= width <= MAX_PIXELS and MIN_PIXELS <= height <= MAX_PIXELS):
                raise ValidationError(
                    _("The image must be between %(min)s and %(max)s pixels wide and high.")
                    % {"min": MIN_PIXELS, "max": MAX_PIXELS},
                    code="image_size",
                )
            # Re-encoding drops metadata chunks and anything appended after the image data.
            converted = image.convert("RGBA")
            output = io.BytesIO()
            converted.save(output, format="PNG", optimize=True)
            return output.getvalue()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValidationError(_("The PNG image cannot be read."), code="image_invalid") from exc


def _check_svg(data: bytes) -> bytes:
    try:
        root = fromstring(data)
    except (DefusedXmlException, SyntaxError, ValueError) as exc:
        raise ValidationError(_("The SVG image cannot be read."), code="image_invalid") from exc
    if root.tag not in (f"{_SVG}svg", "svg"):
        raise ValidationError(_("The file is not an SVG image."), code="image_invalid")
    for element in root.iter():
        tag = element.tag.rpartition("}")[2] if isinstance(element.tag, str) else ""
        if tag in _FORBIDDEN_SVG_TAGS:
            raise ValidationError(
                _("SVG images may not contain scripts or embedded documents."), code="image_unsafe"
            )
        for name, value in element.attrib.items():
            local = name.rpartition("}")[2].lower()
            if local.startswith("on"):
                raise ValidationError(
                    _("SVG images may not contain scripts or embedded documents."),
                    code="image_unsafe",
                )
            if local == "href" and not _HREF.match(value.strip()):
                raise ValidationError(
                    _("SVG images may not refer to other files or web addresses."),
                    code="image_external",
                )
            if "url(" in value.lower() and not re.search(r"url\(\s*#", value, re.IGNORECASE):
                raise ValidationError(
                    _("SVG images may not refer to other files or web addresses."),
                    code="image_external",
                )
        if (
            tag == "style"
            and element.text
            and ("@import" in element.text or "url(" in element.text)
        ):
            raise ValidationError(
                _("SVG images may not refer to other files or web addresses."),
                code="image_external",
            )
    return data
