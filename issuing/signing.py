"""Signing awards: the OB 3.0 credential (eddsa-rdfc-2022 Data Integrity proof and VC-JWT) and
the OB 2.0 hosted assertion, as the exact bytes to store.

Every credential of one badge class version has the same JSON-LD shape; only the credential
id, the recipient's subject id, hash and salt, the dates and the status entry differ. A
`CredentialTemplate` (openbadges.template) is made once per shape and process, checked against
the official JSON Schema and JSON-LD safe mode on its first document, and then signs each
further credential at close to raw Ed25519 speed. Awards with evidence have a shape of their
own and are signed with the full algorithm, each validated in full.
"""

import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson
from django.utils import timezone

from openbadges import dataintegrity, ob2, recipient, status, vcjwt
from openbadges import documents as ob3
from openbadges.dataintegrity import format_datetime
from openbadges.keyring import KeyStatus, ManagedKey
from openbadges.keys import KeyPair, public_key_from_jwk
from openbadges.template import CredentialTemplate, sign_with_template_json

from . import documents, keystore, links
from .models import BadgeClassVersion, IdentityType, IssuerProfile, SigningKey, StatusList

OB3_IDENTITY_TYPES = {
    IdentityType.EMAIL: "emailAddress",
    IdentityType.URL: "ext:url",
    IdentityType.TELEPHONE: "ext:telephone",
}


def managed_key(key: SigningKey) -> ManagedKey:
    return ManagedKey(
        key_id=key.key_id,
        public_key=public_key_from_jwk(key.public_jwk),
        status=KeyStatus(key.status),
        created=key.created_at,
        retired_at=key.retired_at,
        compromised_at=key.revoked_at,
    )


@dataclass(frozen=True)
class Signer:
    """Everything needed to sign for one issuer with its active key."""

    profile: IssuerProfile
    key: SigningKey
    keypair: KeyPair
    issuer: dict  # the embedded OB 3.0 issuer Profile
    issuer_id: str
    verification_method: str
    jwt_kid: str

    @classmethod
    def for_key(cls, profile: IssuerProfile, key: SigningKey) -> "Signer":
        keypair = keystore.decrypt_private_key(
            key.private_key_encrypted, key_public_id=str(key.public_id)
        )
        return cls(
            profile=profile,
            key=key,
            keypair=keypair,
            issuer=documents.ob3_issuer(profile),
            issuer_id=links.issuer_id(profile.public_id),
            verification_method=links.verification_method(
                profile.public_id, key.key_id, keypair.public_key
            ),
            jwt_kid=links.jwt_kid(profile.public_id, managed_key(key)),
        )


@dataclass(frozen=True)
class AwardPlan:
    """One award to sign: its identity and the values that vary between credentials."""

    public_id: uuid.UUID
    identity_type: str
    identity: str  # normalised
    salt: str
    issued_at: datetime
    expires_at: datetime | None
    narrative: str
    evidence: list[dict]
    status_list: StatusList
    status_index: int


@dataclass(frozen=True)
class SignedAward:
    credential_json: bytes
    credential_jwt: str
    assertion_json: bytes
    recipient_hash: str


_templates: OrderedDict[tuple, CredentialTemplate] = OrderedDict()
_templates_lock = threading.Lock()
_TEMPLATE_LIMIT = 256


def _cached_template(shape: tuple) -> CredentialTemplate | None:
    with _templates_lock:
        template = _templates.get(shape)
        if template is not None:
            _templates.move_to_end(shape)
        return template


def _new_template(shape: tuple, example: dict, paths: list[str]) -> CredentialTemplate:
    """A template made (and proven on `example`) for a shape, remembered for the process."""
    template = CredentialTemplate.for_document(example, paths)
    with _templates_lock:
        _templates[shape] = template
        if len(_templates) > _TEMPLATE_LIMIT:
            _templates.popitem(last=False)
    return template


def _credential(
    signer: Signer, version: BadgeClassVersion, plan: AwardPlan, subject_id: str
) -> dict:
    """The unsigned credential; validated later (per shape, or in full when it has evidence).

    `subject_id` is an opaque `urn:uuid:` per award: VC-JWT needs a subject id (the `sub`
    claim), and a random one names nobody and links nothing.
    """
    identity_type = OB3_IDENTITY_TYPES[plan.identity_type]
    identifier = recipient.ob3_identity_object(
        plan.identity, salt=plan.salt, identity_type=identity_type
    )
    list_url = links.status_list_url(signer.profile.public_id, plan.status_list.public_id)
    credential = ob3.open_badge_credential(
        id=links.credential_url(plan.public_id),
        issuer=signer.issuer,
        achievement=_achievement(version, signer),
        valid_from=plan.issued_at,
        valid_until=plan.expires_at,
        recipient=identifier,
        subject_id=subject_id,
        evidence=[
            ob3.evidence(
                id=item.get("url") or None,
                name=item.get("name") or None,
                description=item.get("description") or None,
                narrative=item.get("narrative") or None,
            )
            for item in plan.evidence
        ],
        credential_status=status.bitstring_entry(list_url=list_url, index=plan.status_index),
        credential_schema=False,
        validate=False,
    )
    if plan.narrative:
        credential["credentialSubject"]["narrative"] = plan.narrative
    return credential


_achievements: dict[tuple, dict] = {}


def _achievement(version: BadgeClassVersion, signer: Signer) -> dict:
    key = (version.pk, orjson.dumps(signer.issuer))
    achievement = _achievements.get(key)
    if achievement is None:
        achievement = documents.ob3_achievement(version, issuer=signer.issuer)
        if len(_achievements) > _TEMPLATE_LIMIT:
            _achievements.clear()
        _achievements[key] = achievement
    return achievement


