import pytest


@pytest.mark.django_db
def test_home_page_renders(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Open Badges for Europe" in response.content


@pytest.mark.django_db
def test_healthz_reports_database_reachable(client):
    assert client.get("/healthz").json() == {"status": "ok"}
