"""Every write to a passport. The actor is the passport's owner: nobody else changes a learner's
choices, not even the issuer's staff (they revoke the award, which the passport then shows).

Awarded badges arrive through `passport_sync_for_user`, which materialises one pending
`PassportBadge` for each award made to one of the user's verified addresses that the passport
does not hold yet. It runs when the passport is opened and when an address is confirmed, so it
also catches awards written in bulk (bulk_create and COPY send no signals). See docs/passport.md.
"""

import re
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from audit.services import audit_record

from .models import (
    MAX_TAGS,
    BadgeSource,
    BadgeState,
    OriginalFormat,
    PassportBadge,
    PassportProfile,
    Spec,
    VerificationStatus,
    Visibility,
)

MAX_TAG_LENGTH = 40
HANDLE_MIN_LENGTH = 3
HANDLE_MAX_LENGTH = 50
# Handles that would read as the platform speaking, or that a future page may need.
RESERVED_HANDLES = frozenset(
    {"admin", "administrator", "api", "badge-europe", "badges", "passport", "root", "staff",
     "support", "system", "www"}
)  # fmt: skip
_HANDLE = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")


def _require_owner(actor, badge: PassportBadge) -> None:
    if not getattr(actor, "is_authenticated", False) or badge.owner_id != actor.pk:
        raise PermissionDenied(_("Only the owner of a passport may change it."))


def _locked(badge: PassportBadge) -> PassportBadge:
    """The badge's row, locked for the rest of the transaction, so double submits serialise."""
    return PassportBadge.objects.select_for_update().get(pk=badge.pk)


# -- receiving awards ------------------------------------------------------------------------


def verified_addresses(user) -> list[str]:
    """The user's verified addresses in the form awards store them (trimmed, lower-case)."""
    from allauth.account.models import EmailAddress

    from openbadges.recipient import normalise_email

    return sorted(
        {
            normalise_email(email)
            for email in EmailAddress.objects.filter(user=user, verified=True).values_list(
                "email", flat=True
            )
        }
    )


def _awarded_snapshot(award) -> dict:
    """The display fields of an awarded badge, taken from its version and issuer profile."""
    from issuing import links

    version = award.badge_class_version
    profile = award.organisation.issuer_profile
    return {
        "name": version.name[:500],
        "description": version.description,
        "issuer_name": profile.name[:500],
        "issuer_url": profile.url or links.issuer_url(profile.public_id),
        "image_url": links.badge_image_url(award.badge_class.public_id, version.number),
        "issued_at": award.issued_at,
        "expires_at": award.expires_at,
        "spec": Spec.OB3,
    }


def _deliver(user, awards) -> list[PassportBadge]:
    """Pending passport badges for those awards the user's passport does not hold yet (the
    unsaved instances: bulk_create with ignore_conflicts does not return primary keys)."""
    held = set(
        PassportBadge.objects.filter(owner=user, award__in=[a.pk for a in awards]).values_list(
            "award_id", flat=True
        )
    )
    new = [
        PassportBadge(
            owner=user,
            source=BadgeSource.AWARDED,
            award=award,
            state=BadgeState.PENDING,
            recipient_matched=award.recipient_identity,
            **_awarded_snapshot(award),
        )
        for award in awards
        if award.pk not in held
    ]
    if not new:
        return []
    # ignore_conflicts: a sync running at the same time (two tabs, the confirmation task) may
    # have inserted the same award; the unique (owner, award) constraint keeps one row.
    PassportBadge.objects.bulk_create(new, ignore_conflicts=True)
    # The sync runs on the learner's behalf (opening the passport, confirming an address).
    audit_record(
        actor=user,
        action="passport.badges_received",
        target=user,
        data={"awards": [str(badge.award.public_id) for badge in new]},
    )
    return new


def _awards_to(addresses: list[str]):
    from issuing.models import Award, IdentityType

    return Award.objects.filter(
        recipient_type=IdentityType.EMAIL, recipient_identity__in=addresses
    ).select_related("badge_class", "badge_class_version", "organisation__issuer_profile")


