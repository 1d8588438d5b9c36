"""Baking and unbaking PNG and SVG badges, and refusing hostile images."""

from __future__ import annotations

import html
import io
import json
import random
import struct
import zlib
from pathlib import Path
from xml.etree.ElementTree import Element

import pytest
from defusedxml.ElementTree import fromstring
from PIL import Image, PngImagePlugin

from openbadges.baking import (
    SVG_NAMESPACE_OB2,
    SVG_NAMESPACE_OB3,
    BakedPayload,
    bake,
    bake_png,
    bake_svg,
    image_type,
    sanitize_svg,
    unbake,
    unbake_png,
    unbake_svg,
)
from openbadges.errors import BakingError

DATA = Path(__file__).parent / "data" / "baking"
SVG_NS = "http://www.w3.org/2000/svg"

CREDENTIAL = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ],
    "id": "urn:uuid:0b2a5f3e-8c4d-4f6e-9a1b-2c3d4e5f6a7b",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "issuer": {"id": "https://badges.example.eu/issuers/acme", "type": ["Profile"]},
    "validFrom": "2025-03-01T09:00:00Z",
    # Unicode, and the sequence that ends a CDATA section, must survive both formats.
    "name": "Datenkompetenz – Grundlagen ✓ Zoë ]]> 完成",
    "credentialSubject": {"type": ["AchievementSubject"]},
}
OB3_JSON = json.dumps(CREDENTIAL, ensure_ascii=False)
OB3_JWT = (
    "eyJhbGciOiJFZERTQSIsInR5cCI6IkpXVCIsImtpZCI6ImRpZDprZXk6ejZNayN6Nk1rIn0"
    ".eyJpc3MiOiJodHRwczovL2JhZGdlcy5leGFtcGxlLmV1IiwianRpIjoidXJuOnV1aWQ6MSJ9"
    ".c2lnbmF0dXJlLWJ5dGVzLWFyZS1ub3QtY2hlY2tlZC1oZXJl"
)
OB2_URL = "https://badges.example.eu/ob2/assertions/9f2c4b7e"
OB2_JSON = json.dumps(
    {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "id": OB2_URL,
        "recipient": {"type": "email", "hashed": True, "salt": "pepper42", "identity": "x"},
        "badge": "https://badges.example.eu/ob2/badgeclasses/data-literacy-basics",
        "verification": {"type": "hosted"},
        "issuedOn": "2025-03-01T09:00:00Z",
    }
)
OB2_JWS = "eyJhbGciOiJSUzI1NiJ9.eyJ0eXBlIjoiQXNzZXJ0aW9uIn0.cnNhLXNpZ25hdHVyZQ"


# ------------------------------------------------------------------------------------------
# helpers


def _png(mode: str = "RGBA", size: tuple[int, int] = (24, 16)) -> bytes:
    width, height = size
    bands = len(Image.new(mode, (1, 1)).getbands())
    pixels = bytes(
        (x * 37 + y * 11 + band * 50) % 256
        for y in range(height)
        for x in range(width)
        for band in range(bands)
    )
    image = Image.frombytes(mode, size, pixels)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    """(type, data) of every chunk, read independently of the module under test."""
    out, pos = [], 8
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        out.append((png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length]))
        pos += 12 + length
    return out


def _chunk(ctype: bytes, data: bytes, *, crc: int | None = None) -> bytes:
    crc = zlib.crc32(ctype + data) if crc is None else crc
    return struct.pack(">I", len(data)) + ctype + data + struct.pack(">I", crc)


def _insert_after_ihdr(png: bytes, *chunks: bytes) -> bytes:
    return png[:33] + b"".join(chunks) + png[33:]


def _itxt(keyword: str, text: bytes, *, compressed: bool = False) -> bytes:
    return _chunk(
        b"iTXt", keyword.encode() + b"\x00" + bytes([int(compressed), 0]) + b"\x00\x00" + text
    )


def _zeros_deflate(total: int, block: int = 1 << 20) -> bytes:
    """zlib stream of ``total`` zero bytes, built without compressing them all.

    After a full flush deflate keeps no history, so every further block of zeros compresses
    to the same bytes: compress two blocks, repeat the second, and finish with the Adler-32 of
    ``total`` zeros, which is ((total mod 65521) << 16) | 1.
    """
    assert total % block == 0 and total >= 3 * block
    compressor = zlib.compressobj(9)
    zeros = bytes(block)
    head = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeat = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    tail = compressor.compress(zeros) + compressor.flush(zlib.Z_FINISH)
    body = head + repeat * (total // block - 2) + tail[:-4]
    return body + struct.pack(">I", ((total % 65521) << 16) | 1)


def _code(excinfo) -> str:
    return excinfo.value.code


@pytest.fixture(scope="module")
def png() -> bytes:
    return _png()


SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" data-note="a &gt; b">\n'
    b'  <circle cx="32" cy="32" r="30" fill="#1d4ed8"/>\n'
    b"</svg>\n"
)


# ------------------------------------------------------------------------------------------
# PNG


@pytest.mark.parametrize(
    ("payload", "ob3", "form"),
    [
        (OB3_JSON, True, "json"),
        (OB3_JWT, True, "jws"),
        (OB2_URL, False, "url"),
        (OB2_JSON, False, "json"),
        (OB2_JWS, False, "jws"),
    ],
    ids=["ob3-json", "ob3-jwt", "ob2-url", "ob2-json", "ob2-jws"],
)
def test_png_round_trip(png, payload, ob3, form):
    baked = bake_png(png, payload, ob3=ob3)
    result = unbake_png(baked)
    assert result == BakedPayload("ob3" if ob3 else "ob2", payload, form, "png")
    assert unbake(baked) == result


