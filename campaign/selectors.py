"""Reads of the campaign. The public figures come from the stored counters only (never from the
awards table); reading them queues a rebuild by a task when they are older than the staleness
bound (CAMPAIGN_COUNTER_MAX_AGE), at most once per bound and process."""

from dataclasses import dataclass
from datetime import date

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from accounts.models import Membership, Organisation, Role
from accounts.permissions import has_permission
from accounts.roles import CHANGE

from . import conf, counting
from .models import (
    AchievedMonth,
    AwardTally,
    CampaignSettings,
    ExternalReport,
    Initiative,
    InitiativeStatus,
    JoinRequest,
    JoinRequestStatus,
    Pledge,
    ReportToken,
)

_STALE_CHECK_KEY = "campaign:counters-checked"


def counters_refresh_if_stale() -> None:
    """Queue `counters_refresh_stale` when no read queued it within the staleness bound. The
    task decides what is really stale; the request itself never counts."""
    from django.tasks import default_task_backend
    from django.tasks.backends.immediate import ImmediateBackend

    if isinstance(default_task_backend, ImmediateBackend) or not conf.counter_max_age():
        # An immediate backend would count inside this request (the tests' backend): reads
        # there stay pure, and the event hooks keep the counters.
        return
    if cache.add(_STALE_CHECK_KEY, True, timeout=conf.counter_max_age()):
        from .tasks import counters_refresh_stale

        transaction.on_commit(lambda: counters_refresh_stale.enqueue(), robust=True)


def _with_counters(queryset: QuerySet[Initiative]) -> QuerySet[Initiative]:
    return queryset.select_related("counter").annotate(
        committed=Coalesce(F("counter__committed"), Value(0)),
        achieved=Coalesce(F("counter__achieved"), Value(0)),
        achieved_external=Coalesce(F("counter__achieved_external"), Value(0)),
    )


def public_initiatives(*, country: str | None = None, kind: str | None = None):
    """Approved initiatives with `committed`, `achieved` and `achieved_external` annotated from
    the counters; optionally of one country (ISO code) and/or kind."""
    counters_refresh_if_stale()
    queryset = Initiative.objects.filter(status=InitiativeStatus.APPROVED)
    if country:
        queryset = queryset.filter(country=country.upper())
    if kind:
        queryset = queryset.filter(kind=kind)
    return _with_counters(queryset)


@dataclass(frozen=True)
class CampaignTotals:
    initiatives: int
    committed: int
    achieved: int
    achieved_external: int
    supporters: int
    goal: int  # the goal being worked towards: the first, then the next once it is reached
    next_goal: int = 0  # the goal after `goal` (0: none)

    @property
    def percent_of_goal(self) -> float:
        return min(100.0, 100.0 * self.achieved / self.goal) if self.goal else 0.0


def supporters_count() -> int:
    """Non-revoked awards of the supporter badge class, from its tallies."""
    badge_class_id = counting.supporter_badge_class_id()
    if badge_class_id is None:
        return 0
    return (
        AwardTally.objects.filter(badge_class_id=badge_class_id).aggregate(n=Sum("count"))["n"] or 0
    )


def campaign_settings() -> CampaignSettings:
    """The settings row (unsaved and empty when never changed)."""
    return CampaignSettings.load()


def campaign_goals() -> tuple[int, int]:
    """(first goal, next goal): the settings page's values, else CAMPAIGN_GOAL and
    CAMPAIGN_NEXT_GOAL."""
    row = CampaignSettings.load()
    first = row.goal if row.goal is not None else conf.goal()
    second = row.next_goal if row.next_goal is not None else conf.next_goal()
    return first, second


def current_goal(achieved: int) -> tuple[int, int]:
    """(goal being worked towards, the one after it or 0): the next goal replaces the first
    once the first is reached."""
    first, second = campaign_goals()
    if second > first and first and achieved >= first:
        return second, 0
    return first, second if second > first else 0


def campaign_totals() -> CampaignTotals:
    counters_refresh_if_stale()
    row = Initiative.objects.filter(status=InitiativeStatus.APPROVED).aggregate(
        initiatives=Count("id"),
        committed=Coalesce(Sum("counter__committed"), 0),
        achieved=Coalesce(Sum("counter__achieved"), 0),
        achieved_external=Coalesce(Sum("counter__achieved_external"), 0),
    )
    goal, next_goal = current_goal(row["achieved"])
    return CampaignTotals(
        initiatives=row["initiatives"],
        committed=row["committed"],
        achieved=row["achieved"],
        achieved_external=row["achieved_external"],
        supporters=supporters_count(),
        goal=goal,
        next_goal=next_goal,
    )


