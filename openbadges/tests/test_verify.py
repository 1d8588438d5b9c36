"""Verification of OB 3.0 credentials with Data Integrity proofs: keys, status, dates, recipient."""

import copy
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image

from openbadges import baking, dataintegrity, did, documents, jsonld, keyring, multikey, status
from openbadges.fetch import FetchResponse
from openbadges.keys import public_jwk
from openbadges.tests.verify_support import (
    ACHIEVEMENT_ID,
    CONTEXTS,
    EMAIL,
    NOW,
    PROOF_CREATED,
    credential,
    did_key_of,
    fixed_key,
    https_fragment_method,
    offline,
    sign,
)
from openbadges.verify import ResolvedKey, verify

KEY = fixed_key("issuer")
OTHER_KEY = fixed_key("someone else")
ISSUER, METHOD = did_key_of(KEY)
LIST_URL = "https://badges.example.eu/issuers/acme/revocations"
STATUS_LIST_URL = "https://badges.example.eu/status/1"
VECTORS = Path(__file__).parent / "vectors" / "obv3p0"


def outcomes(report):
    return {check.id: check.outcome for check in report.checks}


@pytest.fixture(scope="module")
def signed():
    return sign(credential(ISSUER), KEY, METHOD)


def test_a_valid_credential_passes_every_check_in_order(signed):
    report = verify(signed, fetcher=offline(), now=NOW, expected_recipient=EMAIL)
    assert report.valid
    assert report.format == "ob3-di"
    assert [c.id for c in report.checks] == [
        "input.parse",
        "jsonld.safe_mode",
        "schema",
        "issuer.key",
        "proof",
        "status.revocation",
        "validity.not_before",
        "validity.expiry",
        "recipient",
    ]
    assert outcomes(report)["status.revocation"] == "skipped"
    assert report.credential == signed
    assert report.summary["name"] == "Data Literacy Basics"
    assert report.summary["issuer_name"] == "ACME Academy"
    data = report.to_dict()
    assert data["valid"] is True
    assert json.loads(json.dumps(data))["checks"][4]["id"] == "proof"


def test_json_text_and_bytes_are_accepted(signed):
    text = json.dumps(signed)
    for given in (text, text.encode(), "\ufeff" + text + "\n"):
        report = verify(given, fetcher=offline(), now=NOW)
        assert report.valid, report.failures
        assert report.original.strip().lstrip("\ufeff") == text


def test_a_tampered_credential_fails_the_proof(signed):
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["achievement"]["name"] = "Rocket Science"
    report = verify(tampered, fetcher=offline(), now=NOW)
    assert not report.valid
    assert outcomes(report)["proof"] == "failed"
    assert outcomes(report)["issuer.key"] == "passed"
    assert "altered" in report.check("proof").message


def test_a_credential_signed_by_another_key_fails(signed):
    forged = sign(credential(ISSUER), OTHER_KEY, METHOD)
    report = verify(forged, fetcher=offline(), now=NOW)
    assert outcomes(report)["proof"] == "failed"


def test_a_key_of_someone_else_than_the_issuer_is_refused():
    other_issuer, other_method = did_key_of(OTHER_KEY)
    impostor = sign(credential(ISSUER), OTHER_KEY, other_method)
    report = verify(impostor, fetcher=offline(), now=NOW)
    assert outcomes(report)["issuer.key"] == "failed"
    assert other_issuer in report.check("issuer.key").message
    assert outcomes(report)["proof"] == "failed"


def test_a_credential_without_proof_fails(signed):
    unsigned = {k: v for k, v in signed.items() if k != "proof"}
    report = verify(unsigned, fetcher=offline(), now=NOW)
    assert outcomes(report)["proof"] == "failed"
    assert report.check("proof").code == "proof.missing"


def test_an_undefined_term_fails_safe_mode_naming_it(signed):
    extended = copy.deepcopy(signed)
    extended["credentialSubject"]["favouriteColour"] = "green"
    report = verify(extended, fetcher=offline(), now=NOW)
    check = report.check("jsonld.safe_mode")
    assert check.outcome == "failed"
    assert "favouriteColour" in check.message
    assert not report.valid


def test_schema_violations_are_reported(signed):
    broken = copy.deepcopy(signed)
    del broken["credentialSubject"]["achievement"]["criteria"]
    report = verify(broken, fetcher=offline(), now=NOW)
    assert outcomes(report)["schema"] == "failed"
    assert "criteria" in report.check("schema").message


