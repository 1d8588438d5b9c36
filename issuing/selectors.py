"""Reads of the issuing domain.

Public documents (credentials, assertions, badge classes, issuer profiles) are public by
design: whoever holds the URL may read them. Lists for the issuer's own pages are scoped to the
organisations in which the acting user holds the `organisation.view` permission.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import Organisation
from accounts.permissions import require_permission
from accounts.roles import VIEW

from .models import Award, BadgeClass, BadgeClassVersion, IssuerProfile, SigningKey, StatusList

# The stored documents are large; lists never need them.
AWARD_DOCUMENT_FIELDS = ("credential_json", "credential_jwt", "assertion_json")


def award_public(public_id) -> Award:
    return get_object_or_404(
        Award.objects.select_related(
            "badge_class_version", "badge_class", "organisation__issuer_profile", "status_list"
        ),
        public_id=public_id,
    )


def badge_class_public(public_id) -> BadgeClass:
    return get_object_or_404(
        BadgeClass.objects.select_related("current_version", "organisation__issuer_profile"),
        public_id=public_id,
        current_version__isnull=False,
    )


def badge_class_version_public(badge_class: BadgeClass, number: str | None) -> BadgeClassVersion:
    """A version by its number (`?v=`), or the current one."""
    if number in (None, ""):
        return badge_class.current_version
    try:
        wanted = int(number)
    except ValueError:
        wanted = -1
    return get_object_or_404(
        BadgeClassVersion.objects.select_related("badge_class"),
        badge_class=badge_class,
        number=wanted,
    )


def issuer_profile_public(public_id) -> IssuerProfile:
    return get_object_or_404(
        IssuerProfile.objects.select_related("organisation"), public_id=public_id
    )


def published_keys(profile: IssuerProfile) -> list[SigningKey]:
    """Every key that ever signed, oldest first: retired keys keep verifying old badges."""
    return list(SigningKey.objects.filter(organisation_id=profile.organisation_id))


def status_list_public(profile: IssuerProfile, list_public_id) -> StatusList:
    return get_object_or_404(
        StatusList.objects.select_related("organisation"),
        organisation_id=profile.organisation_id,
        public_id=list_public_id,
    )


def revoked_assertions(profile: IssuerProfile) -> QuerySet:
    """(award public id, reason) of the issuer's revoked awards."""
    return (
        Award.objects.filter(organisation_id=profile.organisation_id, revoked_at__isnull=False)
        .order_by("public_id")
        .values_list("public_id", "revocation_reason")
    )


def public_badge_classes(profile: IssuerProfile) -> QuerySet:
    return BadgeClass.objects.filter(
        organisation_id=profile.organisation_id,
        archived_at=None,
        current_version__isnull=False,
    ).select_related("current_version")


def badge_classes_for(*, actor, organisation: Organisation, archived: bool = False) -> QuerySet:
    """The organisation's badge classes, for its members."""
    require_permission(actor, organisation, VIEW)
    return BadgeClass.objects.filter(
        organisation=organisation, archived_at__isnull=not archived
    ).select_related("current_version")


def awards_for(
    *, actor, organisation: Organisation, badge_class: BadgeClass | None = None, search: str = ""
) -> QuerySet:
    """The organisation's awards, newest first, without the stored documents (dashboard)."""
    require_permission(actor, organisation, VIEW)
    awards = (
        Award.objects.filter(organisation=organisation)
        .defer(*AWARD_DOCUMENT_FIELDS)
        .select_related("badge_class_version")
        .order_by("-created_at", "-id")
    )
    if badge_class is not None:
        awards = awards.filter(badge_class=badge_class)
    search = search.strip()
    if search:
        awards = awards.filter(
            Q(recipient_identity__icontains=search) | Q(recipient_name__icontains=search)
        )
    return awards


def badge_class_holders(badge_class: BadgeClass) -> int:
    """How many people hold the badge: distinct recipients of its awards not revoked."""
    return (
        Award.objects.filter(badge_class=badge_class, revoked_at__isnull=True)
        .values("recipient_identity")
        .distinct()
        .count()
    )


@dataclass
class IssuerTotals:
    badge_classes: int = 0
    awarded: int = 0
    holders: int = 0
    per_class: dict = field(default_factory=dict)  # badge class id → {"awarded", "holders"}


def issuer_totals(profile: IssuerProfile, badge_class_ids) -> IssuerTotals:
    """Awards not revoked and their distinct holders, per published badge class (one grouped
    query, however many classes) and for the whole issuer, archived classes included (one
    aggregate)."""
    live = Award.objects.filter(organisation_id=profile.organisation_id, revoked_at__isnull=True)
    totals = IssuerTotals(badge_classes=len(badge_class_ids))
    grouped = (
        live.filter(badge_class_id__in=badge_class_ids)
        .values("badge_class_id")
        .annotate(awarded=Count("id"), holders=Count("recipient_identity", distinct=True))
        .order_by()
    )
    for row in grouped:
        totals.per_class[row["badge_class_id"]] = {
            "awarded": row["awarded"],
            "holders": row["holders"],
        }
    # The whole issuer: awards of archived classes are still held.
    overall = live.aggregate(
        awarded=Count("id"), holders=Count("recipient_identity", distinct=True)
    )
    totals.awarded, totals.holders = overall["awarded"], overall["holders"]
    return totals
