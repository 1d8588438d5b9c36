"""Writes of the issuing domain: badge classes, awards (single and in batches), revocation,
issuer profiles and signing keys.

Every function takes keyword arguments, checks the acting user's permission in the
organisation (`badges.design` for badge classes, `badges.award` for awards and revocation,
`organisation.change` for the issuer profile and keys), runs in one transaction and writes an
audit event. Bad input raises django.core.exceptions.ValidationError with translated messages
(a dict of field → messages where a field is to blame).

Awarding, for other apps:

- `award_create(actor=…, badge_class=…, recipient_email=…, …)` → Award (signed and stored).
- `awards_create_bulk(actor=…, badge_class=…, requests=[AwardRequest(…), …], source=…)` →
  BulkResult; one call per batch (≈1,000 rows): rows are validated, checked for duplicates and
  idempotency keys, signed in memory holding no lock and written (COPY on PostgreSQL) under the
  badge class lock after a re-check, so parallel workers only take turns for the write. A row
  that fails is reported by its position and does not stop the others (docs/scale.md).
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, connections, router, transaction
from django.db.models import F
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from accounts.permissions import require_permission
from accounts.roles import AWARD_BADGES, CHANGE, DESIGN_BADGES
from audit.services import audit_record
from openbadges import documents as ob3
from openbadges import recipient as ob_recipient
from openbadges import status as ob_status
from openbadges.dataintegrity import format_datetime
from openbadges.errors import OpenBadgesError
from openbadges.keys import KeyPair

from . import documents, keystore, links, signing
from .ids import uuid7
from .images import clean_badge_image
from .models import (
    ACHIEVEMENT_TYPES,
    Award,
    AwardSource,
    BadgeClass,
    BadgeClassVersion,
    IdentityType,
    IssuerProfile,
    KeyAlgorithm,
    KeyState,
    SigningKey,
    StatusList,
)
from .notifications import award_notifications_enqueue
from .selectors_award import badge_holders, text_array

BULK_BATCH_SIZE = 1000
_TELEPHONE = re.compile(r"^\+[1-9]\d{6,14}$")
_url_validator = URLValidator(schemes=["http", "https"])
MAX_EVIDENCE_ITEMS = 20


# -- issuer profile and keys -----------------------------------------------------------------


def issuer_profile_ensure(*, organisation: Organisation) -> IssuerProfile:
    """The organisation's issuer profile, made from the organisation on first use."""
    profile = IssuerProfile.objects.filter(organisation=organisation).first()
    if profile is not None:
        return profile
    with transaction.atomic():
        profile, _created = IssuerProfile.objects.get_or_create(
            organisation=organisation,
            defaults={
                "name": organisation.name,
                "url": organisation.website,
                "email": organisation.email,
                "description": organisation.description,
            },
        )
    return profile


@transaction.atomic
def issuer_profile_update(
    *,
    actor,
    organisation: Organisation,
    name: str,
    url: str = "",
    email: str = "",
    description: str = "",
    image: bytes | None = None,
    remove_image: bool = False,
) -> IssuerProfile:
    """Change the issuer Profile published in new credentials and at the issuer's URL.
    `image` (PNG or SVG bytes) replaces the logo; `remove_image` drops it."""
    require_permission(actor, organisation, CHANGE)
    errors = {}
    if not name.strip():
        errors["name"] = _("The issuer needs a name.")
    if url:
        try:
            _url_validator(url)
        except ValidationError:
            errors["url"] = _("Enter a web address starting with https:// or http://.")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = _("Enter a valid email address.")
    cleaned_image = None
    if image is not None:
        try:
            cleaned_image = clean_badge_image(image, square=False)
        except ValidationError as exc:
            errors["image"] = exc.messages
    if errors:
        raise ValidationError(errors)
    profile = issuer_profile_ensure(organisation=organisation)
    if cleaned_image is not None:
        data, mime = cleaned_image
        extension = "png" if mime == "image/png" else "svg"
        profile.image.save(f"{profile.public_id}.{extension}", ContentFile(data), save=False)
    elif remove_image:
        profile.image = ""
    profile.name = name.strip()
    profile.url = url
    profile.email = email
    profile.description = description.strip()
    profile.save()
    audit_record(
        actor=actor, action="issuer.profile_updated", target=profile, organisation=organisation
    )
    return profile


def _new_key(organisation: Organisation, profile: IssuerProfile, algorithm: str) -> SigningKey:
    if algorithm != KeyAlgorithm.ED25519:
        raise ValidationError(
            {
                "algorithm": _(
                    "Credentials are signed with eddsa-rdfc-2022, which needs an Ed25519 key."
                )
            }
        )
    keypair = KeyPair.generate(algorithm)
    number = SigningKey.objects.filter(organisation=organisation).count() + 1
    key = SigningKey(
        organisation=organisation,
        key_id=f"key-{number}",
        algorithm=algorithm,
        public_jwk=keypair.public_jwk(),
    )
    key.verification_method = links.verification_method(
        profile.public_id, key.key_id, keypair.public_key
    )
    key.private_key_encrypted = keystore.encrypt_private_key(
        keypair, key_public_id=str(key.public_id)
    )
    key.save()
    return key


def signing_key_ensure(*, organisation: Organisation) -> SigningKey:
    """The organisation's active key, created when it first issues."""
    key = SigningKey.objects.filter(organisation=organisation, status=KeyState.ACTIVE).first()
    if key is not None:
        return key
    profile = issuer_profile_ensure(organisation=organisation)
    with transaction.atomic():
        Organisation.objects.select_for_update().get(pk=organisation.pk)
        key = SigningKey.objects.filter(organisation=organisation, status=KeyState.ACTIVE).first()
        if key is None:
            key = _new_key(organisation, profile, KeyAlgorithm.ED25519)
            audit_record(
                actor=None,
                action="signing_key.created",
                target=key,
                organisation=organisation,
                data={"key_id": key.key_id},
            )
    return key


