"""The notifications catalogues (delivery statuses and the admin's field names): complete,
compiled, and used."""

from pathlib import Path

import pytest
from django.utils import translation

from badgeeurope.tests import catalogue_checks
from notifications.models import AwardNotification, NotificationStatus

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
STATUS_LABELS = {
    "fr": ["En attente", "Envoyé", "Échec", "Non envoyé"],
    "de": ["In der Warteschlange", "Gesendet", "Fehlgeschlagen", "Nicht gesendet"],
}


@pytest.mark.parametrize("language", catalogue_checks.LANGUAGES)
def test_catalogue_is_sound(language):
    catalogue_checks.assert_sound(LOCALE_DIR, language, min_entries=10)


def test_catalogues_translate_the_same_strings():
    catalogue_checks.assert_same_msgids(LOCALE_DIR)


@pytest.mark.parametrize("language", catalogue_checks.LANGUAGES)
def test_statuses_and_names_change_with_the_language(language):
    with translation.override("en"):
        english = [str(label) for label in NotificationStatus.labels]
        name = str(AwardNotification._meta.verbose_name_plural)
    with translation.override(language):
        translated = [str(label) for label in NotificationStatus.labels]
        assert all(a != b for a, b in zip(translated, english, strict=True))
        assert str(AwardNotification._meta.verbose_name_plural) != name
        if language in STATUS_LABELS:
            assert translated == STATUS_LABELS[language]
