"""JSON-LD processing with bundled contexts only, RDFC-1.0 canonicalisation and safe mode.

Contexts are data files in `contexts/` (see `contexts/SOURCES.md`); the document loader never
touches the network, so what a credential means cannot change with what a server answers today,
and verification cannot be steered into fetching attacker-chosen URLs.

pyld keeps one process-wide cache of resolved contexts keyed by URL. We give pyld our own cache
instead, so a caller elsewhere in the process that runs pyld with a network loader can never
place a context into the cache our signatures depend on.
"""

from __future__ import annotations

import copy
import json
import re
import threading
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from cachetools import LRUCache
from pyld import jsonld as pyld_jsonld
from pyld import nquads as pyld_nquads
from pyld.context_resolver import ContextResolver

from .errors import InvalidDocument, UndefinedTerm

CONTEXTS_DIR = Path(__file__).resolve().parent / "contexts"

VC_V2 = "https://www.w3.org/ns/credentials/v2"
VC_V1 = "https://www.w3.org/2018/credentials/v1"
OB_V3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_V3_CONTEXT_3_0_0 = "https://purl.imsglobal.org/spec/ob/v3p0/context.json"
OB_V3_EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
OB_V2_CONTEXT = "https://w3id.org/openbadges/v2"
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"
DATA_INTEGRITY_V1 = "https://w3id.org/security/data-integrity/v1"
ED25519_2020_CONTEXT = "https://w3id.org/security/suites/ed25519-2020/v1"

# VC 2.0 maps every otherwise undefined term here through `@vocab`. Such terms are not dropped,
# but their meaning is whatever the issuer says, so we refuse them exactly like dropped ones.
ISSUER_DEPENDENT_VOCAB = "https://www.w3.org/ns/credentials/issuer-dependent#"


class _LockedLRUCache(LRUCache):
    """cachetools caches are not thread-safe; web servers verify badges on several threads."""

    def __init__(self, maxsize: int):
        super().__init__(maxsize=maxsize)
        self._lock = threading.RLock()

    def __getitem__(self, key):
        with self._lock:
            return super().__getitem__(key)

    def __setitem__(self, key, value):
        with self._lock:
            super().__setitem__(key, value)

    def get(self, key, default=None):
        with self._lock:
            return super().get(key, default)

    def clear(self):
        with self._lock:
            super().clear()


_resolved_contexts: LRUCache = _LockedLRUCache(maxsize=256)

# RDFC-1.0 canonical N-Quads escape `"`, backslash and every control character: \b \t \n \f \r
# as ECHAR, the other C0 characters and DEL as \u plus four hex digits. pyld 3.3 escapes only
# \t \n \r `"` and backslash, so a name containing, say, a form feed would canonicalise (and
# hash) differently here than in jsonld.js (rdf-canonize 5) and every conforming verifier. We
# install the conforming escaping in pyld's serialiser and parser, which its canonicaliser calls
# for both output and blank node hashes.
_ECHAR = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}
_LITERAL_ESCAPE = re.compile(r'[\x00-\x1f\x7f"\\]')
_LITERAL_UNESCAPE = re.compile(r'\\(?:([btnfr"\'\\])|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8}))')
_UNECHAR = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "'": "'", "\\": "\\"}


def escape_literal(value: str) -> str:
    """A string as it appears between the quotes of a canonical N-Quads literal."""
    if not _LITERAL_ESCAPE.search(value):
        return value
    return _LITERAL_ESCAPE.sub(
        lambda match: _ECHAR.get(match.group()) or f"\\u{ord(match.group()):04X}", value
    )


def _unescape_literal(value: str) -> str:
    def replace(match: re.Match) -> str:
        if match.group(1) is not None:
            return _UNECHAR[match.group(1)]
        return chr(int(match.group(2) or match.group(3), 16))

    return _LITERAL_UNESCAPE.sub(replace, value)


pyld_nquads.escape = escape_literal
pyld_nquads.unescape = _unescape_literal


@cache
def _context_index() -> dict[str, str]:
    with (CONTEXTS_DIR / "index.json").open(encoding="utf-8") as handle:
        return json.load(handle)


