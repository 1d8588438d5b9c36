"""The staff award pages through Django's test client: permissions, the award form end to end
(schema, our verifier, the independent JS verifier), duplicates, double submission,
retroactive dates, and revocation."""

import uuid
from datetime import timedelta

import orjson
import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from issuing import services
from issuing.models import Award, AwardSource
from notifications.models import AwardNotification
from openbadges import schema
from openbadges.tests.test_interop_node import error_text, requires_node, run_batch
from openbadges.verify import verify

from .conftest import BADGE_FIELDS, png_bytes
from .test_hosted import VERIFIER, ClientFetcher, path_of

AWARDERS = {Role.OWNER, Role.ADMIN, Role.AWARDER}


def person(w, who):
    return w.outsider if who == "outsider" else w.members[who]


def award_url(w, badge):
    return reverse("issuing_award:new", args=[w.organisation.slug, badge.public_id])


def form_data(**changes):
    data = {
        "recipient_type": "email",
        "recipient_identity": "aino.virtanen@example.fi",
        "recipient_name": "Aino Virtanen",
        "narrative": "Led **four** workshops.",
        "issued_on": timezone.localdate().isoformat(),
        "expires_on": "",
        "language": "en",
        "idempotency_key": str(uuid.uuid4()),
        "evidence-TOTAL_FORMS": "2",
        "evidence-INITIAL_FORMS": "0",
        "evidence-MIN_NUM_FORMS": "0",
        "evidence-MAX_NUM_FORMS": "20",
        "evidence-0-url": "https://portfolio.example.fi/aino",
        "evidence-0-name": "Workshop recordings",
        "evidence-0-description": "Four sessions, 90 minutes each.",
        "evidence-1-url": "",
        "evidence-1-name": "",
        "evidence-1-description": "",
    }
    data.update(changes)
    return data


def pages(w, badge, award):
    slug = w.organisation.slug
    return [
        reverse("issuing_award:new", args=[slug, badge.public_id]),
        reverse("issuing_award:list", args=[slug]),
        reverse("issuing_award:list", args=[slug]) + "?format=csv",
        reverse("issuing_award:detail", args=[slug, award.public_id]),
        reverse("issuing_award:statistics", args=[slug]),
    ]


@pytest.mark.parametrize("who", ["anonymous", "outsider", *Role.values])
def test_permission_matrix(client, w, badge, award, who):
    if who != "anonymous":
        client.force_login(person(w, who))
    for url in pages(w, badge, award):
        response = client.get(url)
        if who == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
        elif who == "outsider":
            assert response.status_code == 404, url
        elif who in AWARDERS:
            assert response.status_code == 200, url
        else:
            assert response.status_code == 403, url
    detail = reverse("issuing_award:detail", args=[w.organisation.slug, award.public_id])
    response = client.post(detail, {"reason": "Wrong person", "confirm": "on"})
    award.refresh_from_db()
    assert award.is_revoked == (who in AWARDERS)
    expected = {"anonymous": 302, "outsider": 404}.get(who, 302 if who in AWARDERS else 403)
    assert response.status_code == expected


def test_other_organisations_awards_and_badges_are_404(client, w, badge, award):
    client.force_login(w.outsider)
    other = w.other.slug
    assert client.get(f"/o/{other}/awards/{award.public_id}/").status_code == 404
    assert client.get(f"/o/{other}/badges/{badge.public_id}/award/").status_code == 404


def test_award_through_the_form_verifies_everywhere(client, w, badge):
    client.force_login(w.members[Role.AWARDER])
    page = client.get(award_url(w, badge))
    assert page.status_code == 200
    assert 'name="idempotency_key"' in page.text
    response = client.post(award_url(w, badge), form_data())
    assert response.status_code == 302
    award = Award.objects.get(recipient_identity="aino.virtanen@example.fi")
    assert response["Location"] == reverse(
        "issuing_award:detail", args=[w.organisation.slug, award.public_id]
    )
    assert award.source == AwardSource.UI
    assert award.recipient_name == "Aino Virtanen"
    assert award.evidence == [
        {
            "url": "https://portfolio.example.fi/aino",
            "name": "Workshop recordings",
            "description": "Four sessions, 90 minutes each.",
        }
    ]
    credential = orjson.loads(bytes(award.credential_json))
    schema.validate(credential, "achievementcredential")
    assert credential["evidence"][0]["id"] == "https://portfolio.example.fi/aino"
    assert credential["credentialSubject"]["narrative"] == "Led **four** workshops."
    served = client.get(f"/credentials/{award.public_id}", headers={"accept": VERIFIER})
    assert served.content == bytes(award.credential_json)
    report = verify(
        served.content.decode(),
        fetcher=ClientFetcher(client),
        expected_recipient="aino.virtanen@example.fi",
    )
    assert report.valid, [check.to_dict() for check in report.failures]
    detail = client.get(response["Location"])
    assert "aino.virtanen@example.fi" in detail.text
    assert "was awarded to Aino Virtanen" in detail.text


