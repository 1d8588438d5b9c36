"""Writes of the claims app: configuring a claimable badge (staff), asking for it (anyone),
accepting it through the emailed link (anyone holding the link)."""

import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import require_permission
from accounts.roles import AWARD_BADGES
from audit.services import audit_record
from badgeeurope.tasks import send_email_message
from issuing import services as issuing_services
from issuing.models import Award, AwardSource, BadgeClass

from . import links, throttle
from .models import ClaimableBadge, ClaimRequest


class Throttled(ValidationError):
    """Too many requests; the view answers 429."""


def claimable_configure(
    *, actor, badge_class: BadgeClass, enabled: bool, opens_at=None, closes_at=None
) -> ClaimableBadge:
    """Make a badge class claimable (or change or stop it). The actor must be able to award it:
    claims are awarded in their name."""
    require_permission(actor, badge_class.organisation, AWARD_BADGES)
    if badge_class.is_archived and enabled:
        raise ValidationError(_("This badge class is archived; it can no longer be claimed."))
    if opens_at and closes_at and closes_at <= opens_at:
        raise ValidationError({"closes_at": _("The end of the period is before its start.")})
    with transaction.atomic():
        claimable, created = ClaimableBadge.objects.update_or_create(
            badge_class=badge_class,
            defaults={
                "enabled": enabled,
                "opens_at": opens_at,
                "closes_at": closes_at,
                "configured_by": actor,
            },
        )
        audit_record(
            actor=actor,
            action="claim.configured",
            target=badge_class,
            organisation=badge_class.organisation,
            data={
                "enabled": enabled,
                "opens_at": opens_at.isoformat() if opens_at else None,
                "closes_at": closes_at.isoformat() if closes_at else None,
                "created": created,
            },
        )
    return claimable


def closed_message() -> str:
    return _("This badge cannot be claimed at the moment.")


def claim_request(*, claimable: ClaimableBadge, name: str, email: str, ip: str) -> ClaimRequest:
    """Record a request and email its confirmation link. Refused when the badge is not open for
    claims, and when the client or the address asked too often (`Throttled`)."""
    email = email.strip().lower()
    if not claimable.is_open():
        raise ValidationError(closed_message())
    if not throttle.allow_ip(ip):
        raise Throttled(_("Too many requests came from your network. Please try again in an hour."))
    if not throttle.allow_address(email):
        raise Throttled(
            _(
                "We have already sent several links to this address. Please look in your inbox "
                "(and spam folder), or try again in an hour."
            )
        )
    with transaction.atomic():
        request = ClaimRequest.objects.create(claimable=claimable, email=email, name=name.strip())
        context = {
            "name": request.name,
            "badge": claimable.badge_class.current_version.name,
            "issuer": claimable.badge_class.organisation.issuer_profile.name
            if hasattr(claimable.badge_class.organisation, "issuer_profile")
            else claimable.badge_class.organisation.name,
            "link": links.confirm_url(request),
            "hours": links.max_age() // 3600,
        }
        subject = render_to_string("claims/email/confirm_subject.txt", context).strip()
        body = render_to_string("claims/email/confirm_body.txt", context)
        transaction.on_commit(
            lambda: send_email_message.enqueue(subject=subject, body=body, to=[email])
        )
    return request


def idempotency_key(claimable: ClaimableBadge, email: str) -> str:
    """One award per address and claimable badge, whatever link or request it comes through."""
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    return f"claim:{claimable.public_id}:{digest}"


def claim_confirm(*, claim_request: ClaimRequest) -> Award:
    """Award the badge to the request's address, once. A request already accepted returns its
    award; another request of the same address returns the award that address already got."""
    with transaction.atomic():
        # Lock the request row alone (PostgreSQL cannot lock the nullable side of a join).
        request = (
            ClaimRequest.objects.select_for_update(of=("self",))
            .select_related("claimable__badge_class", "claimable__configured_by", "award")
            .get(pk=claim_request.pk)
        )
        if request.award is not None:
            return request.award
        claimable = request.claimable
        if not claimable.is_open():
            raise ValidationError(closed_message())
        if claimable.configured_by is None:
            raise ValidationError(closed_message())
        try:
            award = issuing_services.award_create(
                actor=claimable.configured_by,
                badge_class=claimable.badge_class,
                recipient_email=request.email,
                recipient_name=request.name,
                source=AwardSource.CLAIM,
                idempotency_key=idempotency_key(claimable, request.email),
            )
        except PermissionDenied:
            # The member who opened the claims may no longer award: claims stop until an
            # awarder saves the settings again.
            raise ValidationError(closed_message()) from None
        request.award = award
        request.confirmed_at = timezone.now()
        request.save(update_fields=["award", "confirmed_at"])
    return award