def test_png_chunk_layout_is_the_spec_one_right_after_ihdr(png):
    baked = bake_png(png, OB3_JSON, ob3=True)
    chunks = _chunks(baked)
    assert [c[0] for c in chunks[:2]] == [b"IHDR", b"iTXt"]
    assert chunks[1][1] == b"openbadgecredential\x00\x00\x00\x00\x00" + OB3_JSON.encode()
    # Byte splice: removing the new chunk gives back the original file exactly.
    inserted = 12 + len(chunks[1][1])
    assert baked[:33] + baked[33 + inserted :] == png
    ob2 = _chunks(bake_png(png, OB2_URL, ob3=False))[1][1]
    assert ob2 == b"openbadges\x00\x00\x00\x00\x00" + OB2_URL.encode()


def test_png_pixels_unchanged_and_pillow_reads_the_chunk():
    for mode in ("RGBA", "RGB", "L", "P"):
        original = _png(mode)
        baked = bake_png(original, OB3_JSON, ob3=True)
        with Image.open(io.BytesIO(original)) as before, Image.open(io.BytesIO(baked)) as after:
            after.load()
            assert after.tobytes() == before.tobytes()
            assert after.text["openbadgecredential"] == OB3_JSON


def test_png_rebake_replaces_existing_badge_chunks(png):
    first = bake_png(png, OB3_JSON, ob3=True)
    second = bake_png(first, OB3_JWT, ob3=True)
    assert [c[0] for c in _chunks(second)].count(b"iTXt") == 1
    assert unbake_png(second).text == OB3_JWT
    # Switching version replaces too: an image carries one badge.
    third = bake_png(second, OB2_URL, ob3=False)
    assert [c[0] for c in _chunks(third)].count(b"iTXt") == 1
    assert unbake_png(third) == BakedPayload("ob2", OB2_URL, "url", "png")
    # Legacy tEXt is replaced as well, wherever it sits.
    legacy = png[:-12] + _chunk(b"tEXt", b"openbadges\x00" + OB2_URL.encode()) + png[-12:]
    fourth = bake_png(legacy, OB3_JSON, ob3=True)
    assert b"tEXt" not in [c[0] for c in _chunks(fourth)]
    assert unbake_png(fourth).kind == "ob3"
    # Re-baking the same payload is idempotent.
    assert bake_png(first, OB3_JSON, ob3=True) == first


def test_png_keeps_other_text_chunks(png):
    other = _itxt("Description", "Badge artwork ✓".encode())
    baked = bake_png(_insert_after_ihdr(png, other), OB3_JSON, ob3=True)
    with Image.open(io.BytesIO(baked)) as image:
        assert image.text["Description"] == "Badge artwork ✓"
    assert unbake_png(baked).text == OB3_JSON


@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "zlib"])
def test_png_written_by_pillow_is_read(compressed):
    """Pillow is an independent iTXt writer; it also compresses when asked (spec says not to,
    but such files exist and are read within the payload limit)."""
    info = PngImagePlugin.PngInfo()
    info.add_itxt("openbadges", OB2_JSON, zip=compressed)
    image = Image.new("RGB", (8, 8), (10, 120, 200))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", pnginfo=info)
    assert unbake(buffer.getvalue()) == BakedPayload("ob2", OB2_JSON, "json", "png")


def test_png_legacy_text_chunk_is_read():
    info = PngImagePlugin.PngInfo()
    info.add_text("openbadges", OB2_URL)
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "PNG", pnginfo=info)
    assert unbake(buffer.getvalue()) == BakedPayload("ob2", OB2_URL, "url", "png", legacy=True)


def test_png_legacy_compressed_text_chunk_is_read(png):
    """ImageMagick (used by PHP bakers) writes long properties as zTXt."""
    legacy = _insert_after_ihdr(
        png, _chunk(b"zTXt", b"openbadges\x00\x00" + zlib.compress(OB2_URL.encode("latin-1")))
    )
    assert unbake(legacy) == BakedPayload("ob2", OB2_URL, "url", "png", legacy=True)
    bomb = _chunk(b"zTXt", b"openbadges\x00\x00" + _zeros_deflate(64 << 20))
    with pytest.raises(BakingError) as excinfo:
        unbake(_insert_after_ihdr(png, bomb))
    assert _code(excinfo) == "baking.decompression_bomb"
    bad_method = _chunk(b"zTXt", b"openbadges\x00\x07" + zlib.compress(b"x"))
    with pytest.raises(BakingError) as excinfo:
        unbake(_insert_after_ihdr(png, bad_method))
    assert _code(excinfo) == "baking.chunk_invalid"
    assert bake_png(legacy, OB3_JWT, ob3=True) == bake_png(png, OB3_JWT, ob3=True)


def test_png_itxt_wins_over_legacy_text(png):
    both = _insert_after_ihdr(
        png,
        _chunk(b"tEXt", b"openbadges\x00https://old.example.org/a/1"),
        _itxt("openbadges", OB2_JSON.encode()),
    )
    assert unbake_png(both) == BakedPayload("ob2", OB2_JSON, "json", "png")


