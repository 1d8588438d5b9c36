import copy
import json

import pytest

from openbadges import jsonld
from openbadges.errors import InvalidDocument, UndefinedTerm

CREDENTIAL = {
    "@context": [jsonld.VC_V2, jsonld.OB_V3_CONTEXT],
    "id": "urn:uuid:a63a60be-f4af-491c-87fc-2c8fd3007a58",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "name": "Data Literacy Basics",
    "issuer": {
        "id": "https://badges.example.eu/issuers/acme",
        "type": ["Profile"],
        "name": "ACME Academy",
    },
    "validFrom": "2025-03-01T09:00:00Z",
    "credentialSubject": {
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityHash": "sha256$"
                + "1408bb691a5be455ebc2468f3302ca96c4337b8a310aa9b95149eb32e1e69f1c",
                "identityType": "emailAddress",
                "hashed": True,
                "salt": "pepper42",
            }
        ],
        "achievement": {
            "id": "https://badges.example.eu/achievements/data-literacy",
            "type": ["Achievement"],
            "name": "Data Literacy Basics",
            "description": "Reads, cleans and charts small tabular data sets.",
            "criteria": {"narrative": "Pass the final assessment."},
        },
    },
}


def test_every_bundled_context_loads_and_is_a_context():
    urls = jsonld.bundled_context_urls()
    assert jsonld.VC_V2 in urls and jsonld.OB_V2_CONTEXT in urls
    for url in urls:
        remote = jsonld.document_loader(url)
        assert remote["documentUrl"] == url
        assert "@context" in remote["document"]


def test_loader_refuses_unbundled_contexts():
    with pytest.raises(InvalidDocument) as caught:
        jsonld.document_loader("https://evil.example/context.json")
    assert caught.value.code == "jsonld.context_not_bundled"


def test_loader_returns_copies():
    first = jsonld.document_loader(jsonld.VC_V2)
    first["document"]["@context"]["id"] = "changed"
    assert jsonld.document_loader(jsonld.VC_V2)["document"]["@context"]["id"] == "@id"


def test_document_with_unbundled_context_is_refused_not_fetched():
    doc = {"@context": "https://evil.example/context.json", "name": "x"}
    with pytest.raises(InvalidDocument) as caught:
        jsonld.canonicalize(doc)
    assert caught.value.code == "jsonld.context_not_bundled"


def test_non_object_and_missing_context_are_refused():
    with pytest.raises(InvalidDocument):
        jsonld.expand([1, 2])
    with pytest.raises(InvalidDocument):
        jsonld.expand({"name": "no context"})


def test_expand_uses_ob3_vocabulary():
    expanded = jsonld.expand(CREDENTIAL)
    assert expanded[0]["@type"] == [
        "https://www.w3.org/2018/credentials#VerifiableCredential",
        "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential",
    ]


def test_canonical_form_is_sorted_and_independent_of_key_order():
    canonical = jsonld.canonicalize(CREDENTIAL)
    lines = canonical.splitlines()
    assert lines == sorted(lines)
    assert "_:c14n0" in canonical
    reordered = json.loads(json.dumps(CREDENTIAL, sort_keys=True))
    assert jsonld.canonicalize(reordered) == canonical
    assert jsonld.canonicalize_nquads(jsonld.to_nquads(CREDENTIAL)) == canonical


def test_safe_mode_accepts_a_well_formed_credential():
    jsonld.check_safe_mode(CREDENTIAL)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ((), "foo"),
        (("credentialSubject",), "credentialSubject.foo"),
        (("credentialSubject", "achievement"), "credentialSubject.achievement.foo"),
        (("credentialSubject", "achievement", "criteria"), "criteria.foo"),
        (("issuer",), "issuer.foo"),
    ],
)
def test_safe_mode_refuses_undefined_terms_naming_the_path(path, expected):
    doc = copy.deepcopy(CREDENTIAL)
    target = doc
    for key in path:
        target = target[key]
    target["foo"] = 1
    with pytest.raises(UndefinedTerm) as caught:
        jsonld.check_safe_mode(doc)
    assert expected in caught.value.message
    assert caught.value.code == "jsonld.undefined_term"


def test_safe_mode_refuses_undefined_terms_inside_arrays():
    doc = copy.deepcopy(CREDENTIAL)
    doc["credentialSubject"]["identifier"][0]["nickname"] = "x"
    with pytest.raises(UndefinedTerm, match=r"credentialSubject\.identifier\.nickname"):
        jsonld.check_safe_mode(doc)


def test_safe_mode_refuses_undefined_types():
    doc = copy.deepcopy(CREDENTIAL)
    doc["type"].append("MadeUpCredential")
    with pytest.raises(UndefinedTerm, match="MadeUpCredential"):
        jsonld.check_safe_mode(doc)


def test_safe_mode_refuses_relative_identifiers():
    doc = copy.deepcopy(CREDENTIAL)
    doc["credentialSubject"]["achievement"]["id"] = "achievements/1"
    with pytest.raises(UndefinedTerm) as caught:
        jsonld.check_safe_mode(doc)
    assert caught.value.code == "jsonld.relative_iri"


def test_safe_mode_accepts_terms_from_an_embedded_context_and_full_iris():
    doc = copy.deepcopy(CREDENTIAL)
    doc["@context"] = [*doc["@context"], {"nickname": "https://example.eu/vocab#nickname"}]
    doc["credentialSubject"]["nickname"] = "Ada"
    doc["https://example.eu/vocab#level"] = "3"
    jsonld.check_safe_mode(doc)


def test_safe_mode_on_ob2_documents():
    assertion = {
        "@context": jsonld.OB_V2_CONTEXT,
        "type": "Assertion",
        "id": "https://badges.example.eu/ob2/assertions/1",
        "recipient": {"type": "email", "hashed": False, "identity": "a@example.eu"},
        "badge": "https://badges.example.eu/ob2/badgeclasses/1",
        "verification": {"type": "hosted"},
        "issuedOn": "2025-03-01T09:00:00Z",
    }
    jsonld.check_safe_mode(assertion)
    assertion["shoeSize"] = 44
    with pytest.raises(UndefinedTerm, match="shoeSize"):
        jsonld.check_safe_mode(assertion)


def test_pyld_errors_become_invalid_document():
    with pytest.raises(InvalidDocument) as caught:
        jsonld.canonicalize({"@context": {"@version": 2}, "name": "x"})
    assert caught.value.code == "jsonld.invalid"


def test_literals_are_escaped_as_rdfc_1_0_requires():
    doc = copy.deepcopy(CREDENTIAL)
    doc["name"] = 'a"b\\c\nd\re\tf\bg\fh\x01i\x7fj\u00e9\U0001f600'
    canonical = jsonld.canonicalize(doc)
    assert '"a\\"b\\\\c\\nd\\re\\tf\\bg\\fh\\u0001i\\u007Fj\u00e9\U0001f600"' in canonical
    assert jsonld.canonicalize_nquads(jsonld.to_nquads(doc)) == canonical


def test_canonicalisation_is_safe_across_threads():
    from concurrent.futures import ThreadPoolExecutor

    expected = jsonld.canonicalize(CREDENTIAL)
    jsonld._resolved_contexts.clear()
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: jsonld.canonicalize(CREDENTIAL), range(16)))
    assert results == [expected] * 16
