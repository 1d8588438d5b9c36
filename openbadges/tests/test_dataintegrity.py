"""Golden tests: the 1EdTech OB 3.0 eddsa-rdfc-2022 vector and a DB Ed25519Signature2020 vector."""

import copy
import hashlib
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from openbadges import dataintegrity, jsonld
from openbadges.errors import InvalidKey, UndefinedTerm
from openbadges.multikey import decode_public_multikey, encode_public_multikey

VECTORS = Path(__file__).parent / "vectors"
OB = VECTORS / "obv3p0"
PRE_RELEASE_OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context/ob_v3p0.jsonld"


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def vector():
    return json.loads(_read(OB / "vector.json"))


def _bundled_contexts(document: dict, ob_context: str = jsonld.OB_V3_CONTEXT) -> dict:
    document = copy.deepcopy(document)
    document["@context"] = [
        ob_context if url == PRE_RELEASE_OB_CONTEXT else url for url in document["@context"]
    ]
    return document


@pytest.fixture(scope="module")
def private_key(vector):
    return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(vector["privateKeyHex"])[:32])


@pytest.fixture(scope="module")
def credential(vector):
    return _bundled_contexts(vector["credential"])


def _resolver(public_key, method):
    def resolve(verification_method):
        if verification_method != method:
            raise InvalidKey(f"Unknown verification method {verification_method}")
        return public_key

    return resolve


def test_vector_key_material(vector, private_key):
    raw = private_key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    assert raw.hex() == vector["publicKeyHex"]
    assert encode_public_multikey(private_key.public_key()) == vector["publicKeyMultibase"]


def test_vector_document_canonical_form(credential):
    assert jsonld.canonicalize(credential) == _read(OB / "document-canon.txt")


def test_vector_proof_canonical_form(vector, credential):
    options = dataintegrity.proof_options(vector["proofBeforeSigning"], credential["@context"])
    assert jsonld.canonicalize(options) == _read(OB / "proof-canon.txt")


def test_vector_published_hashes_signature_and_proof_value(vector, private_key):
    """The published figures, reproduced from the canonical files they were computed from."""
    document_canon = _read(OB / "document-canon-earlier.txt")
    proof_canon = _read(OB / "proof-canon-earlier.txt")
    assert dataintegrity.sha256_hex(document_canon) == vector["documentHashHex"]
    assert dataintegrity.sha256_hex(proof_canon) == vector["proofHashHex"]
    data = dataintegrity.hash_data(proof_canon, document_canon)
    assert data.hex() == vector["dataToSignHex"]
    signature = private_key.sign(data)
    assert signature.hex() == vector["signatureHex"]
    assert dataintegrity.encode_proof_value(signature) == vector["proofValue"]
    assert dataintegrity.decode_proof_value(vector["proofValue"]) == signature
    private_key.public_key().verify(signature, data)


def test_earlier_vector_reproduced_end_to_end_from_the_json_credential(vector, private_key):
    """The published hashes, signature and proofValue, from the JSON credential they belong to.

    That credential (VC 1.1, `issuanceDate`) used the OB 3.0.0 context, then served at
    `ob_v3p0.jsonld`, and the Data Integrity v1 context.
    """
    signed = _bundled_contexts(vector["earlierSignedCredential"], jsonld.OB_V3_CONTEXT_3_0_0)
    body = dataintegrity.unsecured(signed)
    document_canon = jsonld.canonicalize(body)
    assert document_canon == _read(OB / "document-canon-earlier.txt")
    options = dataintegrity.proof_options(vector["proofBeforeSigning"], body["@context"])
    assert jsonld.canonicalize(options) == _read(OB / "proof-canon-earlier.txt")
    assert dataintegrity.sha256_hex(document_canon) == vector["documentHashHex"]

    proof_before = vector["proofBeforeSigning"]
    ours = dataintegrity.sign_eddsa_rdfc_2022(
        body,
        private_key=private_key,
        verification_method=proof_before["verificationMethod"],
        created=proof_before["created"],
    )
    assert ours["@context"] == body["@context"]
    assert ours["proof"] == [signed["proof"]]
    assert ours["proof"][0]["proofValue"] == vector["proofValue"]

    resolve = _resolver(private_key.public_key(), proof_before["verificationMethod"])
    [result] = dataintegrity.verify_data_integrity(signed, resolve_public_key=resolve)
    assert result.ok, result.reason
    tampered = copy.deepcopy(signed)
    tampered["name"] = "Leadership Badge"
    [result] = dataintegrity.verify_data_integrity(tampered, resolve_public_key=resolve)
    assert not result.ok and result.code == "proof.bad_signature"