@pytest.mark.parametrize(
    "extra",
    [
        [_itxt("openbadgecredential", OB3_JSON.encode())] * 2,
        [_itxt("openbadges", OB2_URL.encode())] * 2,
        [_itxt("openbadgecredential", OB3_JSON.encode()), _itxt("openbadges", b"https://x.eu/1")],
        [_chunk(b"tEXt", b"openbadges\x00https://x.eu/1")] * 2,
    ],
    ids=["two-ob3", "two-ob2", "ob3-and-ob2", "two-legacy"],
)
def test_png_more_than_one_badge_is_refused(png, extra):
    with pytest.raises(BakingError) as excinfo:
        unbake_png(_insert_after_ihdr(png, *extra))
    assert _code(excinfo) == "baking.multiple_badges"


def test_png_without_badge(png):
    with pytest.raises(BakingError) as excinfo:
        unbake(png)
    assert _code(excinfo) == "baking.no_badge"
    assert "does not contain a badge" in str(excinfo.value)


def test_png_keyword_must_match_exactly(png):
    lookalike = _insert_after_ihdr(png, _itxt("openbadgesx", OB2_URL.encode()))
    with pytest.raises(BakingError) as excinfo:
        unbake_png(lookalike)
    assert _code(excinfo) == "baking.no_badge"


# hostile PNGs


@pytest.mark.parametrize(
    ("cut", "code"),
    [
        (7, "baking.not_image"),  # inside the signature
        (20, "baking.truncated"),  # inside IHDR
        (40, "baking.truncated"),  # inside the badge chunk
        (-30, "baking.truncated"),  # inside IDAT
        (-6, "baking.truncated"),  # IEND cut
        (-12, "baking.truncated"),  # IEND missing entirely
    ],
)
def test_png_truncated(png, cut, code):
    data = bake_png(png, OB3_JSON, ob3=True)[:cut]
    with pytest.raises(BakingError) as excinfo:
        unbake(data)
    assert _code(excinfo) == code


def test_png_bad_crc(png):
    baked = bytearray(bake_png(png, OB3_JSON, ob3=True))
    baked[60] ^= 0x01  # inside the badge text
    with pytest.raises(BakingError) as excinfo:
        unbake_png(bytes(baked))
    assert _code(excinfo) == "baking.crc"
    assert "iTXt" in str(excinfo.value)


@pytest.mark.parametrize(
    ("length", "code"),
    [(0x7FFFFFFF, "baking.truncated"), (0xFFFFFFF0, "baking.chunk_invalid")],
)
def test_png_huge_declared_length(png, length, code):
    hostile = _insert_after_ihdr(png, struct.pack(">I", length) + b"iTXt" + b"openbadges\x00")
    with pytest.raises(BakingError) as excinfo:
        unbake_png(hostile)
    assert _code(excinfo) == code


def test_png_decompression_bomb_is_refused(png):
    bomb = _zeros_deflate(1 << 30)  # one GiB of zeros in about a megabyte
    assert len(bomb) < 2 * 1024 * 1024
    hostile = _insert_after_ihdr(png, _itxt("openbadgecredential", bomb, compressed=True))
    with pytest.raises(BakingError) as excinfo:
        unbake(hostile)
    assert _code(excinfo) == "baking.decompression_bomb"
    assert "4,194,304" in str(excinfo.value)


def test_zeros_deflate_helper_builds_a_valid_stream():
    """The bomb above is real: the same construction inflates to exactly its size."""
    total, inflater, produced = 8 << 20, zlib.decompressobj(), 0
    data = _zeros_deflate(total)
    while data:
        out = inflater.decompress(data, 1 << 20)
        assert out.count(0) == len(out)
        produced += len(out)
        data = inflater.unconsumed_tail
    assert inflater.eof and produced == total


def test_png_compressed_text_within_limits(png):
    text = OB3_JSON.encode()
    good = _insert_after_ihdr(
        png, _itxt("openbadgecredential", zlib.compress(text), compressed=True)
    )
    assert unbake_png(good).text == OB3_JSON
    damaged = _itxt("openbadgecredential", zlib.compress(text)[:-9], compressed=True)
    with pytest.raises(BakingError) as excinfo:
        unbake_png(_insert_after_ihdr(png, damaged))
    assert _code(excinfo) in {"baking.truncated", "baking.chunk_invalid"}
    garbage = _itxt("openbadgecredential", b"not zlib at all", compressed=True)
    with pytest.raises(BakingError) as excinfo:
        unbake_png(_insert_after_ihdr(png, garbage))
    assert _code(excinfo) == "baking.chunk_invalid"


def test_png_payload_limit(png):
    baked = bake_png(png, OB3_JSON, ob3=True)
    with pytest.raises(BakingError) as excinfo:
        unbake_png(baked, max_payload=100)
    assert _code(excinfo) == "baking.too_large"


def test_png_size_limit(png):
    with pytest.raises(BakingError) as excinfo:
        unbake(png, max_size=len(png) - 1)
    assert _code(excinfo) == "baking.too_large"
    with pytest.raises(BakingError) as excinfo:
        bake_png(png, OB3_JSON, ob3=True, max_size=len(png) - 1)
    assert _code(excinfo) == "baking.too_large"