def _variable_paths(plan: AwardPlan) -> list[str]:
    paths = [
        "id",
        "credentialSubject.id",
        "credentialSubject.identifier.0.identityHash",
        "credentialSubject.identifier.0.salt",
        "validFrom",
        "credentialStatus.id",
        "credentialStatus.statusListIndex",
        "credentialStatus.statusListCredential",
    ]
    if plan.expires_at is not None:
        paths.append("validUntil")
    if plan.narrative:
        paths.append("credentialSubject.narrative")
    return paths


def _assertion(version: BadgeClassVersion, plan: AwardPlan, *, validate: bool) -> dict:
    evidence = []
    for item in plan.evidence:
        evidence.append(
            ob2.evidence(
                id=item.get("url") or None,
                narrative=item.get("narrative") or None,
                name=item.get("name") or None,
                description=item.get("description") or None,
            )
        )
    return ob2.assertion(
        id=links.assertion_url(plan.public_id),
        recipient=recipient.ob2_identity_object(
            plan.identity, salt=plan.salt, kind=plan.identity_type
        ),
        badge=links.badge_version_url(version.badge_class.public_id, version.number),
        issued_on=plan.issued_at,
        expires=plan.expires_at,
        image=links.badge_image_url(version.badge_class.public_id, version.number),
        evidence=evidence,
        narrative=plan.narrative or None,
        validate=validate,
    )


def _values(signer: Signer, plan: AwardPlan, paths: list[str], subject_id: str) -> list[str]:
    """The template values of one award, computed without building its document."""
    list_url = links.status_list_url(signer.profile.public_id, plan.status_list.public_id)
    known = {
        "id": links.credential_url(plan.public_id),
        "credentialSubject.id": subject_id,
        "credentialSubject.identifier.0.identityHash": recipient.hash_identity(
            plan.identity, plan.salt
        ),
        "credentialSubject.identifier.0.salt": plan.salt,
        "validFrom": format_datetime(plan.issued_at),
        "credentialStatus.id": f"{list_url}#{plan.status_index}",
        "credentialStatus.statusListIndex": str(plan.status_index),
        "credentialStatus.statusListCredential": list_url,
    }
    if plan.expires_at is not None:
        known["validUntil"] = format_datetime(plan.expires_at)
    if plan.narrative:
        known["credentialSubject.narrative"] = plan.narrative
    return [known[path] for path in paths]


def sign_award(
    signer: Signer, version: BadgeClassVersion, plan: AwardPlan, *, created: str | None = None
) -> SignedAward:
    """Sign one award; `created` (the proof time) is shared by a batch."""
    created = created or format_datetime(timezone.now())
    if plan.evidence:
        credential = _credential(signer, version, plan, f"urn:uuid:{uuid.uuid4()}")
        ob3.finish(credential, "achievementcredential")
        signed = dataintegrity.sign_eddsa_rdfc_2022(
            credential,
            private_key=signer.keypair.private_key,
            verification_method=signer.verification_method,
            created=created,
            safe_mode=False,  # finish() ran safe mode already
        )
        credential_json = orjson.dumps(signed)
        unsigned = credential
        first = True
    else:
        paths = _variable_paths(plan)
        shape = (
            version.pk,
            signer.key.pk,
            signer.verification_method,
            orjson.dumps(signer.issuer),
            tuple(paths),
            plan.identity_type,
        )
        subject_id = f"urn:uuid:{uuid.uuid4()}"
        template = _cached_template(shape)
        first = template is None
        if first:
            credential = _credential(signer, version, plan, subject_id)
            # The schema and safe mode are checked once per shape: the template guarantees
            # that every later credential differs only in validated IRI and date values.
            ob3.finish(credential, "achievementcredential")
            template = _new_template(shape, credential, paths)
        values = _values(signer, plan, paths, subject_id)
        credential_json = sign_with_template_json(
            template,
            values,
            private_key=signer.keypair.private_key,
            verification_method=signer.verification_method,
            created=created,
        )
        unsigned = template.build_document(values)
    token = vcjwt.sign_vc_jwt(unsigned, key=signer.keypair, kid=signer.jwt_kid)
    assertion = _assertion(version, plan, validate=first or bool(plan.narrative))
    return SignedAward(
        credential_json=credential_json,
        credential_jwt=token,
        assertion_json=orjson.dumps(assertion),
        recipient_hash=unsigned["credentialSubject"]["identifier"][0]["identityHash"],
    )


def _value(document: dict, path: str):
    node = document
    for part in path.split("."):
        node = node[int(part)] if part.isdigit() else node[part]
    return node


def sign_status_list(signer: Signer, status_list: StatusList) -> bytes:
    """The signed BitstringStatusListCredential of a list, as bytes to serve and cache."""
    list_url = links.status_list_url(signer.profile.public_id, status_list.public_id)
    credential = status.bitstring_status_list_credential(
        id=list_url,
        issuer=signer.issuer_id,
        # The time of the last change, not of signing: a list signed while a verifier is
        # running must not look "not yet valid" against the verifier's clock.
        valid_from=format_datetime(status_list.updated_at or datetime.now(UTC)),
        encoded_list=status.bitstring_encode(bytes(status_list.bits)),
        status_purpose=status_list.purpose,
    )
    signed = dataintegrity.sign_eddsa_rdfc_2022(
        credential,
        private_key=signer.keypair.private_key,
        verification_method=signer.verification_method,
        created=credential["validFrom"],
    )
    return orjson.dumps(signed)
