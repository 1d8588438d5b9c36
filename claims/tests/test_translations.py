"""The claims catalogues: complete, placeholders intact, compiled and used by the pages."""

import re
from pathlib import Path

import polib
import pytest
from django.test import override_settings
from django.utils import translation
from django.utils.translation import gettext

from .test_claims import ask

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = ["fr", "de", "it", "es", "fi"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_is_complete_and_keeps_placeholders(language):
    catalogue = polib.pofile(str(LOCALE_DIR / language / "LC_MESSAGES" / "django.po"))
    assert catalogue.percent_translated() == 100
    assert not catalogue.fuzzy_entries()
    for entry in catalogue:
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for text in translations:
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(entry.msgid)), (
                entry.msgid
            )


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr", "Réclamer un badge"), ("de", "Ein Badge beanspruchen"), ("fi", "Lunasta merkki")],
)
def test_compiled_catalogue_is_used(language, expected):
    with translation.override(language):
        assert gettext("Claim a badge") == expected


@override_settings(CLAIM_LIMIT_PER_IP=0)
def test_throttle_message_in_the_visitors_language(client, w, claimable):
    response = ask(client, claimable, headers={"accept-language": "de"})
    assert response.status_code == 429
    assert "Aus Ihrem Netzwerk kamen zu viele Anfragen." in response.text
