"""Signing awards: the OB 3.0 credential (eddsa-rdfc-2022 Data Integrity proof and VC-JWT) and
the OB 2.0 hosted assertion, as the exact bytes to store.

Every credential of one badge class version has the same JSON-LD shape; only the credential
id, the recipient's subject id, hash and salt, the dates and the status entry differ. A
`CredentialTemplate` (openbadges.template) is made once per shape and process, checked against
the official JSON Schema and JSON-LD safe mode on its first document, and then signs each
further credential at close to raw Ed25519 speed. Awards with evidence have a shape of their
own and are signed with the full algorithm, each validated in full.
"""

import re
import secrets
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
from openbadges.documents import check_iri
from openbadges.errors import InvalidDocument
from openbadges.keyring import KeyStatus, ManagedKey
from openbadges.keys import KeyPair, public_key_from_jwk
from openbadges.template import CredentialTemplate, sign_with_template_parts

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
    assertion_json: bytes
    recipient_hash: str


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


_EVIDENCE_KEYS = ("url", "name", "description", "narrative")
# Where each evidence key lands: in the OB 3.0 Evidence and in the OB 2.0 Evidence.
_OB3_EVIDENCE = {
    "url": "id",
    "name": "name",
    "description": "description",
    "narrative": "narrative",
}
# (OB 2.0 key, our key) in the order ob2.evidence writes them.
_OB2_EVIDENCE = (
    ("id", "url"),
    ("narrative", "narrative"),
    ("name", "name"),
    ("description", "description"),
)


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
    for number, item in enumerate(plan.evidence):
        paths.extend(
            f"evidence.{number}.{_OB3_EVIDENCE[key]}" for key in _EVIDENCE_KEYS if item.get(key)
        )
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
    for number, item in enumerate(plan.evidence):
        for key in _EVIDENCE_KEYS:
            if item.get(key):
                known[f"evidence.{number}.{_OB3_EVIDENCE[key]}"] = item[key]
    return [known[path] for path in paths]


class _JsonTemplate:
    """The JSON bytes of a document with a few string values cut out, proven on an example:
    writing the example's own values back must give `orjson.dumps(example)` exactly."""

    def __init__(self, example: dict, paths: list[str]):
        token = "obslot" + secrets.token_hex(8)
        marked = orjson.loads(orjson.dumps(example))
        for index, path in enumerate(paths):
            _put(marked, path, f"{token}:{index}")
        self._segments = re.split(rf'"{token}:\d+"'.encode(), orjson.dumps(marked))
        self._order = [
            int(n) for n in re.findall(rf'"{token}:(\d+)"'.encode(), orjson.dumps(marked))
        ]
        if len(self._order) != len(paths):
            raise InvalidDocument(
                "A template value is not a string of its own.", code="template.path"
            )
        if self.render([_get(example, path) for path in paths]) != orjson.dumps(example):
            raise InvalidDocument(
                "The JSON template does not reproduce its example.", code="template.unsupported"
            )

    def render(self, values: list[str]) -> bytes:
        parts = [self._segments[0]]
        for index, segment in zip(self._order, self._segments[1:], strict=True):
            parts.append(orjson.dumps(values[index]))
            parts.append(segment)
        return b"".join(parts)


def _get(document, path: str):
    for part in path.split("."):
        document = document[int(part)] if part.isdigit() else document[part]
    return document


def _put(document, path: str, value) -> None:
    *parents, last = path.split(".")
    for part in parents:
        document = document[int(part)] if part.isdigit() else document[part]
    document[int(last) if last.isdigit() else last] = value


def _assertion_paths(plan: AwardPlan) -> list[str]:
    paths = ["id", "recipient.salt", "recipient.identity", "issuedOn"]
    if plan.expires_at is not None:
        paths.append("expires")
    if plan.narrative:
        paths.append("narrative")
    for number, item in enumerate(plan.evidence):
        paths.extend(
            f"evidence.{number}.{key}" for key, source in _OB2_EVIDENCE if item.get(source)
        )
    return paths


def _assertion_values(plan: AwardPlan, paths: list[str], identity_hash: str) -> list[str]:
    known = {
        "id": links.assertion_url(plan.public_id),
        "recipient.salt": plan.salt,
        "recipient.identity": identity_hash,
        "issuedOn": format_datetime(plan.issued_at),
        "narrative": plan.narrative,
    }
    if plan.expires_at is not None:
        known["expires"] = format_datetime(plan.expires_at)
    for number, item in enumerate(plan.evidence):
        for key, source in _OB2_EVIDENCE:
            known[f"evidence.{number}.{key}"] = item.get(source)
    return [known[path] for path in paths]


@dataclass(frozen=True)
class _Shape:
    """What signs every further award of one shape: the credential's RDF template and the
    OB 2.0 assertion's JSON template."""

    credential: CredentialTemplate
    assertion: _JsonTemplate
    assertion_paths: list[str]


_shapes: OrderedDict[tuple, _Shape] = OrderedDict()
_shapes_lock = threading.Lock()
_full_processing = threading.RLock()
_TEMPLATE_LIMIT = 256


def _cached_shape(key: tuple) -> _Shape | None:
    with _shapes_lock:
        shape = _shapes.get(key)
        if shape is not None:
            _shapes.move_to_end(key)
        return shape


def _remember_shape(key: tuple, shape: _Shape) -> None:
    with _shapes_lock:
        _shapes[key] = shape
        if len(_shapes) > _TEMPLATE_LIMIT:
            _shapes.popitem(last=False)


