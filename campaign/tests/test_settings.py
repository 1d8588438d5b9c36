"""Campaign settings: the supporter badge and goals chosen by platform administrators, the
environment as default, the demo's claimable badge counted as supporters, the periodic
refresh command."""

import re
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from audit.models import AuditEvent
from campaign import selectors, services
from campaign.models import CampaignSettings, TallyState
from claims.demo import load_claims_demo
from claims.models import ClaimableBadge
from issuing import services as issuing

from .conftest import make_user

pytestmark = pytest.mark.django_db


def test_settings_page_permissions(client, w):
    url = reverse("campaign:settings")
    assert client.get(url).status_code == 302  # anonymous: sign in
    for person in (w.someone, w.proposer, w.org_admin):
        client.force_login(person)
        assert client.get(url).status_code == 403
        assert client.post(url, {"goal": "5"}).status_code == 403
    assert not CampaignSettings.objects.exists()
    client.force_login(w.staff)
    page = client.get(url)
    assert page.status_code == 200 and "Campaign settings" in page.text


def test_platform_admin_chooses_the_supporter_badge_and_goals(
    client, w, settings, django_capture_on_commit_callbacks
):
    settings.CAMPAIGN_GOAL = "2000"
    badge = w.badges[1]
    with django_capture_on_commit_callbacks(execute=True):
        issuing.award_create(actor=w.awarder, badge_class=badge, recipient_email="a@example.net")
    assert selectors.campaign_totals().supporters == 0
    assert selectors.campaign_totals().goal == 2000  # the environment's default
    client.force_login(w.staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("campaign:settings"),
            {"supporter_badge": str(badge.public_id), "goal": "1000000", "next_goal": "10000000"},
        )
    assert response.status_code == 302
    row = CampaignSettings.objects.get()
    assert (row.supporter_badge, row.goal, row.next_goal, row.updated_by) == (
        badge,
        1_000_000,
        10_000_000,
        w.staff,
    )
    totals = selectors.campaign_totals()
    # Choosing the badge built its organisation's tally: the award made before counts.
    assert totals.supporters == 1
    assert (totals.goal, totals.next_goal) == (1_000_000, 10_000_000)
    event = AuditEvent.objects.get(action="campaign.settings_changed")
    assert event.actor == w.staff and event.data["supporter_badge"] == str(badge.public_id)
    assert "1,000,000" in client.get(reverse("campaign:settings")).text


def test_the_row_wins_over_the_environment_and_empty_fields_fall_back(w, settings):
    settings.CAMPAIGN_SUPPORTER_BADGE = str(w.badges[0].public_id)
    settings.CAMPAIGN_GOAL = "3000"
    settings.CAMPAIGN_NEXT_GOAL = "9000"
    from campaign import counting

    assert counting.supporter_badge_class_id() == w.badges[0].pk
    services.campaign_settings_update(
        actor=w.staff, supporter_badge=w.badges[1], goal=None, next_goal=None
    )
    assert counting.supporter_badge_class_id() == w.badges[1].pk
    assert selectors.campaign_goals() == (3000, 9000)
    services.campaign_settings_update(actor=w.staff, supporter_badge=None, goal=50, next_goal=None)
    assert counting.supporter_badge_class_id() == w.badges[0].pk
    assert selectors.campaign_goals() == (50, 9000)


def test_the_next_goal_takes_over_once_the_first_is_reached(w, settings):
    settings.CAMPAIGN_GOAL = "1000000"
    settings.CAMPAIGN_NEXT_GOAL = "10000000"
    assert selectors.current_goal(999_999) == (1_000_000, 10_000_000)
    assert selectors.current_goal(1_000_000) == (10_000_000, 0)
    settings.CAMPAIGN_NEXT_GOAL = "0"
    assert selectors.current_goal(2_000_000) == (1_000_000, 0)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"goal": "0"}, "goal", "greater than or equal to 1"),
        ({"goal": "abc"}, "goal", "Enter a whole number"),
        ({"goal": "100", "next_goal": "100"}, "next_goal", "larger than the first"),
        ({"goal": "99999999999"}, "goal", "between 1 and"),
        ({"supporter_badge": "not-a-uuid"}, "supporter_badge", "Select a valid choice"),
    ],
)
def test_bad_settings_get_a_clear_error(client, w, data, field, message):
    client.force_login(w.staff)
    response = client.post(reverse("campaign:settings"), data)
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    assert not CampaignSettings.objects.exists()


def test_an_archived_badge_cannot_be_the_supporter_badge(w):
    issuing.badge_class_archive(actor=w.org_admin, badge_class=w.badges[0])
    w.badges[0].refresh_from_db()
    with pytest.raises(services.ValidationError) as excinfo:
        services.campaign_settings_update(
            actor=w.staff, supporter_badge=w.badges[0], goal=None, next_goal=None
        )
    assert "archived" in str(excinfo.value)


def test_a_claim_of_the_demo_supporter_badge_counts_as_a_supporter(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    cache.clear()  # the claims' flood limits
    make_user("kadri.tamm@example.org", "Kadri Tamm")
    with django_capture_on_commit_callbacks(execute=True):
        load_claims_demo()
        load_claims_demo()  # idempotent, and keeps the registration
    claimable = ClaimableBadge.objects.get()
    assert CampaignSettings.objects.get().supporter_badge == claimable.badge_class
    assert selectors.campaign_totals().supporters == 0
    url = reverse("claims:claim", args=[claimable.public_id])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"name": "Ana Silva", "email": "ana.silva@example.pt"})
    link = re.search(r"https?://\S+/claim/confirm/\S+", mailoutbox[-1].body).group(0)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(urlsplit(link).path).status_code == 302
    assert selectors.campaign_totals().supporters == 1


def test_the_demo_keeps_a_supporter_badge_chosen_by_an_administrator(w):
    services.campaign_settings_update(
        actor=w.staff, supporter_badge=w.badges[0], goal=None, next_goal=None
    )
    make_user("kadri.tamm@example.org", "Kadri Tamm")
    load_claims_demo()
    assert CampaignSettings.objects.get().supporter_badge == w.badges[0]


def test_refresh_command_loops_and_rebuilds_stale_tallies(w):
    w.initiative.organisations.add(w.organisation)
    TallyState.objects.update(refreshed_at=None, pending=True)
    call_command("campaign_refresh_counters", every=0, verbosity=0)
    assert TallyState.objects.get(organisation=w.organisation).refreshed_at is not None
    TallyState.objects.update(pending=True)
    # --every with --runs: the loop the dev script starts, stopped after its first round.
    call_command("campaign_refresh_counters", every=1, runs=1, verbosity=0)
    assert not TallyState.objects.get(organisation=w.organisation).pending


def test_only_an_administrator_of_the_badges_organisation_registers_it(w):
    with pytest.raises(services.PermissionDenied):
        services.supporter_badge_register(actor=w.other_admin, badge_class=w.badges[0])
    assert services.supporter_badge_register(actor=w.org_admin, badge_class=w.badges[0])
    event = AuditEvent.objects.get(action="campaign.supporter_badge_registered")
    assert event.actor == w.org_admin
    assert not services.supporter_badge_register(actor=w.org_admin, badge_class=w.badges[1])
    assert CampaignSettings.objects.get().supporter_badge == w.badges[0]
