"""Signal receivers that keep the campaign's counters following the awards without changes to
issuing: every issuing write that changes what is counted records an audit event
(`award.created`, `award.bulk_created` for bulk_create/COPY batches, `award.revoked`), which is
saved with `objects.create`, so its post_save is the one hook common to all of them. Award saves
and deletions and organisation deletions are caught directly. Receivers only queue work after
the commit (never inside issuing's transaction, never failing it)."""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver

from accounts.models import Organisation
from audit.models import AuditEvent
from issuing.models import Award

from .models import Initiative


def _after_commit_mark(organisation_id: int | None) -> None:
    if organisation_id is None:
        return
    from .counting import tally_mark_dirty

    transaction.on_commit(lambda: tally_mark_dirty(organisation_id), robust=True)


def _after_commit_initiatives(initiative_ids) -> None:
    from .tasks import initiative_counter_refresh

    def enqueue():
        for initiative_id in initiative_ids:
            initiative_counter_refresh.enqueue(initiative_id=initiative_id)

    if initiative_ids:
        transaction.on_commit(enqueue, robust=True)


@receiver(post_save, sender=AuditEvent, dispatch_uid="campaign.audit_award")
def audit_event_saved(sender, instance: AuditEvent, created: bool, **kwargs) -> None:
    if created and instance.action.startswith("award."):
        _after_commit_mark(instance.organisation_id)


@receiver(post_save, sender=Award, dispatch_uid="campaign.award_saved")
def award_saved(sender, instance: Award, **kwargs) -> None:
    _after_commit_mark(instance.organisation_id)


@receiver(post_delete, sender=Award, dispatch_uid="campaign.award_deleted")
def award_deleted(sender, instance: Award, **kwargs) -> None:
    _after_commit_mark(instance.organisation_id)


@receiver(pre_delete, sender=Organisation, dispatch_uid="campaign.organisation_deleting")
def organisation_deleting(sender, instance: Organisation, **kwargs) -> None:
    # The link rows go with the organisation without signals of their own: remember whose
    # counters must drop it.
    instance._campaign_initiative_ids = list(
        Initiative.objects.filter(organisations=instance).values_list("id", flat=True)
    )


@receiver(post_delete, sender=Organisation, dispatch_uid="campaign.organisation_deleted")
def organisation_deleted(sender, instance: Organisation, **kwargs) -> None:
    _after_commit_initiatives(getattr(instance, "_campaign_initiative_ids", []))


@receiver(
    m2m_changed, sender=Initiative.organisations.through, dispatch_uid="campaign.organisations"
)
def initiative_organisations_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if action == "pre_clear":
        if reverse:
            instance._campaign_initiative_ids = list(
                instance.initiatives.values_list("id", flat=True)
            )
        return
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if reverse:  # organisation.initiatives.add(...): pk_set holds initiatives
        organisation_ids = [instance.pk]
        initiative_ids = sorted(pk_set or getattr(instance, "_campaign_initiative_ids", []))
    else:
        organisation_ids = sorted(pk_set or [])
        initiative_ids = [instance.pk]
    if action == "post_add":
        # A newly linked organisation is counted from its tally, rebuilt first (which then
        # rebuilds the counters of all its initiatives).
        for organisation_id in organisation_ids:
            _after_commit_mark(organisation_id)
    _after_commit_initiatives(initiative_ids)
