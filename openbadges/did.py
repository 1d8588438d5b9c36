"""Decentralised identifiers: did:key (Ed25519, P-256) and did:web.

did:key carries the public key in the identifier: `did:key:z6Mk…`, whose one verification method
is `did:key:z6Mk…#z6Mk…`. did:web maps a DID to an HTTPS URL where the DID document is served:
`did:web:badges.example.org:issuers:abc` → `https://badges.example.org/issuers/abc/did.json`
(a bare domain uses `/.well-known/did.json`; a port is written `%3A`).

Documents we publish use absolute verification method ids, since some verifiers refuse relative
ones, and list methods in `assertionMethod` as strings, the only form the 1EdTech validator reads.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from openbadges.errors import InvalidKey
from openbadges.keyring import KeyStatus, ManagedKey, format_datetime, parse_datetime
from openbadges.keys import PublicKey, algorithm_of, jwks, public_jwk, public_key_from_jwk
from openbadges.multikey import MULTIKEY_CONTEXT, decode_public_multikey, encode_public_multikey

DID_CONTEXT = "https://www.w3.org/ns/did/v1"
VERIFICATION_RELATIONSHIPS = (
    "authentication",
    "assertionMethod",
    "capabilityInvocation",
    "capabilityDelegation",
)
JWK_METHOD_SUFFIX = "-jwk"

_DID_KEY_PREFIX = "did:key:"
_DID_WEB_PREFIX = "did:web:"
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_PATH_SEGMENT = re.compile(r"^(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})+$")
_MAX_DID_LENGTH = 2048


class InvalidDid(InvalidKey):
    """A DID or DID URL is malformed, of an unsupported method, or does not resolve."""

    code = "did.invalid"


def _split_fragment(did_url: str) -> tuple[str, str | None]:
    if not isinstance(did_url, str) or len(did_url) > _MAX_DID_LENGTH:
        raise InvalidDid("A DID must be a string of reasonable length.")
    did, _, fragment = did_url.partition("#")
    did = did.split("?", 1)[0]
    return did, (fragment or None) if "#" in did_url else None


# did:key ---------------------------------------------------------------------------------------


def did_key_for(public_key: PublicKey) -> str:
    """`did:key:z…` for an Ed25519 or P-256 public key."""
    return _DID_KEY_PREFIX + encode_public_multikey(public_key)


def did_key_verification_method(public_key: PublicKey) -> str:
    """The verification method id of a did:key: `did:key:z…#z…`."""
    multikey = encode_public_multikey(public_key)
    return f"{_DID_KEY_PREFIX}{multikey}#{multikey}"


def resolve_did_key(did_or_vm: str) -> PublicKey:
    """The public key named by a did:key or its verification method id."""
    did, fragment = _split_fragment(did_or_vm)
    if not did.startswith(_DID_KEY_PREFIX):
        raise InvalidDid(f"{did_or_vm!r} is not a did:key.")
    multikey = did[len(_DID_KEY_PREFIX) :]
    if fragment is not None and fragment != multikey:
        raise InvalidDid("A did:key verification method fragment must repeat the key.")
    try:
        return decode_public_multikey(multikey)
    except InvalidKey as exc:
        raise InvalidDid(f"The did:key does not hold a usable key: {exc.message}") from exc


def did_key_document(did: str) -> dict:
    """The DID document of a did:key (Multikey form)."""
    public_key = resolve_did_key(did)
    did = _split_fragment(did)[0]
    method_id = did_key_verification_method(public_key)
    document: dict[str, Any] = {
        "@context": [DID_CONTEXT, MULTIKEY_CONTEXT],
        "id": did,
        "verificationMethod": [
            {
                "id": method_id,
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": did[len(_DID_KEY_PREFIX) :],
            }
        ],
    }
    for relationship in VERIFICATION_RELATIONSHIPS:
        document[relationship] = [method_id]
    return document


# did:web ---------------------------------------------------------------------------------------


def _normalise_host(host: str) -> str:
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise InvalidDid(f"{host!r} is not a valid host name.") from exc
    labels = ascii_host.split(".")
    if (
        len(ascii_host) > 253
        or len(labels) < 2
        or labels[-1].isdigit()  # an IP address, not a domain name
        or not all(_HOST_LABEL.match(label) for label in labels)
    ):
        raise InvalidDid(f"{host!r} is not a valid public host name for did:web.")
    return ascii_host


def _encode_segment(segment: str) -> str:
    # did:web path parts may only hold DID idchars: letters, digits, '.', '-', '_' and %XX.
    return quote(segment, safe="").replace("~", "%7E")


def did_web_for(url: str) -> str:
    """The did:web of an HTTPS URL (e.g. an issuer's page), without a trailing `/did.json`."""
    if not isinstance(url, str):
        raise InvalidDid("A did:web is made from an https URL.")
    parts = urlsplit(url)
    if parts.scheme != "https":
        raise InvalidDid("did:web is defined for https URLs only.")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise InvalidDid("A did:web URL has no user, query or fragment.")
    if not parts.hostname:
        raise InvalidDid("The URL has no host.")
    try:
        port = parts.port
    except ValueError as exc:
        raise InvalidDid("The URL has an invalid port.") from exc
    host = _normalise_host(parts.hostname)
    if port is not None and port != 443:
        host += f"%3A{port}"
    path = parts.path.removeprefix("/").removesuffix("/")
    segments = [unquote(segment) for segment in path.split("/")] if path else []
    if segments and segments[-1] == "did.json":
        segments.pop()
        if segments == [".well-known"]:
            segments = []
    if any(segment in ("", ".", "..") for segment in segments):
        raise InvalidDid("The URL path has empty or dot segments.")
    return ":".join(["did", "web", host, *(_encode_segment(s) for s in segments)])


def _parse_did_web(did: str) -> tuple[str, list[str]]:
    if not did.startswith(_DID_WEB_PREFIX):
        raise InvalidDid(f"{did!r} is not a did:web.")
    host_part, *segments = did[len(_DID_WEB_PREFIX) :].split(":")
    host, _, port = unquote(host_part).partition(":")
    host = _normalise_host(host)
    if port:
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise InvalidDid("The did:web port is invalid.")
        host = f"{host}:{int(port)}"
    decoded = []
    for segment in segments:
        if not _PATH_SEGMENT.match(segment):
            raise InvalidDid("A did:web path segment holds characters a DID may not hold.")
        value = unquote(segment)
        if value in (".", "..") or "/" in value:
            raise InvalidDid("A did:web path segment may not be a dot segment or hold '/'.")
        decoded.append(value)
    return host, decoded


def did_web_url(did: str) -> str:
    """The HTTPS URL of a did:web's DID document."""
    host, segments = _parse_did_web(_split_fragment(did)[0])
    if not segments:
        return f"https://{host}/.well-known/did.json"
    return f"https://{host}/{'/'.join(quote(s, safe='') for s in segments)}/did.json"


def verification_method_id(did: str, key_id: str) -> str:
    return f"{did}#{key_id}"


def jwt_kid(did: str, key: ManagedKey) -> str:
    """The `kid` that names a key in our did:web document for VC-JWT (its JWK method)."""
    if key.algorithm == "RSA":
        return verification_method_id(did, key.key_id)
    return verification_method_id(did, key.key_id + JWK_METHOD_SUFFIX)


def did_web_document(
    did: str,
    keys: Iterable[ManagedKey],
    *,
    jwk_methods: bool = True,
    also_known_as: Iterable[str] = (),
    services: Iterable[Mapping[str, Any]] = (),
) -> dict:
    """The DID document to serve at `did_web_url(did)`.

    Each Ed25519 / P-256 key is a `Multikey` method `did#key-1` (for Data Integrity proofs)
    and, with `jwk_methods`, also a `JsonWebKey` method `did#key-1-jwk` (for VC-JWT, whose
    verifiers look for `publicKeyJwk`); RSA keys are `JsonWebKey` methods only. Active and
    retired keys are listed under `assertionMethod`, so that what retired keys signed keeps
    verifying. A revoked key stays among the verification methods with its `revoked` date, for
    verifiers that weigh the compromise date, but is no longer an assertion method, so that
    verifiers that cannot weigh it refuse it.
    """
    if "#" in did or "?" in did:
        raise InvalidDid("A DID document is made for a DID, not a DID URL.")
    _parse_did_web(did)
    methods: list[dict[str, Any]] = []
    assertion: list[str] = []
    for key in keys:
        algorithm = algorithm_of(key.public_key)
        entries: list[dict[str, Any]] = []
        if algorithm != "RSA":
            entries.append(
                {
                    "id": verification_method_id(did, key.key_id),
                    "type": "Multikey",
                    "controller": did,
                    "publicKeyMultibase": encode_public_multikey(key.public_key),
                }
            )
        if algorithm == "RSA" or jwk_methods:
            jwk = public_jwk(key.public_key, alg=True)
            jwk["kid"] = jwt_kid(did, key)
            entries.append(
                {
                    "id": jwk["kid"],
                    "type": "JsonWebKey",
                    "controller": did,
                    "publicKeyJwk": jwk,
                }
            )
        for entry in entries:
            if key.status is KeyStatus.REVOKED:
                entry["revoked"] = format_datetime(key.compromised_at)
            else:
                assertion.append(entry["id"])
        methods.extend(entries)
    # JsonWebKey (W3C Controlled Identifiers) has no context among the ones verifiers bundle;
    # DID documents are read as plain JSON by the verifiers we interoperate with.
    document: dict[str, Any] = {"@context": [DID_CONTEXT, MULTIKEY_CONTEXT], "id": did}
    also = list(also_known_as)
    if also:
        document["alsoKnownAs"] = also
    document["verificationMethod"] = methods
    document["assertionMethod"] = assertion
    service_list = [dict(service) for service in services]
    if service_list:
        document["service"] = service_list
    return document


def did_web_jwks(did: str, keys: Iterable[ManagedKey]) -> dict:
    """The JWK Set to serve beside a did:web document (e.g. `/.well-known/jwks.json`).

    Each key's `kid` is the verification method `jwt_kid` names, so a VC-JWT's `kid` is found
    in both. Revoked keys are left out: a JWK Set cannot say when a key was compromised.
    """
    if "#" in did or "?" in did:
        raise InvalidDid("A JWK Set is made for a DID, not a DID URL.")
    _parse_did_web(did)
    return jwks(
        public_jwk(key.public_key, kid=jwt_kid(did, key))
        for key in keys
        if key.status is not KeyStatus.REVOKED
    )


# Reading DID documents -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VerificationMethod:
    id: str
    type: str
    controller: str
    public_key: PublicKey
    revoked: datetime | None
    relationships: frozenset[str]


def _absolute(reference: str, document_id: str) -> str:
    return document_id + reference if reference.startswith("#") else reference


def describe_verification_method(vm_id: str, did_document: Mapping[str, Any]) -> VerificationMethod:
    """Find a verification method (absolute or `#relative` ids) and read its key."""
    if not isinstance(did_document, Mapping):
        raise InvalidDid("A DID document must be a JSON object.")
    document_id = did_document.get("id")
    if not isinstance(document_id, str):
        raise InvalidDid("The DID document has no id.")
    did, _ = _split_fragment(vm_id)
    if did and did != document_id:
        raise InvalidDid(
            f"The verification method {vm_id} does not belong to the DID document {document_id}."
        )
    target = _absolute(vm_id, document_id)

    found: Mapping[str, Any] | None = None
    relationships: set[str] = set()
    candidates: list[Any] = list(_as_list(did_document.get("verificationMethod")))
    for relationship in VERIFICATION_RELATIONSHIPS:
        for entry in _as_list(did_document.get(relationship)):
            if isinstance(entry, str):
                if _absolute(entry, document_id) == target:
                    relationships.add(relationship)
            elif (
                isinstance(entry, Mapping)
                and _absolute(str(entry.get("id", "")), document_id) == target
            ):
                # An embedded method belongs to this relationship only.
                relationships.add(relationship)
                candidates.append(entry)
    for entry in candidates:
        if (
            isinstance(entry, Mapping)
            and _absolute(str(entry.get("id", "")), document_id) == target
        ):
            found = entry
            break
    if found is None:
        raise InvalidDid(f"The verification method {vm_id} is not in the DID document.")
    controller = found.get("controller")
    if controller != document_id:
        raise InvalidDid(
            f"The verification method {vm_id} is controlled by {controller!r}, "
            f"not by {document_id}."
        )
    method_type = found.get("type")
    if "publicKeyMultibase" in found:
        public_key = decode_public_multikey(found["publicKeyMultibase"])
    elif "publicKeyJwk" in found:
        public_key = public_key_from_jwk(found["publicKeyJwk"])
    else:
        raise InvalidDid(
            f"The verification method {vm_id} has neither publicKeyMultibase nor publicKeyJwk."
        )
    return VerificationMethod(
        id=target,
        type=str(method_type),
        controller=controller,
        public_key=public_key,
        revoked=parse_datetime(found.get("revoked")),
        relationships=frozenset(relationships),
    )


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def resolve_verification_method(
    vm_id: str, did_document: Mapping[str, Any], *, purpose: str = "assertionMethod"
) -> PublicKey:
    """The public key of a method authorised for `purpose`; refuses revoked methods.

    To weigh a revocation date instead, use `describe_verification_method` with
    `keyring.key_usable_for`.
    """
    method = describe_verification_method(vm_id, did_document)
    if method.revoked is not None:
        raise InvalidKey(
            f"The key {vm_id} was revoked on {format_datetime(method.revoked)}.",
            code="key.revoked",
        )
    if purpose not in method.relationships:
        raise InvalidKey(
            f"The key {vm_id} is not authorised for {purpose} by its DID document.",
            code="key.not_authorised",
        )
    return method.public_key


def resolve_did_verification_method(
    vm_id: str,
    *,
    fetch_json: Callable[[str], Any] | None = None,
    purpose: str = "assertionMethod",
) -> PublicKey:
    """Resolve a did:key or did:web verification method id to its public key.

    did:web documents are fetched with `fetch_json(url) -> parsed JSON` (the caller's safe
    fetcher); without one, only did:key resolves.
    """
    did, fragment = _split_fragment(vm_id)
    if did.startswith(_DID_KEY_PREFIX):
        return resolve_did_key(vm_id)
    if did.startswith(_DID_WEB_PREFIX):
        if fetch_json is None:
            raise InvalidDid("Resolving did:web needs network access, which is not enabled.")
        if fragment is None:
            raise InvalidDid("A did:web verification method needs a #fragment.")
        document = fetch_json(did_web_url(did))
        if not isinstance(document, Mapping) or document.get("id") != did:
            raise InvalidDid(f"The document served for {did} does not describe that DID.")
        return resolve_verification_method(vm_id, document, purpose=purpose)
    raise InvalidDid(f"Unsupported DID method in {vm_id!r}; did:key and did:web are supported.")
