"""Per-shape RDFC-1.0 canonicalisation: Data Integrity proofs at Ed25519 speed.

Every credential of one badge class has the same JSON-LD shape; only a few string leaves differ
(credential id, recipient hash and salt, dates). Expanding and converting to RDF is done once per
shape, with unique sentinel strings at the variable leaves. For each credential we substitute the
real values into the stored quads (escaped as canonical N-Quads literals, or validated IRIs),
compute the RDFC-1.0 first-degree hash of every blank node, and when those hashes are all
distinct the canonical labels follow from their order. That is exactly what RDFC-1.0 produces in
that case; when two hashes collide (or two quads coincide) we run the full algorithm instead.

A value in an IRI position must not be able to change the document's meaning, so it must be an
absolute http(s), urn or did IRI without characters N-Quads cannot carry; anything else is
refused. A dateTime-typed value must be an XML Schema dateTime.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pyld import jsonld as pyld_jsonld

from . import dataintegrity, jsonld
from .errors import InvalidDocument, OpenBadgesError, ProofError

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

# No bundled context defines `http`, `https`, `urn` or `did` as a term or prefix (a test checks
# this), so IRIs with these schemes expand to themselves wherever JSON-LD reads an IRI.
_SAFE_IRI = re.compile(r"^(?:https?|urn|did):[^\x00-\x20<>\"{}|\\^`\x7f]+$")
_DATETIME = re.compile(r"^-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?$")

Path = tuple[str | int, ...]


def parse_path(path: str | Sequence[str | int]) -> Path:
    """`"credentialSubject.identifier.0.salt"` → `("credentialSubject", "identifier", 0, "salt")`.

    Integer parts index lists.
    """
    if isinstance(path, str):
        return tuple(int(part) if part.isdigit() else part for part in path.split("."))
    return tuple(path)


def _get(document: Any, path: Path) -> Any:
    for part in path:
        document = document[part]
    return document


def _set(document: Any, path: Path, value: Any) -> None:
    for part in path[:-1]:
        document = document[part]
    document[path[-1]] = value


@dataclass(frozen=True)
class _Slot:
    """How one variable appears in the RDF: as an IRI, or as a literal of some datatypes."""

    is_iri: bool
    datetime: bool


# A quad is a tuple of pieces: fixed text, ("v", slot index) or ("b", blank node index). While
# reading pyld's dataset, blank nodes are ("label", pyld's label) until numbered.
_Piece = str | tuple[str, int] | tuple[str, str]


def _term_pieces(term: dict, token: str, sentinels: dict[str, int], slots: dict) -> list[_Piece]:
    kind = term["type"]
    value = term["value"]
    if kind == "blank node":
        return [("label", value)]
    if token in value:
        if value not in sentinels:
            raise InvalidDocument(
                "A variable value is combined with other text in the RDF; it cannot be a "
                "template variable.",
                code="template.unsupported",
            )
        index = sentinels[value]
        if kind == "IRI":
            slots.setdefault(index, set()).add(("iri", None))
            return ["<", ("v", index), ">"]
        datatype = term.get("datatype", XSD_STRING)
        slots.setdefault(index, set()).add(("literal", datatype))
        pieces: list[_Piece] = ['"', ("v", index), '"']
        pieces.append(_literal_suffix(term))
        return pieces
    if kind == "IRI":
        return [f"<{value}>"]
    return [f'"{jsonld.escape_literal(value)}"{_literal_suffix(term)}']


def _literal_suffix(term: dict) -> str:
    datatype = term.get("datatype", XSD_STRING)
    if datatype == RDF_LANGSTRING:
        return f"@{term['language']}" if term.get("language") else ""
    if datatype == XSD_STRING:
        return ""
    return f"^^<{datatype}>"


def _merge(pieces: list) -> tuple:
    """Join adjacent fixed text so serialising a quad is a short join."""
    merged: list = []
    for piece in pieces:
        if isinstance(piece, str) and merged and isinstance(merged[-1], str):
            merged[-1] += piece
        else:
            merged.append(piece)
    return tuple(merged)


class CredentialTemplate:
    """The RDF of one document shape with slots for its variable string values."""

    def __init__(
        self,
        example: dict,
        paths: tuple[Path, ...],
        quads: list[tuple],
        blank_nodes: int,
        slots: list[_Slot],
    ):
        self.example = example
        self.paths = paths
        self._example_json = orjson.dumps(example)
        self._slots = slots
        self._blank_count = blank_nodes
        variables = len(paths)
        static = [q for q in quads if not _has(q, "v") and not _has(q, "b")]
        self._static_lines = sorted("".join(q) for q in static)
        # All quads that change per document are rendered by one %-format over the values and
        # the canonical blank node names (indices after the values), separated by NUL, which
        # neither escaped literals nor validated IRIs nor the fixed text can contain.
        dynamic = [q for q in quads if _has(q, "v") or _has(q, "b")]
        self._render = _Renderer(
            [[p if isinstance(p, str) else _index(p, variables) for p in q] for q in dynamic]
        )
        self._node_static_hash: list[bytes | None] = []
        self._node_render: list[_Renderer | None] = []
        for node in range(blank_nodes):
            mine = [q for q in dynamic if ("b", node) in q]
            # First-degree hash: this node is _:a, every other blank node _:z (RDFC-1.0 4.6).
            baked = [
                [
                    p
                    if isinstance(p, str)
                    else ("_:a" if p == ("b", node) else "_:z")
                    if p[0] == "b"
                    else ("i", p[1])
                    for p in q
                ]
                for q in mine
            ]
            if any(_has(q, "v") for q in mine):
                self._node_static_hash.append(None)
                self._node_render.append(_Renderer(baked))
            else:
                lines = sorted("".join(q) for q in baked)
                self._node_static_hash.append(_sha256_hex("".join(lines)))
                self._node_render.append(None)
        self._names = [f"_:c14n{rank}" for rank in range(blank_nodes)]
        self.fallbacks = 0
        self.digests: dict[str, bytes] = {}

    @classmethod
    def for_document(
        cls,
        example_doc: dict,
        variable_paths: Iterable[str | Sequence[str | int]],
        *,
        check: bool = True,
    ) -> CredentialTemplate:
        """Build the template of `example_doc`'s shape; `variable_paths` name the string leaves
        that differ between documents (`"id"`, `"credentialSubject.identifier.0.identityHash"`).

        With `check`, the example must pass JSON-LD safe mode (so the shape defines every term).
        The template is proven on the example itself: its canonical form must equal the full
        algorithm's.
        """
        example = dataintegrity.with_proof_context(dataintegrity.unsecured(example_doc))
        example = orjson.loads(orjson.dumps(example))
        paths = tuple(parse_path(path) for path in variable_paths)
        if len(set(paths)) != len(paths):
            raise ValueError("Variable paths must be distinct.")
        for path in paths:
            try:
                value = _get(example, path)
            except (KeyError, IndexError, TypeError):
                raise InvalidDocument(
                    f"The example has no value at {'.'.join(map(str, path))}.",
                    code="template.path",
                ) from None
            if not isinstance(value, str):
                raise InvalidDocument(
                    f"Template variables must be strings; {'.'.join(map(str, path))} is not.",
                    code="template.path",
                )
        if check:
            jsonld.check_safe_mode(example)
        token = "obtemplate" + secrets.token_hex(8)
        sentinel_doc = orjson.loads(orjson.dumps(example))
        sentinels = {}
        for index, path in enumerate(paths):
            sentinel = f"urn:{token}:{index}"
            _set(sentinel_doc, path, sentinel)
            sentinels[sentinel] = index
        try:
            dataset = pyld_jsonld.to_rdf(sentinel_doc, jsonld._options())
        except pyld_jsonld.JsonLdError as error:
            raise jsonld._reraise(error) from error

        labels: dict[str, int] = {}
        raw_slots: dict[int, set] = {}
        quads = []
        for graph_name, triples in dataset.items():
            for triple in triples:
                pieces: list = []
                for position in ("subject", "predicate", "object"):
                    pieces.extend(_term_pieces(triple[position], token, sentinels, raw_slots))
                    pieces.append(" ")
                if graph_name != "@default":
                    graph = {
                        "type": "blank node" if graph_name.startswith("_:") else "IRI",
                        "value": graph_name,
                    }
                    pieces.extend(_term_pieces(graph, token, sentinels, raw_slots))
                    pieces.append(" ")
                pieces.append(".\n")
                resolved = []
                for piece in pieces:
                    if isinstance(piece, tuple) and piece[0] == "label":
                        resolved.append(("b", labels.setdefault(piece[1], len(labels))))
                    else:
                        resolved.append(piece)
                quads.append(_merge(resolved))

        slots = []
        for index, path in enumerate(paths):
            uses = raw_slots.get(index)
            where = ".".join(map(str, path))
            if not uses:
                raise InvalidDocument(
                    f"The value at {where} does not reach the signed data.",
                    code="template.path",
                )
            kinds = {kind for kind, _ in uses}
            if len(kinds) != 1:
                raise InvalidDocument(
                    f"The value at {where} is both an IRI and a literal.",
                    code="template.unsupported",
                )
            datatypes = {datatype for _, datatype in uses}
            slots.append(_Slot(is_iri="iri" in kinds, datetime=XSD_DATETIME in datatypes))
        template = cls(example, paths, quads, len(labels), slots)
        template._prepare_json(orjson.dumps(sentinel_doc), sentinels)
        example_values = [_get(example, path) for path in paths]
        if template.canonicalize(example_values) != jsonld.canonicalize(example):
            raise InvalidDocument(
                "The template does not reproduce the example's canonical form.",
                code="template.unsupported",
            )
        return template

    # -- values --------------------------------------------------------------------------

    def values_of(self, document: Mapping) -> list[str]:
        return [_get(document, path) for path in self.paths]

    def _ordered(self, values: Mapping | Sequence) -> list:
        if isinstance(values, Mapping):
            ordered = []
            for path in self.paths:
                key = ".".join(map(str, path))
                if key not in values:
                    raise InvalidDocument(f"No value for {key}.", code="template.value")
                ordered.append(values[key])
            return ordered
        if len(values) != len(self.paths):
            raise InvalidDocument(
                f"Expected {len(self.paths)} values, got {len(values)}.", code="template.value"
            )
        return list(values)

    def _encoded(self, values: Sequence) -> list[str]:
        encoded = []
        for value, slot, path in zip(values, self._slots, self.paths, strict=True):
            if not isinstance(value, str):
                raise InvalidDocument(
                    f"The value for {'.'.join(map(str, path))} must be a string.",
                    code="template.value",
                )
            if slot.is_iri:
                if not _SAFE_IRI.match(value):
                    raise InvalidDocument(
                        f"The value for {'.'.join(map(str, path))} must be an absolute http(s), "
                        "urn or did IRI without spaces, quotes or angle brackets.",
                        code="template.unsafe_iri",
                    )
                encoded.append(value)
            else:
                if slot.datetime and not _DATETIME.match(value):
                    raise InvalidDocument(
                        f"The value for {'.'.join(map(str, path))} must be a date and time.",
                        code="template.value",
                    )
                encoded.append(jsonld.escape_literal(value))
        return encoded

    def _prepare_json(self, sentinel_json: bytes, sentinels: Mapping[str, int]) -> None:
        """Split the example's JSON at the variable values, to write documents as bytes."""
        tokens = {orjson.dumps(sentinel): index for sentinel, index in sentinels.items()}
        pattern = re.compile(b"|".join(re.escape(token) for token in tokens))
        segments: list[bytes] = []
        order: list[int] = []
        position = 0
        for match in pattern.finditer(sentinel_json):
            segments.append(sentinel_json[position : match.start()])
            order.append(tokens[match.group()])
            position = match.end()
        segments.append(sentinel_json[position:])
        self._json_segments = segments
        self._json_order = order

    def document_json(self, values: Sequence[str]) -> bytes:
        """`orjson.dumps(build_document(values))` without building the document."""
        parts = [self._json_segments[0]]
        for index, segment in zip(self._json_order, self._json_segments[1:], strict=True):
            parts.append(orjson.dumps(values[index]))
            parts.append(segment)
        return b"".join(parts)

    def build_document(self, values: Mapping | Sequence) -> dict:
        """The example document with these values at the variable paths."""
        ordered = self._ordered(values)
        document = orjson.loads(self._example_json)
        for path, value in zip(self.paths, ordered, strict=True):
            _set(document, path, value)
        return document

    # -- canonicalisation ----------------------------------------------------------------

    def canonicalize(self, values: Mapping | Sequence) -> str:
        """RDFC-1.0 canonical N-Quads of the document with these values."""
        ordered = self._ordered(values)
        encoded = self._encoded(ordered)
        result = self._canonical(encoded)
        if result is None:
            self.fallbacks += 1
            return jsonld.canonicalize(self.build_document(ordered))
        return result

    def _canonical(self, encoded: list[str]) -> str | None:
        count = self._blank_count
        hashes = []
        for node in range(count):
            static = self._node_static_hash[node]
            if static is None:
                lines = self._node_render[node].lines(encoded)
                lines.sort()
                static = _sha256_hex("".join(lines))
            hashes.append(static)
        if len(set(hashes)) != count:
            return None
        names = [""] * count
        for rank, node in enumerate(sorted(range(count), key=hashes.__getitem__)):
            names[node] = self._names[rank]
        lines = self._render.lines(encoded + names)
        lines.extend(self._static_lines)
        if len(set(lines)) != len(lines):
            return None
        lines.sort()
        return "".join(lines)


