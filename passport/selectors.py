"""Every read of passports, scoped to what the viewer may see.

A badge that the viewer may not see answers 404, never 403: its existence is the owner's
business. Only accepted badges are ever shown to anyone but the owner.
"""

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import BadgeState, PassportBadge, PassportProfile, VerificationStatus, Visibility

_RELATED = ("award__organisation", "award__badge_class", "award__badge_class_version")


def _with_relations(queryset: QuerySet) -> QuerySet:
    return queryset.select_related(*_RELATED).defer("original", "credential")


def passport_badges_for(*, user, state: str | None = None, tag: str | None = None) -> QuerySet:
    """The user's own badges: pending first, then the most recently issued."""
    if not getattr(user, "is_authenticated", False):
        return PassportBadge.objects.none()
    badges = PassportBadge.objects.filter(owner=user)
    if state:
        badges = badges.filter(state=state)
    if tag:
        # Tags are a short JSON list per badge; matching in Python works on every database.
        wanted = tag.strip().lower()
        ids = [pk for pk, tags in badges.values_list("pk", "tags") if wanted in (tags or [])]
        badges = badges.filter(pk__in=ids)
    pending_first = Case(
        When(state=BadgeState.PENDING, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return _with_relations(badges).order_by(pending_first, "-issued_at", "-created_at", "-id")


def passport_tags_for(*, user) -> list[str]:
    """Every tag the user has used, sorted, for the list's filter."""
    if not getattr(user, "is_authenticated", False):
        return []
    tags: set[str] = set()
    for value in PassportBadge.objects.filter(owner=user).values_list("tags", flat=True):
        tags.update(value or [])
    return sorted(tags)


def passport_state_counts(*, user) -> dict[str, int]:
    counts = dict.fromkeys(BadgeState.values, 0)
    for state in PassportBadge.objects.filter(owner=user).values_list("state", flat=True):
        counts[state] += 1
    return counts


def passport_badge_for_owner(*, user, public_id) -> PassportBadge:
    """One of the user's own badges, with its original bytes; 404 for anybody else."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    badge = PassportBadge.objects.select_related(*_RELATED).filter(owner=user, public_id=public_id)
    found = badge.first()
    if found is None:
        raise Http404
    return found


def _may_see(viewer, badge: PassportBadge) -> bool:
    if getattr(viewer, "is_authenticated", False) and viewer.pk == badge.owner_id:
        return True
    if badge.state != BadgeState.ACCEPTED:
        return False
    if badge.visibility == Visibility.PUBLIC:
        return True
    return badge.visibility == Visibility.SIGNED_IN and getattr(viewer, "is_authenticated", False)


def passport_badge_visible(*, viewer, public_id=None, share_token=None) -> PassportBadge:
    """A badge the viewer may see: by its id (owner, or its visibility allows the viewer) or
    by its share link (anybody holding it, while the badge is accepted); else 404."""
    if (public_id is None) == (share_token is None):
        raise ValueError("Name the badge by its public id or by its share token.")
    badges = PassportBadge.objects.select_related(*_RELATED, "owner")
    if share_token is not None:
        badge = badges.filter(share_token=share_token, state=BadgeState.ACCEPTED).first()
        if badge is None:
            raise Http404
        return badge
    badge = badges.filter(public_id=public_id).first()
    if badge is None or not _may_see(viewer, badge):
        raise Http404
    return badge


def evidence_visible(*, viewer, badge: PassportBadge) -> bool:
    """Whether the viewer may see the badge's evidence (and so its full credential)."""
    if getattr(viewer, "is_authenticated", False) and viewer.pk == badge.owner_id:
        return True
    return not badge.hide_evidence


def passport_profile_for(*, user) -> PassportProfile | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return PassportProfile.objects.filter(user=user).first()


def passport_profile_public(*, handle: str) -> PassportProfile:
    """An enabled public profile; 404 when it does not exist or is switched off."""
    profile = (
        PassportProfile.objects.select_related("user")
        .filter(handle=handle, enabled=True, user__is_active=True)
        .first()
    )
    if profile is None:
        raise Http404
    return profile


def passport_profile_badges(*, profile: PassportProfile) -> QuerySet:
    """What a public profile lists: the owner's accepted badges that are public."""
    return _with_relations(
        PassportBadge.objects.filter(
            owner_id=profile.user_id, state=BadgeState.ACCEPTED, visibility=Visibility.PUBLIC
        )
    ).order_by("-issued_at", "-created_at", "-id")


# -- status shown on cards ------------------------------------------------------------------------

STATUS_LABELS = {
    "valid": _("Valid"),
    "revoked": _("Revoked"),
    "expired": _("Expired"),
    "not_yet_valid": _("Not yet valid"),
    "invalid": _("Invalid"),
    "error": _("Could not be checked"),
    "unverified": _("Not verified"),
}


def badge_status(badge: PassportBadge, now=None) -> str:
    """The status to show: for awarded badges read from the award itself (revocation is final
    and instant), for imported ones the last verification result."""
    if badge.award_id is not None:
        award = badge.award
        now = now or timezone.now()
        if award.revoked_at is not None:
            return VerificationStatus.REVOKED
        if award.expires_at is not None and award.expires_at <= now:
            return VerificationStatus.EXPIRED
        if award.issued_at > now:
            return VerificationStatus.NOT_YET_VALID
        return VerificationStatus.VALID
    return badge.verification_status
