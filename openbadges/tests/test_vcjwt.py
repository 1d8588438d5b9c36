import base64
import hashlib
import hmac
from datetime import UTC, datetime

import orjson
import pytest

from openbadges.did import (
    did_key_for,
    did_key_verification_method,
    did_web_document,
    jwt_kid,
    resolve_verification_method,
)
from openbadges.errors import ProofError
from openbadges.keyring import ManagedKey
from openbadges.keys import KeyPair, b64url_encode, public_jwk
from openbadges.vcjwt import decode_unverified, sign_vc_jwt, verify_vc_jwt, verify_vc_jwt_full

DID_WEB = "did:web:badges.example.org:issuers:acme"
NOW = datetime(2026, 1, 15, tzinfo=UTC)


@pytest.fixture(scope="module")
def pairs():
    return {algorithm: KeyPair.generate(algorithm) for algorithm in ("Ed25519", "P-256", "RSA")}


@pytest.fixture(scope="module")
def did_document(pairs):
    keys = [
        ManagedKey("key-1", pairs["Ed25519"].public_key),
        ManagedKey("p256-1", pairs["P-256"].public_key, "retired"),
        ManagedKey("rsa-1", pairs["RSA"].public_key, "retired"),
    ]
    return did_web_document(DID_WEB, keys)


def web_resolver(document):
    def resolve(kid):
        return resolve_verification_method(kid, document)

    return resolve


def credential(issuer, **extra):
    document = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:2d0b5b0e-4f5f-4b5e-8a39-3c5f4f1c2a10",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "ACME Académie"},
        "validFrom": "2025-03-01T09:00:00Z",
        "name": "Data Literacy Basics",
        "credentialSubject": {
            "id": "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://badges.example.org/achievements/1",
                "type": ["Achievement"],
                "name": "Données ✓",
                "criteria": {"narrative": "Pass the final assessment."},
            },
        },
    }
    document.update(extra)
    return document


def forge(header, payload, key=None, secret=None):
    """Build a compact JWS by hand, to present tokens a correct signer would never make."""
    signing_input = b64url_encode(orjson.dumps(header)) + "." + b64url_encode(orjson.dumps(payload))
    if secret is not None:
        signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    elif key is not None:
        signature = key.sign(signing_input.encode())
    else:
        signature = b""
    return signing_input + "." + b64url_encode(signature)


@pytest.mark.parametrize("algorithm", ["Ed25519", "P-256"])
def test_round_trip_did_key(pairs, algorithm):
    key = pairs[algorithm]
    issuer = did_key_for(key.public_key)
    document = credential(issuer)
    token = sign_vc_jwt(
        document, key=key, kid=did_key_verification_method(key.public_key), issued_at=NOW
    )
    got, header = verify_vc_jwt(token, now=NOW)
    assert got == document
    assert header == {
        "alg": {"Ed25519": "EdDSA", "P-256": "ES256"}[algorithm],
        "kid": did_key_verification_method(key.public_key),
        "typ": "JWT",
    }


@pytest.mark.parametrize(
    ("algorithm", "key_id"), [("Ed25519", "key-1"), ("RSA", "rsa-1"), ("P-256", "p256-1")]
)
def test_round_trip_did_web(pairs, did_document, algorithm, key_id):
    key = pairs[algorithm]
    kid = jwt_kid(DID_WEB, ManagedKey(key_id, key.public_key))
    document = credential(DID_WEB, validUntil="2027-03-01T09:00:00Z")
    token = sign_vc_jwt(document, key=key, kid=kid, issued_at=NOW)
    verified = verify_vc_jwt_full(token, resolve_public_key=web_resolver(did_document), now=NOW)
    assert verified.credential == document
    assert (
        verified.header["alg"] == {"Ed25519": "EdDSA", "P-256": "ES256", "RSA": "RS256"}[algorithm]
    )
    assert verified.claims["iss"] == DID_WEB
    assert verified.claims["jti"] == document["id"]
    assert verified.claims["sub"] == document["credentialSubject"]["id"]
    assert verified.claims["nbf"] == 1740819600
    assert verified.claims["exp"] == 1803891600
    assert verified.claims["iat"] == int(NOW.timestamp())