@transaction.atomic
def passport_sync_for_user(*, user) -> int:
    """Materialise the awards made to the user's verified addresses; returns how many arrived.

    Idempotent. Awards already in the passport (in any state, declined included) are left as
    they are, so a learner's choice is never undone by a sync.
    """
    addresses = verified_addresses(user)
    if not addresses:
        return 0
    awards = list(_awards_to(addresses).exclude(passport_badges__owner=user))
    return len(_deliver(user, awards))


@transaction.atomic
def passport_deliver_award(*, award) -> PassportBadge | None:
    """Put one new award into the passport of the account that verified its address, if any."""
    from allauth.account.models import EmailAddress

    from issuing.models import IdentityType

    if award.recipient_type != IdentityType.EMAIL:
        return None
    address = (
        EmailAddress.objects.filter(email__iexact=award.recipient_identity, verified=True)
        .select_related("user")
        .first()
    )
    if address is None:
        return None
    _deliver(address.user, [award])
    return PassportBadge.objects.filter(owner=address.user, award=award).first()


# -- the learner's choices --------------------------------------------------------------------


@transaction.atomic
def passport_badge_set_state(*, actor, badge: PassportBadge, state: str) -> PassportBadge:
    """Accept or decline a badge; either can be changed later. Declining also makes the badge
    private and ends its share link: a declined badge is shown to nobody but its owner."""
    _require_owner(actor, badge)
    if state not in (BadgeState.ACCEPTED, BadgeState.DECLINED):
        raise ValidationError(_("A badge can only be accepted or declined."))
    badge = _locked(badge)
    if badge.state == state:
        return badge
    previous = badge.state
    badge.state = state
    badge.state_changed_at = timezone.now()
    if state == BadgeState.DECLINED:
        badge.visibility = Visibility.PRIVATE
        badge.share_token = None
    badge.save()
    audit_record(
        actor=actor,
        action=f"passport.badge_{state}",
        target=badge,
        data={"from": previous, "to": state},
    )
    return badge


def _require_accepted(badge: PassportBadge) -> None:
    if badge.state != BadgeState.ACCEPTED:
        raise ValidationError(_("Accept the badge before you show or share it."))


@transaction.atomic
def passport_badge_set_visibility(*, actor, badge: PassportBadge, visibility: str) -> PassportBadge:
    _require_owner(actor, badge)
    if visibility not in Visibility.values:
        raise ValidationError(_("Choose who may see the badge."))
    badge = _locked(badge)
    if visibility != Visibility.PRIVATE:
        _require_accepted(badge)
    if badge.visibility != visibility:
        previous = badge.visibility
        badge.visibility = visibility
        badge.save(update_fields=["visibility", "updated_at"])
        audit_record(
            actor=actor,
            action="passport.visibility_changed",
            target=badge,
            data={"from": previous, "to": visibility},
        )
    return badge


@transaction.atomic
def passport_badge_share_create(*, actor, badge: PassportBadge) -> PassportBadge:
    """A new share link; an existing one is replaced (its old address stops working)."""
    _require_owner(actor, badge)
    badge = _locked(badge)
    _require_accepted(badge)
    badge.share_token = secrets.token_urlsafe(24)
    badge.save(update_fields=["share_token", "updated_at"])
    audit_record(actor=actor, action="passport.share_link_created", target=badge)
    return badge


@transaction.atomic
def passport_badge_share_revoke(*, actor, badge: PassportBadge) -> PassportBadge:
    _require_owner(actor, badge)
    badge = _locked(badge)
    if badge.share_token is not None:
        badge.share_token = None
        badge.save(update_fields=["share_token", "updated_at"])
        audit_record(actor=actor, action="passport.share_link_revoked", target=badge)
    return badge


@transaction.atomic
def passport_badge_set_hide_evidence(*, actor, badge: PassportBadge, hide: bool) -> PassportBadge:
    _require_owner(actor, badge)
    badge = _locked(badge)
    if badge.hide_evidence != hide:
        badge.hide_evidence = hide
        badge.save(update_fields=["hide_evidence", "updated_at"])
        audit_record(
            actor=actor,
            action="passport.evidence_hidden" if hide else "passport.evidence_shown",
            target=badge,
        )
    return badge


