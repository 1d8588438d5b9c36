"""Every organisation page and action × every persona: exact status, effect, and no leaks.

Statuses: anonymous visitors are sent to sign in (302), outsiders get 404 on private pages
(nobody learns who belongs where), members without the permission get 403.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from accounts import services
from accounts.models import Invitation, Membership, Organisation, Role

from .conftest import build_world

PERSONAS = ["anonymous", "outsider", "reviewer", "awarder", "designer", "admin", "owner"]
INVITEE = "pending.invitee@example.com"
# Private data of the organisation that outsiders must never see.
SECRETS = ["@hansa.example.org", INVITEE]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_world()
        invitation = Invitation(
            organisation=world.organisation,
            email=INVITEE,
            role=Role.DESIGNER,
            invited_by=world.members[Role.OWNER],
        )
        world.extra["token"] = services._new_token(invitation)
        # Sent long enough ago that a resend is not taken for a double click.
        invitation.sent_at = timezone.now() - timedelta(hours=2)
        invitation.save()
        world.extra["invitation"] = invitation.public_id
        yield world
        transaction.set_rollback(True)


def expect(anonymous, outsider, reviewer, awarder, designer, admin, owner):
    return dict(
        zip(PERSONAS, [anonymous, outsider, reviewer, awarder, designer, admin, owner], strict=True)
    )


SIGNED_IN = expect(302, 200, 200, 200, 200, 200, 200)
MEMBERS = expect(302, 404, 200, 200, 200, 200, 200)
MANAGERS_GET = expect(302, 404, 403, 403, 403, 200, 200)
MANAGERS_POST = expect(302, 404, 403, 403, 403, 302, 302)
OWNER_GET = expect(302, 404, 403, 403, 403, 403, 200)
OWNER_POST = expect(302, 404, 403, 403, 403, 403, 302)


def org_url(suffix=""):
    return lambda w: f"/o/{w.organisation.slug}/{suffix}"


def member_url(role, action):
    return lambda w: f"/o/hansa-academy/members/{w.members[role].public_id}/{action}/"


def invitation_url(action):
    return lambda w: f"/o/hansa-academy/invitations/{w.extra['invitation']}/{action}/"


def token_url(suffix=""):
    return lambda w: f"/invitations/{w.extra['token']}/{suffix}"


PROFILE = {
    "name": "Hansa Academy",
    "kind": "training",
    "description": "New description",
    "website": "https://hansa.example.org",
    "email": "",
    "country": "EE",
    "city": "Pärnu",
}


def role_of(w, role):
    return (
        Membership.objects.filter(organisation=w.organisation, user=w.members[role])
        .values_list("role", flat=True)
        .first()
    )


def pending_invitation(w):
    return Invitation.objects.get(public_id=w.extra["invitation"])


@dataclass
class Case:
    name: str
    method: str
    url: Callable
    expected: dict
    data: dict | None = None
    # Checks that an allowed POST did what it should (called with the world and the persona).
    effect: Callable | None = None
    # Actions that only need the secret link, not a role: outsiders may answer them.
    by_token: bool = False


CASES = [
    Case("list", "get", lambda w: "/organisations/", SIGNED_IN),
    Case("create form", "get", lambda w: "/organisations/new/", SIGNED_IN),
    Case(
        "create",
        "post",
        lambda w: "/organisations/new/",
        expect(302, 302, 302, 302, 302, 302, 302),
        data={"name": "Sisu Works", "slug": "sisu-works", "kind": "employer"},
        effect=lambda w, persona: (
            Organisation.objects.get(slug="sisu-works").memberships.get().user == w.persona(persona)
        ),
    ),
    Case("profile", "get", org_url(), expect(200, 200, 200, 200, 200, 200, 200)),
    Case("edit form", "get", org_url("edit/"), MANAGERS_GET),
    Case(
        "edit",
        "post",
        org_url("edit/"),
        MANAGERS_POST,
        data=PROFILE,
        effect=lambda w, persona: Organisation.objects.get(pk=w.organisation.pk).city == "Pärnu",
    ),
    Case("members", "get", org_url("members/"), MEMBERS),
    Case(
        "invite",
        "post",
        org_url("members/"),
        MANAGERS_POST,
        data={"email": "fresh@example.com", "role": Role.AWARDER},
        effect=lambda w, persona: Invitation.objects.filter(email="fresh@example.com").exists(),
    ),
    Case(
        "change role",
        "post",
        member_url(Role.REVIEWER, "role"),
        MANAGERS_POST,
        data={"role": Role.AWARDER},
        effect=lambda w, persona: role_of(w, Role.REVIEWER) == Role.AWARDER,
    ),
    Case(
        "remove member",
        "post",
        member_url(Role.DESIGNER, "remove"),
        MANAGERS_POST,
        effect=lambda w, persona: role_of(w, Role.DESIGNER) is None,
    ),
    Case(
        "resend invitation",
        "post",
        invitation_url("resend"),
        MANAGERS_POST,
        effect=lambda w, persona: pending_invitation(w).send_count == 2,
    ),
    Case(
        "revoke invitation",
        "post",
        invitation_url("revoke"),
        MANAGERS_POST,
        effect=lambda w, persona: pending_invitation(w).revoked_at is not None,
    ),
    Case(
        "leave",
        "post",
        org_url("leave/"),
        expect(302, 404, 302, 302, 302, 302, 302),
        # The last owner is refused with a message; everyone else is gone.
        effect=lambda w, persona: (
            role_of(w, persona) == (Role.OWNER if persona == "owner" else None)
        ),
    ),
    Case("delete form", "get", org_url("delete/"), OWNER_GET),
    Case(
        "delete",
        "post",
        org_url("delete/"),
        OWNER_POST,
        data={"confirm": "hansa-academy"},
        effect=lambda w, persona: not Organisation.objects.filter(pk=w.organisation.pk).exists(),
    ),
    Case(
        "invitation", "get", token_url(), expect(200, 200, 200, 200, 200, 200, 200), by_token=True
    ),
    Case(
        "accept invitation",
        "post",
        token_url("accept/"),
        expect(302, 302, 302, 302, 302, 302, 302),
        by_token=True,
        effect=lambda w, persona: pending_invitation(w).accepted_by == w.persona(persona),
    ),
    Case(
        "decline invitation",
        "post",
        token_url("decline/"),
        expect(302, 302, 302, 302, 302, 302, 302),
        by_token=True,
        effect=lambda w, persona: pending_invitation(w).declined_at is not None,
    ),
    # Without the link, only a person who verified the invited address may answer; nobody
    # here has verified it.
    Case(
        "accept listed invitation",
        "post",
        lambda w: f"/organisations/invitations/{w.extra['invitation']}/accept/",
        expect(302, 404, 404, 404, 404, 404, 404),
    ),
    Case(
        "decline listed invitation",
        "post",
        lambda w: f"/organisations/invitations/{w.extra['invitation']}/decline/",
        expect(302, 404, 404, 404, 404, 404, 404),
    ),
    Case("account", "get", lambda w: "/account/", SIGNED_IN),
    Case(
        "account save",
        "post",
        lambda w: "/account/",
        expect(302, 302, 302, 302, 302, 302, 302),
        data={"name": "Renamed", "language": "fi"},
        effect=lambda w, persona: (
            w.persona(persona).__class__.objects.get(pk=w.persona(persona).pk).name == "Renamed"
        ),
    ),
]


def snapshot(w):
    """Everything about the organisation and its people that a refused POST must not change."""
    return (
        list(Organisation.objects.order_by("pk").values()),
        sorted(Membership.objects.values_list("organisation_id", "user_id", "role")),
        sorted(
            Invitation.objects.values_list(
                "email", "role", "token", "accepted_at", "declined_at", "revoked_at", "send_count"
            )
        ),
        sorted(w.organisation.memberships.values_list("user__name", "user__language")),
    )


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_matrix(client, w, case, persona, django_capture_on_commit_callbacks):
    user = w.persona(persona)
    if user is not None:
        client.force_login(user)
    before = snapshot(w)
    url = case.url(w)
    with django_capture_on_commit_callbacks(execute=True):
        send = client.get if case.method == "get" else client.post
        response = send(url, case.data or {})
    expected = case.expected[persona]
    assert response.status_code == expected, (case.name, persona, response.status_code)
    if persona == "anonymous" and expected == 302:
        assert response["Location"].startswith("/accounts/login/?next=")
    if persona in {"anonymous", "outsider"} and not case.by_token:
        body = response.content.decode()
        for secret in SECRETS:
            assert secret not in body, (case.name, persona, secret)
    if case.method == "post":
        allowed = expected == 302 and persona != "anonymous" and case.effect is not None
        if allowed:
            assert case.effect(w, persona), (case.name, persona)
        if not allowed:
            assert snapshot(w) == before, (case.name, persona)


@pytest.mark.parametrize("persona", ["reviewer", "awarder", "designer"])
def test_plain_members_see_members_but_not_invitations_or_forms(client, w, persona):
    client.force_login(w.persona(persona))
    body = client.get("/o/hansa-academy/members/").content.decode()
    assert "owner@hansa.example.org" in body
    assert INVITEE not in body
    assert "/remove/" not in body and "/role/" not in body
    assert 'name="email"' not in body


@pytest.mark.parametrize("persona", ["admin", "owner"])
def test_managers_see_invitations_and_forms(client, w, persona):
    client.force_login(w.persona(persona))
    body = client.get("/o/hansa-academy/members/").content.decode()
    assert INVITEE in body
    assert 'name="email"' in body
    assert f"/members/{w.members[Role.REVIEWER].public_id}/remove/" in body
    # Only owners are offered the owner role and forms on owners' rows.
    owner_row_form = f"/members/{w.members[Role.OWNER].public_id}/role/"
    assert (owner_row_form in body) == (persona == "owner")
    assert ('<option value="owner"' in body) == (persona == "owner")


@pytest.mark.parametrize("persona", ["anonymous", "outsider"])
def test_profile_shows_only_public_data_to_outsiders(client, w, persona):
    if w.persona(persona):
        client.force_login(w.persona(persona))
    body = client.get("/o/hansa-academy/").content.decode()
    assert "Hansa Academy" in body and "Tallinn" in body and "https://hansa.example.org" in body
    assert "/o/hansa-academy/members/" not in body
    assert "/o/hansa-academy/edit/" not in body
    assert "Your membership" not in body


def test_profile_shows_private_links_to_members(client, w):
    client.force_login(w.members[Role.AWARDER])
    body = client.get("/o/hansa-academy/").content.decode()
    assert "/o/hansa-academy/members/" in body and "Your membership" in body
    assert "/o/hansa-academy/edit/" not in body
    client.force_login(w.members[Role.ADMIN])
    body = client.get("/o/hansa-academy/").content.decode()
    assert "/o/hansa-academy/edit/" in body and "/o/hansa-academy/delete/" not in body


def test_unknown_organisation_and_other_organisations_member(client, w):
    client.force_login(w.members[Role.OWNER])
    assert client.get("/o/no-such-org/").status_code == 404
    assert client.get("/o/no-such-org/members/").status_code == 404
    # An owner here is an outsider there.
    assert client.get("/o/porto-lab/members/").status_code == 404
    assert client.post("/o/porto-lab/delete/", {"confirm": "porto-lab"}).status_code == 404
    assert Organisation.objects.filter(slug="porto-lab").exists()


def test_member_and_invitation_of_another_organisation_are_not_found(client, w):
    client.force_login(w.other_owner)
    response = client.post(f"/o/porto-lab/members/{w.members[Role.REVIEWER].public_id}/remove/")
    assert response.status_code == 404
    response = client.post(f"/o/porto-lab/invitations/{w.extra['invitation']}/revoke/")
    assert response.status_code == 404
    assert pending_invitation(w).revoked_at is None
    assert role_of(w, Role.REVIEWER) == Role.REVIEWER
