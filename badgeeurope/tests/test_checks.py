import pytest
from django.core.checks import Tags, run_checks


def check_ids():
    return {
        message.id
        for message in run_checks(tags=[Tags.security])
        if message.id.startswith("badgeeurope.")
    }


def test_local_site_needs_no_configuration(settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    settings.SECRET_KEY_FROM_ENV = False
    assert check_ids() == set()


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"SECRET_KEY_FROM_ENV": False}, {"badgeeurope.E001"}),
        ({"DEBUG": True}, {"badgeeurope.E002"}),
        ({"SITE_URL": "http://badges.example.org"}, {"badgeeurope.E004"}),
        ({"SITE_URL": "badges.example.org"}, {"badgeeurope.E003"}),
    ],
)
def test_public_site_refuses_dangerous_settings(settings, overrides, expected):
    settings.SITE_URL = "https://badges.example.org"
    settings.SECRET_KEY_FROM_ENV = True
    settings.DEBUG = False
    for name, value in overrides.items():
        setattr(settings, name, value)
    assert check_ids() == expected


def test_safe_public_configuration_passes(settings):
    settings.SITE_URL = "https://badges.example.org"
    settings.SECRET_KEY_FROM_ENV = True
    settings.DEBUG = False
    assert check_ids() == set()
