"""The "all my data" archive: what it holds (unchanged credentials, evidence, manifest), that it
holds nobody else's data, and that it streams."""

import hashlib
import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from PIL import Image

from audit.models import AuditEvent
from evidence import services as evidence_services
from openbadges import baking
from passport import export, services
from passport.models import BadgeSource, BadgeState, PassportBadge

from .conftest import award_to

pytestmark = pytest.mark.django_db

PAGE = reverse("passport_export:page")
DOWNLOAD = reverse("passport_export:download")


@pytest.fixture(autouse=True)
def evidence_root(tmp_path):
    with override_settings(EVIDENCE_ROOT=str(tmp_path / "evidence")):
        yield


def png(colour) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(output, format="PNG")
    return output.getvalue()


@pytest.fixture
def passport(w):
    award = award_to(w, w.learner.email)
    award_to(w, w.other.email, badge_class=w.second_class, recipient_name="Other")
    services.passport_sync_for_user(user=w.learner)
    services.passport_sync_for_user(user=w.other)
    awarded = PassportBadge.objects.get(owner=w.learner)
    services.passport_badge_set_state(actor=w.learner, badge=awarded, state=BadgeState.ACCEPTED)
    services.passport_badge_tag_add(actor=w.learner, badge=awarded, tag="Facilitation")
    imported = PassportBadge.objects.create(
        owner=w.learner,
        source=BadgeSource.IMPORTED,
        state=BadgeState.ACCEPTED,
        name="Imported badge",
        original=b'{"id": "urn:uuid:1234", "type": ["VerifiableCredential"]}',
        original_format="json",
        original_filename="badge.json",
        spec="ob3",
    )
    photo = evidence_services.evidence_file_add(
        actor=w.learner, upload=SimpleUploadedFile("photo.png", png((0, 82, 147)))
    )
    link = evidence_services.evidence_link_add(
        actor=w.learner, url="https://kadri.example.org/", title="Portfolio"
    )
    evidence_services.badge_evidence_attach(actor=w.learner, badge=awarded, evidence=photo)
    evidence_services.badge_evidence_attach(actor=w.learner, badge=awarded, evidence=link)
    evidence_services.evidence_file_add(
        actor=w.other, upload=SimpleUploadedFile("secret.png", png((200, 0, 0)))
    )
    return {"award": award, "awarded": awarded, "imported": imported, "photo": photo}


def download(client, user) -> zipfile.ZipFile:
    client.force_login(user)
    response = client.post(DOWNLOAD)
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="badge-europe-')
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_archive_holds_everything_unchanged(client, w, passport):
    archive = download(client, w.learner)
    assert archive.testzip() is None
    award, awarded, imported = passport["award"], passport["awarded"], passport["imported"]
    folder = f"badges/{awarded.public_id}"
    assert archive.read(f"{folder}/credential.json") == bytes(award.credential_json)
    award.refresh_from_db()  # the export signed its VC-JWT and kept it
    jwt = award.credential_jwt
    assert jwt and archive.read(f"{folder}/credential.jwt").decode() == jwt
    assert archive.read(f"{folder}/assertion.json") == bytes(award.assertion_json)
    baked = archive.read(f"{folder}/baked.png")
    assert baking.unbake(baked).text.encode() == bytes(award.credential_json)
    record = json.loads(archive.read(f"{folder}/badge.json"))
    assert record["state"] == "accepted" and record["tags"] == ["facilitation"]
    assert record["learner_evidence"] == [
        str(passport["photo"].public_id),
        str(evidence_services.EvidenceItem.objects.get(kind="link").public_id),
    ]
    imported_folder = f"badges/{imported.public_id}"
    assert archive.read(f"{imported_folder}/original.json") == bytes(imported.original)

    photo = passport["photo"]
    stored = archive.read(f"evidence/{photo.public_id}.png")
    assert hashlib.sha256(stored).hexdigest() == photo.sha256
    items = json.loads(archive.read("evidence.json"))
    assert {item["title"] for item in items} == {"photo", "Portfolio"}

    account = json.loads(archive.read("account.json"))
    assert account["email"] == w.learner.email
    assert account["email_addresses"] == [
        {"email": w.learner.email, "verified": True, "primary": True}
    ]

    manifest = json.loads(archive.read("manifest.json"))
    assert (manifest["format"], manifest["version"]) == (export.FORMAT, export.VERSION)
    listed = {entry["path"]: entry for entry in manifest["entries"]}
    assert set(listed) == set(archive.namelist()) - {"manifest.json"}
    for path, entry in listed.items():
        data = archive.read(path)
        assert (len(data), hashlib.sha256(data).hexdigest()) == (entry["size"], entry["sha256"])
    assert AuditEvent.objects.filter(action="passport.exported", actor=w.learner).count() == 1


def test_archive_holds_nobody_elses_data(client, w, passport):
    archive = download(client, w.learner)
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert w.other.email.encode() not in everything
    assert b"secret" not in everything
    other_badge = PassportBadge.objects.get(owner=w.other)
    assert str(other_badge.public_id).encode() not in everything

    theirs = download(client, w.other)
    names = theirs.namelist()
    assert not any(str(passport["photo"].public_id) in name for name in names)
    assert len([name for name in names if name.endswith("badge.json")]) == 1


def test_entries_are_streamed_piece_by_piece(w, passport):
    pieces = list(export.export_stream(user=w.learner))
    assert len([piece for piece in pieces if piece]) > 5
    archive = zipfile.ZipFile(io.BytesIO(b"".join(pieces)))
    assert archive.getinfo(f"evidence/{passport['photo'].public_id}.png").compress_type == (
        zipfile.ZIP_STORED
    )
    assert archive.getinfo("account.json").compress_type == zipfile.ZIP_DEFLATED


def test_export_page_and_method_and_sign_in(client, w, passport):
    assert client.get(PAGE).status_code == 302
    assert client.post(DOWNLOAD).status_code == 302
    client.force_login(w.learner)
    page = client.get(PAGE).content.decode()
    assert "2 badges" in page and "2 evidence items" in page
    assert client.get(DOWNLOAD).status_code == 405


def test_empty_passport_exports_a_valid_archive(client, w):
    archive = download(client, w.other)
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["badges"] == []
    assert json.loads(archive.read("evidence.json")) == []


def test_large_evidence_is_copied_in_chunks(w):
    """A 3 MB evidence file leaves the generator in pieces of at most about 1 MB: the archive is
    never built whole in memory."""
    big = io.BytesIO()
    with zipfile.ZipFile(big, "w") as document:
        document.writestr("[Content_Types].xml", "<Types/>")
        document.writestr("word/document.xml", "<w:document/>")
    data = big.getvalue() + bytes(range(256)) * (3 * 4096)
    item = evidence_services.evidence_file_add(
        actor=w.learner, upload=SimpleUploadedFile("thesis.docx", data)
    )
    pieces = list(export.export_stream(user=w.learner))
    assert max(len(piece) for piece in pieces) < export.CHUNK + 64 * 1024
    archive = zipfile.ZipFile(io.BytesIO(b"".join(pieces)))
    assert archive.read(f"evidence/{item.public_id}.docx") == data
