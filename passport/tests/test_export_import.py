"""Importing an exported archive: badges verified again, evidence checked and re-attached, and
hostile archives (bombs, climbing paths, lying headers, tampered credentials) refused."""

import io
import json
import struct
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from evidence import services as evidence_services
from evidence.models import BadgeEvidence, EvidenceItem
from passport import export, services
from passport.models import BadgeSource, BadgeState, PassportBadge

from .conftest import award_to
from .test_export import png

pytestmark = pytest.mark.django_db

IMPORT = reverse("passport_export:import")


@pytest.fixture(autouse=True)
def evidence_root(tmp_path):
    with override_settings(EVIDENCE_ROOT=str(tmp_path / "evidence")):
        yield


@pytest.fixture
def exported(w):
    """The learner's archive: an awarded badge, an imported one (an award of ours kept as bytes),
    a photo and a link attached to the first."""
    award_to(w, w.learner.email)
    services.passport_sync_for_user(user=w.learner)
    awarded = PassportBadge.objects.get(owner=w.learner)
    services.passport_badge_set_state(actor=w.learner, badge=awarded, state=BadgeState.ACCEPTED)
    second = award_to(w, w.learner.email, badge_class=w.second_class)
    imported = PassportBadge.objects.create(
        owner=w.learner,
        source=BadgeSource.IMPORTED,
        state=BadgeState.ACCEPTED,
        name="Open Data Steward",
        original=bytes(second.credential_json),
        original_format="json",
        tags=["data"],
        spec="ob3",
    )
    photo = evidence_services.evidence_file_add(
        actor=w.learner, upload=SimpleUploadedFile("photo.png", png((0, 82, 147)))
    )
    link = evidence_services.evidence_link_add(
        actor=w.learner, url="https://kadri.example.org/", title="Portfolio"
    )
    for item in (photo, link):
        evidence_services.badge_evidence_attach(actor=w.learner, badge=imported, evidence=item)
    data = b"".join(export.export_stream(user=w.learner))
    return {"data": data, "awarded": awarded, "imported": imported, "second": second}


def as_upload(data: bytes, name="export.zip"):
    return SimpleUploadedFile(name, data, content_type="application/zip")


def wipe_library_and_import(w, exported):
    """The learner lost the imported badge and the library, and brings them back."""
    PassportBadge.objects.filter(pk=exported["imported"].pk).delete()
    EvidenceItem.objects.filter(owner=w.learner).delete()


def test_archive_brings_badges_and_evidence_back(w, exported):
    wipe_library_and_import(w, exported)
    result = export.archive_import(actor=w.learner, upload=as_upload(exported["data"]))
    assert [badge.pk for badge in result.badges_already] == [exported["awarded"].pk]
    assert len(result.badges_added) == 1 and result.badges_refused == []
    restored = result.badges_added[0]
    assert restored.source == BadgeSource.IMPORTED
    assert bytes(restored.original) == bytes(exported["second"].credential_json)
    assert restored.verification_status == "valid"  # verified again on the way in
    assert restored.tags == ["data"]
    assert (result.evidence_added, result.attached) == (2, 2)
    assert BadgeEvidence.objects.filter(badge=restored).count() == 2
    # Importing the same archive again adds nothing.
    again = export.archive_import(actor=w.learner, upload=as_upload(exported["data"]))
    assert again.badges_added == [] and len(again.badges_already) == 2
    assert (again.evidence_added, again.evidence_already) == (0, 2)


def test_badges_for_somebody_else_are_refused(w, exported):
    result = export.archive_import(actor=w.other, upload=as_upload(exported["data"]))
    assert result.badges_added == [] and len(result.badges_refused) == 2
    assert all("verified email" in reason for _name, reason in result.badges_refused)
    assert not PassportBadge.objects.filter(owner=w.other).exists()


def rebuilt(data: bytes, change) -> bytes:
    """The archive with `change(entries)` applied and the manifest's checksums kept honest."""
    source = zipfile.ZipFile(io.BytesIO(data))
    entries = {name: source.read(name) for name in source.namelist()}
    change(entries)
    manifest = json.loads(entries["manifest.json"])
    manifest["entries"] = [
        {"path": name, "size": len(body), "sha256": export._sha256(body)}
        for name, body in entries.items()
        if name != "manifest.json"
    ]
    entries["manifest.json"] = json.dumps(manifest).encode()
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for name, body in entries.items():
            target.writestr(name, body)
    return output.getvalue()


def test_a_tampered_credential_is_refused_and_reported(w, exported):
    wipe_library_and_import(w, exported)
    path = f"badges/{exported['imported'].public_id}/original.json"

    def tamper(entries):
        entries[path] = entries[path].replace(b"Open Data Steward", b"Open Data Wizard!")

    result = export.archive_import(
        actor=w.learner, upload=as_upload(rebuilt(exported["data"], tamper))
    )
    assert result.badges_added == []
    assert result.badges_refused and "did not pass verification" in result.badges_refused[0][1]


