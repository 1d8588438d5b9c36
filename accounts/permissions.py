"""Permission checks on organisations, used by services, selectors and views."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .models import Membership, Organisation
from .roles import role_permissions


def member_role(user, organisation: Organisation) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Membership.objects.filter(organisation=organisation, user=user)
        .values_list("role", flat=True)
        .first()
    )


def has_permission(user, organisation: Organisation, permission: str) -> bool:
    return permission in role_permissions(member_role(user, organisation))


def require_permission(user, organisation: Organisation, permission: str) -> None:
    """Raise PermissionDenied (a 403 page in views) unless `user` holds `permission`."""
    if not has_permission(user, organisation, permission):
        raise PermissionDenied(_("You do not have permission to do this in this organisation."))
