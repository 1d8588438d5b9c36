"""VC-JWT: Open Badges 3.0 credentials secured as a compact JWS (OB 3.0 §8.2 "JSON Web Token
Proof Format").

Issuing: the JWT payload is the credential JSON itself (VC 2.0) plus the claims `iss`
(issuer.id), `jti` (id), `sub` (credentialSubject.id), `nbf` (validFrom), `iat` and, when the
credential has a validUntil, `exp`; the JOSE header holds `alg` (EdDSA, ES256 or RS256), `kid`
and `typ: "JWT"` (and `jwk` when no key id is given). Nothing else, as OB 3.0 allows no other
headers.

Verifying also accepts VC 1.1 tokens, whose credential sits in the `vc` claim, and the `typ`
values of W3C VC-JOSE-COSE (`vc+jwt`, `vc+ld+json+jwt`). Only EdDSA, ES256 and RS256 are
accepted, and the algorithm must match the key's type: never `none`, never an HMAC.

Signing uses PyJWT's compact serialisation with the payload serialised by orjson (fast enough for
bulk issuing). Verification parses the token strictly and checks the signature with
`cryptography` (see `verify_vc_jwt_full`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import orjson

from openbadges.did import resolve_did_key
from openbadges.errors import InvalidDocument, InvalidKey, OpenBadgesError, ProofError
from openbadges.jws import decode_compact
from openbadges.keyring import parse_datetime
from openbadges.keys import (
    JWK_THUMBPRINT_URN_PREFIX,
    JWS_ALGORITHMS,
    KeyPair,
    PublicKey,
    algorithm_of,
    jwk_thumbprint_uri,
    public_jwk,
    public_key_from_jwk,
    verify_signature,
)

ALLOWED_ALGORITHMS = frozenset(JWS_ALGORITHMS.values())
ACCEPTED_TYPES = frozenset({"jwt", "vc+jwt", "vc+ld+json+jwt"})
REGISTERED_CLAIMS = ("iss", "sub", "aud", "exp", "nbf", "iat", "jti")
VC_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
DEFAULT_LEEWAY = timedelta(seconds=60)
_JWS = jwt.PyJWS(algorithms=sorted(ALLOWED_ALGORITHMS), options={"verify_signature": True})


def _fail(message: str, code: str) -> ProofError:
    return ProofError(message, code=code)


def _issuer_id(credential: Mapping[str, Any]) -> Any:
    issuer = credential.get("issuer")
    return issuer.get("id") if isinstance(issuer, Mapping) else issuer


def _subject_id(credential: Mapping[str, Any]) -> Any:
    subject = credential.get("credentialSubject")
    return subject.get("id") if isinstance(subject, Mapping) else None


def _numeric_date(value: Any, field: str) -> int:
    try:
        instant = parse_datetime(value)
    except InvalidDocument as exc:
        raise _fail(f"The credential's {field} is not a valid date-time.", "jwt.claims") from exc
    return int(instant.timestamp())


# Issuing ---------------------------------------------------------------------------------------


def vc_jwt_claims(credential: Mapping[str, Any], *, issued_at: datetime | None = None) -> dict:
    """The registered claims OB 3.0 derives from a credential."""
    is_v1 = _first_context(credential) == VC_V1_CONTEXT
    claims: dict[str, Any] = {}
    issuer = _issuer_id(credential)
    if not isinstance(issuer, str) or not issuer:
        raise _fail("A VC-JWT needs the credential's issuer id (the iss claim).", "jwt.claims")
    claims["iss"] = issuer
    if not isinstance(credential.get("id"), str):
        raise _fail("A VC-JWT needs the credential's id (the jti claim).", "jwt.claims")
    claims["jti"] = credential["id"]
    subject = _subject_id(credential)
    if not isinstance(subject, str) or not subject:
        raise _fail(
            "A VC-JWT needs credentialSubject.id (the sub claim); give the recipient an id.",
            "jwt.claims",
        )
    claims["sub"] = subject
    start_field, end_field = (
        ("issuanceDate", "expirationDate") if is_v1 else ("validFrom", "validUntil")
    )
    if credential.get(start_field) is None:
        raise _fail(f"A VC-JWT needs the credential's {start_field} (the nbf claim).", "jwt.claims")
    claims["nbf"] = _numeric_date(credential[start_field], start_field)
    claims["iat"] = int((issued_at or datetime.now(UTC)).timestamp())
    if credential.get(end_field) is not None:
        claims["exp"] = _numeric_date(credential[end_field], end_field)
    return claims


def sign_vc_jwt(
    credential: Mapping[str, Any],
    *,
    key: KeyPair,
    kid: str | None = None,
    issued_at: datetime | None = None,
) -> str:
    """Sign a credential as a compact VC-JWT.

    `kid` should be the absolute URL of the verification method (e.g. `did:web:…#key-1-jwk`
    or `did:key:…#…`). Without one, the public key travels in the `jwk` header and the `kid`
    is its RFC 9278 thumbprint URI.
    """
    if not isinstance(credential, Mapping):
        raise _fail("A credential must be a JSON object.", "jwt.claims")
    claims = vc_jwt_claims(credential, issued_at=issued_at)
    if _first_context(credential) == VC_V1_CONTEXT:
        payload: dict[str, Any] = {**claims, "vc": dict(credential)}
    else:
        clashing = [name for name in REGISTERED_CLAIMS if name in credential]
        if clashing:
            raise _fail(
                f"The credential has properties named like JWT claims: {', '.join(clashing)}.",
                "jwt.claims",
            )
        payload = {**credential, **claims}
    headers: dict[str, Any] = {"typ": "JWT"}
    if kid is None:
        jwk = public_jwk(key.public_key, kid="", alg=False)
        del jwk["kid"]
        headers["kid"] = jwk_thumbprint_uri(jwk)
        headers["jwk"] = jwk
    else:
        if not isinstance(kid, str) or not kid:
            raise _fail("The kid must be a non-empty URL.", "jwt.key")
        if kid.startswith("did:") and kid.split("#", 1)[0] != claims["iss"]:
            raise _fail(
                f"The key {kid} does not belong to the issuer {claims['iss']}; verifiers "
                "would refuse the token.",
                "jwt.key_provenance",
            )
        headers["kid"] = kid
    try:
        body = orjson.dumps(payload)
    except TypeError as exc:
        raise _fail(f"The credential cannot be written as JSON: {exc}", "jwt.claims") from exc
    return _JWS.encode(body, key.private_key, algorithm=key.jws_algorithm, headers=headers)


def _first_context(credential: Mapping[str, Any]) -> Any:
    context = credential.get("@context")
    if isinstance(context, list):
        return context[0] if context else None
    return context


# Verifying -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VerifiedJwt:
    credential: dict
    header: dict
    claims: dict
    public_key: PublicKey


def decode_unverified(token: str | bytes) -> tuple[dict, dict]:
    """Header and payload of a compact JWS, without checking anything but the syntax."""
    compact = decode_compact(token, code="jwt.malformed")
    return compact.header, compact.payload


def check_header(header: Mapping[str, Any]) -> str:
    """Refuse unsafe or unsupported JOSE headers; return the algorithm."""
    alg = header.get("alg")
    if alg not in ALLOWED_ALGORITHMS:
        raise _fail(
            f"Signature algorithm {alg!r} is not accepted (only EdDSA, ES256 and RS256).",
            "jwt.algorithm",
        )
    typ = header.get("typ")
    if typ is not None and (
        not isinstance(typ, str) or typ.lower().removeprefix("application/") not in ACCEPTED_TYPES
    ):
        raise _fail(f"Token type {typ!r} is not a JWT credential type.", "jwt.type")
    if "crit" in header:
        raise _fail(
            "The token has critical header extensions this verifier does not know.", "jwt.header"
        )
    if "kid" not in header and "jwk" not in header:
        raise _fail("The token names no key: it needs a kid or a jwk header.", "jwt.key")
    if "kid" in header and (not isinstance(header["kid"], str) or not header["kid"]):
        raise _fail("The kid header must be a non-empty string.", "jwt.key")
    return alg


def _resolve_key(
    header: Mapping[str, Any],
    claims: Mapping[str, Any],
    resolve_public_key: Callable[[str], PublicKey] | None,
) -> PublicKey:
    kid = header.get("kid")
    issuer = claims.get("iss")
    if kid is not None and kid.startswith("#") and isinstance(issuer, str):
        # A bare fragment names a verification method of the issuer's own document.
        kid = issuer + kid
    embedded = None
    if "jwk" in header:
        try:
            embedded = public_key_from_jwk(header["jwk"])
        except InvalidKey as exc:
            raise _fail(
                f"The jwk header is not a usable public key: {exc.message}", "jwt.key"
            ) from exc
    # Key provenance: a key named by a DID URL must belong to the issuer's DID.
    if kid is not None and kid.startswith("did:") and "#" in kid and kid.split("#", 1)[0] != issuer:
        raise _fail(
            f"The signing key {kid} does not belong to the issuer {issuer}.",
            "jwt.key_provenance",
        )
    key = None
    try:
        if (
            kid is not None
            and resolve_public_key is not None
            and not kid.startswith(JWK_THUMBPRINT_URN_PREFIX)
        ):
            key = resolve_public_key(kid)
        elif kid is not None and kid.startswith("did:key:"):
            key = resolve_did_key(kid)
    except OpenBadgesError as exc:
        raise _fail(
            f"The signing key {kid} could not be resolved: {exc.message}", "jwt.key"
        ) from exc
    if key is not None:
        if embedded is not None and public_jwk(embedded) != public_jwk(key):
            raise _fail("The jwk header differs from the key the kid names.", "jwt.key")
        return key
    if embedded is None:
        raise _fail(f"The signing key {kid} could not be resolved.", "jwt.key")
    if (
        kid is not None
        and kid.startswith(JWK_THUMBPRINT_URN_PREFIX)
        and kid != jwk_thumbprint_uri(public_jwk(embedded, alg=False))
    ):
        raise _fail("The kid thumbprint does not match the jwk header.", "jwt.key")
    # A key carried in the token proves nothing about the issuer unless the issuer is that key.
    if not (isinstance(issuer, str) and issuer.startswith("did:key:")):
        raise _fail(
            "The token carries its own key, and nothing ties that key to the issuer.",
            "jwt.key_provenance",
        )
    try:
        issuer_key = resolve_did_key(issuer)
    except OpenBadgesError as exc:
        raise _fail(
            f"The issuer did:key is not valid: {exc.message}", "jwt.key_provenance"
        ) from exc
    if public_jwk(issuer_key) != public_jwk(embedded):
        raise _fail("The token's key is not the issuer's did:key.", "jwt.key_provenance")
    return embedded


def _credential_from_payload(payload: Mapping[str, Any]) -> tuple[dict, bool]:
    if "vc" in payload:
        credential = payload["vc"]
        if not isinstance(credential, dict):
            raise _fail("The vc claim must hold a credential object.", "jwt.claims")
        if _first_context(credential) != VC_V1_CONTEXT:
            raise _fail(
                "A credential in the vc claim must be a VC 1.1 credential "
                f"(first @context {VC_V1_CONTEXT}).",
                "jwt.claims",
            )
        credential = dict(credential)
        # VC-JWT 1.1 decoding: claims stand in for the properties they replace.
        if "id" not in credential and "jti" in payload:
            credential["id"] = payload["jti"]
        if "issuer" not in credential and "iss" in payload:
            credential["issuer"] = payload["iss"]
        subject = credential.get("credentialSubject")
        if isinstance(subject, dict) and "id" not in subject and "sub" in payload:
            credential["credentialSubject"] = {**subject, "id": payload["sub"]}
        if "issuanceDate" not in credential and isinstance(payload.get("nbf"), int | float):
            credential["issuanceDate"] = _format_numeric(payload["nbf"])
        if "expirationDate" not in credential and isinstance(payload.get("exp"), int | float):
            credential["expirationDate"] = _format_numeric(payload["exp"])
        return credential, True
    return {k: v for k, v in payload.items() if k not in REGISTERED_CLAIMS}, False


def _format_numeric(value: float) -> str:
    return datetime.fromtimestamp(value, UTC).isoformat().replace("+00:00", "Z")


def _claim_time(payload: Mapping[str, Any], name: str) -> datetime | None:
    value = payload.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(f"The {name} claim must be a NumericDate.", "jwt.claims")
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise _fail(f"The {name} claim is out of range.", "jwt.claims") from exc


def _check_claims(
    payload: Mapping[str, Any],
    credential: Mapping[str, Any],
    is_v1: bool,
    now: datetime | None,
    leeway: timedelta,
) -> None:
    if payload.get("iss") != _issuer_id(credential) or payload.get("iss") is None:
        raise _fail("The iss claim does not match the credential's issuer.id.", "jwt.claims")
    if payload.get("sub") != _subject_id(credential) or payload.get("sub") is None:
        raise _fail(
            "The sub claim does not match the credential's credentialSubject.id.", "jwt.claims"
        )
    if payload.get("jti") != credential.get("id") or payload.get("jti") is None:
        raise _fail("The jti claim does not match the credential's id.", "jwt.claims")
    start_field, end_field = (
        ("issuanceDate", "expirationDate") if is_v1 else ("validFrom", "validUntil")
    )
    nbf = _claim_time(payload, "nbf")
    if nbf is None:
        raise _fail("The token has no nbf claim.", "jwt.claims")
    start = credential.get(start_field)
    if start is None or _numeric_date(start, start_field) != int(nbf.timestamp()):
        raise _fail(f"The nbf claim does not match the credential's {start_field}.", "jwt.claims")
    if now is not None and nbf > now + leeway:
        raise _fail(
            f"The credential is not valid before {_format_numeric(nbf.timestamp())}.",
            "jwt.not_yet_valid",
        )
    iat = _claim_time(payload, "iat")
    if now is not None and iat is not None and iat > now + leeway:
        raise _fail("The token claims to be issued in the future.", "jwt.not_yet_valid")
    exp = _claim_time(payload, "exp")
    end = credential.get(end_field)
    if end is not None and (exp is None or _numeric_date(end, end_field) != int(exp.timestamp())):
        raise _fail(f"The exp claim does not match the credential's {end_field}.", "jwt.claims")
    if now is not None and exp is not None and exp <= now - leeway:
        raise _fail(f"The credential expired on {_format_numeric(exp.timestamp())}.", "jwt.expired")


def verify_vc_jwt_full(
    token: str,
    *,
    resolve_public_key: Callable[[str], PublicKey] | None = None,
    now: datetime | None = None,
    leeway: timedelta = DEFAULT_LEEWAY,
    check_dates: bool = True,
) -> VerifiedJwt:
    """Verify a VC-JWT; raise ProofError with a specific `code` and a plain reason.

    With `check_dates=False` the nbf / iat / exp claims are still checked against the
    credential but not against the clock, for callers that report validity dates themselves.
    """
    compact = decode_compact(token, code="jwt.malformed")
    header, payload = compact.header, compact.payload
    alg = check_header(header)
    key = _resolve_key(header, payload, resolve_public_key)
    try:
        key_algorithm = algorithm_of(key)
    except InvalidKey as exc:
        raise _fail(f"The signing key is not usable: {exc.message}", "jwt.key") from exc
    if JWS_ALGORITHMS[key_algorithm] != alg:
        raise _fail(
            f"The token says {alg} but the key is {key_algorithm}, which signs with "
            f"{JWS_ALGORITHMS[key_algorithm]}.",
            "jwt.algorithm",
        )
    # The syntax was checked strictly above; the signature is checked with `cryptography`
    # directly, as PyJWT 2.15 re-validates each base64url character in Python, which took
    # 60% of the verification time.
    if not verify_signature(key, compact.signing_input, compact.signature):
        raise _fail("The signature does not match the token's content.", "jwt.signature")
    credential, is_v1 = _credential_from_payload(payload)
    if not check_dates:
        now = None
    elif now is None:
        now = datetime.now(UTC)
    else:
        now = parse_datetime(now)
    _check_claims(payload, credential, is_v1, now, leeway)
    return VerifiedJwt(credential=credential, header=header, claims=payload, public_key=key)


def verify_vc_jwt(
    token: str,
    *,
    resolve_public_key: Callable[[str], PublicKey] | None = None,
    now: datetime | None = None,
    leeway: timedelta = DEFAULT_LEEWAY,
) -> tuple[dict, dict]:
    """Verify a VC-JWT and return (credential, JOSE header)."""
    verified = verify_vc_jwt_full(
        token, resolve_public_key=resolve_public_key, now=now, leeway=leeway
    )
    return verified.credential, verified.header
