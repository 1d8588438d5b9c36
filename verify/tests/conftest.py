"""Fixtures for the verifier: a badge awarded on this platform, and a clean throttle."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from accounts.models import Membership, Organisation, Role
from issuing import services
from issuing.tests.conftest import BADGE_FIELDS, SITE, make_user, png_bytes


@pytest.fixture(scope="session", autouse=True)
def media_and_site(tmp_path_factory):
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"), SITE_URL=SITE):
        yield


@pytest.fixture(autouse=True)
def _clear_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def issuer(db):
    organisation = Organisation.objects.create(
        slug="hansa-academy", name="Hansa Academy", website="https://hansa.example.org"
    )
    awarder = make_user("awarder@hansa.example.org", "Awarder")
    Membership.objects.create(organisation=organisation, user=awarder, role=Role.OWNER)
    badge = services.badge_class_create(
        actor=awarder, organisation=organisation, image=png_bytes(), **BADGE_FIELDS
    )
    return awarder, badge


def award_to(issuer, email, **kwargs):
    awarder, badge = issuer
    kwargs.setdefault("issued_at", timezone.now() - timedelta(days=30))
    return services.award_create(
        actor=awarder, badge_class=badge, recipient_email=email, recipient_name="", **kwargs
    )


@pytest.fixture
def award(issuer):
    return award_to(issuer, "kadri.tamm@example.org")
