"""Verify any Open Badge, ours or another platform's, and say which checks ran.

`verify(input)` accepts a URL, a baked PNG/SVG, JSON text or a dict, or a compact JWS/JWT, works
out the format, and returns a `VerificationReport`: an ordered list of checks, each with a stable
id, an outcome (passed / failed / warning / skipped) and a plain-language message. The badge is
valid only when no check failed. Bad input never raises: it gives a report whose `input.parse`
check failed.

Formats:
- `ob3-di`: OB 3.0 on VC 2.0 or VC 1.1 with an embedded Data Integrity proof
  (eddsa-rdfc-2022, Ed25519Signature2020);
- `ob3-jwt`: OB 3.0 as a VC-JWT;
- `ob2-hosted`: OB 2.0 hosted assertion (always re-fetched from its id);
- `ob2-signed`: OB 2.0 assertion signed as a JWS.

All network access goes through the injected fetcher (`openbadges.fetch`); JSON-LD contexts are
never fetched (they are bundled).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal
from urllib.parse import urlsplit

from . import (
    baking,
    dataintegrity,
    did,
    jsonld,
    jws,
    keys,
    multikey,
    recipient,
    schema,
    status,
    vcjwt,
)
from .errors import FetchError, InvalidKey, OpenBadgesError
from .fetch import JSON_MEDIA_TYPES, Fetcher, FetcherProtocol
from .keyring import KeyStatus, ManagedKey, credential_issued_at, ensure_key_usable

Outcome = Literal["passed", "failed", "skipped", "warning"]

VC_V2 = "https://www.w3.org/ns/credentials/v2"
VC_V1 = "https://www.w3.org/2018/credentials/v1"
OB2_CONTEXTS = frozenset(
    {
        "https://w3id.org/openbadges/v2",
        "https://w3id.org/openbadges/v1",
        "https://openbadgespec.org/v2/context.json",
    }
)
OB3_CREDENTIAL_TYPES = frozenset({"OpenBadgeCredential", "AchievementCredential"})
ENDORSEMENT_TYPE = "EndorsementCredential"
MAX_ENDORSEMENTS = 20
MAX_FETCHES = 25
# Top-level properties OB 3.0 allows to be compacted from a one-element array to its value.
COMPACTABLE = ("type", "proof", "credentialSchema", "termsOfUse")
# Dates are judged by the validity checks against the caller's `now`; the VC-JWT check keeps
# the claim consistency rules (nbf = validFrom, exp = validUntil, iss, sub, jti) and the
# signature, and leaves the clock out.
JWT_NO_CLOCK = timedelta(days=365 * 1000)
JSON_ACCEPT = "application/ld+json, application/json;q=0.9"
VC_ACCEPT = (
    "application/vc+ld+json, application/vc, application/ld+json;q=0.9, application/json;q=0.8"
)
STATUS_LIST_ACCEPT = (
    "application/vc+ld+json, application/vc, application/vc+jwt, application/ld+json;q=0.9, "
    "application/json;q=0.8, text/plain;q=0.5"
)
DID_ACCEPT = "application/did+json, application/did+ld+json, application/json;q=0.9"
MAX_INPUT_BYTES = 10_000_000
_COMPACT_JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

KeyResolver = Callable[[str], Any]

# Every check id a report can hold, in the order checks run, with what it establishes.
CHECKS = {
    "input.fetch": "The badge could be fetched from the URL given.",
    "input.unbake": "A badge could be read from the image.",
    "input.parse": "The input is a badge in a known format.",
    "hosted.fetch": "The issuer serves the OB 2.0 assertion at its id (the copy verified).",
    "ob2.assertion": "The OB 2.0 assertion has its required properties.",
    "ob2.badge": "The OB 2.0 badge class is available and complete.",
    "ob2.issuer": "The OB 2.0 issuer profile is available.",
    "jsonld.safe_mode": "Every property is defined by the credential's JSON-LD contexts.",
    "schema": "The credential follows the official 1EdTech JSON Schema.",
    "issuer.key": "The signing key belongs to the issuer and may sign at that date.",
    "proof": "The signature is valid for the credential as it is.",
    "refresh": "The issuer's refreshed credential was fetched and used.",
    "hosted.origin": "The OB 2.0 assertion is hosted where its issuer allows.",
    "status.revocation": "The issuer has not revoked the badge.",
    "status.suspension": "The issuer has not suspended the badge.",
    "status.message": "The status list's message for the badge.",
    "validity.not_before": "The badge is already valid.",
    "validity.expiry": "The badge has not expired.",
    "recipient": "The badge was issued to the person given.",
    "endorsement": "An endorsement embedded in the badge verifies.",
    "verifier": "The verifier could finish its work.",
}


# -- report ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    id: str
    outcome: Outcome
    message: str
    code: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "outcome": self.outcome, "message": self.message}
        if self.code:
            data["code"] = self.code
        return data


@dataclass
class VerificationReport:
    """What was verified, how, and with which result."""

    checks: list[Check] = field(default_factory=list)
    credential: dict | None = None
    format: str | None = None
    original: str | None = None
    related: dict[str, Any] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return bool(self.checks) and not any(c.outcome == "failed" for c in self.checks)

    def check(self, check_id: str) -> Check | None:
        """The last check with this id (a check that ran more than once reports its end)."""
        for item in reversed(self.checks):
            if item.id == check_id:
                return item
        return None

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if c.outcome == "failed"]

    @property
    def summary(self) -> dict[str, Any]:
        """What a person wants to see about the badge (name, issuer, dates, image)."""
        return _summary(self)

    def to_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "format": self.format,
            "checks": [c.to_dict() for c in self.checks],
            "summary": self.summary,
            "credential": self.credential,
        }

    def add(self, check_id: str, outcome: Outcome, message: str, code: str | None = None):
        self.checks.append(Check(check_id, outcome, message, code))


@dataclass(frozen=True)
class ResolvedKey:
    """A public key found for a verification method, with who controls it.

    `managed` is set when the resolver knows the key's lifecycle (active / retired / revoked
    for compromise), so the verifier can refuse what a compromised key signed.
    """

    public_key: Any
    controller: str | None = None
    managed: ManagedKey | None = None
    revoked_at: datetime | None = None


class _BudgetFetcher:
    """Limits how many documents one verification may fetch.

    A credential chooses the URLs the verifier visits (status lists, keys, DID documents); a
    hostile one listing thousands would turn the verifier into a request amplifier.
    """

    def __init__(self, fetcher: FetcherProtocol, budget: int):
        self.fetcher = fetcher
        self.remaining = budget
        self.budget = budget

    def get(self, url: str, *, accept: str = JSON_ACCEPT):
        if self.remaining <= 0:
            raise FetchError(
                f"Verifying this badge would need more than {self.budget} documents from the "
                "network; the rest were not fetched.",
                code="fetch.budget",
            )
        self.remaining -= 1
        return self.fetcher.get(url, accept=accept)


class _Stop(Exception):
    """Ends the run early after a check that makes the following ones meaningless."""


# -- entry point ----------------------------------------------------------------------------------


def verify(
    input: str | bytes | dict,
    *,
    fetcher: FetcherProtocol | None = None,
    expected_recipient: str | None = None,
    now: datetime | None = None,
    key_resolver: KeyResolver | None = None,
) -> VerificationReport:
    """Verify a badge given as URL, baked image bytes, JSON text or dict, or compact JWS/JWT.

    `key_resolver(verification_method_or_kid)` may return a cryptography public key, a
    `ResolvedKey`, a keyring `ManagedKey`, or None to let the verifier resolve it (did:key,
    did:web and https keys, fetched through `fetcher`).
    """
    run = _Run(
        fetcher=_BudgetFetcher(fetcher if fetcher is not None else Fetcher(), MAX_FETCHES),
        expected_recipient=expected_recipient,
        now=_aware(now) if now else datetime.now(UTC),
        key_resolver=key_resolver,
    )
    return run.execute(input)


def _code(exc: BaseException) -> str | None:
    return getattr(exc, "code", None)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _types(document: Any) -> list[str]:
    if not isinstance(document, dict):
        return []
    return [t for t in _as_list(document.get("type")) if isinstance(t, str)]


def _contexts(document: Any) -> list:
    if not isinstance(document, dict):
        return []
    return _as_list(document.get("@context"))


def _node_id(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return value["id"]
    return None


def parse_datetime(value: Any) -> datetime:
    """Read an ISO 8601 date or date-time; a value without an offset is taken as UTC."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{value!r} is not a date")
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = datetime.combine(date.fromisoformat(text), datetime.min.time())
    return _aware(parsed).astimezone(UTC)


