"""Hostile input to the import and the public verifier: refused cleanly (a clear message, never
a 500), nothing stored, and nothing else in the passport touched."""

import base64
import io
import json
import struct
import zipfile
import zlib
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from issuing.tests.conftest import png_bytes
from openbadges.baking import bake_png
from passport.models import BadgeSource, PassportBadge

from .conftest import award_to

IMPORT = "/passport/import/"
CONFIRM = "/passport/import/confirm"


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    settings.VERIFY_THROTTLE = (10_000, 600)


@dataclass
class Learner:
    user: object
    credential: str
    allow_changes: bool = False


@pytest.fixture
def learner(client, w):
    """A learner with one badge already in the passport, signed in, and the credential of a
    second award that is not in the passport yet. Unless a test allows it, the passport must be
    exactly as it was afterwards."""
    kept = award_to(w, "kadri.tamm@example.org")
    PassportBadge.objects.get_or_create(
        owner=w.learner, award=kept, defaults={"source": "awarded", "name": "Kept"}
    )
    fresh = award_to(w, "kadri.tamm@example.org", badge_class=w.second_class)
    PassportBadge.objects.filter(award=fresh).delete()
    client.force_login(w.learner)
    before = list(PassportBadge.objects.values())
    state = Learner(w.learner, bytes(fresh.credential_json).decode())
    yield state
    if not state.allow_changes:
        assert list(PassportBadge.objects.values()) == before


def upload(client, name: str, data: bytes, url: str = IMPORT):
    return client.post(url, {"file": SimpleUploadedFile(name, data)})


def chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def test_svg_with_script_keeps_its_bytes_but_shows_a_clean_picture(client, learner):
    credential = learner.credential
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges='
        '"https://purl.imsglobal.org/ob/v3p0" viewBox="0 0 10 10" onload="alert(1)">'
        f"<openbadges:credential><![CDATA[{credential}]]></openbadges:credential>"
        '<script>alert("owned")</script><rect width="10" height="10" fill="red"/></svg>'
    ).encode()
    first = upload(client, "evil.svg", svg)
    assert first.status_code == 200
    picture = first.context["result"]["badge"]["picture"]
    shown = base64.b64decode(picture.split(",", 1)[1])
    assert b"script" not in shown and b"onload" not in shown
    assert "alert(" not in first.content.decode()
    learner.allow_changes = True
    client.post(CONFIRM, {"token": first.context["confirm"].initial["token"]})
    badge = PassportBadge.objects.get(source=BadgeSource.IMPORTED)
    assert bytes(badge.original) == svg  # the exact bytes received are kept
    with badge.image.open("rb") as handle:
        stored = handle.read()
    assert b"script" not in stored and b"onload" not in stored and b"<rect" in stored


def test_png_zip_polyglot_is_not_kept_as_a_picture(client, learner):
    credential = learner.credential
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("payload.html", "<script>alert(1)</script>")
    polyglot = bake_png(png_bytes(), credential, ob3=True) + archive.getvalue()
    first = upload(client, "badge.png", polyglot)
    assert first.status_code == 200
    result = first.context["result"]
    picture = result["badge"]["picture"]
    if picture:
        assert b"PK\x03\x04" not in base64.b64decode(picture.split(",", 1)[1])
    # Either the reader refuses the trailing data or it reads the badge: never a 500.
    assert result["verdict"] in ("valid", "invalid")


def test_png_decompression_bomb_is_refused(client, learner):
    # The badge text compressed in its iTXt chunk expands to 64 MB of spaces.
    bomb_text = zlib.compress(b" " * 64_000_000, 9)
    body = b"openbadgecredential\x00\x01\x00\x00\x00" + bomb_text
    png = png_bytes()
    bomb = png[:33] + chunk(b"iTXt", body) + png[33:]
    first = upload(client, "bomb.png", bomb)
    assert first.status_code == 200
    candidate = first.context["candidate"]
    assert candidate.refusal.startswith("This badge did not pass verification")
    assert first.context["result"]["checks"][0]["code"] == "baking.decompression_bomb"
    assert "expands to far more data" in first.content.decode()


def test_png_with_a_giant_canvas_gives_no_picture_and_no_500(client, learner):
    credential = learner.credential
    header = struct.pack(">IIBBBBB", 60_000, 60_000, 8, 6, 0, 0, 0)
    giant = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
        + chunk(b"IEND", b"")
    )
    first = upload(client, "giant.png", bake_png(giant, credential, ob3=True))
    assert first.status_code == 200
    # The giant image is not decoded; the badge class image on our site is shown instead.
    picture = first.context["result"]["badge"]["picture"]
    assert not picture.startswith("data:")
    assert picture.startswith("/badges/")


def test_a_gigabyte_upload_is_refused_before_it_is_read(client, learner):
    response = client.generic(
        "POST",
        IMPORT,
        b"x" * 100,
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(1024**3),
    )
    assert response.status_code == 413
    assert "larger than 5 MB" in response.content.decode()
    api = client.generic(
        "POST", "/verify/api", b"{}", content_type="application/json", CONTENT_LENGTH=str(1024**3)
    )
    assert api.status_code == 413 and "larger than 5 MB" in api.json()["error"]


def test_an_oversized_file_is_dropped_while_it_arrives(client, learner):
    response = upload(client, "big.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * (5 * 1024 * 1024 + 10))
    assert response.status_code == 413
    assert "larger than 5 MB" in response.content.decode()
    verify = upload(client, "big.png", b"\x00" * (5 * 1024 * 1024 + 10), url="/verify/")
    assert verify.status_code == 413


@pytest.mark.parametrize(
    ("text", "explanation"),
    [
        ('{"@context": ["https://www.w3.org/ns/credentials/v2"], ', "not valid JSON"),
        ("[" * 100_000, "not valid JSON"),
        ("just words", "This is not a badge"),
        ("eyJhbGciOiJub25lIn0.e30.", "neither an Open Badges 3.0 credential"),
    ],
)
def test_malformed_input_is_refused_with_its_reason(client, learner, text, explanation):
    first = client.post(IMPORT, {"text": text})
    assert first.status_code == 200
    assert first.context["candidate"].refusal.startswith("This badge did not pass verification")
    assert explanation in first.content.decode()


def test_our_credential_resigned_with_alg_none_is_refused(client, learner):
    credential = learner.credential
    document = json.loads(credential)
    document.pop("proof")
    header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    claims = {
        **document,
        "iss": document["issuer"]["id"],
        "jti": document["id"],
        "sub": document["credentialSubject"]["id"],
    }
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    first = client.post(IMPORT, {"text": f"{header}.{payload}."})
    assert first.context["candidate"].status == "invalid"
    proof = next(c for c in first.context["result"]["checks"] if c["id"] == "proof")
    assert proof["outcome"] == "failed"
