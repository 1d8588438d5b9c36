"""The stored counters equal the real counts through single and bulk awards, revocations,
deletions and changes of an initiative's organisations and pledges."""

import zoneinfo
from collections import Counter
from datetime import datetime, time, timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.models import Organisation
from campaign import counting, selectors
from campaign.models import AchievedMonth, Initiative, InitiativeCounter, Pledge
from issuing import services as issuing
from issuing.models import Award
from issuing.services import AwardRequest

from .conftest import make_badge

pytestmark = pytest.mark.django_db


def at(day, hour=12):
    moment = datetime.combine(day, time(hour), tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))
    return min(moment, timezone.now() - timedelta(minutes=1))  # never in the future


def real_counts(initiative):
    """What the counters must say, computed the slow way from every award."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    pledges = [
        (pledge.starts_on, {b.pk for b in pledge.badge_classes.all()})
        for pledge in Pledge.objects.filter(initiative=initiative, withdrawn_at__isnull=True)
    ]
    months = Counter()
    for award in Award.objects.filter(
        organisation__in=initiative.organisations.all(), revoked_at__isnull=True
    ):
        day = award.issued_at.astimezone(zone).date()
        if any(
            day >= start and (not classes or award.badge_class_id in classes)
            for start, classes in pledges
        ):
            months[day.replace(day=1)] += 1
    return sum(months.values()), sorted(months.items())


def assert_counters_equal(initiative):
    counter = InitiativeCounter.objects.get(initiative=initiative)
    achieved, months = real_counts(initiative)
    assert counter.achieved == achieved
    stored = AchievedMonth.objects.filter(initiative=initiative)
    stored = sorted(stored.values_list("month", "count"))
    assert stored == months
    assert selectors.achieved_per_month(initiative) == months
    committed = sum(
        p.badge_count for p in Pledge.objects.filter(initiative=initiative, withdrawn_at=None)
    )
    assert counter.committed == committed
    return counter


def test_counters_follow_awards_revocations_bulk_and_unlinking(
    w, today, django_capture_on_commit_callbacks
):
    initiative = w.initiative
    harbour, safety = w.badges
    with django_capture_on_commit_callbacks(execute=True):
        initiative.organisations.add(w.organisation)
        everything = Pledge.objects.create(
            initiative=initiative,
            badge_count=100,
            starts_on=today - timedelta(days=60),
            deadline=today + timedelta(days=300),
            created_by=w.proposer,
        )
        safety_only = Pledge.objects.create(
            initiative=initiative,
            badge_count=40,
            starts_on=today - timedelta(days=200),
            deadline=today + timedelta(days=30),
            created_by=w.proposer,
        )
        safety_only.badge_classes.add(safety)
    counting.initiative_counter_rebuild(initiative.pk)
    assert assert_counters_equal(initiative).achieved == 0

    # Single awards: before any pledge (not counted), before the general pledge but of the
    # class of the older pledge (counted), and recent ones.
    def award(badge, email, day):
        with django_capture_on_commit_callbacks(execute=True):
            return issuing.award_create(
                actor=w.awarder, badge_class=badge, recipient_email=email, issued_at=at(day)
            )

    award(harbour, "old@example.net", today - timedelta(days=300))
    award(harbour, "early@example.net", today - timedelta(days=100))
    award(safety, "early@example.net", today - timedelta(days=100))
    first = award(harbour, "a@example.net", today - timedelta(days=3))
    award(safety, "a@example.net", today - timedelta(days=3))
    counter = assert_counters_equal(initiative)
    assert counter.achieved == 3
    assert counter.committed == 140

    # A bulk batch (bulk_create: no model signals).
    requests = [
        AwardRequest(
            recipient_identity=f"learner{n}@example.net",
            issued_at=at(today - timedelta(days=n % 45)),
            idempotency_key=f"bulk-{n}",
        )
        for n in range(57)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        result = issuing.awards_create_bulk(actor=w.awarder, badge_class=harbour, requests=requests)
    assert len(result.created) == 57
    assert assert_counters_equal(initiative).achieved == 60

    # Revocations.
    with django_capture_on_commit_callbacks(execute=True):
        issuing.award_revoke(actor=w.awarder, award=first, reason="Issued by mistake")
        issuing.award_revoke(actor=w.awarder, award=result.created[0], reason="Duplicate")
    assert assert_counters_equal(initiative).achieved == 58

    # A second organisation joins with its awards, then leaves again.
    other_badge = make_badge(w.other_admin, w.other, "Port Pilot")
    with django_capture_on_commit_callbacks(execute=True):
        issuing.award_create(
            actor=w.other_admin,
            badge_class=other_badge,
            recipient_email="p@example.net",
            issued_at=at(today - timedelta(days=1)),
        )
    assert assert_counters_equal(initiative).achieved == 58  # not linked yet
    with django_capture_on_commit_callbacks(execute=True):
        initiative.organisations.add(w.other)
    assert assert_counters_equal(initiative).achieved == 59
    with django_capture_on_commit_callbacks(execute=True):
        w.other.initiatives.remove(initiative)
    assert assert_counters_equal(initiative).achieved == 58

    # Awards deleted (as an organisation's deletion would do if issuing allowed it).
    with django_capture_on_commit_callbacks(execute=True):
        Award.objects.filter(pk__in=[a.pk for a in result.created[1:6]]).delete()
    assert assert_counters_equal(initiative).achieved == 53

    # A pledge withdrawn: only the awards matching the remaining one count.
    with django_capture_on_commit_callbacks(execute=True):
        everything.withdrawn_at = timezone.now()
        everything.save()
    counting.initiative_counter_rebuild(initiative.pk)
    counter = assert_counters_equal(initiative)
    assert counter.achieved == 2
    assert counter.committed == 40

    # The selectors read the same figures.
    row = selectors.public_initiatives().get(pk=initiative.pk)
    assert (row.committed, row.achieved) == (40, 2)
    totals = selectors.campaign_totals()
    assert (totals.initiatives, totals.committed, totals.achieved) == (1, 40, 2)
    assert [(r.country, r.achieved) for r in selectors.totals_per_country()] == [("EE", 2)]


def test_organisation_deleted_leaves_the_counters(w, today, django_capture_on_commit_callbacks):
    initiative = w.initiative
    empty = Organisation.objects.create(slug="empty", name="Empty")
    with django_capture_on_commit_callbacks(execute=True):
        initiative.organisations.add(w.organisation, empty)
        Pledge.objects.create(
            initiative=initiative,
            badge_count=10,
            starts_on=today - timedelta(days=10),
            deadline=today + timedelta(days=10),
        )
        issuing.award_create(
            actor=w.awarder, badge_class=w.badges[0], recipient_email="x@example.net"
        )
    counting.initiative_counter_rebuild(initiative.pk)
    assert assert_counters_equal(initiative).achieved == 1
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        empty.delete()
    assert callbacks  # the initiative's counter was queued for a rebuild
    assert list(initiative.organisations.all()) == [w.organisation]
    assert assert_counters_equal(initiative).achieved == 1


def test_stale_counters_are_rebuilt_by_the_safety_net(w, today):
    """Awards written behind the hooks' back (no commit callbacks run here) are counted by the
    stale refresh."""
    initiative = w.initiative
    initiative.organisations.add(w.organisation)
    Pledge.objects.create(
        initiative=initiative,
        badge_count=10,
        starts_on=today - timedelta(days=10),
        deadline=today + timedelta(days=10),
    )
    issuing.award_create(actor=w.awarder, badge_class=w.badges[0], recipient_email="y@example.net")
    assert not InitiativeCounter.objects.filter(initiative=initiative).exists()
    done = counting.counters_refresh_stale()
    assert done == {"organisations": 1, "initiatives": 1}
    assert assert_counters_equal(initiative).achieved == 1
    assert counting.counters_refresh_stale() == {"organisations": 0, "initiatives": 0}


def test_a_safety_net_round_is_bounded_and_sweeps_the_oldest_first(w, today):
    """With thousands of initiatives a round must not rebuild them all: it takes what was never
    counted plus the `batch` oldest, and successive rounds reach every one."""
    others = [
        Initiative.objects.create(
            slug=f"sweep-{n}", name=f"Sweep {n}", country="FR", status=w.initiative.status
        )
        for n in range(3)
    ]
    everything = counting.counters_rebuild_all()
    assert everything["initiatives"] >= 4
    assert counting.counters_refresh_stale() == {"organisations": 0, "initiatives": 0}
    old = timezone.now() - timedelta(days=1)
    InitiativeCounter.objects.update(updated_at=old)
    InitiativeCounter.objects.filter(initiative=others[1]).update(
        updated_at=old - timedelta(hours=1)
    )
    done = counting.counters_refresh_stale(batch=1)
    assert done == {"organisations": 0, "initiatives": 1}
    assert InitiativeCounter.objects.get(initiative=others[1]).updated_at > old  # oldest first
    rounds = 1
    while counting.counters_refresh_stale(batch=1)["initiatives"]:
        rounds += 1
    assert rounds == InitiativeCounter.objects.count()
    assert not InitiativeCounter.objects.filter(updated_at__lte=old).exists()


def test_reads_queue_a_refresh_only_with_a_real_task_queue(w, settings):
    """With the immediate backend the refresh would run inside the request: reads stay pure."""
    from unittest import mock

    with mock.patch("campaign.tasks.counters_refresh_stale") as task:
        enqueue = task.enqueue
        selectors.campaign_totals()
        assert not enqueue.called
        settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
        from django.core.cache import cache

        cache.delete("campaign:counters-checked")
        with mock.patch("django.db.transaction.on_commit", lambda f, robust=False: f()):
            selectors.campaign_totals()
            selectors.public_initiatives()
        assert enqueue.call_count == 1  # at most once per staleness bound


def test_supporters_are_counted_from_the_supporter_badge(
    w, settings, django_capture_on_commit_callbacks
):
    """The supporter badge's organisation need not belong to any initiative."""
    badge = w.badges[1]
    settings.CAMPAIGN_SUPPORTER_BADGE = str(badge.public_id)
    assert selectors.campaign_totals().supporters == 0
    awards = []
    for n in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            awards.append(
                issuing.award_create(
                    actor=w.awarder, badge_class=badge, recipient_email=f"s{n}@example.net"
                )
            )
    assert selectors.campaign_totals().supporters == 3
    with django_capture_on_commit_callbacks(execute=True):
        issuing.award_revoke(actor=w.awarder, award=awards[0], reason="Test")
    assert selectors.campaign_totals().supporters == 2
    settings.CAMPAIGN_SUPPORTER_BADGE = "not-a-uuid"
    assert selectors.campaign_totals().supporters == 0


def test_a_burst_of_award_events_queues_one_rebuild(w):
    """While a rebuild is queued, further events of the organisation queue nothing more; the
    rebuild clears the mark before counting, so later events queue the next one."""
    from unittest import mock

    from campaign.models import TallyState

    w.initiative.organisations.add(w.organisation)
    with mock.patch("campaign.tasks.organisation_tally_refresh") as task:
        assert counting.tally_mark_dirty(w.organisation.pk) is True
        assert counting.tally_mark_dirty(w.organisation.pk) is False
        assert counting.tally_mark_dirty(w.organisation.pk) is False
        assert task.enqueue.call_count == 1
        counting.organisation_tally_rebuild(w.organisation.pk)
        assert TallyState.objects.get(organisation=w.organisation).pending is False
        assert counting.tally_mark_dirty(w.organisation.pk) is True
        assert task.enqueue.call_count == 2
