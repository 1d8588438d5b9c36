"""Data Integrity interop with Digital Bazaar's JavaScript libraries (eddsa-rdfc-2022,
Ed25519Signature2020, Bitstring Status List) and jsonld.js / rdf-canonize.

Node runs twice for the whole module (see test_interop_node.py): fixtures describe jobs, the
`phase_one` run does everything that needs no JavaScript output (JavaScript signing, verifying
what Python signed, canonicalisation), `phase_two` verifies what JavaScript signed, and the
tests read the results.
"""

import copy
import hashlib
import json
import random
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from openbadges import did, documents, jsonld, keyring, recipient, status
from openbadges.dataintegrity import sign_eddsa_rdfc_2022, verify_data_integrity
from openbadges.errors import UndefinedTerm
from openbadges.multikey import decode_public_multikey, encode_public_multikey
from openbadges.tests.test_interop_node import error_text, requires_node, run_batch

pytestmark = requires_node

VECTOR_DIR = Path(__file__).resolve().parent / "vectors" / "obv3p0"

# The test vector of the OB 3.0 Implementation Guide (Final, document version 2.0 of 7 April 2025,
# "Linked Data Proof Test Vector for Open Badges 3.0"): key, proof options, signed credential.
# This revision's hashes and proofValue belong to the current canonical files in
# vectors/obv3p0/; vectors/obv3p0/vector.json keeps an earlier revision, whose proofValue
# was computed from the earlier canonical form.
VECTOR_SEED = "6241a409e6707bb640a0140a8a32bc3d193c33a661747284d6adfa4ed4180be4"
VECTOR_VM = "https://example.edu/issuers/565049#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
VECTOR_CREATED = "2010-01-01T19:23:24Z"
VECTOR_PROOF_VALUE = (
    "z5x9aCBYovW3CQCbKdNyhEm7ffYSw1YpEdPywQJoNbzDD2gkzQDKJ1sYKJaWvqZtkMtSbz35HcbgXVEDYHxCzgkCr"
)
VECTOR_CREDENTIAL = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ],
    "id": "http://example.com/credentials/3527",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "issuer": {
        "id": "https://example.edu/issuers/565049",
        "type": ["Profile"],
        "url": "https://www.imsglobal.org",
        "name": "Example Corp",
    },
    "validFrom": "2010-01-01T00:00:00Z",
    "name": "Teamwork Badge",
    "credentialSubject": {
        "id": "did:example:ebfeb1f712ebc6f1c276e12ec21",
        "type": ["AchievementSubject"],
        "achievement": {
            "id": "https://example.com/achievements/21st-century-skills/teamwork",
            "type": ["Achievement"],
            "criteria": {
                "narrative": "Team members are nominated for this badge by their peers and "
                "recognized upon review by Example Corp management."
            },
            "description": "This badge recognizes the development of the capacity to "
            "collaborate within a group environment.",
            "name": "Teamwork",
        },
    },
}
VECTOR_SIGNED = {
    **VECTOR_CREDENTIAL,
    "proof": {
        "type": "DataIntegrityProof",
        "created": VECTOR_CREATED,
        "verificationMethod": VECTOR_VM,
        "cryptosuite": "eddsa-rdfc-2022",
        "proofPurpose": "assertionMethod",
        "proofValue": VECTOR_PROOF_VALUE,
    },
}

OB3_CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
]
ISSUER = "https://badges.example.eu/issuers/acme-academy"

NAMES = [
    "Kadri Tamm",
    "Zoë Ødegård-Łukasiewicz",
    "Αλέξανδρος Παπαδόπουλος",
    "Дмитрий Иванов",
    "李小龍",
    "Nguyễn Thị Minh Khai",
    'Robert "Bobby" Tables\\; DROP',
    "tab\tand\nnewline",
    "emoji 🎓✅",
    "\u200bzero-width\u00a0nbsp",
]


def ob3_credential(rng: random.Random, index: int) -> dict:
    """An OB 3.0 credential with the awkward parts a canonicaliser must get right: unicode and
    escapes in literals, several blank nodes of one shape, typed dates, numbers."""
    name = rng.choice(NAMES)
    evidence = [
        {"type": ["Evidence"], "name": rng.choice(NAMES), "narrative": "Same shape."}
        for _ in range(rng.randint(0, 3))
    ]
    credential = {
        "@context": OB3_CONTEXT,
        "id": f"urn:uuid:00000000-0000-4000-8000-{index:012d}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"Data Literacy — {name}",
        "issuer": {"id": ISSUER, "type": ["Profile"], "name": "ACME Academy"},
        "validFrom": "2025-03-01T09:00:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "emailAddress",
                    "hashed": True,
                    "salt": f"salt{index}",
                    "identityHash": f"sha256${index:064x}",
                }
            ],
            "achievement": {
                "id": "https://badges.example.eu/achievements/data-literacy",
                "type": ["Achievement"],
                "achievementType": "Badge",
                "name": "Data Literacy",
                "description": f"For {name}.",
                "criteria": {"narrative": "Pass the assessment."},
                "creditsAvailable": rng.choice([1, 2.5, 0.1]),
            },
            "result": [
                {"type": ["Result"], "value": str(rng.randint(0, 100))},
                {"type": ["Result"], "value": str(rng.randint(0, 100))},
            ],
        },
    }
    if evidence:
        credential["evidence"] = evidence
    return credential


