import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from openbadges.errors import InvalidKey
from openbadges.keys import (
    ALGORITHMS,
    KeyPair,
    algorithm_of,
    b64url_encode,
    jwk_thumbprint,
    jwk_thumbprint_uri,
    jwks,
    public_jwk,
    public_key_from_jwk,
    public_key_from_pem,
    verify_signature,
)

# RFC 7638 §3.1 example key and its thumbprint.
RFC7638_JWK = {
    "kty": "RSA",
    "n": (
        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECP"
        "ebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2Qvzq"
        "Y368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZ"
        "u0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
    ),
    "e": "AQAB",
    "alg": "RS256",
    "kid": "2011-04-29",
}
RFC7638_THUMBPRINT = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"

# RFC 8037 Appendix A.1/A.3: Ed25519 key and its thumbprint.
RFC8037_PRIVATE_JWK = {
    "kty": "OKP",
    "crv": "Ed25519",
    "d": "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
    "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
}
RFC8037_THUMBPRINT = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


@pytest.fixture(scope="module")
def pairs():
    return {algorithm: KeyPair.generate(algorithm) for algorithm in ALGORITHMS}


def test_rfc7638_thumbprint_example():
    assert jwk_thumbprint(RFC7638_JWK) == RFC7638_THUMBPRINT
    assert jwk_thumbprint_uri(RFC7638_JWK) == (
        "urn:ietf:params:oauth:jwk-thumbprint:sha-256:" + RFC7638_THUMBPRINT
    )
    key = public_key_from_jwk({k: v for k, v in RFC7638_JWK.items() if k not in ("alg", "kid")})
    assert public_jwk(key)["kid"] == RFC7638_THUMBPRINT


def test_rfc8037_ed25519_example():
    pair = KeyPair.from_jwk(RFC8037_PRIVATE_JWK)
    assert pair.algorithm == "Ed25519"
    assert pair.thumbprint() == RFC8037_THUMBPRINT
    assert pair.public_jwk()["x"] == RFC8037_PRIVATE_JWK["x"]
    # RFC 8037 A.4: Ed25519 is deterministic, so the JWS signature is known.
    signing_input = b"eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc"
    assert b64url_encode(pair.sign(signing_input)) == (
        "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
    )


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_sign_verify_round_trip(pairs, algorithm):
    pair = pairs[algorithm]
    signature = pair.sign(b"credential bytes")
    assert pair.verify(b"credential bytes", signature)
    assert not pair.verify(b"credential bytez", signature)
    other = KeyPair.generate(algorithm) if algorithm != "RSA" else None
    if other is not None:
        assert not verify_signature(other.public_key, b"credential bytes", signature)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_jwk_round_trip(pairs, algorithm):
    pair = pairs[algorithm]
    public = pair.public_jwk()
    assert public["kid"] == pair.thumbprint() == jwk_thumbprint(public)
    assert public["alg"] == {"Ed25519": "EdDSA", "P-256": "ES256", "RSA": "RS256"}[algorithm]
    assert "d" not in public
    restored = public_key_from_jwk(public)
    assert public_jwk(restored) == public
    private = pair.private_jwk(kid="key-1")
    assert private["kid"] == "key-1"
    again = KeyPair.from_jwk(private)
    assert again.verify(b"x", pair.sign(b"x"))
    assert pair.verify(b"x", again.sign(b"x"))


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_pem_round_trip(pairs, algorithm):
    pair = pairs[algorithm]
    again = KeyPair.from_pem(pair.private_pem(b"storage secret"), b"storage secret")
    assert again.public_jwk() == pair.public_jwk()
    assert public_jwk(public_key_from_pem(pair.public_pem())) == pair.public_jwk()


def test_public_jwk_with_private_material_is_refused(pairs):
    with pytest.raises(InvalidKey) as info:
        public_key_from_jwk(pairs["Ed25519"].private_jwk())
    assert info.value.code == "key.private_material"
    with pytest.raises(InvalidKey):
        jwks([pairs["RSA"].private_jwk()])


def test_jwks_lists_public_keys(pairs):
    document = jwks(pair.public_jwk() for pair in pairs.values())
    assert [key["kty"] for key in document["keys"]] == ["OKP", "EC", "RSA"]


@pytest.mark.parametrize(
    "jwk",
    [
        {"kty": "oct", "k": "c2VjcmV0"},
        {"kty": "OKP", "crv": "X25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
        {"kty": "EC", "crv": "P-384", "x": "AA", "y": "AA"},
        {"kty": "EC", "crv": "P-256", "x": "AAAA", "y": "AAAA"},
        {"kty": "OKP", "crv": "Ed25519", "x": "short"},
        {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo="},
        {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcH+Ro"},
        {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcH!URo"},
        {"kty": "OKP", "crv": "Ed25519"},
        {"kty": "RSA", "n": "AQAB", "e": "AQAB"},
        {"kty": "EC", "crv": "P-256", "x": "A" * 43, "y": "A" * 43},
        "not an object",
    ],
)
def test_bad_jwks_are_refused(jwk):
    with pytest.raises(InvalidKey):
        public_key_from_jwk(jwk)


def test_weak_and_foreign_keys_are_refused():
    with pytest.raises(InvalidKey) as info:
        algorithm_of(rsa.generate_private_key(65537, 1024))  # noqa: S505
    assert info.value.code == "key.too_weak"
    with pytest.raises(InvalidKey):
        KeyPair(ec.generate_private_key(ec.SECP384R1()))
    with pytest.raises(InvalidKey):
        KeyPair.generate("RSA", rsa_bits=1024)
    with pytest.raises(InvalidKey):
        KeyPair.generate("secp256k1")


def test_private_jwk_with_mismatched_public_part_is_refused(pairs):
    private = pairs["Ed25519"].private_jwk()
    stranger = KeyPair(Ed25519PrivateKey.generate()).public_jwk()
    private["x"] = stranger["x"]
    with pytest.raises(InvalidKey) as info:
        KeyPair.from_jwk(private)
    assert info.value.code == "key.mismatch"


def test_es256_signature_is_raw_r_s(pairs):
    signature = pairs["P-256"].sign(b"data")
    assert len(signature) == 64
    assert not verify_signature(pairs["P-256"].public_key, b"data", signature[:-1])
