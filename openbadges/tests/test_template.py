"""The per-shape canonicalisation must equal the full RDFC-1.0 algorithm byte for byte."""

import copy
import json
import random
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from openbadges import dataintegrity, documents, jsonld, recipient, template
from openbadges.errors import InvalidDocument

VARIABLES = [
    "id",
    "name",
    "credentialSubject.identifier.0.identityHash",
    "credentialSubject.identifier.0.salt",
    "validFrom",
    "awardedDate",
    "evidence.0.narrative",
]
METHOD = "did:web:badges.example.eu#key-1"

# Characters that stress escaping, sorting and blank node hashing.
ALPHABET = (
    "abcXYZ019 .,;:-_'\"\\\t\n\r\b\f\x01\x1f\x7f{}<>%#&éüßøçñ"
    "Ωжщ中文字日本語한국어"
    "שלום עולם مرحبا\u200f\u202e\u200d"
    "😀🎓🇪🇺👩🏽‍🎓𝔘"
)


def _example(**overrides):
    issuer = documents.profile(
        id="https://badges.example.eu/issuers/acme",
        name="ACME Academy",
        url="https://acme.example.eu",
    )
    achievement = documents.achievement(
        id="https://badges.example.eu/achievements/data-literacy",
        name="Data Literacy Basics",
        description="Reads, cleans and charts small tabular data sets.",
        criteria=documents.criteria(narrative="Pass the final assessment."),
        image="https://badges.example.eu/achievements/data-literacy/image.png",
        alignments=[
            documents.alignment(
                target_name="analyse big data",
                target_url="http://data.europa.eu/esco/skill/2b7e8a8c",
                target_framework="ESCO",
            )
        ],
    )
    values = {
        "id": "urn:uuid:00000000-0000-4000-8000-000000000000",
        "issuer": issuer,
        "achievement": achievement,
        "valid_from": datetime(2025, 1, 1, tzinfo=UTC),
        "awarded_date": datetime(2025, 1, 1, tzinfo=UTC),
        "recipient": recipient.ob3_identity_object("first@example.eu", salt="salt"),
        "evidence": [documents.evidence(narrative="Final project.")],
    }
    values.update(overrides)
    return documents.open_badge_credential(**values)


@pytest.fixture(scope="module")
def credential_template():
    return template.CredentialTemplate.for_document(_example(), VARIABLES)


def _random_text(rng, low=0, high=40):
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(low, high)))


def _random_values(rng):
    email = f"{_random_text(rng, 1, 12)}@example.eu"
    salt = _random_text(rng, 0, 16)
    moment = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randint(0, 10**8))
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return [
        f"urn:uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}",
        _random_text(rng, 1),
        recipient.hash_identity(email, salt),
        salt,
        stamp,
        stamp if rng.random() < 0.5 else "2020-02-29T23:59:59Z",
        _random_text(rng),
    ]


def test_template_equals_the_full_algorithm_on_2000_random_recipients(credential_template):
    rng = random.Random(20251127)
    for _ in range(2000):
        values = _random_values(rng)
        document = credential_template.build_document(values)
        assert credential_template.canonicalize(values) == jsonld.canonicalize(document), values
    assert credential_template.fallbacks == 0


def test_sign_with_template_is_byte_identical_to_the_full_signature(credential_template):
    rng = random.Random(7)
    key = Ed25519PrivateKey.generate()
    for _ in range(25):
        values = _random_values(rng)
        fast = template.sign_with_template(
            credential_template,
            values,
            private_key=key,
            verification_method=METHOD,
            created="2025-06-01T12:00:00Z",
        )
        full = dataintegrity.sign_eddsa_rdfc_2022(
            credential_template.build_document(values),
            private_key=key,
            verification_method=METHOD,
            created="2025-06-01T12:00:00Z",
        )
        assert json.dumps(fast, ensure_ascii=False) == json.dumps(full, ensure_ascii=False)


def test_values_by_path_name(credential_template):
    by_name = dict(zip(VARIABLES, _random_values(random.Random(3)), strict=True))
    assert credential_template.canonicalize(by_name) == jsonld.canonicalize(
        credential_template.build_document(by_name)
    )
    del by_name["validFrom"]
    with pytest.raises(InvalidDocument, match="validFrom"):
        credential_template.canonicalize(by_name)


@pytest.mark.parametrize(
    "bad_iri",
    [
        "urn:uuid:1 2",
        "https://badges.example.eu/a>b",
        "https://badges.example.eu/a\nb",
        'https://badges.example.eu/"x"',
        "https://badges.example.eu/{x}",
        "javascript:alert(1)",
        "_:b0",
        "relative/path",
        "",
    ],
)
def test_values_that_would_change_an_iri_are_refused(credential_template, bad_iri):
    values = _random_values(random.Random(1))
    values[0] = bad_iri
    with pytest.raises(InvalidDocument) as caught:
        credential_template.canonicalize(values)
    assert caught.value.code == "template.unsafe_iri"


def test_bad_literal_values_are_refused(credential_template):
    values = _random_values(random.Random(2))
    values[4] = "1 January 2025"
    with pytest.raises(InvalidDocument, match="date and time"):
        credential_template.canonicalize(values)
    values = _random_values(random.Random(2))
    values[1] = 42
    with pytest.raises(InvalidDocument, match="string"):
        credential_template.canonicalize(values)
    with pytest.raises(InvalidDocument, match="Expected 7 values"):
        credential_template.canonicalize(values[:3])


def test_iri_schemes_we_accept_are_not_json_ld_terms():
    for url in jsonld.bundled_context_urls():
        text = json.dumps(jsonld.bundled_context(url))
        for scheme in ("http", "https", "urn", "did"):
            assert f'"{scheme}":' not in text, (url, scheme)


