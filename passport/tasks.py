"""Background tasks of the passport. They take ids and call idempotent services, so running
one twice (a retry, two confirmations) does no harm."""

from django.contrib.auth import get_user_model
from django.tasks import task

from . import services


@task
def passport_sync_for_user_task(*, user_id: int) -> int:
    """Bring the awards made to the user's verified addresses into their passport."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return 0
    return services.passport_sync_for_user(user=user)


@task
def passport_deliver_award(*, award_id: int) -> bool:
    """Put a new award into the passport of the account holding its address, if any. Issuing
    may enqueue this after an award commits; the sync on opening the passport is the safety
    net for every path that does not (bulk inserts send no signals)."""
    from issuing.models import Award

    award = (
        Award.objects.select_related(
            "badge_class", "badge_class_version", "organisation__issuer_profile"
        )
        .filter(pk=award_id)
        .first()
    )
    if award is None:
        return False
    return services.passport_deliver_award(award=award) is not None
