"""Who may see and do what: anonymous, any signed-in person, the proposer, an administrator and
an awarder of a member organisation, an administrator elsewhere, a platform administrator."""

import pytest
from django.urls import reverse

from campaign.models import Initiative, InitiativeKind, InitiativeStatus

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "someone", "proposer", "org_admin", "awarder", "other_admin", "staff"]


def client_for(client, w, persona):
    if persona != "anonymous":
        client.force_login(getattr(w, persona))
    return client


def status_of(response) -> int | str:
    if response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return "login"
    return response.status_code


@pytest.fixture
def proposed(w):
    return Initiative.objects.create(
        slug="pending-idea",
        name="Pending Idea",
        description="Not reviewed yet.",
        kind=InitiativeKind.SCHOOL,
        country="FI",
        status=InitiativeStatus.PROPOSED,
        proposed_by=w.proposer,
    )


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", "login"),
        ("someone", 200),
        ("proposer", 200),
        ("org_admin", 200),
        ("staff", 200),
    ],
)
def test_propose_page_needs_a_signed_in_person(client, w, persona, expected):
    response = client_for(client, w, persona).get(reverse("campaign:propose"))
    assert status_of(response) == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_approved_initiative_is_public(client, w, persona):
    response = client_for(client, w, persona).get(
        reverse("campaign:detail", args=[w.initiative.slug])
    )
    assert response.status_code == 200
    assert "Hansa Badges" in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", 404),
        ("someone", 404),
        ("org_admin", 404),
        ("other_admin", 404),
        ("proposer", 200),
        ("staff", 200),
    ],
)
def test_proposed_initiative_is_seen_by_its_proposer_and_platform_admins(
    client, w, proposed, persona, expected
):
    response = client_for(client, w, persona).get(reverse("campaign:detail", args=[proposed.slug]))
    assert response.status_code == expected
    if expected == 200:
        assert "awaits review" in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", "login"),
        ("someone", 403),
        ("awarder", 403),
        ("other_admin", 403),
        ("proposer", 200),
        ("org_admin", 200),
        ("staff", 200),
    ],
)
def test_pledge_and_token_pages(client, w, persona, expected):
    w.initiative.organisations.add(w.organisation)
    client = client_for(client, w, persona)
    for name in ("campaign:pledge", "campaign:tokens"):
        response = client.get(reverse(name, args=[w.initiative.slug]))
        assert status_of(response) == expected, name


def test_org_admin_may_not_pledge_before_the_organisation_belongs(client, w):
    client.force_login(w.org_admin)
    response = client.get(reverse("campaign:pledge", args=[w.initiative.slug]))
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", "login"),
        ("someone", 403),
        ("proposer", 403),
        ("org_admin", 403),
        ("staff", 200),
    ],
)
def test_review_is_for_platform_admins(client, w, proposed, persona, expected):
    client = client_for(client, w, persona)
    assert status_of(client.get(reverse("campaign:review"))) == expected
    response = client.post(
        reverse("campaign:review_decide", args=[proposed.slug]), {"decision": "approve"}
    )
    proposed.refresh_from_db()
    if expected == 200:
        assert response.status_code == 302
        assert proposed.status == InitiativeStatus.APPROVED
    else:
        assert status_of(response) in {"login", 403, 404}
        assert proposed.status == InitiativeStatus.PROPOSED


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [("someone", False), ("org_admin", False), ("other_admin", False), ("proposer", True)],
)
def test_join_requests_are_decided_by_the_proposer(client, w, persona, allowed):
    from campaign import services

    join_request = services.join_request_create(
        actor=w.other_admin, initiative=w.initiative, organisation=w.other
    )
    client.force_login(getattr(w, persona))
    response = client.post(
        reverse("campaign:join_decide", args=[w.initiative.slug, join_request.public_id]),
        {"decision": "approve"},
    )
    assert response.status_code == (302 if allowed else 403)
    assert w.initiative.organisations.filter(pk=w.other.pk).exists() is allowed


def test_logo_of_a_proposed_initiative_is_not_public(client, w, proposed):
    assert client.get(reverse("campaign:logo", args=[proposed.slug])).status_code == 404


def test_my_initiatives_links_platform_admins_to_the_review(client, w, proposed):
    client.force_login(w.staff)
    assert "Review initiatives (1 waiting)" in client.get(reverse("campaign:mine")).content.decode()
    client.force_login(w.proposer)
    page = client.get(reverse("campaign:mine")).content.decode()
    assert "Review initiatives" not in page and "Pending Idea" in page
