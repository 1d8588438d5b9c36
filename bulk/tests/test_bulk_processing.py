"""Processing confirmed jobs: every row awarded exactly once, through crashes and repeats."""

import json
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, connections
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from accounts.models import Role
from bulk import services
from bulk.models import BulkAwardRow, JobStatus, RowStatus
from issuing.models import Award, AwardSource
from issuing.services import award_create, badge_class_archive

from .conftest import csv_text, csv_upload


class SimulatedCrash(Exception):
    pass


def make_job(w, badge, text):
    return services.bulk_job_upload(
        actor=w.members[Role.AWARDER], badge_class=badge, upload=csv_upload(text)
    )


def confirm(w, job, django_capture_on_commit_callbacks, execute=False):
    with django_capture_on_commit_callbacks(execute=execute):
        return services.bulk_job_confirm(actor=w.members[Role.AWARDER], job=job)


def crash_after(batches: int):
    done = {"batches": 0}

    def hook(rows):
        done["batches"] += 1
        if done["batches"] > batches:
            raise SimulatedCrash

    return hook


def assert_awarded_exactly_once(job, expected: int):
    awards = Award.objects.filter(badge_class=job.badge_class)
    assert awards.count() == expected
    identities = Counter(awards.values_list("recipient_identity", flat=True))
    assert identities.most_common(1)[0][1] == 1
    rows = BulkAwardRow.objects.filter(job=job)
    assert rows.filter(status=RowStatus.AWARDED).count() == expected
    awarded = rows.filter(status=RowStatus.AWARDED)
    assert set(awarded.values_list("award__recipient_identity", flat=True)) == set(identities)
    assert awarded.values("award").distinct().count() == expected
    assert not rows.filter(status=RowStatus.AWARDED, award=None).exists()


def test_confirm_runs_the_task_and_awards_every_valid_row(
    w, badge, django_capture_on_commit_callbacks
):
    job = make_job(w, badge, csv_text(25, evidence=True) + "not-an-email,Bad\n")
    job = confirm(w, job, django_capture_on_commit_callbacks, execute=True)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert (job.awarded_count, job.failed_count, job.skipped_count) == (25, 0, 0)
    assert job.percent == 100
    assert_awarded_exactly_once(job, 25)
    award = BulkAwardRow.objects.get(job=job, row_number=2).award
    assert award.source == AwardSource.CSV
    assert award.recipient_name == "Learner 0"
    assert award.evidence == [{"url": "https://evidence.example.org/0"}]
    assert award.issued_at.date().isoformat() == "2026-01-15"
    credential = json.loads(bytes(award.credential_json))
    assert credential["credentialSubject"]["achievement"]["name"] == "Digital Facilitator"
    assert BulkAwardRow.objects.get(job=job, row_number=27).status == RowStatus.SKIPPED


def test_double_confirm_is_refused_and_enqueues_once(w, badge, django_capture_on_commit_callbacks):
    job = make_job(w, badge, csv_text(3))
    with django_capture_on_commit_callbacks() as callbacks:
        services.bulk_job_confirm(actor=w.members[Role.AWARDER], job=job)
        with pytest.raises(ValidationError, match="already confirmed"):
            services.bulk_job_confirm(actor=w.members[Role.AWARDER], job=job)
    assert len(callbacks) == 1


def test_crash_and_resume_of_ten_thousand_rows(w, badge, django_capture_on_commit_callbacks):
    job = make_job(w, badge, csv_text(10_000))
    confirm(w, job, django_capture_on_commit_callbacks)
    # The worker dies inside the fourth batch: three batches are committed, the fourth is
    # rolled back whole (awards and row statuses together).
    with pytest.raises(SimulatedCrash):
        services.bulk_job_process(job_id=job.pk, after_batch=crash_after(3))
    assert Award.objects.filter(badge_class=badge).count() == 3 * services.PROCESS_BATCH
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING
    assert job.awarded_count == 3000
    # A second crash, then the restarted worker finishes.
    with pytest.raises(SimulatedCrash):
        services.bulk_job_process(job_id=job.pk, after_batch=crash_after(2))
    job = services.bulk_job_process(job_id=job.pk)
    assert job.status == JobStatus.DONE
    assert (job.awarded_count, job.failed_count, job.skipped_count) == (10_000, 0, 0)
    assert_awarded_exactly_once(job, 10_000)
    # Running the finished job again changes nothing.
    services.bulk_job_process(job_id=job.pk)
    assert Award.objects.filter(badge_class=badge).count() == 10_000


