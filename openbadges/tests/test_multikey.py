import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from openbadges.errors import InvalidKey
from openbadges.keys import KeyPair, public_jwk, public_key_from_jwk
from openbadges.multikey import (
    decode_public_multikey,
    decode_secret_multikey,
    encode_public_multikey,
    encode_secret_multikey,
    multikey_document,
)

# w3c-ccg/did-method-key test-vectors/ed25519-x25519.json (seed of 32 zero bytes).
ED25519_SEED_ZERO_MULTIKEY = "z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
# w3c-ccg/did-method-key test-vectors/nist-curves.json (first P-256 key).
P256_VECTOR_JWK = {
    "kty": "EC",
    "crv": "P-256",
    "x": "igrFmi0whuihKnj9R3Om1SoMph72wUGeFaBbzG2vzns",
    "y": "efsX5b10x8yjyrj4ny3pGfLcY7Xby1KzgqOdqnsrJIM",
}
P256_VECTOR_MULTIKEY = "zDnaerx9CtbPJ1q36T5Ln5wYt3MQYeGRG5ehnPAmxcf5mDZpv"


def test_ed25519_vector():
    key = Ed25519PrivateKey.from_private_bytes(bytes(32)).public_key()
    assert encode_public_multikey(key) == ED25519_SEED_ZERO_MULTIKEY


def test_p256_vector_uses_compressed_point():
    key = public_key_from_jwk(P256_VECTOR_JWK)
    assert encode_public_multikey(key) == P256_VECTOR_MULTIKEY
    decoded = decode_public_multikey(P256_VECTOR_MULTIKEY)
    assert public_jwk(decoded, alg=False)["x"] == P256_VECTOR_JWK["x"]
    assert public_jwk(decoded, alg=False)["y"] == P256_VECTOR_JWK["y"]


@pytest.mark.parametrize("algorithm", ["Ed25519", "P-256"])
def test_round_trip(algorithm):
    pair = KeyPair.generate(algorithm)
    value = encode_public_multikey(pair.public_key)
    assert value.startswith({"Ed25519": "z6Mk", "P-256": "zDn"}[algorithm])
    assert public_jwk(decode_public_multikey(value)) == pair.public_jwk()
    secret = encode_secret_multikey(pair.private_key)
    assert secret.startswith({"Ed25519": "z3u2", "P-256": "z42t"}[algorithm])
    restored = KeyPair(decode_secret_multikey(secret))
    assert restored.public_jwk() == pair.public_jwk()


def test_rsa_has_no_multikey_form():
    with pytest.raises(InvalidKey):
        encode_public_multikey(KeyPair.generate("RSA").public_key)


@pytest.mark.parametrize(
    "value",
    [
        "6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp",  # no multibase prefix
        "uO0BAQ",  # base64url multibase is not allowed for Multikey
        "z0OIl",  # not base58
        "z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDoo",  # truncated
        "z" + "1" * 200,  # oversized
        "zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme",  # secp256k1: unsupported
        12,
    ],
)
def test_malformed_values_are_refused(value):
    with pytest.raises(InvalidKey):
        decode_public_multikey(value)


def test_secret_key_is_not_read_as_public():
    secret = encode_secret_multikey(Ed25519PrivateKey.generate())
    with pytest.raises(InvalidKey):
        decode_public_multikey(secret)


def test_multikey_document():
    key = Ed25519PrivateKey.from_private_bytes(bytes(32)).public_key()
    document = multikey_document(
        key, id="https://example.edu/keys/1", controller="https://example.edu/issuers/1"
    )
    assert document == {
        "@context": "https://w3id.org/security/multikey/v1",
        "id": "https://example.edu/keys/1",
        "type": "Multikey",
        "controller": "https://example.edu/issuers/1",
        "publicKeyMultibase": ED25519_SEED_ZERO_MULTIKEY,
    }
