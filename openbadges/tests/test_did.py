import base58
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from openbadges.did import (
    InvalidDid,
    describe_verification_method,
    did_key_document,
    did_key_for,
    did_key_verification_method,
    did_web_document,
    did_web_for,
    did_web_jwks,
    did_web_url,
    jwt_kid,
    resolve_did_key,
    resolve_did_verification_method,
    resolve_verification_method,
)
from openbadges.errors import InvalidKey
from openbadges.keyring import KeyStatus, ManagedKey
from openbadges.keys import KeyPair, b64url_decode, public_jwk, public_key_from_jwk

# w3c-ccg/did-method-key test vectors.
ED25519_VECTOR_DID = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
ED25519_VECTOR_BASE58 = "4zvwRjXUKGfvwnParsHAS3HuSVzV5cA4McphgmoCtajS"
P256_VECTOR_DID = "did:key:zDnaerx9CtbPJ1q36T5Ln5wYt3MQYeGRG5ehnPAmxcf5mDZpv"
P256_VECTOR_JWK = {
    "kty": "EC",
    "crv": "P-256",
    "x": "igrFmi0whuihKnj9R3Om1SoMph72wUGeFaBbzG2vzns",
    "y": "efsX5b10x8yjyrj4ny3pGfLcY7Xby1KzgqOdqnsrJIM",
}
DID = "did:web:badges.example.org:issuers:abc"


@pytest.fixture(scope="module")
def pairs():
    return {
        "ed": KeyPair.generate("Ed25519"),
        "old": KeyPair.generate("Ed25519"),
        "lost": KeyPair.generate("Ed25519"),
        "p256": KeyPair.generate("P-256"),
        "rsa": KeyPair.generate("RSA"),
    }


@pytest.fixture(scope="module")
def document(pairs):
    keys = [
        ManagedKey("key-1", pairs["old"].public_key, KeyStatus.RETIRED),
        ManagedKey(
            "key-2",
            pairs["lost"].public_key,
            KeyStatus.REVOKED,
            compromised_at="2026-06-01T00:00:00Z",
        ),
        ManagedKey("key-3", pairs["ed"].public_key),
        ManagedKey("rsa-1", pairs["rsa"].public_key),
        ManagedKey("p256-1", pairs["p256"].public_key),
    ]
    return did_web_document(DID, keys)


def test_did_key_ed25519_vector():
    public_key = Ed25519PrivateKey.from_private_bytes(bytes(32)).public_key()
    assert did_key_for(public_key) == ED25519_VECTOR_DID
    raw = b64url_decode(public_jwk(resolve_did_key(ED25519_VECTOR_DID), alg=False)["x"])
    assert base58.b58encode(raw).decode() == ED25519_VECTOR_BASE58
    document = did_key_document(ED25519_VECTOR_DID)
    method_id = ED25519_VECTOR_DID + "#" + ED25519_VECTOR_DID.removeprefix("did:key:")
    assert document["verificationMethod"] == [
        {
            "id": method_id,
            "type": "Multikey",
            "controller": ED25519_VECTOR_DID,
            "publicKeyMultibase": ED25519_VECTOR_DID.removeprefix("did:key:"),
        }
    ]
    # Same verification relationships as the vector's DID document (keyAgreement aside).
    for relationship in (
        "assertionMethod",
        "authentication",
        "capabilityInvocation",
        "capabilityDelegation",
    ):
        assert document[relationship] == [method_id]
    assert resolve_verification_method(method_id, document) == resolve_did_key(method_id)


def test_did_key_p256_vector():
    public_key = public_key_from_jwk(P256_VECTOR_JWK)
    assert did_key_for(public_key) == P256_VECTOR_DID
    assert public_jwk(resolve_did_key(P256_VECTOR_DID), alg=False)["y"] == P256_VECTOR_JWK["y"]


def test_did_key_round_trip(pairs):
    method_id = did_key_verification_method(pairs["ed"].public_key)
    assert method_id.startswith("did:key:z6Mk")
    assert public_jwk(resolve_did_key(method_id)) == pairs["ed"].public_jwk()
    assert public_jwk(resolve_did_verification_method(method_id)) == pairs["ed"].public_jwk()


@pytest.mark.parametrize(
    "value",
    [
        "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp#z6MkOther",
        "did:key:zNotAKey",
        "did:key:",
        "did:example:123",
        None,
    ],
)
def test_bad_did_keys_are_refused(value):
    with pytest.raises(InvalidKey):
        resolve_did_key(value)