def normalise_tag(text: str) -> str:
    """Trimmed, inner whitespace collapsed, lower-case: "  Data   Science " → "data science"."""
    return " ".join((text or "").split()).lower()


@transaction.atomic
def passport_badge_tag_add(*, actor, badge: PassportBadge, tag: str) -> PassportBadge:
    _require_owner(actor, badge)
    tag = normalise_tag(tag)
    if not tag:
        raise ValidationError(_("Enter a tag."))
    if len(tag) > MAX_TAG_LENGTH:
        raise ValidationError(
            _("A tag has at most %(count)d characters.") % {"count": MAX_TAG_LENGTH}
        )
    badge = _locked(badge)
    if tag in badge.tags:
        return badge
    if len(badge.tags) >= MAX_TAGS:
        raise ValidationError(_("A badge has at most %(count)d tags.") % {"count": MAX_TAGS})
    badge.tags = [*badge.tags, tag]
    badge.save(update_fields=["tags", "updated_at"])
    audit_record(actor=actor, action="passport.tag_added", target=badge, data={"tag": tag})
    return badge


@transaction.atomic
def passport_badge_tag_remove(*, actor, badge: PassportBadge, tag: str) -> PassportBadge:
    _require_owner(actor, badge)
    tag = normalise_tag(tag)
    badge = _locked(badge)
    if tag in badge.tags:
        badge.tags = [t for t in badge.tags if t != tag]
        badge.save(update_fields=["tags", "updated_at"])
        audit_record(actor=actor, action="passport.tag_removed", target=badge, data={"tag": tag})
    return badge


@transaction.atomic
def passport_badge_delete(*, actor, badge: PassportBadge) -> None:
    """Remove an imported badge. Awarded badges cannot be removed (the next sync would bring
    them back); they are declined instead."""
    _require_owner(actor, badge)
    if badge.source != BadgeSource.IMPORTED:
        raise ValidationError(_("A badge awarded here cannot be removed; decline it instead."))
    audit_record(
        actor=actor, action="passport.badge_removed", target=badge, data={"name": badge.name}
    )
    badge.delete()


# -- imported badges and verification ----------------------------------------------------------


_SNAPSHOT_FIELDS = (
    "name",
    "description",
    "issuer_name",
    "issuer_url",
    "image_url",
    "image",
    "issued_at",
    "expires_at",
    "spec",
)


def verification_status_of(report) -> str:
    """One status for an `openbadges.verify` report, most telling failure first."""
    if report.valid:
        return VerificationStatus.VALID
    codes = {check.code for check in report.failures}
    ids = {check.id for check in report.failures}
    if "status.revoked" in codes:
        return VerificationStatus.REVOKED
    if "validity.expired" in codes:
        return VerificationStatus.EXPIRED
    if "validity.not_yet_valid" in codes:
        return VerificationStatus.NOT_YET_VALID
    if any((code or "").startswith("fetch.") for code in codes) or "verifier" in ids:
        return VerificationStatus.ERROR
    return VerificationStatus.INVALID


def _report_data(report) -> dict:
    data = report.to_dict()
    data.pop("credential", None)
    return data


def _apply_verification(badge: PassportBadge, report) -> None:
    badge.verification_status = verification_status_of(report)
    badge.verification_report = _report_data(report)
    badge.verified_at = timezone.now()


