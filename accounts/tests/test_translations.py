"""The accounts app's catalogues: complete, well-formed, compiled, and actually used by pages."""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, ngettext

from accounts.models import Role

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = ["fr", "de", "it", "es", "fi"]
PLURAL_FORMS = {
    "fr": "nplurals=2; plural=(n > 1);",
    "de": "nplurals=2; plural=(n != 1);",
    "it": "nplurals=2; plural=(n != 1);",
    "es": "nplurals=2; plural=(n != 1);",
    "fi": "nplurals=2; plural=(n != 1);",
}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|<[^>]+>")

# A few words per language that a reader of that language must see, checked through Django's
# translation machinery rather than the files, so a missing or stale .mo fails here too.
EXPECTED = {
    "fr": {
        Role.OWNER: "Propriétaire",
        Role.ADMIN: "Administrateur",
        Role.DESIGNER: "Concepteur de badges",
        Role.AWARDER: "Attributeur",
        Role.REVIEWER: "Évaluateur",
        "Members": "Membres",
        "My organisations": "Mes organisations",
        "Account settings": "Paramètres du compte",
        "Two-factor authentication": "Authentification à deux facteurs",
        "Pending invitations": "Invitations en attente",
    },
    "de": {
        Role.OWNER: "Inhaber",
        Role.ADMIN: "Administrator",
        Role.DESIGNER: "Badge-Designer",
        Role.AWARDER: "Vergeber",
        Role.REVIEWER: "Prüfer",
        "Members": "Mitglieder",
        "My organisations": "Meine Organisationen",
        "Account settings": "Kontoeinstellungen",
        "Two-factor authentication": "Zwei-Faktor-Authentifizierung",
        "Pending invitations": "Ausstehende Einladungen",
    },
    "it": {
        Role.OWNER: "Proprietario",
        Role.ADMIN: "Amministratore",
        Role.DESIGNER: "Progettista di badge",
        Role.AWARDER: "Assegnatore",
        Role.REVIEWER: "Valutatore",
        "Members": "Membri",
        "My organisations": "Le mie organizzazioni",
        "Account settings": "Impostazioni dell’account",
        "Two-factor authentication": "Autenticazione a due fattori",
        "Pending invitations": "Inviti in attesa",
    },
    "es": {
        Role.OWNER: "Propietario",
        Role.ADMIN: "Administrador",
        Role.DESIGNER: "Diseñador de insignias",
        Role.AWARDER: "Otorgante",
        Role.REVIEWER: "Evaluador",
        "Members": "Miembros",
        "My organisations": "Mis organizaciones",
        "Account settings": "Ajustes de la cuenta",
        "Two-factor authentication": "Autenticación de dos factores",
        "Pending invitations": "Invitaciones pendientes",
    },
    "fi": {
        Role.OWNER: "Omistaja",
        Role.ADMIN: "Ylläpitäjä",
        Role.DESIGNER: "Merkkisuunnittelija",
        Role.AWARDER: "Myöntäjä",
        Role.REVIEWER: "Arvioija",
        "Members": "Jäsenet",
        "My organisations": "Omat organisaatiot",
        "Account settings": "Tilin asetukset",
        "Two-factor authentication": "Kaksivaiheinen tunnistautuminen",
        "Pending invitations": "Avoimet kutsut",
    },
}
# Words that are rightly spelt as in English.
SAME_AS_ENGLISH = {("de", Role.ADMIN)}
# The member count in every plural form the language has: (count, expected text).
MEMBER_COUNTS = {
    "fr": [(1, "1 membre"), (2, "2 membres")],
    "de": [(1, "1 Mitglied"), (5, "5 Mitglieder")],
    "it": [(1, "1 membro"), (5, "5 membri")],
    "es": [(1, "1 miembro"), (5, "5 miembros")],
    "fi": [(1, "1 jäsen"), (5, "5 jäsentä")],
}


@pytest.fixture(autouse=True)
def restore_language():
    """LocaleMiddleware activates the visitor's language in the test thread and leaves it
    active; later tests in the same process would otherwise run in Finnish."""
    language = translation.get_language()
    yield
    translation.activate(language)


def catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE_DIR / language / "LC_MESSAGES" / "django.po"))


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def test_every_site_language_but_english_has_a_catalogue():
    assert sorted(code for code, _ in settings.LANGUAGES if code != "en") == sorted(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_header(language):
    po = catalogue(language)
    assert not po.metadata_is_fuzzy
    assert po.metadata["Language"] == language
    assert po.metadata["Plural-Forms"] == PLURAL_FORMS[language]
    assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_is_complete(language):
    po = catalogue(language)
    assert len(po) > 150
    assert [entry.msgid for entry in po.untranslated_entries()] == []
    assert [entry.msgid for entry in po.fuzzy_entries()] == []
    assert [entry.msgid for entry in po.obsolete_entries()] == []
    for entry in po:
        if entry.msgid_plural:
            assert sorted(entry.msgstr_plural) == [0, 1], entry.msgid
            assert all(entry.msgstr_plural.values()), entry.msgid


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_keeps_placeholders_and_markup(language):
    for entry in catalogue(language):
        if entry.msgid_plural:
            for form, text in entry.msgstr_plural.items():
                source = entry.msgid if form == 0 else entry.msgid_plural
                assert placeholders(text) == placeholders(source), (entry.msgid, text)
        else:
            assert placeholders(entry.msgstr) == placeholders(entry.msgid), entry.msgid
            assert entry.msgstr.count("\n") == entry.msgid.count("\n"), entry.msgid


def test_catalogues_translate_the_same_strings():
    msgids = {language: {entry.msgid for entry in catalogue(language)} for language in LANGUAGES}
    assert all(ids == msgids["fr"] for ids in msgids.values())


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_the_source(language):
    """The .mo files are committed; one compiled from an older .po would serve old text."""
    po = catalogue(language)
    mo = polib.mofile(str(LOCALE_DIR / language / "LC_MESSAGES" / "django.mo"))

    def translations(entries):
        return {
            entry.msgid: (entry.msgstr, dict(entry.msgstr_plural))
            for entry in entries
            if entry.msgid
        }

    assert translations(mo) == translations(po.translated_entries())


@pytest.mark.parametrize("language", LANGUAGES)
def test_key_strings_are_translated_when_the_language_is_active(language):
    def text(key):
        return str(Role(key).label) if key in Role.values else gettext(key)

    with translation.override("en"):
        english = {key: text(key) for key in EXPECTED[language]}
    with translation.override(language):
        for key, expected in EXPECTED[language].items():
            assert text(key) == expected
            if (language, key) not in SAME_AS_ENGLISH:
                assert expected != english[key]
        for count, expected in MEMBER_COUNTS[language]:
            text = ngettext("%(counter)s member", "%(counter)s members", count)
            assert text % {"counter": count} == expected


@pytest.mark.parametrize(
    ("language", "title", "role", "count"),
    [
        ("de", "Mitglieder von Hansa Academy", "Inhaber", "5 Mitglieder"),
        ("fi", "Organisaation Hansa Academy jäsenet", "Omistaja", "5 jäsentä"),
        ("fr", "Membres de Hansa Academy", "Propriétaire", "5 membres"),
    ],
)
def test_members_page_in_the_visitors_language(client, w, language, title, role, count):
    client.force_login(w.members[Role.ADMIN])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    body = client.get("/o/hansa-academy/members/").content.decode()
    assert f"<title>{title}" in body
    assert f">{role}</span>" in body
    assert f">{count}</h2>" in body
    for english in ("Members of Hansa Academy", "Pending invitations", "Send invitation"):
        assert english not in body


def test_audit_log_link_is_marked_current_on_the_audit_page(client, w):
    client.force_login(w.members[Role.OWNER])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    link = '<a href="/o/hansa-academy/audit/" aria-current="page">Änderungsprotokoll</a>'
    assert link in client.get("/o/hansa-academy/audit/").content.decode()
    assert link not in client.get("/o/hansa-academy/members/").content.decode()
    assert 'href="/o/hansa-academy/audit/">Änderungsprotokoll</a>' in (
        client.get("/o/hansa-academy/members/").content.decode()
    )
