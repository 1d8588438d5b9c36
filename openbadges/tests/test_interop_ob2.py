"""OB 2.0 signed assertions (compact JWS, RS256) between our library and `jose`.

Assertions we sign verify with jose; assertions jose signs verify with ours, alone and in the
full OB 2.0 report (issuer profile, CryptographicKey, RevocationList served by a static
fetcher). Tampered, wrongly signed, expired and revoked assertions fail for the right reason.
"""

import base64
import json
import uuid

import pytest

from openbadges import ob2, recipient
from openbadges.errors import ProofError
from openbadges.fetch import StaticFetcher
from openbadges.jws import sign_ob2_assertion, verify_ob2_jws
from openbadges.keys import KeyPair, public_key_from_jwk, public_pem
from openbadges.tests.test_interop_node import error_text, requires_node, run_batch
from openbadges.verify import verify

pytestmark = requires_node

BASE = "https://badges.example.eu/ob2"
ISSUER = f"{BASE}/issuers/acme-academy"
BADGE = f"{BASE}/badgeclasses/data-literacy"
LIST_URL = f"{ISSUER}/revocations"
PYTHON_KEY = f"{BASE}/keys/python"
JS_KEY = f"{BASE}/keys/javascript"
EMAIL = "learner@example.eu"


def assertion(name: str, signer_key_url: str, **changes) -> dict:
    fields = {
        "id": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{signer_key_url}/{name}')}",
        "recipient": recipient.ob2_identity_object(EMAIL, salt="pepper42"),
        "badge": BADGE,
        "issued_on": "2025-03-01T09:00:00Z",
        "verification": ob2.signed_verification(signer_key_url),
        "narrative": "Charts of Zürich's étés — 2024 🎓",
        **changes,
    }
    return ob2.assertion(**fields)


