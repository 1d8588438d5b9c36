"""Reads for the badge class management pages, scoped to members of the organisation."""

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import Organisation
from accounts.permissions import require_permission
from accounts.roles import VIEW

from .models import BadgeClass, BadgeClassVersion


def badge_classes_with_counts(*, actor, organisation: Organisation) -> QuerySet[BadgeClass]:
    """Every badge class of the organisation (active first, then archived) with `award_count`."""
    require_permission(actor, organisation, VIEW)
    return (
        BadgeClass.objects.filter(organisation=organisation, current_version__isnull=False)
        .select_related("current_version")
        .annotate(award_count=Count("awards"))
        .order_by("archived_at", "-created_at", "-id")
    )


def badge_class_for_member(*, actor, organisation: Organisation, public_id) -> BadgeClass:
    """One badge class of the organisation (404 for another organisation's)."""
    require_permission(actor, organisation, VIEW)
    return get_object_or_404(
        BadgeClass.objects.select_related("current_version", "organisation"),
        organisation=organisation,
        public_id=public_id,
        current_version__isnull=False,
    )


def badge_class_versions(*, actor, badge_class: BadgeClass) -> QuerySet[BadgeClassVersion]:
    """The versions of a badge class, newest first, each with `award_count` and its author."""
    require_permission(actor, badge_class.organisation, VIEW)
    return (
        BadgeClassVersion.objects.filter(badge_class=badge_class)
        .select_related("created_by")
        .annotate(award_count=Count("awards"))
        .order_by("-number")
    )
