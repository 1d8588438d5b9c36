"""Reads of the claims app."""

from django.shortcuts import get_object_or_404

from accounts.permissions import require_permission
from accounts.roles import AWARD_BADGES
from issuing.models import BadgeClass

from .models import ClaimableBadge, ClaimRequest


def claimable_public(public_id) -> ClaimableBadge:
    return get_object_or_404(
        ClaimableBadge.objects.select_related(
            "badge_class__current_version", "badge_class__organisation__issuer_profile"
        ),
        public_id=public_id,
        badge_class__current_version__isnull=False,
    )


def claim_request_by_public_id(public_id) -> ClaimRequest | None:
    return (
        ClaimRequest.objects.select_related(
            "claimable__badge_class__current_version",
            "claimable__badge_class__organisation",
            "award",
        )
        .filter(public_id=public_id)
        .first()
    )


def badge_class_for_claims(*, actor, organisation, public_id) -> BadgeClass:
    require_permission(actor, organisation, AWARD_BADGES)
    return get_object_or_404(
        BadgeClass.objects.select_related("current_version"),
        organisation=organisation,
        public_id=public_id,
        current_version__isnull=False,
    )


def claimable_for(badge_class: BadgeClass) -> ClaimableBadge | None:
    return ClaimableBadge.objects.filter(badge_class=badge_class).first()


def claims_count(claimable: ClaimableBadge) -> int:
    return ClaimRequest.objects.filter(claimable=claimable, award__isnull=False).count()
