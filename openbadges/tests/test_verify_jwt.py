"""Verification of OB 3.0 credentials as VC-JWT (EdDSA, ES256, RS256; did:key, did:web, https)."""

import copy
import json
from datetime import UTC, datetime

import pytest

from openbadges import did, keyring, status, vcjwt
from openbadges.keys import KeyPair, b64url_decode, b64url_encode
from openbadges.tests.verify_support import EMAIL, NOW, credential, offline
from openbadges.verify import verify

HOLDER = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
# Tokens are dated as an issuer would date them, not by the clock of the test run.
SIGNED_AT = datetime(2025, 3, 1, 9, 0, 5, tzinfo=UTC)


def sign_jwt(document, **kwargs):
    return vcjwt.sign_vc_jwt(document, issued_at=SIGNED_AT, **kwargs)


def outcomes(report):
    return {check.id: check.outcome for check in report.checks}


@pytest.fixture(scope="module")
def ed25519():
    return KeyPair.generate("Ed25519")


@pytest.fixture(scope="module")
def p256():
    return KeyPair.generate("P-256")


@pytest.fixture(scope="module")
def rsa():
    return KeyPair.generate("RSA")


def subject_credential(issuer, **kwargs):
    document = credential(issuer, **kwargs)
    document["credentialSubject"]["id"] = HOLDER
    return document


def did_key_token(key, **kwargs):
    issuer = did.did_key_for(key.public_key)
    kid = f"{issuer}#{issuer.removeprefix('did:key:')}"
    return sign_jwt(subject_credential(issuer, **kwargs), key=key, kid=kid)


def test_ed25519_did_key_jwt_is_valid(ed25519):
    token = did_key_token(ed25519)
    report = verify(token, fetcher=offline(), now=NOW, expected_recipient=EMAIL)
    assert report.valid, report.failures
    assert report.format == "ob3-jwt"
    assert report.original == token
    assert [c.id for c in report.checks] == [
        "input.parse",
        "jsonld.safe_mode",
        "schema",
        "issuer.key",
        "proof",
        "status.revocation",
        "validity.not_before",
        "validity.expiry",
        "recipient",
    ]
    assert "EdDSA" in report.check("proof").message
    assert "iss" not in report.credential and "jti" not in report.credential


def test_es256_with_an_https_jwk(p256):
    issuer = "https://badges.example.eu/issuers/acme"
    kid = "https://badges.example.eu/issuers/acme/keys/p256.json"
    token = sign_jwt(subject_credential(issuer), key=p256, kid=kid)
    fetcher = offline({kid: p256.public_jwk(kid=kid)})
    report = verify(token, fetcher=fetcher, now=NOW)
    assert report.valid, report.failures
    assert "ES256" in report.check("proof").message
    assert fetcher.requests == [kid]


def test_rs256_with_a_jwks(rsa):
    issuer = "https://badges.example.eu/issuers/acme"
    kid = "https://badges.example.eu/.well-known/jwks.json#rsa-1"
    token = sign_jwt(subject_credential(issuer), key=rsa, kid=kid)
    jwks = {"keys": [rsa.public_jwk(kid="rsa-1")]}
    report = verify(token, fetcher=offline({kid.split("#")[0]: jwks}), now=NOW)
    assert report.valid, report.failures
    assert "RS256" in report.check("proof").message


def test_did_web_jwt(ed25519):
    issuer = "did:web:badges.example.eu:issuers:acme"
    kid = issuer + "#key-1"
    did_document = {
        "@context": ["https://www.w3.org/ns/did/v1"],
        "id": issuer,
        "verificationMethod": [
            {
                "id": kid,
                "type": "JsonWebKey",
                "controller": issuer,
                "publicKeyJwk": ed25519.public_jwk(),
            }
        ],
        "assertionMethod": [kid],
    }
    token = sign_jwt(subject_credential(issuer), key=ed25519, kid=kid)
    report = verify(token, fetcher=offline({did.did_web_url(issuer): did_document}), now=NOW)
    assert report.valid, report.failures


def test_jwt_with_embedded_jwk_of_a_did_key_issuer(ed25519):
    issuer = did.did_key_for(ed25519.public_key)
    token = sign_jwt(subject_credential(issuer), key=ed25519)
    report = verify(token, fetcher=offline(), now=NOW)
    assert report.valid, report.failures


def test_jwt_with_an_embedded_key_unrelated_to_the_issuer_fails(ed25519):
    token = sign_jwt(subject_credential("https://badges.example.eu/issuers/acme"), key=ed25519)
    report = verify(token, fetcher=offline(), now=NOW)
    assert outcomes(report)["issuer.key"] == "failed"
    assert outcomes(report)["proof"] == "failed"


def tamper_payload(token, change):
    header, payload, signature = token.split(".")
    claims = json.loads(b64url_decode(payload))
    change(claims)
    return ".".join([header, b64url_encode(json.dumps(claims).encode()), signature])


def test_tampered_jwt_fails(ed25519):
    token = did_key_token(ed25519)

    def rename(claims):
        claims["credentialSubject"]["achievement"]["name"] = "Rocket Science"

    report = verify(tamper_payload(token, rename), fetcher=offline(), now=NOW)
    assert outcomes(report)["proof"] == "failed"
    assert report.check("proof").code == "jwt.signature"


