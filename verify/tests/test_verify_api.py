import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from issuing.tests.conftest import png_bytes
from openbadges.baking import bake_png

API = "/verify/api"


def test_raw_json_body_gives_the_report_with_translated_checks(db, award):
    client = Client(enforce_csrf_checks=True)  # an API for other programs: no CSRF token
    body = bytes(award.credential_json)
    response = client.post(API, body, content_type="application/vc+ld+json")
    assert response.status_code == 200
    data = response.json()
    assert data["valid"] is True and data["verdict"] == "valid" and data["format"] == "ob3-di"
    assert data["summary"]["name"] == "Digital Facilitator"
    assert data["summary"]["issued_at"].endswith("+00:00")
    proof = next(c for c in data["checks"] if c["id"] == "proof")
    assert proof["label"] == "Signature" and proof["outcome"] == "passed"
    german = client.post(API, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="de")
    labels = [c["label"] for c in german.json()["checks"]]
    assert "Signatur" in labels


def test_raw_png_and_recipient_in_the_query(client, award):
    baked = bake_png(png_bytes(), bytes(award.credential_json).decode(), ob3=True)
    response = client.post(f"{API}?email=kadri.tamm@example.org", baked, content_type="image/png")
    recipient = next(c for c in response.json()["checks"] if c["id"] == "recipient")
    assert recipient["outcome"] == "passed"


def test_form_fields_work_too(client, award):
    upload = SimpleUploadedFile(
        "badge.jwt", client.get(f"/credentials/{award.public_id}.jwt").content
    )
    response = client.post(API, {"file": upload, "email": "nobody@example.org"})
    data = response.json()
    assert data["format"] == "ob3-jwt"
    assert next(c for c in data["checks"] if c["id"] == "recipient")["outcome"] == "failed"


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"data": b"", "content_type": "application/json"}, 400),
        ({"data": {}}, 400),
        ({"data": b"x" * (5 * 1024 * 1024 + 1), "content_type": "text/plain"}, 413),
    ],
)
def test_bad_requests_get_a_json_error(client, db, kwargs, status):
    response = client.post(API, **kwargs)
    assert response.status_code == status
    assert response.json()["error"]


def test_malformed_json_is_a_report_not_an_error(client, db):
    data = client.post(API, b"{oops", content_type="application/json").json()
    assert data["valid"] is False and data["verdict"] == "invalid"
    assert data["checks"][0]["explanation"] == "The text is not valid JSON."


def test_only_post_and_throttled(client, db, settings):
    assert client.get(API).status_code == 405
    settings.VERIFY_THROTTLE = (1, 600)
    assert client.post(API, b"{}", content_type="application/json").status_code == 200
    assert client.post(API, b"{}", content_type="application/json").status_code == 429
