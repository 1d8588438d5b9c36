import copy
from datetime import UTC, datetime, timedelta, timezone

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from openbadges import dataintegrity, documents, jsonld, ob2, recipient, schema
from openbadges.errors import InvalidDocument, SchemaViolation, UndefinedTerm

ISSUED = datetime(2025, 3, 1, 10, 0, tzinfo=timezone(timedelta(hours=1)))
ISSUER = documents.profile(
    id="https://badges.example.eu/issuers/acme",
    name="ACME Academy",
    url="https://acme-academy.example.eu",
    email="badges@acme-academy.example.eu",
)
ACHIEVEMENT = documents.achievement(
    id="https://badges.example.eu/achievements/data-literacy",
    name="Data Literacy Basics",
    description="Reads, cleans and charts small tabular data sets.",
    criteria=documents.criteria(narrative="Pass the final assessment with at least 70%."),
    image="https://badges.example.eu/achievements/data-literacy/image.png",
    achievement_type="Badge",
    alignments=[
        documents.alignment(
            target_name="analyse big data",
            target_url="http://data.europa.eu/esco/skill/2b7e8a8c-5b34-4c36-9f3d-6c3b1d0b8f0a",
            target_framework="ESCO",
        )
    ],
    tags=["data", "digital skills"],
)


def _credential(**overrides):
    values = {
        "id": "urn:uuid:9f2c4b7e-2c61-4d8e-9a43-0e1f6b2a7c55",
        "issuer": ISSUER,
        "achievement": ACHIEVEMENT,
        "valid_from": ISSUED,
        "recipient": recipient.ob3_identity_object("Learner@Example.eu ", salt="pepper42"),
    }
    values.update(overrides)
    return documents.open_badge_credential(**values)


@pytest.mark.parametrize(
    ("identity", "salt", "expected"),
    [
        (
            "a@example.com",
            "Kosher",
            "b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399",
        ),
        (
            "learner@example.eu",
            "pepper42",
            "1408bb691a5be455ebc2468f3302ca96c4337b8a310aa9b95149eb32e1e69f1c",
        ),
    ],
)
def test_identity_hash_matches_the_specification_examples(identity, salt, expected):
    assert recipient.hash_identity(identity, salt) == f"sha256${expected}"


def test_identity_hash_of_the_ob3_example():
    value = recipient.hash_identity("jjefferson18@example.com", "FleurDeSel")
    assert value.startswith("sha256$658625b2") and value.endswith("21f5fc")


def test_identity_objects_normalise_emails_and_salt():
    ob3 = recipient.ob3_identity_object(" Learner@Example.EU")
    assert ob3["type"] == "IdentityObject" and ob3["identityType"] == "emailAddress"
    assert ob3["hashed"] is True and len(ob3["salt"]) == 32
    assert ob3["identityHash"] == recipient.hash_identity("learner@example.eu", ob3["salt"])
    ob2_identity = recipient.ob2_identity_object("learner@example.eu", salt="pepper42")
    assert ob2_identity == {
        "type": "email",
        "hashed": True,
        "salt": "pepper42",
        "identity": "sha256$1408bb691a5be455ebc2468f3302ca96c4337b8a310aa9b95149eb32e1e69f1c",
    }
    assert recipient.ob2_identity_object("https://x.example", kind="url", hashed=False) == {
        "type": "url",
        "hashed": False,
        "identity": "https://x.example",
    }
    with pytest.raises(ValueError, match="empty"):
        recipient.ob3_identity_object("  ")


def test_identity_matching():
    stored = (
        recipient.hash_identity("learner@example.eu", "pepper42")
        .upper()
        .replace("SHA256", "sha256")
    )
    assert recipient.identity_matches(
        identity=stored, hashed=True, candidate="Learner@Example.eu", salt="pepper42"
    )
    assert not recipient.identity_matches(
        identity=stored, hashed=True, candidate="other@example.eu", salt="pepper42"
    )
    md5 = recipient.hash_identity("learner@example.eu", "s", algorithm="md5")
    assert recipient.identity_matches(
        identity=md5, hashed=True, candidate="learner@example.eu", salt="s"
    )
    assert recipient.identity_matches(
        identity="learner@example.eu", hashed=False, candidate=" LEARNER@example.eu"
    )
    for malformed in ("sha256$zz", "sha1$" + "0" * 40, "nohash"):
        with pytest.raises(InvalidDocument):
            recipient.identity_matches(identity=malformed, hashed=True, candidate="a", salt="")


