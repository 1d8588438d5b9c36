import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from accounts import services
from accounts.models import Invitation, Membership, Organisation, Role
from accounts.services import (
    invitation_accept,
    invitation_create,
    invitation_decline,
    invitation_resend,
    invitation_revoke,
    membership_change_role,
    membership_leave,
    membership_remove,
    organisation_create,
    organisation_delete,
    organisation_update,
)
from audit.models import AuditEvent

from .conftest import ROLES, make_user

MANAGERS = [Role.OWNER, Role.ADMIN]
NON_MANAGERS = [Role.DESIGNER, Role.AWARDER, Role.REVIEWER]


def events(organisation, action):
    return AuditEvent.objects.filter(organisation=organisation, action=action)


def membership(w, role):
    return Membership.objects.get(organisation=w.organisation, user=w.members[role])


def invite(w, email="new.person@example.com", role=Role.DESIGNER, actor=None):
    return invitation_create(
        actor=actor or w.members[Role.OWNER], organisation=w.organisation, email=email, role=role
    )


# Organisations


def test_creator_becomes_owner_and_creation_is_audited(w):
    organisation = organisation_create(
        actor=w.outsider, name=" Sisu Works ", slug="Sisu-Works", kind="employer", country="fi"
    )
    assert (organisation.name, organisation.slug, organisation.country) == (
        "Sisu Works",
        "sisu-works",
        "FI",
    )
    assert Membership.objects.get(organisation=organisation).role == Role.OWNER
    event = events(organisation, "organisation.created").get()
    assert event.actor == w.outsider


def test_create_refuses_taken_slug_bad_kind_and_anonymous(w):
    with pytest.raises(ValidationError) as error:
        organisation_create(actor=w.outsider, name="Copy", slug="hansa-academy")
    assert "slug" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        organisation_create(actor=w.outsider, name="Odd", slug="odd", kind="castle")
    assert "kind" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        organisation_create(actor=w.outsider, name="", slug="no name")
    assert {"name", "slug"} <= set(error.value.message_dict)
    with pytest.raises(PermissionDenied):
        organisation_create(actor=None, name="Ghost", slug="ghost")
    assert not Organisation.objects.filter(slug__in=["odd", "ghost"]).exists()


@pytest.mark.parametrize("role", MANAGERS)
def test_update_by_managers_records_changed_fields(w, role):
    organisation_update(
        actor=w.members[role],
        organisation=w.organisation,
        city="Tartu",
        description="Adult education along the Baltic coast.",
    )
    w.organisation.refresh_from_db()
    assert w.organisation.city == "Tartu"
    assert events(w.organisation, "organisation.updated").get().data == {"fields": ["city"]}


@pytest.mark.parametrize("role", NON_MANAGERS)
def test_update_refused_to_other_roles(w, role):
    with pytest.raises(PermissionDenied):
        organisation_update(actor=w.members[role], organisation=w.organisation, city="Narva")
    with pytest.raises(PermissionDenied):
        organisation_update(actor=w.outsider, organisation=w.organisation, city="Narva")
    w.organisation.refresh_from_db()
    assert w.organisation.city == "Tallinn"


def test_update_cannot_change_slug_and_validates(w):
    with pytest.raises(ValueError, match="slug"):
        organisation_update(actor=w.members[Role.OWNER], organisation=w.organisation, slug="x")
    with pytest.raises(ValidationError):
        organisation_update(
            actor=w.members[Role.OWNER], organisation=w.organisation, website="not a url"
        )


@pytest.mark.parametrize("role", [Role.ADMIN, *NON_MANAGERS])
def test_only_owner_deletes(w, role):
    with pytest.raises(PermissionDenied):
        organisation_delete(actor=w.members[role], organisation=w.organisation)
    assert Organisation.objects.filter(pk=w.organisation.pk).exists()


def test_owner_deletes_with_audit_record_kept(w):
    pk = w.organisation.pk
    organisation_delete(actor=w.members[Role.OWNER], organisation=w.organisation)
    assert not Organisation.objects.filter(pk=pk).exists()
    assert not Membership.objects.filter(organisation_id=pk).exists()
    event = AuditEvent.objects.get(action="organisation.deleted")
    assert event.target_label == "Hansa Academy"


