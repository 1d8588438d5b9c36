import csv
import io

import pytest
from django.urls import reverse

from accounts.models import Role
from audit.models import AuditEvent
from audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def url(organisation):
    return reverse("audit:organisation_log", args=[organisation.slug])


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN])
def test_owner_and_admin_see_the_log(client, url, members, recorded, role):
    client.force_login(members[role])
    response = client.get(url)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Member added" in content  # readable label of a known action
    assert "membership.created" in content
    assert "campaign.pledge_made" in content  # unknown action: the dotted name
    assert "secret_elsewhere" not in content


@pytest.mark.parametrize("role", [Role.DESIGNER, Role.AWARDER, Role.REVIEWER])
def test_members_without_view_audit_get_403(client, url, members, recorded, role):
    client.force_login(members[role])
    assert client.get(url).status_code == 403
    assert client.get(url, {"format": "csv"}).status_code == 403


def test_outsider_gets_404(client, url, outsider, recorded):
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert client.get(url, {"format": "csv"}).status_code == 404


def test_unknown_organisation_gets_404(client, owner):
    client.force_login(owner)
    assert client.get(reverse("audit:organisation_log", args=["no-such-org"])).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_owner_of_one_organisation_cannot_read_another(client, other_organisation, owner, recorded):
    client.force_login(owner)
    response = client.get(reverse("audit:organisation_log", args=[other_organisation.slug]))
    assert response.status_code == 404


def test_filters_narrow_the_table(client, url, owner, recorded):
    client.force_login(owner)
    response = client.get(url, {"action": "membership"})
    assert [event.action for event in response.context["page"]] == ["membership.created"]
    assert "1 event" in response.content.decode()


def test_filter_without_matches_says_so(client, url, owner, recorded):
    client.force_login(owner)
    content = client.get(url, {"actor": "nobody@example.org"}).content.decode()
    assert "No events match these filters." in content


def test_invalid_filters_show_a_translated_error_not_a_500(client, url, owner, recorded):
    client.force_login(owner)
    response = client.get(
        url,
        {"actor": "not an address", "since": "2026-05-02", "until": "2026-05-01"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 200
    assert list(response.context["page"]) == []
    assert "Saisissez une adresse de courriel valide." in response.content.decode()
    assert response.context["form"].non_field_errors()
    response = client.get(url, {"since": "yesterday"})
    assert response.status_code == 200
    assert "since" in response.context["form"].errors


def test_pagination_shows_fifty_per_page_and_keeps_filters(client, url, organisation, owner):
    for number in range(51):
        audit_record(
            actor=owner,
            action="organisation.updated",
            organisation=organisation,
            data={"n": number},
        )
    client.force_login(owner)
    first = client.get(url, {"action": "organisation"})
    assert len(first.context["page"].object_list) == 50
    assert "page=2" in first.content.decode()
    assert "action=organisation" in first.content.decode()
    second = client.get(url, {"action": "organisation", "page": 2})
    assert len(second.context["page"].object_list) == 1
    assert "Page 2 of 2" in second.content.decode()
    assert client.get(url, {"page": "many"}).status_code == 200


def test_csv_export_contains_the_filtered_log(client, url, organisation, owner, recorded):
    audit_record(
        actor=owner,
        action="organisation.updated",
        organisation=organisation,
        data={"name": '=HYPERLINK("http://evil.example")'},
    )
    client.force_login(owner)
    response = client.get(url, {"format": "csv", "action": "organisation."})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f"audit-{organisation.slug}-" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["When", "Who", "Action", "Action name"]
    assert sorted(row[3] for row in body) == ["organisation.updated", "organisation.updated"]
    assert all(row[1] == "owner@example.org" for row in body)
    assert not any(cell.startswith("=") for row in body for cell in row)
    assert AuditEvent.objects.filter(organisation=organisation).count() == 4


def test_empty_log_explains_itself(client, url, owner):
    client.force_login(owner)
    assert "Nothing has been recorded" in client.get(url).content.decode()


@pytest.mark.parametrize(
    ("language", "title", "label"),
    [
        ("fr", "Journal d’audit", "Membre ajouté"),
        ("de", "Änderungsprotokoll", "Mitglied hinzugefügt"),
        ("fi", "Tapahtumaloki", "Jäsen lisätty"),
    ],
)
def test_the_log_speaks_the_visitors_language(client, url, owner, recorded, language, title, label):
    client.force_login(owner)
    content = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f"<h1>{title}</h1>" in content
    assert label in content
