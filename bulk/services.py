"""Writes of CSV bulk awards: upload (parse and check every row), confirm, process, cancel,
resume.

Processing is resumable and idempotent. Rows are stored at upload; each batch of pending rows
is awarded through issuing's `awards_create_bulk` in ONE transaction together with the rows'
new status, so a batch is either wholly done or not at all. Every row carries an idempotency
key made of the badge class, the file's content hash and the row number, so a batch retried
after a crash (or the same file uploaded again) never awards a row twice.
"""

import gc
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator, validate_email
from django.db import connections, router, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import require_permission
from accounts.roles import AWARD_BADGES
from audit.services import audit_record
from issuing.models import AwardSource, BadgeClass
from issuing.notifications import award_notifications_enqueue
from issuing.selectors_award import badge_holders
from issuing.services import AwardRequest, awards_create_bulk
from openbadges.recipient import normalise_email

from . import csvfile
from .models import BulkAwardJob, BulkAwardRow, JobStatus, RowStatus

MAX_ROWS = 100_000
MAX_FILE_SIZE = 30 * 1024 * 1024
INSERT_BATCH = 2000
PROCESS_BATCH = 1000
_url = URLValidator(schemes=["http", "https"])
_LANGUAGES = {code for code, _name in settings.LANGUAGES}


def _check_row(values: dict[str, str], today) -> tuple[dict, list[str]]:
    """The row's fields as stored, and its errors (translated)."""
    errors: list[str] = []
    email = normalise_email(values.get("email", ""))
    if not email:
        errors.append(_("The email address is missing."))
    else:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(_("%(value)s is not a valid email address.") % {"value": email})
    name = values.get("name", "")
    if len(name) > 200:
        errors.append(_("The name may have at most 200 characters."))
    evidence_url = values.get("evidence_url", "")
    if evidence_url:
        try:
            _url(evidence_url)
        except ValidationError:
            errors.append(
                _("%(value)s is not a web address starting with https:// or http://.")
                % {"value": evidence_url[:200]}
            )
    issued_on = None
    if values.get("issue_date"):
        try:
            issued_on = csvfile.parse_date(values["issue_date"])
        except ValidationError as exc:
            errors.extend(exc.messages)
        else:
            if issued_on > today:
                errors.append(_("The issue date %(date)s is in the future.") % {"date": issued_on})
    language = values.get("language", "").strip().lower().replace("_", "-")
    if language and language.split("-")[0] not in _LANGUAGES:
        errors.append(
            _("%(value)s is not a language of this site (%(languages)s).")
            % {"value": language[:20], "languages": ", ".join(sorted(_LANGUAGES))}
        )
    fields = {
        "email": email[:320],
        "name": name[:400],
        "narrative": values.get("narrative", ""),
        "evidence_url": evidence_url,
        "issued_on": issued_on,
        "language": language[:20],
    }
    return fields, errors


@dataclass(slots=True)
class _ParsedRow:
    row_number: int
    email: str
    name: str
    narrative: str
    evidence_url: str
    issued_on: date | None
    language: str
    errors: list[str]
    is_duplicate: bool = False


_ROW_FIELDS = (
    "job",
    "row_number",
    "email",
    "name",
    "narrative",
    "evidence_url",
    "issued_on",
    "language",
    "errors",
    "is_duplicate",
    "status",
)


def _insert_rows(job: BulkAwardJob, rows: list[_ParsedRow]) -> None:
    """Store parsed rows. On PostgreSQL through COPY: building model instances and quoting
    every value in Python costs over a millisecond a row, COPY a few microseconds."""
    values = [
        (
            job.pk,
            row.row_number,
            row.email,
            row.name,
            row.narrative,
            row.evidence_url,
            row.issued_on,
            row.language,
            json.dumps(row.errors, ensure_ascii=False) if row.errors else "[]",
            row.is_duplicate,
            RowStatus.SKIPPED.value if row.errors else RowStatus.PENDING.value,
        )
        for row in rows
    ]
    meta = BulkAwardRow._meta
    columns = [meta.get_field(name).column for name in _ROW_FIELDS]
    connection = connections[BulkAwardRow.objects.db]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            statement = f"COPY {meta.db_table} ({', '.join(columns)}) FROM STDIN"
            with cursor.cursor.copy(statement) as copy:
                for value in values:
                    copy.write_row(value)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            # Table and column names come from the model, values are parameters.
            cursor.executemany(
                f"INSERT INTO {meta.db_table} ({', '.join(columns)}) VALUES ({placeholders})",  # noqa: S608
                [
                    (*value[:6], value[6].isoformat() if value[6] else None, *value[7:])
                    for value in values
                ],
            )