# Invitations


@pytest.mark.parametrize("role", MANAGERS)
def test_managers_invite_and_email_is_sent_on_commit(
    w, role, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(w, email=" New.Person@Example.COM ", actor=w.members[role])
    assert invitation.email == "new.person@example.com"
    assert invitation.token == services.token_digest(invitation.raw_token)
    assert invitation.raw_token not in invitation.token
    expected_expiry = timezone.now() + timedelta(days=14)
    assert abs(invitation.expires_at - expected_expiry) < timedelta(minutes=1)
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["new.person@example.com"]
    assert "Hansa Academy" in message.subject
    link = f"http://127.0.0.1:8000/invitations/{invitation.raw_token}/"
    assert link in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and link in html
    assert events(w.organisation, "invitation.sent").get().data == {
        "email": "new.person@example.com",
        "role": Role.DESIGNER,
    }


def test_invitation_email_uses_inviters_language(w, mailoutbox, django_capture_on_commit_callbacks):
    with translation.override("de"), django_capture_on_commit_callbacks(execute=True):
        invite(w)
    # The language is recorded in the HTML document whatever the catalogue holds.
    assert '<html lang="de">' in mailoutbox[0].alternatives[0][0]


def test_email_not_sent_when_transaction_rolls_back(
    w, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invite(w)
    assert len(callbacks) == 1
    assert mailoutbox == []


@pytest.mark.parametrize("role", NON_MANAGERS)
def test_other_roles_and_outsiders_cannot_invite(w, role):
    for actor in [w.members[role], w.outsider, w.other_owner]:
        with pytest.raises(PermissionDenied):
            invite(w, actor=actor)
    assert not Invitation.objects.exists()


def test_only_owners_invite_owners(w):
    with pytest.raises(PermissionDenied, match="owner"):
        invite(w, role=Role.OWNER, actor=w.members[Role.ADMIN])
    assert invite(w, role=Role.OWNER).role == Role.OWNER


def test_invite_rejects_bad_input_and_members(w):
    with pytest.raises(ValidationError) as error:
        invite(w, email="not-an-address")
    assert "email" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        invite(w, role="emperor")
    assert "role" in error.value.message_dict
    with pytest.raises(ValidationError, match="already a member"):
        invite(w, email="REVIEWER@hansa.example.org")
    assert not Invitation.objects.exists()


def test_no_duplicate_pending_invitation(w):
    invite(w)
    with pytest.raises(ValidationError, match="pending invitation"):
        invite(w, email="NEW.PERSON@example.com", role=Role.AWARDER)
    assert Invitation.objects.count() == 1
    assert events(w.organisation, "invitation.sent").count() == 1


def test_expired_open_invitation_is_replaced(w):
    first = invite(w)
    Invitation.objects.filter(pk=first.pk).update(expires_at=timezone.now() - timedelta(days=1))
    second = invite(w)
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert list(Invitation.objects.open()) == [second]


def test_same_address_can_be_invited_by_two_organisations(w):
    invite(w)
    invitation_create(
        actor=w.other_owner, organisation=w.other, email="new.person@example.com", role="admin"
    )
    assert Invitation.objects.count() == 2


def test_accept_creates_membership_and_audit(w):
    invitation = invite(w, email="newcomer@example.com", role=Role.AWARDER)
    newcomer = make_user("newcomer@example.com")
    member = invitation_accept(user=newcomer, token=invitation.raw_token)
    assert (member.organisation, member.role) == (w.organisation, Role.AWARDER)
    invitation.refresh_from_db()
    assert invitation.accepted_by == newcomer and invitation.accepted_at is not None
    assert events(w.organisation, "invitation.accepted").count() == 1
    assert events(w.organisation, "membership.created").get().actor == newcomer
    # A double submit is harmless: same membership, no new records.
    assert invitation_accept(user=newcomer, token=invitation.raw_token) == member
    assert events(w.organisation, "invitation.accepted").count() == 1


def test_used_token_is_refused_to_someone_else(w):
    invitation = invite(w)
    invitation_accept(user=w.outsider, token=invitation.raw_token)
    with pytest.raises(ValidationError, match="already been used"):
        invitation_accept(user=w.other_owner, token=invitation.raw_token)
    assert not Membership.objects.filter(user=w.other_owner, organisation=w.organisation).exists()


def test_accept_after_leaving_does_not_readmit(w):
    invitation = invite(w)
    invitation_accept(user=w.outsider, token=invitation.raw_token)
    membership_leave(user=w.outsider, organisation=w.organisation)
    with pytest.raises(ValidationError, match="already been used"):
        invitation_accept(user=w.outsider, token=invitation.raw_token)


@pytest.mark.parametrize(
    ("current", "invited", "kept"),
    [
        (Role.REVIEWER, Role.ADMIN, Role.ADMIN),
        (Role.ADMIN, Role.REVIEWER, Role.ADMIN),
        (Role.AWARDER, Role.DESIGNER, Role.DESIGNER),
    ],
)
def test_member_accepting_keeps_higher_role(w, current, invited, kept):
    Membership.objects.create(organisation=w.organisation, user=w.outsider, role=current)
    invitation = Invitation(
        organisation=w.organisation, email="spare@example.com", role=invited, invited_by=None
    )
    token = services._new_token(invitation)
    invitation.save()
    member = invitation_accept(user=w.outsider, token=token)
    assert member.role == kept
    assert events(w.organisation, "membership.role_changed").count() == (current != kept)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"expires_at": timezone.now() - timedelta(seconds=1)}, "expired"),
        ({"revoked_at": timezone.now()}, "withdrawn"),
        ({"declined_at": timezone.now()}, "declined"),
    ],
)
def test_unusable_tokens_are_refused(w, change, message):
    invitation = invite(w)
    Invitation.objects.filter(pk=invitation.pk).update(**change)
    with pytest.raises(ValidationError, match=message):
        invitation_accept(user=w.outsider, token=invitation.raw_token)
    assert not Membership.objects.filter(user=w.outsider, organisation=w.organisation).exists()


