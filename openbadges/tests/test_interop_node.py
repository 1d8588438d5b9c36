"""The Node.js side of the interop tests: how to run it, and that it runs where it must.

The other `test_interop_*` modules import `run_node` and `requires_node` from here. Each of them
starts node once or twice with a batch of jobs (see interop/README.md), never once per case.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any, NamedTuple

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
INTEROP_DIR = REPO_ROOT / "interop"
NODE_MODULES = REPO_ROOT / "node_modules"
NODE = shutil.which("node")

# One package per library family the scripts import; if these are there, `npm ci` ran.
_REQUIRED_PACKAGES = (
    "@digitalbazaar/vc",
    "@digitalbazaar/eddsa-rdfc-2022-cryptosuite",
    "@digitalbazaar/ed25519-signature-2020",
    "jose",
)
NODE_READY = NODE is not None and all(
    (NODE_MODULES / package / "package.json").is_file() for package in _REQUIRED_PACKAGES
)
NOT_READY_REASON = (
    "The JavaScript interop libraries are not installed (node and node_modules/ are needed): "
    "run `npm ci` in the repository root, or `./dev setup`."
)

requires_node = pytest.mark.skipif(not NODE_READY, reason=NOT_READY_REASON)


class NodeRun(NamedTuple):
    returncode: int
    output: Any


def run_node(script: str, jobs: Any, *, timeout: float = 120) -> NodeRun:
    """Run one interop script with a job or a batch of jobs; return its exit code and JSON."""
    completed = subprocess.run(
        [NODE, str(INTEROP_DIR / script)],
        input=json.dumps(jobs),
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO_ROOT,
        check=False,
    )
    if completed.returncode not in (0, 1, 2) or not completed.stdout.strip():
        raise AssertionError(
            f"node {script} crashed (exit {completed.returncode}):\n{completed.stderr}"
        )
    return NodeRun(completed.returncode, json.loads(completed.stdout))


def run_batch(jobs: list[dict]) -> list[dict]:
    """Run a mixed batch through interop/run.mjs; every job must at least have been usable."""
    run = run_node("run.mjs", jobs)
    assert run.returncode in (0, 1), run.output
    assert len(run.output) == len(jobs)
    return run.output


def error_names(result: dict) -> list[str]:
    return [error["name"] for error in result["errors"]]


def error_text(result: dict) -> str:
    return "\n".join(f"{error['name']}: {error['message']}" for error in result["errors"])


def test_interop_libraries_are_installed_in_ci():
    # CI must really run the interop tests: a missing `npm ci` would otherwise turn every one
    # of them into a quiet skip.
    if os.environ.get("CI", "").lower() != "true" and not NODE_READY:
        pytest.skip(NOT_READY_REASON)
    assert NODE_READY, NOT_READY_REASON
    version = subprocess.run([NODE, "--version"], capture_output=True, text=True, check=True)
    assert int(version.stdout.strip().lstrip("v").split(".")[0]) >= 20


@requires_node
def test_unreadable_input_exits_with_2():
    completed = subprocess.run(
        [NODE, str(INTEROP_DIR / "verify-di.mjs")],
        input="{not json",
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        check=False,
    )
    assert completed.returncode == 2
    result = json.loads(completed.stdout)
    assert result["inputError"] is True
    assert result["errors"][0]["name"] == "SyntaxError"


@requires_node
def test_unusable_jobs_are_named_and_exit_with_2():
    run = run_node(
        "run.mjs",
        [
            {"op": "generate-ed25519"},
            {"op": "no-such-operation"},
            {
                "op": "sign-di",
                "credential": {},
                "seed": "12",
                "verificationMethod": "https://badges.example.eu/issuers/1#key-1",
            },
            {"op": "sign-di", "credential": {}, "seed": "12", "verificationMethod": "key-1"},
            {"op": "sign-jwt", "alg": "HS256", "privateJwk": {}},
        ],
    )
    assert run.returncode == 2
    generated, unknown, bad_seed, bad_method, bad_alg = run.output
    assert generated["ok"] is True
    assert generated["did"] == f"did:key:{generated['publicKeyMultibase']}"
    assert generated["publicKeyMultibase"].startswith("z6Mk")
    assert 'Unknown "op"' in unknown["errors"][0]["message"]
    assert "64 hexadecimal" in bad_seed["errors"][0]["message"]
    assert "URL or DID URL of the signing key" in bad_method["errors"][0]["message"]
    assert "EdDSA, ES256, RS256" in bad_alg["errors"][0]["message"]
    assert all(result["inputError"] for result in (unknown, bad_seed, bad_method, bad_alg))


@requires_node
def test_loader_refuses_documents_it_does_not_hold():
    did = "did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
    credential = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "urn:uuid:0d0b5cde-6c6f-4bb5-9d58-3c7a3b1b0a01",
        "type": ["VerifiableCredential"],
        "issuer": did,
        "validFrom": "2025-03-01T09:00:00Z",
        "credentialSubject": {"id": "did:example:learner"},
        "proof": {
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-rdfc-2022",
            "created": "2025-03-01T09:00:05Z",
            "verificationMethod": "https://example.org/keys/1",
            "proofPurpose": "assertionMethod",
            "proofValue": "z3MvGcVxzRzzpKF1HA11EjvfPZsN8NAb7kXBRfeTm3CBg2gcJLQM5hZNmj6Ccd9Lk4C1Yu",
        },
    }
    unknown_context = {
        **credential,
        "@context": [*credential["@context"], "https://example.org/unknown-context"],
        "proof": {**credential["proof"], "verificationMethod": f"{did}#{did[8:]}"},
    }
    run = run_node("verify-di.mjs", [{"credential": credential}, {"credential": unknown_context}])
    assert run.returncode == 1
    unknown_key, unknown_context = run.output
    assert unknown_key["verified"] is False
    assert "OfflineDocumentNotFound" in error_names(unknown_key)
    assert '"https://example.org/keys/1" is not available' in error_text(unknown_key)
    assert unknown_context["verified"] is False
    assert "OfflineDocumentNotFound" in error_names(unknown_context)
    assert "https://example.org/unknown-context" in error_text(unknown_context)


@requires_node
def test_bundled_contexts_match_the_npm_context_packages():
    # Canonical forms depend on every byte of meaning in a context: the copies the Python library
    # bundles must say what the JavaScript libraries' own packages say.
    (result,) = run_batch([{"op": "npm-contexts"}])
    npm_contexts = result["contexts"]
    contexts_dir = REPO_ROOT / "openbadges" / "contexts"
    index = json.loads((contexts_dir / "index.json").read_text(encoding="utf-8"))
    shared = sorted(set(index) & set(npm_contexts))
    assert "https://www.w3.org/ns/credentials/v2" in shared
    assert "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json" in shared
    for url in shared:
        ours = json.loads((contexts_dir / index[url]).read_text(encoding="utf-8"))
        theirs = npm_contexts[url]
        if url == "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json":
            # 1EdTech added the `jti` term to 3.0.3 in place after the npm package was cut;
            # nothing else may differ.
            extra = set(ours["@context"]) - set(theirs["@context"])
            assert extra == {"jti"}
            ours = {"@context": {k: v for k, v in ours["@context"].items() if k != "jti"}}
        assert ours == theirs, url