def test_a_verifiable_credential_that_is_no_badge_fails_the_schema_check():
    document = credential(ISSUER)
    document["type"] = ["VerifiableCredential"]
    report = verify(sign(document, KEY, METHOD), fetcher=offline(), now=NOW)
    assert outcomes(report)["schema"] == "failed"
    assert outcomes(report)["proof"] == "passed"


# -- dates --------------------------------------------------------------------------------------


def test_expired():
    document = sign(credential(ISSUER, valid_until="2025-12-31T23:59:59Z"), KEY, METHOD)
    report = verify(document, fetcher=offline(), now=NOW)
    assert outcomes(report)["validity.expiry"] == "failed"
    assert report.check("validity.expiry").code == "validity.expired"
    assert "2025-12-31" in report.check("validity.expiry").message
    later = verify(document, fetcher=offline(), now=datetime(2025, 6, 1, tzinfo=UTC))
    assert later.valid


def test_not_yet_valid():
    document = sign(credential(ISSUER, valid_from="2026-06-01T00:00:00Z"), KEY, METHOD)
    report = verify(document, fetcher=offline(), now=NOW)
    assert outcomes(report)["validity.not_before"] == "failed"
    assert report.check("validity.not_before").code == "validity.not_yet_valid"


def test_a_naive_now_is_read_as_utc(signed):
    assert verify(signed, fetcher=offline(), now=datetime(2026, 1, 1)).valid


# -- recipient ----------------------------------------------------------------------------------


@pytest.mark.parametrize("given", [EMAIL, " Learner@Example.EU ", "learner@example.eu\n"])
def test_recipient_matches_the_hashed_email(signed, given):
    report = verify(signed, fetcher=offline(), now=NOW, expected_recipient=given)
    assert outcomes(report)["recipient"] == "passed"


def test_recipient_mismatch_fails(signed):
    report = verify(signed, fetcher=offline(), now=NOW, expected_recipient="other@example.eu")
    assert outcomes(report)["recipient"] == "failed"
    assert not report.valid


def test_plain_identifier_and_subject_id():
    document = credential(ISSUER)
    document["credentialSubject"]["identifier"][0].update(
        {"hashed": False, "identityHash": EMAIL, "salt": None}
    )
    del document["credentialSubject"]["identifier"][0]["salt"]
    report = verify(
        sign(document, KEY, METHOD), fetcher=offline(), now=NOW, expected_recipient=EMAIL
    )
    assert outcomes(report)["recipient"] == "passed"
    holder = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    document = credential(ISSUER)
    document["credentialSubject"]["id"] = holder
    report = verify(
        sign(document, KEY, METHOD), fetcher=offline(), now=NOW, expected_recipient=holder
    )
    assert outcomes(report)["recipient"] == "passed"


# -- keys ---------------------------------------------------------------------------------------


def test_https_issuer_with_the_key_as_fragment_needs_no_fetch():
    issuer = "https://badges.example.eu/issuers/acme"
    document = sign(credential(issuer), KEY, https_fragment_method(issuer, KEY))
    fetcher = offline()
    report = verify(document, fetcher=fetcher, now=NOW)
    assert report.valid, report.failures
    assert fetcher.requests == []


def test_https_key_document_is_fetched_and_its_controller_checked():
    issuer = "https://badges.example.eu/issuers/acme"
    method = "https://badges.example.eu/keys/1"
    key_document = {
        "@context": ["https://w3id.org/security/multikey/v1"],
        "id": method,
        "type": "Multikey",
        "controller": issuer,
        "publicKeyMultibase": multikey.encode_public_multikey(KEY.public_key()),
    }
    document = sign(credential(issuer), KEY, method)
    fetcher = offline({method: key_document})
    assert verify(document, fetcher=fetcher, now=NOW).valid
    assert fetcher.requests == [method]
    stolen = {**key_document, "controller": "https://evil.example/issuer"}
    report = verify(document, fetcher=offline({method: stolen}), now=NOW)
    assert outcomes(report)["issuer.key"] == "failed"
    assert report.check("issuer.key").code == "key.unresolved"
    assert "evil.example" in report.check("issuer.key").message


