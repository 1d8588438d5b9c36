"""Pages and file responses: who may open what, headers, uploads through the real request
parser (size limits while streaming), double submits, delete confirmation, and the learner's
evidence on passport badge pages."""

import hashlib

import pytest
from django.test import override_settings
from django.urls import reverse

from evidence import services
from evidence.models import BadgeEvidence, EvidenceItem
from passport.models import BadgeState, Visibility

from .conftest import (
    FAKE_PDF,
    MP4,
    SVG_WITH_SCRIPT,
    bomb_png,
    docx_bytes,
    make_badge,
    pdf_bytes,
    png_bytes,
    polyglot_png,
    upload,
)

pytestmark = pytest.mark.django_db

LIBRARY = reverse("evidence:library")
UPLOAD = reverse("evidence:upload")


@pytest.fixture
def items(w, django_capture_on_commit_callbacks):
    """An image, a PDF and a document, attached to the learner's badge."""
    with django_capture_on_commit_callbacks(execute=True):
        image = services.evidence_file_add(actor=w.learner, upload=upload("photo.png", png_bytes()))
        pdf = services.evidence_file_add(actor=w.learner, upload=upload("report.pdf", pdf_bytes()))
        doc = services.evidence_file_add(actor=w.learner, upload=upload("essay.docx", docx_bytes()))
    for item in (image, pdf, doc):
        services.badge_evidence_attach(actor=w.learner, badge=w.badge, evidence=item)
    image.refresh_from_db()
    pdf.refresh_from_db()
    return {"image": image, "pdf": pdf, "doc": doc}


def files(*pairs):
    return {"files": [upload(name, data) for name, data in pairs]}


# -- pages ------------------------------------------------------------------------------------


def test_pages_need_a_signed_in_user(client, w):
    for url in [LIBRARY, UPLOAD, reverse("evidence:link_add")]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_library_shows_items_and_usage(client, w, items):
    client.force_login(w.learner)
    response = client.get(LIBRARY)
    assert response.status_code == 200
    body = response.content.decode()
    for title in ["photo", "report", "essay"]:
        assert title in body
    assert "<meter" in body
    total = sum(item.size for item in EvidenceItem.objects.filter(owner=w.learner))
    assert f'value="{total}"' in body
    assert reverse("evidence:thumbnail", args=[items["image"].public_id]) in body


def test_library_of_another_learner_shows_nothing_of_it(client, w, items):
    client.force_login(w.other)
    body = client.get(LIBRARY).content.decode()
    assert not any(str(item.public_id) in body for item in items.values())
    assert "essay.docx" not in body
    assert "Your library is empty" in body


def test_upload_of_several_files_with_bad_ones_among_them(
    client, w, django_capture_on_commit_callbacks
):
    client.force_login(w.learner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            UPLOAD,
            files(
                ("photo.png", png_bytes()),
                ("report.pdf", pdf_bytes()),
                ("fake.pdf", FAKE_PDF),
                ("drawing.svg", SVG_WITH_SCRIPT),
                ("bomb.png", bomb_png()),
                ("empty.pdf", b""),
                ("polyglot.png", polyglot_png()),
            ),
            follow=True,
        )
    assert response.status_code == 200
    body = response.content.decode()
    assert "3 files added to your library." in body
    assert "“fake.pdf” is not a file type the library accepts" in body
    assert "“drawing.svg” is an SVG image" in body
    assert "“bomb.png” has more than" in body
    assert "“empty.pdf” is empty." in body
    stored = EvidenceItem.objects.filter(owner=w.learner)
    assert sorted(stored.values_list("original_filename", flat=True)) == [
        "photo.png",
        "polyglot.png",
        "report.pdf",
    ]
    assert set(stored.values_list("thumbnail_state", flat=True)) == {"ready"}
    polyglot = stored.get(original_filename="polyglot.png")
    with polyglot.file.open("rb") as stored_file:
        assert b"PK\x03\x04" not in stored_file.read()


def test_double_submit_adds_the_file_once(client, w):
    client.force_login(w.learner)
    for _attempt in range(2):
        response = client.post(UPLOAD, files(("photo.png", png_bytes())), follow=True)
        assert response.status_code == 200
    assert EvidenceItem.objects.filter(owner=w.learner).count() == 1
    assert "is already in your library" in response.content.decode()


