"""Bulk award in a real browser: upload, preview, confirm, live progress to 100 %, report
download; axe finds no serious or critical violation on the pages."""

import csv
import io

import pytest
from allauth.account.models import EmailAddress
from django.test import override_settings

from accounts.models import Membership, Organisation, Role, User
from badgeeurope.tests.browser import serious_violations
from bulk import services
from bulk.models import BulkAwardJob, JobStatus
from issuing import services as issuing

from .conftest import BADGE_FIELDS, csv_text, png_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-only"


@pytest.fixture
def signed_in(live_server, page):
    organisation = Organisation.objects.create(slug="hansa-academy", name="Hansa Academy")
    awarder = User.objects.create_user(email="awarder@hansa.example.org", password=PASSWORD)
    EmailAddress.objects.create(user=awarder, email=awarder.email, verified=True, primary=True)
    Membership.objects.create(organisation=organisation, user=awarder, role=Role.ADMIN)
    badge = issuing.badge_class_create(
        actor=awarder, organisation=organisation, image=png_bytes(), **BADGE_FIELDS
    )
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", awarder.email)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return f"{live_server.url}/o/{organisation.slug}/badges/{badge.public_id}/bulk/"


def test_upload_preview_confirm_progress_and_report(page, signed_in, tmp_path):
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    data = csv_text(30) + "not-an-email,Nobody,2026-01-15\n"
    path = tmp_path / "learners.csv"
    path.write_text(data, encoding="utf-8")

    page.goto(signed_in)
    assert serious_violations(page) == []
    page.set_input_files("input[name=file]", str(path))
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url("**/bulk/*/")
    assert page.get_by_role("heading", level=1).inner_text() == "Check the rows, then confirm"
    assert "not-an-email is not a valid email address." in page.content()
    assert serious_violations(page) == []

    # The database backend only queues the job, so the page shows it waiting and polls.
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        page.get_by_role("button", name="Award 30 badges").click()
        page.wait_for_selector("text=The badges are being awarded.")
        assert "0 %" in page.locator("#bulk-progress").inner_text()
        assert serious_violations(page) == []
        job = BulkAwardJob.objects.get()
        assert job.status == JobStatus.CONFIRMED
        services.bulk_job_process(job_id=job.pk)

    # The poller swaps in the finished state without a reload.
    page.wait_for_selector("#bulk-progress >> text=100 %")
    assert page.locator("progress").get_attribute("value") == "30"
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the result report (CSV)").click()
    report = download_info.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(report)))
    assert len(rows) == 32
    assert sum(row[3] == "Awarded" for row in rows[1:]) == 30
    assert serious_violations(page) == []
    assert errors == []