def test_a_batch_replayed_after_commit_awards_nothing_twice(
    w, badge, django_capture_on_commit_callbacks
):
    """A crash after awards were committed but before rows were marked is impossible (one
    transaction); the idempotency keys would still catch it: rows put back to pending are
    matched to their existing awards."""
    job = make_job(w, badge, csv_text(30))
    confirm(w, job, django_capture_on_commit_callbacks)
    services.bulk_job_process(job_id=job.pk)
    BulkAwardRow.objects.filter(job=job).update(status=RowStatus.PENDING, award=None)
    job.refresh_from_db()
    job.status = JobStatus.RUNNING
    job.save()
    job = services.bulk_job_process(job_id=job.pk)
    assert Award.objects.filter(badge_class=badge).count() == 30
    assert BulkAwardRow.objects.filter(job=job, status=RowStatus.SKIPPED).count() == 30
    assert not BulkAwardRow.objects.filter(job=job, award=None).exists()


def test_same_file_twice_never_duplicates(w, badge, django_capture_on_commit_callbacks):
    first = make_job(w, badge, csv_text(5))
    confirm(w, first, django_capture_on_commit_callbacks, execute=True)
    second = make_job(w, badge, csv_text(5))
    assert second.valid_rows == 0
    assert second.duplicate_rows == 5
    assert list(services.earlier_uploads(second)) == [first]
    with pytest.raises(ValidationError, match="No row of this file can be awarded"):
        services.bulk_job_confirm(actor=w.members[Role.AWARDER], job=second)
    assert Award.objects.filter(badge_class=badge).count() == 5


def test_same_file_twice_for_a_class_allowing_duplicates(
    w, badge, django_capture_on_commit_callbacks
):
    from issuing.services import badge_class_update

    badge_class_update(actor=w.members[Role.DESIGNER], badge_class=badge, allow_duplicates=True)
    badge.refresh_from_db()
    first = make_job(w, badge, csv_text(5))
    confirm(w, first, django_capture_on_commit_callbacks, execute=True)
    second = make_job(w, badge, csv_text(5))
    assert second.valid_rows == 5
    confirm(w, second, django_capture_on_commit_callbacks, execute=True)
    second.refresh_from_db()
    assert second.status == JobStatus.DONE
    assert second.skipped_count == 5
    assert Award.objects.filter(badge_class=badge).count() == 5


def test_rows_awarded_meanwhile_fail_with_the_reason(w, badge, django_capture_on_commit_callbacks):
    job = make_job(w, badge, csv_text(3))
    award_create(
        actor=w.members[Role.AWARDER], badge_class=badge, recipient_email="learner1@example.org"
    )
    confirm(w, job, django_capture_on_commit_callbacks, execute=True)
    job.refresh_from_db()
    assert (job.status, job.awarded_count, job.failed_count) == (JobStatus.DONE, 2, 1)
    row = BulkAwardRow.objects.get(job=job, row_number=3)
    assert row.status == RowStatus.FAILED
    assert row.errors == ["learner1@example.org already has this badge."]


def test_batches_after_a_clean_one_leave_the_look_up_to_the_lock(
    w, badge, django_capture_on_commit_callbacks, monkeypatch
):
    """A new file's later batches skip the look-up before signing; a batch that meets an
    earlier award (here one recipient awarded meanwhile) turns it back on for the next."""
    monkeypatch.setattr(services, "PROCESS_BATCH", 10)
    flags = []
    real = services.awards_create_bulk

    def recording(**kwargs):
        flags.append(kwargs["look_up_first"])
        return real(**kwargs)

    monkeypatch.setattr(services, "awards_create_bulk", recording)
    job = make_job(w, badge, csv_text(40))
    award_create(
        actor=w.members[Role.AWARDER], badge_class=badge, recipient_email="learner25@example.org"
    )
    confirm(w, job, django_capture_on_commit_callbacks, execute=True)
    job.refresh_from_db()
    assert flags == [True, False, False, True]
    assert (job.status, job.awarded_count, job.failed_count) == (JobStatus.DONE, 39, 1)
    assert BulkAwardRow.objects.get(job=job, row_number=27).errors == [
        "learner25@example.org already has this badge."
    ]
    assert Award.objects.filter(badge_class=badge).count() == 40


