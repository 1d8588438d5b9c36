"""Baking: Open Badges data carried inside PNG and SVG images.

Follows the Open Badges 2.0 Baking Specification and Open Badges 3.0 §5.3 ("Baked Badge"):

- PNG: one ``iTXt`` chunk, keyword ``openbadgecredential`` (3.0: credential JSON or compact JWS)
  or ``openbadges`` (2.0: assertion JSON, compact JWS or hosted URL); legacy ``tEXt:openbadges``
  (a hosted URL) is read but never written.
- SVG: ``<openbadges:credential>`` (namespace ``https://purl.imsglobal.org/ob/v3p0``) or
  ``<openbadges:assertion>`` (namespace ``http://openbadges.org``) as the first child of ``<svg>``.

Baking splices bytes and never re-encodes the image, so pixels and every other chunk or element
stay exactly as they were (and it is thousands of times faster than a re-encode). Unbaking reads
untrusted files: PNGs are walked chunk by chunk with bounds, CRC, size and decompression limits
(image data is never decoded); SVGs are parsed with defusedxml, which refuses entity tricks.
``sanitize_svg`` rebuilds an SVG from an allow-list so that it can be shown safely.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections import Counter
from dataclasses import dataclass
from typing import Literal, NamedTuple
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

import orjson
from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser

from openbadges.errors import BakingError

__all__ = [
    "DEFAULT_MAX_IMAGE_SIZE",
    "DEFAULT_MAX_PAYLOAD_SIZE",
    "BakedPayload",
    "bake",
    "bake_png",
    "bake_svg",
    "image_type",
    "sanitize_svg",
    "unbake",
    "unbake_png",
    "unbake_svg",
]

DEFAULT_MAX_IMAGE_SIZE = 10 * 1024 * 1024
# A credential with embedded image data URIs and endorsements stays well below this; anything
# bigger in a badge chunk is either a mistake or an attempt to exhaust memory.
DEFAULT_MAX_PAYLOAD_SIZE = 4 * 1024 * 1024

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_KEYWORD_OB3 = "openbadgecredential"
PNG_KEYWORD_OB2 = "openbadges"
SVG_NAMESPACE_OB3 = "https://purl.imsglobal.org/ob/v3p0"
SVG_NAMESPACE_OB2 = "http://openbadges.org"

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"

Kind = Literal["ob3", "ob2"]
Form = Literal["json", "jws", "url"]


@dataclass(frozen=True, slots=True)
class BakedPayload:
    """What an image carries.

    ``kind`` is ``"ob3"`` (an OpenBadgeCredential) or ``"ob2"`` (an OB 2.0 assertion);
    ``text`` is what was baked: credential/assertion JSON, a compact JWS/JWT or a URL (``form``
    says which), byte for byte from a PNG, without the whitespace around an SVG element's body.
    For an SVG assertion baked with its JSON, ``verify`` holds the ``verify`` attribute (the
    hosted assertion URL). ``legacy`` marks a pre-2.0 ``tEXt``/``zTXt`` chunk (usually a URL).
    """

    kind: Kind
    text: str
    form: Form = "json"
    image_type: Literal["png", "svg"] = "png"
    verify: str | None = None
    legacy: bool = False


# --------------------------------------------------------------------------------------------
# Payloads

_JWS_RE = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
_URL_RE = re.compile(r"https?://[^\s<>\"'`\\]+", re.IGNORECASE)
# Characters XML 1.0 cannot carry at all, not even as character references.
_XML_FORBIDDEN_RE = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _payload_form(text: str) -> Form | None:
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            value = orjson.loads(stripped)
        except orjson.JSONDecodeError:
            return None
        return "json" if isinstance(value, dict) else None
    if _JWS_RE.fullmatch(stripped):
        return "jws"
    if _URL_RE.fullmatch(stripped):
        return "url"
    return None


def _form_for_baking(payload: str, *, ob3: bool) -> Form:
    if not isinstance(payload, str):
        raise TypeError("payload must be a str (credential JSON, a compact JWS or a URL)")
    form = _payload_form(payload)
    if ob3 and form not in ("json", "jws"):
        raise BakingError(
            "An Open Badges 3.0 image can only carry the credential as JSON or as a compact "
            "JWS (VC-JWT).",
            code="baking.payload_invalid",
        )
    if form is None:
        raise BakingError(
            "An Open Badges 2.0 image can only carry the assertion as JSON, a compact JWS or "
            "the URL of the hosted assertion.",
            code="baking.payload_invalid",
        )
    return form


def _form_for_unbaking(text: str) -> Form:
    form = _payload_form(text)
    if form is None:
        raise BakingError(
            "The badge data in this image is neither JSON, a compact JWS nor a URL.",
            code="baking.payload_invalid",
        )
    return form


def _check_size(data: bytes, max_size: int) -> None:
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError("image must be bytes")
    if len(data) > max_size:
        raise BakingError(
            f"The image is {len(data):,} bytes, more than the {max_size:,} bytes accepted.",
            code="baking.too_large",
        )


def image_type(data: bytes) -> Literal["png", "svg"] | None:
    """``"png"`` or ``"svg"`` judging by the first bytes only; None for anything else."""
    if data[:8] == PNG_SIGNATURE:
        return "png"
    head = bytes(data[:512])
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "svg"  # UTF-16 XML; the parser decides whether it really is SVG
    head = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    # XML declaration or other processing instruction, comment, DOCTYPE, or the root itself.
    if head.startswith((b"<?", b"<!", b"<svg")):
        return "svg"
    return None


def unbake(
    data: bytes,
    *,
    max_size: int = DEFAULT_MAX_IMAGE_SIZE,
    max_payload: int = DEFAULT_MAX_PAYLOAD_SIZE,
) -> BakedPayload:
    """Extract the badge from a baked PNG or SVG, whichever ``data`` is."""
    _check_size(data, max_size)
    kind = image_type(data)
    if kind == "png":
        return unbake_png(data, max_size=max_size, max_payload=max_payload)
    if kind == "svg":
        return unbake_svg(data, max_size=max_size, max_payload=max_payload)
    raise BakingError("This file is not a PNG or SVG image.", code="baking.not_image")


def bake(
    image: bytes,
    payload: str,
    *,
    ob3: bool,
    verify_url: str | None = None,
    max_size: int = DEFAULT_MAX_IMAGE_SIZE,
) -> bytes:
    """Bake ``payload`` into a PNG or SVG, whichever ``image`` is (see bake_png, bake_svg)."""
    _check_size(image, max_size)
    kind = image_type(image)
    if kind == "png":
        if verify_url is not None:
            raise BakingError(
                "A verify URL only exists in baked SVG images; a PNG carries the payload alone.",
                code="baking.payload_invalid",
            )
        return bake_png(image, payload, ob3=ob3, max_size=max_size)
    if kind == "svg":
        return bake_svg(image, payload, ob3=ob3, verify_url=verify_url, max_size=max_size)
    raise BakingError("This file is not a PNG or SVG image.", code="baking.not_image")


# --------------------------------------------------------------------------------------------
# PNG

_CHUNK_HEAD = struct.Struct(">I4s")
_CRC = struct.Struct(">I")
_MAX_CHUNK_LENGTH = 2**31 - 1  # PNG §5.3: lengths are limited to 2^31 - 1
# Real encoders write at most a few thousand chunks; millions of tiny ones only burn CPU.
_MAX_CHUNKS = 100_000
_ITXT_PREFIX_OB3 = PNG_KEYWORD_OB3.encode() + b"\x00"
_ITXT_PREFIX_OB2 = PNG_KEYWORD_OB2.encode() + b"\x00"


class _Chunk(NamedTuple):
    type: bytes
    offset: int  # of the length field
    length: int  # of the data

    @property
    def data_start(self) -> int:
        return self.offset + 8

    @property
    def end(self) -> int:
        return self.offset + 12 + self.length


def _walk_png(png: bytes, *, check_crc: bool) -> list[_Chunk]:
    if png[:8] != PNG_SIGNATURE:
        raise BakingError("This file is not a PNG image.", code="baking.not_image")
    size = len(png)
    view = memoryview(png)
    chunks: list[_Chunk] = []
    pos = 8
    seen_idat = False
    while True:
        if pos + 8 > size:
            raise BakingError(
                "The PNG image is cut short: it ends before its final (IEND) chunk.",
                code="baking.truncated",
            )
        length, ctype = _CHUNK_HEAD.unpack_from(png, pos)
        if length > _MAX_CHUNK_LENGTH:
            raise BakingError(
                f"A PNG chunk declares a length of {length:,} bytes, more than PNG allows.",
                code="baking.chunk_invalid",
            )
        end = pos + 12 + length
        if end > size:
            raise BakingError(
                f"The PNG image is cut short: a chunk declares {length:,} bytes but only "
                f"{max(size - pos - 12, 0):,} remain.",
                code="baking.truncated",
            )
        if not (ctype.isalpha() and ctype.isascii()):
            raise BakingError(
                "The PNG image contains a chunk whose type is not four letters.",
                code="baking.chunk_invalid",
            )
        if not chunks and (ctype != b"IHDR" or length != 13):
            raise BakingError(
                "The PNG image does not start with a valid header (IHDR) chunk.",
                code="baking.chunk_invalid",
            )
        if check_crc:
            (stored,) = _CRC.unpack_from(png, end - 4)
            if zlib.crc32(view[pos + 4 : end - 4]) != stored:
                raise BakingError(
                    f"The PNG image is damaged: the checksum of a {ctype.decode()} chunk "
                    "does not match its contents.",
                    code="baking.crc",
                )
        chunks.append(_Chunk(ctype, pos, length))
        if len(chunks) > _MAX_CHUNKS:
            raise BakingError(
                "The PNG image is split into an unreasonable number of chunks.",
                code="baking.chunk_invalid",
            )
        pos = end
        if ctype == b"IDAT":
            seen_idat = True
        elif ctype == b"IEND":
            break
    if not seen_idat:
        raise BakingError("The PNG image has no image data.", code="baking.chunk_invalid")
    return chunks


def _badge_chunk_kind(png: bytes, chunk: _Chunk) -> str | None:
    """``"ob3"``/``"ob2"`` for a badge iTXt chunk, ``"legacy"`` for tEXt:openbadges."""
    if chunk.type == b"iTXt":
        start = chunk.data_start
        if png.startswith(_ITXT_PREFIX_OB3, start) and chunk.length >= len(_ITXT_PREFIX_OB3):
            return "ob3"
        if png.startswith(_ITXT_PREFIX_OB2, start) and chunk.length >= len(_ITXT_PREFIX_OB2):
            return "ob2"
    elif (
        chunk.type in (b"tEXt", b"zTXt")
        and png.startswith(_ITXT_PREFIX_OB2, chunk.data_start)
        and chunk.length >= len(_ITXT_PREFIX_OB2)
    ):
        return "legacy"
    return None


def _inflate(data: bytes, max_payload: int) -> bytes:
    inflater = zlib.decompressobj()
    try:
        # max_length stops inflating one byte past the cap, so a bomb costs almost nothing.
        out = inflater.decompress(data, max_payload + 1)
    except zlib.error as exc:
        raise BakingError(
            "The compressed badge data in the PNG image is damaged.",
            code="baking.chunk_invalid",
        ) from exc
    if len(out) > max_payload:
        raise BakingError(
            f"The compressed badge data in the PNG image expands to more than "
            f"{max_payload:,} bytes and was refused.",
            code="baking.decompression_bomb",
        )
    if not inflater.eof:
        raise BakingError(
            "The compressed badge data in the PNG image is cut short.",
            code="baking.truncated",
        )
    return out


def _itxt_text(body: bytes, max_payload: int) -> str:
    """Text of an iTXt chunk (PNG §11.3.4.5); the keyword was already checked."""
    invalid = BakingError(
        "The badge text chunk (iTXt) of the PNG image is malformed.",
        code="baking.chunk_invalid",
    )
    keyword_end = body.find(b"\x00")
    if keyword_end < 1 or len(body) < keyword_end + 3:
        raise invalid
    flag, method = body[keyword_end + 1], body[keyword_end + 2]
    language_end = body.find(b"\x00", keyword_end + 3)
    if language_end < 0:
        raise invalid
    translated_end = body.find(b"\x00", language_end + 1)
    if translated_end < 0:
        raise invalid
    raw = body[translated_end + 1 :]
    if flag == 0:
        text = raw
    elif flag == 1 and method == 0:
        # Baking must not compress, but other tools do; accept it within the same limit.
        text = _inflate(raw, max_payload)
    else:
        raise invalid
    if len(text) > max_payload:
        raise BakingError(
            f"The badge data in the PNG image is larger than {max_payload:,} bytes.",
            code="baking.too_large",
        )
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BakingError(
            "The badge data in the PNG image is not valid UTF-8 text.",
            code="baking.payload_invalid",
        ) from exc


def unbake_png(
    png: bytes,
    *,
    max_size: int = DEFAULT_MAX_IMAGE_SIZE,
    max_payload: int = DEFAULT_MAX_PAYLOAD_SIZE,
) -> BakedPayload:
    """Extract the badge from a baked PNG.

    The whole chunk stream is checked (signature, bounds, CRCs, IEND) although the specs allow
    stopping at the first badge chunk: a damaged or ambiguous file is refused, not half-read.
    """
    _check_size(png, max_size)
    png = bytes(png)
    chunks = _walk_png(png, check_crc=True)
    found: dict[str, list[_Chunk]] = {"ob3": [], "ob2": [], "legacy": []}
    for chunk in chunks:
        kind = _badge_chunk_kind(png, chunk)
        if kind is not None:
            found[kind].append(chunk)
    for kind, label in (("ob3", "openbadgecredential"), ("ob2", "openbadges"), ("legacy", "")):
        if len(found[kind]) > 1:
            name = f"iTXt:{label}" if label else "tEXt/zTXt:openbadges"
            raise BakingError(
                f"The PNG image contains more than one {name} chunk; a baked image carries "
                "exactly one badge.",
                code="baking.multiple_badges",
            )
    if found["ob3"] and (found["ob2"] or found["legacy"]):
        raise BakingError(
            "The PNG image contains both an Open Badges 3.0 credential and an Open Badges "
            "2.0 assertion; a baked image carries exactly one badge.",
            code="baking.multiple_badges",
        )
    if found["ob3"] or found["ob2"]:
        kind = "ob3" if found["ob3"] else "ob2"
        chunk = found[kind][0]
        text = _itxt_text(png[chunk.data_start : chunk.end - 4], max_payload)
        return BakedPayload(kind, text, _form_for_unbaking(text), "png")
    if found["legacy"]:
        chunk = found["legacy"][0]
        raw = png[chunk.data_start + len(_ITXT_PREFIX_OB2) : chunk.end - 4]
        if chunk.type == b"zTXt":
            # ImageMagick stores long properties compressed: method byte 0, then zlib.
            if raw[:1] != b"\x00":
                raise BakingError(
                    "The badge text chunk (zTXt) of the PNG image is malformed.",
                    code="baking.chunk_invalid",
                )
            raw = _inflate(raw[1:], max_payload)
        if len(raw) > max_payload:
            raise BakingError(
                f"The badge data in the PNG image is larger than {max_payload:,} bytes.",
                code="baking.too_large",
            )
        # tEXt and zTXt are Latin-1 by definition (PNG §11.3.4.3-4).
        text = raw.decode("latin-1")
        return BakedPayload("ob2", text, _form_for_unbaking(text), "png", legacy=True)
    raise BakingError("The PNG image does not contain a badge.", code="baking.no_badge")


def _png_chunk(ctype: bytes, body: bytes) -> bytes:
    return b"".join(
        (
            struct.pack(">I", len(body)),
            ctype,
            body,
            _CRC.pack(zlib.crc32(body, zlib.crc32(ctype))),
        )
    )


def bake_png(
    png: bytes, payload: str, *, ob3: bool, max_size: int = DEFAULT_MAX_IMAGE_SIZE
) -> bytes:
    """Return ``png`` with ``payload`` baked in an uncompressed iTXt chunk right after IHDR.

    ``ob3`` selects the keyword (``openbadgecredential`` or ``openbadges``). Every badge chunk
    already present (either keyword, and legacy tEXt/zTXt) is replaced, never duplicated. All other
    bytes are copied unchanged.
    """
    _check_size(png, max_size)
    png = bytes(png)
    _form_for_baking(payload, ob3=ob3)
    chunks = _walk_png(png, check_crc=False)
    keyword = PNG_KEYWORD_OB3 if ob3 else PNG_KEYWORD_OB2
    # keyword, NUL, compression flag 0, method 0, empty language tag + NUL, empty translation
    # + NUL: the same bytes openbadges-bakery writes.
    body = keyword.encode() + b"\x00\x00\x00\x00\x00" + payload.encode("utf-8")
    if len(body) > _MAX_CHUNK_LENGTH:
        raise BakingError("The badge data is too large for a PNG chunk.", code="baking.too_large")
    ihdr_end = chunks[0].end
    parts = [png[:ihdr_end], _png_chunk(b"iTXt", body)]
    copy_from = ihdr_end
    for chunk in chunks[1:]:
        if _badge_chunk_kind(png, chunk) is not None:
            parts.append(png[copy_from : chunk.offset])
            copy_from = chunk.end
    parts.append(png[copy_from:])
    return b"".join(parts)


# --------------------------------------------------------------------------------------------
# SVG: parsing

_BADGE_TAGS = {
    f"{{{SVG_NAMESPACE_OB3}}}credential": "ob3",
    f"{{{SVG_NAMESPACE_OB2}}}assertion": "ob2",
}
_BADGE_NAMESPACES = {"ob3": SVG_NAMESPACE_OB3, "ob2": SVG_NAMESPACE_OB2}
_RAW_BADGE_TAGS = {name[1:]: kind for name, kind in _BADGE_TAGS.items()}
_SVG_ROOT_TAGS = {f"{{{SVG_NS}}}svg", "svg"}
# Nesting deeper than this is never a drawing; refusing it keeps tree walks bounded.
_MAX_SVG_DEPTH = 256


class _SafeSvgParser(DefusedXMLParser):
    """defusedxml's parser (no entity declarations, no external references) that also refuses
    DTD declarations that change the document: default attributes from an internal subset
    would otherwise inject attributes (an ``onload``, say) that are not in the markup.

    A plain ``<!DOCTYPE svg PUBLIC …>`` line, common in exported badges, is accepted: expat
    never fetches it.
    """

    def __init__(self, target):
        super().__init__(target=target, forbid_dtd=False, forbid_entities=True)
        self.parser.AttlistDeclHandler = self._refuse_declaration
        self.parser.ElementDeclHandler = self._refuse_declaration

    def _refuse_declaration(self, *args):
        raise DTDForbidden(None, None, None)


@dataclass(slots=True)
class _SvgBadge:
    kind: Kind
    attrib: dict
    depth: int
    start: int
    end: int | None = None
    text: list[str] | None = None


class _SvgScan:
    """Parser target that records what baking and unbaking need, without building a tree.

    Its element handlers are installed on expat directly and receive raw ``uri}local`` names:
    ElementTree's per-attribute name fixing would otherwise be most of the parsing time.
    """

    def __init__(self) -> None:
        self.expat = None
        self.depth = 0
        self.root_offset: int | None = None
        self.root_namespaces: dict[str, str] = {}
        self.badges: list[_SvgBadge] = []
        self.namespace_uses: Counter[str] = Counter()
        self._open: _SvgBadge | None = None

    def start_ns(self, prefix: str, uri: str) -> None:
        if self.root_offset is None:
            self.root_namespaces[prefix] = uri

    def raw_start(self, name: str, attributes: list[str]) -> None:
        offset = self.expat.CurrentByteIndex
        if self.root_offset is None:
            _check_root("{" + name if "}" in name else name)
            self.root_offset = offset
        self.depth += 1
        if self.depth > _MAX_SVG_DEPTH:
            raise _too_deep()
        for qualified in (name, *attributes[::2]):
            if "}" in qualified:
                self.namespace_uses[qualified.partition("}")[0]] += 1
        kind = _RAW_BADGE_TAGS.get(name)
        if kind is not None:
            attrib = dict(zip(attributes[::2], attributes[1::2], strict=True))
            badge = _SvgBadge(kind, attrib, self.depth, offset, text=[])
            self.badges.append(badge)
            if self._open is None:
                self._open = badge

    def data(self, text: str) -> None:
        if self._open is not None:
            self._open.text.append(text)

    def raw_end(self, name: str) -> None:
        if self._open is not None and self._open.depth == self.depth:
            self._open.end = self.expat.CurrentByteIndex
            self._open = None
        self.depth -= 1

    def close(self) -> _SvgScan:
        return self


def _check_root(tag: str) -> None:
    if tag not in _SVG_ROOT_TAGS:
        local = tag.rpartition("}")[2]
        raise BakingError(
            f"This file is not an SVG image (its root element is <{local}>).",
            code="baking.not_image",
        )


def _too_deep() -> BakingError:
    return BakingError(
        f"The SVG image nests elements more than {_MAX_SVG_DEPTH} levels deep.",
        code="baking.svg_too_deep",
    )


def _parse_svg(svg: bytes, target):
    parser = _SafeSvgParser(target)
    if hasattr(parser.parser, "SetReparseDeferralEnabled"):
        # The whole document is fed at once, so deferring big tokens only costs a re-parse.
        parser.parser.SetReparseDeferralEnabled(False)
    if isinstance(target, _SvgScan):
        expat = target.expat = parser.parser
        expat.StartElementHandler = target.raw_start
        expat.EndElementHandler = target.raw_end
    try:
        parser.feed(bytes(svg))
        return parser.close()
    except (EntitiesForbidden, ExternalReferenceForbidden) as exc:
        raise BakingError(
            "The SVG image declares XML entities or external references, which are refused "
            "(they are used to exhaust memory or read other files).",
            code="baking.xml_entities",
        ) from exc
    except DTDForbidden as exc:
        raise BakingError(
            "The SVG image declares its own document type rules (DTD), which are refused.",
            code="baking.xml_dtd",
        ) from exc
    except (LookupError, ValueError) as exc:
        # Declared encodings expat does not know go through Python codecs, which fail with
        # these (defusedxml's own errors are ValueErrors too, handled above).
        raise BakingError(
            "The SVG image declares a character encoding that cannot be read.",
            code="baking.xml_invalid",
        ) from exc
    except ParseError as exc:
        if getattr(exc, "code", None) == 11:  # expat: undefined entity
            raise BakingError(
                "The SVG image refers to XML entities that are not defined; entities are refused.",
                code="baking.xml_entities",
            ) from exc
        line, column = getattr(exc, "position", (0, 0))
        raise BakingError(
            f"The SVG image is not well-formed XML (line {line}, column {column}).",
            code="baking.xml_invalid",
        ) from exc


_TAG_REST_RE = re.compile(rb"""(?:[^>"']+|"[^"]*"|'[^']*')*>""")


def _end_of_tag(svg: bytes, start: int) -> int:
    """Index just past the ``>`` closing the tag that starts at ``start``.

    Only quoted attribute values may contain ``>`` inside a tag, so skipping quotes suffices
    (the document is already known to be well-formed).
    """
    match = _TAG_REST_RE.match(svg, start + 1)
    if match is None:
        raise BakingError("The SVG image is not well-formed XML.", code="baking.xml_invalid")
    return match.end()


# --------------------------------------------------------------------------------------------
# SVG: unbaking


def unbake_svg(
    svg: bytes,
    *,
    max_size: int = DEFAULT_MAX_IMAGE_SIZE,
    max_payload: int = DEFAULT_MAX_PAYLOAD_SIZE,
) -> BakedPayload:
    """Extract the badge from a baked SVG (``openbadges:credential`` or
    ``openbadges:assertion``, wherever it sits; exactly one is allowed)."""
    _check_size(svg, max_size)
    scan = _parse_svg(svg, _SvgScan())
    if not scan.badges:
        raise BakingError("The SVG image does not contain a badge.", code="baking.no_badge")
    if len(scan.badges) > 1:
        raise BakingError(
            "The SVG image contains more than one badge element; a baked image carries "
            "exactly one badge.",
            code="baking.multiple_badges",
        )
    badge = scan.badges[0]
    body = "".join(badge.text).strip()
    verify = (badge.attrib.get("verify") or "").strip() or None
    text = body or verify
    if not text:
        raise BakingError("The badge element in the SVG image is empty.", code="baking.no_badge")
    if len(text) > max_payload:
        raise BakingError(
            f"The badge data in the SVG image is larger than {max_payload:,} bytes.",
            code="baking.too_large",
        )
    return BakedPayload(
        badge.kind,
        text,
        _form_for_unbaking(text),
        "svg",
        verify=verify if body else None,
    )


# --------------------------------------------------------------------------------------------
# SVG: baking

_XML_DECL_ENCODING_RE = re.compile(
    rb"""\A(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._-]+)["']"""
)
_UTF8_NAMES = {b"utf-8", b"utf8", b"us-ascii", b"ascii"}
_TAG_NAME_RE = re.compile(rb"<[^\s/>]+")
_ATTRIBUTE_RE = re.compile(rb"""\s+([^\s=/>]+)\s*=\s*(?:"[^"]*"|'[^']*')""")


def _rebind_openbadges_prefix(start_tag: bytes, namespace: bytes) -> bytes:
    """``start_tag`` with its ``xmlns:openbadges`` value replaced, attribute by attribute so
    that the same text inside another attribute's value is left alone."""
    position = _TAG_NAME_RE.match(start_tag).end()
    while (attribute := _ATTRIBUTE_RE.match(start_tag, position)) is not None:
        if attribute.group(1) == b"xmlns:openbadges":
            value = b'xmlns:openbadges="' + namespace + b'"'
            return start_tag[: attribute.start(1)] + value + start_tag[attribute.end() :]
        position = attribute.end()
    raise BakingError("The SVG image is not well-formed XML.", code="baking.xml_invalid")


def _escape_attribute(value: str) -> str:
    return (
        value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _cdata(text: str) -> str:
    # "]]>" would end the section early; split it across two sections.
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _badge_element(payload: str, form: Form, *, ob3: bool, verify_url: str | None) -> str:
    if ob3:
        if verify_url is not None:
            raise BakingError(
                "A verify URL only applies to Open Badges 2.0 hosted assertions.",
                code="baking.payload_invalid",
            )
        if form == "json":
            return f"<openbadges:credential>{_cdata(payload)}</openbadges:credential>"
        return (
            f'<openbadges:credential verify="{_escape_attribute(payload.strip())}">'
            "</openbadges:credential>"
        )
    if form != "json":
        if verify_url is not None:
            raise BakingError(
                "A verify URL is only given with an assertion baked as JSON; a JWS or URL "
                "payload is itself the verify value.",
                code="baking.payload_invalid",
            )
        return f'<openbadges:assertion verify="{_escape_attribute(payload.strip())}"/>'
    if verify_url is None:
        assertion_id = orjson.loads(payload).get("id")
        if isinstance(assertion_id, str) and _URL_RE.fullmatch(assertion_id):
            verify_url = assertion_id
    if verify_url is None or not _URL_RE.fullmatch(verify_url):
        raise BakingError(
            "An Open Badges 2.0 assertion baked as JSON needs the http(s) URL where it is "
            "hosted (its id, or verify_url).",
            code="baking.payload_invalid",
        )
    return (
        f'<openbadges:assertion verify="{_escape_attribute(verify_url)}">'
        f"{_cdata(payload)}</openbadges:assertion>"
    )


def bake_svg(
    svg: bytes,
    payload: str,
    *,
    ob3: bool,
    verify_url: str | None = None,
    max_size: int = DEFAULT_MAX_IMAGE_SIZE,
) -> bytes:
    """Return ``svg`` with the badge element inserted as the first child of ``<svg>``.

    OB 3.0 (``ob3=True``): credential JSON goes in a CDATA body, a compact JWS in ``verify``.
    OB 2.0: assertion JSON goes in a CDATA body with ``verify`` = its hosted URL (``verify_url``
    or the assertion's ``id``); a JWS or hosted URL goes in ``verify`` of an empty element.
    The document is validated with defusedxml first, then spliced as text, so the rest of the
    markup is byte-for-byte unchanged. Any badge element already present is replaced. The
    image must be UTF-8 (as virtually all SVGs are).
    """
    _check_size(svg, max_size)
    svg = bytes(svg)
    form = _form_for_baking(payload, ob3=ob3)
    if _XML_FORBIDDEN_RE.search(payload):
        raise BakingError(
            "The badge data contains characters that XML cannot carry.",
            code="baking.payload_invalid",
        )
    declared = _XML_DECL_ENCODING_RE.match(svg)
    if svg.startswith((b"\xff\xfe", b"\xfe\xff")) or (
        declared and declared.group(1).lower() not in _UTF8_NAMES
    ):
        raise BakingError("Only UTF-8 SVG images can be baked.", code="baking.svg_encoding")
    element = _badge_element(payload, form, ob3=ob3, verify_url=verify_url).encode("utf-8")
    scan = _parse_svg(svg, _SvgScan())

    root_start = scan.root_offset
    root_end = _end_of_tag(svg, root_start)
    self_closing = svg[root_end - 2 : root_end] == b"/>"
    root_tag = svg[root_start:root_end]
    namespace = (SVG_NAMESPACE_OB3 if ob3 else SVG_NAMESPACE_OB2).encode()
    declared_ns = scan.root_namespaces.get("openbadges")
    if declared_ns is None:
        cut = len(root_tag) - (2 if self_closing else 1)
        root_tag = root_tag[:cut] + b' xmlns:openbadges="' + namespace + b'"' + root_tag[cut:]
    elif declared_ns != namespace.decode():
        removed = sum(1 for badge in scan.badges if _BADGE_NAMESPACES[badge.kind] == declared_ns)
        if scan.namespace_uses[declared_ns] == removed:
            # Re-baking an image baked for the other version: nothing else uses the prefix, so
            # it can be rebound in place.
            root_tag = _rebind_openbadges_prefix(root_tag, namespace)
        else:
            # Other markup relies on the old binding; rebinding would change its meaning (or
            # turn it into a badge), so the new element declares the namespace itself.
            cut = len(b"<openbadges:credential" if ob3 else b"<openbadges:assertion")
            element = element[:cut] + b' xmlns:openbadges="' + namespace + b'"' + element[cut:]
    if self_closing:
        qname = re.match(rb"<\s*([^\s/>]+)", root_tag).group(1)
        return b"".join(
            (svg[:root_start], root_tag[:-2], b">", element, b"</", qname, b">", svg[root_end:])
        )

    parts = [svg[:root_start], root_tag, element]
    copy_from = root_end
    for badge in scan.badges:
        if badge.start < copy_from:
            continue  # nested inside a badge element already removed
        badge_end = _end_of_tag(svg, badge.start)
        if svg[badge_end - 2 : badge_end] != b"/>":
            # expat reports an end tag at its "</"; end tags have no attributes.
            badge_end = svg.index(b">", badge.end) + 1
        parts.append(svg[copy_from : badge.start])
        copy_from = badge_end
    parts.append(svg[copy_from:])
    return b"".join(parts)


# --------------------------------------------------------------------------------------------
# SVG: sanitising

# fmt: off
_ALLOWED_ELEMENTS = frozenset({
    "svg", "g", "defs", "desc", "title", "symbol", "use", "image", "switch", "path", "rect",
    "circle", "ellipse", "line", "polyline", "polygon", "text", "tspan", "textPath",
    "linearGradient", "radialGradient", "stop", "pattern", "clipPath", "mask", "marker", "filter",
    "feBlend", "feColorMatrix", "feComponentTransfer", "feComposite", "feConvolveMatrix",
    "feDiffuseLighting", "feDisplacementMap", "feDistantLight", "feDropShadow", "feFlood",
    "feFuncA", "feFuncB", "feFuncG", "feFuncR", "feGaussianBlur", "feImage", "feMerge",
    "feMergeNode", "feMorphology", "feOffset", "fePointLight", "feSpecularLighting",
    "feSpotLight", "feTile", "feTurbulence", "style"
})
# fmt: on
# Links are unwrapped (their drawing kept as a group): a badge image must not navigate anywhere.
_UNWRAPPED_ELEMENTS = frozenset({"a"})
_TEXT_ELEMENTS = frozenset({"text", "tspan", "textPath"})
# fmt: off
_ALLOWED_ATTRIBUTES = frozenset({
    "id", "class", "style", "lang", "transform", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy",
    "r", "rx", "ry", "fx", "fy", "fr", "width", "height", "d", "points", "pathLength", "viewBox",
    "preserveAspectRatio", "version", "offset", "gradientUnits", "gradientTransform",
    "spreadMethod", "patternUnits", "patternContentUnits", "patternTransform", "clipPathUnits",
    "maskUnits", "maskContentUnits", "markerUnits", "markerWidth", "markerHeight", "refX", "refY",
    "orient", "filterUnits", "primitiveUnits", "in", "in2", "result", "stdDeviation", "dx", "dy",
    "rotate", "textLength", "lengthAdjust", "startOffset", "method", "spacing", "side", "mode",
    "operator", "k1", "k2", "k3", "k4", "values", "type", "tableValues", "slope", "intercept",
    "amplitude", "exponent", "scale", "xChannelSelector", "yChannelSelector", "baseFrequency",
    "numOctaves", "seed", "stitchTiles", "radius", "kernelMatrix", "order", "divisor", "bias",
    "targetX", "targetY", "edgeMode", "kernelUnitLength", "preserveAlpha", "surfaceScale",
    "diffuseConstant", "specularConstant", "specularExponent", "azimuth", "elevation",
    "pointsAtX", "pointsAtY", "pointsAtZ", "limitingConeAngle", "z", "role", "aria-label",
    "aria-labelledby", "aria-describedby", "aria-hidden", "requiredFeatures",
    "requiredExtensions", "systemLanguage", "href", "alignment-baseline", "baseline-shift",
    "clip", "clip-path", "clip-rule", "color", "color-interpolation",
    "color-interpolation-filters", "color-rendering", "direction", "display", "dominant-baseline",
    "enable-background", "fill", "fill-opacity", "fill-rule", "filter", "flood-color",
    "flood-opacity", "font", "font-family", "font-size", "font-size-adjust", "font-stretch",
    "font-style", "font-variant", "font-weight", "glyph-orientation-horizontal",
    "glyph-orientation-vertical", "image-rendering", "kerning", "letter-spacing",
    "lighting-color", "marker", "marker-end", "marker-mid", "marker-start", "mask", "opacity",
    "overflow", "paint-order", "pointer-events", "shape-rendering", "stop-color", "stop-opacity",
    "stroke", "stroke-dasharray", "stroke-dashoffset", "stroke-linecap", "stroke-linejoin",
    "stroke-miterlimit", "stroke-opacity", "stroke-width", "text-anchor", "text-decoration",
    "text-rendering", "transform-origin", "unicode-bidi", "vector-effect", "visibility",
    "word-spacing", "writing-mode", "mix-blend-mode", "isolation"
})
# fmt: on
# Attributes that are plain text to every renderer (never CSS, never fetched).
_PLAIN_TEXT_ATTRIBUTES = frozenset(
    {"id", "class", "lang", "role", "aria-label", "aria-labelledby", "aria-describedby"}
    | {"aria-hidden", "systemLanguage", "requiredFeatures", "requiredExtensions", "xml:lang"}
)
_NAMESPACED_ATTRIBUTES = {
    f"{{{XLINK_NS}}}href": "xlink:href",
    f"{{{XML_NS}}}space": "xml:space",
    f"{{{XML_NS}}}lang": "xml:lang",
}
# Elements that are nothing without their reference: dropped when the reference is refused.
_REFERENCE_REQUIRED = frozenset({"use", "image", "feImage"})
_RASTER_DATA_URI_RE = re.compile(r"data:image/(?:png|jpeg|jpg|gif|webp)[;,]", re.IGNORECASE)
# CSS functions that compute values and never load anything. Everything else is refused,
# because several functions take URLs without saying url(: image-set("…"), image("…"),
# src("…"), cross-fade(…), element(…).
# fmt: off
_CSS_FUNCTIONS = frozenset({
    "rgb", "rgba", "hsl", "hsla", "hwb", "lab", "lch", "oklab", "oklch", "color", "calc", "min",
    "max", "clamp", "var", "url", "translate", "translatex", "translatey", "scale", "scalex",
    "scaley", "rotate", "skewx", "skewy", "matrix", "drop-shadow", "blur", "brightness",
    "contrast", "grayscale", "hue-rotate", "invert", "opacity", "saturate", "sepia",
    "linear-gradient", "radial-gradient", "repeating-linear-gradient",
    "repeating-radial-gradient", "conic-gradient", "cubic-bezier", "steps", "rect", "inset",
    "circle", "ellipse", "polygon",
})
# fmt: on
# The whole name before "(": not a tail of a longer word, nor an at-rule (checked on its own).
_CSS_FUNCTION_RE = re.compile(r"(?<![-\w@])([-\w]*)\s*\(\s*([^)]*)")
_CSS_AT_RULE_RE = re.compile(r"@(?!(?:media|keyframes|supports)\b)", re.IGNORECASE)
_CSS_FORBIDDEN_RE = re.compile(r"javascript:|vbscript:|behavior\s*:|-moz-binding|\\", re.IGNORECASE)


def _css_is_safe(css: str) -> bool:
    """True when ``css`` loads nothing: only value-computing functions, ``url(#fragment)``
    references, no at-rules but media/keyframes/supports (so no @import or @font-face), no
    script-bearing constructs, and no backslash escapes (which could spell any of those)."""
    if _CSS_FORBIDDEN_RE.search(css) or _CSS_AT_RULE_RE.search(css):
        return False
    for name, argument in _CSS_FUNCTION_RE.findall(css):
        name = name.lower()
        if name and name not in _CSS_FUNCTIONS:  # a bare "(…)" group is not a function
            return False
        if name == "url" and not argument.strip().strip("'\"").lstrip().startswith("#"):
            return False
    return True


def _href_allowed(value: str, local: str) -> bool:
    value = value.strip()
    if value.startswith("#"):
        return True
    return local in ("image", "feImage") and bool(_RASTER_DATA_URI_RE.match(value))


def _clean_attributes(local: str, attrib: dict) -> dict[str, str] | None:
    """Allowed attributes with safe values, or None when the element must go."""
    clean: dict[str, str] = {}
    has_reference = False
    for name, value in attrib.items():
        if name in _NAMESPACED_ATTRIBUTES:
            qname = _NAMESPACED_ATTRIBUTES[name]
        elif name in _ALLOWED_ATTRIBUTES:
            qname = name
        else:
            continue  # event handlers (on*), editor metadata, anything unknown
        if qname in ("href", "xlink:href"):
            if not _href_allowed(value, local):
                continue
            has_reference = True
        elif qname == "style":
            declarations = [d for d in value.split(";") if d.strip() and _css_is_safe(d)]
            if not declarations:
                continue
            value = ";".join(declarations)
        elif qname not in _PLAIN_TEXT_ATTRIBUTES and not _css_is_safe(value):
            continue
        clean[qname] = value
    if local in _REFERENCE_REQUIRED and not has_reference:
        return None
    return clean


def _local_svg_name(tag: str) -> str | None:
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return local if namespace == SVG_NS else None
    return tag  # an SVG without a namespace declaration: its elements are SVG by intent


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_value(text: str) -> str:
    return (
        _escape_attribute(text).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    )


def _write_clean(element: Element, out: list[str], depth: int, in_text: bool = False) -> None:
    """Append the sanitised markup of ``element`` (without its tail) to ``out``."""
    if depth > _MAX_SVG_DEPTH:
        raise _too_deep()
    local = _local_svg_name(element.tag)
    if local in _UNWRAPPED_ELEMENTS:
        # Inside text a link becomes a span, elsewhere a group: the content stays where it was.
        local = "tspan" if in_text else "g"
        attrib = {k: v for k, v in element.attrib.items() if k in ("transform", "class", "style")}
    elif local in _ALLOWED_ELEMENTS:
        attrib = element.attrib
    else:
        return
    attributes = _clean_attributes(local, attrib)
    if attributes is None:
        return
    if local == "style" and not _css_is_safe(element.text or ""):
        return
    if depth == 0:
        attributes = {"xmlns": SVG_NS, "xmlns:xlink": XLINK_NS, **attributes}
    out.append("<" + local)
    for name, value in attributes.items():
        out.append(f' {name}="{_escape_value(value)}"')
    out.append(">")
    opened = len(out)
    if element.text:
        out.append(_escape_text(element.text))
    in_text = in_text or local in _TEXT_ELEMENTS
    for child in [] if local == "style" else element:
        _write_clean(child, out, depth + 1, in_text)
        if child.tail:
            out.append(_escape_text(child.tail))
    if len(out) == opened:
        out[-1] = "/>"  # nothing kept inside: the same form a second pass would write
    else:
        out.append(f"</{local}>")


def sanitize_svg(svg: bytes, *, max_size: int = DEFAULT_MAX_IMAGE_SIZE) -> bytes:
    """Rebuild ``svg`` from an allow-list of SVG elements and attributes so it can be shown.

    Removed: scripts, event handler attributes, ``foreignObject``, animation elements (they can
    rewrite links), links (their drawing is kept), references to anything but fragments of the
    same document or inline raster images (``data:image/png|jpeg|gif|webp``), CSS that imports
    or loads URLs, comments, processing instructions, the DOCTYPE and foreign-namespace data
    (editor metadata, baked badges). Hostile XML is refused as in unbaking.

    Written by hand on defusedxml because no maintained Python SVG sanitiser removes external
    references outright: the one binding on PyPI rewrites them into same-origin paths.
    """
    _check_size(svg, max_size)
    root = _parse_svg(svg, TreeBuilder())
    _check_root(root.tag)
    out: list[str] = ['<?xml version="1.0" encoding="UTF-8"?>\n']
    _write_clean(root, out, 0)
    return "".join(out).encode("utf-8")