def test_colliding_blank_nodes_fall_back_to_the_full_algorithm():
    example = _example(
        evidence=[documents.evidence(narrative="One."), documents.evidence(narrative="Two.")]
    )
    shape = template.CredentialTemplate.for_document(
        example, ["evidence.0.narrative", "evidence.1.narrative"]
    )
    same = ["Identical.", "Identical."]
    assert shape.canonicalize(same) == jsonld.canonicalize(shape.build_document(same))
    assert shape.fallbacks == 1
    different = ["A", "B"]
    assert shape.canonicalize(different) == jsonld.canonicalize(shape.build_document(different))
    assert shape.fallbacks == 1


def test_templates_refuse_unusable_shapes():
    with pytest.raises(InvalidDocument, match="no value"):
        template.CredentialTemplate.for_document(_example(), ["credentialSubject.nickname"])
    with pytest.raises(InvalidDocument, match="strings"):
        template.CredentialTemplate.for_document(
            _example(), ["credentialSubject.identifier.0.hashed"]
        )
    unsafe = _example(validate=False)
    unsafe["credentialSubject"]["foo"] = "bar"
    with pytest.raises(InvalidDocument):
        template.CredentialTemplate.for_document(unsafe, ["id"])


def test_verify_with_template(credential_template):
    key = Ed25519PrivateKey.generate()
    rng = random.Random(11)
    cache = template.TemplateCache([credential_template])
    resolve = {METHOD: key.public_key()}.__getitem__
    values = _random_values(rng)
    signed = template.sign_with_template(
        credential_template, values, private_key=key, verification_method=METHOD
    )
    assert cache.match(dataintegrity.unsecured(signed)) is credential_template
    [result] = template.verify_with_template(signed, templates=cache, resolve_public_key=resolve)
    assert result.ok, result.reason

    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["identifier"][0]["salt"] = "other"
    [result] = template.verify_with_template(tampered, templates=cache, resolve_public_key=resolve)
    assert not result.ok and result.code == "proof.bad_signature"

    # An unknown shape (an extra property) takes the full path and gets the same answer.
    reshaped = copy.deepcopy(signed)
    reshaped["description"] = "Added after signing."
    assert cache.match(dataintegrity.unsecured(reshaped)) is None
    assert template.verify_with_template(
        reshaped, templates=cache, resolve_public_key=resolve
    ) == dataintegrity.verify_data_integrity(reshaped, resolve_public_key=resolve)

    # A value that the template would refuse in an IRI position also takes the full path.
    odd = copy.deepcopy(signed)
    odd["id"] = "urn:uuid:not valid"
    [result] = template.verify_with_template(odd, templates=cache, resolve_public_key=resolve)
    assert not result.ok

    # JSON-LD tells true from 1 and 1 from 1.0, so the shape match does too.
    retyped = copy.deepcopy(signed)
    retyped["credentialSubject"]["identifier"][0]["hashed"] = 1
    assert cache.match(dataintegrity.unsecured(retyped)) is None

    # Proofs with extra members are checked by the full proof algorithm.
    with_nonce = copy.deepcopy(signed)
    with_nonce["proof"][0]["nonce"] = "abc"
    [result] = template.verify_with_template(
        with_nonce, templates=cache, resolve_public_key=resolve
    )
    assert not result.ok and result.code == "proof.bad_signature"


def test_vc_1_1_shapes_get_the_proof_context():
    example = _example(validate=False)
    example["@context"] = [jsonld.VC_V1, jsonld.OB_V3_CONTEXT]
    example["issuanceDate"] = example.pop("validFrom")
    del example["awardedDate"]
    shape = template.CredentialTemplate.for_document(example, ["id", "issuanceDate"])
    assert shape.example["@context"][-1] == jsonld.DATA_INTEGRITY_V2
    key = Ed25519PrivateKey.generate()
    values = ["urn:uuid:5b0f7d38-7c3e-4a4f-9d44-1c2b3a4d5e6f", "2025-05-05T05:05:05Z"]
    fast = template.sign_with_template(shape, values, private_key=key, verification_method=METHOD)
    full = dataintegrity.sign_eddsa_rdfc_2022(
        shape.build_document(values),
        private_key=key,
        verification_method=METHOD,
        created=fast["proof"][0]["created"],
    )
    assert fast == full


@pytest.mark.parametrize(
    "iri",
    [
        "https://badges.example.eu/a/../b/./c",
        "https://bädges.example.eu/ä?x=1&y=%20#frag",
        "did:web:badges.example.eu:issuers:a%3A1",
        "urn:uuid:ABCDEF00-0000-4000-8000-000000000000",
        "https://badges.example.eu/😀/\u202e",
        "https://badges.example.eu/a#b#c",
    ],
)
def test_unusual_but_valid_iris_match_the_full_algorithm(credential_template, iri):
    values = _random_values(random.Random(5))
    values[0] = iri
    document = credential_template.build_document(values)
    assert credential_template.canonicalize(values) == jsonld.canonicalize(document)


def test_sign_with_template_json_is_the_serialised_document(credential_template):
    import orjson

    key = Ed25519PrivateKey.generate()
    rng = random.Random(13)
    for _ in range(20):
        values = _random_values(rng)
        expected = template.sign_with_template(
            credential_template,
            values,
            private_key=key,
            verification_method=METHOD,
            created="2025-06-01T12:00:00Z",
        )
        written = template.sign_with_template_json(
            credential_template,
            values,
            private_key=key,
            verification_method=METHOD,
            created="2025-06-01T12:00:00Z",
        )
        assert written == orjson.dumps(expected)
        assert credential_template.document_json(values) == orjson.dumps(
            credential_template.build_document(values)
        )
