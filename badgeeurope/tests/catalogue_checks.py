"""Checks every app's translation catalogues must pass, shared by the apps' test_translations.py.

An app's test calls them per language with its own locale directory, e.g.

    @pytest.mark.parametrize("language", catalogue_checks.LANGUAGES)
    def test_catalogue_is_sound(language):
        catalogue_checks.assert_sound(LOCALE_DIR, language, min_entries=100)
"""

import re
from pathlib import Path

import polib
from django.conf import settings

LANGUAGES = ["fr", "de", "it", "es", "fi"]
PLURAL_FORMS = {
    "fr": "nplurals=2; plural=(n > 1);",
    "de": "nplurals=2; plural=(n != 1);",
    "it": "nplurals=2; plural=(n != 1);",
    "es": "nplurals=2; plural=(n != 1);",
    "fi": "nplurals=2; plural=(n != 1);",
}
# Python placeholders and HTML tags must survive translation unchanged.
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|<[^>]+>")


def catalogue(locale_dir: Path, language: str) -> polib.POFile:
    return polib.pofile(str(locale_dir / language / "LC_MESSAGES" / "django.po"))


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def assert_sound(locale_dir: Path, language: str, *, min_entries: int) -> None:
    """Header right, every entry translated (no fuzzy, no obsolete), placeholders and markup
    kept, and the committed .mo compiled from this very .po."""
    assert sorted(code for code, _name in settings.LANGUAGES if code != "en") == sorted(LANGUAGES)
    po = catalogue(locale_dir, language)
    assert not po.metadata_is_fuzzy
    assert po.metadata["Language"] == language
    assert po.metadata["Plural-Forms"] == PLURAL_FORMS[language]
    assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert len(po) >= min_entries
    assert [entry.msgid for entry in po.untranslated_entries()] == []
    assert [entry.msgid for entry in po.fuzzy_entries()] == []
    assert [entry.msgid for entry in po.obsolete_entries()] == []
    for entry in po:
        if entry.msgid_plural:
            assert sorted(entry.msgstr_plural) == [0, 1], entry.msgid
            for form, text in entry.msgstr_plural.items():
                assert text, entry.msgid
                source = entry.msgid if form == 0 else entry.msgid_plural
                assert _placeholders(text) == _placeholders(source), (entry.msgid, text)
        else:
            assert _placeholders(entry.msgstr) == _placeholders(entry.msgid), entry.msgid
            assert entry.msgstr.count("\n") == entry.msgid.count("\n"), entry.msgid

    mo = polib.mofile(str(locale_dir / language / "LC_MESSAGES" / "django.mo"))

    def translations(entries):
        return {
            (entry.msgctxt, entry.msgid): (entry.msgstr, dict(entry.msgstr_plural))
            for entry in entries
            if entry.msgid
        }

    assert translations(mo) == translations(po.translated_entries()), "compile the catalogue"


def assert_same_msgids(locale_dir: Path) -> None:
    """Every language translates the same messages (makemessages was run for all of them)."""
    msgids = {
        language: {entry.msgid for entry in catalogue(locale_dir, language)}
        for language in LANGUAGES
    }
    assert all(ids == msgids["fr"] for ids in msgids.values())
