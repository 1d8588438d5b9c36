"""End-to-end flows through the pages: invitations by email, and allauth's sign-up, addresses,
password reset and two-factor sign-in."""

import re
import time
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal import auth as totp
from django.core.cache import cache
from django.utils import timezone

from accounts.models import Invitation, Membership, Role, User
from audit.models import AuditEvent

from .conftest import PASSWORD

# Invitation links use SITE_URL; allauth's links use the host of the request.
LINK = re.compile(r"https?://(?:127\.0\.0\.1:8000|testserver)(/[^\s\"<>]+)")


def link_in(message, contains: str) -> str:
    links = [link for link in LINK.findall(message.body) if contains in link]
    assert links, message.body
    return links[0]


def invite_by_page(client, w, email, role, django_capture_on_commit_callbacks):
    client.force_login(w.members[Role.ADMIN])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/o/hansa-academy/members/", {"email": email, "role": role})
    assert response.status_code == 302
    client.logout()


# Invitations


def test_invitation_from_page_to_membership_for_a_new_person(
    client, w, mailoutbox, django_capture_on_commit_callbacks
):
    invite_by_page(
        client, w, "mari.maasikas@example.ee", Role.AWARDER, django_capture_on_commit_callbacks
    )
    assert [message.to for message in mailoutbox] == [["mari.maasikas@example.ee"]]
    invitation_path = link_in(mailoutbox[0], "/invitations/")

    # Anonymous: the page names the organisation and role and offers sign-in and sign-up.
    page = client.get(invitation_path)
    body = page.content.decode()
    assert page.status_code == 200
    assert "Hansa Academy" in body and "Awarder" in body
    assert f"/accounts/signup/?next={invitation_path.replace('/', '%2F')}" in body
    assert client.post(invitation_path + "accept/").status_code == 302
    assert not Invitation.objects.get().accepted_at

    # Sign up with the invited address, verify it from the email, and land back on the page.
    mailoutbox.clear()
    response = client.post(
        f"/accounts/signup/?next={invitation_path}",
        {"email": "mari.maasikas@example.ee", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    confirm_path = link_in(mailoutbox[0], "/accounts/confirm-email/")
    response = client.post(confirm_path)
    assert response.status_code == 302
    assert response["Location"] == invitation_path

    page = client.get(invitation_path)
    assert b"Accept invitation" in page.content
    response = client.post(invitation_path + "accept/")
    assert response["Location"] == "/o/hansa-academy/"
    mari = User.objects.get(email="mari.maasikas@example.ee")
    assert Membership.objects.get(user=mari).role == Role.AWARDER
    assert "Welcome to Hansa Academy" in client.get("/o/hansa-academy/").content.decode()
    # Reloading and submitting again is harmless.
    assert client.post(invitation_path + "accept/")["Location"] == "/o/hansa-academy/"
    assert Membership.objects.filter(user=mari).count() == 1
    assert AuditEvent.objects.filter(action="invitation.accepted").count() == 1


def test_decline_from_page(client, w, mailoutbox, django_capture_on_commit_callbacks):
    invite_by_page(
        client, w, "outsider@example.net", Role.REVIEWER, django_capture_on_commit_callbacks
    )
    invitation_path = link_in(mailoutbox[0], "/invitations/")
    client.force_login(w.outsider)
    response = client.post(invitation_path + "decline/")
    assert response["Location"] == "/organisations/"
    assert Invitation.objects.get().declined_at is not None
    assert not Membership.objects.filter(user=w.outsider, organisation=w.organisation).exists()
    page = client.get(invitation_path)
    assert page.status_code == 410
    assert "declined" in page.content.decode()


@pytest.mark.parametrize(
    ("change", "text"),
    [
        ({"expires_at": timezone.now() - timedelta(minutes=1)}, "has expired"),
        ({"revoked_at": timezone.now()}, "withdrawn"),
        ({"accepted_at": timezone.now()}, "already been used"),
    ],
)
def test_unusable_invitation_pages_are_clear(
    client, w, mailoutbox, django_capture_on_commit_callbacks, change, text
):
    invite_by_page(client, w, "late@example.com", Role.DESIGNER, django_capture_on_commit_callbacks)
    invitation_path = link_in(mailoutbox[0], "/invitations/")
    Invitation.objects.update(**change)
    for user in [None, w.outsider]:
        if user:
            client.force_login(user)
        page = client.get(invitation_path)
        assert page.status_code == 410
        assert text in page.content.decode()
        assert b"Accept invitation" not in page.content
    response = client.post(invitation_path + "accept/", follow=True)
    assert text in response.content.decode()
    assert not Membership.objects.filter(user=w.outsider, organisation=w.organisation).exists()


@pytest.mark.parametrize("token", ["nonsense", "a" * 200, "%00"])
def test_unknown_invitation_link_is_a_clear_404(client, w, token):
    page = client.get(f"/invitations/{token}/")
    assert page.status_code == 404
    assert "not valid" in page.content.decode()
    client.force_login(w.outsider)
    response = client.post(f"/invitations/{token}/accept/", follow=True)
    assert "not valid" in response.content.decode()


def test_invite_form_errors_are_shown(client, w, django_capture_on_commit_callbacks):
    invite_by_page(
        client, w, "twice@example.com", Role.DESIGNER, django_capture_on_commit_callbacks
    )
    client.force_login(w.members[Role.ADMIN])
    cases = [
        ({"email": "twice@example.com", "role": Role.DESIGNER}, "pending invitation"),
        ({"email": "reviewer@hansa.example.org", "role": Role.DESIGNER}, "already a member"),
        ({"email": "not an address", "role": Role.DESIGNER}, "valid email address"),
        ({"email": "boss@example.com", "role": Role.OWNER}, "Select a valid choice"),
    ]
    for data, text in cases:
        response = client.post("/o/hansa-academy/members/", data)
        assert response.status_code == 200
        assert text in response.content.decode(), text
    assert Invitation.objects.count() == 1


def test_last_owner_sees_why_they_cannot_leave_or_step_down(client, w):
    owner = w.members[Role.OWNER]
    client.force_login(owner)
    response = client.post("/o/hansa-academy/leave/", follow=True)
    assert "last owner" in response.content.decode()
    response = client.post(
        f"/o/hansa-academy/members/{owner.public_id}/role/", {"role": "admin"}, follow=True
    )
    assert "at least one owner" in response.content.decode()
    response = client.post(f"/o/hansa-academy/members/{owner.public_id}/role/", {"role": "king"})
    assert response.status_code == 302
    assert Membership.objects.get(user=owner, organisation=w.organisation).role == Role.OWNER


def test_create_organisation_page(client, w):
    client.force_login(w.outsider)
    response = client.post(
        "/organisations/new/", {"name": "Hansa Copy", "slug": "hansa-academy", "kind": "issuer"}
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    response = client.post(
        "/organisations/new/",
        {"name": "Sisu Works", "slug": "Sisu-Works", "kind": "employer", "country": "f1"},
    )
    assert "two-letter country code" in response.content.decode()
    response = client.post(
        "/organisations/new/",
        {"name": "Sisu Works", "slug": "sisu-works", "kind": "employer", "country": "fi"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/o/sisu-works/"
    assert "You are its owner" in response.content.decode()
    listing = client.get("/organisations/").content.decode()
    assert "Sisu Works" in listing and "Porto Lab" in listing and "Hansa Academy" not in listing


def test_delete_needs_the_short_name(client, w):
    client.force_login(w.members[Role.OWNER])
    response = client.post("/o/hansa-academy/delete/", {"confirm": "Hansa Academy"})
    assert response.status_code == 200
    assert "not the short name" in response.content.decode()
    assert client.get("/o/hansa-academy/").status_code == 200


def test_account_settings_apply_language(client, w):
    client.force_login(w.outsider)
    response = client.post("/account/", {"name": "Olli Ulkopuolinen", "language": "de"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "de"
    page = client.get("/account/")
    assert page["Content-Language"] == "de"
    w.outsider.refresh_from_db()
    assert (w.outsider.name, w.outsider.language) == ("Olli Ulkopuolinen", "de")
    response = client.post("/account/", {"name": "Olli", "language": ""})
    assert response.cookies["django_language"]["max-age"] == 0
    response = client.post("/account/", {"name": "Olli", "language": "xx"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    body = client.get("/account/").content.decode()
    for url in ["/accounts/email/", "/accounts/password/change/", "/accounts/2fa/"]:
        assert url in body


# allauth


def test_sign_up_verify_and_sign_in(client, db, mailoutbox):
    response = client.post(
        "/accounts/signup/",
        {"email": "ana.ruiz@example.es", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session
    assert mailoutbox[0].to == ["ana.ruiz@example.es"]
    confirm_path = link_in(mailoutbox[0], "/accounts/confirm-email/")
    assert client.get(confirm_path).status_code == 200
    client.post(confirm_path)
    user = User.objects.get(email="ana.ruiz@example.es")
    assert int(client.session["_auth_user_id"]) == user.pk
    assert EmailAddress.objects.get(user=user).verified


def test_unverified_account_cannot_sign_in(client, db, mailoutbox):
    client.post(
        "/accounts/signup/",
        {"email": "ana.ruiz@example.es", "password1": PASSWORD, "password2": PASSWORD},
    )
    client.logout()
    response = client.post(
        "/accounts/login/", {"login": "ana.ruiz@example.es", "password": PASSWORD}
    )
    assert response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session


def test_second_address_is_verified_by_email(client, w, mailoutbox):
    client.force_login(w.outsider)
    response = client.post("/accounts/email/", {"email": "olli@work.example.fi", "action_add": ""})
    assert response.status_code == 302
    address = EmailAddress.objects.get(email="olli@work.example.fi")
    assert address.user == w.outsider and not address.verified
    assert mailoutbox[-1].to == ["olli@work.example.fi"]
    client.post(link_in(mailoutbox[-1], "/accounts/confirm-email/"))
    address.refresh_from_db()
    assert address.verified and not address.primary
    assert EmailAddress.objects.filter(user=w.outsider, verified=True).count() == 2


def test_password_reset_email(client, w, mailoutbox):
    response = client.post("/accounts/password/reset/", {"email": "outsider@example.net"})
    assert response.status_code == 302
    reset_path = link_in(mailoutbox[0], "/accounts/password/reset/key/")
    response = client.get(reset_path, follow=True)
    assert response.status_code == 200
    response = client.post(
        response.redirect_chain[-1][0],
        {"password1": "a new long passphrase", "password2": "a new long passphrase"},
    )
    assert response.status_code == 302
    w.outsider.refresh_from_db()
    assert w.outsider.check_password("a new long passphrase")


def _code(secret: str) -> str:
    counter = int(time.time()) // 30
    return totp.format_hotp_value(totp.hotp_value(secret, counter))


def test_totp_activation_and_sign_in_with_code(client, w, settings):
    # One step of tolerance, so that a 30-second boundary during the test cannot fail it.
    settings.MFA_TOTP_TOLERANCE = 1
    cache.clear()
    login = {"login": "outsider@example.net", "password": PASSWORD}
    client.post("/accounts/login/", login)
    assert client.get("/accounts/2fa/").status_code == 200
    # allauth asks for the password again before a security change.
    response = client.get("/accounts/2fa/totp/activate/")
    assert response["Location"].startswith("/accounts/reauthenticate/")
    client.post(response["Location"], {"password": PASSWORD})
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = client.session[totp.SECRET_SESSION_KEY]
    response = client.post("/accounts/2fa/totp/activate/", {"code": "000000"})
    assert not Authenticator.objects.filter(user=w.outsider).exists()
    response = client.post("/accounts/2fa/totp/activate/", {"code": _code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=w.outsider, type="totp").exists()

    client.logout()
    response = client.post("/accounts/login/", login)
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session
    client.post("/accounts/2fa/authenticate/", {"code": "123456"})
    assert "_auth_user_id" not in client.session
    client.post("/accounts/2fa/authenticate/", {"code": _code(secret)})
    assert int(client.session["_auth_user_id"]) == w.outsider.pk


def test_sign_in_restores_preferred_language(client, w):
    User.objects.filter(pk=w.outsider.pk).update(language="it")
    response = client.post(
        "/accounts/login/", {"login": "outsider@example.net", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "it"


def test_edit_errors_keep_the_saved_name_on_the_page(client, w):
    client.force_login(w.members[Role.ADMIN])
    response = client.post(
        "/o/hansa-academy/edit/", {"name": "", "kind": "training", "website": "nonsense"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "This field is required" in body and "Enter a valid URL" in body
    assert '<p class="eyebrow">Hansa Academy</p>' in body
    w.organisation.refresh_from_db()
    assert w.organisation.name == "Hansa Academy"


def test_description_length_is_limited(client, w):
    client.force_login(w.members[Role.OWNER])
    data = {"name": "Hansa Academy", "kind": "training", "description": "x" * 5001}
    response = client.post("/o/hansa-academy/edit/", data)
    assert "at most 5000 characters" in response.content.decode()


def test_invitation_page_warns_when_signed_in_with_another_address(
    client, w, mailoutbox, django_capture_on_commit_callbacks
):
    invite_by_page(
        client, w, "someone.else@example.com", Role.DESIGNER, django_capture_on_commit_callbacks
    )
    invitation_path = link_in(mailoutbox[0], "/invitations/")
    client.force_login(w.outsider)
    assert "but you are signed in as" in client.get(invitation_path).content.decode()
    EmailAddress.objects.create(user=w.outsider, email="Someone.Else@example.com", verified=True)
    assert "but you are signed in as" not in client.get(invitation_path).content.decode()


def test_anonymous_answer_leads_to_sign_in_and_back_to_the_invitation(client, w):
    for action in ["accept", "decline"]:
        response = client.post(f"/invitations/abc/{action}/")
        assert response["Location"] == "/accounts/login/?next=%2Finvitations%2Fabc%2F"


def test_invitations_for_my_verified_addresses_are_listed(
    client, w, django_capture_on_commit_callbacks
):
    invite_by_page(
        client, w, "olli@work.example.fi", Role.REVIEWER, django_capture_on_commit_callbacks
    )
    invite_by_page(
        client, w, "outsider@example.net", Role.AWARDER, django_capture_on_commit_callbacks
    )
    client.force_login(w.outsider)
    body = client.get("/organisations/").content.decode()
    assert "Invitations waiting for you" in body
    assert "outsider@example.net" in body and "olli@work.example.fi" not in body
    mine = Invitation.objects.get(email="outsider@example.net")
    other = Invitation.objects.get(email="olli@work.example.fi")
    # Someone else's invitation cannot be answered by its id.
    assert client.post(f"/organisations/invitations/{other.public_id}/accept/").status_code == 404
    response = client.post(f"/organisations/invitations/{mine.public_id}/accept/")
    assert response["Location"] == "/o/hansa-academy/"
    assert Membership.objects.get(user=w.outsider, organisation=w.organisation).role == Role.AWARDER
    assert "Invitations waiting for you" not in client.get("/organisations/").content.decode()
    # A second submit finds nothing left to answer.
    assert client.post(f"/organisations/invitations/{mine.public_id}/accept/").status_code == 404
    other.refresh_from_db()
    assert other.is_pending


def test_decline_a_listed_invitation(client, w, django_capture_on_commit_callbacks):
    invite_by_page(
        client, w, "outsider@example.net", Role.AWARDER, django_capture_on_commit_callbacks
    )
    client.force_login(w.outsider)
    invitation = Invitation.objects.get()
    response = client.post(f"/organisations/invitations/{invitation.public_id}/decline/")
    assert response["Location"] == "/organisations/"
    invitation.refresh_from_db()
    assert invitation.declined_at is not None
