"""The map's catalogues: complete and compiled, and the map pages in the visitor's language."""

from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext, ngettext

from badgeeurope.tests import catalogue_checks

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"

EXPECTED = {
    "fr": ("Find initiatives", "Trouver des initiatives"),
    "de": ("Find initiatives", "Initiativen finden"),
    "it": ("Find initiatives", "Trovare iniziative"),
    "es": ("Find initiatives", "Buscar iniciativas"),
    "fi": ("Find initiatives", "Etsi aloitteita"),
}
MATCH_COUNTS = {
    "fr": [(1, "1 initiative correspond."), (4, "4 initiatives correspondent.")],
    "de": [(1, "1 Initiative entspricht."), (4, "4 Initiativen entsprechen.")],
    "it": [(1, "1 iniziativa corrisponde."), (4, "4 iniziative corrispondono.")],
    "es": [(1, "1 iniciativa coincide."), (4, "4 iniciativas coinciden.")],
    "fi": [(1, "1 aloite vastaa hakua."), (4, "4 aloitetta vastaa hakua.")],
}


@pytest.mark.parametrize("language", catalogue_checks.LANGUAGES)
def test_catalogue_is_sound(language):
    catalogue_checks.assert_sound(LOCALE_DIR, language, min_entries=60)


def test_catalogues_translate_the_same_strings():
    catalogue_checks.assert_same_msgids(LOCALE_DIR)


@pytest.mark.parametrize("language", catalogue_checks.LANGUAGES)
def test_key_strings_are_translated_when_the_language_is_active(language):
    english, expected = EXPECTED[language]
    with translation.override(language):
        assert gettext(english) == expected
        for count, text in MATCH_COUNTS[language]:
            message = ngettext(
                "%(figure)s initiative matches.", "%(figure)s initiatives match.", count
            )
            assert message % {"figure": count} == text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "phrases"),
    [
        ("de", ["Die Badge-Europe-Karte", "Initiativen verbunden — Zugesagt/Erreicht insgesamt"]),
        ("fr", ["La carte Badge Europe", "initiatives connectées — Total promis/atteint"]),
        ("it", ["La mappa Badge Europe", "iniziative collegate — Totale promessi/raggiunti"]),
    ],
)
def test_map_page_in_the_visitors_language(client, campaign, language, phrases):
    html = client.get("/map/", headers={"accept-language": language}).content.decode()
    for phrase in phrases:
        assert phrase in html
    # The marker labels handed to the script are translated too, placeholders intact.
    with translation.override(language):
        label = gettext("%%(count)s initiatives here: zoom in").replace("%%", "%")
    assert label.replace("%(count)s", "") != " initiatives here: zoom in"
    assert 'data-label-cluster="' + label.replace("'", "&#x27;") + '"' in html
