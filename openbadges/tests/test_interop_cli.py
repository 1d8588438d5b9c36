"""The command line against the JavaScript side: `sign` with keys jose made, verified by
Digital Bazaar's libraries and jose; `verify` on credentials those libraries signed.
"""

import copy
import io
import json
import subprocess
import sys

import pytest

from openbadges import cli, did
from openbadges.keys import public_key_from_jwk
from openbadges.tests.test_interop_node import REPO_ROOT, error_text, requires_node, run_batch

pytestmark = requires_node

LEARNER = "did:example:learner-cli"


def credential(issuer_id: str, number: int) -> dict:
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": f"urn:uuid:c1c1c1c1-0000-4000-8000-{number:012d}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Command line — Zoë",
        "issuer": {"id": issuer_id, "type": ["Profile"], "name": "ACME Academy"},
        "validFrom": "2025-03-01T09:00:00Z",
        "credentialSubject": {
            "id": LEARNER,
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://badges.example.eu/achievements/cli",
                "type": ["Achievement"],
                "name": "Command line",
                "description": "Signs and verifies badges from a terminal.",
                "criteria": {"narrative": "Use the command line."},
            },
        },
    }


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def jose_keys() -> dict[str, dict]:
    algorithms = ["EdDSA", "ES256"]
    return dict(
        zip(
            algorithms,
            run_batch([{"op": "generate-jwt-key", "alg": alg} for alg in algorithms]),
            strict=True,
        )
    )


@pytest.fixture(scope="module")
def signed_by_cli(jose_keys, tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("cli")
    outputs = {}
    for alg, method in [("EdDSA", "eddsa-rdfc-2022"), ("ES256", "vc-jwt")]:
        public_key = public_key_from_jwk(jose_keys[alg]["publicJwk"])
        issuer = did.did_key_for(public_key)
        kid = did.did_key_verification_method(public_key)
        (folder / f"{alg}.jwk").write_text(json.dumps(jose_keys[alg]["privateJwk"]))
        (folder / f"{alg}.json").write_text(json.dumps(credential(issuer, len(outputs))))
        code, out, err = run_cli(
            "sign",
            str(folder / f"{alg}.json"),
            "--key",
            str(folder / f"{alg}.jwk"),
            "--method",
            method,
            "--kid",
            kid,
        )
        assert code == 0, err
        outputs[method] = out
    return outputs


def test_js_verifies_what_the_cli_signs(signed_by_cli, jose_keys):
    di, jwt = run_batch(
        [
            {"op": "verify-di", "credential": json.loads(signed_by_cli["eddsa-rdfc-2022"])},
            {
                "op": "verify-jwt",
                "token": signed_by_cli["vc-jwt"].strip(),
                "publicJwk": jose_keys["ES256"]["publicJwk"],
            },
        ]
    )
    assert di["verified"] is True, error_text(di)
    assert jwt["verified"] is True, error_text(jwt)
    assert jwt["header"]["alg"] == "ES256"


@pytest.fixture(scope="module")
def js_signed_files(tmp_path_factory) -> dict:
    (key,) = run_batch([{"op": "generate-ed25519"}])
    (signed,) = run_batch(
        [
            {
                "op": "sign-di",
                "credential": credential(key["did"], 90),
                "seed": key["seed"],
                "verificationMethod": key["verificationMethod"],
            }
        ]
    )
    assert signed["ok"] is True, error_text(signed)
    tampered = copy.deepcopy(signed["credential"])
    tampered["credentialSubject"]["id"] = "did:example:someone-else"
    folder = tmp_path_factory.mktemp("js-signed")
    (folder / "good.json").write_text(json.dumps(signed["credential"]))
    (folder / "tampered.json").write_text(json.dumps(tampered))
    return {"good": folder / "good.json", "tampered": folder / "tampered.json"}


def test_cli_verify_accepts_a_js_signed_credential(js_signed_files):
    # The real entry point, as a person runs it: exit status 0 only for a valid badge.
    completed = subprocess.run(
        [sys.executable, "-m", "openbadges", "verify", "--json", str(js_signed_files["good"])],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    report = json.loads(completed.stdout)
    assert report["valid"] is True
    assert report["format"] == "ob3-di"


def test_cli_verify_refuses_a_tampered_js_signed_credential(js_signed_files):
    code, out, _ = run_cli("verify", "--json", str(js_signed_files["tampered"]))
    assert code != 0
    report = json.loads(out)
    assert report["valid"] is False
    failed = [check["id"] for check in report["checks"] if check["outcome"] == "failed"]
    assert failed == ["proof"]