@requires_node
def test_award_through_the_form_verifies_with_the_independent_libraries(client, w):
    site = "https://badges.example.org"
    with override_settings(SITE_URL=site):
        badge = services.badge_class_create(
            actor=w.members[Role.DESIGNER],
            organisation=w.organisation,
            image=png_bytes(),
            **BADGE_FIELDS,
        )
        client.force_login(w.members[Role.AWARDER])
        assert client.post(award_url(w, badge), form_data()).status_code == 302
        award = Award.objects.get()
        credential = orjson.loads(bytes(award.credential_json))
        profile = w.organisation.issuer_profile
        did_document = client.get(f"/issuers/{profile.public_id}/did.json").json()
        list_url = credential["credentialStatus"]["statusListCredential"]
        documents = {
            did_document["id"]: did_document,
            list_url: client.get(path_of(list_url)).json(),
        }
        results = run_batch(
            [
                {"op": "verify-di", "credential": credential, "documents": documents},
                {
                    "op": "verify-jwt",
                    "token": client.get(f"/credentials/{award.public_id}.jwt").content.decode(),
                    "documents": documents,
                },
            ]
        )
    for result in results:
        assert result["verified"], error_text(result)


def test_double_submit_awards_once(client, w, badge):
    client.force_login(w.members[Role.AWARDER])
    data = form_data()
    first = client.post(award_url(w, badge), data)
    second = client.post(award_url(w, badge), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Award.objects.count() == 1


def test_each_form_render_has_a_new_key(client, w, badge):
    client.force_login(w.members[Role.AWARDER])
    keys = {
        client.get(award_url(w, badge)).context["form"]["idempotency_key"].value() for _ in range(2)
    }
    assert len(keys) == 2


def test_duplicate_refused_with_a_clear_message(client, w, badge, award):
    client.force_login(w.members[Role.AWARDER])
    response = client.post(
        award_url(w, badge), form_data(recipient_identity="kadri.tamm@example.org")
    )
    assert response.status_code == 200
    assert "kadri.tamm@example.org already has this badge." in response.text
    assert Award.objects.count() == 1


def test_duplicate_allowed_when_the_class_allows_it(client, w, badge, award):
    services.badge_class_update(
        actor=w.members[Role.DESIGNER], badge_class=badge, allow_duplicates=True
    )
    client.force_login(w.members[Role.AWARDER])
    response = client.post(
        award_url(w, badge), form_data(recipient_identity="kadri.tamm@example.org")
    )
    assert response.status_code == 302
    assert Award.objects.filter(recipient_identity="kadri.tamm@example.org").count() == 2


def test_retroactive_issue_date_and_expiry(client, w, badge):
    client.force_login(w.members[Role.AWARDER])
    issued = timezone.localdate() - timedelta(days=400)
    expires = issued + timedelta(days=365)
    response = client.post(
        award_url(w, badge),
        form_data(issued_on=issued.isoformat(), expires_on=expires.isoformat()),
    )
    assert response.status_code == 302
    award = Award.objects.get()
    assert timezone.localtime(award.issued_at).date() == issued
    assert timezone.localtime(award.expires_at).date() == expires
    credential = orjson.loads(bytes(award.credential_json))
    assert credential["validFrom"].startswith(award.issued_at.strftime("%Y-%m-%d"))
    assert "validUntil" in credential
    listing = client.get(reverse("issuing_award:list", args=[w.organisation.slug]))
    assert listing.context["page"].object_list[0].status == "expired"


def test_default_validity_applies_when_expiry_is_empty(client, w, badge):
    services.badge_class_update(
        actor=w.members[Role.DESIGNER], badge_class=badge, default_validity_days=30
    )
    client.force_login(w.members[Role.AWARDER])
    page = client.get(award_url(w, badge))
    assert "validity of 30 days" in page.text
    assert client.post(award_url(w, badge), form_data()).status_code == 302
    award = Award.objects.get()
    assert (award.expires_at - award.issued_at) == timedelta(days=30)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"issued_on": (timezone.localdate() + timedelta(days=2)).isoformat()},
            "issued_on",
            "The issue date cannot be in the future.",
        ),
        (
            {
                "issued_on": "2025-03-10",
                "expires_on": "2025-03-10",
            },
            "expires_on",
            "The expiry date must be after the issue date.",
        ),
        ({"recipient_identity": "not an email"}, "recipient_identity", "valid email address"),
        (
            {"recipient_type": "url", "recipient_identity": "ftp://x"},
            "recipient_identity",
            "https://",
        ),
        ({"issued_on": "31/31/2025"}, "issued_on", "Enter a valid date."),
        ({"evidence-0-url": "javascript:alert(1)"}, None, "Enter a valid URL."),
        ({"evidence-0-url": ""}, None, "Give the link this evidence points to."),
        ({"idempotency_key": "x"}, "idempotency_key", "UUID"),
    ],
)
def test_bad_input_gets_a_clear_message(client, w, badge, changes, field, message):
    client.force_login(w.members[Role.AWARDER])
    response = client.post(award_url(w, badge), form_data(**changes))
    assert response.status_code == 200
    assert message in response.text
    assert Award.objects.count() == 0
    if field:
        assert response.context["form"].errors[field]