def test_upload_without_files_says_so(client, w):
    client.force_login(w.learner)
    response = client.post(UPLOAD, {}, follow=True)
    assert "Choose at least one file to upload." in response.content.decode()


@override_settings(EVIDENCE_MAX_FILE_MB=1, FILE_UPLOAD_MAX_MEMORY_SIZE=64 * 1024)
def test_oversize_file_is_skipped_while_streaming(client, w, monkeypatch):
    from evidence import services as evidence_services

    reached = []
    monkeypatch.setattr(
        evidence_services.files,
        "inspect_upload",
        lambda upload: reached.append(upload.name) or pytest.fail("an oversize file was kept"),
    )
    client.force_login(w.learner)
    big = pdf_bytes() + b"0" * (1024 * 1024 + 1)
    response = client.post(UPLOAD, files(("big.pdf", big)), follow=True)
    body = response.content.decode()
    assert "“big.pdf” was not uploaded: it is larger than 1.0\xa0MB." in body
    assert reached == []
    assert not EvidenceItem.objects.exists()


@override_settings(EVIDENCE_QUOTA_MB=1)
def test_upload_past_the_quota_is_refused(client, w):
    client.force_login(w.learner)
    first = docx_bytes() + b"\x00" * (600 * 1024)
    second = docx_bytes() + b"\x01" * (600 * 1024)
    response = client.post(UPLOAD, files(("one.docx", first), ("two.docx", second)), follow=True)
    body = response.content.decode()
    assert "1 file added to your library." in body
    assert "“two.docx” was not uploaded: it does not fit in your library" in body
    assert list(EvidenceItem.objects.values_list("original_filename", flat=True)) == ["one.docx"]


def test_link_edit_and_delete(client, w, items):
    client.force_login(w.learner)
    response = client.post(
        reverse("evidence:link_add"),
        {"url": "https://kadri.example.org/", "title": "Portfolio", "description": ""},
        follow=True,
    )
    assert "The link “Portfolio” was added." in response.content.decode()
    response = client.post(
        reverse("evidence:link_add"), {"url": "javascript:alert(1)", "title": "x"}
    )
    assert response.status_code == 200
    assert EvidenceItem.objects.filter(kind="link").count() == 1

    image = items["image"]
    edit = reverse("evidence:edit", args=[image.public_id])
    assert client.get(edit).status_code == 200
    client.post(edit, {"title": "Workshop photo", "description": "Valencia, May"})
    image.refresh_from_db()
    assert (image.title, image.description) == ("Workshop photo", "Valencia, May")

    delete = reverse("evidence:delete", args=[image.public_id])
    page = client.get(delete).content.decode()
    assert "attached to a badge" in page and w.badge.name in page
    # Attached: refused until the learner confirms.
    response = client.post(delete, follow=True)
    assert "Confirm that the evidence may also be removed" in response.content.decode()
    assert EvidenceItem.objects.filter(pk=image.pk).exists()
    client.post(delete, {"confirm_attached": "yes"})
    assert not EvidenceItem.objects.filter(pk=image.pk).exists()


def test_another_learners_ids_answer_404(client, w, items):
    client.force_login(w.other)
    item = items["image"]
    other_badge = make_badge(w.other, name="Other's badge")
    for url in [
        reverse("evidence:edit", args=[item.public_id]),
        reverse("evidence:delete", args=[item.public_id]),
        reverse("evidence:file", args=[item.public_id]),
        reverse("evidence:thumbnail", args=[item.public_id]),
    ]:
        assert client.get(url).status_code == 404, url
        assert client.post(url).status_code in (404, 405), url
    # Attaching someone else's item to one's own badge, or to their badge.
    attach_own = reverse("evidence:attach", args=[other_badge.public_id])
    assert client.post(attach_own, {"evidence": str(item.public_id)}).status_code == 404
    assert client.post(attach_own, {"evidence": "not-a-uuid"}).status_code == 404
    attach_theirs = reverse("evidence:attach", args=[w.badge.public_id])
    assert client.post(attach_theirs, {"evidence": str(item.public_id)}).status_code == 404
    detach = reverse("evidence:detach", args=[w.badge.public_id, item.public_id])
    assert client.post(detach).status_code == 404
    assert BadgeEvidence.objects.filter(badge=w.badge).count() == 3
    assert EvidenceItem.objects.filter(pk=item.pk, title="photo").exists()