def _mark_already_awarded(job: BulkAwardJob, rows: list[_ParsedRow]) -> None:
    """Flag rows whose recipient already holds the badge (unless the class allows that)."""
    candidates = {row.email for row in rows if not row.errors and row.email}
    if not candidates:
        return
    holders = badge_holders(job.badge_class_id, candidates)
    for row in rows:
        if not row.errors and row.email in holders:
            row.errors = [_("%(email)s already has this badge.") % {"email": row.email}]
            row.is_duplicate = True


def bulk_job_upload(
    *, actor, badge_class: BadgeClass, upload: UploadedFile, max_rows: int = MAX_ROWS
) -> BulkAwardJob:
    """Store the file, parse and check every row, and return the job ready for preview.

    The whole file is refused (ValidationError, nothing stored) when it cannot be read: not
    text, no email column, empty, too large. Row problems are stored with the row instead."""
    organisation = badge_class.organisation
    require_permission(actor, organisation, AWARD_BADGES)
    if badge_class.is_archived:
        raise ValidationError(_("This badge class is archived; it can no longer be awarded."))
    if upload.size is not None and upload.size > MAX_FILE_SIZE:
        raise ValidationError(
            _("The file is too large (%(size)s MB). Files may have at most %(max)s MB.")
            % {"size": upload.size // (1024 * 1024), "max": MAX_FILE_SIZE // (1024 * 1024)}
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    allow_duplicates = badge_class.current_version.allow_duplicates
    today = timezone.localdate()
    job = BulkAwardJob(
        organisation=organisation,
        badge_class=badge_class,
        original_name=(upload.name or "awards.csv")[:255],
        size=upload.size or 0,
        content_hash=digest.hexdigest(),
        created_by=actor,
    )
    job.file.save(f"{job.public_id}.csv", upload, save=False)
    try:
        with job.file.open("rb"):
            _store_rows(job, job.file.file, allow_duplicates, today, max_rows)
    except BaseException:
        # Nothing of a refused file is kept: the transaction rolled back the rows, and the
        # stored copy goes too.
        job.file.delete(save=False)
        raise
    return job


def _store_rows(job: BulkAwardJob, stream, allow_duplicates: bool, today, max_rows: int) -> None:
    actor = job.created_by
    organisation = job.organisation
    badge_class = job.badge_class
    parsed = csvfile.open_csv(stream)
    with transaction.atomic():
        job.encoding = parsed.encoding
        job.delimiter = parsed.delimiter
        job.warnings = parsed.header.warnings
        job.save()
        first_row_of: dict[str, int] = {}
        batch: list[_ParsedRow] = []
        counts = {"total": 0, "errors": 0, "duplicates": 0}

        def flush():
            if not allow_duplicates:
                _mark_already_awarded(job, batch)
            for row in batch:
                counts["errors"] += bool(row.errors)
                counts["duplicates"] += row.is_duplicate
            _insert_rows(job, batch)
            batch.clear()

        for number, values in parsed.rows:
            counts["total"] += 1
            if counts["total"] > max_rows:
                raise ValidationError(
                    _("The file has more than %(max)s rows; split it into several files.")
                    % {"max": f"{max_rows:,}"}
                )
            fields, errors = _check_row(values, today)
            row = _ParsedRow(row_number=number, errors=errors, **fields)
            if not errors and not allow_duplicates:
                earlier = first_row_of.setdefault(fields["email"], number)
                if earlier != number:
                    row.errors = [
                        _("%(email)s is already in row %(row)s of this file.")
                        % {"email": fields["email"], "row": earlier}
                    ]
                    row.is_duplicate = True
            batch.append(row)
            if len(batch) >= INSERT_BATCH:
                flush()
        flush()
        if not counts["total"]:
            raise ValidationError(_("The file has a header row but no rows to award."))
        job.total_rows = counts["total"]
        job.error_rows = counts["errors"]
        job.duplicate_rows = counts["duplicates"]
        job.valid_rows = counts["total"] - counts["errors"]
        job.status = JobStatus.PREVIEWED
        job.save()
        audit_record(
            actor=actor,
            action="bulk_award.uploaded",
            target=job,
            organisation=organisation,
            data={
                "badge_class": str(badge_class.public_id),
                "file": job.original_name,
                "rows": job.total_rows,
                "errors": job.error_rows,
            },
        )


def earlier_uploads(job: BulkAwardJob):
    """Other jobs of the same organisation with the same file, oldest first."""
    return (
        BulkAwardJob.objects.filter(organisation=job.organisation, content_hash=job.content_hash)
        .exclude(pk=job.pk)
        .filter(created_at__lte=job.created_at)
        .order_by("created_at")
    )


def bulk_job_confirm(*, actor, job: BulkAwardJob) -> BulkAwardJob:
    """Start awarding. A second confirmation (double click, two tabs) changes nothing."""
    from .tasks import bulk_job_process_task

    require_permission(actor, job.organisation, AWARD_BADGES)
    with transaction.atomic():
        job = BulkAwardJob.objects.select_for_update().get(pk=job.pk)
        if job.status != JobStatus.PREVIEWED:
            raise ValidationError(_("This upload was already confirmed."))
        if not job.valid_rows:
            raise ValidationError(_("No row of this file can be awarded."))
        job.status = JobStatus.CONFIRMED
        job.confirmed_at = timezone.now()
        job.save(update_fields=["status", "confirmed_at", "updated_at"])
        audit_record(
            actor=actor,
            action="bulk_award.confirmed",
            target=job,
            organisation=job.organisation,
            data={"rows": job.valid_rows},
        )
        job_id = job.pk
        transaction.on_commit(lambda: bulk_job_process_task.enqueue(job_id))
    return job


def bulk_job_cancel(*, actor, job: BulkAwardJob) -> BulkAwardJob:
    """Stop before the next batch; what was awarded stays awarded."""
    require_permission(actor, job.organisation, AWARD_BADGES)
    with transaction.atomic():
        job = BulkAwardJob.objects.select_for_update().get(pk=job.pk)
        if job.is_finished:
            raise ValidationError(_("This upload has already finished."))
        job.status = JobStatus.CANCELLED
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "finished_at", "updated_at"])
        BulkAwardRow.objects.filter(job=job, status=RowStatus.PENDING).update(
            status=RowStatus.SKIPPED, errors=[_("Cancelled before this row was awarded.")]
        )
        audit_record(
            actor=actor,
            action="bulk_award.cancelled",
            target=job,
            organisation=job.organisation,
            data={"awarded": job.awarded_count},
        )
    return job


