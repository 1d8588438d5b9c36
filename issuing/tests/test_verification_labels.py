from django.urls import reverse
from django.utils import translation

from issuing.verification import CHECK_LABELS
from openbadges.verify import CHECKS


def test_every_check_of_the_library_has_a_translated_name():
    assert set(CHECKS) <= set(CHECK_LABELS)
    with translation.override("de"):
        untranslated = [key for key, label in CHECK_LABELS.items() if str(label) == key]
        assert untranslated == []
        assert str(CHECK_LABELS["status.revocation"]) == "Nicht widerrufen"


def test_award_page_names_checks_in_the_visitors_language(client, award):
    url = reverse("issuing:award_detail", args=[award.public_id])
    page = client.get(url, HTTP_ACCEPT="text/html", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Signatur" in page
    assert "Nicht widerrufen" in page
    assert "<code>status.revocation</code>" not in page
    english = client.get(url, HTTP_ACCEPT="text/html", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Not revoked" in english