def test_archived_badge_class_stops_the_job_which_can_resume(
    w, badge, django_capture_on_commit_callbacks
):
    job = make_job(w, badge, csv_text(3))
    badge_class_archive(actor=w.members[Role.DESIGNER], badge_class=badge)
    confirm(w, job, django_capture_on_commit_callbacks, execute=True)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "archived" in job.failure_reason
    assert BulkAwardRow.objects.filter(job=job, status=RowStatus.PENDING).count() == 3
    badge.archived_at = None
    badge.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.bulk_job_resume(actor=w.members[Role.AWARDER], job=job)
    job.refresh_from_db()
    assert (job.status, job.awarded_count) == (JobStatus.DONE, 3)


def test_cancel_stops_and_skips_pending_rows(w, badge, django_capture_on_commit_callbacks):
    job = make_job(w, badge, csv_text(2500))
    confirm(w, job, django_capture_on_commit_callbacks)

    def cancel_after_first_batch(rows):
        if not Award.objects.filter(badge_class=badge).count() > 1000:
            services.bulk_job_cancel(actor=w.members[Role.AWARDER], job=job)

    job = services.bulk_job_process(job_id=job.pk, after_batch=cancel_after_first_batch)
    assert job.status == JobStatus.CANCELLED
    assert job.awarded_count == 1000
    assert BulkAwardRow.objects.filter(job=job, status=RowStatus.SKIPPED).count() == 1500
    with pytest.raises(ValidationError):
        services.bulk_job_cancel(actor=w.members[Role.AWARDER], job=job)


def bulk_tasks():
    return DBTaskResult.objects.filter(task_path="bulk.tasks.bulk_job_process_task")


@pytest.mark.django_db(transaction=True)
def test_real_database_backend_and_worker(w, badge):
    """Confirming enqueues on the django-tasks-db backend (the one production uses) and
    `db_worker --batch` runs the job. Transactional: the task is enqueued on commit."""
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        job = make_job(w, badge, csv_text(40))
        services.bulk_job_confirm(actor=w.members[Role.AWARDER], job=job)
        job.refresh_from_db()
        assert job.status == JobStatus.CONFIRMED
        assert bulk_tasks().filter(status="READY").count() == 1
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert bulk_tasks().get().status == "SUCCESSFUL"
    assert_awarded_exactly_once(job, 40)


def test_row_language_chooses_the_notification_language(
    w, badge, django_capture_on_commit_callbacks
):
    from notifications.models import AwardNotification

    job = make_job(w, badge, "email,language\nana@example.org,fr\nben@example.org,\n")
    confirm(w, job, django_capture_on_commit_callbacks)
    services.bulk_job_process(job_id=job.pk)
    languages = dict(AwardNotification.objects.values_list("award__recipient_identity", "language"))
    assert languages["ana@example.org"] == "fr"
    assert languages["ben@example.org"] != "fr"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks of another session")
@pytest.mark.django_db(transaction=True)
def test_rows_another_task_held_are_awarded_once_it_lets_go(w, badge, monkeypatch):
    """A batch continues after the rows the previous one handled; rows it skipped because
    another task of the job held them (here a second session) are found again by one more
    pass from the first row once that task let go, as it does when it crashes."""
    monkeypatch.setattr(services, "PROCESS_BATCH", 10)
    job = make_job(w, badge, csv_text(40))
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        services.bulk_job_confirm(actor=w.members[Role.AWARDER], job=job)
    other = connections.create_connection("default")
    try:
        other.set_autocommit(False)
        with other.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM bulk_bulkawardrow WHERE job_id = %s AND row_number <= 6 FOR UPDATE",
                [job.pk],
            )
        batches = []

        def after_batch(rows):
            batches.append(rows)
            if len(batches) == 2:
                other.rollback()  # the other task is gone: its rows are pending again

        job = services.bulk_job_process(job_id=job.pk, after_batch=after_batch)
    finally:
        other.close()
    assert batches == [10, 10, 10, 5, 5]
    assert job.status == JobStatus.DONE
    assert_awarded_exactly_once(job, 40)
