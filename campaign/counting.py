"""The live "achieved" counters of the campaign.

Design (see docs/campaign.md, "Counters"):

1. `AwardTally` holds, per organisation, badge class and day, how many of its awards are not
   revoked. It is rebuilt for one organisation at a time from that organisation's awards (one
   indexed GROUP BY), so a rebuild is exact whatever happened before: single awards, bulk
   batches written with bulk_create or COPY (no model signals), revocations, deletions.
2. `InitiativeCounter` and `AchievedMonth` are sums over the tallies of an initiative's current
   organisations, filtered by its active pledges (start date, badge classes). Reading them never
   touches the awards table.
3. What triggers a rebuild (campaign/hooks.py): the audit event every issuing service records
   (`award.created`, `award.bulk_created`, `award.revoked`), saves and deletions of awards,
   organisations deleted or linked/unlinked, pledges and reports. The hook runs after the
   commit and only queues a task; `TallyState.pending` makes a burst of batches queue one
   rebuild. Safety net: `counters_refresh_stale` (task, queued at most once per
   CAMPAIGN_COUNTER_MAX_AGE by the public selectors, and the `campaign_refresh_counters`
   command) rebuilds what is queued or never counted and, per round, the oldest
   CAMPAIGN_COUNTER_SWEEP_BATCH tallies and counters older than that bound.

Rebuilds take a row lock on the state/counter row first, so two workers rebuilding the same
organisation or initiative run one after the other and the last one reads the latest commit.
"""

import uuid
import zoneinfo
from datetime import date, timedelta
from functools import reduce
from operator import or_

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from accounts.models import Organisation
from issuing.models import Award, BadgeClass

from . import conf
from .models import (
    AchievedMonth,
    AwardTally,
    CampaignSettings,
    ExternalReport,
    Initiative,
    InitiativeCounter,
    Pledge,
    TallyState,
)


def tally_zone() -> zoneinfo.ZoneInfo:
    """The days of the tallies (and of pledge start dates) are days in TIME_ZONE."""
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def max_age() -> timedelta:
    return timedelta(seconds=conf.counter_max_age())


def supporter_badge_class_id() -> int | None:
    """The supporter badge chosen on the settings page, else the one named by
    CAMPAIGN_SUPPORTER_BADGE (a public id), else None (no supporters are counted)."""
    chosen = (
        CampaignSettings.objects.filter(pk=CampaignSettings.SINGLETON_ID)
        .values_list("supporter_badge_id", flat=True)
        .first()
    )
    if chosen is not None:
        return chosen
    try:
        public_id = uuid.UUID(conf.supporter_badge())
    except ValueError:
        return None  # unset or malformed
    return BadgeClass.objects.filter(public_id=public_id).values_list("id", flat=True).first()


def watched_organisation_ids() -> set[int]:
    """Organisations whose awards the campaign counts: those of any initiative, and the owner of
    the supporter badge class."""
    ids = set(Initiative.organisations.through.objects.values_list("organisation_id", flat=True))
    supporter = supporter_badge_class_id()
    if supporter is not None:
        ids.update(
            BadgeClass.objects.filter(pk=supporter).values_list("organisation_id", flat=True)
        )
    return ids


def tally_mark_dirty(organisation_id: int) -> bool:
    """Note that the organisation's awards changed and queue one rebuild unless one is already
    queued. Returns whether a rebuild was queued. Called after commit (campaign/hooks.py)."""
    from .tasks import organisation_tally_refresh

    changed = TallyState.objects.filter(organisation_id=organisation_id, pending=False).update(
        pending=True
    )
    if not changed:
        if TallyState.objects.filter(organisation_id=organisation_id).exists():
            return False  # already queued
        if not Organisation.objects.filter(pk=organisation_id).exists():
            return False
        _state, created = TallyState.objects.get_or_create(
            organisation_id=organisation_id, defaults={"pending": True}
        )
        if not created:
            return False
    organisation_tally_refresh.enqueue(organisation_id=organisation_id)
    return True


def organisation_tally_rebuild(organisation_id: int, *, cascade: bool = True) -> int | None:
    """Rebuild the organisation's tallies from its awards, then the counters of its initiatives.
    Returns the number of non-revoked awards counted (None when the organisation is gone or the
    campaign does not count it)."""
    # Cleared before counting: an award committed while we count queues another rebuild.
    TallyState.objects.filter(organisation_id=organisation_id).update(pending=False)
    if organisation_id not in watched_organisation_ids():
        return None
    with transaction.atomic():
        if not Organisation.objects.filter(pk=organisation_id).exists():
            return None
        state, _created = TallyState.objects.get_or_create(organisation_id=organisation_id)
        state = TallyState.objects.select_for_update().get(pk=state.pk)
        rows = (
            Award.objects.filter(organisation_id=organisation_id, revoked_at__isnull=True)
            .annotate(day=TruncDate("issued_at", tzinfo=tally_zone()))
            .values("badge_class_id", "day")
            .annotate(n=Count("id"))
            .order_by()
        )
        tallies = [
            AwardTally(
                organisation_id=organisation_id,
                badge_class_id=row["badge_class_id"],
                day=row["day"],
                count=row["n"],
            )
            for row in rows
        ]
        AwardTally.objects.filter(organisation_id=organisation_id).delete()
        AwardTally.objects.bulk_create(tallies, batch_size=1000)
        state.refreshed_at = timezone.now()
        state.awards = sum(tally.count for tally in tallies)
        state.save(update_fields=["refreshed_at", "awards"])
    if cascade:
        for initiative_id in Initiative.objects.filter(
            organisations__id=organisation_id
        ).values_list("id", flat=True):
            initiative_counter_rebuild(initiative_id)
    return state.awards