@pytest.fixture(scope="module")
def canon_documents() -> list[dict]:
    rng = random.Random(20261127)
    documents = [ob3_credential(rng, index) for index in range(40)]
    documents.append(copy.deepcopy(VECTOR_CREDENTIAL))
    documents.append(copy.deepcopy(VECTOR_SIGNED["proof"]) | {"@context": OB3_CONTEXT[:1]})
    vc11 = copy.deepcopy(VECTOR_CREDENTIAL)
    vc11["@context"] = [
        "https://www.w3.org/2018/credentials/v1",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    vc11["issuanceDate"] = vc11.pop("validFrom")
    documents.append(vc11)
    return documents


@pytest.fixture(scope="module")
def vector_jobs(canon_documents) -> list[dict]:
    return [
        {"op": "verify-di", "credential": VECTOR_SIGNED},
        {
            "op": "sign-di",
            "credential": VECTOR_CREDENTIAL,
            "seed": VECTOR_SEED,
            "verificationMethod": VECTOR_VM,
            "created": VECTOR_CREATED,
        },
        *({"op": "canonize", "document": document} for document in canon_documents),
    ]


@pytest.fixture(scope="module")
def vector_results(phase_one):
    verified, signed, *canonical = phase_one["vector"]
    return {"verified": verified, "signed": signed, "canonical": canonical}


def test_js_verifies_the_1edtech_test_vector(vector_results):
    result = vector_results["verified"]
    assert result["verified"] is True, error_text(result)
    (proof,) = result["proofs"]
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["verificationMethod"] == VECTOR_VM


def test_js_reproduces_the_1edtech_test_vector(vector_results):
    signed = vector_results["signed"]
    assert signed["ok"] is True, error_text(signed)
    assert signed["credential"] == VECTOR_SIGNED


def test_js_and_python_canonicalise_the_vector_like_the_spec(vector_results, canon_documents):
    expected = (VECTOR_DIR / "document-canon.txt").read_text(encoding="utf-8")
    vector_index = canon_documents.index(VECTOR_CREDENTIAL)
    assert vector_results["canonical"][vector_index]["nquads"] == expected
    assert jsonld.canonicalize(copy.deepcopy(VECTOR_CREDENTIAL)) == expected


def test_canonical_forms_are_byte_identical_to_jsonld_js(vector_results, canon_documents):
    assert len(vector_results["canonical"]) == len(canon_documents)
    for document, result in zip(canon_documents, vector_results["canonical"], strict=True):
        assert result["ok"] is True, error_text(result)
        assert jsonld.canonicalize(copy.deepcopy(document)) == result["nquads"], json.dumps(
            document, ensure_ascii=False
        )


def undefined_term_documents() -> tuple[dict, dict]:
    vc11 = copy.deepcopy(VECTOR_CREDENTIAL)
    vc11["@context"] = [
        "https://www.w3.org/2018/credentials/v1",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    vc11["issuanceDate"] = vc11.pop("validFrom")
    vc11["credentialSubject"]["favouriteColour"] = "teal"
    vc2 = copy.deepcopy(VECTOR_CREDENTIAL)
    vc2["credentialSubject"]["achievement"]["favouriteColour"] = "teal"
    return vc11, vc2


def test_undefined_terms_are_refused_by_both_safe_modes(phase_one):
    # A term the contexts do not define is dropped by JSON-LD expansion, so a signature would not
    # cover it. jsonld.js in safe mode refuses such a document; so must our check, under VC 1.1
    # and VC 2.0 alike, naming the property.
    results = phase_one["undefined_terms"]
    for document, result in zip(undefined_term_documents(), results, strict=True):
        assert result["ok"] is False
        (error,) = result["errors"]
        assert error["name"] == "jsonld.ValidationError"
        assert error["event"]["code"] == "invalid property"
        assert error["event"]["details"]["property"] == "favouriteColour"
        with pytest.raises(UndefinedTerm, match="favouriteColour"):
            jsonld.check_safe_mode(document)


# --- credentials signed on one side, verified on the other ----------------------------------

LIST_URL = f"{ISSUER}/revocations"
PY_STATUS_LIST = f"{ISSUER}/status/python"
JS_STATUS_LIST = f"{ISSUER}/status/javascript"
CREATED = "2025-03-01T09:00:05Z"
REVOKED_INDEX = 42
GOOD_INDEX = 7


def seed(label: str) -> str:
    """A fixed, distinct Ed25519 seed per role, so failures reproduce."""
    return hashlib.sha256(f"badge-europe interop {label}".encode()).hexdigest()


def private_key(label: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(seed(label)))


def vm_for(label: str, controller: str = ISSUER) -> str:
    return f"{controller}#{encode_public_multikey(private_key(label).public_key())}"


def resolve_fragment_key(verification_method: str):
    # HTTPS key ids in these tests carry the Multikey in the fragment (the test vector's form).
    return decode_public_multikey(verification_method.partition("#")[2])


def credential(index: int, **changes) -> dict:
    document = ob3_credential(random.Random(index), index)
    document["credentialStatus"] = {"id": LIST_URL, "type": "1EdTechRevocationList"}
    document.update(changes)
    return document


def bitstring_status(list_url: str, index: int) -> dict:
    return status.bitstring_entry(list_url=list_url, index=index)


def python_sign(document: dict, label: str = "python", vm_label: str | None = None) -> dict:
    return sign_eddsa_rdfc_2022(
        document,
        private_key=private_key(label),
        verification_method=vm_for(vm_label or label),
        created=CREATED,
    )


def tamper(document: dict) -> dict:
    changed = copy.deepcopy(document)
    changed["name"] = changed["name"] + " (forged)"
    return changed


EXPIRED = {"validFrom": "2019-01-01T00:00:00Z", "validUntil": "2020-01-01T00:00:00Z"}
NOT_YET_VALID = {"validFrom": "2999-01-01T00:00:00Z"}


@pytest.fixture(scope="module")
def python_signed() -> dict[str, dict]:
    signed = {
        "valid": python_sign(credential(1)),
        "wrong_key": python_sign(credential(2), label="intruder", vm_label="python"),
        "expired": python_sign(credential(3, **EXPIRED)),
        "not_yet_valid": python_sign(credential(8, **NOT_YET_VALID)),
        "revoked": python_sign(credential(4)),
        "bitstring_good": python_sign(
            credential(5, credentialStatus=bitstring_status(PY_STATUS_LIST, GOOD_INDEX))
        ),
        "bitstring_revoked": python_sign(
            credential(6, credentialStatus=bitstring_status(PY_STATUS_LIST, REVOKED_INDEX))
        ),
        "unicode": python_sign(credential(7, name="Zoë Ødegård — 李小龍 🎓")),
    }
    signed["tampered"] = tamper(signed["valid"])
    return signed


@pytest.fixture(scope="module")
def python_status_list() -> dict:
    bits = status.bitstring_new()
    status.bitstring_put(bits, REVOKED_INDEX)
    return python_sign(
        status.bitstring_status_list_credential(
            id=PY_STATUS_LIST,
            issuer=ISSUER,
            valid_from="2025-01-01T00:00:00Z",
            encoded_list=status.bitstring_encode(bits),
        )
    )


def js_sign_job(document: dict, label: str = "javascript", vm_label: str | None = None) -> dict:
    return {
        "op": "sign-di",
        "credential": document,
        "seed": seed(label),
        "verificationMethod": vm_for(vm_label or label),
        "created": CREATED,
    }


def vc11(document: dict) -> dict:
    legacy = copy.deepcopy(document)
    legacy["@context"] = [
        "https://www.w3.org/2018/credentials/v1",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
        "https://w3id.org/security/suites/ed25519-2020/v1",
    ]
    legacy["issuanceDate"] = legacy.pop("validFrom")
    return legacy


def js_sign_jobs() -> dict[str, dict]:
    return {
        "valid": js_sign_job(credential(11)),
        "wrong_key": js_sign_job(credential(12), label="intruder", vm_label="javascript"),
        "expired": js_sign_job(credential(13, **EXPIRED)),
        "not_yet_valid": js_sign_job(credential(19, **NOT_YET_VALID)),
        "revoked": js_sign_job(credential(14)),
        "bitstring_revoked": js_sign_job(
            credential(16, credentialStatus=bitstring_status(JS_STATUS_LIST, REVOKED_INDEX))
        ),
        "ed25519_2020": {**js_sign_job(vc11(credential(17))), "op": "sign-2020"},
        "status_list": {
            "op": "sign-status-list",
            "id": JS_STATUS_LIST,
            "issuer": ISSUER,
            "validFrom": "2025-01-01T00:00:00Z",
            "set": [REVOKED_INDEX],
            "seed": seed("javascript"),
            "verificationMethod": vm_for("javascript"),
            "created": CREATED,
        },
        # The same credential, key and time as Python signs in
        # test_python_and_js_signatures_are_identical.
        "same_input": js_sign_job(credential(18), label="python"),
    }


@pytest.fixture(scope="module")
def js_signed(phase_one) -> dict[str, dict]:
    signed = {}
    for name, result in zip(js_sign_jobs(), phase_one["js_sign"], strict=True):
        assert result["ok"] is True, f"{name}: {error_text(result)}"
        signed[name] = result["credential"]
    signed["tampered"] = tamper(signed["valid"])
    return signed


@pytest.fixture(scope="module")
def revocation_list(python_signed) -> dict:
    return status.revocation_list_document(
        id=LIST_URL,
        issuer=ISSUER,
        revoked=[
            (python_signed["revoked"]["id"], "Issued to the wrong person."),
            (js_sign_jobs()["revoked"]["credential"]["id"], "Issued to the wrong person."),
        ],
    )


@pytest.fixture(scope="module")
def python_verify_jobs(python_signed, revocation_list, python_status_list) -> list[dict]:
    documents = {LIST_URL: revocation_list, PY_STATUS_LIST: python_status_list}
    return [
        {"op": "verify-di", "credential": doc, "documents": documents}
        for doc in python_signed.values()
    ]


def js_cases(js_signed) -> dict[str, dict]:
    return {name: doc for name, doc in js_signed.items() if name != "status_list"}


@pytest.fixture(scope="module")
def js_verdicts(python_signed, js_signed, phase_one, phase_two):
    verdicts = {
        ("python", name): result
        for name, result in zip(python_signed, phase_one["python_verify"], strict=True)
    }
    verdicts |= {
        ("js", name): result
        for name, result in zip(js_cases(js_signed), phase_two["js_verify"], strict=True)
    }
    return verdicts


@pytest.mark.parametrize("name", ["valid", "unicode", "bitstring_good"])
def test_js_verifies_what_python_signs(js_verdicts, name):
    result = js_verdicts[("python", name)]
    assert result["verified"] is True, error_text(result)
    (proof,) = result["proofs"]
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["verificationMethod"] == vm_for("python")


def test_js_verifies_a_python_signed_status_list(js_verdicts):
    # The library fetched our BitstringStatusListCredential, verified its proof and read bit 7.
    result = js_verdicts[("python", "bitstring_good")]
    assert result["status"] == {"verified": True, "errors": []}


@pytest.mark.parametrize(
    ("side", "name", "error_name", "message"),
    [
        ("python", "tampered", "Error", "Invalid signature."),
        ("python", "wrong_key", "Error", "Invalid signature."),
        ("python", "expired", "Error", 'is after "validUntil" (2020-01-01T00:00:00Z)'),
        ("python", "not_yet_valid", "Error", 'is before "validFrom" (2999-01-01T00:00:00Z)'),
        ("python", "revoked", "CredentialRevoked", "is revoked: Issued to the wrong person."),
        ("python", "bitstring_revoked", "CredentialRevoked", "revocation bit set at index 42"),
        ("js", "tampered", "Error", "Invalid signature."),
        ("js", "wrong_key", "Error", "Invalid signature."),
        ("js", "expired", "Error", 'is after "validUntil" (2020-01-01T00:00:00Z)'),
        ("js", "not_yet_valid", "Error", 'is before "validFrom" (2999-01-01T00:00:00Z)'),
        ("js", "revoked", "CredentialRevoked", "is revoked: Issued to the wrong person."),
        ("js", "bitstring_revoked", "CredentialRevoked", "revocation bit set at index 42"),
    ],
)
def test_js_refuses_bad_variants_for_the_right_reason(js_verdicts, side, name, error_name, message):
    result = js_verdicts[(side, name)]
    assert result["verified"] is False
    assert any(
        error["name"] == error_name and message in error["message"] for error in result["errors"]
    ), error_text(result)


@pytest.mark.parametrize("name", ["valid", "ed25519_2020", "same_input"])
def test_js_verifies_what_js_signs(js_verdicts, name):
    result = js_verdicts[("js", name)]
    assert result["verified"] is True, error_text(result)


def test_python_and_js_signatures_are_identical(js_signed):
    # Ed25519 is deterministic: the same credential, key and proof options must give the same
    # proofValue, which holds only if both sides canonicalise and hash byte for byte alike.
    ours = python_sign(credential(18))
    (our_proof,) = ours["proof"]
    assert our_proof == js_signed["same_input"]["proof"]


@pytest.mark.parametrize(
    ("name", "suite"),
    [
        ("valid", "eddsa-rdfc-2022"),
        ("expired", "eddsa-rdfc-2022"),
        ("revoked", "eddsa-rdfc-2022"),
        ("ed25519_2020", "Ed25519Signature2020"),
        ("status_list", "eddsa-rdfc-2022"),
    ],
)
def test_python_verifies_what_js_signs(js_signed, name, suite):
    # Expiry and revocation are not the proof's business: those proofs are sound.
    (result,) = verify_data_integrity(js_signed[name], resolve_public_key=resolve_fragment_key)
    assert result.ok is True, result.reason
    assert result.cryptosuite == suite
    assert result.verification_method == vm_for("javascript")


@pytest.mark.parametrize("name", ["tampered", "wrong_key"])
def test_python_refuses_bad_js_signatures_for_the_right_reason(js_signed, name):
    (result,) = verify_data_integrity(js_signed[name], resolve_public_key=resolve_fragment_key)
    assert result.ok is False
    assert result.code == "proof.bad_signature"


@pytest.mark.parametrize("name", ["tampered", "wrong_key"])
def test_python_refuses_its_own_bad_variants_like_js(python_signed, name):
    (result,) = verify_data_integrity(python_signed[name], resolve_public_key=resolve_fragment_key)
    assert result.ok is False
    assert result.code == "proof.bad_signature"


def test_python_reads_the_status_list_js_wrote(js_signed):
    entry = js_signed["bitstring_revoked"]["credentialStatus"]
    encoded = js_signed["status_list"]["credentialSubject"]["encodedList"]
    bits = status.bitstring_decode(encoded)
    assert status.bitstring_get(bits, int(entry["statusListIndex"])) == 1
    assert status.bitstring_get(bits, GOOD_INDEX) == 0


# --- DID issuers: did:key, and did:web documents with rotated keys ---------------------------

DID_WEB = did.did_web_for("https://badges.example.eu/issuers/acme-academy")


def did_web_keys() -> list[keyring.ManagedKey]:
    return [
        keyring.ManagedKey(
            "key-1",
            private_key("did-web-retired").public_key(),
            status=keyring.KeyStatus.RETIRED,
            created="2024-01-01T00:00:00Z",
            retired_at="2025-01-01T00:00:00Z",
        ),
        keyring.ManagedKey(
            "key-2", private_key("did-web-active").public_key(), created="2025-01-01T00:00:00Z"
        ),
        keyring.ManagedKey(
            "key-3",
            private_key("did-web-compromised").public_key(),
            status=keyring.KeyStatus.REVOKED,
            created="2025-01-01T00:00:00Z",
            compromised_at="2025-06-01T00:00:00Z",
        ),
    ]


def issued_by(issuer_id: str, index: int) -> dict:
    document = credential(index)
    document["issuer"] = {**document["issuer"], "id": issuer_id}
    return document


def did_key_vm(label: str) -> str:
    return did.did_key_verification_method(private_key(label).public_key())


@pytest.fixture(scope="module")
def did_material() -> dict:
    did_document = did.did_web_document(DID_WEB, did_web_keys())
    python_signed = {
        f"did_web_{key_id}": sign_eddsa_rdfc_2022(
            issued_by(DID_WEB, 30 + n),
            private_key=private_key(label),
            verification_method=did.verification_method_id(DID_WEB, key_id),
            created=CREATED,
        )
        for n, (key_id, label) in enumerate(
            [
                ("key-1", "did-web-retired"),
                ("key-2", "did-web-active"),
                ("key-3", "did-web-compromised"),
            ]
        )
    }
    python_did_key = did.did_key_for(private_key("python-did-key").public_key())
    python_signed["did_key"] = sign_eddsa_rdfc_2022(
        issued_by(python_did_key, 40),
        private_key=private_key("python-did-key"),
        verification_method=did_key_vm("python-did-key"),
        created=CREATED,
    )
    js_did_key = did.did_key_for(private_key("js-did-key").public_key())
    js_sign_job_ = {
        "op": "sign-di",
        "credential": issued_by(js_did_key, 41),
        "seed": seed("js-did-key"),
        "verificationMethod": did_key_vm("js-did-key"),
        "created": CREATED,
    }
    documents = {
        LIST_URL: status.revocation_list_document(id=LIST_URL, issuer=ISSUER, revoked=[]),
        DID_WEB: did_document,
    }
    return {
        "did_document": did_document,
        "documents": documents,
        "python_signed": python_signed,
        "js_sign_job": js_sign_job_,
        "python_verify_jobs": [
            {"op": "verify-di", "credential": signed, "documents": documents}
            for signed in python_signed.values()
        ],
    }


@pytest.fixture(scope="module")
def did_cases(did_material, phase_one, phase_two) -> dict:
    (js_result,) = phase_one["did_js_sign"]
    assert js_result["ok"] is True, error_text(js_result)
    verdicts = [*phase_one["did_python_verify"], *phase_two["did_js_verify"]]
    return {
        **did_material,
        "js_signed": js_result["credential"],
        "js_verdicts": dict(
            zip([*did_material["python_signed"], "js_did_key"], verdicts, strict=True)
        ),
    }


@pytest.mark.parametrize("name", ["did_web_key-1", "did_web_key-2", "did_key", "js_did_key"])
def test_js_verifies_did_issued_credentials(did_cases, name):
    # A retired key stays an assertion method in our did:web document, so what it signed
    # keeps verifying; did:key is resolved by Digital Bazaar's own did:key driver.
    result = did_cases["js_verdicts"][name]
    assert result["verified"] is True, error_text(result)


def test_js_refuses_a_key_revoked_in_our_did_web_document(did_cases):
    result = did_cases["js_verdicts"]["did_web_key-3"]
    assert result["verified"] is False
    method = did.verification_method_id(DID_WEB, "key-3")
    expected = (
        f'Verification method "{method}" not authorized by controller for proof purpose '
        '"assertionMethod".'
    )
    assert expected in error_text(result)


@pytest.mark.parametrize("key_id", ["key-1", "key-2"])
def test_python_resolves_our_did_web_document_like_js(did_cases, key_id):
    document = did_cases["did_document"]
    (result,) = verify_data_integrity(
        did_cases["python_signed"][f"did_web_{key_id}"],
        resolve_public_key=lambda vm: did.resolve_verification_method(vm, document),
    )
    assert result.ok is True, result.reason


def test_python_refuses_the_revoked_did_web_key_like_js(did_cases):
    document = did_cases["did_document"]
    (result,) = verify_data_integrity(
        did_cases["python_signed"]["did_web_key-3"],
        resolve_public_key=lambda vm: did.resolve_verification_method(vm, document),
    )
    assert result.ok is False
    assert result.code == "key.revoked"


def test_python_verifies_a_js_signed_did_key_credential(did_cases):
    (result,) = verify_data_integrity(
        did_cases["js_signed"], resolve_public_key=did.resolve_did_key
    )
    assert result.ok is True, result.reason
    assert result.verification_method == did_key_vm("js-did-key")


# --- documents made by our builders ---------------------------------------------------------


def built_documents() -> dict[str, dict]:
    issuer = documents.profile(
        id=ISSUER,
        name="Académie ACME — Łódź",
        url="https://acme-academy.example.eu",
        email="badges@acme-academy.example.eu",
        image="https://badges.example.eu/issuers/acme-academy/logo.png",
    )
    achievement = documents.achievement(
        id="https://badges.example.eu/achievements/data-literacy-basics",
        name="Data Literacy Basics",
        description="Reads, cleans and charts small tabular data sets.",
        criteria=documents.criteria(narrative="Pass the final assessment with at least *70%*."),
        image="https://badges.example.eu/achievements/data-literacy-basics/image.png",
        achievement_type="Badge",
        alignments=[
            documents.alignment(
                target_name="analyse big data",
                target_url="http://data.europa.eu/esco/skill/0e2b5b7e-1b8a-4d4a-9c52-3f3e0e6d6e44",
                target_framework="ESCO",
                target_code="0e2b5b7e-1b8a-4d4a-9c52-3f3e0e6d6e44",
                target_type="ext:ESCOSkill",
            )
        ],
        tags=["data", "digital skills"],
        credits_available=2.5,
        in_language="en",
    )
    badge = documents.open_badge_credential(
        id="urn:uuid:5b8c0c1e-8d1f-4c53-9a2e-0d6f3f1f2a10",
        issuer=issuer,
        achievement=achievement,
        valid_from="2025-03-01T09:00:00Z",
        valid_until="2035-03-01T09:00:00Z",
        awarded_date="2025-02-27T15:30:00Z",
        recipient=recipient.ob3_identity_object("Learner@Example.EU", salt="q9Xk2p"),
        evidence=[
            documents.evidence(name="Final project report", narrative="Charts of étés 2024."),
            documents.evidence(id="https://badges.example.eu/evidence/5b8c0c1e", genre="Report"),
        ],
        credential_status={"id": LIST_URL, "type": "1EdTechRevocationList"},
        credential_schema=True,
    )
    endorsement = documents.endorsement_credential(
        id="urn:uuid:9d3c2a0e-2f44-4a1b-8f0e-6a1d5f0b7c21",
        issuer=documents.profile(id=ISSUER, name="ACME Academy"),
        subject_id="https://badges.example.eu/achievements/data-literacy-basics",
        name="Endorsement of Data Literacy Basics",
        valid_from="2025-03-02T10:00:00Z",
        endorsement_comment="Aligned with the EU DigComp framework.",
    )
    return {"badge": badge, "endorsement": endorsement}


@pytest.fixture(scope="module")
def built_material() -> dict:
    built = built_documents()
    ours = {name: python_sign(document) for name, document in built.items()}
    jobs = [js_sign_job(document, label="python") for document in built.values()]
    jobs += [
        {
            "op": "verify-di",
            "credential": signed,
            "documents": {
                LIST_URL: status.revocation_list_document(id=LIST_URL, issuer=ISSUER, revoked=[])
            },
        }
        for signed in ours.values()
    ]
    return {"names": list(built), "ours": ours, "jobs": jobs}


@pytest.fixture(scope="module")
def built_cases(built_material, phase_one) -> dict:
    names, results = built_material["names"], phase_one["built"]
    return {
        "ours": built_material["ours"],
        "js_signed": dict(zip(names, results[: len(names)], strict=True)),
        "js_verdicts": dict(zip(names, results[len(names) :], strict=True)),
    }


@pytest.mark.parametrize("name", ["badge", "endorsement"])
def test_js_verifies_credentials_from_our_builders(built_cases, name):
    result = built_cases["js_verdicts"][name]
    assert result["verified"] is True, error_text(result)


@pytest.mark.parametrize("name", ["badge", "endorsement"])
def test_js_signs_our_builders_output_exactly_as_we_do(built_cases, name):
    result = built_cases["js_signed"][name]
    assert result["ok"] is True, error_text(result)
    assert [result["credential"]["proof"]] == built_cases["ours"][name]["proof"]


# --- the full verifier's report on what both sides signed -----------------------------------


@pytest.fixture(scope="module")
def reports(python_signed, js_signed, revocation_list, python_status_list):
    from openbadges.fetch import StaticFetcher
    from openbadges.verify import verify

    def report(document):
        fetcher = StaticFetcher(
            {
                LIST_URL: revocation_list,
                PY_STATUS_LIST: python_status_list,
                JS_STATUS_LIST: js_signed["status_list"],
            }
        )
        return verify(document, fetcher=fetcher, key_resolver=resolve_fragment_key)

    cases = {("python", name): doc for name, doc in python_signed.items()}
    cases |= {("js", name): doc for name, doc in js_signed.items() if name != "status_list"}
    return {case: report(doc) for case, doc in cases.items()}


def describe(report) -> str:
    return "\n".join(f"{c.id}: {c.outcome}: {c.message}" for c in report.checks)


@pytest.mark.parametrize(
    ("side", "name"),
    [
        ("python", "valid"),
        ("python", "unicode"),
        ("python", "bitstring_good"),
        # Digital Bazaar writes `proof` as one object, which OB 3.0 allows (a warning, as the
        # 1EdTech validator gives).
        ("js", "valid"),
        # VC 1.1: the verifier checks the schema on its VC 2.0 form, with proofs as arrays.
        ("js", "ed25519_2020"),
        ("js", "same_input"),
    ],
)
def test_our_verifier_accepts_what_both_sides_sign(reports, side, name):
    report = reports[(side, name)]
    assert report.valid, describe(report)
    assert report.format == "ob3-di"
    assert report.check("proof").outcome == "passed"
    assert report.check("status.revocation").outcome == "passed"
    single_proof = isinstance(report.credential.get("proof"), dict)
    assert report.check("schema").outcome == ("warning" if single_proof else "passed")


@pytest.mark.parametrize("side", ["python", "js"])
@pytest.mark.parametrize(
    ("name", "failed_check"),
    [
        ("tampered", "proof"),
        ("wrong_key", "proof"),
        ("expired", "validity.expiry"),
        ("not_yet_valid", "validity.not_before"),
        ("revoked", "status.revocation"),
        ("bitstring_revoked", "status.revocation"),
    ],
)
def test_our_verifier_refuses_bad_variants_for_the_right_reason(reports, side, name, failed_check):
    # The same variants the JavaScript verifier refuses (above), for the same reason: exactly
    # one check fails, and it is the one about that defect.
    report = reports[(side, name)]
    assert not report.valid
    assert [check.id for check in report.failures] == [failed_check], describe(report)


# --- the per-badge-class fast path -----------------------------------------------------------

TEMPLATE_PATHS = [
    "id",
    "name",
    "validFrom",
    "credentialSubject.identifier.0.identityHash",
    "credentialSubject.identifier.0.salt",
    # Two blank nodes of one shape: equal values make their first-degree hashes collide, which
    # the fast path must notice (and then run the full algorithm).
    "credentialSubject.result.0.value",
    "credentialSubject.result.1.value",
]


def template_values(rng: random.Random) -> list[str]:
    salt = "".join(rng.choice("abcdefghijkmnpqrstuvwxyz23456789") for _ in range(12))
    return [
        f"urn:uuid:{rng.getrandbits(128):032x}",
        f"{rng.choice(NAMES)} — {rng.choice(NAMES)}",
        f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:00:00Z",
        "sha256$" + hashlib.sha256(f"{salt}{rng.random()}".encode()).hexdigest(),
        salt,
        str(rng.randint(0, 2)),
        str(rng.randint(0, 2)),
    ]


@pytest.fixture(scope="module")
def template_material() -> dict:
    from openbadges.template import (
        CredentialTemplate,
        sign_with_template,
        sign_with_template_json,
    )

    example = ob3_credential(random.Random(3), 3)
    template = CredentialTemplate.for_document(example, TEMPLATE_PATHS)
    rng = random.Random(4711)
    value_sets = [template_values(rng) for _ in range(60)]
    signing = {
        "private_key": private_key("python"),
        "verification_method": vm_for("python"),
        "created": CREATED,
    }
    # Half as documents, half as the JSON bytes bulk issuing stores.
    signed = [sign_with_template(template, values, **signing) for values in value_sets[:30]]
    signed += [
        json.loads(sign_with_template_json(template, values, **signing))
        for values in value_sets[30:]
    ]
    before = template.fallbacks
    ours = [template.canonicalize(values) for values in value_sets]
    fallbacks = template.fallbacks - before
    jobs = [{"op": "verify-di", "credential": document} for document in signed]
    jobs += [
        {"op": "canonize", "document": template.build_document(values)} for values in value_sets
    ]
    return {"fallbacks": fallbacks, "canonical": ours, "signed": len(signed), "jobs": jobs}


@pytest.fixture(scope="module")
def template_cases(template_material, phase_one) -> dict:
    results, signed = phase_one["template"], template_material["signed"]
    return {
        "fallbacks": template_material["fallbacks"],
        "canonical": template_material["canonical"],
        "js_verdicts": results[:signed],
        "js_canonical": results[signed:],
    }


def test_js_verifies_credentials_signed_on_the_fast_path(template_cases):
    for result in template_cases["js_verdicts"]:
        assert result["verified"] is True, error_text(result)


def test_fast_path_canonical_form_equals_jsonld_js(template_cases):
    # Both branches ran: the shortcut, and the full algorithm after a hash collision.
    assert 0 < template_cases["fallbacks"] < len(template_cases["canonical"])
    for ours, theirs in zip(
        template_cases["canonical"], template_cases["js_canonical"], strict=True
    ):
        assert theirs["ok"] is True, error_text(theirs)
        assert ours == theirs["nquads"]


# --- the two node runs -------------------------------------------------------------------------


def run_groups(groups: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """One node run for several named groups of jobs; the results, grouped alike."""
    results = iter(run_batch([job for jobs in groups.values() for job in jobs]))
    return {name: [next(results) for _ in jobs] for name, jobs in groups.items()}


@pytest.fixture(scope="module")
def phase_one(
    vector_jobs, python_verify_jobs, did_material, built_material, template_material
) -> dict[str, list[dict]]:
    return run_groups(
        {
            "vector": vector_jobs,
            "undefined_terms": [
                {"op": "canonize", "document": document} for document in undefined_term_documents()
            ],
            "js_sign": list(js_sign_jobs().values()),
            "python_verify": python_verify_jobs,
            "did_js_sign": [did_material["js_sign_job"]],
            "did_python_verify": did_material["python_verify_jobs"],
            "built": built_material["jobs"],
            "template": template_material["jobs"],
        }
    )


@pytest.fixture(scope="module")
def phase_two(js_signed, revocation_list, did_material, phase_one) -> dict[str, list[dict]]:
    documents = {LIST_URL: revocation_list, JS_STATUS_LIST: js_signed["status_list"]}
    (did_js,) = phase_one["did_js_sign"]
    return run_groups(
        {
            "js_verify": [
                {"op": "verify-di", "credential": doc, "documents": documents}
                for doc in js_cases(js_signed).values()
            ],
            "did_js_verify": [
                {
                    "op": "verify-di",
                    "credential": did_js["credential"],
                    "documents": did_material["documents"],
                }
            ],
        }
    )