@pytest.mark.parametrize(
    "body",
    [
        b"openbadgecredential\x00\x00\x00\x00\x00\xff\xfe not utf-8",
        b"openbadgecredential\x00\x00\x00\x00\x00just some words",
        b"openbadgecredential\x00\x00\x00",
        b"openbadgecredential\x00\x02\x00\x00\x00{}",
    ],
    ids=["not-utf8", "not-a-badge", "no-separators", "bad-flag"],
)
def test_png_malformed_badge_chunk(png, body):
    with pytest.raises(BakingError) as excinfo:
        unbake_png(_insert_after_ihdr(png, _chunk(b"iTXt", body)))
    assert _code(excinfo) in {"baking.payload_invalid", "baking.chunk_invalid"}


def test_png_structure_errors(png):
    no_ihdr = png[:8] + _chunk(b"tEXt", b"a\x00b") + png[8:]
    no_idat = png[:33] + _chunk(b"IEND", b"")
    bad_type = _insert_after_ihdr(png, _chunk(b"i\x00Xt", b""))
    for data in (no_ihdr, no_idat, bad_type):
        with pytest.raises(BakingError) as excinfo:
            unbake_png(data)
        assert _code(excinfo) == "baking.chunk_invalid"


def test_polyglot_starting_like_png_is_refused():
    fake = b"\x89PNG\r\n\x1a\n" + b"PK\x03\x04" + bytes(200)
    with pytest.raises(BakingError) as excinfo:
        unbake(fake)
    assert _code(excinfo) in {"baking.chunk_invalid", "baking.truncated"}
    half_signature = b"\x89PNG\r\n" + bytes(50)
    with pytest.raises(BakingError) as excinfo:
        unbake(half_signature)
    assert _code(excinfo) == "baking.not_image"


@pytest.mark.parametrize(
    "data",
    [b"", b"hello world", b"\xff\xd8\xff\xe0\x00\x10JFIF", b"%PDF-1.7\n", b'{"a": 1}'],
    ids=["empty", "text", "jpeg", "pdf", "json"],
)
def test_not_an_image(data):
    assert image_type(data) is None
    with pytest.raises(BakingError) as excinfo:
        unbake(data)
    assert _code(excinfo) == "baking.not_image"
    assert str(excinfo.value) == "This file is not a PNG or SVG image."


def test_bake_png_refuses_bad_input(png):
    for payload, ob3 in ((OB2_URL, True), ("hello", False), ("[1, 2]", True), ("{oops", True)):
        with pytest.raises(BakingError) as excinfo:
            bake_png(png, payload, ob3=ob3)
        assert _code(excinfo) == "baking.payload_invalid"
    with pytest.raises(BakingError) as excinfo:
        bake_png(b"GIF89a" + bytes(40), OB3_JSON, ob3=True)
    assert _code(excinfo) == "baking.not_image"
    with pytest.raises(BakingError) as excinfo:
        bake_png(png[:-20], OB3_JSON, ob3=True)
    assert _code(excinfo) == "baking.truncated"
    with pytest.raises(TypeError):
        bake_png(png, CREDENTIAL, ob3=True)


# ------------------------------------------------------------------------------------------
# SVG


def _root(svg: bytes) -> Element:
    return fromstring(svg)


@pytest.mark.parametrize(
    ("payload", "ob3", "form", "verify"),
    [
        (OB3_JSON, True, "json", None),
        (OB3_JWT, True, "jws", None),
        (OB2_JSON, False, "json", OB2_URL),
        (OB2_JWS, False, "jws", None),
        (OB2_URL, False, "url", None),
    ],
    ids=["ob3-json", "ob3-jwt", "ob2-json", "ob2-jws", "ob2-url"],
)
def test_svg_round_trip(payload, ob3, form, verify):
    baked = bake_svg(SVG, payload, ob3=ob3)
    result = unbake_svg(baked)
    assert result == BakedPayload("ob3" if ob3 else "ob2", payload, form, "svg", verify=verify)
    assert unbake(baked) == result
    # The badge element is the first child of <svg>, in the namespace the spec names.
    first = _root(baked)[0]
    if ob3:
        assert first.tag == f"{{{SVG_NAMESPACE_OB3}}}credential"
        assert ("verify" in first.attrib) == (form == "jws")
    else:
        assert first.tag == f"{{{SVG_NAMESPACE_OB2}}}assertion"
        assert first.attrib["verify"] == (verify or payload)
    assert _root(baked)[1].tag == f"{{{SVG_NS}}}circle"


def test_svg_bake_is_a_splice(png):
    baked = bake_svg(SVG, OB3_JSON, ob3=True)
    element_start = baked.index(b"<openbadges:credential>")
    element_end = baked.index(b"</openbadges:credential>") + len(b"</openbadges:credential>")
    namespace = b' xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"'
    assert namespace in baked[:element_start]
    restored = (baked[:element_start] + baked[element_end:]).replace(namespace, b"", 1)
    assert restored == SVG
    assert b"]]]]><![CDATA[>" in baked  # the "]]>" inside the name was split safely


def test_svg_ob2_json_verify_url_given_or_missing():
    baked = bake_svg(SVG, OB2_JSON, ob3=False, verify_url="https://other.example.eu/a?x=1&y=2")
    assert b'verify="https://other.example.eu/a?x=1&amp;y=2"' in baked
    assert unbake_svg(baked).verify == "https://other.example.eu/a?x=1&y=2"
    without_id = json.dumps({"type": "Assertion", "id": "urn:uuid:1"})
    with pytest.raises(BakingError) as excinfo:
        bake_svg(SVG, without_id, ob3=False)
    assert _code(excinfo) == "baking.payload_invalid"
    for payload, ob3 in ((OB3_JSON, True), (OB2_JWS, False)):
        with pytest.raises(BakingError) as excinfo:
            bake_svg(SVG, payload, ob3=ob3, verify_url=OB2_URL)
        assert _code(excinfo) == "baking.payload_invalid"