@transaction.atomic
def signing_key_rotate(
    *, actor, organisation: Organisation, algorithm: str = KeyAlgorithm.ED25519
) -> SigningKey:
    """A new active key; the old one is retired (still published, so what it signed verifies)."""
    require_permission(actor, organisation, CHANGE)
    Organisation.objects.select_for_update().get(pk=organisation.pk)
    profile = issuer_profile_ensure(organisation=organisation)
    now = timezone.now()
    retired = list(
        SigningKey.objects.filter(organisation=organisation, status=KeyState.ACTIVE).values_list(
            "key_id", flat=True
        )
    )
    SigningKey.objects.filter(organisation=organisation, status=KeyState.ACTIVE).update(
        status=KeyState.RETIRED, retired_at=now
    )
    key = _new_key(organisation, profile, algorithm)
    # Status lists are signed by the active key: re-sign them with the new one on next request.
    StatusList.objects.filter(organisation=organisation).update(signed_json=None)
    audit_record(
        actor=actor,
        action="signing_key.rotated",
        target=key,
        organisation=organisation,
        data={"key_id": key.key_id, "retired": retired},
    )
    return key


@transaction.atomic
def signing_key_revoke(
    *, actor, key: SigningKey, compromised_at: datetime, reason: str = ""
) -> SigningKey:
    """Mark a key compromised since `compromised_at`: verifiers refuse what claims to be signed
    with it at or after that instant and keep accepting what was signed before. An active key
    is replaced by a new one at once, so issuing goes on."""
    organisation = key.organisation
    require_permission(actor, organisation, CHANGE)
    if timezone.is_naive(compromised_at):
        raise ValidationError({"compromised_at": _("The date needs a time zone.")})
    if compromised_at > timezone.now():
        raise ValidationError({"compromised_at": _("The compromise cannot be in the future.")})
    Organisation.objects.select_for_update().get(pk=organisation.pk)
    key = SigningKey.objects.select_for_update().get(pk=key.pk)
    was_active = key.status == KeyState.ACTIVE
    if key.revoked_at is None or compromised_at < key.revoked_at:
        key.revoked_at = compromised_at
    key.status = KeyState.REVOKED
    key.save(update_fields=["status", "revoked_at"])
    replacement = None
    if was_active:
        replacement = _new_key(
            organisation, issuer_profile_ensure(organisation=organisation), KeyAlgorithm.ED25519
        )
    StatusList.objects.filter(organisation=organisation).update(signed_json=None)
    audit_record(
        actor=actor,
        action="signing_key.revoked",
        target=key,
        organisation=organisation,
        data={
            "key_id": key.key_id,
            "compromised_at": key.revoked_at.isoformat(),
            "reason": reason,
            "replacement": replacement.key_id if replacement else None,
        },
    )
    return key


def active_signer(organisation: Organisation) -> signing.Signer:
    key = signing_key_ensure(organisation=organisation)
    profile = issuer_profile_ensure(organisation=organisation)
    return signing.Signer.for_key(profile, key)


# -- badge classes ---------------------------------------------------------------------------

_VERSION_FIELDS = (
    "name",
    "description",
    "criteria_narrative",
    "criteria_url",
    "alignments",
    "tags",
    "achievement_type",
    "eqf_level",
    "microcredential",
    "default_validity_days",
    "allow_duplicates",
    "language",
    "translations",
)
_ALIGNMENT_KEYS = {
    "targetName",
    "targetUrl",
    "targetFramework",
    "targetCode",
    "targetType",
    "targetDescription",
}


def _clean_version_fields(values: dict) -> dict:
    """Validated badge class content, or ValidationError naming each field at fault."""
    errors: dict[str, list[str]] = {}

    def fail(name, message):
        errors.setdefault(name, []).append(message)

    cleaned = dict(values)
    cleaned["name"] = (values.get("name") or "").strip()
    cleaned["description"] = (values.get("description") or "").strip()
    cleaned["criteria_narrative"] = (values.get("criteria_narrative") or "").strip()
    cleaned["criteria_url"] = (values.get("criteria_url") or "").strip()
    if not cleaned["name"]:
        fail("name", _("Give the badge a name."))
    elif len(cleaned["name"]) > 200:
        fail("name", _("The name may have at most 200 characters."))
    if not cleaned["description"]:
        fail("description", _("Describe what the badge stands for."))
    if not cleaned["criteria_narrative"] and not cleaned["criteria_url"]:
        fail("criteria_narrative", _("Say how the badge is earned, or link to a criteria page."))
    if cleaned["criteria_url"]:
        try:
            _url_validator(cleaned["criteria_url"])
        except ValidationError:
            fail("criteria_url", _("Enter a web address starting with https:// or http://."))
    alignments = values.get("alignments") or []
    if not isinstance(alignments, list):
        fail("alignments", _("Alignments must be a list."))
        alignments = []
    clean_alignments = []
    for number, item in enumerate(alignments, start=1):
        if not isinstance(item, dict) or set(item) - _ALIGNMENT_KEYS:
            fail("alignments", _("Alignment %(n)s has unknown fields.") % {"n": number})
            continue
        item = {key: str(value).strip() for key, value in item.items() if value not in (None, "")}
        if not item.get("targetName"):
            fail("alignments", _("Alignment %(n)s needs a name.") % {"n": number})
        try:
            _url_validator(item.get("targetUrl", ""))
        except ValidationError:
            fail("alignments", _("Alignment %(n)s needs a web address (URI).") % {"n": number})
        target_type = item.get("targetType")
        if target_type and not re.fullmatch(
            r"ceasn:Competency|ceterms:Credential|CFItem|CFRubric|CFRubricCriterion|"
            r"CFRubricCriterionLevel|CTDL|ext:[A-Za-z0-9._-]+",
            target_type,
        ):
            fail(
                "alignments",
                _("Alignment %(n)s has an unknown target type %(type)s.")
                % {"n": number, "type": target_type},
            )
        clean_alignments.append(item)
    cleaned["alignments"] = clean_alignments
    tags = values.get("tags") or []
    if isinstance(tags, str):
        tags = tags.split(",")
    cleaned["tags"] = list(dict.fromkeys(str(tag).strip() for tag in tags if str(tag).strip()))
    kind = values.get("achievement_type") or "Badge"
    if kind not in dict(ACHIEVEMENT_TYPES):
        fail("achievement_type", _("Choose an achievement type from the list."))
    cleaned["achievement_type"] = kind
    level = values.get("eqf_level")
    if level in ("", None):
        cleaned["eqf_level"] = None
    else:
        try:
            cleaned["eqf_level"] = int(level)
        except (TypeError, ValueError):
            cleaned["eqf_level"] = 0
        if not 1 <= cleaned["eqf_level"] <= 8:
            fail("eqf_level", _("The EQF level is a number from 1 to 8."))
    micro = values.get("microcredential") or {}
    if not isinstance(micro, dict):
        fail("microcredential", _("Micro-credential details must be a set of named values."))
        micro = {}
    ects = micro.get("ects_credits")
    if ects not in (None, ""):
        try:
            if float(ects) < 0:
                raise ValueError
        except (TypeError, ValueError):
            fail("microcredential", _("ECTS credits must be a positive number."))
    cleaned["microcredential"] = micro
    days = values.get("default_validity_days")
    if days in ("", None):
        cleaned["default_validity_days"] = None
    else:
        try:
            cleaned["default_validity_days"] = int(days)
            if cleaned["default_validity_days"] < 1:
                raise ValueError
        except (TypeError, ValueError):
            fail("default_validity_days", _("The validity is a whole number of days."))
    cleaned["allow_duplicates"] = bool(values.get("allow_duplicates", False))
    cleaned["language"] = (values.get("language") or "en").strip()
    translations = values.get("translations") or {}
    if not isinstance(translations, dict) or not all(
        isinstance(value, dict) for value in translations.values()
    ):
        fail("translations", _("Translations must be given per language."))
        translations = {}
    cleaned["translations"] = {
        language: {key: str(text) for key, text in value.items() if text}
        for language, value in translations.items()
    }
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_documents(version: BadgeClassVersion) -> None:
    """Build the version's OB 3.0 and OB 2.0 documents once, so that a badge class that would
    give invalid credentials is refused when it is saved, not when it is awarded."""
    profile = issuer_profile_ensure(organisation=version.badge_class.organisation)
    try:
        achievement = documents.ob3_achievement(version, issuer=documents.ob3_issuer(profile))
        ob3.open_badge_credential(
            id=links.credential_url(uuid7()),
            issuer=documents.ob3_issuer(profile),
            achievement=achievement,
            valid_from=timezone.now(),
            subject_id="urn:uuid:00000000-0000-4000-8000-000000000000",
        )
        documents.ob2_badge_class_document(version)
    except OpenBadgesError as exc:
        raise ValidationError(
            _("This badge would not give valid Open Badges: %(reason)s") % {"reason": exc.message}
        ) from exc


