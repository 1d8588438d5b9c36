"""Resending and withdrawing an invitation from the members page: the message the manager
sees after each, in their language, and the refusals shown instead of an error page."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from accounts import services
from accounts.models import Invitation, Role

INVITEE = "invitee@example.com"


@pytest.fixture
def invitation(w):
    invitation = Invitation(
        organisation=w.organisation,
        email=INVITEE,
        role=Role.DESIGNER,
        invited_by=w.members[Role.OWNER],
    )
    services._new_token(invitation)
    # Sent long enough ago that a resend is not refused as a double click.
    invitation.sent_at = timezone.now() - timedelta(hours=2)
    invitation.save()
    return invitation


def post(client, w, invitation, action, language="en"):
    client.force_login(w.members[Role.ADMIN])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    url = f"/o/{w.organisation.slug}/invitations/{invitation.public_id}/{action}/"
    return client.post(url, follow=True)


@pytest.mark.parametrize(
    ("action", "language", "message"),
    [
        ("resend", "en", f"The invitation has been sent again to {INVITEE}."),
        ("resend", "de", f"Die Einladung wurde erneut an {INVITEE} gesendet."),
        ("revoke", "en", f"The invitation to {INVITEE} has been withdrawn."),
        ("revoke", "fr", f"L’invitation envoyée à {INVITEE} a été retirée."),
    ],
)
def test_success_message_names_the_address(client, w, invitation, action, language, message):
    response = post(client, w, invitation, action, language)
    assert response.redirect_chain[-1][0] == f"/o/{w.organisation.slug}/members/"
    assert message in response.content.decode()
    invitation.refresh_from_db()
    if action == "resend":
        assert invitation.send_count == 2
    else:
        assert invitation.revoked_at is not None


def test_double_resend_is_refused_with_a_message(client, w, invitation):
    post(client, w, invitation, "resend")
    response = post(client, w, invitation, "resend")
    assert response.status_code == 200
    assert "sent less than a minute ago" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.send_count == 2


def test_withdrawing_an_answered_invitation_is_refused_with_a_message(client, w, invitation):
    Invitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now())
    response = post(client, w, invitation, "revoke")
    assert response.status_code == 200
    assert "This invitation has already been answered." in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
