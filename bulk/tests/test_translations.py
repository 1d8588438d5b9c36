"""The bulk catalogues: complete and compiled, and the upload and job pages in the visitor's
language (German, French, Italian, Spanish and Finnish awarders read them)."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext

from accounts.models import Role
from badgeeurope.tests import catalogue_checks

from .conftest import csv_text, csv_upload

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"

EXPECTED = {
    "fr": ("Upload and check", "Importer et vérifier"),
    "de": ("Upload and check", "Hochladen und prüfen"),
    "it": ("Upload and check", "Carica e controlla"),
    "es": ("Upload and check", "Subir y comprobar"),
    "fi": ("Upload and check", "Lataa ja tarkista"),
}
BADGE_COUNTS = {
    "fr": [(1, "Attribuer 1 badge"), (4, "Attribuer 4 badges")],
    "de": [(1, "1 Badge vergeben"), (4, "4 Badges vergeben")],
    "it": [(1, "Assegna 1 badge"), (4, "Assegna 4 badge")],
    "es": [(1, "Otorgar 1 insignia"), (4, "Otorgar 4 insignias")],
    "fi": [(1, "Myönnä 1 merkki"), (4, "Myönnä 4 merkkiä")],
}


@pytest.mark.parametrize("language", catalogue_checks.LANGUAGES)
def test_catalogue_is_sound(language):
    catalogue_checks.assert_sound(LOCALE_DIR, language, min_entries=100)


def test_catalogues_translate_the_same_strings():
    catalogue_checks.assert_same_msgids(LOCALE_DIR)


@pytest.mark.parametrize("language", catalogue_checks.LANGUAGES)
def test_key_strings_are_translated_when_the_language_is_active(language):
    english, expected = EXPECTED[language]
    with translation.override(language):
        assert gettext(english) == expected
        for count, text in BADGE_COUNTS[language]:
            message = ngettext("Award %(counter)s badge", "Award %(counter)s badges", count)
            assert message % {"counter": count} == text


@pytest.mark.parametrize(
    ("language", "expected", "english"),
    [
        (
            "de",
            ["Aus CSV-Datei vergeben", "Hochladen und prüfen", "Eine Zeile pro Empfänger."],
            "One row per recipient",
        ),
        (
            "fr",
            ["Attribuer depuis un fichier CSV", "Une ligne par destinataire."],
            "One row per recipient",
        ),
    ],
)
def test_upload_page_in_the_visitors_language(client, w, badge, language, expected, english):
    client.force_login(w.members[Role.AWARDER])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    url = reverse("bulk:upload", args=[w.organisation.slug, badge.public_id])
    body = client.get(url).content.decode()
    for text in expected:
        assert text in body
    assert english not in body


def test_job_page_and_row_errors_in_german(client, w, badge):
    client.force_login(w.members[Role.AWARDER])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    upload_url = reverse("bulk:upload", args=[w.organisation.slug, badge.public_id])
    data = csv_text(4) + "broken-address,Nobody,2026-01-15\n"
    response = client.post(upload_url, {"file": csv_upload(data, "lernende.csv")}, follow=True)
    body = response.content.decode()
    for text in (
        "Prüfen Sie die Zeilen und bestätigen Sie dann",
        "lernende.csv: 5 Zeilen",
        "4 Badges vergeben",
        "1 Zeile mit einem Problem",
        "broken-address ist keine gültige E-Mail-Adresse.",
        "kommagetrennt",
    ):
        assert text in body
    for english in ("Check the rows", "Award 4 badges", "is not a valid email address"):
        assert english not in body
