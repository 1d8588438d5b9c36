"""The audit catalogues: complete and compiled, every known action has a label in every language,
and the log page shows them in the visitor's language."""

from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from audit.actions import ACTION_LABELS, action_label
from audit.services import audit_record
from badgeeurope.tests import catalogue_checks

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


@pytest.mark.parametrize("language", catalogue_checks.LANGUAGES)
def test_catalogue_is_sound(language):
    catalogue_checks.assert_sound(LOCALE_DIR, language, min_entries=50)


def test_catalogues_translate_the_same_strings():
    catalogue_checks.assert_same_msgids(LOCALE_DIR)


@pytest.mark.parametrize("language", catalogue_checks.LANGUAGES)
def test_every_action_label_is_translated(language):
    with translation.override("en"):
        english = {action: action_label(action) for action in ACTION_LABELS}
    with translation.override(language):
        untranslated = [
            action for action in ACTION_LABELS if action_label(action) == english[action]
        ]
    assert untranslated == []


@pytest.mark.parametrize(
    ("language", "label"),
    [
        ("de", "Massenvergabe bestätigt"),
        ("fr", "Attribution en masse confirmée"),
        ("it", "Assegnazione multipla confermata"),
        ("es", "Concesión masiva confirmada"),
        ("fi", "Joukkomyöntö vahvistettu"),
    ],
)
def test_log_page_in_the_visitors_language(client, organisation, owner, language, label):
    audit_record(
        actor=owner, action="bulk_award.confirmed", target=organisation, organisation=organisation
    )
    client.force_login(owner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    body = client.get(f"/o/{organisation.slug}/audit/").content.decode()
    assert label in body
    assert "Bulk award confirmed" not in body