def refusal(w, data: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        export.archive_import(actor=w.learner, upload=as_upload(data))
    return caught.value


def zip_of(entries: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", compression) as target:
        for name, body in entries.items():
            target.writestr(name, body)
    return output.getvalue()


def test_not_a_zip_and_not_our_format(w):
    assert refusal(w, b"PK\x03\x04 not really").code == "archive_not_zip"
    assert refusal(w, zip_of({"manifest.json": b'{"format": "other"}'})).code == "archive_format"
    newer = json.dumps({"format": export.FORMAT, "version": 99}).encode()
    error = refusal(w, zip_of({"manifest.json": newer}))
    assert error.code == "archive_version" and "newer version" in error.messages[0]


@pytest.mark.parametrize(
    "name",
    ["../../etc/passwd", "/etc/passwd", "badges/../../x.json", "evidence\\..\\x.png", "C:/x"],
)
def test_paths_that_climb_out_are_refused(w, name):
    error = refusal(w, zip_of({name: b"x", "manifest.json": b"{}"}))
    assert error.code == "archive_unknown_entry"


def test_a_zip_bomb_is_refused_before_inflating(w, exported):
    bomb = zip_of({"evidence.json": b"[" + b" " * (6 * 1024 * 1024) + b"]"})
    assert refusal(w, bomb).code in ("archive_too_large", "archive_ratio")
    photo_path = next(
        name
        for name in zipfile.ZipFile(io.BytesIO(exported["data"])).namelist()
        if name.startswith("evidence/")
    )
    zeros = zip_of({photo_path: b"\x00" * (5 * 1024 * 1024)})
    assert refusal(w, zeros).code == "archive_ratio"


def test_too_many_entries_are_refused(w, monkeypatch):
    monkeypatch.setattr(export, "ARCHIVE_MAX_ENTRIES", 3)
    entries = {f"evidence/{i:08d}-0000-4000-8000-000000000000.png": b"x" for i in range(4)}
    assert refusal(w, zip_of(entries)).code == "archive_too_many"


@pytest.mark.parametrize("delta", [-10, 10])
def test_headers_that_lie_about_sizes_are_caught(w, exported, delta):
    """The central directory says evidence.json is smaller or larger than it is: the bounded read
    never returns more than declared, and what it returns is not taken as valid."""
    data = bytearray(exported["data"])
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("evidence.json")
    central = bytes(data).find(b"PK\x01\x02")
    offset = bytes(data).find(b"evidence.json", central) - 46
    assert bytes(data[offset : offset + 4]) == b"PK\x01\x02"
    struct.pack_into("<I", data, offset + 24, info.file_size + delta)  # uncompressed size
    error = refusal(w, bytes(data))
    assert error.code in ("archive_invalid", "archive_checksum")


def test_entries_missing_from_the_manifest_are_refused(w, exported):
    def add(entries):
        entries["evidence/00000000-0000-4000-8000-000000000000.png"] = png((1, 1, 1))

    data = rebuilt(exported["data"], add)
    source = zipfile.ZipFile(io.BytesIO(data))
    manifest = json.loads(source.read("manifest.json"))
    manifest["entries"] = manifest["entries"][:-1]
    entries = {name: source.read(name) for name in source.namelist()}
    entries["manifest.json"] = json.dumps(manifest).encode()
    assert refusal(w, zip_of(entries)).code == "archive_checksum"


def test_import_page(client, w, exported):
    assert client.get(IMPORT).status_code == 302
    client.force_login(w.learner)
    assert client.get(IMPORT).status_code == 200
    response = client.post(IMPORT, {"archive": as_upload(b"not a zip")})
    assert response.status_code == 400
    assert "The file is not a ZIP archive." in response.content.decode()
    wipe_library_and_import(w, exported)
    response = client.post(IMPORT, {"archive": as_upload(exported["data"])})
    body = response.content.decode()
    assert response.status_code == 200
    assert "1 badge added." in body and "2 evidence items added." in body


def test_a_badge_record_pointing_at_garbage_refuses_that_badge_only(w, exported):
    wipe_library_and_import(w, exported)
    path = f"badges/{exported['imported'].public_id}/original.json"

    def garble(entries):
        entries[path] = b"\xff\xfe not json at all \x00"

    result = export.archive_import(
        actor=w.learner, upload=as_upload(rebuilt(exported["data"], garble))
    )
    assert result.badges_added == [] and len(result.badges_refused) == 1
    assert len(result.badges_already) == 1
    assert result.evidence_added == 2


def test_an_oversize_archive_is_skipped_while_streaming(client, w, exported, monkeypatch):
    monkeypatch.setattr(export, "archive_max_bytes", lambda: 4096)
    reached = []
    monkeypatch.setattr(export, "archive_import", lambda **kwargs: reached.append(kwargs))
    client.force_login(w.learner)
    response = client.post(IMPORT, {"archive": as_upload(exported["data"])})
    assert response.status_code == 400
    assert "The archive is larger than 4.0\xa0KB." in response.content.decode()
    assert reached == []
