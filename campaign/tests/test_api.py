"""The reporting API: token authentication, validation, idempotency, translated JSON errors."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from campaign import services
from campaign.models import ExternalReport, InitiativeCounter, InitiativeStatus, ReportToken

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(w):
    _row, token = services.report_token_create(
        actor=w.proposer, initiative=w.initiative, name="Moodle"
    )
    return token


def payload(**change):
    today = timezone.localdate()
    body = {
        "count": 120,
        "period_start": (today - timedelta(days=30)).isoformat(),
        "period_end": today.isoformat(),
        "system": "Moodle",
        "reference": "moodle-2026-11",
    }
    body.update(change)
    return body


def post(client, initiative, body, token=None, **headers):
    if token is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(
        reverse("campaign_api:reports", args=[initiative.public_id]),
        data=data,
        content_type="application/json",
        **headers,
    )


def test_token_is_stored_hashed_and_shown_once(w, token):
    row = ReportToken.objects.get(initiative=w.initiative)
    assert token.startswith("bei_") and len(token) > 40
    assert token not in row.digest and row.digest == services.token_digest(token)
    assert row.prefix == token[:12]


def test_report_is_created_then_idempotent(client, w, token, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = post(client, w.initiative, payload(), token)
    assert first.status_code == 201
    body = first.json()
    assert body["count"] == 120 and body["system"] == "Moodle"
    assert InitiativeCounter.objects.get(initiative=w.initiative).achieved_external == 120
    again = post(client, w.initiative, payload(), token)
    assert again.status_code == 200
    assert again.json()["id"] == body["id"]
    assert ExternalReport.objects.count() == 1
    conflict = post(client, w.initiative, payload(count=121), token)
    assert conflict.status_code == 409
    assert "other figures" in conflict.json()["error"]
    report = ExternalReport.objects.get()
    assert report.reported_by.name == "Moodle"
    event = AuditEvent.objects.get(action="external_report.received")
    assert event.data["token_name"] == "Moodle" and event.data["count"] == 120


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer ", "Bearer bei_wrong", "Basic dXNlcjpwYXNz", "bei_no_scheme"],
)
def test_without_a_valid_token_401(client, w, token, authorization):
    headers = {} if authorization is None else {"HTTP_AUTHORIZATION": authorization}
    response = post(client, w.initiative, payload(), **headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "error" in response.json()
    assert not ExternalReport.objects.exists()


def test_token_of_another_initiative_or_revoked_401(client, w, token):
    from campaign.models import Initiative

    other = Initiative.objects.create(
        slug="other",
        name="Other",
        description="x",
        kind="ngo",
        country="PT",
        status=InitiativeStatus.APPROVED,
        proposed_by=w.someone,
    )
    assert post(client, other, payload(), token).status_code == 401
    row = ReportToken.objects.get(initiative=w.initiative)
    services.report_token_revoke(actor=w.proposer, report_token=row)
    assert post(client, w.initiative, payload(), token).status_code == 401


def test_unknown_or_unapproved_initiative_404(client, w, token):
    w.initiative.status = InitiativeStatus.PROPOSED
    w.initiative.save()
    assert post(client, w.initiative, payload(), token).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (payload(count="12"), "count"),
        (payload(count=True), "count"),
        (payload(count=-1), "count"),
        (payload(count=10**12), "count"),
        (payload(period_start="yesterday"), "period_start"),
        (payload(period_start="2026-02-30"), "period_start"),
        (payload(period_end="2020-01-01", period_start="2021-01-01"), "period_end"),
        (payload(period_end="2999-01-01"), "period_end"),
        (payload(system=""), "system"),
        (payload(reference=None), "reference"),
        (payload(reference="r" * 201), "reference"),
        ({**payload(), "extra": 1}, "unknown"),
        ([1, 2, 3], ""),
    ],
)
def test_bad_fields_400(client, w, token, body, field):
    response = post(client, w.initiative, body, token)
    assert response.status_code == 400
    assert field in response.json()["fields"]


@pytest.mark.parametrize("body", ["{not json", "", b"\xff\xfe"])
def test_malformed_json_400(client, w, token, body):
    response = post(client, w.initiative, body, token)
    assert response.status_code == 400
    assert response.json()["error"]


def test_oversized_body_413(client, w, token):
    response = post(client, w.initiative, payload(system="x" * 20000), token)
    assert response.status_code == 413


def test_only_post(client, w, token):
    response = client.get(
        reverse("campaign_api:reports", args=[w.initiative.public_id]),
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_errors_in_the_callers_language(client, w, token):
    response = post(client, w.initiative, "{", token, HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 400
    assert response.json()["error"] == "Der Inhalt ist kein gültiges JSON."
    response = post(client, w.initiative, payload(), None, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 401
    assert "jeton" in response.json()["error"]


def test_reports_shown_separately_on_the_page(client, w, token, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post(client, w.initiative, payload(count=4321), token)
    page = client.get(reverse("campaign:detail", args=[w.initiative.slug])).content.decode()
    assert "Reported by connected systems" in page
    assert "4,321" in page
    assert "Plus 4,321 badges reported by connected systems" in page
