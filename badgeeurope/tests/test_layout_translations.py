"""Every UI language is complete: no fuzzy or empty entries, and pages really change language."""

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != "en"]


def po_string(entry: str, keyword: str) -> str:
    """The text of one keyword (msgid, msgctxt) of an entry, joining continuation lines."""
    match = re.search(rf'^{keyword} ((?:"(?:[^"\\]|\\.)*"\n?)+)', entry, re.M)
    if match is None:
        return ""
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"', match.group(1))
    return "".join(parts).encode().decode("unicode_escape").encode("latin-1").decode()


class Missing(gettext.NullTranslations):
    """Fallback that marks a message the compiled catalogue does not contain."""

    MARK = "\x00missing"

    def gettext(self, message):
        return self.MARK

    def pgettext(self, context, message):
        return self.MARK


def po_entries(path: Path) -> list[str]:
    # Entries are separated by blank lines; the first one is the header.
    return [block for block in path.read_text().split("\n\n") if "msgid" in block][1:]


@pytest.mark.parametrize("language", TRANSLATED)
def test_catalogue_is_complete_and_compiled(language):
    po = LOCALE_DIR / language / "LC_MESSAGES" / "django.po"
    entries = po_entries(po)
    assert len(entries) > 50
    assert not [entry for entry in entries if "#, fuzzy" in entry]
    # An empty translation is `msgstr ""` not continued by a string on the next line.
    empty = [entry for entry in entries if re.search(r'^msgstr(\[\d+\])? ""(?!\n")', entry, re.M)]
    assert empty == []
    with po.with_suffix(".mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    compiled.add_fallback(Missing())
    for entry in entries:
        msgid = po_string(entry, "msgid")
        context = po_string(entry, "msgctxt")
        translated = compiled.pgettext(context, msgid) if context else compiled.gettext(msgid)
        assert translated != Missing.MARK, f"{msgid!r} is not in the compiled catalogue"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "skip_link", "home_heading"),
    [
        ("fr", "Aller au contenu principal", "Des Open Badges pour l’Europe"),
        ("de", "Zum Hauptinhalt springen", "Open Badges für Europa"),
        ("it", "Vai al contenuto principale", "Open Badges per l’Europa"),
        ("es", "Saltar al contenido principal", "Open Badges para Europa"),
        ("fi", "Siirry pääsisältöön", "Open Badges Euroopalle"),
    ],
)
def test_home_page_in_every_language(client, language, skip_link, home_heading):
    html = client.get("/", headers={"accept-language": language}).content.decode()
    assert f'<html lang="{language}"' in html
    assert skip_link in html
    assert f'<h1 id="hero-title">{home_heading}</h1>' in html
    assert "Skip to main content" not in html
    assert "What you can do here" not in html