def test_svg_rebake_replaces_existing_element():
    once = bake_svg(SVG, OB3_JSON, ob3=True)
    twice = bake_svg(once, OB3_JWT, ob3=True)
    assert twice.count(b"openbadges:credential ") == 1 and b"CDATA" not in twice
    assert unbake_svg(twice).text == OB3_JWT
    other = bake_svg(twice, OB2_URL, ob3=False)
    assert b"openbadges:credential" not in other
    assert other.count(b"xmlns:openbadges=") == 1
    assert _root(other)[0].tag == f"{{{SVG_NAMESPACE_OB2}}}assertion"
    assert unbake_svg(other) == BakedPayload("ob2", OB2_URL, "url", "svg")
    back = bake_svg(other, OB3_JSON, ob3=True)
    assert unbake_svg(back).text == OB3_JSON


def test_svg_prefix_bound_elsewhere_is_not_rebound():
    """Markup that uses the openbadges prefix for another namespace keeps its meaning: the
    new element declares the namespace itself instead of rebinding the root's prefix."""
    foreign = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://example.org/other">'
        b"<openbadges:credential>not a badge</openbadges:credential><rect/></svg>"
    )
    for payload, ob3 in ((OB3_JWT, True), (OB2_JWS, False)):
        baked = bake_svg(foreign, payload, ob3=ob3)
        assert b'xmlns:openbadges="https://example.org/other"' in baked
        assert b"not a badge" in baked
        assert unbake_svg(baked).text == payload
    # Only the declaration itself is rewritten, not the same text inside another value.
    decoy = b"<svg xmlns='http://www.w3.org/2000/svg' data-x=\" xmlns:openbadges='a'\"" + (
        b" xmlns:openbadges = 'http://openbadges.org'><openbadges:assertion verify='a.b.c'/></svg>"
    )
    rebaked = bake_svg(decoy, OB3_JWT, ob3=True)
    assert rebaked.startswith(
        b"<svg xmlns='http://www.w3.org/2000/svg' data-x=\" xmlns:openbadges='a'\""
        b' xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">'
    )
    assert unbake_svg(rebaked).text == OB3_JWT
    # An element of the other badge namespace under the prefix is kept as well.
    mixed = bake_svg(SVG, OB2_URL, ob3=False).replace(b"<circle", b"<openbadges:note/><circle")
    baked = bake_svg(mixed, OB3_JWT, ob3=True)
    assert b"<openbadges:note/>" in baked and b'"http://openbadges.org"' in baked
    assert unbake_svg(baked) == BakedPayload("ob3", OB3_JWT, "jws", "svg")


def test_svg_replaces_nested_and_self_closing_elements():
    nested = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">'
        b'<g><openbadges:assertion verify="https://x.eu/1" /></g><rect width="1"/></svg>'
    )
    baked = bake_svg(nested, OB3_JWT, ob3=True)
    assert b"<g></g>" in baked
    assert unbake_svg(baked).text == OB3_JWT
    empty_root = bake_svg(b"<svg xmlns='http://www.w3.org/2000/svg' width='4'/>", OB3_JWT, ob3=True)
    assert empty_root.endswith(b"</openbadges:credential></svg>")
    assert unbake_svg(empty_root).text == OB3_JWT


def test_svg_from_another_implementation_layout():
    """openbadges-bakery layout: verify URL plus an indented CDATA body with whitespace."""
    data = (DATA / "ob2-hosted-bakery-layout.svg").read_bytes()
    result = unbake(data)
    assert result.kind == "ob2" and result.form == "json" and result.image_type == "svg"
    assert result.verify == "https://badges.example.eu/ob2/assertions/9f2c4b7e"
    assert json.loads(result.text)["id"] == result.verify
    rebaked = bake_svg(data, OB3_JWT, ob3=True)
    assert unbake(rebaked).text == OB3_JWT
    assert b"<title>Data Literacy Basics</title>" in rebaked


def test_svg_with_doctype_line_and_editor_metadata():
    data = (DATA / "ob3-credential-doctype.svg").read_bytes()
    result = unbake(data)
    assert result.kind == "ob3" and result.form == "json"
    assert json.loads(result.text)["name"] == "Data Literacy Basics"
    rebaked = bake_svg(data, OB3_JWT, ob3=True)
    assert rebaked.startswith(data[: data.index(b"<svg")])  # prolog and DOCTYPE untouched
    assert unbake(rebaked).form == "jws"


def test_svg_external_dtd_line_is_not_fetched_and_its_entities_refused():
    external = (
        b'<?xml version="1.0" standalone="no"?>'
        b'<!DOCTYPE svg SYSTEM "http://attacker.example/x.dtd">'
        b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="1"/></svg>'
    )
    assert b'<rect width="1"/>' in sanitize_svg(external)
    with pytest.raises(BakingError) as excinfo:
        sanitize_svg(external.replace(b'<rect width="1"/>', b"<text>&nbsp;</text>"))
    assert _code(excinfo) == "baking.xml_entities"


def test_svg_verify_attribute_empty_with_body():
    data = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="'
        + SVG_NAMESPACE_OB3.encode()
        + b'"><openbadges:credential verify=""><![CDATA[\n'
        + OB3_JSON.replace("]]>", "]]]]><![CDATA[>").encode()
        + b"\n]]></openbadges:credential></svg>"
    )
    assert unbake_svg(data) == BakedPayload("ob3", OB3_JSON, "json", "svg")