def _save_image(version: BadgeClassVersion, image: bytes) -> None:
    data, mime = clean_badge_image(image)
    extension = "png" if mime == "image/png" else "svg"
    version.image_type = mime
    version.image.save(
        f"{version.badge_class.public_id}-v{version.number}.{extension}",
        ContentFile(data),
        save=False,
    )


@transaction.atomic
def badge_class_create(*, actor, organisation: Organisation, image: bytes, **fields) -> BadgeClass:
    """A new badge class with its first version. `image` holds PNG or SVG bytes; `fields` are
    the version's content (see BadgeClassVersion: name, description, criteria_narrative,
    criteria_url, alignments, tags, achievement_type, eqf_level, microcredential,
    default_validity_days, allow_duplicates, language, translations)."""
    require_permission(actor, organisation, DESIGN_BADGES)
    unknown = set(fields) - set(_VERSION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown badge class fields: {', '.join(sorted(unknown))}")
    cleaned = _clean_version_fields(fields)
    issuer_profile_ensure(organisation=organisation)
    badge_class = BadgeClass.objects.create(organisation=organisation, created_by=actor)
    version = BadgeClassVersion(badge_class=badge_class, number=1, created_by=actor, **cleaned)
    try:
        _save_image(version, image)
    except ValidationError as exc:
        raise ValidationError({"image": exc.messages}) from exc
    _check_documents(version)
    version.save()
    badge_class.current_version = version
    badge_class.save(update_fields=["current_version", "updated_at"])
    audit_record(
        actor=actor,
        action="badge_class.created",
        target=badge_class,
        organisation=organisation,
        data={"name": version.name},
    )
    return badge_class


@transaction.atomic
def badge_class_update(
    *, actor, badge_class: BadgeClass, image: bytes | None = None, **fields
) -> BadgeClassVersion:
    """Change a badge class. When its current version has been awarded, the change makes a
    new version (awards keep theirs); otherwise the current version is changed in place.
    Fields left out keep their value. Returns the current version afterwards."""
    require_permission(actor, badge_class.organisation, DESIGN_BADGES)
    unknown = set(fields) - set(_VERSION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown badge class fields: {', '.join(sorted(unknown))}")
    badge_class = BadgeClass.objects.select_for_update().get(pk=badge_class.pk)
    if badge_class.is_archived:
        raise ValidationError(_("This badge class is archived and cannot be changed."))
    current = badge_class.current_version
    merged = {name: getattr(current, name) for name in _VERSION_FIELDS}
    merged.update(fields)
    cleaned = _clean_version_fields(merged)
    changed = [name for name in _VERSION_FIELDS if cleaned[name] != getattr(current, name)]
    if not changed and image is None:
        return current
    if Award.objects.filter(badge_class_version=current).exists():
        version = BadgeClassVersion(
            badge_class=badge_class, number=current.number + 1, created_by=actor, **cleaned
        )
        if image is None:
            version.image = current.image.name
            version.image_type = current.image_type
        new_version = True
    else:
        version = current
        for name, value in cleaned.items():
            setattr(version, name, value)
        new_version = False
    if image is not None:
        try:
            _save_image(version, image)
        except ValidationError as exc:
            raise ValidationError({"image": exc.messages}) from exc
        changed.append("image")
    _check_documents(version)
    version.save()
    if new_version:
        badge_class.current_version = version
    badge_class.save(update_fields=["current_version", "updated_at"])
    audit_record(
        actor=actor,
        action="badge_class.updated",
        target=badge_class,
        organisation=badge_class.organisation,
        data={"version": version.number, "new_version": new_version, "fields": changed},
    )
    return version


@transaction.atomic
def badge_class_archive(*, actor, badge_class: BadgeClass) -> BadgeClass:
    """Stop awarding a badge class. What was awarded stays valid and published."""
    require_permission(actor, badge_class.organisation, DESIGN_BADGES)
    badge_class = BadgeClass.objects.select_for_update().get(pk=badge_class.pk)
    if badge_class.archived_at is None:
        badge_class.archived_at = timezone.now()
        badge_class.save(update_fields=["archived_at", "updated_at"])
        audit_record(
            actor=actor,
            action="badge_class.archived",
            target=badge_class,
            organisation=badge_class.organisation,
        )
    return badge_class


# -- awards ----------------------------------------------------------------------------------


@dataclass
class AwardRequest:
    """One award to make, as the UI, a CSV row or the API gives it."""

    recipient_identity: str
    recipient_type: str = IdentityType.EMAIL
    recipient_name: str = ""
    narrative: str = ""
    evidence: Sequence[dict] = ()
    issued_at: datetime | None = None
    expires_at: datetime | None = None
    idempotency_key: str | None = None


@dataclass
class BulkResult:
    """What a batch did: the awards it created, the awards that already existed for the rows'
    idempotency keys, and errors by row position (0-based, in the order given). `repeats`
    counts the rows an earlier award answered (by idempotency key or recipient)."""

    created: list[Award] = field(default_factory=list)
    existing: dict[int, Award] = field(default_factory=dict)
    errors: dict[int, list[str]] = field(default_factory=dict)
    repeats: int = 0


def _normalise_identity(kind: str, value: str) -> str:
    value = (value or "").strip()
    if kind == IdentityType.EMAIL:
        value = ob_recipient.normalise_email(value)
        try:
            validate_email(value)
        except ValidationError:
            raise ValidationError(
                _("%(value)s is not a valid email address.") % {"value": value or "—"}
            ) from None
    elif kind == IdentityType.URL:
        try:
            _url_validator(value)
        except ValidationError:
            raise ValidationError(
                _("%(value)s is not a valid web address.") % {"value": value or "—"}
            ) from None
    elif kind == IdentityType.TELEPHONE:
        value = re.sub(r"[\s().-]", "", value)
        if not _TELEPHONE.match(value):
            raise ValidationError(
                _("%(value)s is not a telephone number in international form (+…).")
                % {"value": value or "—"}
            )
    else:
        raise ValidationError(_("Unknown kind of recipient identity."))
    return value


def _clean_evidence(items: Iterable[dict]) -> list[dict]:
    cleaned = []
    for item in items or ():
        if not isinstance(item, dict):
            raise ValidationError(_("Evidence must be links with an optional name."))
        entry = {
            key: str(item[key]).strip()
            for key in ("url", "name", "description", "narrative")
            if item.get(key)
        }
        if not entry.get("url") and not entry.get("narrative"):
            raise ValidationError(_("Evidence needs a link or a text."))
        if entry.get("url"):
            try:
                _url_validator(entry["url"])
            except ValidationError:
                raise ValidationError(
                    _("%(value)s is not a valid web address.") % {"value": entry["url"]}
                ) from None
        cleaned.append(entry)
    if len(cleaned) > MAX_EVIDENCE_ITEMS:
        raise ValidationError(
            _("At most %(count)s pieces of evidence per award.") % {"count": MAX_EVIDENCE_ITEMS}
        )
    return cleaned


@dataclass
class _Row:
    position: int
    request: AwardRequest
    identity: str
    issued_at: datetime
    expires_at: datetime | None
    evidence: list[dict]


def _clean_request(
    request: AwardRequest, version: BadgeClassVersion, now: datetime, position: int
) -> _Row:
    identity = _normalise_identity(request.recipient_type, request.recipient_identity)
    issued_at = request.issued_at or now
    if timezone.is_naive(issued_at):
        raise ValidationError(_("The issue date needs a time zone."))
    # A few minutes of clock difference between systems calling the API are tolerated.
    if issued_at > now + timedelta(minutes=5):
        raise ValidationError(_("The issue date cannot be in the future."))
    expires_at = request.expires_at
    if expires_at is None and version.default_validity_days:
        expires_at = issued_at + timedelta(days=version.default_validity_days)
    if expires_at is not None:
        if timezone.is_naive(expires_at):
            raise ValidationError(_("The expiry date needs a time zone."))
        if expires_at <= issued_at:
            raise ValidationError(_("The expiry date must be after the issue date."))
    if len(request.recipient_name or "") > 200:
        raise ValidationError(_("The recipient's name may have at most 200 characters."))
    key = request.idempotency_key
    if key is not None and (not key.strip() or len(key) > 200):
        raise ValidationError(_("The idempotency key must have 1 to 200 characters."))
    # Dates are signed to the second; keep the stored ones equal to what was signed.
    issued_at = issued_at.replace(microsecond=0)
    expires_at = expires_at.replace(microsecond=0) if expires_at else None
    return _Row(
        position=position,
        request=request,
        identity=identity,
        issued_at=issued_at,
        expires_at=expires_at,
        evidence=_clean_evidence(request.evidence),
    )


def _allocate_status_indexes(organisation: Organisation, count: int) -> list[tuple]:
    """`count` free (StatusList, index) places, taken under a row lock on the lists so that
    concurrent workers never share an index (on SQLite the write transaction serialises)."""
    places: list[tuple] = []
    while len(places) < count:
        status_list = (
            StatusList.objects.select_for_update()
            .filter(organisation=organisation, purpose="revocation", next_index__lt=F("size"))
            .order_by("created_at", "id")
            .first()
        )
        if status_list is None or status_list.is_full:
            status_list = StatusList.objects.create(
                organisation=organisation,
                bits=bytes(ob_status.bitstring_new(ob_status.MIN_ENTRIES)),
                size=ob_status.MIN_ENTRIES,
            )
            status_list = StatusList.objects.select_for_update().get(pk=status_list.pk)
        take = min(count - len(places), status_list.size - status_list.next_index)
        start = status_list.next_index
        places.extend((status_list, index) for index in range(start, start + take))
        status_list.next_index = start + take
        status_list.save(update_fields=["next_index", "updated_at"])
    return places


def _award_rows(
    *,
    actor,
    badge_class: BadgeClass,
    requests: Sequence[AwardRequest],
    source: str,
) -> BulkResult:
    """The shared core of single and bulk awards (inside the caller's transaction)."""
    organisation = badge_class.organisation
    require_permission(actor, organisation, AWARD_BADGES)
    if source not in AwardSource.values:
        raise ValueError(f"Unknown award source {source!r}")
    badge_class = BadgeClass.objects.select_for_update().get(pk=badge_class.pk)
    if badge_class.is_archived:
        raise ValidationError(_("This badge class is archived; it can no longer be awarded."))
    version = badge_class.current_version
    result = BulkResult()
    now = timezone.now()

    rows: list[_Row] = []
    for position, request in enumerate(requests):
        try:
            rows.append(_clean_request(request, version, now, position))
        except ValidationError as exc:
            result.errors[position] = exc.messages

    keys = [row.request.idempotency_key for row in rows if row.request.idempotency_key]
    if keys:
        known = {
            award.idempotency_key: award
            for award in Award.objects.filter(organisation=organisation, idempotency_key__in=keys)
        }
        remaining = []
        seen_keys: dict[str, int] = {}
        for row in rows:
            key = row.request.idempotency_key
            if key in known:
                result.existing[row.position] = known[key]
            elif key and key in seen_keys:
                result.errors[row.position] = [
                    _("The idempotency key repeats row %(row)s.") % {"row": seen_keys[key] + 1}
                ]
            else:
                if key:
                    seen_keys[key] = row.position
                remaining.append(row)
        rows = remaining

    if not version.allow_duplicates and rows:
        identities = {row.identity for row in rows}
        awarded = set(
            Award.objects.filter(
                badge_class=badge_class, revoked_at=None, recipient_identity__in=identities
            ).values_list("recipient_identity", flat=True)
        )
        remaining = []
        for row in rows:
            if row.identity in awarded:
                result.errors[row.position] = [
                    _("%(recipient)s already has this badge.") % {"recipient": row.identity}
                ]
            else:
                awarded.add(row.identity)
                remaining.append(row)
        rows = remaining

    if not rows:
        return result
    signer = active_signer(organisation)
    places = _allocate_status_indexes(organisation, len(rows))
    created = format_datetime(now)
    awards = []
    for row, (status_list, index) in zip(rows, places, strict=True):
        signed_plan = _sign_row(row, status_list, index, signer, version, created, result)
        if signed_plan is None:
            continue
        plan, signed = signed_plan
        awards.append(
            Award(
                public_id=plan.public_id,
                organisation=organisation,
                badge_class=badge_class,
                badge_class_version=version,
                recipient_type=row.request.recipient_type,
                recipient_identity=row.identity,
                recipient_salt=plan.salt,
                recipient_hash=signed.recipient_hash,
                recipient_name=(row.request.recipient_name or "").strip(),
                narrative=plan.narrative,
                evidence=row.evidence,
                issued_at=row.issued_at,
                expires_at=row.expires_at,
                source=source,
                idempotency_key=row.request.idempotency_key,
                signing_key=signer.key,
                credential_json=signed.credential_json,
                assertion_json=signed.assertion_json,
                status_list=status_list,
                status_index=index,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
        )
    for start in range(0, len(awards), BULK_BATCH_SIZE):
        Award.objects.bulk_create(awards[start : start + BULK_BATCH_SIZE])
    result.created = awards
    return result


def award_create(
    *,
    actor,
    badge_class: BadgeClass,
    recipient_email: str = "",
    recipient_name: str = "",
    narrative: str = "",
    evidence: Sequence[dict] = (),
    issued_at: datetime | None = None,
    expires_at: datetime | None = None,
    source: str = AwardSource.UI,
    idempotency_key: str | None = None,
    recipient_type: str = IdentityType.EMAIL,
    recipient_identity: str = "",
) -> Award:
    """Award a badge class to one recipient (by email, or `recipient_type` url / telephone
    with `recipient_identity`). Refuses a second award of the class to the same recipient
    unless the class allows duplicates; the same idempotency key returns the award it made."""
    request = AwardRequest(
        recipient_identity=recipient_identity or recipient_email,
        recipient_type=recipient_type,
        recipient_name=recipient_name,
        narrative=narrative,
        evidence=list(evidence or ()),
        issued_at=issued_at,
        expires_at=expires_at,
        idempotency_key=idempotency_key,
    )
    try:
        with transaction.atomic():
            result = _award_rows(
                actor=actor, badge_class=badge_class, requests=[request], source=source
            )
            if result.errors:
                raise ValidationError(result.errors[0])
            if result.existing:
                return result.existing[0]
            award = result.created[0]
            audit_record(
                actor=actor,
                action="award.created",
                target=award,
                organisation=badge_class.organisation,
                data={"badge_class": str(badge_class.public_id), "source": source},
            )
            award_notifications_enqueue([award.pk])
            return award
    except IntegrityError:
        # Another request with the same idempotency key committed first.
        if idempotency_key:
            existing = Award.objects.filter(
                organisation=badge_class.organisation, idempotency_key=idempotency_key
            ).first()
            if existing is not None:
                return existing
        raise


def awards_create_bulk(
    *,
    actor,
    badge_class: BadgeClass,
    requests: Sequence[AwardRequest],
    source: str = AwardSource.CSV,
    look_up_first: bool = True,
) -> BulkResult:
    """Award a batch (up to a few thousand rows): valid rows are awarded, invalid ones reported
    in `errors`, rows whose idempotency key was already used return the existing award in
    `existing`. Call it once per batch; a batch that is retried after a crash creates nothing
    twice when every row carries an idempotency key.

    Built so that several workers award in parallel: status list places are taken from a list
    no other batch holds (SKIP LOCKED), signing holds no lock, and only the write takes the
    badge class lock, re-checking idempotency keys and duplicates under it. Called inside the
    caller's transaction (as the CSV jobs do, to mark their rows with the awards), every lock
    lasts until that transaction ends, which stays correct: two batches never wait for each
    other's signing. Rows refused by the re-check leave unused status list places behind (an
    index is never given twice; unused ones are never set).

    `look_up_first=False` skips the look-ups before signing, which only spare signing rows
    the re-check will refuse: a caller whose previous batch had no `repeats` (a new file)
    saves them (about 20 µs per award); the re-check under the lock runs regardless."""
    organisation = badge_class.organisation
    require_permission(actor, organisation, AWARD_BADGES)
    if source not in AwardSource.values:
        raise ValueError(f"Unknown award source {source!r}")
    badge_class = BadgeClass.objects.select_related("current_version").get(pk=badge_class.pk)
    if badge_class.is_archived:
        raise ValidationError(_("This badge class is archived; it can no longer be awarded."))
    version = badge_class.current_version
    result = BulkResult()
    now = timezone.now()
    rows: list[_Row] = []
    for position, request in enumerate(requests):
        try:
            rows.append(_clean_request(request, version, now, position))
        except ValidationError as exc:
            result.errors[position] = exc.messages
    rows = _bulk_sort_out(
        rows,
        result,
        badge_class,
        version,
        within_batch=True,
        look_up_keys=look_up_first,
        look_up_holders=look_up_first,
    )
    if not rows:
        return result
    signer = active_signer(organisation)
    places = _bulk_reserve_status_places(organisation, len(rows))
    awards = _bulk_sign(rows, places, result, actor, badge_class, version, signer, source, now)
    with transaction.atomic():
        locked = BadgeClass.objects.select_for_update().get(pk=badge_class.pk)
        if locked.is_archived:
            raise ValidationError(_("This badge class is archived; it can no longer be awarded."))
        # Another batch (the same file uploaded twice, an API call) may have awarded some of
        # these recipients or keys while this one was signing. Recipients are checked here,
        # under the lock. Keys too when the batch looked before signing; otherwise (a new
        # file) the unique (organisation, key) constraint checks them as the rows are
        # written, and only a batch it refuses looks them up and writes again.
        kept = _bulk_sort_out(
            [award_row for award_row, _award in awards],
            result,
            badge_class,
            version,
            within_batch=False,
            look_up_keys=look_up_first,
            look_up_holders=True,
        )
        award_of = {row.position: award for row, award in awards}
        created = [award_of[row.position] for row in kept]
        if created and not look_up_first:
            try:
                with transaction.atomic():
                    _bulk_store(created)
            except IntegrityError:
                kept = _bulk_sort_out(
                    kept,
                    result,
                    badge_class,
                    version,
                    within_batch=False,
                    look_up_keys=True,
                    look_up_holders=False,
                )
                created = [award_of[row.position] for row in kept]
                if created:
                    _bulk_store(created)
        elif created:
            _bulk_store(created)
        if created:
            audit_record(
                actor=actor,
                action="award.bulk_created",
                target=badge_class,
                organisation=organisation,
                data={
                    "count": len(created),
                    "errors": len(result.errors),
                    "existing": len(result.existing),
                    "source": source,
                    "first": str(created[0].public_id),
                    "last": str(created[-1].public_id),
                },
            )
            award_notifications_enqueue([award.pk for award in created])
        result.created = created
    if result.created:
        _bulk_refresh_statistics()
    return result


# Below this many changed rows any plan is cheap; above it, once half the rows are new (the
# table doubled). The planner scales the row counts of the last statistics to the table's
# current size, so statistics from half the size still choose the index; what must not happen
# is planning with those of an (almost) empty table. Each ANALYZE costs about half a second of
# server CPU, so analyzing at every fifth of growth instead cost 12 µs per award over a million.
ANALYZE_MIN_CHANGES = 10_000
ANALYZE_CHANGED_SHARE = 0.5
_ANALYZE_LOCK = 0x62655F61  # advisory lock id: one batch analyzes, the others go on


def _bulk_statistics_stale(cursor, table: str) -> bool:
    """Whether the awards table changed enough since its last ANALYZE (the server's own
    counters, as autoanalyze reads them)."""
    cursor.execute(
        "SELECT n_mod_since_analyze, n_live_tup FROM pg_stat_user_tables "
        "WHERE relid = %s::regclass",
        [table],
    )
    row = cursor.fetchone()
    if row is None:
        return False
    changed, live = row
    return changed >= max(ANALYZE_MIN_CHANGES, live * ANALYZE_CHANGED_SHARE)


def _bulk_refresh_statistics() -> None:
    """Bulk batches grow the awards table faster than autovacuum analyzes it, and some servers
    run without autovacuum (these machines do). With statistics from when the table was
    small, PostgreSQL answers the duplicate and idempotency checks by reading every award of
    the badge class (a bitmap scan on the class, then a filter), so each batch costs time in
    proportion to the table: measured 1 s per 1,000-row batch at 900,000 awards, against
    0.1 ms with the (badge class, recipient) index. Analyze as autoanalyze would, after the
    batch is committed; one worker at a time, the others do not wait."""
    connection = connections[router.db_for_write(Award)]
    if connection.vendor != "postgresql":
        return
    table = connection.ops.quote_name(Award._meta.db_table)
    with connection.cursor() as cursor:
        if not _bulk_statistics_stale(cursor, Award._meta.db_table):
            return
        with transaction.atomic(using=connection.alias):
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_ANALYZE_LOCK])
            if cursor.fetchone()[0]:
                # The whole table: an ANALYZE of chosen columns does not reset the counter
                # read above. The documents have no statistics to gather (migration 0010).
                cursor.execute(f"ANALYZE {table}")


def _sign_row(row, status_list, index, signer, version, created, result):
    """Plan and sign one row's award; a row the signer refuses gets its error in `result`
    and None back. Shared by the single and the bulk path, so both sign alike."""
    plan = signing.AwardPlan(
        public_id=uuid7(),
        identity_type=row.request.recipient_type,
        identity=row.identity,
        salt=ob_recipient.new_salt(),
        issued_at=row.issued_at,
        expires_at=row.expires_at,
        narrative=(row.request.narrative or "").strip(),
        evidence=row.evidence,
        status_list=status_list,
        status_index=index,
    )
    try:
        signed = signing.sign_award(signer, version, plan, created=created)
    except OpenBadgesError as exc:
        result.errors[row.position] = [
            _("The badge could not be signed: %(reason)s") % {"reason": exc.message}
        ]
        return None
    return plan, signed


def _bulk_sort_out(
    rows: list[_Row],
    result: BulkResult,
    badge_class: BadgeClass,
    version: BadgeClassVersion,
    *,
    within_batch: bool,
    look_up_keys: bool = True,
    look_up_holders: bool = True,
) -> list[_Row]:
    """The rows still to award: rows whose idempotency key is known go to `result.existing`,
    rows naming a recipient who already holds the badge (unless the version allows it) to
    `result.errors`. `within_batch` also refuses keys and recipients repeated in the batch;
    the `look_up_…` flags say which earlier awards are looked for. Keys are looked up anyway
    when a row's recipient holds the badge: that award may be this very row's, replayed."""
    holders: set[str] = set()
    if look_up_holders and rows and not version.allow_duplicates:
        holders = badge_holders(badge_class.pk, {row.identity for row in rows})
        look_up_keys = look_up_keys or bool(holders)
    keys = [row.request.idempotency_key for row in rows if row.request.idempotency_key]
    if keys:
        known = _bulk_known_keys(badge_class.organisation_id, keys) if look_up_keys else {}
        remaining = []
        seen_keys: dict[str, int] = {}
        for row in rows:
            key = row.request.idempotency_key
            if key in known:
                result.existing[row.position] = known[key]
                result.repeats += 1
            elif within_batch and key and key in seen_keys:
                result.errors[row.position] = [
                    _("The idempotency key repeats row %(row)s.") % {"row": seen_keys[key] + 1}
                ]
            else:
                if key:
                    seen_keys[key] = row.position
                remaining.append(row)
        rows = remaining
    if not version.allow_duplicates and (holders or within_batch):
        seen: set[str] = set()
        remaining = []
        for row in rows:
            if row.identity in holders or row.identity in seen:
                result.errors[row.position] = [
                    _("%(recipient)s already has this badge.") % {"recipient": row.identity}
                ]
                result.repeats += row.identity in holders
            else:
                if within_batch:
                    seen.add(row.identity)
                remaining.append(row)
        rows = remaining
    return rows


def _bulk_known_keys(organisation_id: int, keys: list[str]) -> dict[str, Award]:
    """The awards of the organisation made with any of these idempotency keys, by key."""
    connection = connections[router.db_for_read(Award)]
    if connection.vendor == "postgresql":
        # Almost always empty; the awards are then read as models.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id FROM {connection.ops.quote_name(Award._meta.db_table)} "  # noqa: S608
                "WHERE organisation_id = %s AND idempotency_key = ANY(%s::text[])",
                [organisation_id, text_array(keys)],
            )
            ids = [pk for (pk,) in cursor.fetchall()]
        if not ids:
            return {}
        awards = Award.objects.filter(pk__in=ids)
    else:
        awards = Award.objects.filter(organisation_id=organisation_id, idempotency_key__in=keys)
    return {award.idempotency_key: award for award in awards}


