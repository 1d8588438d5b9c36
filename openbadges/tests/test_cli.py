"""The command line: verify, bake, unbake, sign; exit codes 0 / 1 / 2."""

import io
import json
import subprocess
import sys
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PIL import Image

from openbadges import did
from openbadges.cli import main
from openbadges.keys import KeyPair
from openbadges.tests.verify_support import EMAIL, credential, did_key_of, fixed_key, sign

KEY = fixed_key("issuer")
ISSUER, METHOD = did_key_of(KEY)
NOW = "2026-01-15T12:00:00Z"
ROOT = Path(__file__).resolve().parents[2]


def run(*argv, stdin=None):
    out, err = io.StringIO(), io.StringIO()
    if stdin is not None:
        old = sys.stdin
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin))
        try:
            code = main(list(argv), stdout=out, stderr=err)
        finally:
            sys.stdin = old
    else:
        code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    signed = sign(credential(ISSUER), KEY, METHOD)
    (folder / "valid.json").write_text(json.dumps(signed))
    tampered = json.loads(json.dumps(signed))
    tampered["name"] = "Something else"
    (folder / "tampered.json").write_text(json.dumps(tampered))
    unsigned = credential(ISSUER)
    unsigned["credentialSubject"]["id"] = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    (folder / "unsigned.json").write_text(json.dumps(unsigned))
    pair = KeyPair.from_jwk(KeyPair(KEY).private_jwk())
    (folder / "key.jwk").write_text(json.dumps(pair.private_jwk()))
    (folder / "public.jwk").write_text(json.dumps(pair.public_jwk()))
    (folder / "p256.jwk").write_text(json.dumps(KeyPair.generate("P-256").private_jwk()))
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "navy").save(buffer, format="PNG")
    (folder / "image.png").write_bytes(buffer.getvalue())
    (folder / "image.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4">'
        '<rect width="4" height="4"/></svg>'
    )
    (folder / "notes.txt").write_text("not an image")
    return folder


# -- verify -------------------------------------------------------------------------------------


def test_verify_a_valid_file(files):
    code, out, _ = run("verify", str(files / "valid.json"), "--now", NOW, "--recipient", EMAIL)
    assert code == 0
    assert "[PASS] proof" in out
    assert "[PASS] recipient" in out
    assert "Badge:  Data Literacy Basics" in out
    assert out.rstrip().endswith("VALID")


def test_verify_json_output(files):
    code, out, _ = run("verify", str(files / "valid.json"), "--json", "--now", NOW)
    assert code == 0
    report = json.loads(out)
    assert report["valid"] is True
    assert report["format"] == "ob3-di"
    assert {c["id"] for c in report["checks"]} >= {"proof", "schema", "jsonld.safe_mode"}


def test_verify_an_invalid_file_exits_1(files):
    code, out, _ = run("verify", str(files / "tampered.json"), "--now", NOW)
    assert code == 1
    assert "[FAIL] proof" in out
    assert out.rstrip().endswith("NOT VALID")


def test_verify_a_wrong_recipient_exits_1(files):
    code, _, _ = run("verify", str(files / "valid.json"), "--now", NOW, "--recipient", "x@y.z")
    assert code == 1


def test_verify_expired_as_of_a_later_date(files):
    code, _, _ = run("verify", str(files / "valid.json"), "--now", "2024-01-01T00:00:00Z")
    assert code == 1


def test_verify_from_standard_input(files):
    data = (files / "valid.json").read_bytes()
    code, out, _ = run("verify", "-", "--now", NOW, stdin=data)
    assert code == 0, out


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["verify"],
        ["frobnicate"],
        ["verify", "/nonexistent/badge.json"],
        ["verify", "x.json", "--now", "soon"],
        ["verify", "x.json", "--timeout", "0"],
        ["bake", "a.png", "b.json"],
        ["sign", "c.json", "--key", "k.jwk", "--method", "rsa", "--kid", "x"],
    ],
)
def test_usage_errors_exit_2(argv, files):
    code, _, _ = run(*argv)
    assert code == 2


def test_help_exits_0(capsys):
    code, _, _ = run("--help")
    assert code == 0
    assert "verify" in capsys.readouterr().out


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


def test_verify_a_url_needs_allow_private_for_a_local_server(files):
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(files)))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/valid.json"
        code, out, _ = run("verify", url, "--now", NOW)
        assert code == 1
        assert "loopback" in out
        code, out, _ = run("verify", url, "--now", NOW, "--allow-private", "--timeout", "5")
        assert code == 0, out
    finally:
        server.shutdown()
        server.server_close()


