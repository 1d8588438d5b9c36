"""The evidence services: adding within limits, duplicates, attaching, deleting, thumbnails."""

import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import override_settings
from PIL import Image

from audit.models import AuditEvent
from evidence import services
from evidence.conf import evidence_storage
from evidence.files import inspect_upload
from evidence.models import BadgeEvidence, EvidenceItem, ThumbnailState

from .conftest import MP4, docx_bytes, make_badge, pdf_bytes, png_bytes, upload

pytestmark = pytest.mark.django_db


def add_file(user, name="photo.png", data=None):
    return services.evidence_file_add(actor=user, upload=upload(name, data or png_bytes()))


def test_adding_a_file_stores_it_under_a_random_name_and_records_it(w):
    item = add_file(w.learner, "../../etc/My Photo.png")
    assert item.original_filename == "My Photo.png"
    assert item.title == "My Photo"
    assert item.file.name.startswith("files/") and item.file.name.endswith(".png")
    assert "Photo" not in item.file.name
    assert evidence_storage().exists(item.file.name)
    assert item.size == evidence_storage().size(item.file.name)
    assert AuditEvent.objects.filter(action="evidence.added", target_id=str(item.public_id))


def test_image_and_pdf_thumbnails_are_made_by_the_task(w, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        image = add_file(w.learner, "photo.png", png_bytes((900, 300)))
        pdf = add_file(w.learner, "report.pdf", pdf_bytes((200, 300), (30, 160, 60)))
        video = add_file(w.learner, "talk.mp4", MP4)
    assert image.thumbnail_state == pdf.thumbnail_state == ThumbnailState.PENDING
    image.refresh_from_db()
    pdf.refresh_from_db()
    video.refresh_from_db()
    assert image.thumbnail_state == ThumbnailState.READY
    with image.thumbnail.open("rb") as thumb, Image.open(thumb) as picture:
        assert picture.format == "WEBP"
        assert picture.size == (480, 160)
    assert pdf.thumbnail_state == ThumbnailState.READY
    with pdf.thumbnail.open("rb") as thumb, Image.open(thumb) as picture:
        assert max(picture.size) <= 480
        red, green, _blue = picture.convert("RGB").getpixel(
            (picture.width // 2, picture.height // 2)
        )
        assert green > 120 and red < 80  # the page's green, really drawn
    assert video.thumbnail_state == ThumbnailState.NONE and not video.thumbnail
    # Running the task again changes nothing.
    name = pdf.thumbnail.name
    assert services.evidence_thumbnail_make(evidence_id=pdf.pk) == ThumbnailState.READY
    pdf.refresh_from_db()
    assert pdf.thumbnail.name == name


def test_a_thumbnail_that_cannot_be_drawn_leaves_the_icon(w):
    item = add_file(w.learner, "report.pdf", pdf_bytes())
    with open(evidence_storage().path(item.file.name), "wb") as damaged:
        damaged.write(b"%PDF-1.4 damaged")
    assert services.evidence_thumbnail_make(evidence_id=item.pk) == ThumbnailState.FAILED


def test_the_same_file_twice_is_refused_as_a_duplicate(w):
    first = add_file(w.learner)
    with pytest.raises(services.DuplicateEvidence) as caught:
        add_file(w.learner, "again.png")
    assert caught.value.existing == first
    assert "already in your library" in caught.value.messages[0]
    assert EvidenceItem.objects.filter(owner=w.learner).count() == 1
    # Another learner may keep the same bytes.
    add_file(w.other)


@override_settings(EVIDENCE_QUOTA_MB=1)
def test_the_quota_is_enforced(w):
    big = docx_bytes() + b"\x00" * (700 * 1024)
    services.evidence_file_add(actor=w.learner, upload=upload("one.docx", big))
    with pytest.raises(ValidationError) as caught:
        services.evidence_file_add(actor=w.learner, upload=upload("two.docx", big + b"\x01"))
    assert caught.value.code == "quota"
    assert "1.0\xa0MB" in caught.value.messages[0]
    assert EvidenceItem.objects.filter(owner=w.learner).count() == 1
    # Nothing of the refused file was left on disk.
    stored = Path(evidence_storage().path("files")).iterdir()
    assert all(path.stat().st_size != len(big) + 1 for path in stored)


def test_links_are_validated_and_deduplicated(w):
    item = services.evidence_link_add(
        actor=w.learner, url="https://kadri.example.org/portfolio", title="  My  portfolio "
    )
    assert (item.kind, item.title) == ("link", "My portfolio")
    with pytest.raises(services.DuplicateEvidence):
        services.evidence_link_add(
            actor=w.learner, url="https://kadri.example.org/portfolio", title="Again"
        )
    for bad in ["javascript:alert(1)", "ftp://example.org/x", "not a url"]:
        with pytest.raises(ValidationError) as caught:
            services.evidence_link_add(actor=w.learner, url=bad, title="x")
        assert "url" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.evidence_link_add(actor=w.learner, url="https://example.org/", title="   ")
    assert "title" in caught.value.message_dict


def test_only_the_owner_edits_deletes_attaches(w):
    item = add_file(w.learner)
    other_badge = make_badge(w.other, name="Other's badge")
    with pytest.raises(Http404):
        services.evidence_update(actor=w.other, evidence=item, title="Mine now")
    with pytest.raises(Http404):
        services.evidence_delete(actor=w.other, evidence=item)
    with pytest.raises(Http404):
        services.badge_evidence_attach(actor=w.other, badge=other_badge, evidence=item)
    with pytest.raises(Http404):
        services.badge_evidence_attach(actor=w.learner, badge=other_badge, evidence=item)
    assert EvidenceItem.objects.filter(pk=item.pk, title="photo").exists()
    assert not BadgeEvidence.objects.exists()


def test_attach_is_idempotent_ordered_and_bounded(w, monkeypatch):
    first = add_file(w.learner, "a.png", png_bytes(colour=(1, 2, 3)))
    second = add_file(w.learner, "b.png", png_bytes(colour=(4, 5, 6)))
    one = services.badge_evidence_attach(actor=w.learner, badge=w.badge, evidence=first)
    assert services.badge_evidence_attach(actor=w.learner, badge=w.badge, evidence=first) == one
    two = services.badge_evidence_attach(actor=w.learner, badge=w.badge, evidence=second)
    assert (one.position, two.position) == (0, 1)
    monkeypatch.setattr(services, "MAX_ATTACHMENTS_PER_BADGE", 2)
    third = add_file(w.learner, "c.png", png_bytes(colour=(7, 8, 9)))
    with pytest.raises(ValidationError) as caught:
        services.badge_evidence_attach(actor=w.learner, badge=w.badge, evidence=third)
    assert caught.value.code == "too_many_attachments"
    assert services.badge_evidence_detach(actor=w.learner, badge=w.badge, evidence=first)
    assert not services.badge_evidence_detach(actor=w.learner, badge=w.badge, evidence=first)
    assert EvidenceItem.objects.filter(pk=first.pk).exists()


def test_deleting_removes_files_and_attachments(w, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        item = add_file(w.learner, "report.pdf", pdf_bytes())
    item.refresh_from_db()
    services.badge_evidence_attach(actor=w.learner, badge=w.badge, evidence=item)
    names = [item.file.name, item.thumbnail.name]
    assert all(evidence_storage().exists(name) for name in names)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.evidence_delete(actor=w.learner, evidence=item) == 1
    assert not EvidenceItem.objects.filter(pk=item.pk).exists()
    assert not BadgeEvidence.objects.exists()
    assert not any(evidence_storage().exists(name) for name in names)
    event = AuditEvent.objects.get(action="evidence.deleted")
    assert event.data == {"attached_to": 1}


def test_usage_counts_files_only(w):
    add_file(w.learner, "photo.png")
    services.evidence_link_add(actor=w.learner, url="https://example.org/", title="Link")
    stored = EvidenceItem.objects.get(kind="file")
    assert services.evidence_usage(user=w.learner) == stored.size
    assert services.evidence_usage(user=w.other) == 0


def test_a_stored_photo_uploaded_again_is_a_duplicate(w):
    """JPEG re-encoding is lossy, so re-encoding the stored photo gives new bytes; the photo as
    stored (downloaded, or from an export) is still recognised as the same evidence."""
    photo = io.BytesIO()
    Image.effect_noise((160, 120), 80).convert("RGB").save(photo, format="JPEG", quality=95)
    first = add_file(w.learner, "photo.jpg", photo.getvalue())
    with first.file.open("rb") as stored:
        again = stored.read()
    assert inspect_upload(upload("photo-copy.jpg", again)).sha256 != first.sha256
    with pytest.raises(services.DuplicateEvidence) as caught:
        add_file(w.learner, "photo-copy.jpg", again)
    assert caught.value.existing == first


def test_files_go_with_the_account(w, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        item = add_file(w.learner, "report.pdf", pdf_bytes())
    item.refresh_from_db()
    names = [item.file.name, item.thumbnail.name]
    assert all(evidence_storage().exists(name) for name in names)
    with django_capture_on_commit_callbacks(execute=True):
        w.learner.delete()
    assert not any(evidence_storage().exists(name) for name in names)