def test_payload_is_the_credential_with_claims(pairs):
    key = pairs["Ed25519"]
    issuer = did_key_for(key.public_key)
    token = sign_vc_jwt(credential(issuer), key=key, kid=issuer + "#x", issued_at=NOW)
    header, payload = decode_unverified(token)
    assert set(header) == {"alg", "kid", "typ"}
    assert "vc" not in payload
    assert payload["name"] == "Data Literacy Basics"
    assert set(payload) - set(credential(issuer)) == {"iss", "jti", "sub", "nbf", "iat"}


@pytest.fixture(scope="module")
def signed(pairs):
    key = pairs["Ed25519"]
    issuer = did_key_for(key.public_key)
    return sign_vc_jwt(
        credential(issuer, validUntil="2026-03-01T00:00:00Z"),
        key=key,
        kid=did_key_verification_method(key.public_key),
        issued_at=datetime(2025, 3, 1, 9, tzinfo=UTC),
    )


def test_tampered_payload_is_refused(signed):
    _, payload = decode_unverified(signed)
    payload["credentialSubject"]["achievement"]["name"] = "Something else"
    head, _, signature = signed.split(".")
    token = ".".join([head, b64url_encode(orjson.dumps(payload)), signature])
    with pytest.raises(ProofError) as info:
        verify_vc_jwt(token, now=NOW)
    assert info.value.code == "jwt.signature"


def test_tampered_header_is_refused(signed):
    header, _ = decode_unverified(signed)
    header["typ"] = "vc+jwt"
    _, body, signature = signed.split(".")
    token = ".".join([b64url_encode(orjson.dumps(header)), body, signature])
    with pytest.raises(ProofError) as info:
        verify_vc_jwt(token, now=NOW)
    assert info.value.code == "jwt.signature"