def test_sign_the_vector_credential(vector, credential, private_key):
    proof_before = vector["proofBeforeSigning"]
    signed = dataintegrity.sign_eddsa_rdfc_2022(
        credential,
        private_key=private_key,
        verification_method=proof_before["verificationMethod"],
        created=proof_before["created"],
    )
    assert signed["@context"] == credential["@context"]
    assert isinstance(signed["proof"], list) and len(signed["proof"]) == 1
    proof = signed["proof"][0]
    assert {k: v for k, v in proof.items() if k != "proofValue"} == proof_before
    data = dataintegrity.hash_data(_read(OB / "proof-canon.txt"), _read(OB / "document-canon.txt"))
    assert (
        hashlib.sha256(_read(OB / "document-canon.txt").encode()).hexdigest().startswith("87f65a76")
    )
    assert proof["proofValue"] == dataintegrity.encode_proof_value(private_key.sign(data))
    assert "proof" not in credential

    resolve = _resolver(private_key.public_key(), proof_before["verificationMethod"])
    [result] = dataintegrity.verify_data_integrity(signed, resolve_public_key=resolve)
    assert result.ok, result.reason
    assert result.cryptosuite == "eddsa-rdfc-2022"
    assert result.verification_method == proof_before["verificationMethod"]


def test_published_signed_credential_is_over_the_earlier_canonical_form(vector, private_key):
    signed = _bundled_contexts(vector["signedCredential"])
    # The guide's signed copy lists data-integrity/v1 after VC 2.0, which redefines protected
    # terms; the proof's own terms come from VC 2.0, so verify without it.
    signed["@context"] = signed["@context"][:2]
    resolve = _resolver(private_key.public_key(), signed["proof"]["verificationMethod"])
    [result] = dataintegrity.verify_data_integrity(signed, resolve_public_key=resolve)
    assert not result.ok
    assert result.code == "proof.bad_signature"


def test_tampering_breaks_the_signature(vector, credential, private_key):
    method = vector["proofBeforeSigning"]["verificationMethod"]
    signed = dataintegrity.sign_eddsa_rdfc_2022(
        credential, private_key=private_key, verification_method=method
    )
    resolve = _resolver(private_key.public_key(), method)
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["achievement"]["name"] = "Leadership"
    [result] = dataintegrity.verify_data_integrity(tampered, resolve_public_key=resolve)
    assert not result.ok and result.code == "proof.bad_signature"

    tampered = copy.deepcopy(signed)
    tampered["proof"][0]["created"] = "2031-01-01T00:00:00Z"
    [result] = dataintegrity.verify_data_integrity(tampered, resolve_public_key=resolve)
    assert not result.ok and result.code == "proof.bad_signature"

    other = Ed25519PrivateKey.generate().public_key()
    [result] = dataintegrity.verify_data_integrity(
        signed, resolve_public_key=_resolver(other, method)
    )
    assert not result.ok and result.code == "proof.bad_signature"


def test_unresolvable_key_wrong_purpose_and_malformed_proofs(credential, private_key):
    method = "https://example.edu/issuers/565049#key-1"
    signed = dataintegrity.sign_eddsa_rdfc_2022(
        credential, private_key=private_key, verification_method=method
    )
    [result] = dataintegrity.verify_data_integrity(
        signed, resolve_public_key=_resolver(private_key.public_key(), "elsewhere")
    )
    assert not result.ok and result.code == "key.invalid"

    [result] = dataintegrity.verify_data_integrity(
        signed,
        resolve_public_key=_resolver(private_key.public_key(), method),
        expected_purpose="authentication",
    )
    assert not result.ok and result.code == "proof.purpose"

    resolve = _resolver(private_key.public_key(), method)
    for bad_value in (
        "uAAAA",
        "z0OIl",
        "z" + "1" * 200,
        "z3yMApqCuCjXDWPrbjfR5mjCPTHqFG8Pux1TxQrEM",
    ):
        broken = copy.deepcopy(signed)
        broken["proof"][0]["proofValue"] = bad_value
        [result] = dataintegrity.verify_data_integrity(broken, resolve_public_key=resolve)
        assert not result.ok and result.code == "proof.malformed", bad_value

    broken = copy.deepcopy(signed)
    broken["proof"][0]["cryptosuite"] = "ecdsa-rdfc-2019"
    [result] = dataintegrity.verify_data_integrity(broken, resolve_public_key=resolve)
    assert not result.ok and result.code == "proof.unsupported_suite"

    broken = copy.deepcopy(signed)
    broken["proof"][0]["note"] = "not covered by the signature"
    [result] = dataintegrity.verify_data_integrity(broken, resolve_public_key=resolve)
    assert not result.ok and result.code == "jsonld.undefined_term"

    assert dataintegrity.verify_data_integrity(credential, resolve_public_key=resolve) == []


