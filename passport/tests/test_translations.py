"""The passport's catalogues: complete, well-formed, compiled, and used by its pages."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext

from badgeeurope.tests import catalogue_checks

from .conftest import award_to

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
EXPECTED = {
    "fr": ("Mon passeport", "Lien de partage", "Accepter finalement"),
    "de": ("Mein Pass", "Freigabelink", "Doch annehmen"),
    "it": ("Il mio passaporto", "Link di condivisione", "Accetta comunque"),
    "es": ("Mi pasaporte", "Enlace para compartir", "Aceptar finalmente"),
    "fi": ("Oma passi", "Jakolinkki", "Hyväksy sittenkin"),
}
WAITING = {
    "fr": [(1, "1 badge attend votre réponse."), (2, "2 badges attendent votre réponse.")],
    "de": [(1, "1 Badge wartet auf Ihre Antwort."), (3, "3 Badges warten auf Ihre Antwort.")],
    "it": [(1, "1 badge attende la Sua risposta."), (3, "3 badge attendono la Sua risposta.")],
    "es": [(1, "1 insignia espera su respuesta."), (3, "3 insignias esperan su respuesta.")],
    "fi": [(1, "1 merkki odottaa vastaustasi."), (3, "3 merkkiä odottaa vastaustasi.")],
}


@pytest.fixture(autouse=True)
def restore_language():
    language = translation.get_language()
    yield
    translation.activate(language)


@pytest.mark.parametrize("language", catalogue_checks.LANGUAGES)
def test_catalogue_is_sound(language):
    catalogue_checks.assert_sound(LOCALE_DIR, language, min_entries=150)


def test_catalogues_translate_the_same_strings():
    catalogue_checks.assert_same_msgids(LOCALE_DIR)


@pytest.mark.parametrize("language", catalogue_checks.LANGUAGES)
def test_key_strings_in_each_language(language):
    keys = ("My passport", "Share link", "Accept after all")
    with translation.override(language):
        assert tuple(gettext(key) for key in keys) == EXPECTED[language]
        for count, expected in WAITING[language]:
            text = ngettext(
                "%(counter)s badge is waiting for your answer.",
                "%(counter)s badges are waiting for your answer.",
                count,
            )
            assert text % {"counter": count} == expected


def test_passport_page_in_french(client, w):
    award_to(w, "kadri.tamm@example.org")
    client.force_login(w.learner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    body = client.get(reverse("passport:list")).content.decode()
    assert "<title>Mon passeport" in body
    assert "1 badge attend votre réponse." in body
    assert "En attente de votre réponse" in body
    assert "Waiting for your answer" not in body
