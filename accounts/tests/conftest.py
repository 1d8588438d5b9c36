"""Personas for the accounts tests: one organisation with a member in every role, an outsider
and a second organisation.

The world is built once per test module inside a transaction that is rolled back when the
module ends; every test runs in a savepoint inside it (pytest-django's `db`), so tests can
change data freely without affecting each other.
"""

from dataclasses import dataclass, field

import pytest
from allauth.account.models import EmailAddress
from django.db import transaction

from accounts.models import Membership, Organisation, OrganisationKind, Role, User

ROLES = [Role.OWNER, Role.ADMIN, Role.DESIGNER, Role.AWARDER, Role.REVIEWER]
PASSWORD = "correct horse battery staple"


@dataclass
class World:
    organisation: Organisation
    other: Organisation
    outsider: User
    other_owner: User
    members: dict[str, User] = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    def persona(self, name: str) -> User | None:
        if name == "anonymous":
            return None
        if name == "outsider":
            return self.outsider
        return self.members[name]


def make_user(email: str, name: str = "") -> User:
    user = User.objects.create_user(email=email, password=PASSWORD, name=name)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def build_world() -> World:
    organisation = Organisation.objects.create(
        slug="hansa-academy",
        name="Hansa Academy",
        kind=OrganisationKind.TRAINING,
        description="Adult education along the Baltic coast.",
        website="https://hansa.example.org",
        country="EE",
        city="Tallinn",
    )
    other = Organisation.objects.create(slug="porto-lab", name="Porto Lab", country="PT")
    world = World(
        organisation=organisation,
        other=other,
        outsider=make_user("outsider@example.net", "Olli Outsider"),
        other_owner=make_user("owner@porto.example.pt", "Beatriz Sousa"),
    )
    Membership.objects.create(organisation=other, user=world.other_owner, role=Role.OWNER)
    # The outsider owns another organisation: being an owner somewhere grants nothing here.
    Membership.objects.create(organisation=other, user=world.outsider, role=Role.ADMIN)
    for role in ROLES:
        user = make_user(f"{role}@hansa.example.org", f"{role.label} Person")
        Membership.objects.create(organisation=organisation, user=user, role=role)
        world.members[role] = user
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture
def w(world, db):
    """A fresh copy of the module's world for this test: tests may change or delete objects
    in memory (deleting clears their primary key) without affecting the next test."""
    users = User.objects.in_bulk(
        [world.outsider.pk, world.other_owner.pk] + [user.pk for user in world.members.values()]
    )
    organisations = Organisation.objects.in_bulk([world.organisation.pk, world.other.pk])
    return World(
        organisation=organisations[world.organisation.pk],
        other=organisations[world.other.pk],
        outsider=users[world.outsider.pk],
        other_owner=users[world.other_owner.pk],
        members={role: users[user.pk] for role, user in world.members.items()},
        extra=world.extra,
    )
