"""Background tasks of the evidence library."""

from django.tasks import task

from . import services


@task
def evidence_thumbnail_make(*, evidence_id: int) -> str:
    """Make the thumbnail of one image or PDF item (database id)."""
    return services.evidence_thumbnail_make(evidence_id=evidence_id)
