"""Awarding and revoking in a real browser, with axe on every page on the way."""

import pytest
from django.urls import reverse

from accounts.models import Role
from badgeeurope.tests.browser import serious_violations
from issuing.models import Award

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, user):
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", "x")
    page.press("input[name=password]", "Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_award_a_badge_through_the_form_and_revoke_it(page, live_server, w, badge):
    sign_in(page, live_server, w.members[Role.AWARDER])
    slug = w.organisation.slug
    page.goto(live_server.url + reverse("issuing_award:list", args=[slug]))
    assert serious_violations(page) == []
    page.get_by_role("link", name="Award Digital Facilitator").click()
    page.wait_for_url("**/award/")
    assert serious_violations(page) == []

    page.locator("#id_recipient_identity").fill("sofia.garcia@example.es")
    page.get_by_label("Recipient's name").fill("Sofía García")
    page.get_by_label("Narrative").fill("Facilitated the Valencia workshop series.")
    page.locator("#id_evidence-0-url").fill("https://sofia.example.es/portfolio")
    page.locator("#id_evidence-0-name").fill("Portfolio")
    page.get_by_role("button", name="Award the badge").click()
    page.wait_for_url("**/awards/*/")
    assert "Digital Facilitator was awarded to Sofía García." in page.inner_text("body")
    assert "sofia.garcia@example.es" in page.inner_text("main")
    assert serious_violations(page) == []
    award = Award.objects.get()
    assert award.evidence == [{"url": "https://sofia.example.es/portfolio", "name": "Portfolio"}]

    page.get_by_label("Reason").fill("Awarded for the wrong workshop")
    page.get_by_label("I understand that revocation is final").check()
    page.get_by_role("button", name="Revoke the badge").click()
    page.get_by_text("The badge was revoked.").wait_for()
    assert "This badge is revoked." in page.inner_text("main")
    assert serious_violations(page) == []
    award.refresh_from_db()
    assert award.revocation_reason == "Awarded for the wrong workshop"

    page.goto(live_server.url + reverse("issuing_award:list", args=[slug]) + "?status=revoked")
    assert page.locator("tbody tr").count() == 1
    assert "Revoked" in page.locator("tbody").inner_text()


@pytest.mark.parametrize("width", [1280, 360])
def test_dashboard_and_statistics_are_accessible(page, live_server, w, award, width):
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, live_server, w.members[Role.OWNER])
    slug = w.organisation.slug
    page.goto(live_server.url + reverse("issuing_award:statistics", args=[slug]))
    assert page.locator("svg.chart rect").count() == 12
    assert serious_violations(page) == []
    page.goto(live_server.url + reverse("issuing_award:list", args=[slug]))
    assert page.locator("tbody tr").count() == 1
    assert serious_violations(page) == []
