"""Uploading award CSV files: encodings, delimiters, headers, row checks and refusals."""

import codecs
import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Role
from bulk import services
from bulk.models import BulkAwardJob, BulkAwardRow, JobStatus, RowStatus

from .conftest import csv_text, csv_upload, png_bytes

NAMES = "email,name\nzoe.dupre@example.fr,Zoë Dupré\nkaethe@example.de,Käthe Müßig\n"


def upload(w, badge, data, name="awards.csv"):
    return services.bulk_job_upload(
        actor=w.members[Role.AWARDER], badge_class=badge, upload=csv_upload(data, name)
    )


def names(job):
    return list(job.rows.order_by("row_number").values_list("name", flat=True))


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (NAMES.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + NAMES.encode("utf-8"), "utf-8-sig"),
        (NAMES.encode("utf-16"), "utf-16"),
        (codecs.BOM_UTF16_BE + NAMES.encode("utf-16-be"), "utf-16"),
        (NAMES.encode("cp1252"), "cp1252"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-le-bom", "utf-16-be-bom", "cp1252"],
)
def test_encodings_are_detected(w, badge, data, encoding):
    job = upload(w, badge, data)
    assert job.encoding == encoding
    assert names(job) == ["Zoë Dupré", "Käthe Müßig"]
    assert job.valid_rows == 2


def test_latin1_bytes_undefined_in_cp1252(w, badge):
    data = "email,name\na@example.org,Ana\x8d\n".encode("latin-1")
    job = upload(w, badge, data)
    assert job.encoding == "latin-1"
    assert names(job) == ["Ana\x8d"]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiters_are_sniffed(w, badge, delimiter):
    job = upload(w, badge, csv_text(3, delimiter=delimiter, evidence=True))
    assert job.delimiter == delimiter
    assert job.valid_rows == 3
    row = job.rows.first()
    assert row.evidence_url == "https://evidence.example.org/0"
    assert str(row.issued_on) == "2026-01-15"


def test_headers_any_case_spacing_and_french_german_synonyms(w, badge):
    data = (
        " E-Mail ;NOM;Commentaire;Nachweis URL;Date d'émission;Langue\n"
        "a@example.org;Ana;Bien;https://x.example.org/1;31.03.2026;FR\n"
    )
    job = upload(w, badge, data)
    row = job.rows.get()
    assert (row.email, row.name, row.narrative, row.language) == (
        "a@example.org",
        "Ana",
        "Bien",
        "fr",
    )
    assert str(row.issued_on) == "2026-03-31"
    assert job.warnings == []


def test_quoted_cells_with_delimiters_and_newlines(w, badge):
    data = (
        'email,narrative\na@example.org,"Led the group; wrote\nthe report, too"\nb@example.org,x\n'
    )
    job = upload(w, badge, data)
    rows = list(job.rows.order_by("row_number"))
    assert rows[0].narrative == "Led the group; wrote\nthe report, too"
    assert rows[1].email == "b@example.org"


def test_missing_required_column_refuses_the_file(w, badge):
    with pytest.raises(ValidationError) as error:
        upload(w, badge, "name,narrative\nAna,x\n")
    assert "no email column" in error.value.messages[0]
    assert not BulkAwardJob.objects.exists()


def test_extra_columns_warn_and_are_ignored(w, badge):
    job = upload(w, badge, "email,Shoe size,name,EMAIL\na@example.org,42,Ana,b@example.org\n")
    assert job.warnings == [
        "These columns are not used and were ignored: Shoe size.",
        "These columns repeat an earlier one and were ignored: EMAIL.",
    ]
    row = job.rows.get()
    assert (row.email, row.name) == ("a@example.org", "Ana")


