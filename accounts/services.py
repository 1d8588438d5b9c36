"""Writes on people, organisations, memberships and invitations.

Every function checks the actor's permission itself (views are not trusted to), runs in one
transaction and leaves an audit record. Business-rule refusals raise a translated
`ValidationError`, missing permissions raise `PermissionDenied`.
"""

import hashlib
import secrets
from datetime import timedelta
from functools import partial

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from badgeeurope.tasks import send_email_message

from . import roles
from .models import Invitation, Membership, Organisation, OrganisationKind, Role, User
from .permissions import has_permission, require_permission

ORGANISATION_FIELDS = ("name", "kind", "description", "website", "email", "country", "city")
# A second resend within this delay is refused, so a double click sends one email, not two.
RESEND_MIN_INTERVAL = timedelta(minutes=1)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _require_signed_in(user) -> None:
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied(_("Please sign in first."))


# Organisations


@transaction.atomic
def organisation_create(
    *,
    actor: User,
    name: str,
    slug: str,
    kind: str = OrganisationKind.ISSUER,
    description: str = "",
    website: str = "",
    email: str = "",
    country: str = "",
    city: str = "",
) -> Organisation:
    """Create an organisation; its creator becomes its first owner."""
    _require_signed_in(actor)
    organisation = Organisation(
        name=name.strip(),
        slug=slug.strip().lower(),
        kind=kind,
        description=description.strip(),
        website=website.strip(),
        email=email.strip(),
        country=country.strip().upper(),
        city=city.strip(),
    )
    organisation.full_clean()
    try:
        with transaction.atomic():
            organisation.save()
    except IntegrityError as error:
        # Two people chose the same short name at the same moment.
        raise ValidationError(
            {"slug": _("This short name is already taken. Please choose another one.")}
        ) from error
    Membership.objects.create(organisation=organisation, user=actor, role=Role.OWNER)
    audit_record(
        actor=actor,
        action="organisation.created",
        target=organisation,
        organisation=organisation,
        data={"slug": organisation.slug, "kind": organisation.kind},
    )
    return organisation