def _bulk_reserve_status_places(organisation: Organisation, count: int) -> list[tuple]:
    """`count` free (StatusList, index) places. A list another batch holds is skipped (a new
    list is started when every open one is held), so parallel batches never wait for each
    other here and never share an index. On SQLite the write transaction serialises."""
    places: list[tuple] = []
    with transaction.atomic():
        while len(places) < count:
            status_list = (
                StatusList.objects.select_for_update(skip_locked=True)
                .filter(organisation=organisation, purpose="revocation", next_index__lt=F("size"))
                .order_by("created_at", "id")
                .first()
            )
            if status_list is None:
                # Not yet committed, so no other transaction can see or take it.
                status_list = StatusList.objects.create(
                    organisation=organisation,
                    bits=bytes(ob_status.bitstring_new(ob_status.MIN_ENTRIES)),
                    size=ob_status.MIN_ENTRIES,
                )
            take = min(count - len(places), status_list.size - status_list.next_index)
            start = status_list.next_index
            places.extend((status_list, index) for index in range(start, start + take))
            status_list.next_index = start + take
            status_list.save(update_fields=["next_index", "updated_at"])
    return places


# Award's columns in model order: rows are built positionally, which Django's Model.__init__
# takes without per-field keyword handling, and written in the same order by COPY.
_AWARD_FIELDS = tuple(Award._meta.concrete_fields)
_AWARD_ATTNAMES = tuple(field.attname for field in _AWARD_FIELDS)