class _Renderer:
    """Render many quad lines with one %-format: pieces are text or ("i", argument index)."""

    def __init__(self, quads: list[list]):
        text = []
        indices = []
        for number, quad in enumerate(quads):
            if number:
                text.append("\x00")
            for piece in quad:
                if isinstance(piece, str):
                    if "\x00" in piece:
                        raise InvalidDocument(
                            "The document contains a NUL character.", code="template.unsupported"
                        )
                    text.append(piece.replace("%", "%%"))
                else:
                    text.append("%s")
                    indices.append(piece[1])
        self._format = "".join(text)
        self._count = len(quads)
        self._indices = tuple(indices)
        if len(indices) == 1:
            only = indices[0]
            self._arguments = lambda values: (values[only],)
        elif indices:
            self._arguments = itemgetter(*indices)
        else:
            self._arguments = lambda values: ()

    def lines(self, values: Sequence[str]) -> list[str]:
        if not self._count:
            return []
        return (self._format % self._arguments(values)).split("\x00")


def _index(piece: tuple, variables: int) -> tuple[str, int]:
    kind, number = piece
    return ("i", number if kind == "v" else variables + number)


def _sha256_hex(text: str) -> bytes:
    # Raw digests sort exactly as their hex forms do, and are cheaper to produce.
    return hashlib.sha256(text.encode("utf-8")).digest()


