"""Bulk award pages: permissions, upload → preview → confirm → report, bad input."""

import csv
import io

import pytest
from django.urls import reverse

from accounts.models import Role
from bulk import services
from bulk.models import BulkAwardJob, JobStatus
from issuing.models import Award

from .conftest import csv_text, csv_upload


def login(client, user):
    client.force_login(user)
    return client


def make_job(w, badge, text):
    return services.bulk_job_upload(
        actor=w.members[Role.AWARDER], badge_class=badge, upload=csv_upload(text)
    )


def urls(w, badge, job):
    slug = w.organisation.slug
    return {
        "upload": reverse("bulk:upload", args=[slug, badge.public_id]),
        "job": reverse("bulk:job", args=[slug, job.public_id]),
        "progress": reverse("bulk:progress", args=[slug, job.public_id]),
        "report": reverse("bulk:report", args=[slug, job.public_id]),
    }


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 302),
        ("outsider", 404),
        (Role.REVIEWER, 403),
        (Role.DESIGNER, 403),
        (Role.AWARDER, 200),
        (Role.ADMIN, 200),
        (Role.OWNER, 200),
    ],
)
def test_permission_matrix(client, w, badge, who, expected):
    job = make_job(w, badge, csv_text(2))
    if who == "outsider":
        login(client, w.outsider)
    elif who != "anonymous":
        login(client, w.members[who])
    for name, url in urls(w, badge, job).items():
        response = client.get(url)
        assert response.status_code == expected, name
    slug = w.organisation.slug
    for action in ("confirm", "cancel", "resume"):
        response = client.post(reverse(f"bulk:{action}", args=[slug, job.public_id]))
        assert response.status_code == (302 if expected == 200 else expected), action
    job.refresh_from_db()
    if expected != 200:
        assert job.status == JobStatus.PREVIEWED


def test_other_organisations_jobs_are_not_found(client, w, badge):
    job = make_job(w, badge, csv_text(2))
    login(client, w.outsider)
    response = client.get(reverse("bulk:job", args=[w.other.slug, job.public_id]))
    assert response.status_code == 404


def test_upload_preview_confirm_report(client, w, badge, django_capture_on_commit_callbacks):
    login(client, w.members[Role.AWARDER])
    upload_url = reverse("bulk:upload", args=[w.organisation.slug, badge.public_id])
    assert "Award from a CSV file" in client.get(upload_url).content.decode()
    data = csv_text(4) + "broken-address,Nobody,2026-01-15\n"
    response = client.post(upload_url, {"file": csv_upload(data, "learners.csv")})
    job = BulkAwardJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("bulk:job", args=[w.organisation.slug, job.public_id])
    page = client.get(response["Location"]).content.decode()
    assert "Check the rows, then confirm" in page
    assert "Award 4 badges" in page
    assert "broken-address is not a valid email address." in page
    assert "learner0@example.org" in page
    confirm_url = reverse("bulk:confirm", args=[w.organisation.slug, job.public_id])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(confirm_url, follow=True)
    assert "The badges are being awarded." in response.content.decode()
    job.refresh_from_db()
    assert (job.status, job.awarded_count) == (JobStatus.DONE, 4)
    # A second confirmation (double click) is harmless.
    response = client.post(confirm_url, follow=True)
    assert "already confirmed" in response.content.decode()
    assert Award.objects.count() == 4
    progress = client.get(reverse("bulk:progress", args=[w.organisation.slug, job.public_id]))
    assert "100 %" in progress.content.decode()
    assert progress["Cache-Control"].startswith("max-age=0")
    report = client.get(reverse("bulk:report", args=[w.organisation.slug, job.public_id]))
    assert report["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(report.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Row", "Email", "Name", "Status", "Award", "Message"]
    assert len(rows) == 6
    awarded = rows[1]
    assert awarded[:4] == ["2", "learner0@example.org", "Learner 0", "Awarded"]
    award = Award.objects.get(recipient_identity="learner0@example.org")
    assert awarded[4].endswith(f"/awards/{award.public_id}")
    assert rows[5][3] == "Skipped"
    assert rows[5][5] == "broken-address is not a valid email address."


def test_report_cells_cannot_run_as_formulas(client, w, badge):
    job = make_job(w, badge, 'email,name\na@example.org,"=HYPERLINK(""http://x"")"\n')
    login(client, w.members[Role.AWARDER])
    report = client.get(reverse("bulk:report", args=[w.organisation.slug, job.public_id]))
    text = b"".join(report.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The submitted file is empty."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This is not a CSV text file."),
        (b"name\nAna\n", "The file has no email column."),
    ],
)
def test_bad_files_get_a_clear_message(client, w, badge, data, message):
    login(client, w.members[Role.AWARDER])
    response = client.post(
        reverse("bulk:upload", args=[w.organisation.slug, badge.public_id]),
        {"file": csv_upload(data, "x.csv")},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not BulkAwardJob.objects.exists()


def test_too_large_file_refused_before_reading(client, w, badge, monkeypatch):
    monkeypatch.setattr(services, "MAX_FILE_SIZE", 10)
    from bulk import forms

    monkeypatch.setattr(forms, "MAX_FILE_SIZE", 10)
    login(client, w.members[Role.AWARDER])
    response = client.post(
        reverse("bulk:upload", args=[w.organisation.slug, badge.public_id]),
        {"file": csv_upload(csv_text(5))},
    )
    assert "The file is too large" in response.content.decode()
    assert not BulkAwardJob.objects.exists()


def test_same_file_twice_warns(client, w, badge):
    make_job(w, badge, csv_text(3))
    second = make_job(w, badge, csv_text(3))
    login(client, w.members[Role.AWARDER])
    page = client.get(reverse("bulk:job", args=[w.organisation.slug, second.public_id]))
    assert "This file was already uploaded on" in page.content.decode()


def test_archived_badge_class_upload_refused(client, w, badge):
    from issuing.services import badge_class_archive

    badge_class_archive(actor=w.members[Role.DESIGNER], badge_class=badge)
    login(client, w.members[Role.AWARDER])
    response = client.post(
        reverse("bulk:upload", args=[w.organisation.slug, badge.public_id]),
        {"file": csv_upload(csv_text(2))},
    )
    assert "archived" in response.content.decode()
    assert not BulkAwardJob.objects.exists()
