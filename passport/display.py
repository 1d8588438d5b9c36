"""What the badge pages show, read from an award or from an imported credential.

Imported credentials come from anywhere: every value is read defensively (it may be missing,
of the wrong type, or a hostile `javascript:` address), and only http(s) addresses become links.
"""

from typing import Any
from urllib.parse import urlsplit

from django.urls import reverse

from .models import PassportBadge


def safe_url(value: Any) -> str:
    """The value when it is an absolute http(s) address, else ""."""
    if not isinstance(value, str):
        return ""
    value = value.strip()
    try:
        parts = urlsplit(value)
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return value


def _text(value: Any, limit: int = 5000) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _subject(credential: dict) -> dict:
    subject = credential.get("credentialSubject")
    if isinstance(subject, list):
        subject = subject[0] if subject else {}
    return subject if isinstance(subject, dict) else {}


def _achievement(credential: dict) -> dict:
    """The OB 3.0 Achievement or the embedded OB 2.0 BadgeClass (a bare URL gives nothing)."""
    achievement = _subject(credential).get("achievement")
    if isinstance(achievement, dict):
        return achievement
    badge = credential.get("badge")
    return badge if isinstance(badge, dict) else {}


def _evidence_entry(item: Any) -> dict | None:
    if isinstance(item, str):
        url = safe_url(item)
        return {"url": url, "name": "", "description": "", "narrative": ""} if url else None
    if not isinstance(item, dict):
        return None
    entry = {
        "url": safe_url(item.get("id")) or safe_url(item.get("url")),
        "name": _text(item.get("name"), 500),
        "description": _text(item.get("description")),
        "narrative": _text(item.get("narrative")),
    }
    return entry if any(entry.values()) else None


def issuer_evidence(badge: PassportBadge) -> list[dict]:
    """The evidence the issuer put in the badge: [{url, name, description, narrative}]."""
    if badge.award_id is not None:
        items = badge.award.evidence or []
    elif isinstance(badge.credential, dict):
        items = _as_list(badge.credential.get("evidence"))
    else:
        items = []
    entries = (_evidence_entry(item) for item in items[:50])
    return [entry for entry in entries if entry]


def narrative(badge: PassportBadge) -> str:
    """What the issuer wrote about this learner's achievement."""
    if badge.award_id is not None:
        return badge.award.narrative
    if not isinstance(badge.credential, dict):
        return ""
    return _text(_subject(badge.credential).get("narrative")) or _text(
        badge.credential.get("narrative")
    )


def criteria_url(badge: PassportBadge) -> str:
    """Where the criteria are described: our badge page, or the imported badge's criteria."""
    if badge.award_id is not None:
        version = badge.award.badge_class_version
        path = reverse(
            "issuing:badge_detail", kwargs={"public_id": badge.award.badge_class.public_id}
        )
        return f"{path}?v={version.number}"
    if not isinstance(badge.credential, dict):
        return ""
    criteria = _achievement(badge.credential).get("criteria")
    if isinstance(criteria, dict):
        return safe_url(criteria.get("id")) or safe_url(criteria.get("url"))
    return safe_url(criteria)


def criteria_narrative(badge: PassportBadge) -> str:
    if badge.award_id is not None:
        return badge.award.badge_class_version.criteria_narrative
    if not isinstance(badge.credential, dict):
        return ""
    criteria = _achievement(badge.credential).get("criteria")
    return _text(criteria.get("narrative")) if isinstance(criteria, dict) else ""


def image_src(badge: PassportBadge, *, share_token: str | None = None) -> str:
    """A same-origin address for the badge's image (the CSP allows no other), or ""."""
    if badge.award_id is not None:
        version = badge.award.badge_class_version
        path = reverse(
            "issuing:badge_image", kwargs={"public_id": badge.award.badge_class.public_id}
        )
        return f"{path}?v={version.number}"
    if not badge.image:
        return ""
    if share_token:
        return reverse("passport:share_image", kwargs={"token": share_token})
    return reverse("passport:image", kwargs={"public_id": badge.public_id})


_CONTENT_TYPES = {
    "png": "image/png",
    "svg": "image/svg+xml",
    # As the issuing endpoints serve them: a JWS as a web resource is text.
    "jwt": "text/plain; charset=utf-8",
    "url": "text/plain; charset=utf-8",
}
_JSON_TYPES = {"ob3": "application/vc+ld+json", "ob2": "application/ld+json"}
_EXTENSIONS = {"png": "png", "svg": "svg", "json": "json", "jwt": "jwt", "url": "txt"}


def original_content_type(badge: PassportBadge) -> str:
    if badge.original_format == "json":
        return _JSON_TYPES.get(badge.spec, "application/json")
    return _CONTENT_TYPES.get(badge.original_format, "application/octet-stream")


def original_filename(badge: PassportBadge) -> str:
    """A safe download name: the uploader's name without its path, or one made from the badge."""
    extension = _EXTENSIONS.get(badge.original_format, "bin")
    base = (badge.original_filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c if c.isalnum() or c in "-_." else "-" for c in base).strip("-.")
    if not base:
        base = "".join(c if c.isalnum() else "-" for c in badge.name.lower()).strip("-") or "badge"
        base = f"{base[:80]}.{extension}"
    return base[:120]


def localise(badge: PassportBadge, language: str | None) -> PassportBadge:
    """Show an awarded badge's name and description in the visitor's language when its issuer
    translated them. Changes the instance for display only: views never save it afterwards."""
    if badge.award_id is not None:
        version = badge.award.badge_class_version
        badge.name = version.translated("name", language)
        badge.description = version.translated("description", language)
    return badge
