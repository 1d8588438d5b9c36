"""Bringing a badge from any issuer into a passport, and checking passport badges again.

Import rules (docs/passport.md, "Importing"):
- the badge is verified with `verify.checking` (the public verifier's fetcher and our own keys);
- it must name one of the account's VERIFIED addresses as recipient (plain or salted hash, as
  OB 2.0 and OB 3.0 write it); a badge for somebody else is refused, as Badgr does, because a
  passport says "this is mine";
- a badge whose verification failed (tampered, malformed, unknown signer) or that its issuer
  revoked is refused: its content cannot be trusted or is withdrawn. Expired, not-yet-valid
  and could-not-be-checked badges are kept, flagged with that status;
- the same badge (same credential or assertion id) is kept once per passport;
- the exact bytes received are kept, with the report (without the credential).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from openbadges import recipient as identities
from openbadges.errors import OpenBadgesError
from openbadges.verify import VerificationReport
from verify import checking, images, presenting

from . import services
from .display import safe_url
from .models import BadgeSource, PassportBadge, VerificationStatus

REFUSED_STATUSES = (VerificationStatus.INVALID, VerificationStatus.REVOKED)
_OWN_DOCUMENT = re.compile(r"/(?:credentials|assertions)/([0-9a-f-]{36})(?:\.jwt)?$")


@dataclass
class ImportCandidate:
    """A verified badge and what the importer decided about it, before it is added."""

    original: bytes
    original_format: str
    filename: str
    source_url: str
    report: VerificationReport
    status: str
    matched: str = ""
    addresses: list[str] = field(default_factory=list)
    duplicate: PassportBadge | None = None
    picture: tuple[bytes, str] | None = None

    @property
    def credential_id(self) -> str | None:
        credential = self.report.credential
        value = credential.get("id") if isinstance(credential, dict) else None
        return value if isinstance(value, str) and value else None

    @property
    def refusal(self) -> str:
        """Why this badge cannot be added ("" when it can)."""
        if self.status == VerificationStatus.INVALID:
            return _(
                "This badge did not pass verification, so it cannot be added: its content "
                "cannot be trusted. The report says which check failed."
            )
        if self.status == VerificationStatus.REVOKED:
            return _("This badge was revoked by its issuer, so it cannot be added.")
        if not self.addresses:
            return _(
                "Your account has no verified email address yet. Verify one of your addresses, "
                "then import the badge again."
            )
        if not self.matched:
            return _(
                "This badge was not issued to any of your verified email addresses (%(addresses)s)"
                ". If it was issued to another address of yours, add and verify that address "
                "first."
            ) % {"addresses": ", ".join(self.addresses)}
        if self.duplicate is not None:
            return _("This badge is already in your passport.")
        return ""

    def snapshot(self) -> dict[str, Any]:
        badge = presenting.summary(self.report)
        image = None
        if self.picture is not None:
            data, kind = self.picture
            image = ContentFile(data, name=f"badge.{kind}")
        return {
            "name": badge["name"][:500],
            "description": badge["description"][:10_000],
            "issuer_name": badge["issuer_name"][:500],
            "issuer_url": safe_url(badge["issuer_url"])[:2000],
            "image_url": safe_url(badge["image_url"])[:2000],
            "image": image,
            "issued_at": badge["issued_at"],
            "expires_at": badge["expires_at"],
            "spec": checking.spec_of(self.report),
        }


# -- recipient -------------------------------------------------------------------------------------


def _identities(report: VerificationReport) -> list[tuple[str, bool, str | None]]:
    """(identity, hashed, salt) of every recipient identity the badge names."""
    credential = report.credential if isinstance(report.credential, dict) else {}
    found: list[tuple[str, bool, str | None]] = []

    def add(identity: Any, hashed: Any, salt: Any) -> None:
        if isinstance(identity, str) and identity:
            is_hashed = hashed is True or (hashed is None and "$" in identity)
            found.append((identity, is_hashed, salt if isinstance(salt, str) else None))

    if report.format in ("ob2-hosted", "ob2-signed"):
        recipient = credential.get("recipient")
        if isinstance(recipient, dict):
            add(recipient.get("identity"), recipient.get("hashed"), recipient.get("salt"))
        return found
    subjects = credential.get("credentialSubject")
    for subject in subjects if isinstance(subjects, list) else [subjects]:
        if not isinstance(subject, dict):
            continue
        subject_id = subject.get("id")
        if isinstance(subject_id, str) and subject_id.startswith("mailto:"):
            add(subject_id.removeprefix("mailto:"), False, None)
        identifiers = subject.get("identifier")
        for item in identifiers if isinstance(identifiers, list) else [identifiers]:
            if isinstance(item, dict):
                add(item.get("identityHash"), item.get("hashed"), item.get("salt"))
    return found


def matching_address(report: VerificationReport, addresses: list[str]) -> str:
    """The first of `addresses` the badge was issued to, or ""."""
    named = _identities(report)
    for address in addresses:
        for identity, hashed, salt in named:
            try:
                if identities.identity_matches(
                    identity=identity, hashed=hashed, candidate=address, salt=salt
                ):
                    return address
            except OpenBadgesError:
                continue
    return ""


# -- duplicates ------------------------------------------------------------------------------------


def find_duplicate(user, report: VerificationReport, original: bytes) -> PassportBadge | None:
    """The passport's badge that is this same badge: same credential / assertion id, the award
    itself when the badge is one of ours, or (for a badge without id) the same bytes."""
    credential = report.credential if isinstance(report.credential, dict) else {}
    credential_id = credential.get("id") if isinstance(credential.get("id"), str) else None
    badges = PassportBadge.objects.filter(owner=user)
    if credential_id:
        site = settings.SITE_URL.rstrip("/")
        own = _OWN_DOCUMENT.search(credential_id)
        if credential_id.startswith(site + "/") and own:
            awarded = badges.filter(award__public_id=own.group(1)).first()
            if awarded is not None:
                return awarded
        return badges.filter(source=BadgeSource.IMPORTED, credential__id=credential_id).first()
    digest = hashlib.sha256(original).hexdigest()
    for badge in badges.filter(source=BadgeSource.IMPORTED).only("pk", "original"):
        if badge.original is not None and hashlib.sha256(bytes(badge.original)).hexdigest() == (
            digest
        ):
            return badge
    return None


# -- the two steps ---------------------------------------------------------------------------------


def _picture(original: bytes, original_format: str, report: VerificationReport):
    if original_format in ("png", "svg"):
        picture = images.safe_picture(original)
        if picture is not None:
            return picture
    summary = report.summary if report.checks else {}
    return images.from_data_url(summary.get("image"))


def prepare_import(
    *, user, badge: bytes | str, original_format: str, filename: str = ""
) -> ImportCandidate:
    """Verify a badge for `user` and decide whether it may be added (nothing is written)."""
    report = checking.verify_badge(badge)
    source_url = badge.strip() if original_format == "url" and isinstance(badge, str) else ""
    if isinstance(badge, bytes):
        original = badge
    elif source_url and report.original:
        # What the issuer's server answered: the bytes the verifier checked.
        original = report.original.encode("utf-8")
    else:
        original = badge.encode("utf-8")
    addresses = services.verified_addresses(user)
    candidate = ImportCandidate(
        original=original,
        original_format=original_format,
        filename=filename,
        source_url=source_url,
        report=report,
        status=services.verification_status_of(report),
        addresses=addresses,
    )
    candidate.matched = matching_address(report, addresses)
    candidate.duplicate = find_duplicate(user, report, original)
    if not candidate.refusal:
        candidate.picture = _picture(original, original_format, report)
    return candidate


def import_badge(*, actor, candidate: ImportCandidate) -> PassportBadge:
    """Add a prepared badge to the actor's passport, or refuse with a ValidationError."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to import a badge."))
    with transaction.atomic():
        # One import at a time per account, so a double submit cannot add the badge twice.
        get_user_model().objects.select_for_update().filter(pk=actor.pk).first()
        candidate.duplicate = find_duplicate(actor, candidate.report, candidate.original)
        if candidate.refusal:
            raise ValidationError(candidate.refusal, code="import_refused")
        credential = candidate.report.credential
        badge = services.passport_badge_import_create(
            actor=actor,
            original=candidate.original,
            original_format=candidate.original_format,
            original_filename=candidate.filename,
            source_url=candidate.source_url,
            credential=credential if isinstance(credential, dict) else None,
            report=candidate.report,
            snapshot=candidate.snapshot(),
        )
        if candidate.matched and badge.recipient_matched != candidate.matched:
            badge.recipient_matched = candidate.matched[:320]
            badge.save(update_fields=["recipient_matched"])
    return badge


# -- verifying again -------------------------------------------------------------------------------


def current_report(badge: PassportBadge, *, now=None) -> VerificationReport:
    """Verify a passport badge as it stands today: an award from its stored credential, an
    imported badge from its original bytes (or its address, for one imported from a URL)."""
    if badge.source == BadgeSource.AWARDED and badge.award_id:
        return checking.verify_badge(bytes(badge.award.credential_json).decode("utf-8"), now=now)
    if badge.original_format == "url" and badge.source_url:
        return checking.verify_badge(badge.source_url, now=now)
    return checking.verify_badge(bytes(badge.original or b""), now=now)


def reverify(badge: PassportBadge, *, now=None) -> PassportBadge:
    return services.passport_badge_set_verification(
        badge=badge, report=current_report(badge, now=now)
    )
