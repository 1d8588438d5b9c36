"""Learners, passport badges and sample files for the evidence tests.

Evidence files go to a temporary directory for the whole session (EVIDENCE_ROOT); the sample
files are made here, small, in each format the library takes or refuses.
"""

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass

import pytest
from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from accounts.models import User
from passport.models import BadgeSource, BadgeState, PassportBadge, Visibility


@pytest.fixture(scope="session", autouse=True)
def evidence_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("evidence")
    with override_settings(EVIDENCE_ROOT=str(root), MEDIA_ROOT=str(root / "media")):
        yield root


def make_user(email: str, name: str = "") -> User:
    user = User.objects.create_user(email=email, password="x", name=name)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def make_badge(owner, *, name="Digital Facilitator", **fields) -> PassportBadge:
    values = {
        "source": BadgeSource.IMPORTED,
        "state": BadgeState.ACCEPTED,
        "state_changed_at": timezone.now(),
        "visibility": Visibility.PRIVATE,
        "original": b"{}",
        "original_format": "json",
        "issuer_name": "Hansa Academy",
        "issued_at": timezone.now(),
        "spec": "ob3",
    }
    values.update(fields)
    return PassportBadge.objects.create(owner=owner, name=name, **values)


@dataclass
class World:
    learner: User
    other: User
    badge: PassportBadge


@pytest.fixture
def w(db):
    learner = make_user("kadri.tamm@example.org", "Kadri Tamm")
    return World(
        learner=learner,
        other=make_user("other@example.net", "Other Learner"),
        badge=make_badge(learner),
    )


# -- sample files -----------------------------------------------------------------------------


def png_bytes(size=(64, 48), colour=(0, 82, 147)) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", size, colour).save(output, format="PNG")
    return output.getvalue()


def jpeg_with_exif(size=(80, 40), orientation=6) -> bytes:
    """A JPEG whose EXIF says "rotate 90°" and carries a GPS position."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps[2] = (59.0, 26.0, 0.0)
    gps[1] = "N"
    output = io.BytesIO()
    image.save(output, format="JPEG", exif=exif)
    return output.getvalue()


def pdf_bytes(size=(200, 300), colour=(30, 160, 60)) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", size, colour).save(output, format="PDF")
    return output.getvalue()


def docx_bytes() -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return output.getvalue()


MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 200


def bomb_png(width=100_000, height=100_000) -> bytes:
    """A tiny PNG whose header claims 10 gigapixels: decoding it would exhaust memory."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + chunk(b"IEND", b"")
    )


def polyglot_png() -> bytes:
    """A valid PNG with a ZIP archive appended after its end."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("payload.html", "<script>alert(1)</script>")
    return png_bytes(colour=(250, 200, 0)) + archive.getvalue()


FAKE_PDF = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(1)</script></svg>"
)


def upload(name: str, data: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)