@pytest.mark.parametrize(
    ("url", "did"),
    [
        ("https://badges.example.org/issuers/abc", DID),
        ("https://badges.example.org/issuers/abc/", DID),
        ("https://badges.example.org", "did:web:badges.example.org"),
        ("https://Badges.Example.org:443/", "did:web:badges.example.org"),
        ("https://badges.example.org:8443/u/alice", "did:web:badges.example.org%3A8443:u:alice"),
        ("https://badges.example.org/issuers/abc/did.json", DID),
        ("https://badges.example.org/.well-known/did.json", "did:web:badges.example.org"),
        ("https://badges.example.org/a%20b/c~d", "did:web:badges.example.org:a%20b:c%7Ed"),
        ("https://bücher.example/x", "did:web:xn--bcher-kva.example:x"),
    ],
)
def test_did_web_for(url, did):
    assert did_web_for(url) == did


@pytest.mark.parametrize(
    ("did", "url"),
    [
        (DID, "https://badges.example.org/issuers/abc/did.json"),
        ("did:web:badges.example.org", "https://badges.example.org/.well-known/did.json"),
        (
            "did:web:badges.example.org%3A8443:u:alice",
            "https://badges.example.org:8443/u/alice/did.json",
        ),
        (DID + "#key-1", "https://badges.example.org/issuers/abc/did.json"),
        ("did:web:badges.example.org:a%20b", "https://badges.example.org/a%20b/did.json"),
    ],
)
def test_did_web_url(did, url):
    assert did_web_url(did) == url


@pytest.mark.parametrize(
    "url",
    [
        "http://badges.example.org/x",
        "https://user@badges.example.org/x",
        "https://badges.example.org/x?y=1",
        "https://badges.example.org/x#frag",
        "https://localhost/x",
        "https://127.0.0.1/x",
        "https://badges.example.org//x",
        "https://badges.example.org/../x",
        "ftp://badges.example.org",
    ],
)
def test_did_web_for_refuses(url):
    with pytest.raises(InvalidDid):
        did_web_for(url)


@pytest.mark.parametrize(
    "did",
    [
        "did:web:",
        "did:web:badges.example.org:..",
        "did:web:badges.example.org:a%2Fb",
        "did:web:badges.example.org%3A99999",
        "did:web:badges.example.org%3Aabc",
        "did:web:bad_host.example",
        "did:web:badges.example.org:a/b",
        "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp",
        "did:web:" + "a" * 3000,
    ],
)
def test_did_web_url_refuses(did):
    with pytest.raises(InvalidDid):
        did_web_url(did)


def test_did_web_document_shape(pairs, document):
    ids = [method["id"] for method in document["verificationMethod"]]
    assert all(method_id.startswith(DID + "#") for method_id in ids)
    assert ids == [
        DID + "#key-1",
        DID + "#key-1-jwk",
        DID + "#key-2",
        DID + "#key-2-jwk",
        DID + "#key-3",
        DID + "#key-3-jwk",
        DID + "#rsa-1",
        DID + "#p256-1",
        DID + "#p256-1-jwk",
    ]
    assert document["@context"] == [
        "https://www.w3.org/ns/did/v1",
        "https://w3id.org/security/multikey/v1",
    ]
    # Retired keys still verify; the compromised one is no longer an assertion method.
    assert document["assertionMethod"] == [i for i in ids if "#key-2" not in i]
    assert all(isinstance(entry, str) for entry in document["assertionMethod"])
    revoked = [m for m in document["verificationMethod"] if "revoked" in m]
    assert {m["revoked"] for m in revoked} == {"2026-06-01T00:00:00Z"}
    rsa_method = document["verificationMethod"][6]
    assert rsa_method["type"] == "JsonWebKey"
    assert rsa_method["publicKeyJwk"]["kid"] == DID + "#rsa-1"
    assert "d" not in rsa_method["publicKeyJwk"]
    multikey = document["verificationMethod"][4]
    assert multikey["type"] == "Multikey"
    assert multikey["publicKeyMultibase"].startswith("z6Mk")
    assert multikey["controller"] == DID


def test_resolve_verification_methods(pairs, document):
    for vm_id, name in [
        (DID + "#key-3", "ed"),
        (DID + "#key-3-jwk", "ed"),
        (DID + "#key-1", "old"),
        (DID + "#rsa-1", "rsa"),
        (DID + "#p256-1-jwk", "p256"),
    ]:
        assert public_jwk(resolve_verification_method(vm_id, document)) == pairs[name].public_jwk()
    assert jwt_kid(DID, ManagedKey("key-3", pairs["ed"].public_key)) == DID + "#key-3-jwk"
    assert jwt_kid(DID, ManagedKey("rsa-1", pairs["rsa"].public_key)) == DID + "#rsa-1"


