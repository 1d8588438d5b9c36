"""A badge's picture, made safe to show: from the baked image itself or from a data: URL in
the credential.

Raster images are decoded by Pillow with a pixel limit (a decompression bomb is refused) and
re-encoded as a small PNG, which drops anything appended to the file (polyglots). SVG images are
rebuilt from an allow-list by `openbadges.baking.sanitize_svg` (no scripts, no external
references). Anything else gives no picture: the report never depends on it.
"""

from __future__ import annotations

import base64
import binascii
import io
import warnings

from PIL import Image, UnidentifiedImageError

from openbadges.baking import image_type, sanitize_svg
from openbadges.errors import OpenBadgesError

THUMBNAIL_SIDE = 256
MAX_SOURCE_PIXELS = 40_000_000
MAX_SVG_BYTES = 512 * 1024
_DATA_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml"}


def safe_picture(data: bytes) -> tuple[bytes, str] | None:
    """(bytes, "png" | "svg") safe to show, or None when the data is no usable image."""
    kind = image_type(data)
    if kind == "svg":
        if len(data) > MAX_SVG_BYTES:
            return None
        try:
            return sanitize_svg(data), "svg"
        except (OpenBadgesError, ValueError):
            return None
    return _thumbnail(data)


def _thumbnail(data: bytes) -> tuple[bytes, str] | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=["PNG", "JPEG", "GIF", "WEBP"]) as image:
                width, height = image.size
                if width * height > MAX_SOURCE_PIXELS:
                    return None
                image.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
                picture = image.convert("RGBA")
    except (
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
    ):
        return None
    output = io.BytesIO()
    picture.save(output, format="PNG", optimize=True)
    return output.getvalue(), "png"


def from_data_url(value: str | None) -> tuple[bytes, str] | None:
    """The picture of a `data:image/...;base64,` URL, made safe; None for anything else."""
    if not isinstance(value, str) or not value.startswith("data:"):
        return None
    header, _, payload = value.partition(",")
    media = header[5:].split(";", 1)[0].strip().lower()
    if media not in _DATA_TYPES or not header.endswith(";base64"):
        return None
    try:
        raw = base64.b64decode(payload, validate=False)
    except (binascii.Error, ValueError):
        return None
    return safe_picture(raw)


def as_data_url(picture: tuple[bytes, str] | None) -> str:
    if picture is None:
        return ""
    data, kind = picture
    media = "image/svg+xml" if kind == "svg" else "image/png"
    return f"data:{media};base64,{base64.b64encode(data).decode('ascii')}"