def test_open_badge_credential_is_schema_valid_and_safe():
    credential = _credential(
        valid_until=ISSUED + timedelta(days=365),
        evidence=[
            documents.evidence(id="https://badges.example.eu/evidence/1", narrative="Report.")
        ],
        description="Awarded for the spring cohort.",
    )
    assert credential["@context"] == [jsonld.VC_V2, jsonld.OB_V3_CONTEXT]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["validFrom"] == "2025-03-01T09:00:00Z"
    assert credential["validUntil"] == "2026-03-01T09:00:00Z"
    assert credential["name"] == "Data Literacy Basics"
    subject = credential["credentialSubject"]
    assert subject["identifier"][0]["identityHash"] == (
        "sha256$1408bb691a5be455ebc2468f3302ca96c4337b8a310aa9b95149eb32e1e69f1c"
    )
    assert subject["achievement"]["image"]["type"] == "Image"
    schema.validate(credential, "achievementcredential")
    jsonld.check_safe_mode(credential)


def test_signed_credential_stays_schema_valid():
    key = Ed25519PrivateKey.generate()
    signed = dataintegrity.sign_eddsa_rdfc_2022(
        _credential(), private_key=key, verification_method="did:web:badges.example.eu#key-1"
    )
    schema.validate(signed, "achievementcredential")


def test_extensions_context_is_added_for_extension_types():
    credential = _credential(
        credential_status={
            "id": "https://badges.example.eu/status/1",
            "type": "1EdTechRevocationList",
        },
        credential_schema=True,
    )
    assert credential["@context"][-1] == jsonld.OB_V3_EXTENSIONS
    assert credential["credentialSchema"][0]["type"] == "1EdTechJsonSchemaValidator2019"
    bitstring = _credential(
        credential_status={
            "id": "https://badges.example.eu/status/list#42",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "42",
            "statusListCredential": "https://badges.example.eu/status/list",
        }
    )
    assert jsonld.OB_V3_EXTENSIONS not in bitstring["@context"]


def test_subject_by_did_without_identifier():
    credential = _credential(
        recipient=None, subject_id="did:key:z6MkhTNL7i2etLerDK8Acz5t528giE5KA4p75T6ka1E1D74r"
    )
    assert "identifier" not in credential["credentialSubject"]
    with pytest.raises(InvalidDocument, match="recipient"):
        _credential(recipient=None)


def test_safe_mode_refuses_unknown_properties_at_top_level_and_in_the_subject():
    credential = _credential(validate=False)
    top = copy.deepcopy(credential)
    top["foo"] = 1
    with pytest.raises(UndefinedTerm, match="foo"):
        documents.finish(top, "achievementcredential")
    nested = copy.deepcopy(credential)
    nested["credentialSubject"]["foo"] = 1
    with pytest.raises(UndefinedTerm, match=r"credentialSubject\.foo"):
        documents.finish(nested, "achievementcredential")


def test_schema_violations_are_listed_readably():
    credential = _credential(validate=False)
    del credential["credentialSubject"]["achievement"]["criteria"]
    credential["issuer"]["image"] = "https://badges.example.eu/logo.png"
    with pytest.raises(SchemaViolation) as caught:
        schema.validate(credential)
    problems = caught.value.problems
    assert any(
        p.startswith("credentialSubject.achievement:") and "criteria" in p for p in problems
    ), problems
    assert any(p.startswith("issuer.image:") for p in problems), problems
    with pytest.raises(ValueError, match="Unknown schema kind"):
        schema.validate({}, "clr")


def test_bad_input_is_refused_clearly():
    with pytest.raises(InvalidDocument, match="absolute IRI"):
        _credential(id="not an iri")
    with pytest.raises(InvalidDocument, match="absolute IRI"):
        _credential(subject_id="did:example:a b")
    with pytest.raises(ValueError, match="timezone-aware"):
        _credential(valid_from=datetime(2025, 1, 1))
    with pytest.raises(InvalidDocument):
        documents.criteria()
    with pytest.raises(InvalidDocument):
        documents.image("javascript alert")


def test_profile_and_endorsement_credential():
    standalone = documents.profile(
        id="https://badges.example.eu/issuers/acme",
        name="ACME Academy",
        url="https://acme-academy.example.eu",
        image=documents.image("https://badges.example.eu/logo.png", caption="ACME logo"),
        standalone=True,
    )
    assert standalone["@context"] == [jsonld.VC_V2, jsonld.OB_V3_CONTEXT]
    schema.validate(standalone, "profile")
    endorsement = documents.endorsement_credential(
        id="urn:uuid:0b9b1c1e-53c3-4bb6-9a0c-7f3d5a1e2b44",
        issuer=documents.profile(id="https://endorser.example.eu", name="Endorser"),
        subject_id=ACHIEVEMENT["id"],
        name="Endorsement of Data Literacy Basics",
        valid_from=datetime(2025, 4, 1, tzinfo=UTC),
        endorsement_comment="Solid, well-assessed programme.",
    )
    assert endorsement["type"] == ["VerifiableCredential", "EndorsementCredential"]
    assert endorsement["credentialSubject"]["type"] == ["EndorsementSubject"]


