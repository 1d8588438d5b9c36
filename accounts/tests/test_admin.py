import pytest

from accounts import services
from accounts.models import Invitation, Membership, Role, User


@pytest.fixture
def staff_client(client, w):
    admin_user = User.objects.create_superuser(email="root@example.org", password="x")
    client.force_login(admin_user)
    return client


def test_admin_pages_render(staff_client, w):
    invitation = services.invitation_create(
        actor=w.members[Role.OWNER],
        organisation=w.organisation,
        email="x@example.com",
        role="admin",
    )
    membership = Membership.objects.filter(organisation=w.organisation).first()
    urls = [
        "/admin/accounts/user/",
        "/admin/accounts/user/add/",
        f"/admin/accounts/user/{w.outsider.pk}/change/",
        "/admin/accounts/organisation/",
        f"/admin/accounts/organisation/{w.organisation.pk}/change/",
        "/admin/accounts/membership/",
        f"/admin/accounts/membership/{membership.pk}/change/",
        "/admin/accounts/invitation/",
        f"/admin/accounts/invitation/{invitation.pk}/change/",
        "/admin/accounts/user/?q=hansa",
    ]
    for url in urls:
        assert staff_client.get(url).status_code == 200, url
    listing = staff_client.get("/admin/accounts/invitation/").content.decode()
    assert "x@example.com" in listing and "pending" in listing
    detail = staff_client.get(f"/admin/accounts/invitation/{invitation.pk}/change/")
    assert invitation.token not in detail.content.decode()
    assert staff_client.get("/admin/accounts/invitation/add/").status_code == 403


def test_admin_creates_user_with_email(staff_client, w):
    response = staff_client.post(
        "/admin/accounts/user/add/",
        {
            "email": "new.staff@example.org",
            "name": "New",
            "password1": "long enough pass 42",
            "password2": "long enough pass 42",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert User.objects.get(email="new.staff@example.org").check_password("long enough pass 42")


def test_admin_is_refused_to_members(client, w):
    client.force_login(w.members[Role.OWNER])
    assert client.get("/admin/accounts/invitation/").status_code == 302
    assert Invitation.objects.count() == 0
