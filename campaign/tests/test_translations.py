"""The campaign catalogues: complete and compiled, and pages and API errors in the visitor's
language."""

from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext

from badgeeurope.tests import catalogue_checks

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"

# Strings only the campaign translates: one that other catalogues share (the navigation's
# "Pledge your support") is rendered from whichever catalogue Django loads first.
EXPECTED = {
    "fr": ("My initiatives", "Mes initiatives"),
    "de": ("My initiatives", "Meine Initiativen"),
    "it": ("My initiatives", "Le mie iniziative"),
    "es": ("My initiatives", "Mis iniciativas"),
    "fi": ("My initiatives", "Omat aloitteet"),
}
BADGES = {
    "fr": [(1, "1 badge"), (4, "4 badges")],
    "de": [(1, "1 Badge"), (4, "4 Badges")],
    "it": [(1, "1 badge"), (4, "4 badge")],
    "es": [(1, "1 insignia"), (4, "4 insignias")],
    "fi": [(1, "1 merkki"), (4, "4 merkkiä")],
}


@pytest.mark.parametrize("language", catalogue_checks.LANGUAGES)
def test_catalogue_is_sound(language):
    catalogue_checks.assert_sound(LOCALE_DIR, language, min_entries=250)


def test_catalogues_translate_the_same_strings():
    catalogue_checks.assert_same_msgids(LOCALE_DIR)


@pytest.mark.parametrize("language", catalogue_checks.LANGUAGES)
def test_key_strings_are_translated_when_the_language_is_active(language):
    english, expected = EXPECTED[language]
    with translation.override(language):
        assert gettext(english) == expected
        for count, text in BADGES[language]:
            message = ngettext("%(count)s badge", "%(count)s badges", count)
            assert message % {"count": count} == text


@pytest.mark.django_db
def test_initiative_page_in_italian(client, w):
    page = client.get(
        reverse("campaign:detail", args=[w.initiative.slug]), HTTP_ACCEPT_LANGUAGE="it"
    ).content.decode()
    assert "Badge raggiunti al mese" in page
    assert "Segnalati da sistemi collegati" in page
    assert "Estonia" in page  # the country's name in Italian