def test_https_issuer_document_listing_its_keys():
    issuer = "https://badges.example.eu/issuers/acme"
    method = issuer + "#key-1"
    issuer_document = {
        "id": issuer,
        "verificationMethod": [
            {
                "id": method,
                "type": "JsonWebKey",
                "controller": issuer,
                "publicKeyJwk": public_jwk(KEY.public_key()),
            }
        ],
    }
    document = sign(credential(issuer), KEY, method)
    assert verify(document, fetcher=offline({issuer: issuer_document}), now=NOW).valid


def test_unreachable_key_fails_the_key_check():
    issuer = "https://badges.example.eu/issuers/acme"
    document = sign(credential(issuer), KEY, "https://badges.example.eu/keys/404")
    report = verify(document, fetcher=offline(), now=NOW)
    assert outcomes(report)["issuer.key"] == "failed"
    assert outcomes(report)["proof"] == "failed"


def did_web_setup(**method_extra):
    issuer = "did:web:badges.example.eu:issuers:acme"
    method = issuer + "#key-1"
    did_document = {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": issuer,
        "verificationMethod": [
            {
                "id": method,
                "type": "Multikey",
                "controller": issuer,
                "publicKeyMultibase": multikey.encode_public_multikey(KEY.public_key()),
                **method_extra,
            }
        ],
        "assertionMethod": [method],
    }
    return issuer, method, did_document


def test_did_web_issuer_is_resolved_through_the_fetcher():
    issuer, method, did_document = did_web_setup()
    url = did.did_web_url(issuer)
    assert url == "https://badges.example.eu/issuers/acme/did.json"
    fetcher = offline({url: did_document})
    report = verify(sign(credential(issuer), KEY, method), fetcher=fetcher, now=NOW)
    assert report.valid, report.failures
    assert fetcher.requests == [url]


def test_did_web_key_must_be_an_assertion_method():
    issuer, method, did_document = did_web_setup()
    did_document["assertionMethod"] = []
    url = did.did_web_url(issuer)
    report = verify(
        sign(credential(issuer), KEY, method), fetcher=offline({url: did_document}), now=NOW
    )
    assert outcomes(report)["issuer.key"] == "failed"
    assert "assertionMethod" in report.check("issuer.key").message


def test_did_web_document_for_another_did_is_refused():
    issuer, method, did_document = did_web_setup()
    did_document["id"] = "did:web:evil.example"
    url = did.did_web_url(issuer)
    report = verify(
        sign(credential(issuer), KEY, method), fetcher=offline({url: did_document}), now=NOW
    )
    assert outcomes(report)["issuer.key"] == "failed"


def test_did_web_key_revoked_after_issuance_still_verifies_and_before_does_not():
    issuer, method, did_document = did_web_setup(revoked="2025-06-01T00:00:00Z")
    url = did.did_web_url(issuer)
    before = sign(credential(issuer), KEY, method)
    assert verify(before, fetcher=offline({url: did_document}), now=NOW).valid
    after = sign(
        credential(issuer, valid_from="2025-07-01T00:00:00Z"),
        KEY,
        method,
        created="2025-07-01T00:00:01Z",
    )
    report = verify(after, fetcher=offline({url: did_document}), now=NOW)
    assert outcomes(report)["issuer.key"] == "failed"
    assert report.check("issuer.key").code == "key.unresolved"
    assert "compromise" in report.check("issuer.key").message


def test_unsupported_did_method():
    document = sign(credential("did:example:123"), KEY, "did:example:123#key-1")
    report = verify(document, fetcher=offline(), now=NOW)
    assert outcomes(report)["issuer.key"] == "failed"
    assert "did:key and did:web" in report.check("issuer.key").message


def managed(status_name, **dates):
    return keyring.ManagedKey(
        key_id="key-1", public_key=KEY.public_key(), status=status_name, **dates
    )


def test_key_resolver_with_a_retired_key_keeps_verifying(signed):
    resolver = {METHOD: managed("retired", retired_at="2025-05-01T00:00:00Z")}.get
    assert verify(signed, fetcher=offline(), now=NOW, key_resolver=resolver).valid


