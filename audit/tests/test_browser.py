"""The audit log page in a real browser: accessibility (axe) and filtering with the keyboard."""

import pytest
from allauth.account.models import EmailAddress

from accounts.models import Membership, Organisation, OrganisationKind, Role, User
from audit.services import audit_record
from badgeeurope.tests.browser import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-only"


@pytest.fixture
def signed_in_owner(live_server, page):
    organisation = Organisation.objects.create(
        slug="reseau-badges-occitanie",
        name="Réseau Badges Occitanie",
        kind=OrganisationKind.NETWORK,
    )
    owner = User.objects.create_user(email="marie.dubois@example.org", password=PASSWORD)
    EmailAddress.objects.create(user=owner, email=owner.email, verified=True, primary=True)
    Membership.objects.create(organisation=organisation, user=owner, role=Role.OWNER)
    audit_record(
        actor=owner,
        action="organisation.updated",
        target=organisation,
        organisation=organisation,
        data={"fields": ["description"]},
    )
    audit_record(
        actor=owner,
        action="invitation.sent",
        target=organisation,
        organisation=organisation,
        data={"email": "hugo.blanc@example.org", "role": "admin"},
    )
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", owner.email)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return f"{live_server.url}/o/{organisation.slug}/audit/"


@pytest.mark.parametrize("width", [1280, 360])
def test_log_has_no_serious_accessibility_violations(page, signed_in_owner, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(signed_in_owner)
    assert page.locator("tbody tr").count() == 2
    assert serious_violations(page) == []


def test_filter_with_the_keyboard(page, signed_in_owner):
    page.goto(signed_in_owner)
    page.focus("input[name=action]")
    page.keyboard.type("invitation")
    page.keyboard.press("Enter")
    page.wait_for_url("**action=invitation**")
    assert page.locator("tbody tr").count() == 1
    assert "Invitation sent" in page.locator("tbody").inner_text()
    assert serious_violations(page) == []