def _bulk_sign(
    rows: list[_Row],
    places: list[tuple],
    result: BulkResult,
    actor,
    badge_class: BadgeClass,
    version: BadgeClassVersion,
    signer: signing.Signer,
    source: str,
    now: datetime,
) -> list[tuple[_Row, Award]]:
    """Sign every row (one proof time for the batch) into unsaved awards."""
    created = format_datetime(now)
    creator_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    fixed = {
        "id": None,
        "organisation_id": badge_class.organisation_id,
        "badge_class_id": badge_class.pk,
        "badge_class_version_id": version.pk,
        "source": source,
        "signing_key_id": signer.key.pk,
        "revoked_at": None,
        "revocation_reason": "",
        "revoked_by_id": None,
        "created_by_id": creator_id,
        "created_at": now,
    }
    cache = (
        (Award.organisation.field, badge_class.organisation),
        (Award.badge_class.field, badge_class),
        (Award.badge_class_version.field, version),
    )
    awards = []
    for row, (status_list, index) in zip(rows, places, strict=True):
        signed_plan = _sign_row(row, status_list, index, signer, version, created, result)
        if signed_plan is None:
            continue
        plan, signed = signed_plan
        values = {
            **fixed,
            "public_id": plan.public_id,
            "recipient_type": row.request.recipient_type,
            "recipient_identity": row.identity,
            "recipient_salt": plan.salt,
            "recipient_hash": signed.recipient_hash,
            "recipient_name": (row.request.recipient_name or "").strip(),
            "narrative": plan.narrative,
            "evidence": row.evidence,
            "issued_at": row.issued_at,
            "expires_at": row.expires_at,
            "idempotency_key": row.request.idempotency_key,
            "credential_json": signed.credential_json,
            "credential_jwt": "",
            "assertion_json": signed.assertion_json,
            "status_list_id": status_list.pk,
            "status_index": index,
        }
        award = _award_instance(values)
        for relation, value in cache:
            relation.set_cached_value(award, value)
        Award.status_list.field.set_cached_value(award, status_list)
        awards.append((row, award))
    return awards