def _when(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC")


def _is_http_url(text: str) -> bool:
    return text.startswith(("https://", "http://"))


def _same_origin(a: str, b: str) -> bool:
    try:
        one, two = urlsplit(a), urlsplit(b)
        return (one.scheme, one.hostname, one.port) == (two.scheme, two.hostname, two.port)
    except ValueError:
        return False


class _Run:
    def __init__(
        self, *, fetcher, expected_recipient, now, key_resolver, nested=False, documents=None
    ):
        self.fetcher = fetcher
        self.expected_recipient = expected_recipient
        self.now = now
        self.key_resolver = key_resolver
        # A nested run verifies a status list or an endorsement: it does not go deeper.
        self.nested = nested
        self.report = VerificationReport()
        self._documents: dict[str, Any] = {} if documents is None else documents

    def execute(self, value: Any) -> VerificationReport:
        try:
            self.start(value)
        except _Stop:
            pass
        except (OpenBadgesError, ValueError, TypeError, KeyError, RecursionError) as exc:
            # Anything the checks did not anticipate still ends as a failed report, never as an
            # exception in the caller (a web page, an import job).
            self.report.add(
                "verifier", "failed", f"The badge could not be verified: {exc}", _code(exc)
            )
        return self.report

    # -- input ------------------------------------------------------------------------------------

    def start(self, value: Any) -> None:
        if isinstance(value, dict):
            self.report.add("input.parse", "passed", "The input is a JSON object.")
            self.report.original = json.dumps(value, ensure_ascii=False)
            self._json_document(value, source=None)
            return
        if isinstance(value, bytes | bytearray | memoryview):
            data = bytes(value)
            if len(data) > MAX_INPUT_BYTES:
                self._fail("input.parse", f"The input is larger than {MAX_INPUT_BYTES} bytes.")
            if data.startswith(_PNG_SIGNATURE) or _looks_like_svg(data):
                self._unbake(data)
                return
            try:
                value = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                self._fail(
                    "input.parse",
                    "The input is neither a PNG or SVG image nor UTF-8 text.",
                    "input.unknown",
                )
        if not isinstance(value, str):
            self._fail("input.parse", "The input must be text, bytes or a JSON object.")
        self._text(value.lstrip("\ufeff").strip(), source=None)

    def _unbake(self, data: bytes) -> None:
        try:
            payload = baking.unbake(data)
        except OpenBadgesError as exc:
            self._fail("input.unbake", f"No badge could be read from the image: {exc}", _code(exc))
        version = {"ob3": "Open Badges 3.0 credential", "ob2": "Open Badges 2.0 assertion"}
        what = version.get(payload.kind, "badge")
        image = payload.image_type.upper()
        self.report.add("input.unbake", "passed", f"Read the {what} baked into the {image} image.")
        self._text(payload.text.strip(), source="image")

    def _text(self, text: str, *, source: str | None) -> None:
        if not text:
            self._fail("input.parse", "The input is empty.", "input.empty")
        if len(text) > MAX_INPUT_BYTES:
            self._fail("input.parse", f"The input is larger than {MAX_INPUT_BYTES} bytes.")
        if _is_http_url(text) and not any(ch.isspace() for ch in text):
            self._url(text)
            return
        if text[0] in "{[":
            document = self._parse_json(text)
            self.report.add("input.parse", "passed", "The input is a JSON document.")
            self.report.original = text
            self._json_document(document, source=source)
            return
        if _COMPACT_JWS.match(text):
            self.report.original = text
            self._compact_jws(text)
            return
        self._fail(
            "input.parse",
            "The input is not a badge: expected a URL, JSON, a JWT/JWS or a baked image.",
            "input.unknown",
        )

    def _parse_json(self, text: str) -> dict:
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            self._fail(
                "input.parse",
                f"The JSON is malformed: {exc.msg} (line {exc.lineno}, column {exc.colno}).",
                "input.json",
            )
        except RecursionError:
            self._fail("input.parse", "The JSON is nested too deeply.", "input.json")
        if not isinstance(document, dict):
            self._fail("input.parse", "The JSON is not an object.", "input.json")
        return document

    def _url(self, url: str) -> None:
        response = self._fetch("input.fetch", url, accept=f"{VC_ACCEPT}, text/plain;q=0.5")
        if response.status == 410:
            self.report.add("input.fetch", "passed", f"Fetched {url} (410 Gone).")
            self._gone(response, url)
        if not response.ok:
            self._fail("input.fetch", f"{url} answered with HTTP status {response.status}.")
        self.report.add("input.fetch", "passed", f"Fetched {url}.")
        try:
            text = response.text().strip()
        except FetchError as exc:
            self._fail("input.parse", exc.message, exc.code)
        if not text:
            self._fail("input.parse", f"{url} returned an empty document.", "input.empty")
        if text[0] in "{[":
            document = self._parse_json(text)
            self.report.add("input.parse", "passed", "The fetched document is JSON.")
            self.report.original = text
            self._json_document(document, source=url, response=response)
        elif _COMPACT_JWS.match(text):
            self.report.original = text
            self._compact_jws(text)
        else:
            self._fail(
                "input.parse",
                f"{url} did not return a badge (content type '{response.content_type or 'none'}').",
                "input.unknown",
            )

    def _gone(self, response, url: str) -> None:
        reason = ""
        try:
            body = response.json() if response.content else None
        except FetchError:
            body = None
        if isinstance(body, dict):
            if set(_contexts(body)) & OB2_CONTEXTS or _types(body) == ["Assertion"]:
                self.report.format = "ob2-hosted"
            if isinstance(body.get("revocationReason"), str):
                reason = f" Reason given: {body['revocationReason']}"
        self._fail(
            "status.revocation",
            f"The issuer's server says the badge at {url} was revoked (410 Gone).{reason}",
            "status.revoked",
        )

    # -- dispatch ---------------------------------------------------------------------------------

    def _json_document(self, document: dict, *, source: str | None, response=None) -> None:
        contexts = _contexts(document)
        first = contexts[0] if contexts else None
        if first in (VC_V2, VC_V1):
            if "VerifiableCredential" not in _types(document):
                self._fail(
                    "input.parse",
                    "The document uses the Verifiable Credentials context but its type does not "
                    "include VerifiableCredential.",
                    "input.type",
                )
            self.report.format = "ob3-di"
            self.report.credential = document
            self._ob3(document)
            return
        if set(c for c in contexts if isinstance(c, str)) & OB2_CONTEXTS or (
            "Assertion" in _types(document)
        ):
            self._ob2_json(document, source=source, response=response)
            return
        self._fail(
            "input.parse",
            "The JSON is neither an Open Badges 3.0 credential (Verifiable Credentials context) "
            "nor an Open Badges 2.0 assertion.",
            "input.type",
        )

    def _compact_jws(self, token: str) -> None:
        try:
            header, payload = vcjwt.decode_unverified(token)
        except OpenBadgesError as exc:
            self._fail("input.parse", f"The JWT/JWS is malformed: {exc.message}", "input.jws")
        except RecursionError:
            self._fail("input.parse", "The JWT/JWS is nested too deeply.", "input.jws")
        if isinstance(payload.get("vc"), dict) or VC_V2 in _contexts(payload):
            self.report.add("input.parse", "passed", "The input is a VC-JWT.")
            self.report.format = "ob3-jwt"
            credential, proof_checks = self._verify_jwt(token, header, payload)
            self.report.credential = credential
            self._ob3(credential, proof_checks=proof_checks)
            return
        if set(c for c in _contexts(payload) if isinstance(c, str)) & OB2_CONTEXTS or (
            "Assertion" in _types(payload)
        ):
            self.report.add("input.parse", "passed", "The input is a signed OB 2.0 assertion.")
            self.report.format = "ob2-signed"
            self.report.credential = payload
            self._ob2_signed(token, payload)
            return
        self._fail(
            "input.parse",
            "The JWT/JWS holds neither a Verifiable Credential nor an Open Badges 2.0 assertion.",
            "input.type",
        )

    # -- OB 3.0 -----------------------------------------------------------------------------------

    def _ob3(self, credential: dict, *, proof_checks: list[Check] | None = None) -> None:
        version = "2.0" if _contexts(credential)[:1] == [VC_V2] else "1.1"
        if _contexts(credential)[:1] not in ([VC_V2], [VC_V1]):
            self._fail(
                "input.parse",
                "The credential's first @context must be the Verifiable Credentials context.",
                "input.context",
            )
        self._safe_mode(credential)
        self._schema(credential, version)
        issuer_id = _node_id(credential.get("issuer"))
        if proof_checks is None:
            self._di_proof(credential, issuer_id)
        else:
            # A VC-JWT is verified before its credential can be read, so its key and proof
            # checks were made first; they are reported in the usual place.
            self.report.checks.extend(proof_checks)
        credential = self._refresh(credential)
        self._ob3_status(credential)
        if version == "2.0":
            self._validity(credential.get("validFrom"), credential.get("validUntil"))
        else:
            self._validity(credential.get("issuanceDate"), credential.get("expirationDate"))
        self._ob3_recipient(credential)
        self._endorsements(credential)

    def _refresh(self, credential: dict) -> dict:
        """Use the issuer's refreshed credential when it offers one (1EdTechCredentialRefresh).

        Only after the presented credential's proof passed, once, and only if the refreshed
        one passes the schema and proof checks and is the same credential (same id and issuer)
        issued no earlier; otherwise the presented credential is kept.
        """
        service = credential.get("refreshService")
        if self.nested or not isinstance(service, dict):
            return credential
        if "1EdTechCredentialRefresh" not in _types(service):
            return credential
        proof = self.report.check("proof")
        url = service.get("id")
        if proof is None or proof.outcome != "passed" or not isinstance(url, str):
            return credential
        nested = _Run(
            fetcher=self.fetcher,
            expected_recipient=None,
            now=self.now,
            key_resolver=self.key_resolver,
            nested=True,
            documents=self._documents,
        )
        refreshed_report = nested.execute(url)
        refreshed = refreshed_report.credential
        problem = None
        if refreshed_report.format not in ("ob3-di", "ob3-jwt") or not isinstance(refreshed, dict):
            failure = refreshed_report.failures[0].message if refreshed_report.failures else ""
            problem = f"the refresh service did not return a credential. {failure}".strip()
        else:
            for check_id in ("jsonld.safe_mode", "schema", "issuer.key", "proof"):
                check = refreshed_report.check(check_id)
                if check is None or check.outcome == "failed":
                    problem = check.message if check else f"its {check_id} was not checked"
                    break
        if problem is None and (
            refreshed.get("id") != credential.get("id")
            or _node_id(refreshed.get("issuer")) != _node_id(credential.get("issuer"))
        ):
            problem = "the refreshed credential has another id or issuer"
        if problem is None and _issued(refreshed) < _issued(credential):
            problem = "the refreshed credential is older than the presented one"
        if problem is not None:
            self.report.add(
                "refresh",
                "warning",
                f"The credential could not be refreshed ({problem}); the presented one is used.",
                "refresh.failed",
            )
            return credential
        self.report.add(
            "refresh",
            "passed",
            "The issuer's refreshed credential verifies and is used for the remaining checks.",
        )
        self.report.related["presented"] = credential
        self.report.credential = refreshed
        return refreshed

    def _endorsements(self, credential: dict) -> None:
        """Verify the endorsements embedded in the credential, its achievement and its issuer.

        An endorsement is a third party's signed statement about the badge; one that does not
        verify is reported as a warning, since the badge itself stands without it.
        """
        if self.nested:
            return
        subject = _as_list(credential.get("credentialSubject"))
        subject = subject[0] if subject and isinstance(subject[0], dict) else {}
        holders = [credential, subject.get("achievement"), credential.get("issuer")]
        embedded: list[Any] = []
        for holder in holders:
            if isinstance(holder, dict):
                # Only embedded credentials and compact JWTs: an endorsement is never fetched.
                embedded += [e for e in _as_list(holder.get("endorsement")) if isinstance(e, dict)]
                embedded += [
                    e
                    for e in _as_list(holder.get("endorsementJwt"))
                    if isinstance(e, str) and _COMPACT_JWS.match(e)
                ]
        if not embedded:
            return
        for item in embedded[:MAX_ENDORSEMENTS]:
            nested = _Run(
                fetcher=self.fetcher,
                expected_recipient=None,
                now=self.now,
                key_resolver=self.key_resolver,
                nested=True,
                documents=self._documents,
            )
            endorsed = nested.execute(item)
            issuer = _summary(endorsed).get("issuer_name") or _summary(endorsed).get("issuer_id")
            by = f" by {issuer}" if issuer else ""
            if endorsed.valid and endorsed.format in ("ob3-di", "ob3-jwt"):
                self.report.add("endorsement", "passed", f"The endorsement{by} verifies.")
            else:
                reason = endorsed.failures[0].message if endorsed.failures else "not a credential"
                self.report.add(
                    "endorsement",
                    "warning",
                    f"An endorsement{by} does not verify: {reason}",
                    "endorsement.invalid",
                )
        if len(embedded) > MAX_ENDORSEMENTS:
            self.report.add(
                "endorsement",
                "warning",
                f"Only the first {MAX_ENDORSEMENTS} of {len(embedded)} endorsements were checked.",
            )

    def _safe_mode(self, credential: dict) -> None:
        try:
            jsonld.check_safe_mode(credential)
        except OpenBadgesError as exc:
            self.report.add("jsonld.safe_mode", "failed", exc.message, exc.code)
            return
        self.report.add(
            "jsonld.safe_mode", "passed", "Every property is defined by the credential's contexts."
        )

    def _schema(self, credential: dict, version: str) -> None:
        types = set(_types(credential))
        if types & OB3_CREDENTIAL_TYPES:
            kind = "achievementcredential"
        elif ENDORSEMENT_TYPE in types:
            kind = "endorsementcredential"
        else:
            self.report.add(
                "schema",
                "failed",
                "The credential is not an Open Badges credential (type OpenBadgeCredential, "
                "AchievementCredential or EndorsementCredential).",
                "schema.type",
            )
            return
        view = _as_vc2(credential) if version == "1.1" else credential
        label = "Open Badges 3.0" if kind == "achievementcredential" else "Endorsement"
        form = " (read in its VC 2.0 form)" if version == "1.1" else ""
        try:
            schema.validate(view, kind=kind)
        except OpenBadgesError as exc:
            uncompacted, names = _uncompacted(view)
            if names and not schema.problems(uncompacted, kind=kind):
                # As the 1EdTech validator: JSON-LD lets a single value stand for a one-element
                # array, so this differs from the plain-JSON schema without being wrong.
                self.report.add(
                    "schema",
                    "warning",
                    f"The credential follows the official {label} JSON Schema{form} except that "
                    f"{', '.join(names)} is a single value where the schema asks for an array.",
                    "schema.compacted",
                )
                return
            self.report.add("schema", "failed", exc.message, exc.code)
            return
        self.report.add(
            "schema", "passed", f"The credential follows the official {label} JSON Schema{form}."
        )

    def _di_proof(self, credential: dict, issuer_id: str | None) -> None:
        proofs = [p for p in _as_list(credential.get("proof")) if isinstance(p, dict)]
        if not proofs:
            self.report.add(
                "issuer.key", "skipped", "No proof, so no signing key to look up.", "proof.missing"
            )
            self.report.add("proof", "failed", "The credential carries no proof.", "proof.missing")
            return
        resolved = self._resolve_proof_keys(proofs, issuer_id, credential)

        def resolve(vm: str):
            if vm not in resolved:
                raise InvalidKey(f"The key {vm} could not be used.", code="key.unresolved")
            return resolved[vm].public_key

        try:
            results = dataintegrity.verify_data_integrity(credential, resolve_public_key=resolve)
        except OpenBadgesError as exc:
            self.report.add("proof", "failed", exc.message, exc.code)
            return
        good = [r for r in results if r.ok]
        if good:
            first = good[0]
            self.report.add(
                "proof",
                "passed",
                f"The {first.cryptosuite} signature is valid.",
            )
        else:
            reasons = "; ".join(r.reason for r in results) or "no proof could be checked"
            self.report.add(
                "proof", "failed", f"The signature does not verify: {reasons}", "proof.invalid"
            )

    def _resolve_proof_keys(
        self, proofs: list[dict], issuer_id: str | None, credential: dict
    ) -> dict[str, ResolvedKey]:
        found: dict[str, ResolvedKey] = {}
        problems: list[str] = []
        for proof in proofs:
            vm = proof.get("verificationMethod")
            vm = _node_id(vm)
            if not vm:
                problems.append("a proof names no verification method")
                continue
            try:
                key = self._resolve_key(vm, issuer_id)
                self._check_key_lifecycle(
                    key, credential_issued_at(credential, proof_created=proof.get("created"))
                )
            except (OpenBadgesError, ValueError) as exc:
                problems.append(getattr(exc, "message", str(exc)))
                continue
            found[vm] = key
        if found:
            names = ", ".join(found)
            self.report.add("issuer.key", "passed", f"The issuer's key {names} was found.")
        else:
            self.report.add(
                "issuer.key",
                "failed",
                "No usable signing key: " + ("; ".join(problems) or "no verification method"),
                "key.unresolved",
            )
        return found

    def _check_key_lifecycle(self, key: ResolvedKey, issued_at: datetime | None) -> None:
        managed = key.managed
        if managed is None and key.revoked_at is not None:
            # A DID document marks a compromised key with its `revoked` date; weigh it like a
            # keyring key so that what was signed before the compromise keeps verifying.
            managed = ManagedKey(
                key_id="verification-method",
                public_key=key.public_key,
                status=KeyStatus.REVOKED,
                compromised_at=key.revoked_at,
            )
        if managed is not None:
            ensure_key_usable(managed, issued_at)

    def _resolve_key(self, vm: str, issuer_id: str | None) -> ResolvedKey:
        """Find the public key of a verification method (or JWT kid) and check that the issuer
        controls it."""
        resolved = None
        if self.key_resolver is not None:
            resolved = _as_resolved(self.key_resolver(vm), vm)
        if resolved is None:
            resolved = self._resolve_key_default(vm, issuer_id)
        if issuer_id and resolved.controller and resolved.controller != issuer_id:
            raise InvalidKey(
                f"The key {vm} belongs to {resolved.controller}, not to the issuer {issuer_id}.",
                code="key.controller",
            )
        return resolved

    def _resolve_key_default(self, vm: str, issuer_id: str | None) -> ResolvedKey:
        base, _, fragment = vm.partition("#")
        if vm.startswith("did:key:"):
            return ResolvedKey(did.resolve_did_key(vm), controller=base)
        if vm.startswith("did:web:"):
            document = self._fetch_json_document(did.did_web_url(base), accept=DID_ACCEPT)
            if document.get("id") != base:
                raise InvalidKey(
                    f"The DID document of {base} names itself {document.get('id')!r}.",
                    code="key.did_document",
                )
            method = did.describe_verification_method(vm, document)
            if "assertionMethod" not in method.relationships:
                raise InvalidKey(
                    f"The key {vm} is not authorised to sign credentials (its DID document does "
                    "not list it under assertionMethod).",
                    code="key.not_authorised",
                )
            return ResolvedKey(method.public_key, controller=base, revoked_at=method.revoked)
        if vm.startswith("did:"):
            raise InvalidKey(
                f"The DID method of {base} is not supported (did:key and did:web are).",
                code="key.did_method",
            )
        if not _is_http_url(vm):
            raise InvalidKey(f"'{vm}' is not a key URL or DID.", code="key.unsupported")
        if fragment.startswith("z") and issuer_id and base == issuer_id:
            # The key is the fragment itself (the 1EdTech test vector's way): no fetch needed.
            try:
                return ResolvedKey(multikey.decode_public_multikey(fragment), controller=base)
            except InvalidKey:
                pass
        document = self._fetch_json_document(base, accept=JSON_ACCEPT)
        return _key_from_document(document, vm, base)

    def _verify_jwt(self, token: str, header: dict, claims: dict) -> tuple[dict, list[Check]]:
        """Verify a VC-JWT: (the credential it carries, its issuer.key and proof checks)."""
        vc = claims.get("vc")
        registered = set(vcjwt.REGISTERED_CLAIMS)
        credential = (
            dict(vc)
            if isinstance(vc, dict)
            else {k: v for k, v in claims.items() if k not in registered}
        )
        issuer_id = claims.get("iss") if isinstance(claims.get("iss"), str) else None
        checks: list[Check] = []
        kid = header.get("kid")
        resolved: ResolvedKey | None = None
        if isinstance(kid, str) and kid and not kid.startswith(keys.JWK_THUMBPRINT_URN_PREFIX):
            try:
                resolved = self._resolve_key(kid, issuer_id)
                self._check_key_lifecycle(
                    resolved, credential_issued_at(credential, jwt_claims=claims)
                )
            except (OpenBadgesError, ValueError) as exc:
                checks.append(
                    Check("issuer.key", "failed", getattr(exc, "message", str(exc)), _code(exc))
                )
                checks.append(
                    Check("proof", "failed", "The signature cannot be checked without a key.")
                )
                return credential, checks
        elif not isinstance(header.get("jwk"), dict):
            checks.append(Check("issuer.key", "failed", "The JWT header names no key (kid)."))
            checks.append(
                Check("proof", "failed", "The signature cannot be checked without a key.")
            )
            return credential, checks
        try:
            verified = vcjwt.verify_vc_jwt_full(
                token,
                resolve_public_key=(lambda _kid: resolved.public_key) if resolved else None,
                now=self.now,
                leeway=JWT_NO_CLOCK,
            )
        except OpenBadgesError as exc:
            if resolved is None:
                outcome = "failed" if exc.code in ("jwt.key", "jwt.key_provenance") else "passed"
                message = (
                    exc.message if outcome == "failed" else "The token carries the issuer's key."
                )
                checks.append(
                    Check("issuer.key", outcome, message, exc.code if outcome == "failed" else None)
                )
            else:
                checks.append(Check("issuer.key", "passed", f"The issuer's key {kid} was found."))
            checks.append(
                Check("proof", "failed", f"The JWT does not verify: {exc.message}", exc.code)
            )
            return credential, checks
        if resolved is None:
            checks.append(Check("issuer.key", "passed", "The token carries the issuer's did:key."))
        else:
            checks.append(Check("issuer.key", "passed", f"The issuer's key {kid} was found."))
        algorithm = verified.header.get("alg", "?")
        checks.append(Check("proof", "passed", f"The VC-JWT signature ({algorithm}) is valid."))
        return verified.credential, checks

    def _ob3_status(self, credential: dict) -> None:
        try:
            entries = status.status_entries(credential)
        except OpenBadgesError as exc:
            self.report.add("status.revocation", "failed", exc.message, exc.code)
            return
        if not entries:
            self.report.add(
                "status.revocation", "skipped", "The credential names no revocation list."
            )
            return
        credential_id = credential.get("id")
        for entry in entries:
            kind = _types(entry)
            if status.ONEEDTECH_REVOCATION_LIST in kind:
                self._onedtech_status(entry, credential_id)
            elif status.BITSTRING_ENTRY in kind:
                self._bitstring_status(entry)
            else:
                self.report.add(
                    "status.revocation",
                    "warning",
                    f"The status type {', '.join(kind) or '(none)'} is not supported, so the "
                    "credential's status was not checked.",
                    "status.unsupported",
                )

    def _onedtech_status(self, entry: dict, credential_id: Any) -> None:
        url = entry.get("id")
        if not isinstance(url, str) or not _is_http_url(url):
            self.report.add(
                "status.revocation", "failed", "The revocation list URL is missing or not a URL."
            )
            return
        if not isinstance(credential_id, str):
            self.report.add(
                "status.revocation",
                "failed",
                "The credential has no id, so it cannot be looked up in its revocation list.",
            )
            return
        self._revocation_list(
            url,
            "application/json",
            lambda document: status.check_revocation_list(document, credential_id),
            "credential",
        )

    def _revocation_list(self, url: str, accept: str, check, noun: str) -> None:
        """Fetch a revocation list (OB 3.0 1EdTech or OB 2.0) and report whether it lists us."""
        try:
            document = self._fetch_json_document(url, accept=accept)
            result = check(document)
        except FetchError as exc:
            # As the 1EdTech validator: an unreachable list is a warning, not a failure.
            self.report.add(
                "status.revocation",
                "warning",
                f"The revocation list could not be checked: {exc.message}",
                exc.code,
            )
            return
        except OpenBadgesError as exc:
            self.report.add("status.revocation", "failed", exc.message, exc.code)
            return
        if result.revoked:
            reason = f" Reason: {result.message}" if result.message else ""
            self.report.add(
                "status.revocation",
                "failed",
                f"The issuer has revoked this {noun}.{reason}",
                "status.revoked",
            )
        else:
            self.report.add(
                "status.revocation", "passed", "The issuer's revocation list does not list it."
            )

    def _bitstring_status(self, entry: dict) -> None:
        try:
            url, _index, purpose, _size = status.parse_bitstring_entry(entry)
        except OpenBadgesError as exc:
            self.report.add("status.revocation", "failed", exc.message, exc.code)
            return
        check_id = "status.suspension" if purpose == "suspension" else "status.revocation"
        try:
            list_credential = self._status_list_credential(url)
            result = status.check_bitstring_entry(entry, list_credential)
        except FetchError as exc:
            self.report.add(
                check_id,
                "warning",
                f"The status list could not be fetched: {exc.message}",
                exc.code,
            )
            return
        except OpenBadgesError as exc:
            self.report.add(check_id, "failed", exc.message, exc.code)
            return
        if purpose == "revocation" and result.set:
            self.report.add(
                check_id, "failed", "The issuer has revoked this credential.", "status.revoked"
            )
        elif purpose == "suspension" and result.set:
            self.report.add(
                check_id, "failed", "The issuer has suspended this credential.", "status.suspended"
            )
        elif purpose in ("revocation", "suspension"):
            self.report.add(check_id, "passed", f"The status list shows no {purpose}.")
        else:
            message = f" ({result.message})" if result.message else ""
            self.report.add(
                "status.message",
                "warning" if result.set else "passed",
                f"The status list gives the value {result.value} for '{purpose}'{message}.",
            )

    def _status_list_credential(self, url: str) -> dict:
        """Fetch a status list credential and check its proof and validity period."""
        if url in self._documents:
            return self._documents[url]
        response = self.fetcher.get(url, accept=STATUS_LIST_ACCEPT)
        if not response.ok:
            raise FetchError(f"{url} answered with HTTP status {response.status}.")
        text = response.text().strip()
        nested = _Run(
            fetcher=self.fetcher,
            expected_recipient=None,
            now=self.now,
            key_resolver=self.key_resolver,
            nested=True,
            documents=self._documents,
        )
        if _COMPACT_JWS.match(text):
            header, claims = vcjwt.decode_unverified(text)
            list_credential, checks = nested._verify_jwt(text, header, claims)
            nested.report.checks.extend(checks)
        else:
            list_credential = response.json()
            if not isinstance(list_credential, dict):
                raise status.StatusListError("The status list credential is not a JSON object.")
            nested._di_proof(list_credential, _node_id(list_credential.get("issuer")))
        proof = nested.report.check("proof")
        if proof is None or proof.outcome != "passed":
            reason = proof.message if proof else "it carries no proof"
            raise status.StatusListError(
                f"The status list credential's proof does not verify: {reason}",
                code="status.list_proof",
            )
        nested._validity(
            list_credential.get("validFrom", list_credential.get("issuanceDate")),
            list_credential.get("validUntil", list_credential.get("expirationDate")),
        )
        if nested.report.failures:
            raise status.StatusListError(
                f"The status list credential is not valid now: {nested.report.failures[0].message}",
                code="status.list_validity",
            )
        self._documents[url] = list_credential
        return list_credential

    def _ob3_recipient(self, credential: dict) -> None:
        if not self.expected_recipient:
            self.report.add("recipient", "skipped", "No recipient was given to compare with.")
            return
        subjects = [s for s in _as_list(credential.get("credentialSubject")) if isinstance(s, dict)]
        for subject in subjects:
            subject_id = subject.get("id")
            if isinstance(subject_id, str) and (
                self._identity_matches(subject_id, False, None)
                or self._identity_matches(subject_id.removeprefix("mailto:"), False, None)
            ):
                self.report.add("recipient", "passed", "The credential was issued to this person.")
                return
            for identifier in _as_list(subject.get("identifier")):
                if not isinstance(identifier, dict):
                    continue
                if self._identity_matches(
                    identifier.get("identityHash"),
                    identifier.get("hashed"),
                    identifier.get("salt"),
                ):
                    self.report.add(
                        "recipient", "passed", "The credential was issued to this person."
                    )
                    return
        self.report.add(
            "recipient",
            "failed",
            f"The credential was not issued to {self.expected_recipient.strip()}.",
            "recipient.mismatch",
        )

    def _identity_matches(self, identity: Any, hashed: Any, salt: Any) -> bool:
        if not isinstance(identity, str) or not self.expected_recipient:
            return False
        is_hashed = hashed is True or (hashed is None and "$" in identity)
        try:
            return recipient.identity_matches(
                identity=identity,
                hashed=is_hashed,
                candidate=self.expected_recipient,
                salt=salt if isinstance(salt, str) else None,
            )
        except OpenBadgesError:
            return False

    # -- validity ---------------------------------------------------------------------------------

    def _validity(self, not_before: Any, not_after: Any) -> None:
        if not_before is None:
            self.report.add("validity.not_before", "failed", "The credential has no issuance date.")
        else:
            try:
                start = parse_datetime(not_before)
            except ValueError:
                self.report.add(
                    "validity.not_before", "failed", f"{not_before!r} is not a valid date."
                )
            else:
                if start > self.now:
                    self.report.add(
                        "validity.not_before",
                        "failed",
                        f"The credential is not valid before {_when(start)}.",
                        "validity.not_yet_valid",
                    )
                else:
                    self.report.add("validity.not_before", "passed", f"Valid since {_when(start)}.")
        if not_after is None:
            self.report.add("validity.expiry", "passed", "The credential does not expire.")
            return
        try:
            end = parse_datetime(not_after)
        except ValueError:
            self.report.add("validity.expiry", "failed", f"{not_after!r} is not a valid date.")
            return
        if end <= self.now:
            self.report.add(
                "validity.expiry",
                "failed",
                f"The credential expired on {_when(end)}.",
                "validity.expired",
            )
        else:
            self.report.add("validity.expiry", "passed", f"Valid until {_when(end)}.")

    # -- OB 2.0 -----------------------------------------------------------------------------------

    def _ob2_json(self, document: dict, *, source: str | None, response=None) -> None:
        verification = document.get("verification", document.get("verify"))
        kind = verification.get("type") if isinstance(verification, dict) else None
        if isinstance(kind, str) and kind.lower() in ("signedbadge", "signed"):
            self.report.format = "ob2-signed"
            self.report.credential = document
            self._fail(
                "proof",
                "This is a signed OB 2.0 assertion given without its signature; the signed "
                "(JWS) form is needed to verify it.",
                "proof.missing",
            )
        self.report.format = "ob2-hosted"
        assertion_id = document.get("id")
        if not isinstance(assertion_id, str) or not _is_http_url(assertion_id):
            self.report.credential = document
            self._fail(
                "hosted.fetch",
                "A hosted assertion needs an HTTP(S) id to be fetched from.",
                "ob2.id",
            )
        if source == assertion_id and response is not None:
            hosted, hosted_response = document, response
        else:
            # Only the id of a presented copy is trusted: verify what the issuer serves now.
            hosted_response = self._fetch("hosted.fetch", assertion_id, accept=JSON_ACCEPT)
            if hosted_response.status == 410:
                self.report.credential = document
                self._gone(hosted_response, assertion_id)
            if not hosted_response.ok:
                self.report.credential = document
                self._fail(
                    "hosted.fetch",
                    f"The issuer's server answered {assertion_id} with HTTP status "
                    f"{hosted_response.status}.",
                    "ob2.hosted_status",
                )
            try:
                hosted = hosted_response.json()
            except FetchError as exc:
                self._fail("hosted.fetch", exc.message, exc.code)
            if not isinstance(hosted, dict):
                self._fail("hosted.fetch", "The hosted assertion is not a JSON object.")
        self.report.credential = hosted
        if hosted_response.content_type in JSON_MEDIA_TYPES:
            self.report.add(
                "hosted.fetch",
                "passed",
                f"The issuer serves the assertion at its id ({hosted_response.content_type}).",
            )
        else:
            self.report.add(
                "hosted.fetch",
                "warning",
                f"The assertion is served as '{hosted_response.content_type or 'no type'}' "
                "instead of application/ld+json.",
                "ob2.content_type",
            )
        if hosted.get("id") != assertion_id:
            self._fail(
                "hosted.fetch",
                f"The document served at {assertion_id} has a different id ({hosted.get('id')!r}).",
                "ob2.id_mismatch",
            )
        self._ob2_common(hosted, hosted=True)

    def _ob2_signed(self, token: str, payload: dict) -> None:
        badge, issuer = self._ob2_badge_and_issuer(payload)
        key_url = None
        verification = payload.get("verification", payload.get("verify"))
        if isinstance(verification, dict):
            key_url = _node_id(verification.get("creator"))
        allowed = [k for k in (_node_id(k) for k in _as_list(issuer.get("publicKey"))) if k]
        candidates = [key_url] if key_url else allowed
        if not candidates:
            self.report.add("issuer.key", "failed", "The issuer publishes no public key.")
            self.report.add("proof", "failed", "The signature cannot be checked without a key.")
        else:
            self._ob2_signature(token, payload, issuer, candidates, allowed)
        self._ob2_common(payload, hosted=False, badge=badge, issuer=issuer)

    def _ob2_signature(self, token, payload, issuer, candidates, allowed) -> None:
        problems = []
        for key_url in candidates:
            if key_url not in allowed:
                problems.append(f"the key {key_url} is not listed in the issuer's publicKey")
                continue
            try:
                if self.key_resolver is not None and (
                    resolved := _as_resolved(self.key_resolver(key_url), key_url)
                ):
                    public_key = resolved.public_key
                else:
                    key_document = self._fetch_json_document(key_url, accept=JSON_ACCEPT)
                    owner = _node_id(key_document.get("owner"))
                    if owner and owner != issuer.get("id"):
                        raise InvalidKey(f"The key {key_url} belongs to {owner}.")
                    public_key = keys.public_key_from_pem(key_document.get("publicKeyPem", ""))
            except (OpenBadgesError, ValueError) as exc:
                problems.append(getattr(exc, "message", str(exc)))
                continue
            self.report.add("issuer.key", "passed", f"The issuer's key {key_url} was found.")
            try:
                signed = jws.verify_ob2_jws(token, public_key=public_key)
            except OpenBadgesError as exc:
                self.report.add(
                    "proof", "failed", f"The signature does not verify: {exc.message}", exc.code
                )
                return
            if signed != payload:
                self.report.add("proof", "failed", "The signed payload differs from the assertion.")
                return
            self.report.add("proof", "passed", "The JWS signature of the assertion is valid.")
            return
        self.report.add("issuer.key", "failed", "No usable key: " + "; ".join(problems))
        self.report.add("proof", "failed", "The signature cannot be checked without a key.")

    def _ob2_badge_and_issuer(self, assertion: dict) -> tuple[dict, dict]:
        badge = assertion.get("badge")
        if isinstance(badge, str):
            badge = self._fetch_json_document(badge, accept=JSON_ACCEPT, check_id="ob2.badge")
        if not isinstance(badge, dict) or "BadgeClass" not in _types(badge):
            self._fail("ob2.badge", "The assertion's badge is not a BadgeClass.", "ob2.badge")
        issuer = badge.get("issuer")
        if isinstance(issuer, str):
            issuer = self._fetch_json_document(issuer, accept=JSON_ACCEPT, check_id="ob2.issuer")
        if not isinstance(issuer, dict) or not {"Issuer", "Profile"} & set(_types(issuer)):
            self._fail("ob2.issuer", "The badge's issuer is not an Issuer profile.", "ob2.issuer")
        self.report.related = {"badge": badge, "issuer": issuer}
        missing = [name for name in ("name", "description", "criteria") if name not in badge]
        if missing:
            self.report.add(
                "ob2.badge",
                "failed",
                f"The BadgeClass lacks required properties: {', '.join(missing)}.",
                "ob2.badge",
            )
        else:
            self.report.add("ob2.badge", "passed", f"Badge class: {badge.get('name')}.")
        self.report.add("ob2.issuer", "passed", f"Issuer: {issuer.get('name', issuer.get('id'))}.")
        return badge, issuer

    def _ob2_common(self, assertion, *, hosted, badge=None, issuer=None) -> None:
        missing = [name for name in ("recipient", "badge", "issuedOn") if name not in assertion]
        if missing:
            self._fail(
                "ob2.assertion",
                f"The assertion lacks required properties: {', '.join(missing)}.",
                "ob2.assertion",
            )
        if badge is None:
            badge, issuer = self._ob2_badge_and_issuer(assertion)
        if hosted:
            self._ob2_origin(assertion["id"], issuer)
        if assertion.get("revoked") is True:
            reason = assertion.get("revocationReason")
            self.report.add(
                "status.revocation",
                "failed",
                "The issuer has revoked this badge." + (f" Reason: {reason}" if reason else ""),
                "status.revoked",
            )
        else:
            self._ob2_revocation_list(assertion, issuer, hosted=hosted)
        self._validity(assertion.get("issuedOn"), assertion.get("expires"))
        self._ob2_recipient(assertion)

    def _ob2_origin(self, assertion_id: str, issuer: dict) -> None:
        issuer_id = issuer.get("id", "")
        verification = issuer.get("verification")
        allowed_origins: list[str] = []
        starts_with: list[str] = []
        if isinstance(verification, dict):
            allowed_origins = [o for o in _as_list(verification.get("allowedOrigins")) if o]
            starts_with = [s for s in _as_list(verification.get("startsWith")) if s]
        host = urlsplit(assertion_id).netloc
        if starts_with and any(assertion_id.startswith(s) for s in starts_with):
            ok = True
        elif allowed_origins:
            ok = host in allowed_origins
        else:
            ok = isinstance(issuer_id, str) and _same_origin(assertion_id, issuer_id)
        if ok:
            self.report.add(
                "hosted.origin", "passed", "The assertion is hosted where the issuer allows."
            )
        else:
            self.report.add(
                "hosted.origin",
                "failed",
                f"The assertion is hosted at {host}, which the issuer {issuer_id} does not "
                "allow (it must share the issuer's origin).",
                "ob2.origin",
            )

    def _ob2_revocation_list(self, assertion: dict, issuer: dict, *, hosted: bool) -> None:
        list_url = _node_id(issuer.get("revocationList"))
        if not list_url:
            self.report.add(
                "status.revocation",
                "passed" if hosted else "skipped",
                "The issuer's server serves the assertion, so it is not revoked."
                if hosted
                else "The issuer publishes no revocation list.",
            )
            return
        self._revocation_list(
            list_url,
            JSON_ACCEPT,
            lambda document: status.check_ob2_revocation_list(document, assertion.get("id", "")),
            "badge",
        )

    def _ob2_recipient(self, assertion: dict) -> None:
        if not self.expected_recipient:
            self.report.add("recipient", "skipped", "No recipient was given to compare with.")
            return
        identity = assertion.get("recipient")
        if isinstance(identity, dict) and self._identity_matches(
            identity.get("identity"), identity.get("hashed"), identity.get("salt")
        ):
            self.report.add("recipient", "passed", "The badge was awarded to this person.")
            return
        self.report.add(
            "recipient",
            "failed",
            f"The badge was not awarded to {self.expected_recipient.strip()}.",
            "recipient.mismatch",
        )

    # -- fetching ---------------------------------------------------------------------------------

    def _fetch(self, check_id: str, url: str, *, accept: str):
        try:
            return self.fetcher.get(url, accept=accept)
        except FetchError as exc:
            self._fail(check_id, f"Could not fetch {url}: {exc.message}", exc.code)

    def _fetch_json_document(self, url: str, *, accept: str, check_id: str | None = None) -> dict:
        """Fetch a JSON object; failures raise FetchError (or end the run under `check_id`)."""
        if url in self._documents:
            return self._documents[url]
        try:
            response = self.fetcher.get(url, accept=accept)
            if not response.ok:
                raise FetchError(
                    f"{url} answered with HTTP status {response.status}.", code="fetch.status"
                )
            document = response.json()
            if not isinstance(document, dict):
                raise FetchError(f"{url} did not return a JSON object.", code="fetch.not_json")
        except FetchError as exc:
            if check_id:
                self._fail(check_id, f"Could not fetch {url}: {exc.message}", exc.code)
            raise
        self._documents[url] = document
        return document

    def _fail(self, check_id: str, message: str, code: str | None = None):
        self.report.add(check_id, "failed", message, code)
        raise _Stop


# -- helpers for keys -----------------------------------------------------------------------------


def _as_resolved(value: Any, vm: str) -> ResolvedKey | None:
    if value is None:
        return None
    if isinstance(value, ResolvedKey):
        return value
    if isinstance(value, ManagedKey):
        return ResolvedKey(value.public_key, managed=value)
    return ResolvedKey(value)


def _key_from_document(document: dict, vm: str, base: str) -> ResolvedKey:
    """A key from a fetched key document (Multikey / JWK / CryptographicKey) or from the
    verificationMethod list of a controller document."""
    node = None
    if document.get("id") == vm or (
        "#" not in vm and ("publicKeyMultibase" in document or "publicKeyJwk" in document)
    ):
        node = document
    elif "kty" in document:
        return ResolvedKey(keys.public_key_from_jwk(document))
    elif isinstance(document.get("keys"), list):
        kid = vm
        for jwk in document["keys"]:
            if isinstance(jwk, dict) and jwk.get("kid") in (kid, vm.partition("#")[2]):
                return ResolvedKey(keys.public_key_from_jwk(jwk))
        raise InvalidKey(f"The key set at {base} has no key {vm}.", code="key.not_found")
    else:
        for item in _as_list(document.get("verificationMethod")):
            if isinstance(item, dict) and item.get("id") in (vm, "#" + vm.partition("#")[2]):
                node = item
                break
    if node is None:
        raise InvalidKey(f"No key {vm} was found at {base}.", code="key.not_found")
    controller = _node_id(node.get("controller")) or _node_id(document.get("controller"))
    if isinstance(node.get("publicKeyMultibase"), str):
        public_key = multikey.decode_public_multikey(node["publicKeyMultibase"])
    elif isinstance(node.get("publicKeyJwk"), dict):
        public_key = keys.public_key_from_jwk(node["publicKeyJwk"])
    else:
        raise InvalidKey(f"The key {vm} has no public key material.", code="key.not_found")
    if controller is None and node is not document:
        controller = document.get("id")
    return ResolvedKey(public_key, controller=controller)


def _issued(credential: dict) -> datetime:
    """When a credential says it became valid, or the earliest moment if it does not say."""
    try:
        return parse_datetime(credential.get("validFrom", credential.get("issuanceDate")))
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)