def test_revoked_method_is_refused_but_describable(pairs, document):
    with pytest.raises(InvalidKey) as info:
        resolve_verification_method(DID + "#key-2", document)
    assert info.value.code == "key.revoked"
    method = describe_verification_method(DID + "#key-2", document)
    assert method.revoked.isoformat() == "2026-06-01T00:00:00+00:00"
    assert public_jwk(method.public_key) == pairs["lost"].public_jwk()


def test_unknown_foreign_or_unauthorised_methods(pairs, document):
    with pytest.raises(InvalidDid):
        resolve_verification_method(DID + "#key-9", document)
    with pytest.raises(InvalidDid):
        resolve_verification_method("did:web:other.example#key-3", document)
    with pytest.raises(InvalidKey) as info:
        resolve_verification_method(DID + "#key-3", document, purpose="authentication")
    assert info.value.code == "key.not_authorised"


def test_relative_ids_and_embedded_methods_in_foreign_documents(pairs):
    multikey = did_key_for(pairs["ed"].public_key).removeprefix("did:key:")
    foreign = {
        "id": "did:web:other.example",
        "verificationMethod": [
            {
                "id": "#k1",
                "type": "Multikey",
                "controller": "did:web:other.example",
                "publicKeyMultibase": multikey,
            }
        ],
        "assertionMethod": [
            "#k1",
            {
                "id": "did:web:other.example#k2",
                "type": "JsonWebKey",
                "controller": "did:web:other.example",
                "publicKeyJwk": pairs["rsa"].public_jwk(),
            },
        ],
    }
    assert public_jwk(resolve_verification_method("did:web:other.example#k1", foreign)) == (
        pairs["ed"].public_jwk()
    )
    assert public_jwk(resolve_verification_method("#k2", foreign)) == pairs["rsa"].public_jwk()
    foreign["verificationMethod"][0]["controller"] = "did:web:attacker.example"
    with pytest.raises(InvalidDid):
        resolve_verification_method("#k1", foreign)


def test_resolve_did_web_through_fetcher(document, pairs):
    requested = []

    def fetch_json(url):
        requested.append(url)
        return document

    key = resolve_did_verification_method(DID + "#key-3", fetch_json=fetch_json)
    assert public_jwk(key) == pairs["ed"].public_jwk()
    assert requested == ["https://badges.example.org/issuers/abc/did.json"]
    with pytest.raises(InvalidDid):
        resolve_did_verification_method(DID + "#key-3")
    with pytest.raises(InvalidDid):
        resolve_did_verification_method(
            "did:web:other.example#key-3", fetch_json=lambda url: document
        )


def test_did_web_document_refuses_did_urls(pairs):
    with pytest.raises(InvalidDid):
        did_web_document(DID + "#key-1", [ManagedKey("key-1", pairs["ed"].public_key)])


def test_did_web_jwks_lists_usable_keys_under_their_jwt_kid(pairs):
    keys = [
        ManagedKey("key-1", pairs["old"].public_key, KeyStatus.RETIRED),
        ManagedKey(
            "key-2", pairs["lost"].public_key, KeyStatus.REVOKED, compromised_at="2026-06-01"
        ),
        ManagedKey("key-3", pairs["ed"].public_key),
        ManagedKey("rsa-1", pairs["rsa"].public_key),
    ]
    document = did_web_jwks(DID, keys)
    assert [key["kid"] for key in document["keys"]] == [
        DID + "#key-1-jwk",
        DID + "#key-3-jwk",
        DID + "#rsa-1",
    ]
    assert all("d" not in key for key in document["keys"])
    with pytest.raises(InvalidDid):
        did_web_jwks(DID + "#x", keys)


def test_did_key_document_for_p256():
    document = did_key_document(P256_VECTOR_DID)
    method = document["verificationMethod"][0]
    assert method["id"] == P256_VECTOR_DID + "#" + P256_VECTOR_DID.removeprefix("did:key:")
    assert (
        public_jwk(resolve_verification_method(method["id"], document), alg=False)["x"]
        == (P256_VECTOR_JWK["x"])
    )


def test_did_web_document_extras(pairs):
    document = did_web_document(
        DID,
        [ManagedKey("key-1", pairs["ed"].public_key)],
        jwk_methods=False,
        also_known_as=["https://badges.example.org/issuers/abc"],
        services=[
            {
                "id": DID + "#profile",
                "type": "LinkedDomains",
                "serviceEndpoint": "https://badges.example.org",
            }
        ],
    )
    assert [m["type"] for m in document["verificationMethod"]] == ["Multikey"]
    assert document["alsoKnownAs"] == ["https://badges.example.org/issuers/abc"]
    assert document["service"][0]["type"] == "LinkedDomains"
