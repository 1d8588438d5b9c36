"""The passport's catalogues: complete, well-formed, compiled, and used by its pages."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from badgeeurope.tests import catalogue_checks
from passport.models import BadgeSource, BadgeState, PassportBadge

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


def _german(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    return client


def _german_badge_page(client, w) -> str:
    award_to(w, "kadri.tamm@example.org")
    _german(client, w.learner).get(reverse("passport:list"))  # brings the award in
    badge = w.learner.passport_badges.get()
    return client.get(reverse("passport:detail", args=[badge.public_id])).content.decode()


def test_import_page_in_german(client, w):
    body = _german(client, w.learner).get(reverse("passport:import")).content.decode()
    assert "Was Sie importieren können" in body
    assert "Badge prüfen" in body
    assert "What you can import" not in body
    assert "Verify the badge" not in body


def test_export_pages_in_german(client, w):
    _german(client, w.learner)
    body = client.get(reverse("passport_export:page")).content.decode()
    assert "Was das Archiv enthält" in body
    assert "Archiv herunterladen" in body
    assert "What the archive holds" not in body
    body = client.get(reverse("passport_export:import")).content.decode()
    assert "Archiv importieren" in body
    assert "Import an archive" not in body
    # The noun, not the issuing app's verb "Archivieren" (issuing's catalogue is read first).
    assert 'id="import-title">Archiv</h2>' in body


def test_archive_errors_in_german(client, w):
    _german(client, w.learner)
    body = client.post(reverse("passport_export:import")).content.decode()
    assert "Wählen Sie das zu importierende Archiv." in body


def test_evidence_slot_in_german(client, w):
    body = _german_badge_page(client, w)
    assert "Vom Lernenden hinzugefügt" in body
    assert "Nachweise hinzufügen" in body
    assert "Added by the learner" not in body


def test_check_table_in_german(client, w):
    """The check table explains each check in the page's language, as `/verify/` does; the
    library's English stays only as the technical detail."""
    body = _german_badge_page(client, w)
    assert "Die Signatur ist gültig: Das Badge ist unverändert" in body
    assert ">bestanden<" in body
    assert "Technisches Detail" in body
    assert "The signature is valid: the badge is unchanged" not in body
    # The owner's address was matched when the badge came in: no puzzling "no address given".
    assert "Es wurde keine E-Mail-Adresse zum Vergleich angegeben." not in body


def test_stored_report_of_an_imported_badge_in_german(client, w):
    """An imported badge shows its stored report; its failure is explained by code, and a
    malformed stored entry is left out rather than breaking the page."""
    badge = PassportBadge.objects.create(
        owner=w.learner,
        source=BadgeSource.IMPORTED,
        state=BadgeState.ACCEPTED,
        state_changed_at=timezone.now(),
        original=b"{}",
        original_format="json",
        name="Imported Badge",
        spec="ob3",
        verification_status="revoked",
        verification_report={
            "valid": False,
            "checks": [
                {"id": "proof", "outcome": "passed", "message": "The signature is valid."},
                {
                    "id": "status.revocation",
                    "outcome": "failed",
                    "message": "Revoked by the issuer.",
                    "code": "status.revoked",
                },
                "not a check",
                {"outcome": "failed"},
            ],
        },
    )
    body = _german(client, w.learner).get(reverse("passport:detail", args=[badge.public_id]))
    assert body.status_code == 200
    body = body.content.decode()
    assert "Der Aussteller hat dieses Badge widerrufen." in body
    assert ">nicht bestanden<" in body
    assert "The issuer has revoked this badge." not in body
    assert body.count('<th scope="row">') == 2
