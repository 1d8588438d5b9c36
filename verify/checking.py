"""Verify any badge for a person: which fetcher, which keys, and one verdict.

Badges of this platform are checked as the award page checks them: our own documents are
answered in process (`issuing.fetcher.SiteFetcher`) and our keys are known with their
lifecycle (`issuing.hosted.key_resolver`), found here from the verification method for any of
our issuers. Everything else goes to the library's network fetcher, which refuses private and
loopback addresses: what a visitor submits chooses the URLs the server visits.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.conf import settings

from issuing import hosted
from issuing.fetcher import SiteFetcher
from issuing.models import IssuerProfile
from openbadges.fetch import Fetcher, FetcherProtocol
from openbadges.verify import VerificationReport, verify

# Verdicts, most serious first: the passport stores them as its verification status.
VALID = "valid"
INVALID = "invalid"
REVOKED = "revoked"
EXPIRED = "expired"
NOT_YET_VALID = "not_yet_valid"
ERROR = "error"

_ISSUER_PATH = re.compile(r"/issuers/([0-9a-f-]{36})(?:[#/:]|$)")
_ISSUER_DID = re.compile(r":issuers:([0-9a-f-]{36})(?:#|$)")
# Failures that say nothing about the badge, only that something could not be reached.
_UNREACHABLE_CODES = ("fetch.",)


def network_fetcher() -> FetcherProtocol:
    """The fetcher for documents on other sites. Tests replace it to reach a local server."""
    return Fetcher()


def badge_fetcher() -> SiteFetcher:
    return SiteFetcher(fallback=network_fetcher())


def site_key_resolver() -> Callable[[str], Any]:
    """Our issuers' keys with their lifecycle, for any verification method that names one."""
    site = settings.SITE_URL.rstrip("/")
    resolvers: dict[str, Callable[[str], Any] | None] = {}

    def resolve(method: str):
        if not isinstance(method, str):
            return None
        match = None
        if method.startswith(site + "/"):
            match = _ISSUER_PATH.search(method[len(site) :])
        elif method.startswith("did:web:"):
            match = _ISSUER_DID.search(method)
        if match is None:
            return None
        public_id = match.group(1)
        if public_id not in resolvers:
            profile = (
                IssuerProfile.objects.select_related("organisation")
                .filter(public_id=public_id)
                .first()
            )
            resolvers[public_id] = hosted.key_resolver(profile) if profile else None
        lookup = resolvers[public_id]
        return lookup(method) if lookup else None

    return resolve


def verify_badge(
    data: str | bytes | dict,
    *,
    recipient: str | None = None,
    fetcher: FetcherProtocol | None = None,
    now=None,
) -> VerificationReport:
    """Verify what a person submitted (URL, image bytes, JSON or JWT text)."""
    return verify(
        data,
        fetcher=fetcher if fetcher is not None else badge_fetcher(),
        expected_recipient=recipient or None,
        key_resolver=site_key_resolver(),
        now=now,
    )


def verdict(report: VerificationReport) -> str:
    """One word for the report: what a list of badges shows and the passport stores.

    The recipient check is left out: whether the badge is someone's is the importer's
    question, not the badge's state.
    """
    failures = [c for c in report.failures if c.id != "recipient"]
    if not failures:
        return VALID if report.checks else ERROR
    codes = {c.code for c in failures}
    if "status.revoked" in codes:
        return REVOKED
    if "validity.expired" in codes:
        return EXPIRED
    if "validity.not_yet_valid" in codes:
        return NOT_YET_VALID
    if all((c.code or "").startswith(_UNREACHABLE_CODES) or c.id == "verifier" for c in failures):
        return ERROR
    return INVALID


def spec_of(report: VerificationReport) -> str:
    if report.format in ("ob3-di", "ob3-jwt"):
        return "ob3"
    if report.format in ("ob2-hosted", "ob2-signed"):
        return "ob2"
    return ""
