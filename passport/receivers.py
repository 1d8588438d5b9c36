"""Signal receivers: a confirmed address brings the awards already made to it."""

from allauth.account.signals import email_confirmed
from django.db import transaction
from django.dispatch import receiver

from .tasks import passport_sync_for_user_task


@receiver(email_confirmed, dispatch_uid="passport_sync_on_email_confirmed")
def sync_on_email_confirmed(sender, request, email_address, **kwargs):
    user_id = email_address.user_id
    transaction.on_commit(lambda: passport_sync_for_user_task.enqueue(user_id=user_id))
