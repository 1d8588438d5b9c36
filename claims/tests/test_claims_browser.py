"""Claiming the campaign badge in a real browser, with axe on every page on the way."""

import re

import pytest
from django.core import mail

from claims.demo import load_claims_demo
from claims.models import ClaimableBadge
from issuing.models import Award
from issuing.tests.conftest import make_user
from issuing.tests.test_award_browser import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_claim_the_supporter_badge(page, live_server, settings):
    settings.SITE_URL = live_server.url
    make_user("kadri.tamm@example.org", "Kadri Tamm")
    load_claims_demo()
    claimable = ClaimableBadge.objects.get()
    mail.outbox = []
    page.goto(f"{live_server.url}/claim/{claimable.public_id}")
    assert serious_violations(page) == []
    page.get_by_label("Your name").fill("Jana Nováková")
    page.get_by_label("Your email address").fill("jana.novakova@example.cz")
    page.get_by_role("button", name="Send me the link").click()
    page.wait_for_url("**/sent")
    assert page.locator("h1").inner_text() == "Check your email"
    assert serious_violations(page) == []
    link = re.search(r"http\S+/claim/confirm/\S+", mail.outbox[0].body).group(0)
    page.goto(link)
    assert serious_violations(page) == []
    assert not Award.objects.exists()
    page.get_by_role("button", name="Accept the badge").click()
    page.get_by_role("link", name="View your badge").wait_for()
    assert serious_violations(page) == []
    award = Award.objects.get()
    assert award.recipient_identity == "jana.novakova@example.cz"
    page.get_by_role("link", name="View your badge").click()
    page.wait_for_url(f"**/awards/{award.public_id}")
    assert page.locator("h1").inner_text() == "I support #BadgeEurope"
