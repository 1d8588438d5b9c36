"""VC-JWT interop with `jose`, an independent JOSE implementation (EdDSA, ES256, RS256).

JWTs we sign verify with jose (plus the OB 3.0 claim rules in interop/lib/jwt.mjs); JWTs jose
signs, with keys jose generated, verify with ours; tampered, wrongly signed, expired and revoked
tokens fail in both, for the right reason. Node runs three times for the whole module.
"""

import base64
import copy
import json

import pytest

from openbadges import did, keyring, status
from openbadges.errors import ProofError
from openbadges.keys import KeyPair, public_key_from_jwk
from openbadges.tests.test_interop_node import error_text, requires_node, run_batch
from openbadges.vcjwt import sign_vc_jwt, verify_vc_jwt

pytestmark = requires_node

ISSUER = "https://badges.example.eu/issuers/acme-academy"
LIST_URL = f"{ISSUER}/revocations"
LEARNER = "did:example:learner-7f3a"
ALGORITHMS = {"EdDSA": "Ed25519", "ES256": "P-256", "RS256": "RSA"}
EXPIRED = {"validFrom": "2019-01-01T00:00:00Z", "validUntil": "2020-01-01T00:00:00Z"}
NOT_YET_VALID = {"validFrom": "2999-01-01T00:00:00Z", "validUntil": "2999-12-31T00:00:00Z"}


def credential(index: int, **changes) -> dict:
    document = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
            "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
        ],
        "id": f"urn:uuid:7b0c2a52-0000-4000-8000-{index:012d}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Data Literacy — Zoë Ødegård 🎓",
        "issuer": {"id": ISSUER, "type": ["Profile"], "name": "ACME Academy"},
        "validFrom": "2025-03-01T09:00:00Z",
        "validUntil": "2035-03-01T09:00:00Z",
        "credentialSubject": {
            "id": LEARNER,
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://badges.example.eu/achievements/data-literacy",
                "type": ["Achievement"],
                "name": "Data Literacy",
                "description": "Reads, cleans and charts small tabular data sets.",
                "criteria": {"narrative": "Pass the final assessment."},
            },
        },
        "credentialStatus": {"id": LIST_URL, "type": "1EdTechRevocationList"},
    }
    document.update(changes)
    return document


def vc11(document: dict) -> dict:
    legacy = copy.deepcopy(document)
    legacy["@context"] = ["https://www.w3.org/2018/credentials/v1", *legacy["@context"][1:]]
    legacy["issuanceDate"] = legacy.pop("validFrom")
    legacy["expirationDate"] = legacy.pop("validUntil")
    return legacy


def kid_for(owner: str, alg: str) -> str:
    return f"{ISSUER}/keys/{owner}-{alg}"