def test_attach_and_detach_from_the_badge_page(client, w, django_capture_on_commit_callbacks):
    client.force_login(w.learner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            UPLOAD, {**files(("photo.png", png_bytes())), "badge": str(w.badge.public_id)}
        )
    assert response["Location"] == reverse("passport:detail", args=[w.badge.public_id])
    item = EvidenceItem.objects.get()
    assert list(BadgeEvidence.objects.values_list("evidence", flat=True)) == [item.pk]
    detach = reverse("evidence:detach", args=[w.badge.public_id, item.public_id])
    client.post(detach)
    assert not BadgeEvidence.objects.exists()
    client.post(reverse("evidence:attach", args=[w.badge.public_id]), {"evidence": item.public_id})
    client.post(reverse("evidence:attach", args=[w.badge.public_id]), {"evidence": item.public_id})
    assert BadgeEvidence.objects.count() == 1


# -- file responses ---------------------------------------------------------------------------


def test_owner_file_responses_and_headers(client, w, items):
    client.force_login(w.learner)
    image = client.get(reverse("evidence:file", args=[items["image"].public_id]))
    assert image.status_code == 200
    assert image["Content-Type"] == "image/png"
    assert image["Content-Disposition"].startswith("inline")
    assert image["X-Content-Type-Options"] == "nosniff"
    assert image["Content-Security-Policy"] == "sandbox"
    assert b"".join(image.streaming_content).startswith(b"\x89PNG")
    pdf = client.get(reverse("evidence:file", args=[items["pdf"].public_id]))
    assert pdf["Content-Type"] == "application/pdf" and pdf["Content-Disposition"].startswith(
        "inline"
    )
    doc = client.get(reverse("evidence:file", args=[items["doc"].public_id]))
    assert doc["Content-Disposition"] == 'attachment; filename="essay.docx"'
    assert doc["Content-Security-Policy"] == "sandbox"
    thumb = client.get(reverse("evidence:thumbnail", args=[items["pdf"].public_id]))
    assert thumb["Content-Type"] == "image/webp"
    assert (
        client.get(reverse("evidence:thumbnail", args=[items["doc"].public_id])).status_code == 404
    )


def _badge_urls(w, item):
    return [
        reverse("evidence:badge_file", args=[w.badge.public_id, item.public_id]),
        reverse("evidence:badge_thumbnail", args=[w.badge.public_id, item.public_id]),
    ]


@pytest.mark.parametrize(
    ("visibility", "state", "hide", "anonymous", "signed_in"),
    [
        (Visibility.PRIVATE, BadgeState.ACCEPTED, False, 404, 404),
        (Visibility.SIGNED_IN, BadgeState.ACCEPTED, False, 404, 200),
        (Visibility.PUBLIC, BadgeState.ACCEPTED, False, 200, 200),
        (Visibility.PUBLIC, BadgeState.ACCEPTED, True, 404, 404),
        (Visibility.PUBLIC, BadgeState.DECLINED, False, 404, 404),
        (Visibility.PUBLIC, BadgeState.PENDING, False, 404, 404),
    ],
)
def test_viewers_open_files_of_badges_they_may_see(
    client, w, items, visibility, state, hide, anonymous, signed_in
):
    w.badge.visibility, w.badge.state, w.badge.hide_evidence = visibility, state, hide
    w.badge.save()
    for url in _badge_urls(w, items["image"]):
        assert client.get(url).status_code == anonymous, url
    client.force_login(w.other)
    for url in _badge_urls(w, items["image"]):
        assert client.get(url).status_code == signed_in, url
    client.force_login(w.learner)
    for url in _badge_urls(w, items["image"]):
        assert client.get(url).status_code == 200, url