def bulk_job_resume(*, actor, job: BulkAwardJob) -> BulkAwardJob:
    """Start processing again after a worker stopped (crash, restart, error): the rows still
    pending are awarded; the others are left as they are."""
    from .tasks import bulk_job_process_task

    require_permission(actor, job.organisation, AWARD_BADGES)
    with transaction.atomic():
        job = BulkAwardJob.objects.select_for_update().get(pk=job.pk)
        if job.status not in (JobStatus.CONFIRMED, JobStatus.RUNNING, JobStatus.FAILED):
            raise ValidationError(_("Only an upload that was confirmed and not finished resumes."))
        job.status = JobStatus.CONFIRMED
        job.failure_reason = ""
        job.save(update_fields=["status", "failure_reason", "updated_at"])
        audit_record(
            actor=actor, action="bulk_award.resumed", target=job, organisation=job.organisation
        )
        job_id = job.pk
        transaction.on_commit(lambda: bulk_job_process_task.enqueue(job_id))
    return job


def row_idempotency_key(job: BulkAwardJob, row_number: int | str) -> str:
    return f"csv:{job.badge_class.public_id}:{job.content_hash[:32]}:{row_number}"


def _issued_at(issued_on: date | None, now: datetime) -> datetime | None:
    if issued_on is None:
        return None
    issued = timezone.make_aware(datetime.combine(issued_on, time(12, 0)))
    # Today's noon may still be ahead; the service refuses future dates.
    return min(issued, now)


