"""Personas and a badge class for the issuing tests.

One organisation with a member in every role, an outsider (admin elsewhere), and a badge class
with a PNG image. Media files go to a temporary directory for the whole session.
"""

import io
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from accounts.models import Membership, Organisation, Role, User
from issuing import services

ROLES = [Role.OWNER, Role.ADMIN, Role.DESIGNER, Role.AWARDER, Role.REVIEWER]
SITE = "http://127.0.0.1:8000"


def png_bytes(size: int = 128, colour=(0, 82, 147, 255)) -> bytes:
    output = io.BytesIO()
    Image.new("RGBA", (size, size), colour).save(output, format="PNG")
    return output.getvalue()


SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128">'
    b'<circle cx="64" cy="64" r="60" fill="#003399"/></svg>'
)

BADGE_FIELDS = {
    "name": "Digital Facilitator",
    "description": "Runs inclusive online workshops for adult learners.",
    "criteria_narrative": "Facilitated **three** online workshops observed by a mentor.",
    "alignments": [
        {
            "targetName": "facilitate learning",
            "targetUrl": "http://data.europa.eu/esco/skill/7b5cce4d-c7fe-4119-b48f-70aa05661d72",
            "targetFramework": "ESCO",
            "targetType": "ext:ESCOSkill",
        }
    ],
    "tags": ["facilitation", "digital skills"],
    "achievement_type": "MicroCredential",
    "eqf_level": 5,
    "microcredential": {"workload_hours": 30, "ects_credits": 1, "assessment_type": "observation"},
    "translations": {"fr": {"name": "Facilitateur numérique"}},
}


@dataclass
class World:
    organisation: Organisation
    other: Organisation
    outsider: User
    members: dict[str, User] = field(default_factory=dict)


def make_user(email: str, name: str = "") -> User:
    user = User.objects.create_user(email=email, password="x", name=name)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


@pytest.fixture(scope="session", autouse=True)
def media_and_site(tmp_path_factory):
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"), SITE_URL=SITE):
        yield


@pytest.fixture
def w(db):
    organisation = Organisation.objects.create(
        slug="hansa-academy",
        name="Hansa Academy",
        description="Adult education along the Baltic coast.",
        website="https://hansa.example.org",
        email="badges@hansa.example.org",
    )
    other = Organisation.objects.create(slug="porto-lab", name="Porto Lab")
    world = World(organisation=organisation, other=other, outsider=make_user("out@example.net"))
    Membership.objects.create(organisation=other, user=world.outsider, role=Role.ADMIN)
    for role in ROLES:
        user = make_user(f"{role}@hansa.example.org", f"{role.label} Person")
        Membership.objects.create(organisation=organisation, user=user, role=role)
        world.members[role] = user
    return world


@pytest.fixture
def badge(w):
    return services.badge_class_create(
        actor=w.members[Role.DESIGNER],
        organisation=w.organisation,
        image=png_bytes(),
        **BADGE_FIELDS,
    )


@pytest.fixture
def award(w, badge):
    return services.award_create(
        actor=w.members[Role.AWARDER],
        badge_class=badge,
        recipient_email="Kadri.Tamm@Example.org ",
        recipient_name="Kadri Tamm",
        issued_at=timezone.now() - timedelta(days=30),
    )
