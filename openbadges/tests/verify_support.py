"""Builders shared by the verification tests: keys, credentials, issuers, served documents."""

from __future__ import annotations

import copy
import hashlib
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from openbadges import dataintegrity, did, multikey
from openbadges.fetch import StaticFetcher

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
VALID_FROM = "2025-03-01T09:00:00Z"
PROOF_CREATED = "2025-03-01T09:00:05Z"
EMAIL = "learner@example.eu"
SALT = "q9Xk2p"
CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
]
ACHIEVEMENT_ID = "https://badges.example.eu/achievements/data-literacy-basics"


def fixed_key(seed: str) -> Ed25519PrivateKey:
    """A deterministic Ed25519 key, so failures are reproducible."""
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(seed.encode()).digest())


def identity_hash(email: str = EMAIL, salt: str = SALT) -> str:
    return "sha256$" + hashlib.sha256((email + salt).encode()).hexdigest()


def did_key_of(key: Ed25519PrivateKey) -> tuple[str, str]:
    """(issuer DID, verification method id) for a did:key issuer."""
    issuer = did.did_key_for(key.public_key())
    return issuer, f"{issuer}#{issuer.removeprefix('did:key:')}"


def https_fragment_method(issuer_id: str, key: Ed25519PrivateKey) -> str:
    """The 1EdTech test vector's form: the Multikey itself is the fragment of the issuer id."""
    return f"{issuer_id}#{multikey.encode_public_multikey(key.public_key())}"


def credential(
    issuer_id: str,
    *,
    credential_id: str = "urn:uuid:5b8c0c1e-8d1f-4c53-9a2e-0d6f3f1f2a10",
    valid_from: str = VALID_FROM,
    valid_until: str | None = None,
    status: dict | list | None = None,
    email: str = EMAIL,
    salt: str = SALT,
    name: str = "Data Literacy Basics",
) -> dict:
    document = {
        "@context": list(CONTEXTS),
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": name,
        "issuer": {
            "id": issuer_id,
            "type": ["Profile"],
            "name": "ACME Academy",
            "url": "https://acme-academy.example.eu",
            "email": "badges@acme-academy.example.eu",
        },
        "validFrom": valid_from,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "emailAddress",
                    "hashed": True,
                    "salt": salt,
                    "identityHash": identity_hash(email, salt),
                }
            ],
            "achievement": {
                "id": ACHIEVEMENT_ID,
                "type": ["Achievement"],
                "achievementType": "Badge",
                "name": name,
                "description": "Reads, cleans and charts small tabular data sets.",
                "criteria": {"narrative": "Pass the final assessment with at least 70%."},
                "image": {"id": ACHIEVEMENT_ID + "/image.png", "type": "Image"},
            },
        },
        "credentialSchema": [
            {
                "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
                "ob_v3p0_achievementcredential_schema.json",
                "type": "1EdTechJsonSchemaValidator2019",
            }
        ],
    }
    if valid_until:
        document["validUntil"] = valid_until
    if status is not None:
        document["credentialStatus"] = status
    return document


def sign(document: dict, key: Ed25519PrivateKey, method: str, **kwargs) -> dict:
    return dataintegrity.sign_eddsa_rdfc_2022(
        copy.deepcopy(document),
        private_key=key,
        verification_method=method,
        created=kwargs.pop("created", PROOF_CREATED),
        **kwargs,
    )


def offline(mapping: dict | None = None) -> StaticFetcher:
    return StaticFetcher(mapping or {})
