"""Organisation pages in a real browser: no serious accessibility violations (axe), and the
member management works with the keyboard alone."""

import pytest

from accounts import services
from accounts.models import Membership, Role
from badgeeurope.tests.browser import serious_violations, sign_in_by_session

from .conftest import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world_with_invitation(db):
    world = build_world()
    invitation = services.invitation_create(
        actor=world.members[Role.OWNER],
        organisation=world.organisation,
        email="pending@example.com",
        role=Role.DESIGNER,
    )
    world.extra["token"] = invitation.raw_token
    return world


@pytest.mark.parametrize("width", [1280, 360])
def test_organisation_pages_have_no_serious_violations(
    live_server, page, world_with_invitation, width
):
    w = world_with_invitation
    page.set_viewport_size({"width": width, "height": 800})
    paths = [
        "/o/hansa-academy/",
        f"/invitations/{w.extra['token']}/",
        "/invitations/not-a-token/",
    ]
    for path in paths:
        page.goto(live_server.url + path)
        assert serious_violations(page) == [], path
    sign_in_by_session(page.context, live_server, w.members[Role.OWNER])
    paths += [
        "/organisations/",
        "/organisations/new/",
        "/o/hansa-academy/members/",
        "/o/hansa-academy/edit/",
        "/o/hansa-academy/delete/",
        "/account/",
    ]
    for path in paths:
        page.goto(live_server.url + path)
        assert serious_violations(page) == [], path


def test_invite_form_errors_have_no_serious_violations(live_server, page, world_with_invitation):
    sign_in_by_session(page.context, live_server, world_with_invitation.members[Role.ADMIN])
    page.goto(live_server.url + "/o/hansa-academy/members/")
    page.fill("input[name=email]", "pending@example.com")
    page.click("text=Send invitation")
    page.wait_for_selector(".errorlist")
    assert serious_violations(page) == []


def test_change_a_role_with_the_keyboard_only(live_server, page, world_with_invitation):
    w = world_with_invitation
    sign_in_by_session(page.context, live_server, w.members[Role.ADMIN])
    page.goto(live_server.url + "/o/hansa-academy/members/")
    select = f"#role-{w.members[Role.REVIEWER].public_id}"
    page.focus(select)
    page.keyboard.press("ArrowUp")  # Reviewer is last; one up is Awarder.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Change role"
    page.keyboard.press("Enter")
    page.wait_for_selector(".notice--success")
    membership = Membership.objects.get(user=w.members[Role.REVIEWER])
    assert membership.role == Role.AWARDER