_ROW_COLUMNS = ("pk", "row_number", "email", "name", "narrative", "evidence_url", "issued_on")


def _process_batch(
    job: BulkAwardJob,
    actor,
    after_batch: Callable | None,
    *,
    look_up_first: bool = True,
    after_row: int = 0,
) -> tuple[int, int, int]:
    """Award one batch of the pending rows after `after_row`; returns how many rows it handled
    (0: none left), how many of them an earlier award answered (`BulkResult.repeats`) and the
    last row number it handled.

    Rows are found through the (job, row_number) index from where the previous batch ended:
    their status is in no index, so marking a row awarded rewrites it in its own page (a HOT
    update, with room left by the table's fillfactor: migration bulk/0003) instead of writing
    every index again, 25 → 5 µs of server CPU per row measured."""
    with transaction.atomic():
        # Values, not model instances: the batch needs a few columns of each row.
        rows = list(
            BulkAwardRow.objects.select_for_update(skip_locked=True)
            .filter(job=job, status=RowStatus.PENDING, row_number__gt=after_row)
            .order_by("row_number")
            .values_list(*_ROW_COLUMNS, "language", named=True)[:PROCESS_BATCH]
        )
        if not rows:
            return 0, 0, after_row
        now = timezone.now()
        key_prefix = row_idempotency_key(job, "")  # + the row number, as for each row
        requests = [
            AwardRequest(
                recipient_identity=row.email,
                recipient_name=row.name,
                narrative=row.narrative,
                evidence=[{"url": row.evidence_url}] if row.evidence_url else [],
                issued_at=_issued_at(row.issued_on, now),
                idempotency_key=f"{key_prefix}{row.row_number}",
            )
            for row in rows
        ]
        result = awards_create_bulk(
            actor=actor,
            badge_class=job.badge_class,
            requests=requests,
            source=AwardSource.CSV,
            look_up_first=look_up_first,
        )
        # Every row carries its own idempotency key, which finds its award.
        position_of = {
            request.idempotency_key: position for position, request in enumerate(requests)
        }
        awarded = {position_of[award.idempotency_key]: award.pk for award in result.created}
        others: list[BulkAwardRow] = []
        failed = 0
        for position, row in enumerate(rows):
            if position in result.errors:
                others.append(
                    BulkAwardRow(
                        pk=row.pk, status=RowStatus.FAILED, errors=list(result.errors[position])
                    )
                )
                failed += 1
            elif position in result.existing:
                others.append(
                    BulkAwardRow(
                        pk=row.pk,
                        status=RowStatus.SKIPPED,
                        award=result.existing[position],
                        errors=[_("Already awarded from an earlier upload of this file.")],
                    )
                )
        _mark_awarded({rows[position].pk: award_id for position, award_id in awarded.items()})
        if others:
            BulkAwardRow.objects.bulk_update(others, ["status", "errors", "award"])
        skipped = len(others) - failed
        # The award service queued each recipient's email; rows naming a language get theirs.
        languages = {
            award_id: rows[position].language
            for position, award_id in awarded.items()
            if rows[position].language
        }
        if languages:
            award_notifications_enqueue(list(languages), languages=languages)
        BulkAwardJob.objects.filter(pk=job.pk).update(
            awarded_count=F("awarded_count") + len(awarded),
            skipped_count=F("skipped_count") + skipped,
            failed_count=F("failed_count") + failed,
            updated_at=timezone.now(),
        )
        if after_batch is not None:
            after_batch(len(rows))
    return len(rows), result.repeats, rows[-1].row_number