@pytest.mark.parametrize("token", ["", "x", "a" * 43, "../../etc"])
def test_unknown_tokens_are_refused(w, token):
    invite(w)
    with pytest.raises(ValidationError, match="not valid"):
        invitation_accept(user=w.outsider, token=token)
    with pytest.raises(ValidationError, match="not valid"):
        invitation_decline(user=w.outsider, token=token)


def test_anonymous_cannot_accept(w):
    invitation = invite(w)
    with pytest.raises(PermissionDenied):
        invitation_accept(user=None, token=invitation.raw_token)


def test_decline_closes_invitation_idempotently(w):
    invitation = invite(w)
    invitation_decline(user=w.outsider, token=invitation.raw_token)
    invitation_decline(user=w.outsider, token=invitation.raw_token)
    assert events(w.organisation, "invitation.declined").count() == 1
    with pytest.raises(ValidationError, match="declined"):
        invitation_accept(user=w.outsider, token=invitation.raw_token)
    # The address may be invited again afterwards.
    invite(w)


def test_resend_issues_new_link_and_extends(w, mailoutbox, django_capture_on_commit_callbacks):
    invitation = invite(w)
    old_token = invitation.raw_token
    Invitation.objects.filter(pk=invitation.pk).update(
        sent_at=timezone.now() - timedelta(days=20), expires_at=timezone.now() - timedelta(days=6)
    )
    with django_capture_on_commit_callbacks(execute=True):
        resent = invitation_resend(actor=w.members[Role.ADMIN], invitation=invitation)
    assert resent.send_count == 2 and not resent.is_expired
    assert resent.raw_token in mailoutbox[0].body
    with pytest.raises(ValidationError, match="not valid"):
        invitation_accept(user=w.outsider, token=old_token)
    assert events(w.organisation, "invitation.resent").count() == 1
    # A second click right away sends nothing more.
    with pytest.raises(ValidationError, match="less than a minute"):
        invitation_resend(actor=w.members[Role.ADMIN], invitation=invitation)
    assert len(mailoutbox) == 1


