"""The campaign's pages render, take bad input without a 500, and show what they should."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaign import services
from campaign.models import Initiative, InitiativeStatus, Pledge

from .conftest import png_bytes

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Badges Baltic",
    "kind": "network",
    "language": "en",
    "description": "Badges of the Baltic coast.",
    "translation_language": "fr",
    "translation_name": "Badges de la Baltique",
    "translation_description": "Les badges de la côte baltique.",
    "country": "EE",
    "city": "Tallinn",
    "latitude": "59.436962",
    "longitude": "24.753574",
    "website": "https://baltic.example.org",
    "contact_name": "Pia",
    "contact_email": "pia@example.org",
}


def test_propose_through_the_form(client, w):
    client.force_login(w.org_admin)
    logo = SimpleUploadedFile("logo.png", png_bytes(80), content_type="image/png")
    response = client.post(
        reverse("campaign:propose"), {**FORM, "logo": logo, "organisations": [w.organisation.pk]}
    )
    initiative = Initiative.objects.get(name="Badges Baltic")
    assert response.status_code == 302
    assert response["Location"] == reverse("campaign:detail", args=[initiative.slug])
    assert initiative.translations == {
        "fr": {"name": "Badges de la Baltique", "description": "Les badges de la côte baltique."}
    }
    assert list(initiative.organisations.all()) == [w.organisation]
    page = client.get(response["Location"])
    assert "awaits review" in page.content.decode()
    logo_response = client.get(reverse("campaign:logo", args=[initiative.slug]))
    assert logo_response["Content-Type"] == "image/png"
    assert "sandbox" in logo_response["Content-Security-Policy"]
    mine = client.get(reverse("campaign:mine")).content.decode()
    assert "Badges Baltic" in mine and "Awaiting review" in mine


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"latitude": "123"}, "between -90 and 90"),
        ({"longitude": ""}, "both latitude and longitude"),
        ({"country": "ZZ"}, "Select a valid choice"),
        ({"name": ""}, "This field is required"),
        ({"translation_language": "en"}, "other than the description"),
        (
            {"logo": SimpleUploadedFile("x.png", b"GIF89a garbage", content_type="image/png")},
            "PNG or SVG",
        ),
        (
            {
                "logo": SimpleUploadedFile(
                    "x.svg", b"<svg><script/></svg>", content_type="image/svg+xml"
                )
            },
            "SVG",
        ),
        ({"logo": SimpleUploadedFile("big.png", b"0" * (2 * 1024 * 1024 + 1))}, "2 MB"),
    ],
)
def test_propose_bad_input_is_explained(client, w, change, message):
    client.force_login(w.someone)
    response = client.post(reverse("campaign:propose"), {**FORM, **change})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Initiative.objects.filter(name="Badges Baltic").exists()


def test_detail_page_shows_progress_chart_and_history(
    client, w, today, django_capture_on_commit_callbacks
):
    from issuing import services as issuing

    with django_capture_on_commit_callbacks(execute=True):
        w.initiative.organisations.add(w.organisation)
        old = services.pledge_create(
            actor=w.proposer,
            initiative=w.initiative,
            badge_count=4,
            starts_on=today - timedelta(days=30),
            deadline=today + timedelta(days=30),
        )
        services.pledge_create(
            actor=w.proposer,
            initiative=w.initiative,
            badge_count=8,
            starts_on=today - timedelta(days=30),
            deadline=today + timedelta(days=60),
            theme="Harbour skills",
            replaces=old,
        )
        issuing.award_create(
            actor=w.awarder, badge_class=w.badges[0], recipient_email="one@example.net"
        )
        issuing.award_create(
            actor=w.awarder, badge_class=w.badges[1], recipient_email="two@example.net"
        )
    response = client.get(reverse("campaign:detail", args=[w.initiative.slug]))
    page = response.content.decode()
    assert response.context["initiative"].achieved == 2
    assert response.context["percent"] == 25
    assert '<progress class="progress__bar" max="100" value="25"' in page
    assert "Harbour skills" in page and "Replaced" in page
    assert '<svg class="chart"' in page and "<table" in page
    assert reverse("issuing:badge_detail", args=[w.badges[0].public_id]) in page
    months = dict(response.context["months"])
    assert sum(months.values()) == 2


def test_description_in_the_visitors_language(client, w):
    w.initiative.translations = {
        "fr": {"name": "Badges hanséatiques", "description": "En français."}
    }
    w.initiative.save()
    url = reverse("campaign:detail", args=[w.initiative.slug])
    french = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Badges hanséatiques" in french and "En français." in french
    finnish = client.get(url, HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    assert "Hansa Badges" in finnish and "Badges for the Baltic coast." in finnish


def test_pledge_form_and_double_submit(client, w, today):
    w.initiative.organisations.add(w.organisation)
    client.force_login(w.org_admin)
    url = reverse("campaign:pledge", args=[w.initiative.slug])
    data = {
        "badge_count": "250",
        "starts_on": today.isoformat(),
        "deadline": (today + timedelta(days=90)).isoformat(),
        "organisation": w.organisation.pk,
        "badge_classes": [w.badges[0].pk],
    }
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    assert Pledge.objects.filter(initiative=w.initiative).count() == 1
    bad = client.post(url, {**data, "deadline": (today - timedelta(days=1)).isoformat()})
    assert bad.status_code == 200
    assert "must not be before the start" in bad.content.decode()
    bad = client.post(url, {**data, "badge_count": "-5"})
    assert bad.status_code == 200


def test_reject_needs_a_reason(client, w):
    w.initiative.status = InitiativeStatus.PROPOSED
    w.initiative.save()
    client.force_login(w.staff)
    url = reverse("campaign:review_decide", args=[w.initiative.slug])
    response = client.post(url, {"decision": "reject", "reason": ""})
    assert response.status_code == 200
    assert "Give the reason for the rejection." in response.content.decode()
    response = client.post(url, {"decision": "reject", "reason": "Duplicate of another."})
    assert response.status_code == 302
    client.force_login(w.proposer)
    page = client.get(reverse("campaign:mine")).content.decode()
    assert "Rejected" in page and "Duplicate of another." in page


def test_support_flow(client, w):
    client.force_login(w.other_admin)
    page = client.get(reverse("campaign:support")).content.decode()
    assert "Hansa Badges" in page and "New initiative with Porto Lab" in page
    response = client.post(
        reverse("campaign:support"),
        {"organisation": w.other.pk, "initiative": str(w.initiative.public_id), "message": "Hi"},
    )
    assert response.status_code == 302
    client.force_login(w.proposer)
    page = client.get(reverse("campaign:detail", args=[w.initiative.slug])).content.decode()
    assert "Requests to join" in page and "Porto Lab" in page
    client.force_login(w.someone)
    page = client.get(reverse("campaign:support")).content.decode()
    assert "Only administrators of an organisation" in page


def test_tokens_page_shows_the_token_once(client, w):
    client.force_login(w.proposer)
    url = reverse("campaign:tokens", args=[w.initiative.slug])
    response = client.post(url, {"name": "Moodle"})
    token = response.context["new_token"]
    assert token and token in response.content.decode()
    again = client.get(url).content.decode()
    assert token not in again and token[:12] in again


def test_unknown_initiative_404(client):
    assert client.get("/initiatives/no-such-thing/").status_code == 404
