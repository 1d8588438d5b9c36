import re

import pytest

from accounts.models import Organisation, User


def figure_values(html: str) -> list[str]:
    return re.findall(r'<span class="figure__value">([^<]+)</span>', html)


@pytest.mark.django_db
def test_home_page_renders(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Open Badges for Europe" in response.content


@pytest.mark.django_db
def test_home_figures_come_from_the_database(client):
    Organisation.objects.bulk_create(
        Organisation(slug=f"org-{number}", name=f"Organisation {number}") for number in range(4)
    )
    for number in range(7):
        User.objects.create_user(email=f"person{number}@example.org")
    User.objects.create_user(email="gone@example.org", is_active=False)

    html = client.get("/").content.decode()

    organisations, people, goal = figure_values(html)
    assert (organisations, people, goal) == ("4", "7", "1,000,000")
    assert "organisations on the platform" in html
    assert "people with an account" in html


@pytest.mark.django_db
def test_home_figures_use_singular_for_one(client):
    Organisation.objects.create(slug="solo", name="Solo")
    User.objects.create_user(email="solo@example.org")

    html = client.get("/").content.decode()

    assert figure_values(html)[:2] == ["1", "1"]
    assert "organisation on the platform" in html
    assert "person with an account" in html


@pytest.mark.django_db
def test_home_calls_to_action_follow_sign_in(client):
    anonymous = client.get("/").content.decode()
    assert 'href="/accounts/signup/"' in anonymous
    assert "Go to my organisations" not in anonymous

    client.force_login(User.objects.create_user(email="member@example.org"))
    signed_in = client.get("/").content.decode()
    assert "Go to my organisations" in signed_in
    assert "Create an account" not in signed_in


@pytest.mark.django_db
def test_healthz_reports_database_reachable(client):
    assert client.get("/healthz").json() == {"status": "ok"}
