"""Writes behind the staff award form: one award and the recipient's email in the language the
awarder chose."""

from django.db import transaction

from . import services
from .models import Award
from .notifications import award_notifications_enqueue


def award_create_with_language(*, language: str, **fields) -> Award:
    """`services.award_create` (same keyword arguments), with the email to the recipient in
    `language`. One transaction, so the email is not sent before its language is set."""
    with transaction.atomic():
        award = services.award_create(**fields)
        award_notifications_enqueue([award.pk], language=language)
    return award
