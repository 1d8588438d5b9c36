"""CSV bulk award jobs.

A job is one uploaded file for one badge class. Its rows are parsed and stored when the file is
uploaded (the preview), so processing reads rows from the database, never the file again, and a
crashed worker resumes with the rows still pending.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from issuing.models import Award, BadgeClass


class JobStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    PREVIEWED = "previewed", _("Ready to confirm")
    CONFIRMED = "confirmed", _("Waiting to start")
    RUNNING = "running", _("Awarding")
    DONE = "done", _("Finished")
    FAILED = "failed", _("Stopped by an error")
    CANCELLED = "cancelled", _("Cancelled")


class BulkAwardJob(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="bulk_award_jobs"
    )
    badge_class = models.ForeignKey(
        BadgeClass, on_delete=models.PROTECT, related_name="bulk_award_jobs"
    )
    file = models.FileField(_("CSV file"), upload_to="bulk/%Y/%m/")
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField(default=0)
    # SHA-256 of the file's bytes: the same file uploaded again is recognised by it.
    content_hash = models.CharField(max_length=64, db_index=True)
    encoding = models.CharField(max_length=20)
    delimiter = models.CharField(max_length=1)
    # Header remarks shown on the preview (extra columns ignored, …), already translated.
    warnings = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.UPLOADED)
    total_rows = models.PositiveIntegerField(default=0)
    valid_rows = models.PositiveIntegerField(default=0)
    error_rows = models.PositiveIntegerField(default=0)
    duplicate_rows = models.PositiveIntegerField(default=0)
    awarded_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    failure_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organisation", "-created_at"], name="bulkjob_org_created")]
        verbose_name = _("bulk award job")
        verbose_name_plural = _("bulk award jobs")

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def processed_count(self) -> int:
        return self.awarded_count + self.skipped_count + self.failed_count

    @property
    def percent(self) -> int:
        if not self.valid_rows:
            return 100 if self.status == JobStatus.DONE else 0
        return min(100, (self.processed_count * 100) // self.valid_rows)

    @property
    def is_active(self) -> bool:
        return self.status in (JobStatus.CONFIRMED, JobStatus.RUNNING)

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED)


class RowStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    AWARDED = "awarded", _("Awarded")
    SKIPPED = "skipped", _("Skipped")
    FAILED = "failed", _("Failed")


class BulkAwardRow(models.Model):
    """One data row of the file, as parsed. `row_number` is the line number a spreadsheet shows
    (the header is row 1), so people find the row the preview names."""

    # Each row is written at upload and again when awarded, a million times for a million
    # awards: the job's look-ups are all served by the (job, row_number) constraint, and no
    # index holds the status or the award, so marking a row awarded is a HOT update in its
    # own page (bulk.services._process_batch; fillfactor in migration 0003).
    job = models.ForeignKey(
        BulkAwardJob, on_delete=models.CASCADE, related_name="rows", db_index=False
    )
    row_number = models.PositiveIntegerField()
    email = models.CharField(max_length=320, blank=True)
    name = models.CharField(max_length=400, blank=True)
    narrative = models.TextField(blank=True)
    evidence_url = models.TextField(blank=True)
    issued_on = models.DateField(null=True, blank=True)
    language = models.CharField(max_length=20, blank=True)
    # Translated messages: at preview for invalid rows, after processing for refused ones.
    errors = models.JSONField(default=list, blank=True)
    is_duplicate = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=RowStatus.choices, default=RowStatus.PENDING)
    award = models.ForeignKey(
        Award, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )

    class Meta:
        ordering = ["job", "row_number"]
        constraints = [
            models.UniqueConstraint(fields=["job", "row_number"], name="unique_bulk_row_number")
        ]
        verbose_name = _("bulk award row")
        verbose_name_plural = _("bulk award rows")

    def __str__(self) -> str:
        return f"{self.job_id} · {self.row_number} · {self.email}"
