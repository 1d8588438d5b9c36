"""Evidence files on the award form: checked by content, stored at an unguessable URL that the
signed badge names, served safely, shown on the staff and public award pages, and removed again
when awarding fails."""

import io
import uuid
import zipfile
from pathlib import Path

import orjson
import pypdfium2
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.models import Role
from issuing import evidence, hosted
from issuing.models import Award, AwardEvidenceFile

from .test_award_views import award_url, form_data


def pdf_bytes() -> bytes:
    document = pypdfium2.PdfDocument.new()
    document.new_page(200, 200)
    output = io.BytesIO()
    document.save(output)
    document.close()
    return output.getvalue()


def jpeg_bytes() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(output, format="JPEG")
    return output.getvalue()


def png_with_payload() -> bytes:
    output = io.BytesIO()
    Image.new("RGBA", (20, 20), (0, 0, 0, 255)).save(output, format="PNG")
    return output.getvalue() + b"<script>alert(1)</script>"


def office_bytes(parts: dict[str, bytes]) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return output.getvalue()


DOCX = {
    "[Content_Types].xml": b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'content-types"/>',
    "word/document.xml": b"<w:document/>",
}
HOSTILE_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
)


def file_form(name: str, content: bytes, **changes) -> dict:
    return form_data(
        **{
            "evidence-0-url": "",
            "evidence-0-name": "Final report",
            "evidence-0-description": "Written after the fourth workshop.",
            "evidence-0-file": SimpleUploadedFile(name, content),
            **changes,
        }
    )


# -- content checks ------------------------------------------------------------------------------


def test_accepted_kinds_are_recognised_by_content():
    assert evidence.check_file(pdf_bytes()).content_type == "application/pdf"
    assert evidence.check_file(jpeg_bytes()).extension == "jpg"
    checked = evidence.check_file(office_bytes(DOCX))
    assert checked.extension == "docx"
    odt = office_bytes({"mimetype": b"application/vnd.oasis.opendocument.text"})
    assert evidence.check_file(odt).extension == "odt"
    webm = bytes.fromhex("1a45dfa3") + b"\x42\x82\x84webm" + b"\0" * 64
    assert evidence.check_file(webm).content_type == "video/webm"


def test_a_photo_whose_metadata_mentions_svg_is_still_a_photo():
    output = io.BytesIO()
    Image.new("RGB", (10, 10)).save(output, format="JPEG", comment=b"<svg onload=x>")
    checked = evidence.check_file(output.getvalue())
    assert checked.content_type == "image/jpeg"
    assert b"<svg" not in checked.data


def test_images_are_re_encoded_without_what_was_appended():
    checked = evidence.check_file(png_with_payload())
    assert checked.content_type == "image/png"
    assert b"<script>" not in checked.data
    with Image.open(io.BytesIO(checked.data)) as image:
        assert image.size == (20, 20)


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "evidence_empty"),
        (b"Just some text that calls itself a PDF.", "evidence_type"),
        (b"%PDF-1.7\nthis is not really a PDF", "evidence_invalid"),
        (HOSTILE_SVG, "evidence_svg"),
        (b'<?xml version="1.0"?>\n' + HOSTILE_SVG, "evidence_svg"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "evidence_invalid"),
        (b"PK\x03\x04 broken zip", "evidence_invalid"),
        (office_bytes({"notes.txt": b"hello"}), "evidence_type"),
        (office_bytes({**DOCX, "word/vbaProject.bin": b"macro"}), "evidence_macros"),
        (b"MZ\x90\x00 windows program", "evidence_type"),
    ],
)
def test_bad_files_are_refused_with_a_reason(content, code):
    with pytest.raises(ValidationError) as raised:
        evidence.check_file(content)
    assert raised.value.error_list[0].code == code
    assert raised.value.messages[0]


def test_oversize_is_refused(monkeypatch):
    monkeypatch.setattr(evidence, "MAX_FILE_BYTES", 1000)
    with pytest.raises(ValidationError) as raised:
        evidence.check_file(b"%PDF-" + b"x" * 1000)
    assert raised.value.error_list[0].code == "evidence_too_large"


