"""Builders for the Open Badges 2.0 documents we publish (hosted and signed badges).

OB 2.0 has no official JSON Schema; the rules are those of the 1EdTech validator (CHECKLIST §1):
required properties, absolute ids, dates with a timezone, PNG/SVG images, and the two-way link
between an issuer Profile and its CryptographicKey. Every document is checked in JSON-LD safe
mode against the OB 2.0 context.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from . import jsonld
from .documents import check_iri, datetime_value, put_optional
from .errors import InvalidDocument

CONTEXT = jsonld.OB_V2_CONTEXT
_RECIPIENT_TYPES = frozenset({"email", "url", "telephone", "id"})


def _finish(document: dict, validate: bool) -> dict:
    if validate:
        jsonld.check_safe_mode(document)
    return document


def _iri_or_object(value: str | Mapping, field: str) -> str | dict:
    if isinstance(value, Mapping):
        return dict(value)
    return check_iri(value, field)


def _image(value: str | Mapping, field: str) -> str | dict:
    if isinstance(value, str) and value.startswith(("data:image/png", "data:image/svg+xml")):
        return value
    return _iri_or_object(value, field)


def hosted_verification() -> dict:
    return {"type": "HostedBadge"}


def signed_verification(creator: str) -> dict:
    """`SignedBadge` naming the CryptographicKey (its URL) that signed the assertion."""
    return {"type": "SignedBadge", "creator": check_iri(creator, "verification.creator")}


def alignment(
    *,
    target_name: str,
    target_url: str,
    target_description: str | None = None,
    target_framework: str | None = None,
    target_code: str | None = None,
) -> dict:
    result = {"targetName": target_name, "targetUrl": check_iri(target_url, "targetUrl")}
    put_optional(result, "targetDescription", target_description)
    put_optional(result, "targetFramework", target_framework)
    put_optional(result, "targetCode", target_code)
    return result


def evidence(
    *,
    id: str | None = None,
    narrative: str | None = None,
    name: str | None = None,
    description: str | None = None,
    genre: str | None = None,
    audience: str | None = None,
) -> dict:
    result: dict = {}
    if id:
        result["id"] = check_iri(id, "evidence.id")
    put_optional(result, "narrative", narrative)
    put_optional(result, "name", name)
    put_optional(result, "description", description)
    put_optional(result, "genre", genre)
    put_optional(result, "audience", audience)
    if not result:
        raise InvalidDocument("Evidence needs a URL or a narrative.", code="document.evidence")
    return result


def assertion(
    *,
    id: str,
    recipient: Mapping,
    badge: str | Mapping,
    issued_on: datetime | str,
    verification: Mapping | None = None,
    image: str | Mapping | None = None,
    expires: datetime | str | None = None,
    evidence: Iterable[Mapping | str] = (),
    narrative: str | None = None,
    validate: bool = True,
) -> dict:
    """An OB 2.0 `Assertion`. `recipient` comes from `recipient.ob2_identity_object`."""
    if recipient.get("type") not in _RECIPIENT_TYPES or "identity" not in recipient:
        raise InvalidDocument(
            "The recipient must be an OB 2.0 IdentityObject (type email, url, telephone or id).",
            code="document.recipient",
        )
    result: dict = {
        "@context": CONTEXT,
        "type": "Assertion",
        "id": check_iri(id, "id"),
        "recipient": dict(recipient),
        "badge": _iri_or_object(badge, "badge"),
        "verification": dict(verification or hosted_verification()),
        "issuedOn": datetime_value(issued_on, "issuedOn"),
    }
    if expires is not None:
        result["expires"] = datetime_value(expires, "expires")
    if image is not None:
        result["image"] = _image(image, "image")
    put_optional(
        result,
        "evidence",
        [item if isinstance(item, str) else dict(item) for item in evidence],
    )
    put_optional(result, "narrative", narrative)
    return _finish(result, validate)


def badge_class(
    *,
    id: str,
    name: str,
    description: str,
    image: str | Mapping,
    criteria: str | Mapping,
    issuer: str | Mapping,
    alignments: Iterable[Mapping] = (),
    tags: Sequence[str] = (),
    validate: bool = True,
) -> dict:
    """An OB 2.0 `BadgeClass`; `criteria` is a URL or `{"narrative": …}` (with optional id)."""
    if isinstance(criteria, Mapping) and not (criteria.get("narrative") or criteria.get("id")):
        raise InvalidDocument(
            "Criteria need a narrative or the URL of a criteria page.", code="document.criteria"
        )
    result: dict = {
        "@context": CONTEXT,
        "type": "BadgeClass",
        "id": check_iri(id, "id"),
        "name": name,
        "description": description,
        "image": _image(image, "image"),
        "criteria": _iri_or_object(criteria, "criteria"),
        "issuer": _iri_or_object(issuer, "issuer"),
    }
    put_optional(result, "alignment", [dict(item) for item in alignments])
    put_optional(result, "tags", list(tags))
    return _finish(result, validate)


def issuer_profile(
    *,
    id: str,
    name: str,
    url: str,
    email: str,
    description: str | None = None,
    image: str | Mapping | None = None,
    telephone: str | None = None,
    public_keys: Sequence[str] = (),
    revocation_list: str | None = None,
    verification: Mapping | None = None,
    validate: bool = True,
) -> dict:
    """An OB 2.0 issuer `Profile` (type `Issuer`).

    `public_keys` are the URLs of the issuer's CryptographicKeys (signed badges); several are
    listed during a key rotation so that badges signed by the old key keep verifying.
    """
    result: dict = {
        "@context": CONTEXT,
        "type": "Issuer",
        "id": check_iri(id, "id"),
        "name": name,
        "url": check_iri(url, "url"),
        "email": email,
    }
    put_optional(result, "description", description)
    if image is not None:
        result["image"] = _image(image, "image")
    put_optional(result, "telephone", telephone)
    keys = [check_iri(key, "publicKey") for key in public_keys]
    if keys:
        result["publicKey"] = keys[0] if len(keys) == 1 else keys
    if revocation_list:
        result["revocationList"] = check_iri(revocation_list, "revocationList")
    put_optional(result, "verification", dict(verification) if verification else None)
    return _finish(result, validate)


def cryptographic_key(*, id: str, owner: str, public_key_pem: str, validate: bool = True) -> dict:
    """An OB 2.0 `CryptographicKey`; `owner` is the issuer Profile id (the link back)."""
    if "-----BEGIN PUBLIC KEY-----" not in public_key_pem:
        raise InvalidDocument("publicKeyPem must be a PEM public key.", code="document.key")
    result = {
        "@context": CONTEXT,
        "type": "CryptographicKey",
        "id": check_iri(id, "id"),
        "owner": check_iri(owner, "owner"),
        "publicKeyPem": public_key_pem,
    }
    return _finish(result, validate)


def revocation_list(
    *,
    id: str,
    issuer: str,
    revoked: Iterable[str | tuple[str, str | None]],
    validate: bool = True,
) -> dict:
    """An OB 2.0 `RevocationList`: ids, or (id, reason) pairs shown as `{id, revocationReason}`."""
    entries: list[str | dict] = []
    for item in revoked:
        if isinstance(item, str):
            entries.append(check_iri(item, "revokedAssertions"))
            continue
        assertion_id, reason = item
        entry = {"id": check_iri(assertion_id, "revokedAssertions")}
        put_optional(entry, "revocationReason", reason)
        entries.append(entry)
    result = {
        "@context": CONTEXT,
        "type": "RevocationList",
        "id": check_iri(id, "id"),
        "issuer": check_iri(issuer, "issuer"),
        "revokedAssertions": entries,
    }
    return _finish(result, validate)
