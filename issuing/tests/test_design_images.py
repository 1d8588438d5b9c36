"""Badge image uploads: what is accepted, how it is normalised, and every hostile case."""

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from issuing import images, images_design


def raster(size=(300, 200), fmt="PNG", colour=(200, 30, 30, 255), **save) -> bytes:
    output = io.BytesIO()
    picture = Image.new("RGBA", size, colour)
    if fmt == "JPEG":
        picture = picture.convert("RGB")
    picture.save(output, format=fmt, **save)
    return output.getvalue()


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return (
        struct.pack(">I", len(body))
        + kind
        + body
        + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    )


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """A 30,000 × 30,000 one-bit PNG (900 megapixels) of about 100 KB."""
    side = 30_000
    row = b"\x00" * (1 + side // 8)
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", body)
        + png_chunk(b"IEND", b"")
    )


def codes(data: bytes, **kwargs) -> str:
    with pytest.raises(ValidationError) as error:
        images_design.prepare_badge_image(data, **kwargs)
    return error.value.code


def opened(data: bytes) -> Image.Image:
    picture = Image.open(io.BytesIO(data))
    picture.load()
    return picture


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_raster_images_become_square_pngs_the_services_accept(fmt):
    result = images_design.prepare_badge_image(raster(fmt=fmt))
    picture = opened(result)
    assert picture.format == "PNG"
    assert picture.size == (300, 300)
    # Padding is transparent; the picture itself sits in the middle.
    assert picture.getpixel((150, 10))[3] == 0
    assert picture.getpixel((150, 150))[3] == 255
    assert images.clean_badge_image(result)[1] == "image/png"


def test_cropping_keeps_the_middle_square():
    picture = Image.new("RGB", (300, 100), (0, 0, 255))
    picture.paste((255, 0, 0), (100, 0, 200, 100))
    output = io.BytesIO()
    picture.save(output, format="PNG")
    result = opened(images_design.prepare_badge_image(output.getvalue(), fit="crop"))
    assert result.size == (100, 100)
    assert result.getpixel((0, 0))[:3] == (255, 0, 0)
    assert result.getpixel((99, 99))[:3] == (255, 0, 0)


def test_large_pictures_are_scaled_to_1024_pixels():
    result = opened(images_design.prepare_badge_image(raster(size=(2400, 2400), fmt="JPEG")))
    assert result.size == (1024, 1024)


def test_metadata_is_dropped():
    exif = Image.Exif()
    exif[0x010E] = "secret location notes"  # ImageDescription
    data = raster(fmt="JPEG", exif=exif.tobytes())
    assert b"secret location" in data
    result = images_design.prepare_badge_image(data)
    assert b"secret location" not in result
    assert not opened(result).getexif()


def test_text_file_named_png_is_refused():
    assert codes(b"Just some notes, not a picture.\n" * 10) == "image_type"


def test_truncated_png_is_refused():
    assert codes(raster()[:200]) == "image_invalid"


def test_gif_is_refused_by_content():
    assert codes(raster(fmt="GIF")) == "image_type"


def test_tiny_image_is_refused():
    assert codes(raster(size=(40, 40))) == "image_too_small"


def test_decompression_bomb_is_refused_before_decoding(bomb):
    assert len(bomb) < 500_000
    assert codes(bomb) == "image_too_many_pixels"


def test_six_megabyte_file_is_refused():
    assert codes(b"\x89PNG\r\n\x1a\n" + b"\x00" * (6 * 1024 * 1024)) == "image_too_large"


HOSTILE_SVG = b"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     viewBox="0 0 100 100" onload="alert(1)">
  <script>alert(document.cookie)</script>
  <style>@import url(https://fonts.example/font.css); circle { fill: #039 }</style>
  <use href="https://sprites.example/icons.svg#star"/>
  <image xlink:href="https://tracker.example/pixel.png" width="10" height="10"/>
  <circle cx="50" cy="50" r="40" fill="#003399" style="fill:url(https://evil.example/x)"/>
  <a href="javascript:alert(2)"><rect width="10" height="10" fill="#ffcc00"/></a>
  <foreignObject><div xmlns="http://www.w3.org/1999/xhtml">hi</div></foreignObject>
</svg>"""


def test_svg_scripts_and_external_references_are_removed_and_the_drawing_kept():
    result = images_design.prepare_badge_image(HOSTILE_SVG)
    for forbidden in (
        b"script",
        b"onload",
        b"tracker.example",
        b"evil.example",
        b"javascript",
        b"fonts.example",
        b"sprites.example",
    ):
        assert forbidden not in result
    assert b"foreignObject" not in result
    assert b"<circle" in result and b"<rect" in result
    # What is stored passes the services' own stricter check.
    assert images.clean_badge_image(result)[1] == "image/svg+xml"


def test_svg_that_is_not_square_is_refused():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 100"><rect/></svg>'
    assert codes(svg) == "image_not_square"


def test_svg_square_by_width_and_height():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="64px" height="64"><rect/></svg>'
    assert b"<rect" in images_design.prepare_badge_image(svg)


def test_svg_without_size_is_refused():
    assert codes(b'<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>') == "image_no_size"


def test_hostile_xml_is_refused():
    billion_laughs = (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><text>&b;</text></svg>'
    )
    assert codes(billion_laughs) == "image_invalid"


def test_empty_file_is_refused():
    assert codes(b"") == "image_empty"