def test_resend_and_revoke_permissions(w):
    invitation = invite(w)
    owner_invitation = invite(w, email="co-owner@example.com", role=Role.OWNER)
    for role in NON_MANAGERS:
        with pytest.raises(PermissionDenied):
            invitation_resend(actor=w.members[role], invitation=invitation)
        with pytest.raises(PermissionDenied):
            invitation_revoke(actor=w.members[role], invitation=invitation)
    with pytest.raises(PermissionDenied):
        invitation_revoke(actor=w.outsider, invitation=invitation)
    with pytest.raises(PermissionDenied):
        invitation_revoke(actor=w.members[Role.ADMIN], invitation=owner_invitation)
    with pytest.raises(PermissionDenied):
        invitation_resend(actor=w.members[Role.ADMIN], invitation=owner_invitation)
    assert Invitation.objects.open().count() == 2


def test_revoke_is_idempotent_and_blocks_accept(w):
    invitation = invite(w)
    invitation_revoke(actor=w.members[Role.ADMIN], invitation=invitation)
    invitation_revoke(actor=w.members[Role.ADMIN], invitation=invitation)
    assert events(w.organisation, "invitation.revoked").count() == 1
    with pytest.raises(ValidationError, match="withdrawn"):
        invitation_accept(user=w.outsider, token=invitation.raw_token)
    with pytest.raises(ValidationError):
        invitation_resend(actor=w.members[Role.ADMIN], invitation=invitation)


def test_cannot_revoke_answered_invitation(w):
    invitation = invite(w)
    invitation_accept(user=w.outsider, token=invitation.raw_token)
    with pytest.raises(ValidationError, match="answered"):
        invitation_revoke(actor=w.members[Role.OWNER], invitation=invitation)


# Memberships


@pytest.mark.parametrize("actor_role", MANAGERS)
@pytest.mark.parametrize("target", [Role.DESIGNER, Role.AWARDER, Role.REVIEWER])
def test_managers_change_roles(w, actor_role, target):
    changed = membership_change_role(
        actor=w.members[actor_role], membership=membership(w, target), role=Role.ADMIN
    )
    assert changed.role == Role.ADMIN
    event = events(w.organisation, "membership.role_changed").get()
    assert event.data == {"from": target, "to": Role.ADMIN}
    assert event.target_id == str(w.members[target].public_id)


@pytest.mark.parametrize("role", NON_MANAGERS)
def test_other_roles_cannot_change_or_remove(w, role):
    target = membership(w, Role.REVIEWER if role != Role.REVIEWER else Role.AWARDER)
    for actor in [w.members[role], w.outsider]:
        with pytest.raises(PermissionDenied):
            membership_change_role(actor=actor, membership=target, role=Role.ADMIN)
        with pytest.raises(PermissionDenied):
            membership_remove(actor=actor, membership=target)
    target.refresh_from_db()
    assert target.role in ROLES


def test_admin_cannot_grant_or_remove_owner(w):
    with pytest.raises(PermissionDenied):
        membership_change_role(
            actor=w.members[Role.ADMIN], membership=membership(w, Role.DESIGNER), role=Role.OWNER
        )
    with pytest.raises(PermissionDenied):
        membership_change_role(
            actor=w.members[Role.ADMIN], membership=membership(w, Role.OWNER), role=Role.ADMIN
        )
    with pytest.raises(PermissionDenied):
        membership_remove(actor=w.members[Role.ADMIN], membership=membership(w, Role.OWNER))
    assert membership(w, Role.OWNER).role == Role.OWNER
    assert membership(w, Role.DESIGNER).role == Role.DESIGNER


def test_owner_grants_owner_then_steps_down(w):
    owner = w.members[Role.OWNER]
    membership_change_role(actor=owner, membership=membership(w, Role.ADMIN), role=Role.OWNER)
    membership_change_role(actor=owner, membership=membership(w, Role.OWNER), role=Role.ADMIN)
    assert Membership.objects.get(user=owner, organisation=w.organisation).role == Role.ADMIN


