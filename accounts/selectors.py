"""Reads on organisations, memberships and invitations, scoped to what the user may see.

Private pages of an organisation answer 404 to people who are not members, so that nobody learns
from a 403 that a private page exists or who belongs where; members who lack the permission
for a page get a 403 with the reason.
"""

from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from . import roles
from .models import Invitation, Membership, Organisation, Role
from .permissions import member_role, require_permission
from .services import token_digest, verified_addresses


def organisations_for_user(user) -> QuerySet[Organisation]:
    """The organisations `user` belongs to, each with `my_role` and `member_count`."""
    if not getattr(user, "is_authenticated", False):
        return Organisation.objects.none()
    mine = Membership.objects.filter(user=user)
    return (
        Organisation.objects.filter(pk__in=mine.values("organisation_id"))
        .annotate(
            my_role=Subquery(mine.filter(organisation=OuterRef("pk")).values("role")[:1]),
            member_count=Count("memberships", distinct=True),
        )
        .order_by("name")
    )


def organisation_get_public(slug: str) -> Organisation:
    return get_object_or_404(Organisation, slug=slug)


def organisation_get_for_member(*, user, slug: str, permission: str = roles.VIEW) -> Organisation:
    """The organisation if `user` is a member holding `permission`.

    Outsiders get a 404, members without the permission a PermissionDenied. The returned object
    carries `my_role` and `my_permissions` for templates.
    """
    organisation = get_object_or_404(Organisation, slug=slug)
    role = member_role(user, organisation)
    if role is None:
        raise Http404(_("No such page."))
    permissions = roles.role_permissions(role)
    if permission not in permissions:
        raise PermissionDenied(_("Your role in this organisation does not allow this."))
    organisation.my_role = role
    organisation.my_permissions = permissions
    return organisation


def _role_order():
    return Case(
        *[When(role=role, then=Value(-rank)) for role, rank in roles.ROLE_RANK.items()],
        output_field=IntegerField(),
    )


def members_for_organisation(*, user, organisation: Organisation) -> QuerySet[Membership]:
    require_permission(user, organisation, roles.VIEW)
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .annotate(role_order=_role_order())
        .order_by("role_order", "user__name", "user__email")
    )


def membership_get(*, user, organisation: Organisation, user_public_id) -> Membership:
    """A membership that `user` may manage in `organisation` (404 if there is none)."""
    require_permission(user, organisation, roles.MANAGE_MEMBERS)
    return get_object_or_404(
        Membership.objects.select_related("user", "organisation"),
        organisation=organisation,
        user__public_id=user_public_id,
    )


def invitations_pending(*, user, organisation: Organisation) -> QuerySet[Invitation]:
    """Open invitations (including expired ones, which can be resent or withdrawn)."""
    require_permission(user, organisation, roles.MANAGE_MEMBERS)
    return (
        Invitation.objects.open()
        .filter(organisation=organisation)
        .select_related("invited_by")
        .order_by("-created_at")
    )


def invitation_get_for_manage(*, user, organisation: Organisation, public_id) -> Invitation:
    require_permission(user, organisation, roles.MANAGE_MEMBERS)
    return get_object_or_404(
        Invitation.objects.select_related("organisation"),
        organisation=organisation,
        public_id=public_id,
    )


def invitations_for_user(user) -> QuerySet[Invitation]:
    """Pending invitations sent to one of the verified addresses of `user`."""
    if not getattr(user, "is_authenticated", False):
        return Invitation.objects.none()
    return (
        Invitation.objects.pending()
        .filter(email__in=verified_addresses(user))
        .select_related("organisation", "invited_by")
        .order_by("-created_at")
    )


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation behind a link, whatever its state; the token is the only credential."""
    return (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(token=token_digest(token or ""))
        .first()
    )


def user_has_address(user, email: str) -> bool:
    """Whether `email` is the sign-in address or one of the addresses of `user`."""
    return (
        user.email.lower() == email.lower()
        or EmailAddress.objects.filter(user=user, email__iexact=email).exists()
    )


def owner_count(organisation: Organisation) -> int:
    return Membership.objects.filter(organisation=organisation, role=Role.OWNER).count()