@cache
def _load_context_file(filename: str) -> dict:
    with (CONTEXTS_DIR / filename).open(encoding="utf-8") as handle:
        return json.load(handle)


def bundled_context_urls() -> list[str]:
    """The context URLs this library can process, in a stable order."""
    return sorted(_context_index())


def bundled_context(url: str) -> dict:
    """A deep copy of the bundled context document for `url`; InvalidDocument if not bundled."""
    filename = _context_index().get(url)
    if filename is None:
        raise InvalidDocument(
            f"JSON-LD context not bundled: {url}", code="jsonld.context_not_bundled"
        )
    return copy.deepcopy(_load_context_file(filename))


def document_loader(url: str, options: dict | None = None) -> dict:
    """pyld-compatible loader serving only the bundled contexts.

    The `tag` marks the result as immutable so pyld caches the resolved context for the life of
    the process (in our private cache), which takes context processing out of the per-document
    cost.
    """
    return {
        "contextUrl": None,
        "documentUrl": url,
        "document": bundled_context(url),
        "tag": "static",
    }


def _options(**extra: Any) -> dict:
    options = {
        "documentLoader": document_loader,
        "contextResolver": ContextResolver(_resolved_contexts, document_loader),
        "processingMode": "json-ld-1.1",
    }
    options.update(extra)
    return options


def _reraise(error: pyld_jsonld.JsonLdError) -> InvalidDocument:
    """Turn a pyld error into ours, keeping our own error if one caused it."""
    cause: BaseException | None = error
    detail = ""
    while cause is not None:
        if isinstance(cause, InvalidDocument):
            return cause
        if isinstance(cause, pyld_jsonld.JsonLdError):
            # The innermost pyld error names the actual problem ("protected term redefinition").
            detail = getattr(cause, "code", None) or getattr(cause, "type", "") or detail
        cause = cause.__cause__ or cause.__context__
    return InvalidDocument(f"Invalid JSON-LD: {detail}.", code="jsonld.invalid")


def _check_input(doc: Any) -> None:
    if not isinstance(doc, dict):
        raise InvalidDocument("A JSON-LD document must be a JSON object.", code="jsonld.invalid")
    if "@context" not in doc:
        raise InvalidDocument("The document has no @context.", code="jsonld.no_context")


def expand(doc: dict) -> list:
    """JSON-LD expansion with the bundled contexts."""
    _check_input(doc)
    try:
        return pyld_jsonld.expand(doc, _options())
    except pyld_jsonld.JsonLdError as error:
        raise _reraise(error) from error


def to_nquads(doc: dict) -> str:
    """Deterministic N-Quads of the document (pyld's blank node labels; not canonical)."""
    _check_input(doc)
    try:
        return pyld_jsonld.to_rdf(doc, _options(format="application/n-quads"))
    except pyld_jsonld.JsonLdError as error:
        raise _reraise(error) from error


def canonicalize(doc: dict) -> str:
    """RDFC-1.0 canonical N-Quads (pyld's URDNA2015, which RDFC-1.0 standardised unchanged)."""
    _check_input(doc)
    try:
        return pyld_jsonld.normalize(
            doc, _options(algorithm="URDNA2015", format="application/n-quads")
        )
    except pyld_jsonld.JsonLdError as error:
        raise _reraise(error) from error


def canonicalize_nquads(nquads: str) -> str:
    """RDFC-1.0 canonical form of an N-Quads dataset."""
    try:
        return pyld_jsonld.normalize(
            nquads,
            _options(
                algorithm="URDNA2015",
                inputFormat="application/n-quads",
                format="application/n-quads",
            ),
        )
    except pyld_jsonld.JsonLdError as error:
        raise _reraise(error) from error


# --- safe mode ------------------------------------------------------------------------------


def _is_absolute_iri(value: str) -> bool:
    return ":" in value and not value.startswith("_:")