def test_file_names_are_plain_and_carry_the_real_extension():
    assert evidence.safe_filename("Rapport final été.jpg", "pdf") == "Rapport-final-ete.pdf"
    assert evidence.safe_filename("../../etc/passwd", "pdf") == "passwd.pdf"
    assert evidence.safe_filename("C:\\work\\<x>.docx", "docx") == "x.docx"
    assert evidence.safe_filename("", "png") == "evidence.png"


def test_storing_needs_the_award_permission(w):
    upload = evidence.EvidenceUpload(name="a.pdf", data=pdf_bytes())
    for who in (w.members[Role.REVIEWER], w.members[Role.DESIGNER], w.outsider):
        with pytest.raises(PermissionDenied):
            evidence.evidence_files_store(actor=who, organisation=w.organisation, uploads=[upload])
    assert not AwardEvidenceFile.objects.exists()


# -- the award form --------------------------------------------------------------------------------


def test_file_evidence_is_signed_served_and_shown(client, w, badge):
    client.force_login(w.members[Role.AWARDER])
    response = client.post(award_url(w, badge), file_form("Final report.pdf", pdf_bytes()))
    assert response.status_code == 302, response.context["evidence"].errors
    award = Award.objects.get()
    stored = AwardEvidenceFile.objects.get()
    assert stored.award == award
    assert stored.filename == "Final-report.pdf"
    url = evidence.public_url(stored)
    assert url == f"http://127.0.0.1:8000/evidence/{stored.public_id}/Final-report.pdf"
    # In the signed OB 3.0 credential and in the OB 2.0 assertion.
    assert award.evidence[-1] == {
        "url": url,
        "name": "Final report",
        "description": "Written after the fourth workshop.",
    }
    credential = orjson.loads(bytes(award.credential_json))
    assert credential["evidence"][-1]["id"] == url
    assertion = orjson.loads(bytes(award.assertion_json))
    assert url in orjson.dumps(assertion).decode()
    report = hosted.verification_report(award)
    assert report.valid, [check.to_dict() for check in report.failures]
    # Served with a download disposition, nosniff and a sandbox.
    served = client.get(reverse("issuing:evidence_file", args=[stored.public_id, stored.filename]))
    assert served.status_code == 200
    with stored.file.open("rb") as handle:
        assert b"".join(served.streaming_content) == handle.read()
    assert served["Content-Type"] == "application/pdf"
    assert served["Content-Disposition"].startswith("attachment;")
    assert served["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in served["Content-Security-Policy"]
    assert "immutable" in served["Cache-Control"]
    # Shown on the staff page and the public page.
    staff = client.get(reverse("issuing_award:detail", args=[w.organisation.slug, award.public_id]))
    assert url in staff.text and "Final report" in staff.text
    client.logout()
    public = client.get(f"/awards/{award.public_id}", headers={"accept": "text/html"})
    assert url in public.text and "Final report" in public.text


def test_image_evidence_is_shown_inline(client, w, badge):
    client.force_login(w.members[Role.AWARDER])
    response = client.post(award_url(w, badge), file_form("photo.jpeg", jpeg_bytes()))
    assert response.status_code == 302
    stored = AwardEvidenceFile.objects.get()
    assert stored.content_type == "image/jpeg" and stored.filename == "photo.jpg"
    served = client.get(reverse("issuing:evidence_file", args=[stored.public_id, stored.filename]))
    assert served["Content-Disposition"].startswith("inline;")
    assert "sandbox" in served["Content-Security-Policy"]
    # A wrong name leads to the right one; an unknown id is 404.
    renamed = client.get(reverse("issuing:evidence_file", args=[stored.public_id, "other.exe"]))
    assert renamed.status_code == 302 and renamed["Location"].endswith("/photo.jpg")
    missing = client.get(reverse("issuing:evidence_file", args=[uuid.uuid4(), "photo.jpg"]))
    assert missing.status_code == 404


def stored_files(tmp_root) -> list:
    root = tmp_root / "evidence"
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", b"Not a PDF at all.", "This kind of file is not accepted as evidence."),
        ("drawing.svg", HOSTILE_SVG, "SVG drawings are not accepted as evidence."),
        ("empty.pdf", b"", "The submitted file is empty."),
    ],
)
def test_bad_uploads_give_a_form_error_and_award_nothing(client, w, badge, name, content, message):
    client.force_login(w.members[Role.AWARDER])
    response = client.post(award_url(w, badge), file_form(name, content))
    assert response.status_code == 200
    assert message in response.text
    assert not Award.objects.exists()
    assert not AwardEvidenceFile.objects.exists()