def test_svg_bake_refuses_non_utf8_and_bad_payload():
    latin = b'<?xml version="1.0" encoding="ISO-8859-1"?><svg xmlns="http://www.w3.org/2000/svg"/>'
    utf16 = '<svg xmlns="http://www.w3.org/2000/svg"/>'.encode("utf-16")
    for data in (latin, utf16):
        with pytest.raises(BakingError) as excinfo:
            bake_svg(data, OB3_JWT, ob3=True)
        assert _code(excinfo) == "baking.svg_encoding"
    # Reading a UTF-16 baked SVG still works: the parser handles encodings.
    utf16_baked = bake_svg(SVG, OB3_JWT, ob3=True).decode().replace("UTF-8", "UTF-16")
    assert unbake(utf16_baked.encode("utf-16")).text == OB3_JWT
    with pytest.raises(BakingError) as excinfo:
        bake_svg(SVG, json.dumps({"name": "\ufffe"}, ensure_ascii=False), ob3=True)
    assert _code(excinfo) == "baking.payload_invalid"


def test_svg_without_or_with_several_badges():
    with pytest.raises(BakingError) as excinfo:
        unbake(SVG)
    assert _code(excinfo) == "baking.no_badge"
    two = bake_svg(SVG, OB3_JWT, ob3=True).replace(
        b"<circle", b'<openbadges:credential verify="a.b.c"/><circle'
    )
    with pytest.raises(BakingError) as excinfo:
        unbake(two)
    assert _code(excinfo) == "baking.multiple_badges"
    empty = bake_svg(SVG, OB3_JWT, ob3=True).replace(f'verify="{OB3_JWT}"'.encode(), b"")
    with pytest.raises(BakingError) as excinfo:
        unbake(empty)
    assert _code(excinfo) == "baking.no_badge"