class _SafeModeProcessor(pyld_jsonld.JsonLdProcessor):
    """Expansion that records every key, type and IRI the processor would drop or guess.

    pyld expands each JSON object in `_expand_object` with the exact active context (after
    embedded, property-scoped and type-scoped contexts), so checking each key there sees the
    terms the way the processor does, including protected and nested contexts.
    """

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self._path: list[str] = []

    def _expand(
        self,
        active_ctx,
        active_property,
        element,
        options,
        inside_list=False,
        inside_index=False,
        type_scoped_ctx=None,
    ):
        pushed = isinstance(element, dict) and active_property is not None
        if pushed:
            self._path.append(str(active_property))
        try:
            return super()._expand(
                active_ctx,
                active_property,
                element,
                options,
                inside_list=inside_list,
                inside_index=inside_index,
                type_scoped_ctx=type_scoped_ctx,
            )
        finally:
            if pushed:
                self._path.pop()

    def _where(self, key: str) -> str:
        return ".".join([*self._path, key])

    def _expand_object(
        self,
        active_ctx,
        active_property,
        expanded_active_property,
        element,
        expanded_parent,
        options,
        inside_list=False,
        type_key=None,
        type_scoped_ctx=None,
    ):
        for key in element:
            if key.startswith("@"):
                continue
            iri = self._expand_iri(active_ctx, key, vocab=True)
            defined = iri is not None and (
                iri.startswith("@")
                or (_is_absolute_iri(iri) and not iri.startswith(ISSUER_DEPENDENT_VOCAB))
            )
            if not defined:
                self.problems.append(self._where(key))
        result = super()._expand_object(
            active_ctx,
            active_property,
            expanded_active_property,
            element,
            expanded_parent,
            options,
            inside_list,
            type_key,
            type_scoped_ctx,
        )
        for value in pyld_jsonld.JsonLdProcessor.arrayify(expanded_parent.get("@type", [])):
            if isinstance(value, str) and (
                not _is_absolute_iri(value) or value.startswith(ISSUER_DEPENDENT_VOCAB)
            ):
                short = value.removeprefix(ISSUER_DEPENDENT_VOCAB)
                self.problems.append(f"{self._where('type')}={short}")
        return result


def _relative_ids(expanded: Any, path: str = "") -> Iterator[str]:
    """Paths of `@id` values that are neither absolute IRIs nor blank nodes (RDF drops them)."""
    if isinstance(expanded, list):
        for item in expanded:
            yield from _relative_ids(item, path)
    elif isinstance(expanded, dict):
        node_id = expanded.get("@id")
        if isinstance(node_id, str) and ":" not in node_id:
            yield f"{path}.id={node_id}" if path else f"id={node_id}"
        for key, value in expanded.items():
            if key in ("@value", "@id", "@type", "@language", "@direction", "@index"):
                continue
            name = key.rsplit("#", 1)[-1].rsplit("/", 1)[-1] if not key.startswith("@") else ""
            yield from _relative_ids(value, f"{path}.{name}" if name and path else name or path)


def check_safe_mode(doc: dict) -> None:
    """Refuse a document containing anything its contexts do not define.

    A JSON-LD processor silently drops undefined terms (and VC 2.0 maps them to an
    "issuer-dependent" IRI), so a signature over the canonical form would not cover them and a
    reader could be shown claims no one signed. Raises UndefinedTerm naming the property path.
    """
    _check_input(doc)
    processor = _SafeModeProcessor()
    try:
        # Without a base, pyld keeps relative IRIs relative instead of resolving them against its
        # placeholder base, so they can be reported.
        expanded = processor.expand(doc, _options(base=None))
    except pyld_jsonld.JsonLdError as error:
        raise _reraise(error) from error
    if processor.problems:
        paths = ", ".join(dict.fromkeys(processor.problems))
        raise UndefinedTerm(f"Terms not defined by the document's JSON-LD contexts: {paths}")
    relative = list(dict.fromkeys(_relative_ids(expanded)))
    if relative:
        raise UndefinedTerm(
            f"Identifiers that are not absolute IRIs: {', '.join(relative)}",
            code="jsonld.relative_iri",
        )
