"""In a real browser: an organisation's administrator proposes an initiative, a platform
administrator approves it, the proposer pledges, and the page shows the progress; axe checks
every page on the way."""

from datetime import timedelta

import pytest
from django.utils import timezone

from badgeeurope.tests.browser import serious_violations
from issuing import services as issuing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, user):
    page.context.clear_cookies()
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", "x")
    page.press("input[name=password]", "Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_propose_approve_pledge_progress(page, live_server, w):
    issuing.award_create(
        actor=w.awarder,
        badge_class=w.badges[0],
        recipient_email="learner@example.net",
        issued_at=timezone.now() - timedelta(hours=1),
    )

    sign_in(page, live_server, w.org_admin)
    page.goto(live_server.url + "/initiatives/propose/")
    assert serious_violations(page) == []
    page.locator("#id_name").fill("Baltic Harbour Badges")
    page.locator("#id_kind").select_option("network")
    page.locator("#id_description").fill("Harbour skills made visible.")
    page.get_by_label("Country").select_option("EE")
    page.get_by_label("City or town").fill("Tallinn")
    page.get_by_label("Latitude").fill("59.436962")
    page.get_by_label("Longitude").fill("24.753574")
    page.get_by_label("Hansa Academy").check()
    page.get_by_role("button", name="Propose the initiative").click()
    page.wait_for_url("**/initiatives/baltic-harbour-badges/")
    assert page.get_by_text("awaits review").first.is_visible()
    assert serious_violations(page) == []

    sign_in(page, live_server, w.staff)
    page.goto(live_server.url + "/initiatives/review/")
    assert serious_violations(page) == []
    proposal = page.locator("article", has_text="Baltic Harbour Badges")
    proposal.get_by_label("Approve").check()
    proposal.get_by_role("button", name="Save the decision").click()
    page.wait_for_url("**/initiatives/review/")
    assert page.get_by_text("is approved and public").is_visible()

    sign_in(page, live_server, w.org_admin)
    page.goto(live_server.url + "/initiatives/baltic-harbour-badges/")
    page.get_by_role("link", name="Pledge badges").click()
    page.wait_for_url("**/pledge/")
    assert serious_violations(page) == []
    page.get_by_label("Number of badges").fill("4")
    page.get_by_label("Counting from").fill((timezone.localdate() - timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Make the pledge").click()
    page.wait_for_url("**/initiatives/baltic-harbour-badges/")
    assert page.get_by_text("Thank you for your pledge.").is_visible()
    assert page.get_by_text("25 % of the pledge achieved").is_visible()
    assert page.locator("progress.progress__bar").get_attribute("value") == "25"
    assert serious_violations(page) == []

    for path in (
        "/initiatives/mine/",
        "/initiatives/support/",
        "/initiatives/baltic-harbour-badges/tokens/",
    ):
        page.goto(live_server.url + path)
        assert serious_violations(page) == [], path
    page.get_by_label("System name").fill("Moodle")
    page.get_by_role("button", name="Create a token").click()
    assert page.locator(".token-once").inner_text().startswith("bei_")

    page.context.clear_cookies()
    page.goto(live_server.url + "/initiatives/baltic-harbour-badges/")
    assert page.get_by_text("25 % of the pledge achieved").is_visible()
    page.get_by_text("The figures as a table").click()
    assert serious_violations(page) == []