# -- bake / unbake ------------------------------------------------------------------------------


@pytest.mark.parametrize("image", ["image.png", "image.svg"])
def test_bake_and_unbake_round_trip(files, tmp_path, image):
    baked = tmp_path / f"baked-{image}"
    code, out, _ = run("bake", str(files / image), str(files / "valid.json"), "-o", str(baked))
    assert code == 0
    assert "3.0" in out
    code, out, _ = run("unbake", str(baked))
    assert code == 0
    assert json.loads(out) == json.loads((files / "valid.json").read_text())
    code, out, _ = run("unbake", str(baked), "--json")
    assert json.loads(out)["kind"] == "ob3"
    code, out, _ = run("verify", str(baked), "--now", NOW)
    assert code == 0, out


def test_bake_an_ob2_url(files, tmp_path):
    (tmp_path / "url.txt").write_text("https://badges.example.eu/ob2/assertions/1\n")
    baked = tmp_path / "baked.png"
    code, out, _ = run(
        "bake", str(files / "image.png"), str(tmp_path / "url.txt"), "-o", str(baked)
    )
    assert code == 0
    assert "2.0" in out
    code, out, _ = run("unbake", str(baked), "--json")
    assert json.loads(out) == {
        "kind": "ob2",
        "form": "url",
        "image_type": "png",
        "text": "https://badges.example.eu/ob2/assertions/1",
    }


def test_bake_refuses_what_is_no_image(files, tmp_path):
    code, _, err = run(
        "bake", str(files / "notes.txt"), str(files / "valid.json"), "-o", str(tmp_path / "x")
    )
    assert code == 2
    assert "PNG or SVG" in err


def test_unbake_an_image_without_badge_exits_1(files):
    code, _, err = run("unbake", str(files / "image.png"))
    assert code == 1
    assert err.startswith("error:")


# -- sign ---------------------------------------------------------------------------------------


def test_sign_with_data_integrity_then_verify(files, tmp_path):
    code, out, _ = run(
        "sign",
        str(files / "unsigned.json"),
        "--key",
        str(files / "key.jwk"),
        "--method",
        "eddsa-rdfc-2022",
        "--kid",
        METHOD,
        "--created",
        "2025-03-01T09:00:05Z",
    )
    assert code == 0
    signed = json.loads(out)
    assert signed["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    assert signed["proof"][0]["created"] == "2025-03-01T09:00:05Z"
    (tmp_path / "signed.json").write_text(out)
    assert run("verify", str(tmp_path / "signed.json"), "--now", NOW)[0] == 0


def test_sign_a_vc_jwt_then_verify(files, tmp_path):
    code, out, _ = run(
        "sign",
        str(files / "unsigned.json"),
        "--key",
        str(files / "key.jwk"),
        "--method",
        "vc-jwt",
        "--kid",
        METHOD,
    )
    assert code == 0
    token = out.strip()
    assert token.count(".") == 2
    (tmp_path / "badge.jwt").write_text(token)
    code, out, _ = run("verify", str(tmp_path / "badge.jwt"), "--json")
    assert code == 0, out
    assert json.loads(out)["format"] == "ob3-jwt"


@pytest.mark.parametrize(
    "key, method",
    [("public.jwk", "eddsa-rdfc-2022"), ("p256.jwk", "eddsa-rdfc-2022"), ("valid.json", "vc-jwt")],
)
def test_sign_refuses_unusable_keys(files, key, method):
    code, _, err = run(
        "sign",
        str(files / "unsigned.json"),
        "--key",
        str(files / key),
        "--method",
        method,
        "--kid",
        METHOD,
    )
    assert code == 2
    assert err.startswith("error:")


def test_sign_refuses_undefined_terms(files, tmp_path):
    document = json.loads((files / "unsigned.json").read_text())
    document["shoeSize"] = 44
    (tmp_path / "odd.json").write_text(json.dumps(document))
    code, _, err = run(
        "sign",
        str(tmp_path / "odd.json"),
        "--key",
        str(files / "key.jwk"),
        "--method",
        "eddsa-rdfc-2022",
        "--kid",
        METHOD,
    )
    assert code == 1
    assert "shoeSize" in err


def test_python_dash_m_entry_point(files):
    result = subprocess.run(
        [sys.executable, "-m", "openbadges", "verify", str(files / "valid.json"), "--now", NOW],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "VALID" in result.stdout
    assert did.did_key_for(KEY.public_key()) in result.stdout
