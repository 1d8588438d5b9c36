"""Stored files follow their rows: whether an item is deleted by its owner or goes with its
owner's account (a cascade, which calls no service), its file and thumbnail are removed."""

from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import EvidenceItem
from .services import delete_stored_files


@receiver(post_delete, sender=EvidenceItem, dispatch_uid="evidence_files_follow_rows")
def evidence_item_deleted(sender, instance: EvidenceItem, **kwargs) -> None:
    delete_stored_files(instance)
