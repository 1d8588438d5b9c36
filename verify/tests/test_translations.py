"""The verify catalogues: complete and compiled, every check explanation translated, and the
public page and API in the visitor's language."""

from pathlib import Path

import pytest
from django.utils import translation

from badgeeurope.tests import catalogue_checks
from verify import explanations

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"

EXPECTED = {
    "fr": ("The issuer has revoked this badge.", "L’émetteur a révoqué ce badge."),
    "de": ("The issuer has revoked this badge.", "Der Aussteller hat dieses Badge widerrufen."),
    "it": ("The issuer has revoked this badge.", "L’emittente ha revocato questo badge."),
    "es": ("The issuer has revoked this badge.", "El emisor ha revocado esta insignia."),
    "fi": ("The issuer has revoked this badge.", "Myöntäjä on perunut tämän merkin."),
}


@pytest.mark.parametrize("language", catalogue_checks.LANGUAGES)
def test_catalogue_is_sound(language):
    catalogue_checks.assert_sound(LOCALE_DIR, language, min_entries=150)


def test_catalogues_translate_the_same_strings():
    catalogue_checks.assert_same_msgids(LOCALE_DIR)


@pytest.mark.parametrize("language", catalogue_checks.LANGUAGES)
def test_every_explanation_is_translated(language):
    texts = [
        text
        for table in (
            explanations.CODE_EXPLANATIONS,
            explanations.PASSED_EXPLANATIONS,
            explanations.FAILED_EXPLANATIONS,
            explanations.SKIPPED_EXPLANATIONS,
        )
        for text in table.values()
    ]
    with translation.override("en"):
        english = [str(text) for text in texts]
    with translation.override(language):
        translated = [str(text) for text in texts]
        revoked = str(explanations.CODE_EXPLANATIONS["status.revoked"])
    assert [e for e, t in zip(english, translated, strict=True) if e == t] == []
    assert (english[texts.index(explanations.CODE_EXPLANATIONS["status.revoked"])], revoked) == (
        EXPECTED[language]
    )


def test_the_page_speaks_the_visitors_language(client, award):
    page = client.post(
        "/verify/", {"text": bytes(award.credential_json).decode()}, HTTP_ACCEPT_LANGUAGE="it"
    ).content.decode()
    assert "Questo badge è valido." in page
    assert "La firma è valida" in page
    api = client.post(
        "/verify/api",
        bytes(award.credential_json),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="fi",
    ).json()
    proof = next(c for c in api["checks"] if c["id"] == "proof")
    assert proof["explanation"].startswith("Allekirjoitus on kelvollinen")