def test_signing_refuses_undefined_terms(credential, private_key):
    document = copy.deepcopy(credential)
    document["credentialSubject"]["foo"] = 1
    with pytest.raises(UndefinedTerm, match=r"credentialSubject\.foo"):
        dataintegrity.sign_eddsa_rdfc_2022(
            document, private_key=private_key, verification_method="https://example.edu/k#1"
        )


def test_signing_adds_a_proof_to_an_existing_proof_set(credential, private_key):
    first = dataintegrity.sign_eddsa_rdfc_2022(
        credential, private_key=private_key, verification_method="https://example.edu/k#1"
    )
    second_key = Ed25519PrivateKey.generate()
    both = dataintegrity.sign_eddsa_rdfc_2022(
        first, private_key=second_key, verification_method="https://example.edu/k#2"
    )
    keys = {
        "https://example.edu/k#1": private_key.public_key(),
        "https://example.edu/k#2": second_key.public_key(),
    }
    results = dataintegrity.verify_data_integrity(both, resolve_public_key=keys.__getitem__)
    assert [r.ok for r in results] == [True, True]


def test_vc_1_1_documents_get_the_data_integrity_context(credential, private_key):
    document = copy.deepcopy(credential)
    document["@context"] = [jsonld.VC_V1, jsonld.OB_V3_CONTEXT]
    document["issuanceDate"] = document.pop("validFrom")
    signed = dataintegrity.sign_eddsa_rdfc_2022(
        document, private_key=private_key, verification_method="https://example.edu/k#1"
    )
    assert signed["@context"][-1] == jsonld.DATA_INTEGRITY_V2
    results = dataintegrity.verify_data_integrity(
        signed, resolve_public_key=lambda _method: private_key.public_key()
    )
    assert results[0].ok, results[0].reason


def test_format_datetime_requires_aware_values():
    from datetime import UTC, datetime, timedelta, timezone

    moment = datetime(2025, 3, 1, 10, 0, 0, 123, tzinfo=timezone(timedelta(hours=1)))
    assert dataintegrity.format_datetime(moment) == "2025-03-01T09:00:00Z"
    assert dataintegrity.format_datetime(datetime(2025, 1, 1, tzinfo=UTC)) == (
        "2025-01-01T00:00:00Z"
    )
    with pytest.raises(ValueError, match="timezone-aware"):
        dataintegrity.format_datetime(datetime(2025, 1, 1))


@pytest.fixture
def examples_context(monkeypatch):
    """Serve the W3C examples context for one test, then forget it."""
    vector = json.loads(_read(VECTORS / "ed25519-2020" / "vector.json"))
    extra = vector["examplesContext"]
    original = jsonld.bundled_context

    def bundled_context(url):
        if url == extra["url"]:
            return copy.deepcopy(extra["document"])
        return original(url)

    monkeypatch.setattr(jsonld, "bundled_context", bundled_context)
    jsonld._resolved_contexts.clear()
    yield vector
    jsonld._resolved_contexts.clear()


def test_ed25519_signature_2020_vector_verifies(examples_context):
    vector = examples_context
    signed = vector["signedCredential"]
    public_key = decode_public_multikey(vector["publicKeyMultibase"])
    resolve = _resolver(public_key, signed["proof"]["verificationMethod"])
    [result] = dataintegrity.verify_data_integrity(signed, resolve_public_key=resolve)
    assert result.ok, result.reason
    assert result.cryptosuite == "Ed25519Signature2020"

    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["alumniOf"] = "Another School"
    [result] = dataintegrity.verify_data_integrity(tampered, resolve_public_key=resolve)
    assert not result.ok and result.code == "proof.bad_signature"


def test_examples_context_is_not_bundled():
    with pytest.raises(Exception, match="not bundled"):
        jsonld.document_loader("https://www.w3.org/ns/credentials/examples/v2")
