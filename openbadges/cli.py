"""Command line: `python -m openbadges verify|bake|unbake|sign`.

Exit codes: 0 success (for `verify`: the badge is valid), 1 failure (for `verify`: the badge is
not valid), 2 usage error (bad arguments, unreadable files).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from .errors import OpenBadgesError

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2
MAX_FILE_BYTES = 20_000_000

_MARKS = {"passed": "PASS", "failed": "FAIL", "warning": "WARN", "skipped": "SKIP"}


class UsageError(Exception):
    """Bad arguments or unreadable input: exit status 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m openbadges",
        description="Verify, bake, unbake and sign Open Badges (2.0 and 3.0).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    verify = commands.add_parser(
        "verify",
        help="verify a badge and print a report",
        description="Verify a badge given as a file (JSON, JWT, baked PNG or SVG), a URL, or "
        "'-' for standard input. Exits 0 only when the badge is valid.",
    )
    verify.add_argument("input", metavar="INPUT", help="file path, http(s) URL or '-'")
    verify.add_argument("--json", action="store_true", help="print the report as JSON")
    verify.add_argument("--recipient", metavar="EMAIL", help="check the badge was issued to EMAIL")
    verify.add_argument(
        "--allow-private",
        action="store_true",
        help="allow fetching from private and loopback addresses (for local testing)",
    )
    verify.add_argument(
        "--timeout", type=float, default=10.0, metavar="SECONDS", help="per-fetch time limit"
    )
    verify.add_argument(
        "--now", metavar="DATETIME", help="verify as of this ISO 8601 date-time (default: now)"
    )

    bake = commands.add_parser(
        "bake",
        help="bake a credential into a PNG or SVG image",
        description="Embed a credential (JSON or compact JWS/JWT) or an OB 2.0 assertion URL "
        "into a PNG or SVG image.",
    )
    bake.add_argument("image", metavar="IMAGE", help="PNG or SVG image file")
    bake.add_argument(
        "credential", metavar="CREDENTIAL", help="file with the credential JSON, JWT or URL"
    )
    bake.add_argument("-o", "--output", required=True, metavar="OUT", help="where to write")
    version = bake.add_mutually_exclusive_group()
    version.add_argument("--ob3", dest="ob3", action="store_true", default=None)
    version.add_argument("--ob2", dest="ob3", action="store_false")

    unbake = commands.add_parser(
        "unbake",
        help="print the badge baked into an image",
        description="Print the badge data (JSON, JWT or URL) baked into a PNG or SVG image.",
    )
    unbake.add_argument("image", metavar="IMAGE", help="PNG or SVG image file, or '-'")
    unbake.add_argument(
        "--json", action="store_true", help="print kind, form and text as a JSON object"
    )

    sign = commands.add_parser(
        "sign",
        help="sign a credential",
        description="Sign an OB 3.0 credential with a private JWK and print the result: the "
        "credential with a Data Integrity proof, or a VC-JWT.",
    )
    sign.add_argument("credential", metavar="CREDENTIAL.json")
    sign.add_argument("--key", required=True, metavar="KEY.jwk", help="private key as a JWK")
    sign.add_argument(
        "--method", required=True, choices=("eddsa-rdfc-2022", "vc-jwt"), help="proof format"
    )
    sign.add_argument(
        "--kid",
        required=True,
        metavar="ID",
        help="verification method / key id (e.g. did:web:example.org#key-1)",
    )
    sign.add_argument("--created", metavar="DATETIME", help="proof creation time (Data Integrity)")
    return parser


def main(argv: list[str] | None = None, *, stdout: TextIO | None = None, stderr=None) -> int:
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        # argparse exits 2 on usage errors and 0 for --help.
        return int(exit_.code or 0)
    handler = {"verify": _verify, "bake": _bake, "unbake": _unbake, "sign": _sign}[args.command]
    try:
        return handler(args, out)
    except UsageError as exc:
        print(f"error: {exc}", file=err)
        return EXIT_USAGE
    except OpenBadgesError as exc:
        print(f"error: {exc.message}", file=err)
        return EXIT_INVALID


# -- input helpers ------------------------------------------------------------------------------


def _read_bytes(path: str) -> bytes:
    if path == "-":
        data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
    else:
        try:
            with Path(path).open("rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if len(data) > MAX_FILE_BYTES:
        raise UsageError(f"{path} is larger than {MAX_FILE_BYTES} bytes")
    return data


def _read_text(path: str) -> str:
    try:
        return _read_bytes(path).decode("utf-8-sig").strip()
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path} is not UTF-8 text") from exc


def _read_json_object(path: str, what: str) -> dict:
    try:
        value = json.loads(_read_text(path))
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path} is not valid JSON ({exc.msg}, line {exc.lineno})") from exc
    if not isinstance(value, dict):
        raise UsageError(f"{path} must hold a JSON object ({what})")
    return value


# -- verify -------------------------------------------------------------------------------------