def test_last_owner_cannot_be_demoted_removed_or_leave(w):
    owner = w.members[Role.OWNER]
    mine = membership(w, Role.OWNER)
    with pytest.raises(ValidationError, match="at least one owner"):
        membership_change_role(actor=owner, membership=mine, role=Role.ADMIN)
    with pytest.raises(ValidationError, match="at least one owner"):
        membership_remove(actor=owner, membership=mine)
    with pytest.raises(ValidationError, match="last owner"):
        membership_leave(user=owner, organisation=w.organisation)
    assert membership(w, Role.OWNER).role == Role.OWNER
    assert not AuditEvent.objects.filter(action__startswith="membership.").exists()


def test_remove_member_and_double_submit(w):
    target = membership(w, Role.AWARDER)
    membership_remove(actor=w.members[Role.ADMIN], membership=target)
    assert not Membership.objects.filter(pk=target.pk).exists()
    assert events(w.organisation, "membership.removed").get().data == {"role": Role.AWARDER}
    with pytest.raises(Membership.DoesNotExist):
        membership_remove(actor=w.members[Role.ADMIN], membership=target)


def test_change_to_same_role_writes_nothing(w):
    membership_change_role(
        actor=w.members[Role.OWNER], membership=membership(w, Role.ADMIN), role=Role.ADMIN
    )
    assert not events(w.organisation, "membership.role_changed").exists()


@pytest.mark.parametrize("role", [Role.ADMIN, *NON_MANAGERS])
def test_members_leave(w, role):
    membership_leave(user=w.members[role], organisation=w.organisation)
    assert not Membership.objects.filter(user=w.members[role], organisation=w.organisation)
    assert events(w.organisation, "membership.left").get().actor == w.members[role]
    with pytest.raises(ValidationError, match="not a member"):
        membership_leave(user=w.members[role], organisation=w.organisation)


def test_one_of_two_owners_may_leave(w):
    Membership.objects.filter(user=w.members[Role.ADMIN], organisation=w.organisation).update(
        role=Role.OWNER
    )
    membership_leave(user=w.members[Role.OWNER], organisation=w.organisation)
    assert membership(w, Role.ADMIN).role == Role.OWNER


# People


def test_profile_update(w):
    services.user_update_profile(user=w.outsider, name="  Olli  ", language="fi")
    w.outsider.refresh_from_db()
    assert (w.outsider.name, w.outsider.language) == ("Olli", "fi")
    assert AuditEvent.objects.get(action="user.profile_updated").actor == w.outsider
    with pytest.raises(ValidationError):
        services.user_update_profile(user=w.outsider, name="Olli", language="klingon")


def test_token_digest_is_stable_and_long():
    assert re.fullmatch(r"[0-9a-f]{64}", services.token_digest("abc"))


def test_database_refuses_a_second_open_invitation(w):
    """The last line of defence against two simultaneous submits of the invite form."""
    first = invite(w)
    duplicate = Invitation(
        organisation=w.organisation,
        email=first.email,
        role=Role.ADMIN,
        token=services.token_digest("other"),
        expires_at=first.expires_at,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_accept_without_link_needs_the_verified_invited_address(w):
    invitation = invite(w, email="olli@work.example.fi")
    with pytest.raises(ValidationError, match="not valid"):
        invitation_accept(user=w.outsider, invitation_id=invitation.public_id)
    address = w.outsider.emailaddress_set.create(email="Olli@Work.example.fi", verified=False)
    with pytest.raises(ValidationError, match="not valid"):
        invitation_decline(user=w.outsider, invitation_id=invitation.public_id)
    address.verified = True
    address.save()
    member = invitation_accept(user=w.outsider, invitation_id=invitation.public_id)
    assert member.role == Role.DESIGNER
    with pytest.raises(ValueError, match="token or its id"):
        invitation_accept(user=w.outsider)