def sign_award(
    signer: Signer,
    version: BadgeClassVersion,
    plan: AwardPlan,
    *,
    created: str | None = None,
) -> SignedAward:
    """Sign one award; `created` (the proof time) is shared by a batch.

    The first award of a shape is built and checked in full (JSON Schema, JSON-LD safe mode)
    and becomes its `_Shape`; every further award of the shape is written from its values
    alone. An evidence link the template cannot take as an IRI is signed in full instead.
    The VC-JWT is not made here: `award_vc_jwt` signs it from the stored credential."""
    created = created or format_datetime(timezone.now())
    paths = _variable_paths(plan)
    key = (
        version.pk,
        signer.key.pk,
        signer.verification_method,
        orjson.dumps(signer.issuer),
        tuple(paths),
        plan.identity_type,
    )
    subject_id = f"urn:uuid:{uuid.uuid4()}"
    shape = _cached_shape(key)
    if shape is None:
        # The first award of a shape goes through full JSON-LD processing, whose library
        # (pyld) keeps process-wide caches that are not safe across threads: one thread at a
        # time, and a thread that waited signs from the shape made meanwhile.
        with _full_processing:
            shape = _cached_shape(key)
            if shape is None:
                return _sign_first(key, signer, version, plan, paths, subject_id, created)
    values = _values(signer, plan, paths, subject_id)
    try:
        _unsigned, credential_json = sign_with_template_parts(
            shape.credential,
            values,
            private_key=signer.keypair.private_key,
            verification_method=signer.verification_method,
            created=created,
        )
    except InvalidDocument:
        if not plan.evidence:
            raise
        return sign_award_in_full(signer, version, plan, created=created)
    identity_hash = values[2]
    if plan.evidence:
        # OB 2.0 evidence ids are checked as the assertion builder checks them.
        for item in plan.evidence:
            if item.get("url"):
                check_iri(item["url"], "evidence.id")
    assertion_json = shape.assertion.render(
        _assertion_values(plan, shape.assertion_paths, identity_hash)
    )
    return SignedAward(
        credential_json=credential_json,
        assertion_json=assertion_json,
        recipient_hash=identity_hash,
    )


def _sign_first(
    key: tuple,
    signer: Signer,
    version: BadgeClassVersion,
    plan: AwardPlan,
    paths: list[str],
    subject_id: str,
    created: str,
) -> SignedAward:
    credential = _credential(signer, version, plan, subject_id)
    # The schema and safe mode are checked once per shape: the template guarantees that every
    # later credential differs only in validated IRI, date and string values.
    ob3.finish(credential, "achievementcredential")
    template = CredentialTemplate.for_document(credential, paths)
    values = _values(signer, plan, paths, subject_id)
    _unsigned, credential_json = sign_with_template_parts(
        template,
        values,
        private_key=signer.keypair.private_key,
        verification_method=signer.verification_method,
        created=created,
    )
    assertion = _assertion(version, plan, validate=True)
    assertion_paths = _assertion_paths(plan)
    shape = _Shape(
        credential=template,
        assertion=_JsonTemplate(assertion, assertion_paths),
        assertion_paths=assertion_paths,
    )
    _remember_shape(key, shape)
    return SignedAward(
        credential_json=credential_json,
        assertion_json=orjson.dumps(assertion),
        recipient_hash=values[2],
    )


def sign_award_in_full(
    signer: Signer,
    version: BadgeClassVersion,
    plan: AwardPlan,
    *,
    created: str | None = None,
) -> SignedAward:
    """Sign one award with the full algorithms and every check, no template: what the
    templates must reproduce byte for byte (and the path for values they cannot take)."""
    created = created or format_datetime(timezone.now())
    credential = _credential(signer, version, plan, f"urn:uuid:{uuid.uuid4()}")
    with _full_processing:  # see sign_award
        ob3.finish(credential, "achievementcredential")
        signed = dataintegrity.sign_eddsa_rdfc_2022(
            credential,
            private_key=signer.keypair.private_key,
            verification_method=signer.verification_method,
            created=created,
            safe_mode=False,  # finish() ran safe mode already
        )
    return SignedAward(
        credential_json=orjson.dumps(signed),
        assertion_json=orjson.dumps(_assertion(version, plan, validate=True)),
        recipient_hash=credential["credentialSubject"]["identifier"][0]["identityHash"],
    )


def award_vc_jwt(signer: Signer, credential_json: bytes) -> str:
    """The VC-JWT of a signed award: its stored credential without the Data Integrity proof,
    signed as `vcjwt.sign_vc_jwt` signs it, with the proof's `created` time as `iat`.

    Made on request rather than with the award: it repeats the whole credential, so signing
    and storing it with every award cost about a fifth of a bulk award (an Ed25519 signature
    of 9 KB and 5 KB more per row, docs/scale.md). Everything in it is fixed by the stored
    credential and the award's key, and Ed25519 signatures are deterministic (RFC 8032), so
    the token is the same bytes whenever it is made."""
    credential = orjson.loads(credential_json)
    proofs = credential.pop("proof", None)
    proof = proofs[0] if isinstance(proofs, list) and proofs else proofs
    if not isinstance(proof, dict) or not isinstance(proof.get("created"), str):
        raise InvalidDocument("The stored credential has no proof time.", code="proof.created")
    issued_at = datetime.fromisoformat(proof["created"])
    return vcjwt.sign_vc_jwt(
        credential, key=signer.keypair, kid=signer.jwt_kid, issued_at=issued_at
    )


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
