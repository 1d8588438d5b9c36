"""Reads of the audit log, scoped to what the acting user may see."""

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import Organisation
from accounts.permissions import require_permission
from accounts.roles import VIEW_AUDIT

from .models import AuditEvent


def _start_of(day: datetime.date | datetime.datetime) -> datetime.datetime:
    """A date means its whole day in the site's time zone; a datetime is taken as it is."""
    if isinstance(day, datetime.datetime):
        return day if timezone.is_aware(day) else timezone.make_aware(day)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def audit_events_for_organisation(
    *,
    user,
    organisation: Organisation,
    action: str | None = None,
    actor: str | None = None,
    since: datetime.date | datetime.datetime | None = None,
    until: datetime.date | datetime.datetime | None = None,
) -> QuerySet[AuditEvent]:
    """The organisation's events, newest first.

    `action` is a prefix of the dotted name ("organisation." or "membership.role"), `actor` an
    email address (case-insensitive), `since` and `until` are inclusive; a date covers the whole
    day. Raises PermissionDenied unless `user` may view the organisation's audit log.
    """
    require_permission(user, organisation, VIEW_AUDIT)
    events = AuditEvent.objects.filter(organisation=organisation).select_related("actor")
    if action:
        events = events.filter(action__startswith=action.strip())
    if actor:
        actor = actor.strip()
        events = events.filter(Q(actor__email__iexact=actor) | Q(actor_label__iexact=actor))
    if since is not None:
        events = events.filter(created_at__gte=_start_of(since))
    if until is not None:
        if isinstance(until, datetime.datetime):
            events = events.filter(created_at__lte=_start_of(until))
        else:
            events = events.filter(created_at__lt=_start_of(until + datetime.timedelta(days=1)))
    return events


def audit_action_names_for_organisation(*, user, organisation: Organisation) -> list[str]:
    """The distinct action names recorded for the organisation, for filter suggestions."""
    require_permission(user, organisation, VIEW_AUDIT)
    return list(
        AuditEvent.objects.filter(organisation=organisation)
        .order_by("action")
        .values_list("action", flat=True)
        .distinct()
    )