# hostile SVGs

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE svg [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">
<openbadges:assertion verify="https://x.eu/1">&lol9;</openbadges:assertion></svg>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">
<openbadges:assertion verify="https://x.eu/1">&xxe;</openbadges:assertion></svg>"""

PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY % remote SYSTEM "http://attacker.example/x.dtd"> %remote;]>
<svg xmlns="http://www.w3.org/2000/svg"/>"""

UNDEFINED_ENTITY = b'<svg xmlns="http://www.w3.org/2000/svg"><text>&nope;</text></svg>'

ATTLIST_DEFAULT = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ATTLIST svg onload CDATA "alert(1)">]>
<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>"""


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (BILLION_LAUGHS, "baking.xml_entities"),
        (EXTERNAL_ENTITY, "baking.xml_entities"),
        (PARAMETER_ENTITY, "baking.xml_entities"),
        (UNDEFINED_ENTITY, "baking.xml_entities"),
        (ATTLIST_DEFAULT, "baking.xml_dtd"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><g></svg>", "baking.xml_invalid"),
        (b"<?xml version='1.0'?><html><body/></html>", "baking.not_image"),
        (b"<svg" + b"<g>" * 10, "baking.xml_invalid"),
        (
            b"<svg xmlns='http://www.w3.org/2000/svg'>" + b"<g>" * 300 + b"</g>" * 300 + b"</svg>",
            "baking.svg_too_deep",
        ),
    ],
    ids=[
        "billion-laughs",
        "external-entity",
        "parameter-entity",
        "undefined-entity",
        "attlist-default",
        "malformed",
        "not-svg",
        "garbage",
        "too-deep",
    ],
)
def test_hostile_svg_is_refused_everywhere(data, code):
    for operation in (
        unbake,
        unbake_svg,
        sanitize_svg,
        lambda svg: bake_svg(svg, OB3_JWT, ob3=True),
    ):
        with pytest.raises(BakingError) as excinfo:
            operation(data)
        assert _code(excinfo) == code, operation
        assert str(excinfo.value)


def test_svg_size_limit():
    baked = bake_svg(SVG, OB3_JWT, ob3=True)
    for operation in (unbake, unbake_svg, sanitize_svg):
        with pytest.raises(BakingError) as excinfo:
            operation(baked, max_size=100)
        assert _code(excinfo) == "baking.too_large"
    with pytest.raises(BakingError) as excinfo:
        unbake_svg(bake_svg(SVG, OB3_JSON, ob3=True), max_payload=50)
    assert _code(excinfo) == "baking.too_large"


# sanitising

HOSTILE_DRAWING = """<?xml version="1.0" encoding="UTF-8"?>
<?xml-stylesheet href="https://evil.example/x.css"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     xmlns:openbadges="http://openbadges.org" viewBox="0 0 100 100" onload="alert(1)">
  <!-- a comment -->
  <openbadges:assertion verify="https://x.eu/1"/>
  <script>alert(1)</script>
  <script xlink:href="https://evil.example/x.js"/>
  <style>@import url(https://evil.example/a.css); .a { fill: red }</style>
  <style>.b { fill: url(https://evil.example/p.svg#x) }</style>
  <style>.keep { fill: url(#grad) } circle > rect { stroke: blue }</style>
  <foreignObject width="10" height="10"><div xmlns="http://www.w3.org/1999/xhtml">hi</div></foreignObject>
  <defs>
    <linearGradient id="grad" xlink:href="https://evil.example/g.svg#g">
      <stop offset="0" stop-color="#f00"/>
    </linearGradient>
  </defs>
  <a xlink:href="javascript:alert(1)" transform="translate(1 1)"
    ><circle r="10" onclick="steal()" fill="url(#grad)"/></a>
  <a href="https://evil.example/">   <rect id="linked" width="5" height="5"/></a>
  <image href="https://evil.example/track.png" width="1" height="1"/>
  <image xlink:href="data:image/png;base64,iVBORw0KGgo=" width="2" height="2"/>
  <image href="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=" width="3" height="3"/>
  <use href="https://evil.example/sprite.svg#icon"/>
  <use xlink:href="#linked" x="20"/>
  <rect width="50" height="50"
        style="fill: url(https://evil.example/leak); stroke: #000; stroke-width: 2"/>
  <rect width="40" height="40" fill="url(http://evil.example/p)" stroke="url(#grad)"/>
  <animate attributeName="href" to="javascript:alert(1)"/>
  <set attributeName="onmouseover" to="alert(1)"/>
  <text x="5" y="90" font-family="sans-serif" xml:space="preserve">Zoë &amp; co &lt;3</text>
  <feImage href="https://evil.example/x.png"/>
</svg>""".encode()


@pytest.fixture(scope="module")
def sanitized() -> bytes:
    return sanitize_svg(HOSTILE_DRAWING)


def test_sanitize_removes_active_and_external_content(sanitized):
    text = sanitized.decode()
    for forbidden in (
        "script",
        "onload",
        "onclick",
        "onmouseover",
        "javascript",
        "foreignObject",
        "evil.example",
        "@import",
        "animate",
        "<set",
        "xml-stylesheet",
        "comment",
        "openbadges",
        "svg+xml",
        "<a ",
        "feImage",
    ):
        assert forbidden not in text, forbidden


def test_sanitize_keeps_the_drawing(sanitized):
    root = _root(sanitized)
    assert root.tag == f"{{{SVG_NS}}}svg" and root.attrib["viewBox"] == "0 0 100 100"
    tags = [element.tag.rpartition("}")[2] for element in root.iter()]
    assert tags.count("rect") == 3 and "circle" in tags and "linearGradient" in tags
    assert tags.count("image") == 1 and tags.count("use") == 1 and tags.count("style") == 1
    image = root.find(f"{{{SVG_NS}}}image")
    assert image.attrib["{http://www.w3.org/1999/xlink}href"].startswith("data:image/png;")
    use = root.find(f"{{{SVG_NS}}}use")
    assert use.attrib["{http://www.w3.org/1999/xlink}href"] == "#linked"
    link_group = root.findall(f"{{{SVG_NS}}}g")[0]
    assert link_group.attrib == {"transform": "translate(1 1)"}
    circle = link_group[0]
    assert circle.attrib == {"r": "10", "fill": "url(#grad)"}
    gradient = root.find(f".//{{{SVG_NS}}}linearGradient")
    assert gradient.attrib == {"id": "grad"} and len(gradient) == 1
    styled, stroked = root.findall(f"{{{SVG_NS}}}rect")
    assert styled.attrib["style"] == " stroke: #000; stroke-width: 2"
    assert "fill" not in stroked.attrib and stroked.attrib["stroke"] == "url(#grad)"
    text = root.find(f"{{{SVG_NS}}}text")
    assert text.text == "Zoë & co <3"
    assert text.attrib["{http://www.w3.org/XML/1998/namespace}space"] == "preserve"
    style = root.find(f"{{{SVG_NS}}}style")
    assert style.text == ".keep { fill: url(#grad) } circle > rect { stroke: blue }"


def test_sanitize_is_stable_and_keeps_clean_svgs(sanitized):
    assert sanitize_svg(sanitized) == sanitized
    clean = sanitize_svg(SVG)
    circle = _root(clean)[0]
    assert circle.attrib == {"cx": "32", "cy": "32", "r": "30", "fill": "#1d4ed8"}
    # A baked image loses its badge when sanitised for display, never its drawing.
    from_baked = sanitize_svg(bake_svg(SVG, OB3_JSON, ob3=True))
    assert from_baked == clean


def test_sanitize_svg_without_namespace_and_with_doctype():
    bare = b'<svg viewBox="0 0 4 4"><rect width="4" height="4" onclick="x()"/></svg>'
    result = _root(sanitize_svg(bare))
    assert result.tag == f"{{{SVG_NS}}}svg"
    assert result[0].attrib == {"width": "4", "height": "4"}
    exported = sanitize_svg((DATA / "ob3-credential-doctype.svg").read_bytes())
    assert b"DOCTYPE" not in exported and b"inkscape" not in exported
    assert b"<circle" in exported and b">Data</text>" in exported


@pytest.mark.parametrize(
    ("css", "safe"),
    [
        ("fill: url(#g); stroke: rgb(0, 0, 0)", True),
        ("transform: rotate(45deg) translate(2px, 3px)", True),
        ("@media (max-width: 10px) { .a { fill: red } }", True),
        ("fill: url( '#g' )", True),
        ("fill: url(https://evil.example/x)", False),
        ("fill: url ( 'https://evil.example/x' )", False),
        ("background: image-set('https://evil.example/x.png' 1x)", False),
        ("background: u<b>rl(https://evil.example/x)", False),
        ("@import 'https://evil.example/x.css';", False),
        ("@font-face { src: local(x) }", False),
        ("fill: \\75rl(https://evil.example/x)", False),
        ("width: expression(alert(1))", False),
        ("-moz-binding: x", False),
    ],
)
def test_style_values_that_load_anything_are_dropped(css, safe):
    attribute, text = html.escape(css, quote=True), html.escape(css, quote=False)
    drawing = (
        f'<svg xmlns="{SVG_NS}"><rect width="1" style="{attribute}"/><style>{text}</style></svg>'
    )
    cleaned = _root(sanitize_svg(drawing.encode()))
    assert ("style" in cleaned[0].attrib) == safe
    assert (len(cleaned) == 2) == safe


def test_sanitize_keeps_text_attributes_with_parentheses():
    labelled = f'<svg xmlns="{SVG_NS}" role="img" aria-label="Badge (2025)"><g id="a(1)"/></svg>'
    cleaned = _root(sanitize_svg(labelled.encode()))
    assert cleaned.attrib == {"role": "img", "aria-label": "Badge (2025)"}
    assert cleaned[0].attrib == {"id": "a(1)"}


def test_sanitize_unwraps_links_inside_text_as_spans():
    linked = (
        b'<svg xmlns="http://www.w3.org/2000/svg"><text x="1">Go <a href="https://x.eu">'
        b'<tspan font-weight="bold">here</tspan></a> now</text></svg>'
    )
    text = _root(sanitize_svg(linked))[0]
    assert [child.tag.rpartition("}")[2] for child in text] == ["tspan"]
    assert text[0][0].text == "here" and text[0].tail == " now"
    assert b"x.eu" not in sanitize_svg(linked)


# ------------------------------------------------------------------------------------------
# either format


def test_bake_sniffs_the_image_type(png):
    assert unbake(bake(png, OB3_JSON, ob3=True)).image_type == "png"
    assert unbake(bake(SVG, OB2_JSON, ob3=False, verify_url=OB2_URL)).verify == OB2_URL
    assert bake(png, OB3_JWT, ob3=True) == bake_png(png, OB3_JWT, ob3=True)
    with pytest.raises(BakingError) as excinfo:
        bake(png, OB2_JSON, ob3=False, verify_url=OB2_URL)
    assert _code(excinfo) == "baking.payload_invalid"
    with pytest.raises(BakingError) as excinfo:
        bake(b"GIF89a...", OB3_JSON, ob3=True)
    assert _code(excinfo) == "baking.not_image"


def test_buffers_other_than_bytes_are_accepted(png):
    baked = bake_png(bytearray(png), OB3_JWT, ob3=True)
    assert unbake(memoryview(baked)).text == OB3_JWT
    assert unbake(bytearray(bake_svg(memoryview(SVG), OB3_JWT, ob3=True))).text == OB3_JWT


# ------------------------------------------------------------------------------------------
# fuzzing: damaged input of any kind gives a BakingError, never another exception


def _fix_crcs(data: bytearray) -> bytes:
    pos = 8
    while pos + 12 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        end = pos + 12 + length
        if end > len(data):
            break
        data[end - 4 : end] = struct.pack(">I", zlib.crc32(data[pos + 4 : end - 4]))
        pos = end
    return bytes(data)


def _outcome(operation, data) -> str:
    try:
        operation(data)
    except BakingError as error:
        assert error.code.startswith("baking.") and str(error)
        return error.code
    return "ok"


def test_fuzzed_pngs_fail_cleanly(png):
    rng = random.Random(20261127)
    baked = bake_png(_insert_after_ihdr(png, _itxt("Comment", b"x" * 40)), OB3_JSON, ob3=True)
    codes = set()
    for _ in range(600):
        data = bytearray(baked)
        for _ in range(rng.randint(1, 4)):
            position = rng.randrange(8, len(data))
            choice = rng.random()
            if choice < 0.5:
                data[position] = rng.randrange(256)
            elif choice < 0.75:
                del data[position : position + rng.randint(1, 30)]
            else:
                data[position:position] = rng.randbytes(rng.randint(1, 30))
        mutated = _fix_crcs(data) if rng.random() < 0.8 else bytes(data)
        codes.add(_outcome(unbake, mutated))
        codes.add(_outcome(lambda d: bake_png(d, OB3_JWT, ob3=True), mutated))
    # The mutations reach deep enough to hit the chunk, CRC, truncation and payload checks.
    assert {"baking.crc", "baking.truncated", "baking.chunk_invalid"} <= codes
    assert "baking.payload_invalid" in codes or "baking.multiple_badges" in codes


def test_fuzzed_svgs_fail_cleanly():
    rng = random.Random(7)
    baked = bake_svg((DATA / "ob2-hosted-bakery-layout.svg").read_bytes(), OB2_JWS, ob3=False)
    alphabet = [b"<", b">", b"&", b'"', b"]]>", b"<![CDATA[", b"/", b"=", b"\x00", b"\xff", b"&#0;"]
    codes = set()
    for _ in range(300):
        data = bytearray(baked)
        for _ in range(rng.randint(1, 3)):
            position = rng.randrange(len(data))
            if rng.random() < 0.5:
                del data[position : position + rng.randint(1, 12)]
            else:
                data[position:position] = rng.choice(alphabet)
        mutated = bytes(data)
        codes.add(_outcome(unbake, mutated))
        codes.add(_outcome(sanitize_svg, mutated))
        codes.add(_outcome(lambda d: bake_svg(d, OB3_JWT, ob3=True), mutated))
    assert "baking.xml_invalid" in codes and "ok" in codes