def _mark_awarded(award_of_row: dict[int, int]) -> None:
    """Rows → awarded, each with its award, in one statement."""
    if not award_of_row:
        return
    connection = connections[router.db_for_write(BulkAwardRow)]
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(BulkAwardRow._meta.db_table)
        with connection.cursor() as cursor:
            # The table name comes from the model; values are parameters.
            cursor.execute(
                f"UPDATE {table} SET status = %s, award_id = batch.award "  # noqa: S608
                f"FROM unnest(%s::bigint[], %s::bigint[]) AS batch(row_id, award) "
                f"WHERE {table}.id = batch.row_id",
                # Integers written as array literals here: psycopg's list adapter writes
                # them one by one in Python, several times slower.
                [
                    RowStatus.AWARDED.value,
                    "{" + ",".join(map(str, award_of_row)) + "}",
                    "{" + ",".join(map(str, award_of_row.values())) + "}",
                ],
            )
        return
    BulkAwardRow.objects.bulk_update(
        [
            BulkAwardRow(pk=row, status=RowStatus.AWARDED, award_id=award)
            for row, award in award_of_row.items()
        ],
        ["status", "award"],
        batch_size=500,
    )


def bulk_job_process(*, job_id: int, after_batch: Callable | None = None) -> BulkAwardJob:
    """Award every pending row of a confirmed job, batch by batch. Safe to run again after a
    crash and safe to run in several workers at once (rows are claimed with SKIP LOCKED on
    PostgreSQL; SQLite serialises writers). `after_batch(rows)` is called inside each batch's
    transaction (tests use it to simulate a crash)."""
    with transaction.atomic():
        job = BulkAwardJob.objects.select_for_update().select_related("badge_class").get(pk=job_id)
        if job.status not in (JobStatus.CONFIRMED, JobStatus.RUNNING):
            return job
        if job.status == JobStatus.CONFIRMED:
            job.status = JobStatus.RUNNING
            job.started_at = job.started_at or timezone.now()
            job.save(update_fields=["status", "started_at", "updated_at"])
    actor = job.created_by
    # What the worker holds before the job (Django, its modules, the signing templates) is
    # alive for good; frozen, the cyclic collector stops rescanning it while the job makes
    # and drops millions of objects (GC time per award halved, docs/scale.md).
    gc.freeze()
    try:
        return _process_pending(job, actor, after_batch)
    finally:
        gc.unfreeze()


def _process_pending(job: BulkAwardJob, actor, after_batch: Callable | None) -> BulkAwardJob:
    """Batches until no row is pending, then the job is done (unless stopped meanwhile)."""
    # The first batch looks for earlier awards before signing; later ones only while the
    # previous batch met some (the file, or part of it, was awarded before): a new file's
    # batches leave that to the check under the lock (issuing.services.awards_create_bulk).
    look_up_first = True
    after_row = 0
    try:
        while True:
            current = BulkAwardJob.objects.values_list("status", flat=True).get(pk=job.pk)
            if current != JobStatus.RUNNING:
                job.refresh_from_db()
                return job
            handled, repeats, last_row = _process_batch(
                job, actor, after_batch, look_up_first=look_up_first, after_row=after_row
            )
            if not handled:
                if not after_row:
                    break
                # Rows another task of this job held (skipped while locked) may have been
                # given back by a crash: one more pass from the first row finds them.
                after_row = 0
                continue
            after_row = last_row
            look_up_first = repeats > 0
    except (ValidationError, PermissionDenied) as exc:
        # A refusal of the whole batch (badge class archived, the uploader lost the awarder
        # role, …): stop and say why; pending rows stay pending so the job can be resumed
        # once the cause is fixed.
        reason = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        BulkAwardJob.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, failure_reason=reason, updated_at=timezone.now()
        )
        job.refresh_from_db()
        return job
    with transaction.atomic():
        job = BulkAwardJob.objects.select_for_update().get(pk=job.pk)
        still_pending = BulkAwardRow.objects.filter(job=job, status=RowStatus.PENDING).exists()
        if job.status == JobStatus.RUNNING and not still_pending:
            job.status = JobStatus.DONE
            job.finished_at = timezone.now()
            job.save(update_fields=["status", "finished_at", "updated_at"])
            audit_record(
                actor=actor,
                action="bulk_award.finished",
                target=job,
                organisation=job.organisation,
                data={
                    "awarded": job.awarded_count,
                    "skipped": job.skipped_count,
                    "failed": job.failed_count,
                },
            )
    return job
