"""Compact JWS parsing and Open Badges 2.0 signed assertions.

An OB 2.0 signed badge is a compact JWS with the header `{"alg": "RS256"}` whose payload is the
Assertion JSON, with `verification: {"type": "SignedBadge", "creator": <CryptographicKey URL>}`.
The verifier takes the key from the issuer Profile's `publicKey` (the caller fetches it; see
`verification_creator`) and checks the RS256 signature; the 1EdTech validator accepts RS256 only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jwt
import orjson

from openbadges.errors import InvalidKey, ProofError
from openbadges.keys import (
    KeyPair,
    PublicKey,
    algorithm_of,
    b64url_decode,
    public_key_from_pem,
    verify_signature,
)

OB2_ALGORITHM = "RS256"
SIGNED_VERIFICATION_TYPES = frozenset({"SignedBadge", "signed"})
# A signed assertion with an embedded badge image can be large; anything past this is not one.
MAX_TOKEN_LENGTH = 8 * 1024 * 1024

_COMPACT_JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")
_OB2_JWS = jwt.PyJWS(algorithms=[OB2_ALGORITHM])


@dataclass(frozen=True, slots=True)
class CompactJws:
    header: dict
    payload: dict
    signing_input: bytes
    signature: bytes


def looks_like_compact_jws(text: str | bytes) -> bool:
    """Whether input has the shape of a compact JWS (for sniffing, not for trust)."""
    if isinstance(text, bytes):
        try:
            text = text.decode("ascii")
        except UnicodeDecodeError:
            return False
    return (
        isinstance(text, str)
        and len(text) <= MAX_TOKEN_LENGTH
        and _COMPACT_JWS.match(text.strip()) is not None
    )


def decode_compact(token: str | bytes, *, code: str = "jws.malformed") -> CompactJws:
    """Split and decode a compact JWS whose header and payload are JSON objects.

    Nothing is verified here; `code` is the error code given to syntax errors.
    """
    if isinstance(token, bytes):
        try:
            token = token.decode("ascii")
        except UnicodeDecodeError as exc:
            raise ProofError("A compact JWS is ASCII text.", code=code) from exc
    if not isinstance(token, str):
        raise ProofError("A compact JWS is a string.", code=code)
    token = token.strip()
    if len(token) > MAX_TOKEN_LENGTH:
        raise ProofError("The token is too large.", code=code)
    if not _COMPACT_JWS.match(token):
        raise ProofError(
            "Not a compact JWS: expected three base64url parts separated by dots.", code=code
        )
    header_part, payload_part, signature_part = token.split(".")
    try:
        header = orjson.loads(b64url_decode(header_part))
        payload = orjson.loads(b64url_decode(payload_part))
        signature = b64url_decode(signature_part)
    except (InvalidKey, orjson.JSONDecodeError) as exc:
        raise ProofError("The token's parts are not base64url JSON.", code=code) from exc
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise ProofError("The token's header and payload must be JSON objects.", code=code)
    return CompactJws(
        header=header,
        payload=payload,
        signing_input=f"{header_part}.{payload_part}".encode("ascii"),
        signature=signature,
    )


def _signed_verification(assertion: Mapping[str, Any]) -> Mapping[str, Any]:
    verification = assertion.get("verification", assertion.get("verify"))
    if (
        not isinstance(verification, Mapping)
        or verification.get("type") not in SIGNED_VERIFICATION_TYPES
    ):
        raise ProofError(
            "A signed assertion needs verification.type 'SignedBadge'.",
            code="jws.verification",
        )
    return verification


def sign_ob2_assertion(assertion: Mapping[str, Any], *, key: KeyPair) -> str:
    """Sign an OB 2.0 Assertion as a compact JWS (RS256)."""
    if not isinstance(assertion, Mapping):
        raise ProofError("An assertion must be a JSON object.", code="jws.payload")
    if key.algorithm != "RSA":
        raise InvalidKey(
            "OB 2.0 signed badges use RS256: sign them with an RSA key.",
            code="key.unsupported_algorithm",
        )
    creator = _signed_verification(assertion).get("creator")
    if creator is not None and (not isinstance(creator, str) or not creator.startswith("https://")):
        raise ProofError(
            "verification.creator must be the https URL of the CryptographicKey.",
            code="jws.verification",
        )
    try:
        body = orjson.dumps(assertion)
    except TypeError as exc:
        raise ProofError(
            f"The assertion cannot be written as JSON: {exc}", code="jws.payload"
        ) from exc
    # typ None drops PyJWT's default "typ": "JWT": the payload is an assertion, not JWT claims.
    return _OB2_JWS.encode(body, key.private_key, algorithm=OB2_ALGORITHM, headers={"typ": None})


def decode_ob2_jws_unverified(token: str | bytes) -> tuple[dict, dict]:
    """(header, assertion) of an OB 2.0 signed badge, before its key is known."""
    compact = decode_compact(token)
    return compact.header, compact.payload


def verification_creator(assertion: Mapping[str, Any]) -> str | None:
    """The URL of the key an assertion says signed it (`verification.creator`), if any."""
    verification = assertion.get("verification", assertion.get("verify"))
    if isinstance(verification, Mapping) and isinstance(verification.get("creator"), str):
        return verification["creator"]
    return None


def verify_ob2_jws(token: str | bytes, *, public_key: PublicKey | str) -> dict:
    """Verify an OB 2.0 signed assertion with the issuer's key (object or PEM); return it.

    Raises ProofError (`jws.malformed`, `jws.algorithm`, `jws.signature`, `jws.verification`)
    or InvalidKey with a plain reason.
    """
    if isinstance(public_key, str | bytes):
        public_key = public_key_from_pem(public_key)
    compact = decode_compact(token)
    alg = compact.header.get("alg")
    if alg != OB2_ALGORITHM:
        raise ProofError(
            f"OB 2.0 signed badges use RS256; this one says {alg!r}.", code="jws.algorithm"
        )
    if "crit" in compact.header:
        raise ProofError(
            "The token has critical header extensions this verifier does not know.",
            code="jws.header",
        )
    if algorithm_of(public_key) != "RSA":
        raise InvalidKey("An RS256 signature needs an RSA key.", code="key.unsupported_algorithm")
    if not verify_signature(public_key, compact.signing_input, compact.signature):
        raise ProofError(
            "The signature does not match the assertion and the issuer's key.",
            code="jws.signature",
        )
    _signed_verification(compact.payload)
    return compact.payload