def _pledge_condition(pledges: list[Pledge]) -> Q | None:
    """Tallies an award counts in: on or after a pledge's start, of its badge classes (all when
    it names none). An award counts once even when several pledges match it."""
    conditions = []
    for pledge in pledges:
        condition = Q(day__gte=pledge.starts_on)
        class_ids = [badge_class.pk for badge_class in pledge.badge_classes.all()]
        if class_ids:
            condition &= Q(badge_class_id__in=class_ids)
        conditions.append(condition)
    return reduce(or_, conditions) if conditions else None


def pledge_achieved(pledge: Pledge) -> int:
    """Badges counted for one pledge (from the tallies of the initiative's organisations)."""
    condition = _pledge_condition([pledge])
    total = AwardTally.objects.filter(
        condition, organisation__initiatives__id=pledge.initiative_id
    ).aggregate(n=Sum("count"))["n"]
    return total or 0


def initiative_counter_rebuild(initiative_id: int) -> InitiativeCounter | None:
    with transaction.atomic():
        if not Initiative.objects.filter(pk=initiative_id).exists():
            return None
        counter, _created = InitiativeCounter.objects.get_or_create(
            initiative_id=initiative_id, defaults={"updated_at": timezone.now()}
        )
        counter = InitiativeCounter.objects.select_for_update().get(pk=counter.pk)
        pledges = list(
            Pledge.objects.filter(initiative_id=initiative_id, withdrawn_at__isnull=True)
            .prefetch_related("badge_classes")
            .order_by()
        )
        condition = _pledge_condition(pledges)
        months: list[tuple[date, int]] = []
        if condition is not None:
            months = [
                (row["month"], row["n"])
                for row in AwardTally.objects.filter(
                    condition, organisation__initiatives__id=initiative_id
                )
                .annotate(month=TruncMonth("day"))
                .values("month")
                .annotate(n=Sum("count"))
                .order_by("month")
                if row["n"]
            ]
        counter.committed = sum(pledge.badge_count for pledge in pledges)
        counter.achieved = sum(n for _month, n in months)
        counter.achieved_external = (
            ExternalReport.objects.filter(initiative_id=initiative_id).aggregate(n=Sum("count"))[
                "n"
            ]
            or 0
        )
        counter.updated_at = timezone.now()
        counter.save()
        AchievedMonth.objects.filter(initiative_id=initiative_id).delete()
        AchievedMonth.objects.bulk_create(
            AchievedMonth(initiative_id=initiative_id, month=month, count=n) for month, n in months
        )
        return counter


def counters_refresh_stale(
    *, older_than: timedelta | None = None, batch: int | None = None
) -> dict[str, int]:
    """The safety net: rebuild what is queued or never counted, and the `batch` oldest tallies
    and counters older than `older_than` (default: the staleness bound; `batch` default:
    CAMPAIGN_COUNTER_SWEEP_BATCH, 0 for all). Returns how many of each were rebuilt.

    The hooks keep counters exact; this sweep only catches what they could not see (awards
    written behind the services' back). It is bounded per round because with ten thousand
    initiatives rebuilding every one each minute would never finish (≈ 50–80 ms each): a
    round takes the oldest, so the whole platform is swept over successive rounds."""
    older_than = max_age() if older_than is None else older_than
    batch = conf.counter_sweep_batch() if batch is None else batch
    limit = timezone.now() - older_than
    watched = watched_organisation_ids()
    states = TallyState.objects.filter(organisation_id__in=watched)
    queued = set(states.filter(pending=True).values_list("organisation_id", flat=True))
    counted = set(
        states.filter(refreshed_at__isnull=False).values_list("organisation_id", flat=True)
    )
    stale = states.filter(pending=False, refreshed_at__lt=limit).order_by("refreshed_at")
    stale_ids = stale.values_list("organisation_id", flat=True)
    organisations = sorted(
        queued | (watched - counted) | set(stale_ids[:batch] if batch else stale_ids)
    )
    for organisation_id in organisations:
        organisation_tally_rebuild(organisation_id, cascade=False)
    initiatives = set(Initiative.objects.filter(counter__isnull=True).values_list("id", flat=True))
    old_counters = InitiativeCounter.objects.filter(updated_at__lt=limit).order_by("updated_at")
    old_ids = old_counters.values_list("initiative_id", flat=True)
    initiatives.update(old_ids[:batch] if batch else old_ids)
    if organisations:
        initiatives.update(
            Initiative.objects.filter(organisations__id__in=organisations).values_list(
                "id", flat=True
            )
        )
    for initiative_id in sorted(initiatives):
        initiative_counter_rebuild(initiative_id)
    return {"organisations": len(organisations), "initiatives": len(initiatives)}


def counters_rebuild_all() -> dict[str, int]:
    """Rebuild every tally and counter now (the `campaign_recount` command)."""
    AwardTally.objects.exclude(organisation_id__in=watched_organisation_ids()).delete()
    return counters_refresh_stale(older_than=timedelta(0), batch=0)
