"""Personas, organisations and badge classes for the campaign tests.

Personas: a signed-in user with no role (`someone`), the initiative's proposer, an administrator
and an awarder of the issuing organisation, an administrator of another organisation and a
platform administrator (is_staff). Media files go to a temporary directory for the session.
"""

import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.test import override_settings
from PIL import Image

from accounts.models import Membership, Organisation, Role, User
from campaign.models import Initiative, InitiativeKind, InitiativeStatus
from issuing import services as issuing

SITE = "http://127.0.0.1:8000"


def png_bytes(size: int = 128, colour=(0, 82, 147, 255)) -> bytes:
    output = io.BytesIO()
    Image.new("RGBA", (size, size), colour).save(output, format="PNG")
    return output.getvalue()


def make_user(email: str, name: str = "", **extra) -> User:
    user = User.objects.create_user(email=email, password="x", name=name, **extra)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def make_badge(actor, organisation, name: str):
    return issuing.badge_class_create(
        actor=actor,
        organisation=organisation,
        image=png_bytes(),
        name=name,
        description=f"{name}: a badge of the campaign tests.",
        criteria_narrative="Took part.",
        translations={},
    )


@dataclass
class World:
    organisation: Organisation
    other: Organisation
    someone: User
    proposer: User
    org_admin: User
    awarder: User
    other_admin: User
    staff: User
    initiative: Initiative
    badges: list = field(default_factory=list)


@pytest.fixture(scope="session", autouse=True)
def media_and_site(tmp_path_factory):
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"), SITE_URL=SITE):
        yield


@pytest.fixture
def w(db):
    organisation = Organisation.objects.create(slug="hansa-academy", name="Hansa Academy")
    other = Organisation.objects.create(slug="porto-lab", name="Porto Lab")
    world = World(
        organisation=organisation,
        other=other,
        someone=make_user("someone@example.net", "Some One"),
        proposer=make_user("proposer@example.net", "Pia Proposer"),
        org_admin=make_user("admin@hansa.example.org", "Ada Admin"),
        awarder=make_user("awarder@hansa.example.org", "Aki Awarder"),
        other_admin=make_user("admin@porto.example.org", "Otto Other"),
        staff=make_user("staff@badge-europe.example.org", "Stef Staff", is_staff=True),
        initiative=None,
    )
    Membership.objects.create(organisation=organisation, user=world.org_admin, role=Role.ADMIN)
    Membership.objects.create(organisation=organisation, user=world.awarder, role=Role.AWARDER)
    Membership.objects.create(organisation=other, user=world.other_admin, role=Role.OWNER)
    world.initiative = Initiative.objects.create(
        slug="hansa-badges",
        name="Hansa Badges",
        description="Badges for the Baltic coast.",
        kind=InitiativeKind.NETWORK,
        country="EE",
        city="Tallinn",
        latitude=Decimal("59.436962"),
        longitude=Decimal("24.753574"),
        status=InitiativeStatus.APPROVED,
        proposed_by=world.proposer,
    )
    world.badges = [
        make_badge(world.org_admin, organisation, "Harbour Guide"),
        make_badge(world.org_admin, organisation, "Sea Safety"),
    ]
    return world


@pytest.fixture
def today() -> date:
    from django.utils import timezone

    return timezone.localdate()
