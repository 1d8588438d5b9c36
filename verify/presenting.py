"""A verification report as a person reads it: a verdict, the badge's summary and the checks."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from openbadges.verify import VerificationReport, parse_datetime

from . import checking, explanations, images

VERDICT_HEADLINES = {
    checking.VALID: _("This badge is valid."),
    checking.INVALID: _("This badge is not valid."),
    checking.REVOKED: _("This badge was revoked by its issuer."),
    checking.EXPIRED: _("This badge has expired."),
    checking.NOT_YET_VALID: _("This badge is not valid yet."),
    checking.ERROR: _("This badge could not be checked completely."),
}
FORMAT_LABELS = {
    "ob3-di": _("Open Badges 3.0 credential with an embedded proof"),
    "ob3-jwt": _("Open Badges 3.0 credential as a JWT"),
    "ob2-hosted": _("Open Badges 2.0 hosted assertion"),
    "ob2-signed": _("Open Badges 2.0 signed assertion"),
}


def _date(value: Any):
    try:
        return parse_datetime(value)
    except ValueError:
        return None


def _own_image(url: str | None) -> str:
    """An image on this site may be shown as it is (the page's CSP allows only our origin)."""
    site = settings.SITE_URL.rstrip("/") + "/"
    return "/" + url[len(site) :] if isinstance(url, str) and url.startswith(site) else ""


def summary(report: VerificationReport) -> dict[str, Any]:
    """Name, issuer, dates and a picture safe to show (a data: URL or "")."""
    data = report.summary if report.checks else {}
    image = data.get("image") if isinstance(data.get("image"), str) else None
    picture = images.from_data_url(image)
    issuer_id = data.get("issuer_id") or ""
    return {
        "id": data.get("id") or "",
        "name": data.get("name") or "",
        "description": data.get("description") or "",
        "issuer_name": data.get("issuer_name") or "",
        "issuer_id": issuer_id,
        "issuer_url": issuer_id if issuer_id.startswith(("https://", "http://")) else "",
        "issued_at": _date(data.get("issued_on")),
        "expires_at": _date(data.get("expires")),
        "image_url": image if image and image.startswith(("https://", "http://")) else "",
        "picture": images.as_data_url(picture) or _own_image(image),
    }


def recipient_outcome(report: VerificationReport) -> str | None:
    check = report.check("recipient")
    if check is None or check.outcome == "skipped":
        return None
    return check.outcome


def report_context(
    report: VerificationReport, *, picture: str = "", hide_skipped: tuple[str, ...] = ()
) -> dict[str, Any]:
    """`hide_skipped` leaves out checks that did not run because the page answers their
    question itself (the import page matches the recipient against the account)."""
    verdict = checking.verdict(report)
    badge = summary(report)
    if picture:
        badge["picture"] = picture
    return {
        "verdict": verdict,
        "headline": str(VERDICT_HEADLINES[verdict]),
        "format_label": str(FORMAT_LABELS.get(report.format or "", "")),
        "badge": badge,
        "checks": explanations.rows(report, skip=hide_skipped),
        "recipient": recipient_outcome(report),
    }


def report_json(report: VerificationReport) -> dict[str, Any]:
    """The API's answer: the library's report (without the credential) with translations."""
    badge = summary(report)
    return {
        "valid": report.valid,
        "verdict": checking.verdict(report),
        "format": report.format,
        "summary": {
            **{k: v for k, v in badge.items() if k not in ("issued_at", "expires_at", "picture")},
            "issued_at": badge["issued_at"].isoformat() if badge["issued_at"] else None,
            "expires_at": badge["expires_at"].isoformat() if badge["expires_at"] else None,
        },
        "checks": explanations.rows(report),
    }