def test_oversize_upload_is_stopped_while_it_arrives(client, w, badge, monkeypatch):
    monkeypatch.setattr(evidence, "MAX_FILE_BYTES", 10_000)
    client.force_login(w.members[Role.AWARDER])
    big = pdf_bytes() + b"%" * 20_000
    response = client.post(award_url(w, badge), file_form("big.pdf", big))
    assert response.status_code == 200
    assert "The file is larger than" in response.text
    assert not Award.objects.exists()


def test_link_and_file_in_one_row_is_refused(client, w, badge):
    client.force_login(w.members[Role.AWARDER])
    data = file_form("a.pdf", pdf_bytes(), **{"evidence-0-url": "https://example.org/a"})
    response = client.post(award_url(w, badge), data)
    assert response.status_code == 200
    assert "Give either a link or a file, not both." in response.text
    assert not Award.objects.exists()


def test_failed_award_deletes_the_stored_file(client, w, badge, award, settings):
    client.force_login(w.members[Role.AWARDER])
    # The recipient already has this badge: awarding fails after the file was stored.
    data = file_form("a.pdf", pdf_bytes(), recipient_identity="kadri.tamm@example.org")
    before = stored_files(Path(settings.MEDIA_ROOT))
    response = client.post(award_url(w, badge), data)
    assert response.status_code == 200
    assert "already has this badge" in response.text
    assert not AwardEvidenceFile.objects.exists()
    assert stored_files(Path(settings.MEDIA_ROOT)) == before


def test_double_submit_with_a_file_stores_it_once(client, w, badge):
    client.force_login(w.members[Role.AWARDER])
    key = str(uuid.uuid4())
    first = client.post(award_url(w, badge), file_form("a.pdf", pdf_bytes(), idempotency_key=key))
    second = client.post(award_url(w, badge), file_form("a.pdf", pdf_bytes(), idempotency_key=key))
    assert first.status_code == second.status_code == 302
    assert Award.objects.count() == 1
    assert AwardEvidenceFile.objects.count() == 1
    assert AwardEvidenceFile.objects.get().award == Award.objects.get()


def test_reviewer_cannot_post_a_file(client, w, badge):
    client.force_login(w.members[Role.REVIEWER])
    response = client.post(award_url(w, badge), file_form("a.pdf", pdf_bytes()))
    assert response.status_code == 403
    assert not AwardEvidenceFile.objects.exists()


def test_the_award_form_still_checks_csrf(w, badge):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(w.members[Role.AWARDER])
    response = client.post(award_url(w, badge), file_form("a.pdf", pdf_bytes()))
    assert response.status_code == 403
    assert not Award.objects.exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_upload_evidence_in_a_browser(page, live_server, w, badge, tmp_path, settings):
    from .test_award_browser import serious_violations, sign_in

    settings.SITE_URL = live_server.url  # so the signed evidence URL is this server's
    photo = tmp_path / "Workshop photo.jpg"
    photo.write_bytes(jpeg_bytes())
    sign_in(page, live_server, w.members[Role.AWARDER])
    page.goto(live_server.url + award_url(w, badge))
    page.locator("#id_recipient_identity").fill("mia.berg@example.se")
    page.locator("#id_evidence-0-name").fill("Workshop photo")
    page.set_input_files("#id_evidence-0-file", str(photo))
    page.get_by_role("button", name="Award the badge").click()
    page.wait_for_url("**/awards/*/")
    assert serious_violations(page) == []
    award = Award.objects.get()
    stored = AwardEvidenceFile.objects.get(award=award)
    image = page.get_by_role("img", name="Workshop photo")
    assert image.get_attribute("src") == evidence.public_url(stored)
    assert image.evaluate("element => element.naturalWidth") == 40
    page.goto(f"{live_server.url}/awards/{award.public_id}")
    assert page.get_by_role("link", name="Workshop photo").get_attribute("href") == (
        evidence.public_url(stored)
    )
    assert serious_violations(page) == []