def test_ob2_documents_follow_the_checklist_examples():
    assertion = ob2.assertion(
        id="https://badges.example.eu/ob2/assertions/9f2c4b7e",
        recipient=recipient.ob2_identity_object("learner@example.eu", salt="pepper42"),
        badge="https://badges.example.eu/ob2/badgeclasses/data-literacy-basics",
        issued_on=datetime(2025, 3, 1, 9, 0, tzinfo=UTC),
        expires=datetime(2028, 3, 1, 9, 0, tzinfo=UTC),
        image="https://badges.example.eu/ob2/assertions/9f2c4b7e/image.png",
        evidence=[
            ob2.evidence(
                id="https://badges.example.eu/evidence/9f2c4b7e", narrative="Final project report."
            )
        ],
    )
    assert assertion["@context"] == "https://w3id.org/openbadges/v2"
    assert assertion["verification"] == {"type": "HostedBadge"}
    assert assertion["issuedOn"] == "2025-03-01T09:00:00Z"
    assert assertion["recipient"]["identity"].startswith("sha256$1408bb69")

    badge_class = ob2.badge_class(
        id="https://badges.example.eu/ob2/badgeclasses/data-literacy-basics",
        name="Data Literacy Basics",
        description="Reads, cleans and charts small tabular data sets.",
        image="https://badges.example.eu/ob2/badgeclasses/data-literacy-basics/image.png",
        criteria={"narrative": "Pass the final assessment with at least 70%."},
        issuer="https://badges.example.eu/ob2/issuers/acme-academy",
        alignments=[
            ob2.alignment(
                target_name="analyse big data",
                target_url="http://data.europa.eu/esco/skill/2b7e8a8c",
                target_framework="ESCO",
            )
        ],
        tags=["data", "digital skills"],
    )
    assert badge_class["type"] == "BadgeClass"

    issuer = ob2.issuer_profile(
        id="https://badges.example.eu/ob2/issuers/acme-academy",
        name="ACME Academy",
        url="https://acme-academy.example.eu",
        email="badges@acme-academy.example.eu",
        public_keys=["https://badges.example.eu/ob2/keys/1"],
        revocation_list="https://badges.example.eu/ob2/issuers/acme-academy/revocations",
    )
    assert issuer["publicKey"] == "https://badges.example.eu/ob2/keys/1"
    key = ob2.cryptographic_key(
        id="https://badges.example.eu/ob2/keys/1",
        owner=issuer["id"],
        public_key_pem="-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n",
    )
    assert key["owner"] == issuer["id"]
    revocations = ob2.revocation_list(
        id="https://badges.example.eu/ob2/issuers/acme-academy/revocations",
        issuer=issuer["id"],
        revoked=[
            "urn:uuid:1b1c4f1e-0000-4000-8000-000000000001",
            ("https://badges.example.eu/ob2/assertions/2", "Issued in error"),
        ],
    )
    assert revocations["revokedAssertions"][1] == {
        "id": "https://badges.example.eu/ob2/assertions/2",
        "revocationReason": "Issued in error",
    }
    signed = ob2.assertion(
        id="urn:uuid:1b1c4f1e-0000-4000-8000-000000000001",
        recipient=recipient.ob2_identity_object("learner@example.eu"),
        badge=badge_class,
        issued_on="2025-03-01T09:00:00Z",
        verification=ob2.signed_verification("https://badges.example.eu/ob2/keys/1"),
    )
    assert signed["verification"]["type"] == "SignedBadge"


def test_ob2_refuses_bad_input():
    with pytest.raises(InvalidDocument, match="IdentityObject"):
        ob2.assertion(
            id="https://badges.example.eu/a/1",
            recipient={"type": "shoe", "identity": "x"},
            badge="https://badges.example.eu/b/1",
            issued_on="2025-03-01T09:00:00Z",
        )
    with pytest.raises(InvalidDocument):
        ob2.cryptographic_key(
            id="https://k.example/1", owner="https://i.example", public_key_pem="x"
        )
    with pytest.raises(InvalidDocument):
        ob2.evidence()