def test_a_public_badge_does_not_open_unattached_or_foreign_items(client, w, items):
    w.badge.visibility = Visibility.PUBLIC
    w.badge.save()
    loose = services.evidence_file_add(
        actor=w.learner, upload=upload("loose.pdf", pdf_bytes((10, 10)))
    )
    theirs = services.evidence_file_add(actor=w.other, upload=upload("theirs.mp4", MP4))
    for item in (loose, theirs):
        url = reverse("evidence:badge_file", args=[w.badge.public_id, item.public_id])
        assert client.get(url).status_code == 404
    # Only files are served; an unknown badge is not found.
    unknown = reverse(
        "evidence:badge_file",
        args=["0" * 8 + "-0000-4000-8000-" + "0" * 12, items["image"].public_id],
    )
    assert client.get(unknown).status_code == 404


def test_share_links_open_attached_files_until_revoked(client, w, items):
    w.badge.share_token = "tok-" + "a" * 30
    w.badge.save()
    url = reverse("evidence:shared_file", args=[w.badge.share_token, items["pdf"].public_id])
    assert client.get(url).status_code == 200
    assert (
        client.get(
            reverse("evidence:shared_file", args=["wrong", items["pdf"].public_id])
        ).status_code
        == 404
    )
    w.badge.hide_evidence = True
    w.badge.save()
    assert client.get(url).status_code == 404
    w.badge.hide_evidence = False
    w.badge.share_token = None
    w.badge.save()
    assert client.get(url).status_code == 404


# -- the badge page ---------------------------------------------------------------------------


def test_badge_page_shows_learner_evidence_apart_and_to_whom(client, w, items):
    services.evidence_link_add(actor=w.learner, url="https://kadri.example.org/", title="Portfolio")
    detail = reverse("passport:detail", args=[w.badge.public_id])
    client.force_login(w.learner)
    body = client.get(detail).content.decode()
    assert "Added by the learner" in body
    assert reverse("evidence:thumbnail", args=[items["image"].public_id]) in body
    assert reverse("evidence:detach", args=[w.badge.public_id, items["image"].public_id]) in body
    assert "Portfolio" in body  # attachable from the library
    assert 'name="badge"' in body

    w.badge.visibility = Visibility.PUBLIC
    w.badge.save()
    client.logout()
    body = client.get(detail).content.decode()
    assert "Added by the learner" in body
    assert (
        reverse("evidence:badge_thumbnail", args=[w.badge.public_id, items["image"].public_id])
        in body
    )
    assert "evidence:detach" not in body and "/detach/" not in body
    assert "Portfolio" not in body  # not attached, not shown

    w.badge.hide_evidence = True
    w.badge.save()
    body = client.get(detail).content.decode()
    assert "Added by the learner" not in body
    assert str(items["image"].public_id) not in body


@override_settings(FILE_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_uploads_spilled_to_temporary_files_are_stored_whole(client, w):
    """Above FILE_UPLOAD_MAX_MEMORY_SIZE Django keeps the upload in a temporary file, which the
    storage moves into place: the stored bytes must still be exactly what was checked."""
    client.force_login(w.learner)
    pdf = pdf_bytes((400, 500), (200, 10, 10))
    document = docx_bytes() + b"\x00" * 5000
    assert len(pdf) > 1024 and len(document) > 1024
    client.post(UPLOAD, files(("report.pdf", pdf), ("essay.docx", document)))
    for name, data in [("report.pdf", pdf), ("essay.docx", document)]:
        item = EvidenceItem.objects.get(original_filename=name)
        with item.file.open("rb") as stored:
            assert stored.read() == data
        assert item.sha256 == hashlib.sha256(data).hexdigest()


def test_shared_badge_page_links_files_through_the_share_link(client, w, items):
    w.badge.share_token = "share-" + "b" * 30
    w.badge.save()
    page = reverse("passport:shared", kwargs={"token": w.badge.share_token})
    body = client.get(page).content.decode()
    assert "Added by the learner" in body
    file_url = reverse("evidence:shared_file", args=[w.badge.share_token, items["pdf"].public_id])
    assert file_url in body
    assert reverse("evidence:file", args=[items["pdf"].public_id]) not in body
    assert client.get(file_url).status_code == 200
    # The owner following their own share link sees what the link's holders see.
    client.force_login(w.learner)
    body = client.get(page).content.decode()
    assert file_url in body and "/detach/" not in body