def test_key_resolver_with_a_compromised_key(signed):
    compromised_later = {METHOD: managed("revoked", compromised_at="2025-04-01T00:00:00Z")}.get
    assert verify(signed, fetcher=offline(), now=NOW, key_resolver=compromised_later).valid
    compromised_before = {METHOD: managed("revoked", compromised_at="2025-02-01T00:00:00Z")}.get
    report = verify(signed, fetcher=offline(), now=NOW, key_resolver=compromised_before)
    assert outcomes(report)["issuer.key"] == "failed"
    assert "compromise" in report.check("issuer.key").message
    # The compromise date counts against the latest date the credential states.
    compromised_between = {METHOD: managed("revoked", compromised_at=PROOF_CREATED)}.get
    report = verify(signed, fetcher=offline(), now=NOW, key_resolver=compromised_between)
    assert outcomes(report)["issuer.key"] == "failed"


def test_key_resolver_may_return_a_plain_key_or_fall_back(signed):
    assert verify(signed, fetcher=offline(), now=NOW, key_resolver=lambda vm: None).valid
    plain = verify(signed, fetcher=offline(), now=NOW, key_resolver=lambda vm: KEY.public_key())
    assert plain.valid
    wrong = verify(
        signed,
        fetcher=offline(),
        now=NOW,
        key_resolver=lambda vm: ResolvedKey(OTHER_KEY.public_key(), controller=ISSUER),
    )
    assert outcomes(wrong)["proof"] == "failed"


# -- the 1EdTech golden vector --------------------------------------------------------------------


def test_the_1edtech_vector_key_and_method_verify_without_any_fetch():
    # The guide's published signed credential names a pre-release context and its proofValue
    # belongs to an earlier canonical form (see vectors/SOURCES.md); sign the vector's credential
    # with the vector's key, method and date instead, as an issuer following the guide would.
    vector = json.loads((VECTORS / "vector.json").read_text())
    document = copy.deepcopy(vector["credential"])
    document["@context"] = CONTEXTS[:2]
    private_key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(vector["privateKeyHex"])[:32])
    method = vector["proofBeforeSigning"]["verificationMethod"]
    signed = sign(document, private_key, method, created=vector["proofBeforeSigning"]["created"])
    fetcher = offline()
    report = verify(signed, fetcher=fetcher, now=NOW)
    assert report.valid, report.failures
    assert fetcher.requests == []
    tampered = copy.deepcopy(signed)
    tampered["name"] = "Teamwork Badge!"
    assert outcomes(verify(tampered, fetcher=offline(), now=NOW))["proof"] == "failed"


# -- status -------------------------------------------------------------------------------------


def revocation_list(*revoked):
    return status.revocation_list_document(
        id=LIST_URL, issuer=ISSUER, revoked=[(rid, "Issued in error") for rid in revoked]
    )


@pytest.fixture(scope="module")
def with_list():
    entry = {"id": LIST_URL, "type": "1EdTechRevocationList"}
    return sign(credential(ISSUER, status=entry), KEY, METHOD)


def test_onedtech_revocation_list_not_listed(with_list):
    fetcher = offline({LIST_URL: revocation_list("urn:uuid:other")})
    report = verify(with_list, fetcher=fetcher, now=NOW)
    assert report.valid
    assert outcomes(report)["status.revocation"] == "passed"
    assert fetcher.requests == [LIST_URL]


def test_onedtech_revocation_list_revoked(with_list):
    fetcher = offline({LIST_URL: revocation_list(with_list["id"])})
    report = verify(with_list, fetcher=fetcher, now=NOW)
    assert not report.valid
    check = report.check("status.revocation")
    assert check.outcome == "failed" and check.code == "status.revoked"
    assert "Issued in error" in check.message


def test_onedtech_revocation_list_unreachable_is_a_warning(with_list):
    report = verify(with_list, fetcher=offline(), now=NOW)
    assert outcomes(report)["status.revocation"] == "warning"
    assert report.valid


def test_onedtech_revocation_list_malformed_fails(with_list):
    report = verify(with_list, fetcher=offline({LIST_URL: {"nothing": []}}), now=NOW)
    assert outcomes(report)["status.revocation"] == "failed"


def status_list(index=None, purpose="revocation", key=KEY, method=METHOD, **extra):
    bits = status.bitstring_new()
    if index is not None:
        status.bitstring_put(bits, index)
    unsigned = status.bitstring_status_list_credential(
        id=STATUS_LIST_URL,
        issuer=ISSUER,
        valid_from="2025-01-01T00:00:00Z",
        encoded_list=status.bitstring_encode(bits),
        status_purpose=purpose,
        **extra,
    )
    return sign(unsigned, key, method)