def test_service_errors_are_shown_on_the_form(client, w, badge):
    client.force_login(w.members[Role.AWARDER])
    response = client.post(
        award_url(w, badge),
        form_data(recipient_type="telephone", recipient_identity="12345"),
    )
    assert response.status_code == 200
    assert "telephone number in international form" in response.text
    assert "The badge was not awarded" in response.text


def test_telephone_and_url_recipients(client, w, badge):
    client.force_login(w.members[Role.AWARDER])
    for kind, identity in [("telephone", "+358 40 123 4567"), ("url", "https://aino.example.fi")]:
        response = client.post(
            award_url(w, badge), form_data(recipient_type=kind, recipient_identity=identity)
        )
        assert response.status_code == 302, response.context["form"].errors
    assert set(Award.objects.values_list("recipient_type", "recipient_identity")) == {
        ("telephone", "+358401234567"),
        ("url", "https://aino.example.fi"),
    }


def test_archived_badge_cannot_be_awarded(client, w, badge):
    services.badge_class_archive(actor=w.members[Role.DESIGNER], badge_class=badge)
    client.force_login(w.members[Role.AWARDER])
    assert client.get(award_url(w, badge)).status_code == 404


def test_revocation_through_the_detail_page(client, w, award):
    client.force_login(w.members[Role.AWARDER])
    url = reverse("issuing_award:detail", args=[w.organisation.slug, award.public_id])
    page = client.get(url)
    assert "corrected by awarding the badge again" in page.text
    assert award.recipient_identity in page.text
    unconfirmed = client.post(url, {"reason": "Wrong person"})
    assert unconfirmed.status_code == 200 and not Award.objects.get(pk=award.pk).is_revoked
    no_reason = client.post(url, {"reason": "  ", "confirm": "on"})
    assert no_reason.status_code == 200 and "This field is required." in no_reason.text
    response = client.post(url, {"reason": "Awarded to the wrong person", "confirm": "on"})
    assert response.status_code == 302
    award.refresh_from_db()
    assert award.is_revoked and award.revocation_reason == "Awarded to the wrong person"
    assertion = client.get(f"/assertions/{award.public_id}", headers={"accept": VERIFIER})
    assert assertion.status_code == 410
    report = verify(bytes(award.credential_json).decode(), fetcher=ClientFetcher(client))
    assert not report.valid
    assert report.check("status.revocation").outcome == "failed"
    again = client.post(url, {"reason": "Twice", "confirm": "on"})
    assert again.status_code == 200
    assert Award.objects.get(pk=award.pk).revocation_reason == "Awarded to the wrong person"
    assert "This badge is revoked." in again.text
    assert 'name="reason"' not in again.text


def test_the_email_goes_out_in_the_chosen_language(
    client, w, badge, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(w.members[Role.AWARDER])
    page = client.get(award_url(w, badge))
    assert page.context["form"]["language"].value() == "en"  # the badge's language
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(award_url(w, badge), form_data(language="fr"))
    assert response.status_code == 302
    award = Award.objects.get()
    assert AwardNotification.objects.get(award=award).language == "fr"
    assert [message.to for message in mailoutbox] == [["aino.virtanen@example.fi"]]
    assert "vous a décerné le badge" in mailoutbox[0].subject
    detail = client.get(response["Location"])
    assert "Email to the recipient" in detail.text
    assert detail.context["email"].status == "sent"


def test_an_unknown_email_language_is_refused(client, w, badge):
    client.force_login(w.members[Role.AWARDER])
    response = client.post(award_url(w, badge), form_data(language="tlh"))
    assert response.status_code == 200
    assert response.context["form"].errors["language"]
    assert Award.objects.count() == 0
