"""Builders for the Open Badges 3.0 documents we issue.

Builders take plain values and return plain dicts in the shape the 1EdTech schemas and the
validator expect (arrays for `type`, embedded issuer Profile, `Image` objects, VC 2.0 dates
`YYYY-MM-DDTHH:MM:SSZ`). Finished documents are checked against the official JSON Schema and
JSON-LD safe mode unless the caller validates the shape once for a whole batch
(`validate=False`, see `openbadges.template`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from . import jsonld, schema
from .dataintegrity import format_datetime
from .errors import InvalidDocument

OB3_CONTEXTS = (jsonld.VC_V2, jsonld.OB_V3_CONTEXT)
ACHIEVEMENT_CREDENTIAL_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
JSON_SCHEMA_VALIDATOR = "1EdTechJsonSchemaValidator2019"
# Types that only the extensions context defines (CHECKLIST §0).
EXTENSION_TYPES = frozenset(
    {"1EdTechRevocationList", "1EdTechCredentialRefresh", JSON_SCHEMA_VALIDATOR}
)

# Absolute IRI: a scheme, a colon, and no characters that N-Quads cannot carry in an IRI.
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`\x00-\x20]*$")


def check_iri(value: object, field: str) -> str:
    if not isinstance(value, str) or not _IRI.match(value):
        raise InvalidDocument(
            f"{field} must be an absolute IRI (such as https://… or urn:uuid:…), got {value!r}.",
            code="document.invalid_iri",
        )
    return value


def datetime_value(value: datetime | str, field: str) -> str:
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", value):
        return value
    raise InvalidDocument(f"{field} must be an aware datetime.", code="document.invalid_date")


def put_optional(target: dict, key: str, value: Any) -> None:
    """Set optional values only; empty strings and empty lists are left out."""
    if value is None or value == "" or value == [] or value == ():
        return
    target[key] = value


def image(url: str, *, caption: str | None = None) -> dict:
    """OB 3.0 `Image` (a bare URL is not valid for `image` in OB 3.0)."""
    if not isinstance(url, str) or not (url.startswith("data:") or _IRI.match(url)):
        raise InvalidDocument("An image must be a URL or a data: URI.", code="document.image")
    result = {"id": url, "type": "Image"}
    put_optional(result, "caption", caption)
    return result


def _image_value(value: str | Mapping | None) -> dict | None:
    if value is None or isinstance(value, Mapping):
        return dict(value) if value is not None else None
    return image(value)


def criteria(*, narrative: str | None = None, id: str | None = None) -> dict:
    if not narrative and not id:
        raise InvalidDocument(
            "Criteria need a narrative or the URL of a criteria page.", code="document.criteria"
        )
    result: dict = {}
    if id:
        result["id"] = check_iri(id, "criteria.id")
    put_optional(result, "narrative", narrative)
    return result


def alignment(
    *,
    target_name: str,
    target_url: str,
    target_code: str | None = None,
    target_description: str | None = None,
    target_framework: str | None = None,
    target_type: str | None = None,
) -> dict:
    """An OB 3.0 `Alignment` (for ESCO: `target_framework="ESCO"`, the skill URI as url)."""
    result = {
        "type": ["Alignment"],
        "targetName": target_name,
        "targetUrl": check_iri(target_url, "alignment.targetUrl"),
    }
    put_optional(result, "targetCode", target_code)
    put_optional(result, "targetDescription", target_description)
    put_optional(result, "targetFramework", target_framework)
    put_optional(result, "targetType", target_type)
    return result


def evidence(
    *,
    id: str | None = None,
    name: str | None = None,
    description: str | None = None,
    narrative: str | None = None,
    genre: str | None = None,
    audience: str | None = None,
) -> dict:
    result: dict = {"type": ["Evidence"]}
    if id:
        result["id"] = check_iri(id, "evidence.id")
    put_optional(result, "name", name)
    put_optional(result, "description", description)
    put_optional(result, "narrative", narrative)
    put_optional(result, "genre", genre)
    put_optional(result, "audience", audience)
    return result


def profile(
    *,
    id: str,
    name: str | None = None,
    url: str | None = None,
    email: str | None = None,
    description: str | None = None,
    image: str | Mapping | None = None,
    phone: str | None = None,
    official: str | None = None,
    parent_org: Mapping | None = None,
    standalone: bool = False,
    validate: bool = True,
) -> dict:
    """An OB 3.0 `Profile` (issuer, creator, endorser).

    `standalone=True` gives the document served at the issuer's id, with its own `@context`.
    """
    result: dict = {}
    if standalone:
        result["@context"] = list(OB3_CONTEXTS)
    result["id"] = check_iri(id, "profile.id")
    result["type"] = ["Profile"]
    put_optional(result, "name", name)
    if url:
        result["url"] = check_iri(url, "profile.url")
    put_optional(result, "email", email)
    put_optional(result, "phone", phone)
    put_optional(result, "description", description)
    put_optional(result, "image", _image_value(image))
    put_optional(result, "official", official)
    put_optional(result, "parentOrg", dict(parent_org) if parent_org else None)
    if validate:
        schema.validate(result, "profile")
        if standalone:
            jsonld.check_safe_mode(result)
    return result


def achievement(
    *,
    id: str,
    name: str,
    description: str,
    criteria: Mapping,
    image: str | Mapping | None = None,
    achievement_type: str | None = None,
    alignments: Iterable[Mapping] = (),
    tags: Sequence[str] = (),
    creator: Mapping | None = None,
    credits_available: float | None = None,
    field_of_study: str | None = None,
    human_code: str | None = None,
    in_language: str | None = None,
    specialization: str | None = None,
    version: str | None = None,
) -> dict:
    """An OB 3.0 `Achievement` (what the badge class stands for)."""
    result = {
        "id": check_iri(id, "achievement.id"),
        "type": ["Achievement"],
        "name": name,
        "description": description,
        "criteria": dict(criteria),
    }
    put_optional(result, "achievementType", achievement_type)
    put_optional(result, "image", _image_value(image))
    put_optional(result, "alignment", [dict(item) for item in alignments])
    put_optional(result, "tag", list(tags))
    put_optional(result, "creator", dict(creator) if creator else None)
    if credits_available is not None:
        result["creditsAvailable"] = float(credits_available)
    put_optional(result, "fieldOfStudy", field_of_study)
    put_optional(result, "humanCode", human_code)
    put_optional(result, "inLanguage", in_language)
    put_optional(result, "specialization", specialization)
    put_optional(result, "version", version)
    return result


def _types_in(value: Any) -> Iterable[str]:
    if isinstance(value, Mapping):
        kind = value.get("type")
        if isinstance(kind, str):
            yield kind
        elif isinstance(kind, list):
            yield from (item for item in kind if isinstance(item, str))
        for item in value.values():
            yield from _types_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from _types_in(item)


def contexts_for(document: Mapping) -> list[str]:
    """VC 2.0 + OB 3.0.3, plus the extensions context whenever an extension type is used."""
    contexts = list(OB3_CONTEXTS)
    if any(kind in EXTENSION_TYPES for kind in _types_in(document)):
        contexts.append(jsonld.OB_V3_EXTENSIONS)
    return contexts


def finish(document: dict, kind: str) -> dict:
    """Schema check and safe mode: what every document we issue must pass."""
    schema.validate(document, kind)
    jsonld.check_safe_mode(document)
    return document


def _credential_common(
    result: dict,
    *,
    valid_from: datetime | str,
    valid_until: datetime | str | None,
    awarded_date: datetime | str | None,
    credential_status: Mapping | None,
    credential_schema: bool,
    refresh_service: Mapping | None,
    terms_of_use: Sequence[Mapping],
) -> None:
    result["validFrom"] = datetime_value(valid_from, "validFrom")
    if valid_until is not None:
        result["validUntil"] = datetime_value(valid_until, "validUntil")
    if awarded_date is not None:
        result["awardedDate"] = datetime_value(awarded_date, "awardedDate")
    put_optional(result, "credentialStatus", dict(credential_status) if credential_status else None)
    if credential_schema:
        result["credentialSchema"] = [
            {"id": ACHIEVEMENT_CREDENTIAL_SCHEMA, "type": JSON_SCHEMA_VALIDATOR}
        ]
    put_optional(result, "refreshService", dict(refresh_service) if refresh_service else None)
    put_optional(result, "termsOfUse", [dict(item) for item in terms_of_use])


def open_badge_credential(
    *,
    id: str,
    issuer: Mapping,
    achievement: Mapping,
    valid_from: datetime | str,
    name: str | None = None,
    description: str | None = None,
    recipient: Mapping | Sequence[Mapping] | None = None,
    subject_id: str | None = None,
    image: str | Mapping | None = None,
    subject_image: str | Mapping | None = None,
    valid_until: datetime | str | None = None,
    awarded_date: datetime | str | None = None,
    evidence: Iterable[Mapping] = (),
    results: Iterable[Mapping] = (),
    credential_status: Mapping | None = None,
    credential_schema: bool = False,
    refresh_service: Mapping | None = None,
    terms_of_use: Sequence[Mapping] = (),
    validate: bool = True,
) -> dict:
    """An unsigned OB 3.0 `OpenBadgeCredential`.

    The subject is identified by `subject_id` (a DID or URL of the learner) and/or `recipient`
    (IdentityObjects from `openbadges.recipient.ob3_identity_object`); at least one is required.
    `name` defaults to the achievement's name (VC 1.1 verifiers require it).
    """
    check_iri(id, "id")
    if not subject_id and not recipient:
        raise InvalidDocument(
            "The credential subject needs an id or a recipient identifier.",
            code="document.no_recipient",
        )
    subject: dict = {}
    if subject_id:
        subject["id"] = check_iri(subject_id, "credentialSubject.id")
    subject["type"] = ["AchievementSubject"]
    if recipient:
        identifiers = [recipient] if isinstance(recipient, Mapping) else list(recipient)
        subject["identifier"] = [dict(item) for item in identifiers]
    put_optional(subject, "image", _image_value(subject_image))
    put_optional(subject, "result", [dict(item) for item in results])
    subject["achievement"] = dict(achievement)

    result: dict = {
        "id": id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": name or achievement.get("name"),
    }
    put_optional(result, "description", description)
    put_optional(result, "image", _image_value(image))
    result["issuer"] = dict(issuer)
    result["credentialSubject"] = subject
    put_optional(result, "evidence", [dict(item) for item in evidence])
    _credential_common(
        result,
        valid_from=valid_from,
        valid_until=valid_until,
        awarded_date=awarded_date,
        credential_status=credential_status,
        credential_schema=credential_schema,
        refresh_service=refresh_service,
        terms_of_use=terms_of_use,
    )
    document = {"@context": contexts_for(result), **result}
    return finish(document, "achievementcredential") if validate else document


def endorsement_credential(
    *,
    id: str,
    issuer: Mapping,
    subject_id: str,
    name: str,
    valid_from: datetime | str,
    endorsement_comment: str | None = None,
    description: str | None = None,
    valid_until: datetime | str | None = None,
    awarded_date: datetime | str | None = None,
    credential_status: Mapping | None = None,
    validate: bool = True,
) -> dict:
    """An unsigned OB 3.0 `EndorsementCredential` about a profile, achievement or credential."""
    check_iri(id, "id")
    subject: dict = {
        "id": check_iri(subject_id, "credentialSubject.id"),
        "type": ["EndorsementSubject"],
    }
    put_optional(subject, "endorsementComment", endorsement_comment)
    result: dict = {
        "id": id,
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "name": name,
    }
    put_optional(result, "description", description)
    result["issuer"] = dict(issuer)
    result["credentialSubject"] = subject
    _credential_common(
        result,
        valid_from=valid_from,
        valid_until=valid_until,
        awarded_date=awarded_date,
        credential_status=credential_status,
        credential_schema=False,
        refresh_service=None,
        terms_of_use=(),
    )
    document = {"@context": contexts_for(result), **result}
    return finish(document, "endorsementcredential") if validate else document