def with_bitstring(index=42, purpose="revocation"):
    entry = status.bitstring_entry(list_url=STATUS_LIST_URL, index=index, status_purpose=purpose)
    return sign(credential(ISSUER, status=entry), KEY, METHOD)


@pytest.fixture(scope="module")
def bitstring_credential():
    return with_bitstring()


def test_bitstring_not_revoked(bitstring_credential):
    report = verify(
        bitstring_credential, fetcher=offline({STATUS_LIST_URL: status_list(7)}), now=NOW
    )
    assert report.valid, report.failures
    assert outcomes(report)["status.revocation"] == "passed"


def test_bitstring_revoked(bitstring_credential):
    report = verify(
        bitstring_credential, fetcher=offline({STATUS_LIST_URL: status_list(42)}), now=NOW
    )
    assert outcomes(report)["status.revocation"] == "failed"
    assert report.check("status.revocation").code == "status.revoked"


def test_bitstring_suspended():
    document = with_bitstring(9, "suspension")
    served = status_list(9, purpose="suspension")
    report = verify(document, fetcher=offline({STATUS_LIST_URL: served}), now=NOW)
    assert outcomes(report)["status.suspension"] == "failed"
    assert report.check("status.suspension").code == "status.suspended"


def test_bitstring_list_with_a_bad_proof_fails(bitstring_credential):
    forged = status_list(None, key=OTHER_KEY)
    report = verify(bitstring_credential, fetcher=offline({STATUS_LIST_URL: forged}), now=NOW)
    check = report.check("status.revocation")
    assert check.outcome == "failed" and check.code == "status.list_proof"


def test_bitstring_list_tampered_after_signing_fails(bitstring_credential):
    served = status_list(42)
    served["credentialSubject"]["encodedList"] = status.bitstring_encode(status.bitstring_new())
    report = verify(bitstring_credential, fetcher=offline({STATUS_LIST_URL: served}), now=NOW)
    assert report.check("status.revocation").code == "status.list_proof"


def test_expired_bitstring_list_fails(bitstring_credential):
    served = status_list(None, valid_until="2025-06-01T00:00:00Z")
    report = verify(bitstring_credential, fetcher=offline({STATUS_LIST_URL: served}), now=NOW)
    assert report.check("status.revocation").code == "status.list_validity"


def test_bitstring_purpose_mismatch_fails(bitstring_credential):
    served = status_list(None, purpose="suspension")
    report = verify(bitstring_credential, fetcher=offline({STATUS_LIST_URL: served}), now=NOW)
    assert report.check("status.revocation").code == "status.purpose_mismatch"


def test_bitstring_list_unreachable_is_a_warning(bitstring_credential):
    served = FetchResponse(url=STATUS_LIST_URL, status=503)
    report = verify(bitstring_credential, fetcher=offline({STATUS_LIST_URL: served}), now=NOW)
    assert outcomes(report)["status.revocation"] == "warning"


def test_unknown_status_type_is_a_warning():
    entry = {"id": "https://x.example/status", "type": "StatusList2021Entry"}
    document = sign(credential(ISSUER, status=entry), KEY, METHOD, safe_mode=False)
    report = verify(document, fetcher=offline(), now=NOW)
    assert outcomes(report)["status.revocation"] == "warning"
    # Its type is not defined by the contexts either, which safe mode reports.
    assert "StatusList2021Entry" in report.check("jsonld.safe_mode").message


def test_several_status_entries_are_all_checked():
    entries = [
        {"id": LIST_URL, "type": "1EdTechRevocationList"},
        status.bitstring_entry(list_url=STATUS_LIST_URL, index=42),
    ]
    document = sign(credential(ISSUER, status=entries), KEY, METHOD)
    fetcher = offline({LIST_URL: revocation_list(), STATUS_LIST_URL: status_list(42)})
    report = verify(document, fetcher=fetcher, now=NOW)
    revocation = [c.outcome for c in report.checks if c.id == "status.revocation"]
    assert revocation == ["passed", "failed"]
    assert not report.valid


# -- other inputs --------------------------------------------------------------------------------


