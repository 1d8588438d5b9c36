"""Proposing, reviewing, pledging and joining: rules, refusals with clear messages, audit."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from campaign import services
from campaign.models import InitiativeStatus, JoinRequestStatus, Pledge

from .conftest import png_bytes

pytestmark = pytest.mark.django_db

FIELDS = {
    "name": "Badges Baltic",
    "description": "Läänemere märgid.",
    "language": "et",
    "kind": "network",
    "country": "ee",
    "city": "Tallinn",
    "latitude": "59.436962",
    "longitude": "24.753574",
    "website": "https://baltic.example.org",
    "translations": {"en": {"name": "Baltic Badges", "description": "Badges of the Baltic."}},
}


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


def test_propose_normalises_and_records(w):
    initiative = services.initiative_propose(
        actor=w.someone, logo=png_bytes(96), organisations=[], **FIELDS
    )
    assert initiative.status == InitiativeStatus.PROPOSED
    assert initiative.country == "EE"
    assert str(initiative.latitude) == "59.436962"
    assert initiative.slug == "badges-baltic"
    assert initiative.logo.name.endswith(".png")
    assert initiative.name_in("en") == "Baltic Badges"
    assert initiative.name_in("fr") == "Badges Baltic"  # no French: its own language
    assert AuditEvent.objects.filter(action="initiative.proposed", actor=w.someone).exists()
    assert services.initiative_propose(actor=w.someone, **FIELDS) == initiative  # double submit
    again = services.initiative_propose(actor=w.proposer, **FIELDS)
    assert again.slug == "badges-baltic-2"


def test_anonymous_cannot_propose(w):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        services.initiative_propose(actor=AnonymousUser(), **FIELDS)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"latitude": "91"}, "latitude"),
        ({"longitude": "-180.5"}, "longitude"),
        ({"latitude": "north"}, "latitude"),
        ({"latitude": "NaN"}, "latitude"),
        ({"longitude": ""}, "longitude"),
        ({"country": "XX"}, "country"),
        ({"country": "EU"}, "country"),
        ({"kind": "castle"}, "kind"),
        ({"name": ""}, "name"),
        ({"description": " "}, "description"),
        ({"website": "javascript:alert(1)"}, "website"),
        ({"contact_email": "not-an-address"}, "contact_email"),
    ],
)
def test_propose_refuses_bad_fields(w, change, field):
    with pytest.raises(ValidationError) as excinfo:
        services.initiative_propose(actor=w.someone, **{**FIELDS, **change})
    assert field in errors_of(excinfo)


@pytest.mark.parametrize(
    "logo",
    [
        b"not an image at all",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
    ],
)
def test_propose_refuses_bad_logos(w, logo):
    with pytest.raises(ValidationError):
        services.initiative_propose(actor=w.someone, logo=logo, **FIELDS)


def test_only_administered_organisations_can_be_added(w):
    with pytest.raises(PermissionDenied):
        services.initiative_propose(actor=w.awarder, organisations=[w.organisation], **FIELDS)
    initiative = services.initiative_propose(
        actor=w.org_admin, organisations=[w.organisation], **FIELDS
    )
    assert list(initiative.organisations.all()) == [w.organisation]


def test_review_rules(w):
    initiative = services.initiative_propose(actor=w.someone, **FIELDS)
    with pytest.raises(PermissionDenied):
        services.initiative_review(actor=w.someone, initiative=initiative, approve=True)
    with pytest.raises(ValidationError) as excinfo:
        services.initiative_review(actor=w.staff, initiative=initiative, approve=False)
    assert "reason" in errors_of(excinfo)
    services.initiative_review(
        actor=w.staff, initiative=initiative, approve=False, reason="Not in Europe."
    )
    initiative.refresh_from_db()
    assert (initiative.status, initiative.review_reason) == ("rejected", "Not in Europe.")
    with pytest.raises(ValidationError):
        services.initiative_review(actor=w.staff, initiative=initiative, approve=True)
    assert AuditEvent.objects.filter(action="initiative.rejected", actor=w.staff).exists()


def test_pledges_keep_their_history(w, today):
    w.initiative.organisations.add(w.organisation)
    first = services.pledge_create(
        actor=w.org_admin,
        initiative=w.initiative,
        badge_count=1000,
        starts_on=today,
        deadline=today + timedelta(days=365),
        organisation=w.organisation,
    )
    second = services.pledge_create(
        actor=w.proposer,
        initiative=w.initiative,
        badge_count=1500,
        starts_on=today,
        deadline=today + timedelta(days=400),
        theme="Sea safety",
        badge_classes=[w.badges[1]],
        replaces=first,
    )
    first.refresh_from_db()
    assert first.withdrawn_at is not None and first.replaced_by == second
    assert first.badge_count == 1000  # never edited
    assert Pledge.objects.filter(initiative=w.initiative).count() == 2
    assert list(second.badge_classes.all()) == [w.badges[1]]
    with pytest.raises(ValidationError):
        services.pledge_create(
            actor=w.proposer,
            initiative=w.initiative,
            badge_count=10,
            starts_on=today,
            deadline=today,
            replaces=first,  # already withdrawn
        )
    services.pledge_withdraw(actor=w.proposer, pledge=second)
    with pytest.raises(ValidationError):
        services.pledge_withdraw(actor=w.proposer, pledge=second)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"pledge.created", "pledge.replaced", "pledge.withdrawn"} <= actions


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"badge_count": 0}, "badge_count"),
        ({"badge_count": 10**12}, "badge_count"),
        ({"deadline_days": -1}, "deadline"),
        ({"starts_days": 10, "deadline_days": 5}, "deadline"),
        ({"theme": "x" * 201}, "theme"),
        ({"foreign_badge": True}, "badge_classes"),
    ],
)
def test_pledge_refuses_bad_input(w, today, change, field):
    from .conftest import make_badge

    w.initiative.organisations.add(w.organisation)
    badge_classes = (
        [make_badge(w.other_admin, w.other, "Elsewhere")] if change.get("foreign_badge") else []
    )
    with pytest.raises(ValidationError) as excinfo:
        services.pledge_create(
            actor=w.proposer,
            initiative=w.initiative,
            badge_count=change.get("badge_count", 100),
            starts_on=today + timedelta(days=change.get("starts_days", 0)),
            deadline=today + timedelta(days=change.get("deadline_days", 30)),
            theme=change.get("theme", ""),
            badge_classes=badge_classes,
        )
    assert field in errors_of(excinfo)


def test_pledge_permissions(w, today):
    kwargs = {
        "initiative": w.initiative,
        "badge_count": 5,
        "starts_on": today,
        "deadline": today + timedelta(days=5),
    }
    for actor in (w.someone, w.org_admin, w.awarder, w.other_admin):
        with pytest.raises(PermissionDenied):
            services.pledge_create(actor=actor, **kwargs)
    w.initiative.organisations.add(w.organisation)
    services.pledge_create(actor=w.org_admin, **kwargs)
    services.pledge_create(actor=w.staff, **kwargs)
    with pytest.raises(PermissionDenied):
        services.pledge_create(actor=w.awarder, **kwargs)


def test_join_flow(w):
    with pytest.raises(PermissionDenied):
        services.join_request_create(
            actor=w.awarder, initiative=w.initiative, organisation=w.organisation
        )
    join_request = services.join_request_create(
        actor=w.org_admin, initiative=w.initiative, organisation=w.organisation, message="Hi"
    )
    with pytest.raises(ValidationError):  # a second pending request
        services.join_request_create(
            actor=w.org_admin, initiative=w.initiative, organisation=w.organisation
        )
    with pytest.raises(PermissionDenied):
        services.join_request_decide(actor=w.org_admin, join_request=join_request, approve=True)
    services.join_request_decide(actor=w.proposer, join_request=join_request, approve=True)
    join_request.refresh_from_db()
    assert join_request.status == JoinRequestStatus.APPROVED
    assert w.initiative.organisations.filter(pk=w.organisation.pk).exists()
    with pytest.raises(ValidationError):  # already decided
        services.join_request_decide(actor=w.proposer, join_request=join_request, approve=False)
    with pytest.raises(ValidationError):  # already belongs
        services.join_request_create(
            actor=w.org_admin, initiative=w.initiative, organisation=w.organisation
        )
    services.initiative_organisation_remove(
        actor=w.org_admin, initiative=w.initiative, organisation=w.organisation
    )
    assert not w.initiative.organisations.exists()


def test_withdraw(w):
    with pytest.raises(PermissionDenied):
        services.initiative_withdraw(actor=w.someone, initiative=w.initiative)
    services.initiative_withdraw(actor=w.proposer, initiative=w.initiative)
    w.initiative.refresh_from_db()
    assert w.initiative.status == InitiativeStatus.WITHDRAWN
    assert w.initiative.updated_at <= timezone.now()