def test_jwt_signed_by_another_key_fails(ed25519):
    other = KeyPair.generate("Ed25519")
    issuer = did.did_key_for(ed25519.public_key)
    kid = f"{issuer}#{issuer.removeprefix('did:key:')}"
    token = sign_jwt(subject_credential(issuer), key=other, kid=kid)
    report = verify(token, fetcher=offline(), now=NOW)
    assert outcomes(report)["proof"] == "failed"


def test_alg_none_is_refused(ed25519):
    token = did_key_token(ed25519)
    header = json.loads(b64url_decode(token.split(".")[0]))
    header["alg"] = "none"
    forged = b64url_encode(json.dumps(header).encode()) + "." + token.split(".")[1] + "."
    report = verify(forged, fetcher=offline(), now=NOW)
    assert outcomes(report)["proof"] == "failed"
    assert not report.valid


def test_expired_jwt_fails_the_expiry_check_not_the_proof(ed25519):
    token = did_key_token(ed25519, valid_until="2025-12-31T00:00:00Z")
    report = verify(token, fetcher=offline(), now=NOW)
    assert outcomes(report)["proof"] == "passed"
    assert outcomes(report)["validity.expiry"] == "failed"
    assert not report.valid
    assert verify(token, fetcher=offline(), now=datetime(2025, 6, 1, tzinfo=UTC)).valid


def test_not_yet_valid_jwt(ed25519):
    token = did_key_token(ed25519, valid_from="2027-01-01T00:00:00Z")
    report = verify(token, fetcher=offline(), now=NOW)
    assert outcomes(report)["proof"] == "passed"
    assert outcomes(report)["validity.not_before"] == "failed"


def test_claims_inconsistent_with_the_credential_fail(ed25519):
    token = did_key_token(ed25519)

    def move_issuer(claims):
        claims["iss"] = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"

    report = verify(tamper_payload(token, move_issuer), fetcher=offline(), now=NOW)
    assert not report.valid


def test_revoked_jwt_through_a_bitstring_list_signed_as_jwt(ed25519):
    issuer = did.did_key_for(ed25519.public_key)
    kid = f"{issuer}#{issuer.removeprefix('did:key:')}"
    list_url = "https://badges.example.eu/status/jwt"
    bits = status.bitstring_new()
    status.bitstring_put(bits, 3)
    status_list = status.bitstring_status_list_credential(
        id=list_url,
        issuer=issuer,
        valid_from="2025-01-01T00:00:00Z",
        encoded_list=status.bitstring_encode(bits),
    )
    list_token = sign_jwt(status_list, key=ed25519, kid=kid)
    fetcher = offline({list_url: list_token})
    for index, expected in ((3, "failed"), (4, "passed")):
        entry = status.bitstring_entry(list_url=list_url, index=index)
        token = sign_jwt(subject_credential(issuer, status=entry), key=ed25519, kid=kid)
        report = verify(token, fetcher=fetcher, now=NOW)
        assert outcomes(report)["status.revocation"] == expected, report.checks


def test_compromised_key_stops_verifying_jwts_issued_after_the_compromise(ed25519):
    token = did_key_token(ed25519)
    managed = keyring.ManagedKey(
        key_id="key-1",
        public_key=ed25519.public_key,
        status="revoked",
        compromised_at="2025-01-01T00:00:00Z",
    )
    report = verify(token, fetcher=offline(), now=NOW, key_resolver=lambda kid: managed)
    assert outcomes(report)["issuer.key"] == "failed"
    assert "compromise" in report.check("issuer.key").message


def test_vc_1_1_jwt_with_a_vc_claim(ed25519):
    issuer = did.did_key_for(ed25519.public_key)
    kid = f"{issuer}#{issuer.removeprefix('did:key:')}"
    document = subject_credential(issuer)
    document["@context"] = [
        "https://www.w3.org/2018/credentials/v1",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
    ]
    document["issuanceDate"] = document.pop("validFrom")
    document["expirationDate"] = "2025-12-31T00:00:00Z"
    token = sign_jwt(copy.deepcopy(document), key=ed25519, kid=kid)
    report = verify(token, fetcher=offline(), now=datetime(2025, 6, 1, tzinfo=UTC))
    assert report.format == "ob3-jwt"
    assert report.valid, report.failures
    assert report.credential["@context"][0] == "https://www.w3.org/2018/credentials/v1"
    assert outcomes(report)["validity.expiry"] == "passed"
    expired = verify(token, fetcher=offline(), now=NOW)
    assert outcomes(expired)["validity.expiry"] == "failed"


def test_a_token_made_after_the_credential_expired_keeps_a_sound_proof(ed25519):
    issuer = did.did_key_for(ed25519.public_key)
    kid = f"{issuer}#{issuer.removeprefix('did:key:')}"
    document = subject_credential(issuer, valid_until="2025-12-31T00:00:00Z")
    token = vcjwt.sign_vc_jwt(document, key=ed25519, kid=kid, issued_at=NOW)
    report = verify(token, fetcher=offline(), now=NOW)
    assert outcomes(report)["proof"] == "passed"
    assert outcomes(report)["validity.expiry"] == "failed"
