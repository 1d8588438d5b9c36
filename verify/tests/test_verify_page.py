import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from issuing import services
from openbadges import baking

from .conftest import award_to

URL = "/verify/"


def post(client, **data):
    return client.post(URL, data)


def credential_text(award) -> str:
    return bytes(award.credential_json).decode()


def test_get_shows_the_form_to_anonymous_visitors(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert b'enctype="multipart/form-data"' in response.content
    assert reverse("verify:verify") == URL


def test_our_own_credential_pasted_is_valid_with_every_check_named(client, award):
    response = post(client, text=credential_text(award))
    assert response.status_code == 200
    result = response.context["result"]
    assert result["verdict"] == "valid"
    assert result["badge"]["name"] == "Digital Facilitator"
    assert result["badge"]["issuer_name"] == "Hansa Academy"
    ids = [row["id"] for row in result["checks"]]
    assert ids[:1] == ["input.parse"] and "proof" in ids and "status.revocation" in ids
    page = response.content.decode()
    assert "This badge is valid." in page
    assert "Signature" in page


def test_vc_jwt_and_baked_png_verify(client, award):
    jwt = client.get(f"/credentials/{award.public_id}.jwt").content.decode()
    assert post(client, text=jwt).context["result"]["verdict"] == "valid"
    from issuing.tests.conftest import png_bytes

    baked = baking.bake_png(png_bytes(), credential_text(award), ob3=True)
    upload = SimpleUploadedFile("badge.png", baked, content_type="image/png")
    response = client.post(URL, {"file": upload})
    result = response.context["result"]
    assert result["verdict"] == "valid"
    assert result["checks"][0]["id"] == "input.unbake"
    assert result["badge"]["picture"].startswith("data:image/png;base64,")


def test_recipient_email_matches_the_hashed_identity(client, award):
    good = post(client, text=credential_text(award), email="KADRI.TAMM@example.org")
    assert good.context["result"]["recipient"] == "passed"
    assert "issued to the email address given" in good.content.decode()
    bad = post(client, text=credential_text(award), email="someone@example.org")
    assert bad.context["result"]["recipient"] == "failed"
    # Whether it is somebody else's does not make the badge itself invalid.
    assert bad.context["result"]["verdict"] == "valid"


def test_revoked_badge_is_flagged_with_the_reason(client, issuer):
    award = award_to(issuer, "lea@example.org")
    services.award_revoke(actor=issuer[0], award=award, reason="Issued by mistake")
    award.refresh_from_db()
    result = post(client, text=credential_text(award)).context["result"]
    assert result["verdict"] == "revoked"
    row = next(r for r in result["checks"] if r["id"] == "status.revocation")
    assert row["outcome"] == "failed"
    assert row["explanation"] == "The issuer has revoked this badge."


def test_tampered_credential_fails_its_signature(client, award):
    document = json.loads(credential_text(award))
    document["credentialSubject"]["achievement"]["name"] = "Rocket Scientist"
    result = post(client, text=json.dumps(document)).context["result"]
    assert result["verdict"] == "invalid"
    row = next(r for r in result["checks"] if r["id"] == "proof")
    assert row["outcome"] == "failed"


def test_check_names_and_explanations_are_translated(client, award):
    response = client.post(URL, {"text": credential_text(award)}, HTTP_ACCEPT_LANGUAGE="de")
    page = response.content.decode()
    assert "Signatur" in page and "Nicht widerrufen" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose a badge file or paste"),
        ({"text": "{not json"}, "The text is not valid JSON."),
        ({"text": "hello"}, "This is not a badge"),
        ({"text": "eyJhbGciOiJub25lIn0.eyJ2YyI6e319."}, "This badge is not valid."),
    ],
)
def test_bad_input_gets_a_clear_answer(client, db, data, message):
    response = post(client, **data)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_file_and_text_together_are_refused(client, db):
    upload = SimpleUploadedFile("b.json", b"{}", content_type="application/json")
    response = client.post(URL, {"file": upload, "text": "{}"})
    assert "not both" in response.content.decode()
    assert "result" not in response.context


def test_post_needs_the_csrf_token(db):
    client = Client(enforce_csrf_checks=True)
    assert client.post(URL, {"text": "{}"}).status_code == 403


def test_throttle_per_address(client, db, settings):
    settings.VERIFY_THROTTLE = (2, 600)
    assert post(client, text="{}").status_code == 200
    assert post(client, text="{}").status_code == 200
    third = post(client, text="{}")
    assert third.status_code == 429
    assert "wait a few minutes" in third.content.decode()
    other = Client(REMOTE_ADDR="192.0.2.7")
    assert other.post(URL, {"text": "{}"}).status_code == 200


def test_our_own_urls_are_answered_in_process(client, award):
    from issuing import links

    for url in (links.credential_url(award.public_id), links.assertion_url(award.public_id)):
        result = post(client, text=url, email="kadri.tamm@example.org").context["result"]
        assert result["verdict"] == "valid", url
        assert result["recipient"] == "passed"
        assert result["checks"][0]["id"] == "input.fetch"


def test_a_private_address_is_not_visited(client, db):
    result = post(client, text="http://127.0.0.1:9/assertions/1").context["result"]
    assert result["verdict"] == "error"
    row = result["checks"][0]
    assert row["code"] == "fetch.address_refused"
    assert "private network" in row["explanation"]
