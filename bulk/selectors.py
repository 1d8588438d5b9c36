"""Reads of bulk award jobs, scoped to members who may award in the job's organisation."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import Organisation
from accounts.permissions import require_permission
from accounts.roles import AWARD_BADGES
from issuing.models import BadgeClass

from .models import BulkAwardJob, BulkAwardRow


def badge_class_for_bulk(*, user, organisation: Organisation, public_id) -> BadgeClass:
    require_permission(user, organisation, AWARD_BADGES)
    return get_object_or_404(
        BadgeClass.objects.select_related("current_version", "organisation"),
        organisation=organisation,
        public_id=public_id,
        current_version__isnull=False,
    )


def bulk_job_get(*, user, organisation: Organisation, public_id) -> BulkAwardJob:
    require_permission(user, organisation, AWARD_BADGES)
    return get_object_or_404(
        BulkAwardJob.objects.select_related(
            "badge_class__current_version", "organisation", "created_by"
        ),
        organisation=organisation,
        public_id=public_id,
    )


def bulk_jobs_for_badge_class(*, user, badge_class: BadgeClass) -> QuerySet[BulkAwardJob]:
    require_permission(user, badge_class.organisation, AWARD_BADGES)
    return BulkAwardJob.objects.filter(badge_class=badge_class).select_related("created_by")


def bulk_rows_with_errors(*, user, job: BulkAwardJob) -> QuerySet[BulkAwardRow]:
    require_permission(user, job.organisation, AWARD_BADGES)
    return BulkAwardRow.objects.filter(job=job).exclude(errors=[]).order_by("row_number")


def bulk_rows_first(*, user, job: BulkAwardJob, count: int = 10) -> list[BulkAwardRow]:
    require_permission(user, job.organisation, AWARD_BADGES)
    return list(BulkAwardRow.objects.filter(job=job).order_by("row_number")[:count])


def bulk_rows_report(*, user, job: BulkAwardJob) -> QuerySet[BulkAwardRow]:
    """Every row with its award's public id, for the result report (streamed)."""
    require_permission(user, job.organisation, AWARD_BADGES)
    return (
        BulkAwardRow.objects.filter(job=job)
        .order_by("row_number")
        .values_list("row_number", "email", "name", "status", "award__public_id", "errors")
    )
