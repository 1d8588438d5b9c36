"""Importing a third-party baked PNG through the pages in a real browser, with axe."""

import pytest

from badgeeurope.tests.browser import serious_violations
from openbadges.tests.test_interop_node import requires_node
from passport.models import PassportBadge
from verify.tests.thirdparty import RECIPIENT, local_network_fixture, thirdparty_fixture  # noqa: F401

from .conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), requires_node]


def test_import_a_baked_png_see_the_report_add_it_and_find_it_in_the_list(
    page, live_server, thirdparty, local_network, tmp_path
):
    user = make_user(RECIPIENT, "Léa Dubois")
    baked = tmp_path / "community-mediator.png"
    baked.write_bytes(thirdparty.data("ob3_di_png"))

    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", "x")
    page.press("input[name=password]", "Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

    page.goto(live_server.url + "/passport/import/")
    assert serious_violations(page) == []
    page.set_input_files("#id_file", str(baked))
    page.get_by_role("button", name="Verify the badge").click()
    page.get_by_text("This badge is valid.").wait_for()
    main = page.inner_text("main")
    assert "Community Mediator" in main and "Independent Academy" in main
    assert f"Issued to your address {RECIPIENT}." in main
    assert "Signature" in main and "Not revoked" in main
    assert serious_violations(page) == []
    assert not PassportBadge.objects.exists()

    page.get_by_role("button", name="Add to my passport").click()
    page.get_by_text("The badge was added to your passport.").wait_for()
    assert serious_violations(page) == []
    badge = PassportBadge.objects.get()
    assert bytes(badge.original) == baked.read_bytes()
    assert badge.verification_status == "valid"

    page.goto(live_server.url + "/passport/")
    assert "Community Mediator" in page.inner_text("main")


def test_public_verifier_for_anonymous_visitors(page, live_server, thirdparty, local_network):
    page.goto(live_server.url + "/verify/")
    assert serious_violations(page) == []
    page.get_by_label("Or paste the badge").fill(thirdparty.badges["ob3_jwt_revoked"]["data"])
    page.get_by_label("Recipient's email address (optional)").fill(RECIPIENT)
    page.get_by_role("button", name="Verify").click()
    page.get_by_text("This badge was revoked by its issuer.").wait_for()
    assert "The badge was issued to the email address given." in page.inner_text("main")
    assert serious_violations(page) == []
