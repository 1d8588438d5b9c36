"""A small campaign for the map tests: public initiatives in three countries (one with real
awards), one without coordinates, one awaiting review and one whose name is a spreadsheet
formula. Counters are built by the campaign's own counting code, as in production."""

import io
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from accounts.models import Membership, Organisation, Role, User
from campaign import counting
from campaign.models import Initiative, InitiativeKind, InitiativeStatus, Pledge
from issuing import services as issuing

SITE = "http://127.0.0.1:8000"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The open-data files are cached per process; every test starts without them."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session", autouse=True)
def _media_and_site(tmp_path_factory):
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"), SITE_URL=SITE):
        yield


def png_bytes() -> bytes:
    output = io.BytesIO()
    Image.new("RGBA", (64, 64), (0, 82, 147, 255)).save(output, format="PNG")
    return output.getvalue()


def make_initiative(slug, name, kind, country, city, lat, lon, **extra) -> Initiative:
    return Initiative.objects.create(
        slug=slug,
        name=name,
        description=f"{name}: an initiative of the map tests.",
        kind=kind,
        country=country,
        city=city,
        latitude=None if lat is None else Decimal(str(lat)),
        longitude=None if lon is None else Decimal(str(lon)),
        status=extra.pop("status", InitiativeStatus.APPROVED),
        **extra,
    )


def pledge(initiative: Initiative, count: int, user: User) -> Pledge:
    today = timezone.localdate()
    return Pledge.objects.create(
        initiative=initiative,
        badge_count=count,
        starts_on=today - timedelta(days=400),
        deadline=today + timedelta(days=365),
        created_by=user,
    )


@dataclass
class Campaign:
    tallinn: Initiative
    lyon: Initiative
    madrid: Initiative
    unlocated: Initiative
    proposed: Initiative
    formula: Initiative
    organisation: Organisation
    admin: User


def build_campaign() -> Campaign:
    admin = User.objects.create_user(email="admin@hansa.example.org", password="x", name="Ada")
    EmailAddress.objects.create(user=admin, email=admin.email, verified=True, primary=True)
    organisation = Organisation.objects.create(slug="hansa-academy", name="Hansa Academy")
    Membership.objects.create(organisation=organisation, user=admin, role=Role.OWNER)
    world = Campaign(
        tallinn=make_initiative(
            "hansa-badges",
            "Hansa Badges",
            InitiativeKind.NETWORK,
            "EE",
            "Tallinn",
            59.436962,
            24.753574,
            language="et",
            translations={"fr": {"name": "Badges de la Hanse"}},
        ),
        lyon=make_initiative(
            "lyon-ecoles", "Écoles de Lyon", InitiativeKind.SCHOOL, "FR", "Lyon", 45.764, 4.8357
        ),
        madrid=make_initiative(
            "madrid-fp", "FP Madrid", InitiativeKind.VET, "ES", "Madrid", 40.4168, -3.7038
        ),
        unlocated=make_initiative(
            "no-place", "Nowhere Yet", InitiativeKind.NGO, "DE", "Berlin", None, None
        ),
        proposed=make_initiative(
            "waiting",
            "Waiting For Review",
            InitiativeKind.OTHER,
            "IT",
            "Roma",
            41.9,
            12.5,
            status=InitiativeStatus.PROPOSED,
        ),
        formula=make_initiative(
            "formula",
            '=HYPERLINK("http://evil.example")',
            InitiativeKind.OTHER,
            "FR",
            "-Paris",
            48.85,
            2.35,
        ),
        organisation=organisation,
        admin=admin,
    )
    world.tallinn.organisations.add(organisation)
    pledge(world.tallinn, 500, admin)
    pledge(world.lyon, 1200, admin)
    pledge(world.madrid, 300, admin)
    pledge(world.proposed, 99999, admin)
    badge = issuing.badge_class_create(
        actor=admin,
        organisation=organisation,
        image=png_bytes(),
        name="Harbour Guide",
        description="A badge of the map tests.",
        criteria_narrative="Guided a tour of the harbour.",
        translations={},
    )
    for number in range(3):
        issuing.award_create(
            actor=admin, badge_class=badge, recipient_email=f"learner{number}@example.net"
        )
    counting.counters_rebuild_all()
    return world


@pytest.fixture
def campaign(db, django_capture_on_commit_callbacks) -> Campaign:
    with django_capture_on_commit_callbacks(execute=True):
        return build_campaign()
