"""Personas for the passport tests: an issuing organisation with an awarder, learners with
verified addresses, and awards made to them.

Media files go to a temporary directory for the whole session; SITE_URL is fixed so that
credentials name the same site the in-process verifier answers for.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.test import override_settings
from django.utils import timezone

from accounts.models import Membership, Organisation, Role, User
from issuing import services as issuing_services
from issuing.tests.conftest import BADGE_FIELDS, png_bytes

SITE = "http://127.0.0.1:8000"


def make_user(email: str, name: str = "", *, verified: bool = True) -> User:
    user = User.objects.create_user(email=email, password="x", name=name)
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


@dataclass
class World:
    organisation: Organisation
    awarder: User
    learner: User
    other: User
    badge_class: object
    second_class: object


@pytest.fixture(scope="session", autouse=True)
def media_and_site(tmp_path_factory):
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"), SITE_URL=SITE):
        yield


@pytest.fixture
def w(db):
    organisation = Organisation.objects.create(
        slug="hansa-academy", name="Hansa Academy", website="https://hansa.example.org"
    )
    awarder = make_user("awarder@hansa.example.org", "Awarder Person")
    Membership.objects.create(organisation=organisation, user=awarder, role=Role.OWNER)
    badge_class = issuing_services.badge_class_create(
        actor=awarder, organisation=organisation, image=png_bytes(), **BADGE_FIELDS
    )
    second_class = issuing_services.badge_class_create(
        actor=awarder,
        organisation=organisation,
        image=png_bytes(colour=(200, 30, 30, 255)),
        **{**BADGE_FIELDS, "name": "Open Data Steward", "translations": {}},
    )
    return World(
        organisation=organisation,
        awarder=awarder,
        learner=make_user("kadri.tamm@example.org", "Kadri Tamm"),
        other=make_user("other@example.net", "Other Learner"),
        badge_class=badge_class,
        second_class=second_class,
    )


def award_to(w: World, email: str, *, badge_class=None, **fields):
    return issuing_services.award_create(
        actor=w.awarder,
        badge_class=badge_class or w.badge_class,
        recipient_email=email,
        recipient_name=fields.pop("recipient_name", "Kadri Tamm"),
        issued_at=fields.pop("issued_at", timezone.now() - timedelta(days=3)),
        **fields,
    )