def test_tampered_signature_is_refused(signed):
    head, body, signature = signed.split(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=="))
    raw[10] ^= 1
    with pytest.raises(ProofError) as info:
        verify_vc_jwt(".".join([head, body, b64url_encode(bytes(raw))]), now=NOW)
    assert info.value.code == "jwt.signature"
    with pytest.raises(ProofError):
        verify_vc_jwt(".".join([head, body, signature[:-4]]), now=NOW)


@pytest.mark.parametrize("alg", ["none", "HS256", "RS512", "ES256K", None])
def test_unsafe_algorithms_are_refused(pairs, signed, alg):
    header, payload = decode_unverified(signed)
    header["alg"] = alg
    if alg == "HS256":
        # The classic confusion attack: an HMAC keyed with the public key's bytes.
        secret = orjson.dumps(public_jwk(pairs["Ed25519"].public_key))
        token = forge(header, payload, secret=secret)
    else:
        token = forge(header, payload)
    with pytest.raises(ProofError) as info:
        verify_vc_jwt(token, now=NOW)
    assert info.value.code == "jwt.algorithm"


def test_algorithm_must_match_the_key(pairs, did_document):
    header, payload = decode_unverified(
        sign_vc_jwt(
            credential(DID_WEB),
            key=pairs["RSA"],
            kid=DID_WEB + "#rsa-1",
            issued_at=NOW,
        )
    )
    header["kid"] = DID_WEB + "#key-1"
    token = forge(header, payload, key=pairs["RSA"])
    with pytest.raises(ProofError) as info:
        verify_vc_jwt(token, resolve_public_key=web_resolver(did_document), now=NOW)
    assert info.value.code == "jwt.algorithm"


def test_wrong_key_is_refused(pairs, did_document):
    other = KeyPair.generate("Ed25519")
    token = sign_vc_jwt(credential(DID_WEB), key=other, kid=DID_WEB + "#key-1-jwk", issued_at=NOW)
    with pytest.raises(ProofError) as info:
        verify_vc_jwt(token, resolve_public_key=web_resolver(did_document), now=NOW)
    assert info.value.code == "jwt.signature"


def test_unknown_kid_is_refused(pairs, did_document):
    token = sign_vc_jwt(
        credential(DID_WEB), key=pairs["Ed25519"], kid=DID_WEB + "#key-9", issued_at=NOW
    )
    with pytest.raises(ProofError) as info:
        verify_vc_jwt(token, resolve_public_key=web_resolver(did_document), now=NOW)
    assert info.value.code == "jwt.key"
    with pytest.raises(ProofError):
        verify_vc_jwt(token, now=NOW)


def test_key_of_another_did_is_refused(pairs):
    key = pairs["Ed25519"]
    _, payload = decode_unverified(
        sign_vc_jwt(credential(DID_WEB), key=key, kid=DID_WEB + "#key-1-jwk", issued_at=NOW)
    )
    header = {"alg": "EdDSA", "kid": did_key_verification_method(key.public_key), "typ": "JWT"}
    with pytest.raises(ProofError) as info:
        verify_vc_jwt(forge(header, payload, key=key), now=NOW)
    assert info.value.code == "jwt.key_provenance"


def test_expired_and_not_yet_valid(signed):
    verify_vc_jwt(signed, now="2026-02-28T23:59:00Z")
    with pytest.raises(ProofError) as info:
        verify_vc_jwt(signed, now="2026-03-01T00:01:01Z")
    assert info.value.code == "jwt.expired"
    with pytest.raises(ProofError) as info:
        verify_vc_jwt(signed, now="2025-03-01T08:58:00Z")
    assert info.value.code == "jwt.not_yet_valid"
    # Within the leeway for clock skew.
    verify_vc_jwt(signed, now="2025-03-01T08:59:30Z")
    # A caller that reports dates itself can leave the clock out, not the consistency.
    verified = verify_vc_jwt_full(signed, now="2030-01-01T00:00:00Z", check_dates=False)
    assert verified.claims["exp"] == 1772323200


@pytest.mark.parametrize(
    ("claim", "value"),
    [
        ("iss", "did:web:evil.example"),
        ("jti", "urn:uuid:other"),
        ("sub", "did:example:someone-else"),
        ("nbf", 1740819601),
        ("exp", 1772323201),
        ("nbf", "2025-03-01"),
    ],
)
def test_claims_must_match_the_credential(pairs, signed, claim, value):
    header, payload = decode_unverified(signed)
    payload[claim] = value
    if claim == "iss":
        header["kid"] = value + "#key-1"
    token = forge(header, payload, key=pairs["Ed25519"])
    with pytest.raises(ProofError) as info:
        verify_vc_jwt(token, now=NOW, resolve_public_key=lambda kid: pairs["Ed25519"].public_key)
    assert info.value.code == "jwt.claims"
    with pytest.raises(ProofError):
        verify_vc_jwt_full(
            token,
            resolve_public_key=lambda kid: pairs["Ed25519"].public_key,
            check_dates=False,
        )


def test_missing_exp_for_a_credential_with_valid_until(pairs, signed):
    header, payload = decode_unverified(signed)
    del payload["exp"]
    with pytest.raises(ProofError) as info:
        verify_vc_jwt(forge(header, payload, key=pairs["Ed25519"]), now=NOW)
    assert info.value.code == "jwt.claims"


@pytest.mark.parametrize("typ", ["vc+jwt", "application/vc+ld+json+jwt", "jwt"])
def test_accepted_types(pairs, signed, typ):
    header, payload = decode_unverified(signed)
    header["typ"] = typ
    verify_vc_jwt(forge(header, payload, key=pairs["Ed25519"]), now=NOW)
    del header["typ"]
    verify_vc_jwt(forge(header, payload, key=pairs["Ed25519"]), now=NOW)


@pytest.mark.parametrize(
    ("change", "code"),
    [({"typ": "at+jwt"}, "jwt.type"), ({"crit": ["exp"]}, "jwt.header"), ({"kid": 5}, "jwt.key")],
)
def test_refused_headers(pairs, signed, change, code):
    header, payload = decode_unverified(signed)
    header.update(change)
    with pytest.raises(ProofError) as info:
        verify_vc_jwt(forge(header, payload, key=pairs["Ed25519"]), now=NOW)
    assert info.value.code == code


def test_embedded_jwk_only_counts_for_a_did_key_issuer(pairs):
    key = pairs["P-256"]
    token = sign_vc_jwt(credential(did_key_for(key.public_key)), key=key, issued_at=NOW)
    header, _ = decode_unverified(token)
    assert header["kid"].startswith("urn:ietf:params:oauth:jwk-thumbprint:sha-256:")
    assert "d" not in header["jwk"]
    verify_vc_jwt(token, now=NOW)
    # Anyone can put their own key in a token: it must not vouch for an https issuer.
    forged = sign_vc_jwt(credential("https://badges.example.org/issuers/acme"), key=key)
    with pytest.raises(ProofError) as info:
        verify_vc_jwt(forged, now=NOW)
    assert info.value.code == "jwt.key_provenance"


def test_private_jwk_header_is_refused(pairs):
    key = pairs["Ed25519"]
    issuer = did_key_for(key.public_key)
    header = {"alg": "EdDSA", "jwk": key.private_jwk()}
    _, payload = decode_unverified(sign_vc_jwt(credential(issuer), key=key, issued_at=NOW))
    with pytest.raises(ProofError) as info:
        verify_vc_jwt(forge(header, payload, key=key), now=NOW)
    assert info.value.code == "jwt.key"


def test_vc_1_1_token_with_vc_claim(pairs):
    key = pairs["Ed25519"]
    issuer = did_key_for(key.public_key)
    legacy = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": "Profile", "name": "Legacy"},
        "issuanceDate": "2024-01-01T00:00:00Z",
        "name": "Legacy badge",
        "credentialSubject": {"type": "AchievementSubject"},
    }
    payload = {
        "iss": issuer,
        "sub": "did:example:learner",
        "jti": "urn:uuid:legacy",
        "nbf": 1704067200,
        "vc": legacy,
    }
    token = forge({"alg": "EdDSA", "kid": issuer + "#" + issuer[8:]}, payload, key=key)
    got, _ = verify_vc_jwt(token, now=NOW)
    assert got["id"] == "urn:uuid:legacy"
    assert got["credentialSubject"]["id"] == "did:example:learner"
    # Our own signer writes VC 1.1 credentials the same way.
    ours = sign_vc_jwt(
        {**legacy, "id": "urn:uuid:x", "credentialSubject": {"id": "did:example:learner"}},
        key=key,
        kid=issuer + "#" + issuer[8:],
        issued_at=NOW,
    )
    assert "vc" in decode_unverified(ours)[1]
    verify_vc_jwt(ours, now=NOW)
    # A VC 2.0 credential must not hide in a vc claim.
    payload["vc"] = credential(issuer)
    with pytest.raises(ProofError):
        verify_vc_jwt(forge({"alg": "EdDSA", "kid": issuer + "#" + issuer[8:]}, payload, key=key))