def _award_instance(values: dict) -> Award:
    """An unsaved Award holding `values` (every concrete field by attname), made without
    Model.__init__, whose per-field descriptors and init signals cost a third of signing the
    award; the values are complete and already checked. (Award has no init signal receivers.)"""
    award = Award.__new__(Award)
    award._state = ModelState()
    award.__dict__.update(values)
    return award


def _bulk_store(awards: list[Award]) -> None:
    """Insert the awards. On PostgreSQL with binary COPY and ids drawn from the table's sequence
    first: Django's bulk_create spends most of a batch building and parsing its INSERT, COPY
    takes the rows as they are, and in binary the documents travel as they are instead of as
    hex text the server decodes again (about 35 µs less per award between client and server).
    Elsewhere bulk_create. The stored values are the same."""
    connection = connections[router.db_for_write(Award)]
    if connection.vendor != "postgresql":
        Award.objects.bulk_create(awards, batch_size=BULK_BATCH_SIZE)
        return
    table = Award._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(%s::regclass) FROM generate_series(1, %s)",
            [_award_catalogue(cursor).sequence, len(awards)],
        )
        for award, (pk,) in zip(awards, cursor.fetchall(), strict=True):
            award.pk = pk
        columns = ", ".join(connection.ops.quote_name(f.column) for f in _AWARD_FIELDS)
        types = _award_catalogue(cursor).types
        # Table and column names come from the model; values travel as COPY data. A refused
        # row (a unique constraint) raises Django's IntegrityError, as bulk_create would.
        with (
            connection.wrap_database_errors,
            cursor.cursor.copy(
                f"COPY {connection.ops.quote_name(table)} ({columns}) FROM STDIN (FORMAT BINARY)"
            ) as copy,
        ):
            copy.set_types(types)
            for award in awards:
                # The instance's own values: getattr would go through a descriptor per field.
                values = award.__dict__
                copy.write_row([values[name] for name in _AWARD_ATTNAMES])
    for award in awards:
        award._state.adding = False
        award._state.db = connection.alias