def _has(quad: tuple, kind: str) -> bool:
    return any(isinstance(piece, tuple) and piece[0] == kind for piece in quad)


# --- proofs ----------------------------------------------------------------------------------

_PROOF_KEYS = frozenset(
    {"type", "cryptosuite", "created", "verificationMethod", "proofPurpose", "proofValue"}
)
_proof_templates: OrderedDict[tuple, CredentialTemplate] = OrderedDict()
_PROOF_TEMPLATE_LIMIT = 512


_proof_templates_lock = threading.Lock()


def _proof_template(context: Any, verification_method: str, proof_purpose: str):
    key = (orjson.dumps(context), verification_method, proof_purpose)
    template = _proof_templates.get(key)
    if template is None:
        template = _new_proof_template(context, verification_method, proof_purpose)
        with _proof_templates_lock:
            _proof_templates[key] = template
            if len(_proof_templates) > _PROOF_TEMPLATE_LIMIT:
                _proof_templates.popitem(last=False)
    return template


def _new_proof_template(
    context: Any, verification_method: str, proof_purpose: str
) -> CredentialTemplate:
    options = dataintegrity.proof_options(
        dataintegrity.new_proof(
            verification_method=verification_method,
            created="2000-01-01T00:00:00Z",
            proof_purpose=proof_purpose,
        ),
        context,
    )
    return CredentialTemplate.for_document(options, ["created"])


