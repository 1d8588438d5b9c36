"""What the library accepts, refuses and cleans, sniffed from content (no database)."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from PIL import Image, PngImagePlugin

from evidence.files import inspect_upload

from .conftest import (
    FAKE_PDF,
    MP4,
    SVG_WITH_SCRIPT,
    bomb_png,
    docx_bytes,
    jpeg_with_exif,
    pdf_bytes,
    png_bytes,
    polyglot_png,
    upload,
)


def refused(name: str, data: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        inspect_upload(upload(name, data))
    return caught.value


@pytest.mark.parametrize(
    ("name", "data", "category", "content_type"),
    [
        ("photo.png", png_bytes(), "image", "image/png"),
        ("photo.JPG", jpeg_with_exif(), "image", "image/jpeg"),
        ("report.pdf", pdf_bytes(), "pdf", "application/pdf"),
        ("talk.mp4", MP4, "video", "video/mp4"),
        (
            "essay.docx",
            docx_bytes(),
            "document",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ],
)
def test_accepted_types_are_sniffed_from_content(name, data, category, content_type):
    inspected = inspect_upload(upload(name, data, content_type="text/plain"))
    assert (inspected.category, inspected.content_type) == (category, content_type)
    assert len(inspected.sha256) == 64


def test_a_pdf_that_is_really_html_is_refused():
    error = refused("certificate.pdf", FAKE_PDF)
    assert error.code == "file_type"
    assert "certificate.pdf" in error.messages[0]


def test_an_extension_that_disagrees_with_the_content_is_refused():
    error = refused("photo.pdf", png_bytes())
    assert error.code == "file_mismatch"
    assert "image/png" in error.messages[0] and ".png" in error.messages[0]


def test_a_png_with_an_appended_zip_is_stored_as_the_png_alone():
    data = polyglot_png()
    assert b"PK\x03\x04" in data
    inspected = inspect_upload(upload("polyglot.png", data))
    assert b"PK\x03\x04" not in inspected.cleaned
    assert b"payload.html" not in inspected.cleaned
    with Image.open(io.BytesIO(inspected.cleaned)) as image:
        assert image.size == (64, 48)


def test_a_decompression_bomb_is_refused_before_decoding():
    error = refused("bomb.png", bomb_png())
    assert error.code == "image_too_many_pixels"


@override_settings(EVIDENCE_MAX_IMAGE_PIXELS=1000)
def test_the_pixel_limit_is_a_setting():
    assert refused("photo.png", png_bytes((40, 30))).code == "image_too_many_pixels"
    assert inspect_upload(upload("small.png", png_bytes((30, 30)))).category == "image"


def test_photos_lose_their_metadata_and_are_turned_upright():
    inspected = inspect_upload(upload("photo.jpg", jpeg_with_exif(size=(80, 40))))
    with Image.open(io.BytesIO(inspected.cleaned)) as image:
        assert image.size == (40, 80)  # orientation 6 applied
        assert not image.getexif()
        assert "exif" not in image.info
    assert b"PhoneMaker" not in inspected.cleaned


def test_an_empty_file_is_refused():
    assert refused("empty.pdf", b"").code == "file_empty"


def test_svg_is_refused_with_its_reason():
    error = refused("drawing.svg", SVG_WITH_SCRIPT)
    assert error.code == "file_svg"
    assert "scripts" in error.messages[0]
    # Renamed, it is still not accepted.
    assert refused("drawing.png", SVG_WITH_SCRIPT).code == "file_svg"


@override_settings(EVIDENCE_MAX_FILE_MB=1, EVIDENCE_MAX_VIDEO_MB=2)
def test_size_limits_depend_on_the_sniffed_type():
    big_pdf = pdf_bytes() + b"\n%" + b"0" * (1024 * 1024)
    assert refused("big.pdf", big_pdf).code == "file_too_large"
    video = MP4 + b"\x00" * (1024 * 1024 + 10)
    assert inspect_upload(upload("talk.mp4", video)).category == "video"
    # A document named like a video gets the document limit once its content is known.
    assert refused("talk.mp4", big_pdf).code == "file_mismatch"
    assert refused("huge.mp4", MP4 + b"\x00" * (2 * 1024 * 1024)).code == "file_too_large"


def test_a_damaged_pdf_is_refused():
    assert refused("broken.pdf", b"%PDF-1.7\n" + b"garbage " * 200).code == "pdf_invalid"


def test_executables_and_archives_are_refused():
    assert refused("tool.exe", b"MZ" + b"\x00" * 300).code == "file_type"
    assert refused("archive.docx", b"PK\x03\x04" + b"\x00" * 300).code == "file_type"


def _with_hostile_metadata(kind: str) -> bytes:
    output = io.BytesIO()
    hostile = b"<svg onload=alert(1)>"
    if kind == "jpg":
        Image.new("RGB", (20, 20), (1, 2, 3)).save(output, format="JPEG", comment=hostile)
    elif kind == "png":
        info = PngImagePlugin.PngInfo()
        info.add_text("Comment", hostile.decode())
        Image.new("RGB", (20, 20)).save(output, format="PNG", pnginfo=info)
    elif kind == "webp":
        Image.new("RGB", (20, 20)).save(output, format="WEBP", xmp=hostile)
    else:
        frames = [Image.new("P", (20, 20), colour) for colour in range(3)]
        frames[0].save(
            output, format="GIF", save_all=True, append_images=frames[1:], comment=hostile
        )
    return output.getvalue()


@pytest.mark.parametrize("kind", ["jpg", "png", "webp", "gif"])
def test_comments_and_text_metadata_do_not_survive(kind):
    data = _with_hostile_metadata(kind)
    assert b"<svg" in data
    inspected = inspect_upload(upload(f"picture.{kind}", data))
    assert b"<svg" not in inspected.cleaned
    with Image.open(io.BytesIO(inspected.cleaned)) as image:
        assert image.size == (20, 20)