@dataclass(frozen=True)
class _AwardCatalogue:
    sequence: str  # of the id column
    types: list[int]  # of each column, in model order, as binary COPY needs them


_award_catalogues: dict[str, _AwardCatalogue] = {}


def _award_catalogue(cursor) -> _AwardCatalogue:
    """What COPY of awards needs from the catalogue, read once per process and database:
    asked for in the statement instead, pg_get_serial_sequence ran for each of a batch's
    thousand ids (2.9 µs each, nine times the nextval it names)."""
    database = cursor.db.settings_dict["NAME"]
    if database not in _award_catalogues:
        table = Award._meta.db_table
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        (sequence,) = cursor.fetchone()
        cursor.execute(
            "SELECT attname, atttypid::int FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
            [table],
        )
        by_column = dict(cursor.fetchall())
        _award_catalogues[database] = _AwardCatalogue(
            sequence=sequence, types=[by_column[field.column] for field in _AWARD_FIELDS]
        )
    return _award_catalogues[database]


def award_vc_jwt(*, award: Award) -> str:
    """The award's VC-JWT: signed with the award's own key on the first request and kept.

    Ed25519 tokens come out the same bytes whenever they are signed (signing.award_vc_jwt), so
    two first requests at once store the same token; with a key whose signatures are not
    deterministic the first token stored is the one every later request gets."""
    if award.credential_jwt:
        return award.credential_jwt
    key = award.signing_key
    signer = signing.Signer.for_key(issuer_profile_ensure(organisation=award.organisation), key)
    token = signing.award_vc_jwt(signer, bytes(award.credential_json))
    if not Award.objects.filter(pk=award.pk, credential_jwt="").update(credential_jwt=token):
        token = Award.objects.values_list("credential_jwt", flat=True).get(pk=award.pk)
    award.credential_jwt = token
    return token