def tamper(token: str) -> str:
    """Change the credential's name inside a signed token, keeping the original signature."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    target = claims.get("vc", claims)
    target["name"] += " (forged)"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


@pytest.fixture(scope="module")
def python_keys() -> dict[str, KeyPair]:
    keys = {alg: KeyPair.generate(kind) for alg, kind in ALGORITHMS.items()}
    keys["intruder"] = KeyPair.generate("Ed25519")
    return keys


@pytest.fixture(scope="module")
def js_keys() -> dict[str, dict]:
    names = [*ALGORITHMS, "intruder"]
    results = run_batch(
        [
            {"op": "generate-jwt-key", "alg": "EdDSA" if name == "intruder" else name}
            for name in names
        ]
    )
    return dict(zip(names, results, strict=True))


@pytest.fixture(scope="module")
def python_tokens(python_keys) -> dict[str, tuple[str, str]]:
    """name -> (token, algorithm whose public key verifies it)."""
    tokens = {
        f"valid_{alg}": (
            sign_vc_jwt(credential(n), key=python_keys[alg], kid=kid_for("python", alg)),
            alg,
        )
        for n, alg in enumerate(ALGORITHMS)
    }
    tokens["vc11"] = (
        sign_vc_jwt(vc11(credential(10)), key=python_keys["EdDSA"], kid=kid_for("python", "EdDSA")),
        "EdDSA",
    )
    tokens["wrong_key"] = (
        sign_vc_jwt(credential(11), key=python_keys["intruder"], kid=kid_for("python", "EdDSA")),
        "EdDSA",
    )
    tokens["not_yet_valid"] = (
        sign_vc_jwt(
            credential(14, **NOT_YET_VALID),
            key=python_keys["EdDSA"],
            kid=kid_for("python", "EdDSA"),
        ),
        "EdDSA",
    )
    tokens["expired"] = (
        sign_vc_jwt(
            credential(12, **EXPIRED), key=python_keys["RS256"], kid=kid_for("python", "RS256")
        ),
        "RS256",
    )
    tokens["revoked"] = (
        sign_vc_jwt(credential(13), key=python_keys["ES256"], kid=kid_for("python", "ES256")),
        "ES256",
    )
    tokens["tampered"] = (tamper(tokens["valid_EdDSA"][0]), "EdDSA")
    return tokens


@pytest.fixture(scope="module")
def js_tokens(js_keys) -> dict[str, tuple[str, str]]:
    def job(document, alg, signer=None):
        return {
            "op": "sign-jwt",
            "alg": alg,
            "privateJwk": js_keys[signer or alg]["privateJwk"],
            "kid": kid_for("javascript", alg),
            "credential": document,
        }

    jobs = {
        **{f"valid_{alg}": (job(credential(20 + n), alg), alg) for n, alg in enumerate(ALGORITHMS)},
        "vc11": (job(vc11(credential(30)), "EdDSA"), "EdDSA"),
        "wrong_key": (job(credential(31), "EdDSA", signer="intruder"), "EdDSA"),
        "expired": (job(credential(32, **EXPIRED), "RS256"), "RS256"),
        "not_yet_valid": (job(credential(34, **NOT_YET_VALID), "EdDSA"), "EdDSA"),
        "revoked": (job(credential(33), "ES256"), "ES256"),
    }
    results = run_batch([spec for spec, _ in jobs.values()])
    tokens = {}
    for (name, (_, alg)), result in zip(jobs.items(), results, strict=True):
        assert result["ok"] is True, f"{name}: {error_text(result)}"
        tokens[name] = (result["token"], alg)
    tokens["tampered"] = (tamper(tokens["valid_EdDSA"][0]), "EdDSA")
    return tokens


@pytest.fixture(scope="module")
def revocation_list() -> dict:
    return status.revocation_list_document(
        id=LIST_URL,
        issuer=ISSUER,
        revoked=[(credential(13)["id"], "Awarded by mistake."), (credential(33)["id"], None)],
    )


@pytest.fixture(scope="module")
def jose_verdicts(python_keys, js_keys, python_tokens, js_tokens, revocation_list):
    cases = []
    for name, (token, alg) in python_tokens.items():
        cases.append((("python", name), token, python_keys[alg].public_jwk()))
    for name, (token, alg) in js_tokens.items():
        cases.append((("js", name), token, js_keys[alg]["publicJwk"]))
    results = run_batch(
        [
            {
                "op": "verify-jwt",
                "token": token,
                "publicJwk": jwk,
                "documents": {LIST_URL: revocation_list},
            }
            for _, token, jwk in cases
        ]
    )
    return {case: result for (case, *_), result in zip(cases, results, strict=True)}


@pytest.mark.parametrize("name", ["valid_EdDSA", "valid_ES256", "valid_RS256", "vc11"])
def test_jose_verifies_what_python_signs(jose_verdicts, python_tokens, name):
    result = jose_verdicts[("python", name)]
    assert result["verified"] is True, error_text(result)
    assert result["header"]["alg"] == python_tokens[name][1]
    assert result["header"]["typ"] == "JWT"
    assert result["header"]["kid"] == kid_for("python", python_tokens[name][1])
    payload = result["payload"]
    subject = payload.get("vc", payload)
    assert payload["iss"] == ISSUER
    assert payload["sub"] == LEARNER
    assert payload["jti"] == subject["id"]
    assert subject["name"] == "Data Literacy — Zoë Ødegård 🎓"


@pytest.mark.parametrize("name", ["valid_EdDSA", "valid_ES256", "valid_RS256", "vc11"])
def test_jose_verifies_what_jose_signs(jose_verdicts, name):
    result = jose_verdicts[("js", name)]
    assert result["verified"] is True, error_text(result)


@pytest.mark.parametrize("side", ["python", "js"])
@pytest.mark.parametrize(
    ("name", "code", "message"),
    [
        ("tampered", "ERR_JWS_SIGNATURE_VERIFICATION_FAILED", "signature verification failed"),
        ("wrong_key", "ERR_JWS_SIGNATURE_VERIFICATION_FAILED", "signature verification failed"),
        ("expired", "ERR_JWT_EXPIRED", '"exp" claim timestamp check failed'),
        (
            "not_yet_valid",
            "ERR_JWT_CLAIM_VALIDATION_FAILED",
            '"nbf" claim timestamp check failed',
        ),
        ("revoked", None, "is revoked"),
    ],
)
def test_jose_refuses_bad_tokens_for_the_right_reason(jose_verdicts, side, name, code, message):
    result = jose_verdicts[(side, name)]
    assert result["verified"] is False
    assert any(
        error.get("code") == code and message in error["message"]
        for error in result["errors"]
        if code is not None or error["name"] == "CredentialRevoked"
    ), error_text(result)


def js_resolver(js_keys):
    published = {
        kid_for("javascript", alg): public_key_from_jwk(js_keys[alg]["publicJwk"])
        for alg in ALGORITHMS
    }

    def resolve(kid: str):
        return published[kid]

    return resolve


@pytest.mark.parametrize("name", ["valid_EdDSA", "valid_ES256", "valid_RS256", "vc11"])
def test_python_verifies_what_jose_signs(js_keys, js_tokens, name):
    token, alg = js_tokens[name]
    document, header = verify_vc_jwt(token, resolve_public_key=js_resolver(js_keys))
    assert header["alg"] == alg
    assert document["issuer"]["id"] == ISSUER
    assert document["credentialSubject"]["id"] == LEARNER


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("tampered", "jwt.signature"),
        ("wrong_key", "jwt.signature"),
        ("expired", "jwt.expired"),
        ("not_yet_valid", "jwt.not_yet_valid"),
    ],
)
def test_python_refuses_bad_jose_tokens_for_the_right_reason(js_keys, js_tokens, name, code):
    token, _ = js_tokens[name]
    with pytest.raises(ProofError) as caught:
        verify_vc_jwt(token, resolve_public_key=js_resolver(js_keys))
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("tampered", "jwt.signature"),
        ("wrong_key", "jwt.signature"),
        ("expired", "jwt.expired"),
        ("not_yet_valid", "jwt.not_yet_valid"),
    ],
)
def test_python_refuses_its_own_bad_tokens_like_jose(python_keys, python_tokens, name, code):
    token, alg = python_tokens[name]
    with pytest.raises(ProofError) as caught:
        verify_vc_jwt(token, resolve_public_key=lambda kid: python_keys[alg].public_key)
    assert caught.value.code == code


# --- kid pointing into our did:web document ---------------------------------------------------

DID_WEB = did.did_web_for("https://badges.example.eu/issuers/acme-academy")


@pytest.fixture(scope="module")
def did_web_case(python_keys) -> dict:
    """Keys of a did:web issuer, the DID document we publish, and tokens both sides sign."""
    managed = [
        keyring.ManagedKey(f"key-{alg.lower()}", python_keys[alg].public_key) for alg in ALGORITHMS
    ]
    document = did.did_web_document(DID_WEB, managed)
    kids = {alg: did.jwt_kid(DID_WEB, key) for alg, key in zip(ALGORITHMS, managed, strict=True)}
    issued = credential(40, issuer={"id": DID_WEB, "type": ["Profile"], "name": "ACME Academy"})
    python_tokens = {
        alg: sign_vc_jwt(issued, key=python_keys[alg], kid=kids[alg]) for alg in ALGORITHMS
    }
    js_signed = run_batch(
        [
            {
                "op": "sign-jwt",
                "alg": alg,
                "privateJwk": python_keys[alg].private_jwk(),
                "kid": kids[alg],
                "credential": issued,
            }
            for alg in ALGORITHMS
        ]
    )
    js_tokens = {}
    for alg, result in zip(ALGORITHMS, js_signed, strict=True):
        assert result["ok"] is True, error_text(result)
        js_tokens[alg] = result["token"]
    status_documents = {LIST_URL: {"revokedCredentials": []}}
    jwk_set = did.did_web_jwks(DID_WEB, managed)
    verdicts = run_batch(
        [
            {
                "op": "verify-jwt",
                "token": token,
                "documents": {DID_WEB: document, **status_documents},
            }
            for token in python_tokens.values()
        ]
        + [
            {"op": "verify-jwt", "token": token, "jwks": jwk_set, "documents": status_documents}
            for token in python_tokens.values()
        ]
    )
    return {
        "document": document,
        "python_tokens": python_tokens,
        "js_tokens": js_tokens,
        "jose_verdicts": dict(zip(ALGORITHMS, verdicts[: len(ALGORITHMS)], strict=True)),
        "jose_jwks_verdicts": dict(zip(ALGORITHMS, verdicts[len(ALGORITHMS) :], strict=True)),
    }


@pytest.mark.parametrize("alg", list(ALGORITHMS))
def test_jose_finds_our_key_through_the_did_web_document(did_web_case, alg):
    result = did_web_case["jose_verdicts"][alg]
    assert result["verified"] is True, error_text(result)
    assert result["header"]["kid"].startswith(f"{DID_WEB}#")


@pytest.mark.parametrize("alg", list(ALGORITHMS))
def test_jose_finds_our_key_in_the_did_web_jwk_set(did_web_case, alg):
    # jose's own JWK Set lookup (by kid and alg) over the set we serve beside the DID document.
    result = did_web_case["jose_jwks_verdicts"][alg]
    assert result["verified"] is True, error_text(result)


@pytest.mark.parametrize("alg", list(ALGORITHMS))
def test_python_verifies_jose_tokens_naming_our_did_web_keys(did_web_case, alg):
    document = did_web_case["document"]
    credential_back, header = verify_vc_jwt(
        did_web_case["js_tokens"][alg],
        resolve_public_key=lambda kid: did.resolve_verification_method(kid, document),
    )
    assert header["alg"] == alg
    assert credential_back["issuer"]["id"] == DID_WEB


# --- the full verifier's report on tokens from both sides -------------------------------------


@pytest.fixture(scope="module")
def reports(python_keys, js_keys, python_tokens, js_tokens, revocation_list):
    from openbadges.fetch import StaticFetcher
    from openbadges.verify import verify

    published = {kid_for("python", alg): python_keys[alg].public_key for alg in ALGORITHMS}
    published |= {
        kid_for("javascript", alg): public_key_from_jwk(js_keys[alg]["publicJwk"])
        for alg in ALGORITHMS
    }

    def report(token):
        return verify(
            token,
            fetcher=StaticFetcher({LIST_URL: revocation_list}),
            key_resolver=published.__getitem__,
        )

    cases = {("python", name): token for name, (token, _) in python_tokens.items()}
    cases |= {("js", name): token for name, (token, _) in js_tokens.items()}
    return {case: report(token) for case, token in cases.items()}


def describe(report) -> str:
    return "\n".join(f"{c.id}: {c.outcome}: {c.message}" for c in report.checks)


@pytest.mark.parametrize("side", ["python", "js"])
@pytest.mark.parametrize("name", ["valid_EdDSA", "valid_ES256", "valid_RS256", "vc11"])
def test_our_verifier_accepts_tokens_from_both_sides(reports, side, name):
    report = reports[(side, name)]
    assert report.valid, describe(report)
    assert report.format == "ob3-jwt"
    assert report.check("proof").outcome == "passed"


@pytest.mark.parametrize("side", ["python", "js"])
@pytest.mark.parametrize(
    ("name", "failed_check"),
    [
        ("tampered", "proof"),
        ("wrong_key", "proof"),
        ("expired", "validity.expiry"),
        ("not_yet_valid", "validity.not_before"),
        ("revoked", "status.revocation"),
    ],
)
def test_our_verifier_refuses_bad_tokens_for_the_right_reason(reports, side, name, failed_check):
    report = reports[(side, name)]
    assert not report.valid
    assert [check.id for check in report.failures] == [failed_check], describe(report)
