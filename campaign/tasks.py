"""Background work of the campaign: rebuilding counters. Tasks take ids and may run twice."""

from django.tasks import task

from . import counting


@task
def organisation_tally_refresh(*, organisation_id: int) -> int | None:
    return counting.organisation_tally_rebuild(organisation_id)


@task
def initiative_counter_refresh(*, initiative_id: int) -> None:
    counting.initiative_counter_rebuild(initiative_id)


@task
def counters_refresh_stale() -> dict[str, int]:
    return counting.counters_refresh_stale()
