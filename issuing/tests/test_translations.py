"""The issuing catalogues: complete, placeholders intact, compiled, used by the staff pages and by
the email that tells a recipient about their badge, in the recipient's language."""

from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, ngettext, pgettext

from accounts.models import Role
from badgeeurope.tests import catalogue_checks
from issuing import notifications
from notifications.models import AwardNotification

from .conftest import make_user

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = catalogue_checks.LANGUAGES

# Words a reader of each language must see, through Django's translation machinery, so a missing
# or stale .mo fails here too: a badge class page, the award form, the dashboard.
EXPECTED = {
    "fr": {
        "How to earn it": "Comment l'obtenir",
        "New badge class": "Nouveau modèle de badge",
        "Award the badge": "Attribuer le badge",
        "Revoke the badge": "Révoquer le badge",
        "Search and filter": "Rechercher et filtrer",
    },
    "de": {
        "How to earn it": "So erhalten Sie es",
        "New badge class": "Neue Badge-Vorlage",
        "Award the badge": "Badge vergeben",
        "Revoke the badge": "Badge widerrufen",
        "Search and filter": "Suchen und filtern",
    },
    "it": {
        "How to earn it": "Come ottenerlo",
        "New badge class": "Nuovo modello di badge",
        "Award the badge": "Assegna il badge",
        "Revoke the badge": "Revoca il badge",
        "Search and filter": "Cerca e filtra",
    },
    "es": {
        "How to earn it": "Cómo obtenerla",
        "New badge class": "Nuevo modelo de insignia",
        "Award the badge": "Otorgar la insignia",
        "Revoke the badge": "Revocar la insignia",
        "Search and filter": "Buscar y filtrar",
    },
    "fi": {
        "How to earn it": "Miten merkin saa",
        "New badge class": "Uusi merkkipohja",
        "Award the badge": "Myönnä merkki",
        "Revoke the badge": "Mitätöi merkki",
        "Search and filter": "Haku ja suodatus",
    },
}
AWARD_COUNTS = {
    "fr": [(1, "1 attribution"), (2, "2 attributions")],
    "de": [(1, "1 Vergabe"), (5, "5 Vergaben")],
    "it": [(1, "1 assegnazione"), (5, "5 assegnazioni")],
    "es": [(1, "1 concesión"), (5, "5 concesiones")],
    "fi": [(1, "1 myöntö"), (5, "5 myöntöä")],
}
# The award email in each language: its subject, a sentence of its body in the formal register
# where the language has one (Italian "Lei", Spanish "usted", German "Sie"), and the link labels.
EMAIL = {
    "fr": (
        "Hansa Academy vous a décerné le badge « Facilitateur numérique »",
        "Votre badge est un Open Badge",
        "Voir et vérifier votre badge",
    ),
    "de": (
        "Hansa Academy hat Ihnen das Badge „Digital Facilitator“ verliehen",
        "Ihr Badge ist ein Open Badge",
        "Badge ansehen und prüfen",
    ),
    "it": (
        "Hansa Academy Le ha assegnato il badge «Digital Facilitator»",
        "Il Suo badge è un Open Badge",
        "Visualizzi e verifichi il Suo badge",
    ),
    "es": (
        "Hansa Academy le ha otorgado la insignia «Digital Facilitator»",
        "Su insignia es un Open Badge",
        "Ver y verificar su insignia",
    ),
    "fi": (
        "Hansa Academy myönsi sinulle merkin ”Digital Facilitator”",
        "Merkkisi on Open Badge",
        "Katso ja tarkista merkkisi",
    ),
}
ENGLISH_EMAIL = ("awarded you the badge", "Your badge is an Open Badge", "View and verify")


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_is_sound(language):
    catalogue_checks.assert_sound(LOCALE_DIR, language, min_entries=400)


def test_catalogues_translate_the_same_strings():
    catalogue_checks.assert_same_msgids(LOCALE_DIR)


@pytest.mark.parametrize("language", LANGUAGES)
def test_key_strings_are_translated_when_the_language_is_active(language):
    with translation.override(language):
        for english, expected in EXPECTED[language].items():
            assert gettext(english) == expected
        for count, expected in AWARD_COUNTS[language]:
            text = ngettext("%(counter)s award", "%(counter)s awards", count)
            assert text % {"counter": count} == expected


