import hashlib
import hmac

import orjson
import pytest

from openbadges.errors import InvalidKey, ProofError
from openbadges.jws import (
    decode_compact,
    decode_ob2_jws_unverified,
    looks_like_compact_jws,
    sign_ob2_assertion,
    verification_creator,
    verify_ob2_jws,
)
from openbadges.keys import KeyPair, b64url_encode

KEY_URL = "https://badges.example.eu/ob2/keys/1"
ASSERTION = {
    "@context": "https://w3id.org/openbadges/v2",
    "type": "Assertion",
    "id": "urn:uuid:4e5c1c2b-9a5e-4d1f-8f0e-2b2f8c3d9a11",
    "recipient": {
        "type": "email",
        "hashed": True,
        "salt": "pepper42",
        "identity": "sha256$1408bb691a5be455ebc2468f3302ca96c4337b8a310aa9b95149eb32e1e69f1c",
    },
    "badge": "https://badges.example.eu/ob2/badgeclasses/data-literacy-basics",
    "verification": {"type": "SignedBadge", "creator": KEY_URL},
    "issuedOn": "2025-03-01T09:00:00Z",
    "narrative": "Réussi ✓",
}


@pytest.fixture(scope="module")
def rsa_key():
    return KeyPair.generate("RSA")


@pytest.fixture(scope="module")
def signed(rsa_key):
    return sign_ob2_assertion(ASSERTION, key=rsa_key)


def resign(header, payload, key=None, secret=None):
    signing_input = b64url_encode(orjson.dumps(header)) + "." + b64url_encode(orjson.dumps(payload))
    if secret is not None:
        signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    else:
        signature = key.sign(signing_input.encode()) if key else b""
    return signing_input + "." + b64url_encode(signature)


def test_round_trip(rsa_key, signed):
    assert looks_like_compact_jws(signed)
    header, payload = decode_ob2_jws_unverified(signed)
    assert header == {"alg": "RS256"}
    assert payload == ASSERTION
    assert verification_creator(payload) == KEY_URL
    assert verify_ob2_jws(signed, public_key=rsa_key.public_key) == ASSERTION
    # The CryptographicKey's publicKeyPem works as well.
    assert verify_ob2_jws(signed, public_key=rsa_key.public_pem()) == ASSERTION


def test_tampering_is_detected(rsa_key, signed):
    head, body, signature = signed.split(".")
    payload = dict(ASSERTION, issuedOn="2020-01-01T00:00:00Z")
    forged_body = b64url_encode(orjson.dumps(payload))
    for token in (
        f"{head}.{forged_body}.{signature}",
        f"{b64url_encode(b'{"alg":"RS256","kid":"x"}')}.{body}.{signature}",
        f"{head}.{body}.{signature[:-6]}AAAAAA",
    ):
        with pytest.raises(ProofError) as info:
            verify_ob2_jws(token, public_key=rsa_key.public_key)
        assert info.value.code == "jws.signature"


def test_wrong_key_is_refused(signed):
    with pytest.raises(ProofError) as info:
        verify_ob2_jws(signed, public_key=KeyPair.generate("RSA").public_key)
    assert info.value.code == "jws.signature"


@pytest.mark.parametrize("alg", ["none", "HS256", "ES256", "RS512", None])
def test_other_algorithms_are_refused(rsa_key, alg):
    header = {"alg": alg}
    if alg == "HS256":
        token = resign(header, ASSERTION, secret=rsa_key.public_pem().encode())
    else:
        token = resign(header, ASSERTION)
    with pytest.raises(ProofError) as info:
        verify_ob2_jws(token, public_key=rsa_key.public_key)
    assert info.value.code == "jws.algorithm"


def test_critical_header_is_refused(rsa_key):
    token = resign({"alg": "RS256", "crit": ["b64"], "b64": False}, ASSERTION, key=rsa_key)
    with pytest.raises(ProofError) as info:
        verify_ob2_jws(token, public_key=rsa_key.public_key)
    assert info.value.code == "jws.header"


def test_non_rsa_keys_are_refused(rsa_key, signed):
    with pytest.raises(InvalidKey):
        sign_ob2_assertion(ASSERTION, key=KeyPair.generate("Ed25519"))
    with pytest.raises(InvalidKey):
        verify_ob2_jws(signed, public_key=KeyPair.generate("P-256").public_key)


def test_hosted_assertions_are_not_signed(rsa_key):
    hosted = dict(ASSERTION, verification={"type": "HostedBadge"})
    with pytest.raises(ProofError) as info:
        sign_ob2_assertion(hosted, key=rsa_key)
    assert info.value.code == "jws.verification"
    token = resign({"alg": "RS256"}, hosted, key=rsa_key)
    with pytest.raises(ProofError) as info:
        verify_ob2_jws(token, public_key=rsa_key.public_key)
    assert info.value.code == "jws.verification"
    with pytest.raises(ProofError):
        sign_ob2_assertion(
            dict(ASSERTION, verification={"type": "SignedBadge", "creator": "http://x/key"}),
            key=rsa_key,
        )


def test_legacy_verify_alias_and_signed_type(rsa_key):
    legacy = {k: v for k, v in ASSERTION.items() if k != "verification"}
    legacy["verify"] = {"type": "signed", "url": KEY_URL}
    token = sign_ob2_assertion(legacy, key=rsa_key)
    assert verify_ob2_jws(token, public_key=rsa_key.public_key)["verify"]["type"] == "signed"
    assert verification_creator(legacy) is None


@pytest.mark.parametrize(
    "token",
    ["", "abc", "a.b", "a.b.c.d", "W10.W10.", "e30.bm90IGpzb24.", "é.é.é", b"\xff", None],
)
def test_malformed_tokens(rsa_key, token):
    assert not looks_like_compact_jws(token) or token in ("W10.W10.", "e30.bm90IGpzb24.")
    with pytest.raises(ProofError) as info:
        decode_compact(token)
    assert info.value.code == "jws.malformed"
    with pytest.raises(ProofError):
        verify_ob2_jws(token, public_key=rsa_key.public_key)
