from django.db import models

from .models import AuditEvent


def audit_record(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    organisation=None,
    data: dict | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    """Record that `actor` did `action` (a dotted name such as "organisation.member_added")."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEvent.objects.create(
        actor=actor,
        actor_label=str(getattr(actor, "email", "")) if actor else "",
        action=action,
        organisation=organisation,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(getattr(target, "public_id", None) or getattr(target, "pk", ""))
        if target is not None
        else "",
        target_label=str(target)[:300] if target is not None else "",
        data=data or {},
        ip_address=ip_address,
    )
