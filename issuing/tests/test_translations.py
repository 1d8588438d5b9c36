"""The issuing catalogues: complete, placeholders intact, compiled and used."""

import re
from pathlib import Path

import polib
import pytest
from django.utils import translation
from django.utils.translation import gettext

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = ["fr", "de", "it", "es", "fi"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_is_complete_and_keeps_placeholders(language):
    catalogue = polib.pofile(str(LOCALE_DIR / language / "LC_MESSAGES" / "django.po"))
    assert catalogue.percent_translated() == 100
    assert not catalogue.fuzzy_entries()
    for entry in catalogue:
        assert sorted(PLACEHOLDER.findall(entry.msgstr)) == sorted(
            PLACEHOLDER.findall(entry.msgid)
        ), entry.msgid


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr", "Comment l'obtenir"), ("de", "So erhalten Sie es"), ("fi", "Miten merkin saa")],
)
def test_compiled_catalogue_is_used(language, expected):
    with translation.override(language):
        assert gettext("How to earn it") == expected


def test_award_page_in_french(client, award):
    page = client.get(f"/awards/{award.public_id}", headers={"accept-language": "fr"})
    assert "Vérification" in page.content.decode()