@transaction.atomic
def award_revoke(*, actor, award: Award, reason: str) -> Award:
    """Revoke an award for good: its status list bit is set (the list is re-signed on next
    request), the hosted assertion answers 410 and the OB 2.0 revocation list names it."""
    require_permission(actor, award.organisation, AWARD_BADGES)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the revocation.")})
    if len(reason) > 500:
        raise ValidationError({"reason": _("The reason may have at most 500 characters.")})
    award = Award.objects.select_for_update().get(pk=award.pk)
    if award.revoked_at is not None:
        raise ValidationError(_("This badge was already revoked; revocation is final."))
    status_list = StatusList.objects.select_for_update().get(pk=award.status_list_id)
    bits = bytearray(status_list.bits)
    ob_status.bitstring_put(bits, award.status_index, 1)
    status_list.bits = bytes(bits)
    status_list.signed_json = None
    status_list.save(update_fields=["bits", "signed_json", "updated_at"])
    award.revoked_at = timezone.now()
    award.revocation_reason = reason
    award.revoked_by = actor
    award.save(update_fields=["revoked_at", "revocation_reason", "revoked_by"])
    audit_record(
        actor=actor,
        action="award.revoked",
        target=award,
        organisation=award.organisation,
        data={"reason": reason},
    )
    return award


def status_list_signed(*, status_list: StatusList) -> bytes:
    """The signed status list credential, signed now when no current signature is cached."""
    if status_list.signed_json is not None:
        return bytes(status_list.signed_json)
    with transaction.atomic():
        locked = StatusList.objects.select_for_update().get(pk=status_list.pk)
        if locked.signed_json is None:
            signer = active_signer(locked.organisation)
            locked.signed_json = signing.sign_status_list(signer, locked)
            locked.save(update_fields=["signed_json"])
    return bytes(locked.signed_json)
