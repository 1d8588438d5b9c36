"""The evidence catalogues: complete, placeholders intact, compiled, and used by the pages."""

from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext

from badgeeurope.tests import catalogue_checks

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = catalogue_checks.LANGUAGES

EXPECTED = {
    "fr": {"My evidence": "Mes preuves", "Upload files": "Téléverser des fichiers"},
    "de": {"My evidence": "Meine Nachweise", "Upload files": "Dateien hochladen"},
    "it": {"My evidence": "Le mie prove", "Upload files": "Caricare file"},
    "es": {"My evidence": "Mis evidencias", "Upload files": "Subir archivos"},
    "fi": {"My evidence": "Omat näyttöni", "Upload files": "Lataa tiedostoja"},
}
FILE_COUNTS = {
    "fr": [(1, "1 fichier ajouté à votre bibliothèque."), (3, "3 fichiers ajoutés")],
    "de": [(1, "1 Datei zu Ihrer Sammlung"), (3, "3 Dateien zu Ihrer Sammlung")],
    "it": [(1, "1 file aggiunto alla Sua raccolta."), (3, "3 file aggiunti")],
    "es": [(1, "1 archivo añadido"), (3, "3 archivos añadidos")],
    "fi": [(1, "1 tiedosto lisätty"), (3, "3 tiedostoa lisätty")],
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_is_sound(language):
    catalogue_checks.assert_sound(LOCALE_DIR, language, min_entries=90)


def test_catalogues_translate_the_same_strings():
    catalogue_checks.assert_same_msgids(LOCALE_DIR)


@pytest.mark.parametrize("language", LANGUAGES)
def test_key_strings_are_translated_when_the_language_is_active(language):
    with translation.override(language):
        for english, expected in EXPECTED[language].items():
            assert gettext(english) == expected
        for count, expected in FILE_COUNTS[language]:
            text = ngettext(
                "%(count)s file added to your library.",
                "%(count)s files added to your library.",
                count,
            )
            assert expected in text % {"count": count}


@pytest.mark.django_db
def test_library_page_in_german(client, w):
    client.force_login(w.learner)
    body = client.get(reverse("evidence:library"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Meine Nachweise" in body and "Ihre Sammlung ist leer" in body