def _as_vc2(credential: dict) -> dict:
    """A VC 1.1 credential with its VC 2.0 names, for the bundled (VC 2.0) OB 3.0 schema.

    The OB 3.0 parts of the two variants are the same; only the first context and the date
    properties differ (the official "any" schema accepts either form).
    """
    renamed = {"issuanceDate": "validFrom", "expirationDate": "validUntil"}
    converted = {renamed.get(key, key): value for key, value in credential.items()}
    contexts = _contexts(credential)
    converted["@context"] = [VC_V2, *contexts[1:]]
    return converted


def _uncompacted(credential: dict) -> tuple[dict, list[str]]:
    """The credential with single values of the compactable properties turned into arrays,
    and the names of those that were single."""
    names = [
        name
        for name in COMPACTABLE
        if name in credential and not isinstance(credential[name], list)
    ]
    return {**credential, **{name: [credential[name]] for name in names}}, names


def _looks_like_svg(data: bytes) -> bool:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<") and b"<svg" in data[:4096].lower()


# -- summary --------------------------------------------------------------------------------------


def _text_of(value: Any) -> str | None:
    """A plain string from a string or a language map / value object."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        if isinstance(value.get("@value"), str):
            return value["@value"]
        for item in value.values():
            if isinstance(item, str):
                return item
    if isinstance(value, list) and value:
        return _text_of(value[0])
    return None


def _image_of(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return value.get("id") if isinstance(value.get("id"), str) else None
    return None


def _summary(report: VerificationReport) -> dict[str, Any]:
    credential = report.credential if isinstance(report.credential, dict) else {}
    if report.format in ("ob2-hosted", "ob2-signed"):
        badge = report.related.get("badge") or (
            credential.get("badge") if isinstance(credential.get("badge"), dict) else {}
        )
        issuer = report.related.get("issuer") or (
            badge.get("issuer") if isinstance(badge.get("issuer"), dict) else {}
        )
        return {
            "id": credential.get("id"),
            "name": _text_of(badge.get("name")),
            "description": _text_of(badge.get("description")),
            "image": _image_of(credential.get("image")) or _image_of(badge.get("image")),
            "issuer_id": _node_id(issuer) or _node_id(badge.get("issuer")),
            "issuer_name": _text_of(issuer.get("name")),
            "issued_on": credential.get("issuedOn"),
            "expires": credential.get("expires"),
        }
    subject = credential.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    subject = subject if isinstance(subject, dict) else {}
    achievement = subject.get("achievement") if isinstance(subject.get("achievement"), dict) else {}
    issuer = credential.get("issuer")
    return {
        "id": credential.get("id"),
        "name": _text_of(achievement.get("name")) or _text_of(credential.get("name")),
        "description": _text_of(achievement.get("description"))
        or _text_of(credential.get("description")),
        "image": _image_of(subject.get("image"))
        or _image_of(achievement.get("image"))
        or _image_of(credential.get("image")),
        "issuer_id": _node_id(issuer),
        "issuer_name": _text_of(issuer.get("name")) if isinstance(issuer, dict) else None,
        "issued_on": credential.get("awardedDate")
        or credential.get("validFrom")
        or credential.get("issuanceDate"),
        "expires": credential.get("validUntil") or credential.get("expirationDate"),
    }


__all__ = [
    "CHECKS",
    "Check",
    "ResolvedKey",
    "VerificationReport",
    "parse_datetime",
    "verify",
]