def test_a_url_is_fetched_and_verified(signed):
    url = "https://badges.example.eu/credentials/1"
    fetcher = offline({url: signed})
    report = verify(url, fetcher=fetcher, now=NOW)
    assert report.valid, report.failures
    assert [c.id for c in report.checks[:2]] == ["input.fetch", "input.parse"]


def test_a_baked_png_is_unbaked_and_verified(signed):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(buffer, format="PNG")
    baked = baking.bake_png(buffer.getvalue(), json.dumps(signed), ob3=True)
    report = verify(baked, fetcher=offline(), now=NOW)
    assert report.valid, report.failures
    assert report.checks[0].id == "input.unbake"


def test_a_baked_svg_is_unbaked_and_verified(signed):
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b'<rect width="10" height="10"/></svg>'
    )
    baked = baking.bake_svg(svg, json.dumps(signed), ob3=True)
    report = verify(baked, fetcher=offline(), now=NOW)
    assert report.valid, report.failures


# -- VC 1.1 ---------------------------------------------------------------------------------------

VC_V1_CONTEXTS = [
    "https://www.w3.org/2018/credentials/v1",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
]


def vc_v1_credential(**kwargs):
    document = credential(ISSUER, **kwargs)
    document["@context"] = list(VC_V1_CONTEXTS)
    document["issuanceDate"] = document.pop("validFrom")
    if "validUntil" in document:
        document["expirationDate"] = document.pop("validUntil")
    return document


def test_vc_1_1_credential_with_eddsa_rdfc_2022():
    signed = sign(vc_v1_credential(valid_until="2025-12-31T00:00:00Z"), KEY, METHOD)
    assert signed["@context"][-1] == "https://w3id.org/security/data-integrity/v2"
    report = verify(signed, fetcher=offline(), now=datetime(2025, 6, 1, tzinfo=UTC))
    assert report.valid, report.failures
    assert "VC 2.0 form" in report.check("schema").message
    expired = verify(signed, fetcher=offline(), now=NOW)
    assert outcomes(expired)["validity.expiry"] == "failed"
    assert report.summary["issued_on"] == "2025-03-01T09:00:00Z"


def test_vc_1_1_credential_with_ed25519_signature_2020():
    body = vc_v1_credential()
    body["@context"].append("https://w3id.org/security/suites/ed25519-2020/v1")
    proof = {
        "type": "Ed25519Signature2020",
        "created": PROOF_CREATED,
        "verificationMethod": METHOD,
        "proofPurpose": "assertionMethod",
    }
    data = dataintegrity.hash_data(
        jsonld.canonicalize(dataintegrity.proof_options(proof, body["@context"])),
        jsonld.canonicalize(body),
    )
    proof["proofValue"] = dataintegrity.encode_proof_value(KEY.sign(data))
    signed = {**body, "proof": proof}
    report = verify(signed, fetcher=offline(), now=NOW)
    assert report.valid, report.failures
    assert "Ed25519Signature2020" in report.check("proof").message
    # Signers of that era wrote one proof as an object: JSON-LD allows it, the schema wants an
    # array, so (as in the 1EdTech validator) it is a warning.
    assert report.check("schema").outcome == "warning"
    assert report.check("schema").code == "schema.compacted"
    tampered = copy.deepcopy(signed)
    tampered["issuanceDate"] = "2024-03-01T09:00:00Z"
    assert outcomes(verify(tampered, fetcher=offline(), now=NOW))["proof"] == "failed"


# -- endorsements ---------------------------------------------------------------------------------


def endorsement(endorser_key, **kwargs):
    endorser, endorser_method = did_key_of(endorser_key)
    unsigned = documents.endorsement_credential(
        id="urn:uuid:6e1c2f7a-0b55-4c49-9d2e-3f0f8c1d4b77",
        issuer={"id": endorser, "type": ["Profile"], "name": "Skills Council"},
        subject_id=ACHIEVEMENT_ID,
        name="Endorsement of Data Literacy Basics",
        valid_from="2025-02-01T00:00:00Z",
        endorsement_comment="A rigorous assessment.",
        **kwargs,
    )
    return sign(unsigned, endorser_key, endorser_method)


def test_embedded_endorsements_are_verified():
    document = credential(ISSUER)
    document["credentialSubject"]["achievement"]["endorsement"] = [endorsement(OTHER_KEY)]
    report = verify(sign(document, KEY, METHOD), fetcher=offline(), now=NOW)
    assert report.valid, report.failures
    check = report.check("endorsement")
    assert check.outcome == "passed"
    assert "Skills Council" in check.message