@pytest.mark.parametrize(
    ("language", "achievement", "award"),
    [("fr", "Distinction", "Attribution"), ("de", "Auszeichnung", "Vergabe")],
)
def test_award_as_achievement_type_and_as_awarded_badge_differ(language, achievement, award):
    with translation.override(language):
        assert pgettext("achievement type", "Award") == achievement
        assert gettext("Award") == award


@pytest.mark.parametrize("language", LANGUAGES)
def test_award_email_in_the_recipients_language(award, language):
    notification, _created = AwardNotification.objects.get_or_create(award=award)
    notification.language = language
    message = notifications.award_email(notification, language, {})
    html = message.alternatives[0][0]
    subject, sentence, link = EMAIL[language]
    assert message.subject == subject
    assert message.extra_headers["Content-Language"] == language
    for body in (message.body, html):
        assert sentence in body
        assert "Hello Kadri Tamm," not in body
        for english in ENGLISH_EMAIL:
            assert english not in body
    assert link in html


def test_award_email_for_a_german_account_is_in_german(award):
    """No language chosen at award time: the recipient's account language decides."""
    user = make_user("kadri.tamm@example.org")
    user.language = "de"
    user.save(update_fields=["language"])
    notification, _created = AwardNotification.objects.get_or_create(award=award)
    notification.language = ""
    language = notifications.recipient_language(
        notification, notifications._account_languages([award.recipient_identity])
    )
    assert language == "de"
    message = notifications.award_email(notification, language, {})
    assert "Guten Tag Kadri Tamm," in message.body
    assert "hat Ihnen das Badge „Digital Facilitator“ verliehen." in message.body


@pytest.mark.parametrize(
    ("language", "path", "expected", "english"),
    [
        ("de", "awards/", ["Suchen und filtern", "Filter anwenden", "Badge vergeben"], "Awards"),
        ("fr", "awards/", ["Rechercher et filtrer", "Attribuer un badge"], "Search and filter"),
        ("de", "badges/", ["Neue Badge-Vorlage", "Badge-Vorlagen von Hansa Academy"], "New badge"),
        ("it", "badges/", ["Nuovo modello di badge"], "New badge class"),
    ],
)
def test_staff_pages_in_the_visitors_language(client, w, badge, language, path, expected, english):
    client.force_login(w.members[Role.OWNER])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    body = client.get(f"/o/{w.organisation.slug}/{path}").content.decode()
    for text in expected:
        assert text in body
    assert english not in body


@pytest.mark.parametrize(
    ("language", "help_text"),
    [("de", "PDF, Bild, Office-Dokument oder kurzes Video"), ("it", "PDF, immagine, documento")],
)
def test_award_form_help_texts_follow_the_language(client, w, badge, language, help_text):
    client.force_login(w.members[Role.AWARDER])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    body = client.get(f"/o/{w.organisation.slug}/badges/{badge.public_id}/award/").content.decode()
    assert help_text in body
    assert "office document or short video" not in body


def test_award_page_in_french(client, award):
    page = client.get(f"/awards/{award.public_id}", headers={"accept-language": "fr"})
    assert "Vérification" in page.content.decode()


NARROW_PAGES = ["badges/{badge}/", "badges/{badge}/award/", "awards/", "badges/{badge}/bulk/"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["de", "fr"])
def test_long_words_fit_a_narrow_screen(page, live_server, w, badge, language):
    """German and French labels are longer than English: at 360 px no page scrolls sideways
    and no button or heading sticks out of its box (tables scroll inside their own region)."""
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", w.members[Role.OWNER].email)
    page.fill("input[name=password]", "x")
    page.press("input[name=password]", "Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    for path in NARROW_PAGES:
        url = f"{live_server.url}/o/{w.organisation.slug}/{path.format(badge=badge.public_id)}"
        page.goto(url)
        assert page.get_attribute("html", "lang") == language
        sticking_out = page.evaluate(
            """() => {
                const out = [];
                if (document.documentElement.scrollWidth > window.innerWidth)
                    out.push('page is ' + document.documentElement.scrollWidth + ' px wide');
                const boxes = 'main .button, main button, main h1, main h2';
                for (const el of document.querySelectorAll(boxes)) {
                    if (el.closest('.table-wrap')) continue;
                    const box = el.getBoundingClientRect();
                    if (box.right > window.innerWidth || el.scrollWidth > el.clientWidth + 1)
                        out.push(el.textContent.trim());
                }
                return out;
            }"""
        )
        assert sticking_out == [], (path, sticking_out)