def test_row_errors_are_stored_with_their_row_numbers(w, badge):
    data = (
        "email,name,evidence url,issue date,language\n"
        "good@example.org,Good,,,\n"
        "not-an-email,Bad,,,\n"
        ",Nobody,,,\n"
        "\n"
        "url@example.org,U,ftp://files.example.org/x,,\n"
        "future@example.org,F,,2999-01-01,\n"
        "baddate@example.org,D,,next tuesday,\n"
        "lang@example.org,L,,,klingon\n"
        "GOOD@Example.org,Again,,,\n"
    )
    job = upload(w, badge, data)
    rows = {row.row_number: row for row in job.rows.all()}
    assert sorted(rows) == [2, 3, 4, 6, 7, 8, 9, 10]  # the blank line 5 is no row
    assert rows[2].errors == [] and rows[2].status == RowStatus.PENDING
    assert rows[3].errors == ["not-an-email is not a valid email address."]
    assert rows[4].errors == ["The email address is missing."]
    assert "is not a web address" in rows[6].errors[0]
    assert rows[7].errors == ["The issue date 2999-01-01 is in the future."]
    assert "is not a date" in rows[8].errors[0]
    assert "klingon is not a language of this site" in rows[9].errors[0]
    assert rows[10].errors == ["good@example.org is already in row 2 of this file."]
    assert rows[10].is_duplicate
    assert all(row.status == RowStatus.SKIPPED for n, row in rows.items() if n != 2)
    assert (job.total_rows, job.valid_rows, job.error_rows, job.duplicate_rows) == (8, 1, 7, 1)
    assert job.status == JobStatus.PREVIEWED


def test_already_awarded_recipients_are_flagged(w, badge):
    from issuing.services import award_create

    award_create(actor=w.members[Role.AWARDER], badge_class=badge, recipient_email="a@example.org")
    job = upload(w, badge, "email\nA@example.org\nb@example.org\n")
    rows = list(job.rows.order_by("row_number"))
    assert rows[0].errors == ["a@example.org already has this badge."]
    assert rows[0].is_duplicate
    assert rows[1].errors == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"  \n\n", "The file is empty."),
        (b"email,name\n", "The file has a header row but no rows to award."),
        (b"\nemail\na@example.org\n", "The first row must name the columns; it is empty."),
        (png_bytes(), "This is not a CSV text file."),
        (bytes(range(256)) * 50, "This is not a CSV text file."),
    ],
    ids=["empty", "blank", "header-only", "blank-header", "png", "binary"],
)
def test_unreadable_files_are_refused_and_nothing_is_kept(w, badge, data, message):
    with pytest.raises(ValidationError) as error:
        upload(w, badge, data)
    assert error.value.messages[0].startswith(message)
    assert not BulkAwardJob.objects.exists()
    assert not BulkAwardRow.objects.exists()


def test_too_many_rows_refused(w, badge):
    with pytest.raises(ValidationError) as error:
        services.bulk_job_upload(
            actor=w.members[Role.AWARDER],
            badge_class=badge,
            upload=csv_upload(csv_text(11)),
            max_rows=10,
        )
    assert "more than 10 rows" in error.value.messages[0]
    assert not BulkAwardRow.objects.exists()


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.DESIGNER])
def test_upload_needs_the_award_permission(w, badge, role):
    with pytest.raises(PermissionDenied):
        services.bulk_job_upload(
            actor=w.members[role], badge_class=badge, upload=csv_upload(csv_text(1))
        )
    with pytest.raises(PermissionDenied):
        services.bulk_job_upload(actor=w.outsider, badge_class=badge, upload=csv_upload("email\n"))


def test_same_file_twice_is_recognised(w, badge):
    first = upload(w, badge, csv_text(3))
    second = upload(w, badge, csv_text(3))
    other = upload(w, badge, csv_text(4))
    assert first.content_hash == second.content_hash != other.content_hash
    assert list(services.earlier_uploads(second)) == [first]
    assert list(services.earlier_uploads(first)) == []


def test_hundred_thousand_rows_parse_in_reasonable_time(w, badge):
    data = csv_text(100_000)
    # CPU time of this process (SQLite runs in it; PostgreSQL's share is a COPY): the wall
    # clock on a shared 2-core machine mostly measures the neighbours.
    started = time.process_time()
    job = upload(w, badge, data)
    elapsed = time.process_time() - started
    assert job.total_rows == job.valid_rows == 100_000
    assert job.rows.count() == 100_000
    assert elapsed < 20, f"parsing 100,000 rows took {elapsed:.1f} s of CPU time"