@transaction.atomic
def passport_badge_import_create(
    *,
    actor,
    original: bytes,
    original_format: str,
    original_filename: str = "",
    source_url: str = "",
    credential: dict | None,
    report,
    snapshot: dict,
) -> PassportBadge:
    """Keep a badge the learner brought from elsewhere, with the exact bytes received.

    `snapshot` holds the display fields (name, description, issuer_name, issuer_url,
    image_url, image, issued_at, expires_at, spec). Imported badges start accepted: the
    learner chose them.
    """
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to import a badge."))
    if original_format not in OriginalFormat.values:
        raise ValidationError(_("This badge format is not supported."))
    unknown = set(snapshot) - set(_SNAPSHOT_FIELDS)
    if unknown:
        raise ValueError(f"Unknown snapshot fields: {', '.join(sorted(unknown))}")
    fields = dict(snapshot)
    fields["name"] = (fields.get("name") or _("Untitled badge"))[:500]
    fields["issuer_name"] = (fields.get("issuer_name") or "")[:500]
    # Addresses from a foreign badge may be DIDs, URNs or worse: only http(s) ones are kept
    # (they become links); the badge itself is never refused for them.
    for name in ("issuer_url", "image_url"):
        fields[name] = _web_address(fields.get(name))
    source_url = _web_address(source_url)
    image = fields.pop("image", None)
    now = timezone.now()
    badge = PassportBadge(
        owner=actor,
        source=BadgeSource.IMPORTED,
        state=BadgeState.ACCEPTED,
        state_changed_at=now,
        original=bytes(original),
        original_format=original_format,
        original_filename=(original_filename or "")[:255],
        source_url=source_url or "",
        credential=credential,
        **fields,
    )
    _apply_verification(badge, report)
    if image:
        # A File or ContentFile: stored under a random name, never the uploader's.
        badge.image.save(f"{secrets.token_hex(16)}{_extension(image)}", image, save=False)
    badge.full_clean(exclude=["owner", "image", "original", "credential", "tags"])
    badge.save()
    audit_record(
        actor=actor,
        action="passport.badge_imported",
        target=badge,
        data={"format": original_format, "status": badge.verification_status},
    )
    return badge


def _web_address(value) -> str:
    from .display import safe_url

    url = safe_url(value)
    return url if len(url) <= 2000 else ""


def _extension(image) -> str:
    name = getattr(image, "name", "") or ""
    return ".svg" if name.lower().endswith(".svg") else ".png"


@transaction.atomic
def passport_badge_set_verification(*, badge: PassportBadge, report) -> PassportBadge:
    """Store a verification result (by the importer or the periodic re-verification)."""
    badge = _locked(badge)
    previous = badge.verification_status
    _apply_verification(badge, report)
    badge.save(
        update_fields=["verification_status", "verification_report", "verified_at", "updated_at"]
    )
    if previous != badge.verification_status:
        audit_record(
            actor=None,
            action="passport.verification_changed",
            target=badge,
            data={"from": previous, "to": badge.verification_status},
        )
    return badge


# -- public profile -----------------------------------------------------------------------------


def _clean_handle(handle: str) -> str:
    handle = slugify(handle or "")
    if len(handle) < HANDLE_MIN_LENGTH or len(handle) > HANDLE_MAX_LENGTH:
        raise ValidationError(
            {
                "handle": _("A handle has %(min)d to %(max)d letters, digits or hyphens.")
                % {"min": HANDLE_MIN_LENGTH, "max": HANDLE_MAX_LENGTH}
            }
        )
    if not _HANDLE.match(handle):
        raise ValidationError({"handle": _("Use lower-case letters, digits and hyphens.")})
    if handle in RESERVED_HANDLES:
        raise ValidationError({"handle": _("This handle is reserved. Please choose another.")})
    return handle


@transaction.atomic
def passport_profile_update(
    *, actor, handle: str, enabled: bool, headline: str = ""
) -> PassportProfile:
    """Create or change the user's public profile at /u/<handle>/."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to change your profile."))
    handle = _clean_handle(handle)
    headline = " ".join((headline or "").split())
    if len(headline) > 200:
        raise ValidationError({"headline": _("A headline has at most 200 characters.")})
    taken = PassportProfile.objects.filter(handle=handle).exclude(user=actor).exists()
    if taken:
        raise ValidationError({"handle": _("This handle is taken. Please choose another.")})
    profile = PassportProfile.objects.select_for_update().filter(user=actor).first()
    created = profile is None
    if created:
        profile = PassportProfile(user=actor)
    before = (profile.handle, profile.enabled, profile.headline)
    profile.handle, profile.enabled, profile.headline = handle, enabled, headline
    if created or before != (handle, enabled, headline):
        try:
            with transaction.atomic():
                profile.save()
        except IntegrityError:
            # Another person took the handle between the check and the save.
            raise ValidationError(
                {"handle": _("This handle is taken. Please choose another.")}
            ) from None
        audit_record(
            actor=actor,
            action="passport.profile_updated",
            target=profile,
            data={"handle": handle, "enabled": enabled},
        )
    return profile