@transaction.atomic
def organisation_update(*, actor: User, organisation: Organisation, **fields) -> Organisation:
    """Change the profile. The short name is part of public URLs and never changes."""
    require_permission(actor, organisation, roles.CHANGE)
    unknown = set(fields) - set(ORGANISATION_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
    changed = []
    for field, value in fields.items():
        value = value.strip() if isinstance(value, str) else value
        if field == "country":
            value = value.upper()
        if getattr(organisation, field) != value:
            setattr(organisation, field, value)
            changed.append(field)
    if not changed:
        return organisation
    organisation.full_clean()
    organisation.save()
    audit_record(
        actor=actor,
        action="organisation.updated",
        target=organisation,
        organisation=organisation,
        data={"fields": changed},
    )
    return organisation


@transaction.atomic
def organisation_delete(*, actor: User, organisation: Organisation) -> None:
    require_permission(actor, organisation, roles.DELETE)
    audit_record(
        actor=actor,
        action="organisation.deleted",
        target=organisation,
        organisation=organisation,
        data={"slug": organisation.slug, "name": organisation.name},
    )
    try:
        with transaction.atomic():
            organisation.delete()
    except (ProtectedError, RestrictedError) as error:
        # Issued badges and other records must outlive no organisation silently.
        raise ValidationError(
            _(
                "This organisation cannot be deleted because other records (such as issued "
                "badges) depend on it."
            )
        ) from error


# Invitations


def _require_role_management(actor: User, organisation: Organisation, *role_list: str) -> None:
    require_permission(actor, organisation, roles.MANAGE_MEMBERS)
    if Role.OWNER in role_list and not has_permission(actor, organisation, roles.MANAGE_OWNERS):
        raise PermissionDenied(_("Only owners can grant or remove the owner role."))


def _clean_role(role: str) -> str:
    if role not in Role.values:
        raise ValidationError({"role": _("Please choose one of the roles offered.")})
    return role


def _clean_invitation_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as error:
        raise ValidationError({"email": _("Please enter a valid email address.")}) from error
    return email


def _user_for_email(email: str) -> User | None:
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        address = (
            EmailAddress.objects.filter(email__iexact=email, verified=True)
            .select_related("user")
            .first()
        )
        user = address.user if address else None
    return user


def _new_token(invitation: Invitation) -> str:
    token = secrets.token_urlsafe(32)
    invitation.token = token_digest(token)
    invitation.expires_at = timezone.now() + timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
    invitation.sent_at = timezone.now()
    invitation.send_count += 1
    return token


def _send_invitation_email(*, invitation: Invitation, token: str, inviter: User) -> None:
    """Render the email now, in the inviter's active language, and send it after commit."""
    context = {
        "invitation": invitation,
        "organisation": invitation.organisation,
        "role": invitation.get_role_display(),
        "inviter": inviter,
        "accept_url": settings.SITE_URL
        + reverse("organisations:invitation", kwargs={"token": token}),
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
    }
    subject = _("%(inviter)s invites you to join %(organisation)s on %(site)s") % {
        "inviter": inviter,
        "organisation": invitation.organisation.name,
        "site": settings.SITE_NAME,
    }
    body = render_to_string("accounts/email/invitation_message.txt", context)
    html = render_to_string("accounts/email/invitation_message.html", context)
    transaction.on_commit(
        partial(
            send_email_message.enqueue,
            subject=" ".join(subject.split()),
            body=body,
            to=[invitation.email],
            alternatives=[[html, "text/html"]],
        )
    )


@transaction.atomic
def invitation_create(
    *, actor: User, organisation: Organisation, email: str, role: str
) -> Invitation:
    """Invite an address. The raw token is on the returned object as `raw_token`, only once."""
    role = _clean_role(role)
    _require_role_management(actor, organisation, role)
    email = _clean_invitation_email(email)
    invitee = _user_for_email(email)
    if invitee and Membership.objects.filter(organisation=organisation, user=invitee).exists():
        raise ValidationError({"email": _("This person is already a member.")})
    open_invitation = (
        Invitation.objects.open()
        .select_for_update()
        .filter(organisation=organisation, email=email)
        .first()
    )
    if open_invitation is not None:
        if not open_invitation.is_expired:
            raise ValidationError(
                {
                    "email": _(
                        "This address already has a pending invitation. You can resend it "
                        "from the list of invitations."
                    )
                }
            )
        # An expired invitation is closed so that the new one can take its place.
        open_invitation.revoked_at = timezone.now()
        open_invitation.save(update_fields=["revoked_at"])
    invitation = Invitation(organisation=organisation, email=email, role=role, invited_by=actor)
    token = _new_token(invitation)
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError as error:
        raise ValidationError(
            {"email": _("This address already has a pending invitation.")}
        ) from error
    audit_record(
        actor=actor,
        action="invitation.sent",
        target=invitation,
        organisation=organisation,
        data={"email": email, "role": role},
    )
    _send_invitation_email(invitation=invitation, token=token, inviter=actor)
    invitation.raw_token = token
    return invitation


def _lock(invitation: Invitation) -> Invitation:
    return (
        Invitation.objects.select_for_update().select_related("organisation").get(pk=invitation.pk)
    )


@transaction.atomic
def invitation_resend(*, actor: User, invitation: Invitation) -> Invitation:
    """Send the invitation again with a new link and a new validity period."""
    _require_role_management(actor, invitation.organisation, invitation.role)
    invitation = _lock(invitation)
    if not invitation.is_open:
        raise ValidationError(_("This invitation has already been answered or withdrawn."))
    if invitation.sent_at and timezone.now() - invitation.sent_at < RESEND_MIN_INTERVAL:
        raise ValidationError(
            _("This invitation was sent less than a minute ago. Please wait a little.")
        )
    token = _new_token(invitation)
    invitation.save(update_fields=["token", "expires_at", "sent_at", "send_count"])
    audit_record(
        actor=actor,
        action="invitation.resent",
        target=invitation,
        organisation=invitation.organisation,
        data={"email": invitation.email, "role": invitation.role},
    )
    _send_invitation_email(invitation=invitation, token=token, inviter=actor)
    invitation.raw_token = token
    return invitation


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    _require_role_management(actor, invitation.organisation, invitation.role)
    invitation = _lock(invitation)
    if invitation.revoked_at is not None:
        return invitation
    if not invitation.is_open:
        raise ValidationError(_("This invitation has already been answered."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        action="invitation.revoked",
        target=invitation,
        organisation=invitation.organisation,
        data={"email": invitation.email, "role": invitation.role},
    )
    return invitation


def invitation_problem(invitation: Invitation | None, user=None) -> str | None:
    """Why this invitation cannot be answered any more, or None if it can."""
    if invitation is None:
        return _("This invitation link is not valid. Please check that you copied all of it.")
    if invitation.accepted_at is not None:
        if user is not None and invitation.accepted_by_id == getattr(user, "pk", None):
            return None
        return _("This invitation has already been used.")
    if invitation.revoked_at is not None:
        return _("This invitation has been withdrawn by the organisation.")
    if invitation.declined_at is not None:
        return _("This invitation has been declined.")
    if invitation.is_expired:
        return _("This invitation has expired. Please ask the organisation to send you a new one.")
    return None


def verified_addresses(user) -> list[str]:
    return [
        email.lower()
        for email in EmailAddress.objects.filter(user=user, verified=True).values_list(
            "email", flat=True
        )
    ]


def _invitation_for_answer(*, user, token: str | None, invitation_id) -> Invitation | None:
    """The invitation named by its secret link or, without the link, by its id for a person
    who has verified the invited address (so nobody answers an invitation meant for another)."""
    invitations = Invitation.objects.select_for_update().select_related("organisation")
    if token is not None:
        return invitations.filter(token=token_digest(token)).first()
    if invitation_id is None:
        raise ValueError("Name the invitation by its token or its id.")
    return invitations.filter(public_id=invitation_id, email__in=verified_addresses(user)).first()


@transaction.atomic
def invitation_accept(*, user: User, token: str | None = None, invitation_id=None) -> Membership:
    """Join the organisation. A member who accepts keeps the higher of both roles; accepting
    the same invitation twice returns the same membership."""
    _require_signed_in(user)
    invitation = _invitation_for_answer(user=user, token=token, invitation_id=invitation_id)
    problem = invitation_problem(invitation, user)
    if problem:
        raise ValidationError(problem)
    organisation = invitation.organisation
    membership = (
        Membership.objects.select_for_update().filter(organisation=organisation, user=user).first()
    )
    if invitation.accepted_at is not None:
        if membership is None:
            # Accepted earlier, then left: the link does not bring the person back.
            raise ValidationError(_("This invitation has already been used."))
        return membership
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(
        actor=user,
        action="invitation.accepted",
        target=invitation,
        organisation=organisation,
        data={"email": invitation.email, "role": invitation.role},
    )
    if membership is None:
        membership = Membership.objects.create(
            organisation=organisation, user=user, role=invitation.role
        )
        audit_record(
            actor=user,
            action="membership.created",
            target=user,
            organisation=organisation,
            data={"role": membership.role},
        )
    else:
        new_role = roles.higher_role(membership.role, invitation.role)
        if new_role != membership.role:
            audit_record(
                actor=user,
                action="membership.role_changed",
                target=user,
                organisation=organisation,
                data={"from": membership.role, "to": new_role},
            )
            membership.role = new_role
            membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def invitation_decline(*, user: User, token: str | None = None, invitation_id=None) -> Invitation:
    _require_signed_in(user)
    invitation = _invitation_for_answer(user=user, token=token, invitation_id=invitation_id)
    if invitation is not None and invitation.declined_at is not None:
        return invitation
    problem = invitation_problem(invitation)
    if problem:
        raise ValidationError(problem)
    invitation.declined_at = timezone.now()
    invitation.save(update_fields=["declined_at"])
    audit_record(
        actor=user,
        action="invitation.declined",
        target=invitation,
        organisation=invitation.organisation,
        data={"email": invitation.email, "role": invitation.role},
    )
    return invitation


# Memberships


def _ensure_other_owner(membership: Membership, message: str) -> None:
    # Lock every owner row so that two owners cannot step down at the same moment.
    owners = list(
        Membership.objects.select_for_update()
        .filter(organisation_id=membership.organisation_id, role=Role.OWNER)
        .values_list("pk", flat=True)
    )
    if not set(owners) - {membership.pk}:
        raise ValidationError(message)


@transaction.atomic
def membership_change_role(*, actor: User, membership: Membership, role: str) -> Membership:
    role = _clean_role(role)
    organisation = membership.organisation
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    _require_role_management(actor, organisation, role, membership.role)
    if membership.role == role:
        return membership
    if membership.role == Role.OWNER:
        _ensure_other_owner(
            membership,
            _(
                "An organisation needs at least one owner. Make someone else an owner before "
                "changing this role."
            ),
        )
    audit_record(
        actor=actor,
        action="membership.role_changed",
        target=membership.user,
        organisation=organisation,
        data={"from": membership.role, "to": role},
    )
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, actor: User, membership: Membership) -> None:
    organisation = membership.organisation
    membership = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
    _require_role_management(actor, organisation, membership.role)
    if membership.role == Role.OWNER:
        _ensure_other_owner(
            membership,
            _(
                "An organisation needs at least one owner. Make someone else an owner before "
                "removing this one."
            ),
        )
    audit_record(
        actor=actor,
        action="membership.removed",
        target=membership.user,
        organisation=organisation,
        data={"role": membership.role},
    )
    membership.delete()


@transaction.atomic
def membership_leave(*, user: User, organisation: Organisation) -> None:
    _require_signed_in(user)
    membership = (
        Membership.objects.select_for_update().filter(organisation=organisation, user=user).first()
    )
    if membership is None:
        raise ValidationError(_("You are not a member of this organisation."))
    if membership.role == Role.OWNER:
        _ensure_other_owner(
            membership,
            _(
                "You are the last owner of this organisation. Make someone else an owner "
                "before leaving, or delete the organisation."
            ),
        )
    audit_record(
        actor=user,
        action="membership.left",
        target=user,
        organisation=organisation,
        data={"role": membership.role},
    )
    membership.delete()


# People


@transaction.atomic
def user_update_profile(*, user: User, name: str, language: str) -> User:
    _require_signed_in(user)
    if language and language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Please choose one of the languages offered.")})
    user.name = name.strip()
    user.language = language
    user.clean_fields(
        exclude=[
            field.name for field in User._meta.fields if field.name not in {"name", "language"}
        ]
    )
    user.save(update_fields=["name", "language"])
    audit_record(
        actor=user, action="user.profile_updated", target=user, data={"language": language}
    )
    return user
