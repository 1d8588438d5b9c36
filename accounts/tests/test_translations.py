"""The accounts app's catalogues: complete, well-formed, compiled, and actually used by pages."""

from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, ngettext

from accounts.models import Role
from badgeeurope.tests import catalogue_checks

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = catalogue_checks.LANGUAGES
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


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_is_sound(language):
    catalogue_checks.assert_sound(LOCALE_DIR, language, min_entries=150)


def test_catalogues_translate_the_same_strings():
    catalogue_checks.assert_same_msgids(LOCALE_DIR)


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