def _sha256(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


def _proof_digest(proof_template: CredentialTemplate, created: str) -> bytes:
    """Hash of the canonical proof options; a batch shares one `created`, so remember a few."""
    memo = proof_template.digests
    digest = memo.get(created)
    if digest is None:
        digest = _sha256(proof_template.canonicalize([created]))
        if len(memo) >= 64:
            memo.clear()
        memo[created] = digest
    return digest


def sign_with_template(
    template: CredentialTemplate,
    values: Mapping | Sequence,
    *,
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: str | None = None,
    proof_purpose: str = dataintegrity.ASSERTION_METHOD,
) -> dict:
    """Byte for byte what `sign_eddsa_rdfc_2022(template.build_document(values), …)` returns."""
    if not isinstance(private_key, Ed25519PrivateKey):
        raise ProofError("eddsa-rdfc-2022 needs an Ed25519 private key.", code="proof.key_type")
    ordered = template._ordered(values)
    canonical_document = template.canonicalize(ordered)
    document = template.build_document(ordered)
    proof = dataintegrity.new_proof(
        verification_method=verification_method, created=created, proof_purpose=proof_purpose
    )
    proof_template = _proof_template(document["@context"], verification_method, proof_purpose)
    data = _proof_digest(proof_template, proof["created"]) + _sha256(canonical_document)
    proof["proofValue"] = dataintegrity.encode_proof_value(private_key.sign(data))
    return dataintegrity.attach_proof(document, proof)


def sign_with_template_json(
    template: CredentialTemplate,
    values: Mapping | Sequence,
    *,
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: str | None = None,
    proof_purpose: str = dataintegrity.ASSERTION_METHOD,
) -> bytes:
    """`orjson.dumps(sign_with_template(…))`, written straight from the template's JSON.

    For bulk issuing, where the signed credential is stored as bytes: no dict is built.
    """
    return sign_with_template_parts(
        template,
        values,
        private_key=private_key,
        verification_method=verification_method,
        created=created,
        proof_purpose=proof_purpose,
    )[1]


def sign_with_template_parts(
    template: CredentialTemplate,
    values: Mapping | Sequence,
    *,
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: str | None = None,
    proof_purpose: str = dataintegrity.ASSERTION_METHOD,
) -> tuple[bytes, bytes]:
    """(`orjson.dumps(template.build_document(values))`, `sign_with_template_json(…)`): the
    unsigned and the signed document as bytes, for issuers that also sign the unsigned one
    another way (a VC-JWT) without building it."""
    if not isinstance(private_key, Ed25519PrivateKey):
        raise ProofError("eddsa-rdfc-2022 needs an Ed25519 private key.", code="proof.key_type")
    ordered = template._ordered(values)
    canonical_document = template.canonicalize(ordered)
    proof = dataintegrity.new_proof(
        verification_method=verification_method, created=created, proof_purpose=proof_purpose
    )
    proof_template = _proof_template(
        template.example["@context"], verification_method, proof_purpose
    )
    data = _proof_digest(proof_template, proof["created"]) + _sha256(canonical_document)
    proof["proofValue"] = dataintegrity.encode_proof_value(private_key.sign(data))
    body = template.document_json(ordered)
    return body, body[:-1] + b',"proof":' + orjson.dumps([proof]) + b"}"


class TemplateCache:
    """Known shapes for fast verification, matched on everything but their variable values."""

    def __init__(self, templates: Iterable[CredentialTemplate] = ()):
        self._groups: dict[tuple[Path, ...], dict[bytes, CredentialTemplate]] = {}
        self._recent: dict[tuple[Path, ...], CredentialTemplate] = {}
        for template in templates:
            self.add(template)

    def add(self, template: CredentialTemplate) -> None:
        key = _shape_key(template.example, template.paths)
        self._groups.setdefault(template.paths, {})[key] = template

    def match(self, document: Mapping) -> CredentialTemplate | None:
        serialised: bytes | None = None
        for paths, shapes in self._groups.items():
            # Verifications come in runs of one shape: first try the shape that matched last,
            # by writing it with this document's values and comparing the JSON bytes.
            recent = self._recent.get(paths)
            if recent is not None:
                try:
                    values = recent.values_of(document)
                except (KeyError, IndexError, TypeError):
                    continue
                if all(isinstance(value, str) for value in values):
                    if serialised is None:
                        serialised = orjson.dumps(document)
                    if recent.document_json(values) == serialised:
                        return recent
            try:
                key = _shape_key(document, paths)
            except (KeyError, IndexError, TypeError):
                continue
            template = shapes.get(key)
            if template is not None:
                self._recent[paths] = template
                return template
        return None


_MASK = "\x00template-variable"


def _shape_key(document: Mapping, paths: tuple[Path, ...]) -> bytes:
    """The document's JSON (sorted keys) with the string at every variable path masked.

    Only the containers along the variable paths are copied. orjson keeps integers, floats and
    booleans apart, so a document matches a shape only if every other value is identical in
    JSON-LD terms too.
    """
    copies: dict[int, Any] = {}

    def copied(container: Any) -> Any:
        copy = copies.get(id(container))
        if copy is None:
            if isinstance(container, dict):
                copy = dict(container)
            elif isinstance(container, list):
                copy = list(container)
            else:
                raise TypeError("not a container")
            copies[id(copy)] = copy
            copies[id(container)] = copy
        return copy

    root = copied(document)
    for path in paths:
        node = root
        for part in path[:-1]:
            child = copied(node[part])
            node[part] = child
            node = child
        if not isinstance(node[path[-1]], str):
            raise TypeError("not a string")
        node[path[-1]] = _MASK
    return orjson.dumps(root, option=orjson.OPT_SORT_KEYS)


def verify_with_template(
    document: dict,
    *,
    templates: TemplateCache,
    resolve_public_key: Callable[[str], object],
    expected_purpose: str = dataintegrity.ASSERTION_METHOD,
) -> list[dataintegrity.ProofResult]:
    """`verify_data_integrity`, fast when the document has a known shape.

    Falls back to the full algorithm for unknown shapes, other suites or unusual proofs, so the
    results are always those of `verify_data_integrity`.
    """
    if not isinstance(document, dict):
        raise InvalidDocument("A credential must be a JSON object.")
    body = dataintegrity.unsecured(document)
    template = templates.match(body)
    if template is None:
        return dataintegrity.verify_data_integrity(
            document, resolve_public_key=resolve_public_key, expected_purpose=expected_purpose
        )
    try:
        canonical_document = template.canonicalize(template.values_of(body))
    except OpenBadgesError:
        return dataintegrity.verify_data_integrity(
            document, resolve_public_key=resolve_public_key, expected_purpose=expected_purpose
        )
    document_digest = _sha256(canonical_document)
    results = []
    for proof in dataintegrity.proofs_of(document):
        fast = (
            isinstance(proof, dict)
            and proof.keys() <= _PROOF_KEYS
            and proof.get("type") == dataintegrity.DATA_INTEGRITY_PROOF
            and dataintegrity.check_proof_shape(proof, expected_purpose) is None
            and isinstance(proof.get("created"), str)
        )
        if fast:
            try:
                signature = dataintegrity.decode_proof_value(proof.get("proofValue"))
                proof_template = _proof_template(
                    body["@context"], proof["verificationMethod"], proof["proofPurpose"]
                )
                proof_digest = _proof_digest(proof_template, proof["created"])
            except OpenBadgesError:
                fast = False
        if not fast:
            results.append(
                dataintegrity.verify_proof(
                    body,
                    proof,
                    canonical_document=canonical_document,
                    resolve_public_key=resolve_public_key,
                    expected_purpose=expected_purpose,
                )
            )
            continue
        results.append(
            dataintegrity.check_signature(
                proof,
                proof_digest + document_digest,
                signature,
                proof["verificationMethod"],
                resolve_public_key,
            )
        )
    return results
