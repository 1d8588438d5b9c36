"""A learner receives, answers, shows and shares badges in a real browser; axe on every page."""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from badgeeurope.tests.browser import serious_violations
from passport.models import BadgeState, PassportBadge, Visibility

from .conftest import award_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, user):
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", "x")
    page.press("input[name=password]", "Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_receive_accept_show_share_and_decline(page, browser, live_server, w):
    award_to(w, "kadri.tamm@example.org")
    award_to(w, "kadri.tamm@example.org", badge_class=w.second_class)
    sign_in(page, live_server, w.learner)

    page.get_by_role("link", name="Passport").click()
    page.wait_for_url("**/passport/")
    assert "2 badges are waiting for your answer." in page.inner_text("main")
    assert page.locator(".passport-card").count() == 2
    assert serious_violations(page) == []

    page.get_by_role("button", name="Accept Digital Facilitator").click()
    page.get_by_text("The badge is now in your passport.").wait_for()
    page.get_by_role("button", name="Decline Open Data Steward").click()
    page.get_by_text("You declined the badge.").wait_for()
    assert serious_violations(page) == []

    page.get_by_role("link", name="Digital Facilitator").click()
    page.wait_for_url("**/passport/badges/*/")
    assert "This badge is valid" in page.inner_text("main")
    assert serious_violations(page) == []
    page.get_by_label("Everyone").check()
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Who may see the badge was saved.").wait_for()
    page.get_by_role("button", name="Create a share link").click()
    page.get_by_text("A new share link was made.").wait_for()
    share_url = page.get_by_role("textbox", name="Share link").input_value()
    assert serious_violations(page) == []

    accepted = PassportBadge.objects.get(owner=w.learner, award__badge_class=w.badge_class)
    declined = PassportBadge.objects.get(owner=w.learner, award__badge_class=w.second_class)
    assert (accepted.state, accepted.visibility) == (BadgeState.ACCEPTED, Visibility.PUBLIC)
    assert declined.state == BadgeState.DECLINED
    assert urlsplit(share_url).path == reverse("passport:shared", args=[accepted.share_token])

    # Somebody else, not signed in, opens the link.
    context = browser.new_context(locale="en-GB")
    try:
        stranger = context.new_page()
        stranger.goto(live_server.url + urlsplit(share_url).path)
        assert stranger.locator("h1").inner_text() == "Digital Facilitator"
        assert "held by Kadri Tamm" in stranger.inner_text("main")
        assert "kadri.tamm@example.org" not in stranger.content()
        assert serious_violations(stranger) == []
        # The declined badge is nowhere to be seen.
        response = stranger.goto(
            live_server.url + reverse("passport:detail", args=[declined.public_id])
        )
        assert response.status == 404
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 360])
def test_public_page_settings_and_page_are_accessible(page, live_server, w, width):
    award_to(w, "kadri.tamm@example.org")
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, live_server, w.learner)
    page.goto(live_server.url + reverse("passport:list"))
    assert serious_violations(page) == []
    page.goto(live_server.url + reverse("passport:profile"))
    page.get_by_label("Handle").fill("kadri-tamm")
    page.get_by_label("Headline").fill("Learner in Tartu")
    page.get_by_label("Show my public page").check()
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Your public page settings were saved.").wait_for()
    assert "Your page is on and lists 0 public badges." in page.inner_text("main")
    assert serious_violations(page) == []
    page.get_by_role("link", name="Open your page").click()
    page.wait_for_url("**/u/kadri-tamm/")
    assert page.locator("h1").inner_text() == "Kadri Tamm"
    assert "No public badges yet." in page.inner_text("main")
    assert serious_violations(page) == []