def tamper(token: str) -> str:
    header, payload, signature = token.split(".")
    document = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    document["narrative"] = "Forged."
    forged = base64.urlsafe_b64encode(json.dumps(document).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


EXPIRED = {"issued_on": "2019-01-01T00:00:00Z", "expires": "2020-01-01T00:00:00Z"}


@pytest.fixture(scope="module")
def python_key() -> KeyPair:
    return KeyPair.generate("RSA")


@pytest.fixture(scope="module")
def js_keys() -> dict[str, dict]:
    names = ["issuer", "intruder"]
    results = run_batch([{"op": "generate-jwt-key", "alg": "RS256"} for _ in names])
    return dict(zip(names, results, strict=True))


@pytest.fixture(scope="module")
def cases(python_key, js_keys):
    python_tokens = {
        "valid": sign_ob2_assertion(assertion("valid", PYTHON_KEY), key=python_key),
        "expired": sign_ob2_assertion(assertion("expired", PYTHON_KEY, **EXPIRED), key=python_key),
        "revoked": sign_ob2_assertion(assertion("revoked", PYTHON_KEY), key=python_key),
        "wrong_key": sign_ob2_assertion(
            assertion("wrong_key", PYTHON_KEY), key=KeyPair.generate("RSA")
        ),
    }
    python_tokens["tampered"] = tamper(python_tokens["valid"])

    def js_job(document: dict, signer: str = "issuer", alg: str = "RS256") -> dict:
        return {
            "op": "sign-jws",
            "alg": alg,
            "privateJwk": js_keys[signer]["privateJwk"],
            "payload": document,
        }

    js_jobs = {
        "valid": js_job(assertion("valid", JS_KEY)),
        "expired": js_job(assertion("expired", JS_KEY, **EXPIRED)),
        "revoked": js_job(assertion("revoked", JS_KEY)),
        "wrong_key": js_job(assertion("wrong_key", JS_KEY), signer="intruder"),
    }
    verify_jobs = [
        {"op": "verify-jws", "token": token, "publicJwk": python_key.public_jwk()}
        for token in python_tokens.values()
    ]
    results = run_batch([*js_jobs.values(), *verify_jobs])
    js_tokens = {}
    for name, result in zip(js_jobs, results[: len(js_jobs)], strict=True):
        assert result["ok"] is True, f"{name}: {error_text(result)}"
        js_tokens[name] = result["token"]
    js_tokens["tampered"] = tamper(js_tokens["valid"])
    jose_on_python = dict(zip(python_tokens, results[len(js_jobs) :], strict=True))
    jose_on_js = dict(
        zip(
            js_tokens,
            run_batch(
                [
                    {
                        "op": "verify-jws",
                        "token": token,
                        "publicJwk": js_keys["issuer"]["publicJwk"],
                    }
                    for token in js_tokens.values()
                ]
            ),
            strict=True,
        )
    )
    return {
        "tokens": {"python": python_tokens, "js": js_tokens},
        "jose": {"python": jose_on_python, "js": jose_on_js},
    }


def test_jose_verifies_what_python_signs(cases):
    result = cases["jose"]["python"]["valid"]
    assert result["verified"] is True, error_text(result)
    assert result["header"] == {"alg": "RS256"}
    assert result["payload"]["verification"] == {"type": "SignedBadge", "creator": PYTHON_KEY}
    assert result["payload"]["narrative"] == "Charts of Zürich's étés — 2024 🎓"


@pytest.mark.parametrize("side", ["python", "js"])
@pytest.mark.parametrize("name", ["tampered", "wrong_key"])
def test_jose_refuses_bad_signatures(cases, side, name):
    result = cases["jose"][side][name]
    assert result["verified"] is False
    (error,) = result["errors"]
    assert error["code"] == "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"


def test_python_verifies_what_jose_signs(cases, js_keys):
    document = verify_ob2_jws(
        cases["tokens"]["js"]["valid"],
        public_key=public_key_from_jwk(js_keys["issuer"]["publicJwk"]),
    )
    assert document["verification"]["creator"] == JS_KEY
    assert document["recipient"]["identity"].startswith("sha256$")


@pytest.mark.parametrize("name", ["tampered", "wrong_key"])
def test_python_refuses_bad_jose_signatures(cases, js_keys, name):
    with pytest.raises(ProofError) as caught:
        verify_ob2_jws(
            cases["tokens"]["js"][name],
            public_key=public_key_from_jwk(js_keys["issuer"]["publicJwk"]),
        )
    assert caught.value.code == "jws.signature"


def test_python_refuses_a_jose_es256_assertion():
    # OB 2.0 signed badges are RS256 only; a sound ES256 JWS is still not one.
    (ec_key,) = run_batch([{"op": "generate-jwt-key", "alg": "ES256"}])
    (signed,) = run_batch(
        [
            {
                "op": "sign-jws",
                "alg": "ES256",
                "privateJwk": ec_key["privateJwk"],
                "payload": assertion("es256", JS_KEY),
            }
        ]
    )
    with pytest.raises(ProofError) as caught:
        verify_ob2_jws(signed["token"], public_key=public_key_from_jwk(ec_key["publicJwk"]))
    assert caught.value.code == "jws.algorithm"


@pytest.fixture(scope="module")
def reports(cases, python_key, js_keys):
    js_public = public_key_from_jwk(js_keys["issuer"]["publicJwk"])
    revoked = [cases["tokens"][side]["revoked"] for side in ("python", "js")]
    revoked_ids = [
        json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))["id"] for token in revoked
    ]
    fetcher_documents = {
        ISSUER: ob2.issuer_profile(
            id=ISSUER,
            name="ACME Academy",
            url="https://acme-academy.example.eu",
            email="badges@acme-academy.example.eu",
            public_keys=[PYTHON_KEY, JS_KEY],
            revocation_list=LIST_URL,
        ),
        BADGE: ob2.badge_class(
            id=BADGE,
            name="Data Literacy",
            description="Reads, cleans and charts small tabular data sets.",
            image=f"{BADGE}/image.png",
            criteria={"narrative": "Pass the final assessment."},
            issuer=ISSUER,
        ),
        PYTHON_KEY: ob2.cryptographic_key(
            id=PYTHON_KEY, owner=ISSUER, public_key_pem=python_key.public_pem()
        ),
        JS_KEY: ob2.cryptographic_key(
            id=JS_KEY, owner=ISSUER, public_key_pem=public_pem(js_public)
        ),
        LIST_URL: ob2.revocation_list(
            id=LIST_URL, issuer=ISSUER, revoked=[(i, "Awarded by mistake.") for i in revoked_ids]
        ),
    }
    return {
        (side, name): verify(
            token, fetcher=StaticFetcher(fetcher_documents), expected_recipient=EMAIL
        )
        for side, tokens in cases["tokens"].items()
        for name, token in tokens.items()
    }


def describe(report) -> str:
    return "\n".join(f"{c.id}: {c.outcome}: {c.message}" for c in report.checks)


@pytest.mark.parametrize("side", ["python", "js"])
def test_our_verifier_accepts_signed_assertions_from_both_sides(reports, side):
    report = reports[(side, "valid")]
    assert report.valid, describe(report)
    assert report.format == "ob2-signed"
    assert report.check("proof").outcome == "passed"
    assert report.check("recipient").outcome == "passed"


@pytest.mark.parametrize("side", ["python", "js"])
@pytest.mark.parametrize(
    ("name", "failed_check"),
    [
        ("tampered", "proof"),
        ("wrong_key", "proof"),
        ("expired", "validity.expiry"),
        ("revoked", "status.revocation"),
    ],
)
def test_our_verifier_refuses_bad_assertions_for_the_right_reason(
    reports, side, name, failed_check
):
    report = reports[(side, name)]
    assert not report.valid
    assert [check.id for check in report.failures] == [failed_check], describe(report)