@pytest.mark.parametrize(
    "token",
    [
        "",
        "a.b",
        "a.b.c.d",
        "e30.e30.",
        "not a token at all",
        "eyJhbGciOiJFZERTQSJ9.bm90IGpzb24.c2ln",
        "W10.e30.c2ln",
        b"\xff\xfe",
        42,
    ],
)
def test_malformed_tokens_are_refused(token):
    with pytest.raises(ProofError) as info:
        verify_vc_jwt(token)
    assert info.value.code in {"jwt.malformed", "jwt.algorithm"}


def test_signing_needs_the_claims_sources(pairs):
    key = pairs["Ed25519"]
    issuer = did_key_for(key.public_key)
    no_subject_id = credential(issuer)
    del no_subject_id["credentialSubject"]["id"]
    with pytest.raises(ProofError) as info:
        sign_vc_jwt(no_subject_id, key=key, kid=issuer + "#k")
    assert "credentialSubject.id" in info.value.message
    for missing in ("id", "validFrom", "issuer"):
        broken = credential(issuer)
        del broken[missing]
        with pytest.raises(ProofError):
            sign_vc_jwt(broken, key=key, kid=issuer + "#k")
    with pytest.raises(ProofError):
        sign_vc_jwt(credential(issuer, iss="x"), key=key, kid=issuer + "#k")


def test_relative_kid_names_a_method_of_the_issuer(pairs, did_document):
    token = sign_vc_jwt(
        credential(DID_WEB), key=pairs["Ed25519"], kid=DID_WEB + "#key-1-jwk", issued_at=NOW
    )
    header, payload = decode_unverified(token)
    header["kid"] = "#key-1-jwk"
    relative = forge(header, payload, key=pairs["Ed25519"])
    seen = []

    def resolve(kid):
        seen.append(kid)
        return resolve_verification_method(kid, did_document)

    verify_vc_jwt(relative, resolve_public_key=resolve, now=NOW)
    assert seen == [DID_WEB + "#key-1-jwk"]


def test_signing_with_another_did_s_key_is_refused(pairs):
    with pytest.raises(ProofError) as info:
        sign_vc_jwt(credential(DID_WEB), key=pairs["Ed25519"], kid="did:web:other.example#key-1")
    assert info.value.code == "jwt.key_provenance"
