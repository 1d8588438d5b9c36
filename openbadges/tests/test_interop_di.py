"""Data Integrity interop with Digital Bazaar's JavaScript libraries (eddsa-rdfc-2022,
Ed25519Signature2020, Bitstring Status List) and jsonld.js / rdf-canonize.

Node runs once per batch (see test_interop_node.py): the module prepares everything it wants
the JavaScript side to do, runs it, and the tests then read the results.
"""

import copy
import json
import random
from pathlib import Path

import pytest

from openbadges import jsonld
from openbadges.errors import UndefinedTerm
from openbadges.tests.test_interop_node import error_text, requires_node, run_batch

pytestmark = requires_node

VECTOR_DIR = Path(__file__).resolve().parent / "vectors" / "obv3p0"

# The OB 3.0 implementation guide's test vector: key, proof options and signed credential.
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
def vector_results(canon_documents):
    jobs = [
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
    verified, signed, *canonical = run_batch(jobs)
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


def test_undefined_terms_are_refused_by_both_safe_modes():
    # A term the contexts do not define is dropped by JSON-LD expansion, so a signature would not
    # cover it. jsonld.js in safe mode refuses such a document; so must our check, under VC 1.1
    # and VC 2.0 alike, naming the property.
    vc11 = copy.deepcopy(VECTOR_CREDENTIAL)
    vc11["@context"] = [
        "https://www.w3.org/2018/credentials/v1",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    vc11["issuanceDate"] = vc11.pop("validFrom")
    vc11["credentialSubject"]["favouriteColour"] = "teal"
    vc2 = copy.deepcopy(VECTOR_CREDENTIAL)
    vc2["credentialSubject"]["achievement"]["favouriteColour"] = "teal"
    results = run_batch([{"op": "canonize", "document": vc11}, {"op": "canonize", "document": vc2}])
    for document, result in zip((vc11, vc2), results, strict=True):
        assert result["ok"] is False
        (error,) = result["errors"]
        assert error["name"] == "jsonld.ValidationError"
        assert error["event"]["code"] == "invalid property"
        assert error["event"]["details"]["property"] == "favouriteColour"
        with pytest.raises(UndefinedTerm, match="favouriteColour"):
            jsonld.check_safe_mode(document)
