"""Reads for the staff pages on awards: the dashboard list with its filters, one award with its
documents, and the monthly statistics.

Everything here builds on `issuing.selectors.awards_for`, which checks that the acting user is
a member and leaves the large stored documents out.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import connections, router
from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When
from django.db.models.functions import TruncMonth
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import Organisation
from accounts.permissions import require_permission
from accounts.roles import AWARD_BADGES

from .models import Award, BadgeClass
from .selectors import awards_for


class AwardStatus:
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _status_filter(status: str, now: datetime) -> Q:
    if status == AwardStatus.REVOKED:
        return Q(revoked_at__isnull=False)
    if status == AwardStatus.EXPIRED:
        return Q(revoked_at__isnull=True, expires_at__lte=now)
    return Q(revoked_at__isnull=True) & (Q(expires_at__isnull=True) | Q(expires_at__gt=now))


def awards_dashboard(
    *,
    actor,
    organisation: Organisation,
    search: str = "",
    badge_class: BadgeClass | None = None,
    status: str = "",
    issued_from: date | None = None,
    issued_to: date | None = None,
    source: str = "",
) -> QuerySet:
    """The organisation's awards matching the dashboard filters, newest first, each with its
    `status` (valid, expired or revoked) computed by the database."""
    now = timezone.now()
    awards = awards_for(
        actor=actor, organisation=organisation, badge_class=badge_class, search=search
    ).annotate(
        status=Case(
            When(revoked_at__isnull=False, then=Value(AwardStatus.REVOKED)),
            When(expires_at__lte=now, then=Value(AwardStatus.EXPIRED)),
            default=Value(AwardStatus.VALID),
            output_field=CharField(),
        )
    )
    if status:
        awards = awards.filter(_status_filter(status, now))
    if issued_from is not None:
        awards = awards.filter(issued_at__gte=_start_of(issued_from))
    if issued_to is not None:
        awards = awards.filter(issued_at__lt=_start_of(issued_to) + timedelta(days=1))
    if source:
        awards = awards.filter(source=source)
    return awards


def award_for_staff(*, actor, organisation: Organisation, public_id) -> Award:
    """One of the organisation's awards, for members who may award and revoke."""
    require_permission(actor, organisation, AWARD_BADGES)
    return get_object_or_404(
        Award.objects.select_related(
            "badge_class", "badge_class_version", "created_by", "revoked_by"
        ).defer("credential_json", "assertion_json"),
        organisation=organisation,
        public_id=public_id,
    )


def badge_class_for_awarding(*, actor, organisation: Organisation, public_id) -> BadgeClass:
    """A badge class of the organisation that can be awarded now (not archived)."""
    require_permission(actor, organisation, AWARD_BADGES)
    return get_object_or_404(
        BadgeClass.objects.select_related("current_version"),
        organisation=organisation,
        public_id=public_id,
        archived_at=None,
        current_version__isnull=False,
    )


def badge_classes_awarded_from(*, actor, organisation: Organisation) -> list[BadgeClass]:
    """Every badge class of the organisation, archived ones last (the dashboard's filter)."""
    require_permission(actor, organisation, AWARD_BADGES)
    return list(
        BadgeClass.objects.filter(organisation=organisation, current_version__isnull=False)
        .select_related("current_version")
        .order_by(F("archived_at").asc(nulls_first=True), "current_version__name")
    )


def _month_starts(today: date, count: int) -> list[date]:
    year, month = today.year, today.month
    months = []
    for _ in range(count):
        months.append(date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months[::-1]


@dataclass
class StatisticsRow:
    badge_class_id: int
    name: str
    counts: list[int]
    revoked: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass
class Statistics:
    months: list[date]
    rows: list[StatisticsRow] = field(default_factory=list)
    totals: list[int] = field(default_factory=list)
    revoked: int = 0

    @property
    def total(self) -> int:
        return sum(self.totals)


def award_statistics(*, actor, organisation: Organisation, months: int = 12) -> Statistics:
    """Awards per month of issue over the last `months` months (this one included), per badge
    class and in total, with how many of them were revoked since.

    One grouped query (badge class × month, TruncMonth + Count), so the cost does not grow with
    the number of rows sent to Python: a million awards give at most classes × 12 rows.
    """
    require_permission(actor, organisation, AWARD_BADGES)
    today = timezone.localdate()
    starts = _month_starts(today, months)
    position = {start: index for index, start in enumerate(starts)}
    grouped = (
        Award.objects.filter(organisation=organisation, issued_at__gte=_start_of(starts[0]))
        .annotate(month=TruncMonth("issued_at"))
        .values("badge_class_id", "month")
        .annotate(count=Count("id"), revoked=Count("id", filter=Q(revoked_at__isnull=False)))
        .order_by()
    )
    rows: dict[int, StatisticsRow] = {}
    for item in grouped:
        month = item["month"]
        if isinstance(month, datetime):
            month = timezone.localtime(month).date() if timezone.is_aware(month) else month.date()
        index = position.get(month)
        if index is None:
            continue
        row = rows.setdefault(
            item["badge_class_id"],
            StatisticsRow(badge_class_id=item["badge_class_id"], name="", counts=[0] * months),
        )
        row.counts[index] += item["count"]
        row.revoked += item["revoked"]
    names = dict(BadgeClass.objects.filter(pk__in=rows).values_list("pk", "current_version__name"))
    for row in rows.values():
        row.name = names.get(row.badge_class_id) or ""
    statistics = Statistics(months=starts)
    statistics.rows = sorted(rows.values(), key=lambda row: (-row.total, row.name.lower()))
    statistics.totals = [
        sum(row.counts[index] for row in statistics.rows) for index in range(months)
    ]
    statistics.revoked = sum(row.revoked for row in statistics.rows)
    return statistics


def text_array(values: Iterable[str]) -> str:
    """A PostgreSQL text[] literal of the values, for `= ANY(%s::text[])`.

    A batch's thousand values go as one array parameter: a thousand-value IN list costs more
    to write and parse than the look-up itself. psycopg would write a Python list as an array
    value by value (a regular expression search each, about 15 µs per award over a batch's
    look-ups); this is one join. Inside double quotes only backslashes and double quotes need
    escaping. (An array built from a JSON parameter in the query instead hides its size from
    the planner, which then scanned every award of the class.)"""
    return (
        "{"
        + ",".join('"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"' for value in values)
        + "}"
    )


def badge_holders(badge_class_id: int, identities: Iterable[str]) -> set[str]:
    """Which of these recipients hold an unrevoked award of the badge class (the duplicate
    check of a bulk batch or of an uploaded file's rows: one query for a thousand)."""
    connection = connections[router.db_for_read(Award)]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT recipient_identity "  # noqa: S608
                f"FROM {connection.ops.quote_name(Award._meta.db_table)} "
                "WHERE badge_class_id = %s AND revoked_at IS NULL "
                "AND recipient_identity = ANY(%s::text[])",
                [badge_class_id, text_array(identities)],
            )
            return {identity for (identity,) in cursor.fetchall()}
    return set(
        Award.objects.filter(
            badge_class_id=badge_class_id, revoked_at=None, recipient_identity__in=identities
        ).values_list("recipient_identity", flat=True)
    )
