"""Emails of the campaign: the proposer hears when their initiative is reviewed and when an
organisation asks to join it; whoever asked to join hears the decision.

Each email is rendered in its recipient's language (the language of their account, else the
site's default), queued after the commit through `badgeeurope.tasks.send_email_message` (which
retries), and never sent to the person who caused it.
"""

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from badgeeurope.tasks import send_email_message

from .models import Initiative, JoinRequest, JoinRequestStatus


def recipient_language(user) -> str:
    """The account's language when the site offers it, else the site's default."""
    for candidate in (getattr(user, "language", ""), settings.LANGUAGE_CODE):
        try:
            return translation.get_supported_language_variant((candidate or "").lower())
        except LookupError:
            continue
    return "en"


def _initiative_url(initiative: Initiative) -> str:
    return settings.SITE_URL + reverse("campaign:detail", kwargs={"slug": initiative.slug})


def _send(*, recipient, actor, template: str, context: dict) -> bool:
    """Render `campaign/email/<template>_subject.txt` and `_body.txt` in the recipient's language
    and queue the email after the commit. Returns whether an email was queued."""
    if recipient is None or not recipient.is_active or not recipient.email:
        return False
    if actor is not None and recipient.pk == getattr(actor, "pk", None):
        return False  # they know already: they did it
    context = {"recipient": recipient, "site_name": settings.SITE_NAME, **context}
    with translation.override(recipient_language(recipient)):
        subject = render_to_string(f"campaign/email/{template}_subject.txt", context)
        body = render_to_string(f"campaign/email/{template}_body.txt", context)
    subject = " ".join(subject.split())
    address = recipient.email
    transaction.on_commit(
        lambda: send_email_message.enqueue(subject=subject, body=body, to=[address])
    )
    return True


def initiative_reviewed(*, actor, initiative: Initiative) -> bool:
    """Tell the proposer that their initiative was approved or rejected (with the reason)."""
    approved = initiative.is_public
    return _send(
        recipient=initiative.proposed_by,
        actor=actor,
        template="initiative_approved" if approved else "initiative_rejected",
        context={
            "initiative": initiative,
            "reason": initiative.review_reason,
            "url": _initiative_url(initiative)
            if approved
            else settings.SITE_URL + reverse("campaign:mine"),
        },
    )


def join_requested(*, actor, join_request: JoinRequest) -> bool:
    """Tell the proposer that an organisation asks to join; they decide on the initiative page."""
    return _send(
        recipient=join_request.initiative.proposed_by,
        actor=actor,
        template="join_requested",
        context={
            "initiative": join_request.initiative,
            "organisation": join_request.organisation,
            "requester": join_request.requested_by,
            "message": join_request.message,
            "url": _initiative_url(join_request.initiative),
        },
    )


def join_decided(*, actor, join_request: JoinRequest) -> bool:
    """Tell whoever asked to join whether their organisation now belongs to the initiative."""
    return _send(
        recipient=join_request.requested_by,
        actor=actor,
        template="join_approved"
        if join_request.status == JoinRequestStatus.APPROVED
        else "join_rejected",
        context={
            "initiative": join_request.initiative,
            "organisation": join_request.organisation,
            "reason": join_request.reason,
            "url": _initiative_url(join_request.initiative)
            if join_request.status == JoinRequestStatus.APPROVED
            else settings.SITE_URL + reverse("campaign:support"),
        },
    )
