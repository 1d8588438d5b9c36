"""Editing an initiative: who may, what they may change, the audit record, bad input."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from campaign import services
from campaign.models import Initiative, InitiativeStatus

from .conftest import png_bytes

pytestmark = pytest.mark.django_db


def form_data(initiative: Initiative, **changes) -> dict:
    data = {
        "name": initiative.name,
        "kind": initiative.kind,
        "language": initiative.language,
        "description": initiative.description,
        "country": initiative.country,
        "city": initiative.city,
        "latitude": str(initiative.latitude or ""),
        "longitude": str(initiative.longitude or ""),
        "website": initiative.website,
        "contact_name": initiative.contact_name,
        "contact_email": initiative.contact_email,
    }
    return {**data, **changes}


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 302),
        ("someone", 403),
        ("awarder", 403),
        ("other_admin", 403),
        ("proposer", 200),
        ("org_admin", 200),
        ("staff", 200),
    ],
)
def test_edit_page_permissions(client, w, who, status):
    w.initiative.organisations.add(w.organisation)
    if who:
        client.force_login(getattr(w, who))
    url = reverse("campaign:edit", args=[w.initiative.slug])
    assert client.get(url).status_code == status
    response = client.post(url, form_data(w.initiative, description="Changed."))
    assert response.status_code == (302 if status == 200 else status)
    w.initiative.refresh_from_db()
    assert (w.initiative.description == "Changed.") == (status == 200)


def test_proposer_edits_description_translations_location_logo_and_contact(client, w):
    client.force_login(w.proposer)
    url = reverse("campaign:edit", args=[w.initiative.slug])
    assert "Hansa Badges" in client.get(url).text
    response = client.post(
        url,
        form_data(
            w.initiative,
            description="Open badges for the whole Baltic coast.",
            translation_fr_name="Badges hanséatiques",
            translation_fr_description="Des badges pour la côte baltique.",
            city="Tartu",
            latitude="58.378025",
            longitude="26.728493",
            website="https://hansa.example.org",
            contact_name="Pia",
            contact_email="pia@example.org",
            logo=SimpleUploadedFile("logo.png", png_bytes(64), content_type="image/png"),
        ),
    )
    assert response.status_code == 302
    initiative = Initiative.objects.get(pk=w.initiative.pk)
    assert initiative.description == "Open badges for the whole Baltic coast."
    assert initiative.translations == {
        "fr": {"name": "Badges hanséatiques", "description": "Des badges pour la côte baltique."}
    }
    assert (initiative.city, initiative.latitude) == ("Tartu", Decimal("58.378025"))
    assert initiative.logo and initiative.contact_email == "pia@example.org"
    assert initiative.status == InitiativeStatus.APPROVED  # no new review
    event = AuditEvent.objects.get(action="initiative.updated")
    assert event.actor == w.proposer
    assert set(event.data["fields"]) >= {"description", "translations", "city", "logo"}
    assert event.data["location"]["from"]["city"] == "Tallinn"
    assert event.data["location"]["to"]["latitude"] == "58.378025"
    # The logo can be removed again.
    client.post(url, form_data(initiative, remove_logo="on"))
    assert not Initiative.objects.get(pk=initiative.pk).logo


def test_name_and_type_of_an_approved_initiative_are_for_platform_admins(client, w):
    with pytest.raises(ValidationError) as excinfo:
        services.initiative_update(actor=w.proposer, initiative=w.initiative, name="Other Name")
    assert "ask the platform administrators" in str(excinfo.value.message_dict["name"])
    # On the page the fields are read-only: a posted name is ignored.
    client.force_login(w.proposer)
    url = reverse("campaign:edit", args=[w.initiative.slug])
    client.post(url, form_data(w.initiative, name="Sneaky", description="New."))
    w.initiative.refresh_from_db()
    assert (w.initiative.name, w.initiative.description) == ("Hansa Badges", "New.")
    services.initiative_update(actor=w.staff, initiative=w.initiative, name="Hansa Open Badges")
    w.initiative.refresh_from_db()
    assert w.initiative.name == "Hansa Open Badges"
    assert w.initiative.slug == "hansa-badges"  # links stay valid


def test_a_proposal_may_still_be_renamed_by_its_proposer(w):
    w.initiative.status = InitiativeStatus.PROPOSED
    w.initiative.save(update_fields=["status"])
    services.initiative_update(actor=w.proposer, initiative=w.initiative, name="Baltic Badges")
    assert Initiative.objects.get(pk=w.initiative.pk).name == "Baltic Badges"


def test_bad_input_gets_clear_errors(client, w):
    client.force_login(w.proposer)
    url = reverse("campaign:edit", args=[w.initiative.slug])
    response = client.post(url, form_data(w.initiative, latitude="95", longitude="10"))
    assert response.status_code == 200
    assert "between -90 and 90" in response.text
    response = client.post(
        url,
        form_data(
            w.initiative,
            logo=SimpleUploadedFile("logo.png", b"not an image", content_type="image/png"),
        ),
    )
    assert response.status_code == 200
    assert "PNG or SVG" in response.text
    assert not AuditEvent.objects.filter(action="initiative.updated").exists()


def test_unchanged_form_records_nothing_and_withdrawn_initiatives_are_frozen(w):
    services.initiative_update(actor=w.proposer, initiative=w.initiative, city="Tallinn")
    assert not AuditEvent.objects.filter(action="initiative.updated").exists()
    services.initiative_withdraw(actor=w.proposer, initiative=w.initiative)
    with pytest.raises(ValidationError):
        services.initiative_update(actor=w.proposer, initiative=w.initiative, city="Tartu")
    with pytest.raises(PermissionDenied):
        services.initiative_update(actor=w.someone, initiative=w.initiative, city="Tartu")


def test_detail_page_links_managers_to_editing_and_everyone_to_the_map(client, w):
    url = reverse("campaign:detail", args=[w.initiative.slug])
    edit = reverse("campaign:edit", args=[w.initiative.slug])
    page = client.get(url).text
    assert reverse("europemap:map") in page and edit not in page
    client.force_login(w.someone)
    page = client.get(url).text
    assert edit not in page and reverse("campaign:support") in page
    client.force_login(w.proposer)
    assert edit in client.get(url).text


def test_a_description_in_a_language_the_site_does_not_speak_survives_an_edit(client, w):
    """The demo's initiatives are described in Estonian, Polish, Dutch…: the page must neither
    switch the language to English nor drop translations it shows no fields for."""
    w.initiative.language = "et"
    w.initiative.description = "Märgid Läänemere rannikule."
    w.initiative.translations = {
        "en": {"name": "Hansa Badges", "description": "Badges for the Baltic coast."},
        "lv": {"name": "Hanzas nozīmītes", "description": "Nozīmītes Baltijas krastam."},
    }
    w.initiative.save()
    client.force_login(w.proposer)
    url = reverse("campaign:edit", args=[w.initiative.slug])
    page = client.get(url)
    assert page.context["form"]["language"].value() == "et"
    assert '<option value="et" selected>' in page.text
    response = client.post(
        url,
        form_data(
            w.initiative,
            city="Tartu",
            translation_en_name="Hansa Badges",
            translation_en_description="Badges for the whole Baltic coast.",
        ),
    )
    assert response.status_code == 302
    initiative = Initiative.objects.get(pk=w.initiative.pk)
    assert initiative.language == "et"
    assert initiative.translations == {
        "en": {"name": "Hansa Badges", "description": "Badges for the whole Baltic coast."},
        "lv": {"name": "Hanzas nozīmītes", "description": "Nozīmītes Baltijas krastam."},
    }


def test_signed_in_people_reach_propose_and_support_from_the_account_menu(client, w):
    mine = reverse("campaign:mine")
    assert f'href="{mine}"' not in client.get(reverse("home")).text
    client.force_login(w.someone)
    assert f'href="{mine}"' in client.get(reverse("home")).text
    page = client.get(mine).text
    assert reverse("campaign:propose") in page and reverse("campaign:support") in page