def _verify(args: argparse.Namespace, out: TextIO) -> int:
    from .fetch import Fetcher
    from .verify import parse_datetime, verify

    if args.timeout <= 0:
        raise UsageError("--timeout must be positive")
    now = None
    if args.now:
        try:
            now = parse_datetime(args.now)
        except ValueError as exc:
            raise UsageError(f"--now: {args.now!r} is not an ISO 8601 date-time") from exc
    source: str | bytes
    if args.input.startswith(("https://", "http://")):
        source = args.input
    else:
        source = _read_bytes(args.input)
    fetcher = Fetcher(timeout=args.timeout, allow_private=args.allow_private)
    report = verify(source, fetcher=fetcher, expected_recipient=args.recipient, now=now)
    if args.json:
        json.dump(report.to_dict(), out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        _print_report(report, out)
    return EXIT_OK if report.valid else EXIT_INVALID


def _print_report(report: Any, out: TextIO) -> None:
    summary = report.summary
    if summary.get("name"):
        out.write(f"Badge:  {summary['name']}\n")
    issuer = summary.get("issuer_name") or summary.get("issuer_id")
    if issuer:
        out.write(f"Issuer: {issuer}\n")
    if summary.get("issued_on"):
        out.write(f"Issued: {summary['issued_on']}\n")
    if report.format:
        out.write(f"Format: {report.format}\n")
    out.write("\n")
    width = max((len(c.id) for c in report.checks), default=0)
    for check in report.checks:
        out.write(f"  [{_MARKS[check.outcome]}] {check.id.ljust(width)}  {check.message}\n")
    out.write("\n")
    out.write("VALID\n" if report.valid else "NOT VALID\n")


# -- bake / unbake ------------------------------------------------------------------------------


def _bake(args: argparse.Namespace, out: TextIO) -> int:
    from . import baking

    image = _read_bytes(args.image)
    payload = _read_text(args.credential)
    if not payload:
        raise UsageError(f"{args.credential} is empty")
    ob3 = args.ob3 if args.ob3 is not None else _looks_ob3(payload)
    kind = baking.image_type(image)
    if kind == "png":
        baked = baking.bake_png(image, payload, ob3=ob3)
    elif kind == "svg":
        baked = baking.bake_svg(image, payload, ob3=ob3)
    else:
        raise UsageError(f"{args.image} is not a PNG or SVG image")
    try:
        Path(args.output).write_bytes(baked)
    except OSError as exc:
        raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from exc
    out.write(f"Baked an Open Badges {'3.0' if ob3 else '2.0'} badge into {args.output}\n")
    return EXIT_OK


def _looks_ob3(payload: str) -> bool:
    """OB 3.0 when the payload is a Verifiable Credential (JSON or JWT), else OB 2.0."""
    from .keys import b64url_decode

    text = payload.strip()
    if text.startswith("{"):
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UsageError(f"the credential is not valid JSON ({exc.msg})") from exc
    elif text.count(".") == 2 and not text.startswith(("http://", "https://")):
        try:
            document = json.loads(b64url_decode(text.split(".")[1]))
        except (OpenBadgesError, ValueError) as exc:
            raise UsageError("the credential is not a valid compact JWS") from exc
    else:
        return False
    if not isinstance(document, dict):
        return False
    if isinstance(document.get("vc"), dict):
        return True
    types = document.get("type")
    types = types if isinstance(types, list) else [types]
    return "VerifiableCredential" in types


def _unbake(args: argparse.Namespace, out: TextIO) -> int:
    from . import baking

    payload = baking.unbake(_read_bytes(args.image))
    if args.json:
        json.dump(
            {
                "kind": payload.kind,
                "form": payload.form,
                "image_type": payload.image_type,
                "text": payload.text,
            },
            out,
            indent=2,
            ensure_ascii=False,
        )
        out.write("\n")
    else:
        out.write(payload.text)
        out.write("\n")
    return EXIT_OK


# -- sign ---------------------------------------------------------------------------------------


def _sign(args: argparse.Namespace, out: TextIO) -> int:
    from .keys import KeyPair

    credential = _read_json_object(args.credential, "the credential")
    jwk = _read_json_object(args.key, "a private JWK")
    if "d" not in jwk:
        raise UsageError(f"{args.key} holds a public key; signing needs the private JWK")
    try:
        key = KeyPair.from_jwk(jwk)
    except OpenBadgesError as exc:
        raise UsageError(f"{args.key}: {exc.message}") from exc
    if args.method == "eddsa-rdfc-2022":
        from .dataintegrity import sign_eddsa_rdfc_2022

        if key.algorithm != "Ed25519":
            raise UsageError("eddsa-rdfc-2022 needs an Ed25519 key (JWK kty OKP, crv Ed25519)")
        signed = sign_eddsa_rdfc_2022(
            credential,
            private_key=key.private_key,
            verification_method=args.kid,
            created=args.created,
        )
        json.dump(signed, out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        from .vcjwt import sign_vc_jwt

        if args.created:
            raise UsageError("--created applies to eddsa-rdfc-2022 only")
        out.write(sign_vc_jwt(credential, key=key, kid=args.kid))
        out.write("\n")
    return EXIT_OK