def test_a_broken_endorsement_is_a_warning_not_a_failure():
    forged = endorsement(OTHER_KEY)
    forged["credentialSubject"]["endorsementComment"] = "The best badge ever."
    expired = endorsement(OTHER_KEY, valid_until="2025-06-01T00:00:00Z")
    document = credential(ISSUER)
    document["endorsement"] = [forged, expired]
    report = verify(sign(document, KEY, METHOD), fetcher=offline(), now=NOW)
    assert report.valid
    warnings = [c for c in report.checks if c.id == "endorsement"]
    assert [c.outcome for c in warnings] == ["warning", "warning"]
    assert "signature" in warnings[0].message or "altered" in warnings[0].message
    assert "expired" in warnings[1].message


def test_a_credential_cannot_make_the_verifier_fetch_without_limit():
    entries = [
        {"id": f"https://target{i}.example/list", "type": "1EdTechRevocationList"}
        for i in range(40)
    ]
    document = sign(credential(ISSUER, status=entries), KEY, METHOD)
    fetcher = offline({entry["id"]: revocation_list() for entry in entries})
    report = verify(document, fetcher=fetcher, now=NOW)
    assert len(fetcher.requests) == 25
    budget = [c for c in report.checks if c.code == "fetch.budget"]
    assert len(budget) == 15
    assert all(c.outcome == "warning" for c in budget)


# -- refresh --------------------------------------------------------------------------------------

REFRESH_URL = "https://badges.example.eu/refresh/5b8c0c1e"


def refreshable(**kwargs):
    document = credential(ISSUER, **kwargs)
    document["refreshService"] = {"id": REFRESH_URL, "type": "1EdTechCredentialRefresh"}
    return sign(document, KEY, METHOD)


@pytest.fixture(scope="module")
def expired_but_refreshable():
    return refreshable(valid_until="2025-12-31T00:00:00Z")


def test_a_refreshed_credential_replaces_an_expired_one(expired_but_refreshable):
    renewed = refreshable(valid_from="2026-01-01T00:00:00Z", valid_until="2028-12-31T00:00:00Z")
    fetcher = offline({REFRESH_URL: renewed})
    report = verify(expired_but_refreshable, fetcher=fetcher, now=NOW)
    assert report.valid, report.failures
    assert outcomes(report)["refresh"] == "passed"
    assert outcomes(report)["validity.expiry"] == "passed"
    assert report.credential["validUntil"] == "2028-12-31T00:00:00Z"
    assert report.related["presented"] == expired_but_refreshable
    assert fetcher.requests == [REFRESH_URL]


@pytest.mark.parametrize(
    "served",
    [
        None,
        "tampered",
        "other id",
        "older",
    ],
)
def test_an_unusable_refresh_keeps_the_presented_credential(expired_but_refreshable, served):
    mapping = {}
    if served == "tampered":
        renewed = refreshable(valid_from="2026-01-01T00:00:00Z")
        renewed["validFrom"] = "2026-01-02T00:00:00Z"
        mapping[REFRESH_URL] = renewed
    elif served == "other id":
        mapping[REFRESH_URL] = sign(
            credential(ISSUER, credential_id="urn:uuid:00000000-0000-4000-8000-000000000000"),
            KEY,
            METHOD,
        )
    elif served == "older":
        mapping[REFRESH_URL] = refreshable(valid_from="2024-01-01T00:00:00Z")
    report = verify(expired_but_refreshable, fetcher=offline(mapping), now=NOW)
    assert outcomes(report)["refresh"] == "warning"
    assert report.check("refresh").code == "refresh.failed"
    assert outcomes(report)["validity.expiry"] == "failed"
    assert report.credential == expired_but_refreshable


def test_no_refresh_without_a_passing_proof(expired_but_refreshable):
    tampered = copy.deepcopy(expired_but_refreshable)
    tampered["name"] = "Changed"
    fetcher = offline({REFRESH_URL: refreshable(valid_from="2026-01-01T00:00:00Z")})
    report = verify(tampered, fetcher=fetcher, now=NOW)
    assert report.check("refresh") is None
    assert fetcher.requests == []