def achieved_per_month(initiative: Initiative | None = None) -> list[tuple[date, int]]:
    """(first day of month, badges achieved) in month order: one initiative's, or the sum over
    all approved initiatives."""
    queryset = AchievedMonth.objects.all()
    if initiative is None:
        queryset = queryset.filter(initiative__status=InitiativeStatus.APPROVED)
    else:
        queryset = queryset.filter(initiative=initiative)
    rows = queryset.values("month").annotate(n=Sum("count")).order_by("month")
    return [(row["month"], row["n"]) for row in rows]


@dataclass(frozen=True)
class CountryTotals:
    country: str
    initiatives: int
    committed: int
    achieved: int
    achieved_external: int


def totals_per_country() -> list[CountryTotals]:
    rows = (
        Initiative.objects.filter(status=InitiativeStatus.APPROVED)
        .values("country")
        .annotate(
            initiatives=Count("id"),
            committed=Coalesce(Sum("counter__committed"), 0),
            achieved=Coalesce(Sum("counter__achieved"), 0),
            achieved_external=Coalesce(Sum("counter__achieved_external"), 0),
        )
        .order_by("country")
    )
    return [CountryTotals(**row) for row in rows]


# --- Reads for the campaign's own pages ----------------------------------------------------


def is_platform_admin(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_staff)


def managed_organisations(user) -> QuerySet[Organisation]:
    """Organisations where the user is an administrator or owner (may pledge for them)."""
    if not getattr(user, "is_authenticated", False):
        return Organisation.objects.none()
    return Organisation.objects.filter(
        memberships__user=user, memberships__role__in=[Role.ADMIN, Role.OWNER]
    ).order_by("name")


def can_view_initiative(user, initiative: Initiative) -> bool:
    """Approved initiatives are public; others only for their proposer and platform admins."""
    if initiative.status == InitiativeStatus.APPROVED:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return is_platform_admin(user) or initiative.proposed_by_id == user.pk


def can_manage_initiative(user, initiative: Initiative) -> bool:
    """Pledge, manage report tokens: the proposer, platform admins, and administrators of the
    initiative's organisations."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if is_platform_admin(user) or initiative.proposed_by_id == user.pk:
        return True
    return any(
        has_permission(user, organisation, CHANGE)
        for organisation in initiative.organisations.all()
    )


def can_decide_join_requests(user, initiative: Initiative) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return is_platform_admin(user) or initiative.proposed_by_id == user.pk


def initiative_for(*, user, slug: str) -> Initiative | None:
    """The initiative the user may see, or None (shown as 404)."""
    initiative = _with_counters(Initiative.objects.filter(slug=slug)).first()
    if initiative is None or not can_view_initiative(user, initiative):
        return None
    return initiative


def initiatives_proposed_by(user) -> QuerySet[Initiative]:
    if not getattr(user, "is_authenticated", False):
        return Initiative.objects.none()
    mine = Q(proposed_by=user) | Q(
        organisations__memberships__user=user,
        organisations__memberships__role__in=[Role.ADMIN, Role.OWNER],
    )
    return _with_counters(Initiative.objects.filter(mine).distinct()).order_by("-created_at")


def initiatives_to_review(user) -> QuerySet[Initiative]:
    if not is_platform_admin(user):
        return Initiative.objects.none()
    return Initiative.objects.filter(status=InitiativeStatus.PROPOSED).select_related("proposed_by")


def joinable_initiatives() -> QuerySet[Initiative]:
    return Initiative.objects.filter(status=InitiativeStatus.APPROVED).order_by("name")


def pending_join_requests(*, user, initiative: Initiative) -> QuerySet[JoinRequest]:
    if not can_decide_join_requests(user, initiative):
        return JoinRequest.objects.none()
    return initiative.join_requests.filter(status=JoinRequestStatus.PENDING).select_related(
        "organisation", "requested_by"
    )


@dataclass(frozen=True)
class PledgeRow:
    pledge: Pledge
    achieved: int

    @property
    def percent(self) -> float:
        if not self.pledge.badge_count:
            return 0.0
        return min(100.0, 100.0 * self.achieved / self.pledge.badge_count)


def pledge_history(initiative: Initiative) -> list[PledgeRow]:
    """Every pledge, newest first, each with what was achieved for it (from the tallies)."""
    pledges = (
        initiative.pledges.select_related("organisation", "created_by")
        .prefetch_related("badge_classes__current_version")
        .order_by("-created_at", "-id")
    )
    return [
        PledgeRow(pledge, counting.pledge_achieved(pledge) if pledge.is_active else 0)
        for pledge in pledges
    ]


def external_reports(initiative: Initiative) -> QuerySet[ExternalReport]:
    return initiative.external_reports.select_related("reported_by")


def report_tokens(*, user, initiative: Initiative) -> QuerySet[ReportToken]:
    if not can_manage_initiative(user, initiative):
        return ReportToken.objects.none()
    return initiative.report_tokens.filter(revoked_at__isnull=True)


def organisations_of(initiative: Initiative) -> QuerySet[Organisation]:
    return initiative.organisations.order_by("name")


def user_memberships(user) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("organisation")
