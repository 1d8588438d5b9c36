""" "All my data" as one ZIP archive (GDPR data portability), streamed as it is written.

Archive format `badge-europe-passport-export`, version 1 (docs/passport.md, "Export"):

    manifest.json                 format, version, when, which site, and every other entry with
                                  its size and SHA-256 (written last; ZIP readers find it anywhere)
    account.json                  the account, its email addresses, the public profile
    badges/<id>/badge.json        one passport badge: the learner's choices (state, visibility,
                                  tags, hidden evidence), the display snapshot, the last
                                  verification, the learner's evidence on it (ids, in order)
    badges/<id>/credential.json   awarded here: the signed OB 3.0 credential, byte for byte
    badges/<id>/credential.jwt    awarded here: the same credential as VC-JWT
    badges/<id>/assertion.json    awarded here: the OB 2.0 hosted assertion, byte for byte
    badges/<id>/baked.png|svg     awarded here: the badge image with the credential baked in
    badges/<id>/original.<ext>    imported: the exact bytes received (png, svg, json, jwt)
    badges/<id>/image.<ext>       imported: the picture extracted when it was imported
    evidence.json                 the evidence library: every item with its metadata
    evidence/<id>.<ext>           the evidence files, as stored

Nothing is held whole in memory: `zipfile` writes into a pipe that the response drains after
each piece, and files are copied in 1 MB chunks. Already-compressed files (images, PDFs,
videos, office documents, baked badges) are stored, text is deflated.
"""

import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from datetime import datetime

from allauth.account.models import EmailAddress
from django.conf import settings
from django.utils import timezone

from audit.services import audit_record
from evidence.models import BadgeEvidence, EvidenceItem, EvidenceKind
from openbadges import baking

from .models import BadgeSource, PassportBadge, PassportProfile

FORMAT = "badge-europe-passport-export"
VERSION = 1
CHUNK = 1024 * 1024
ORIGINAL_EXTENSIONS = {"png": "png", "svg": "svg", "json": "json", "jwt": "jwt", "url": "json"}


class _Pipe(io.RawIOBase):
    """A write-only, unseekable file: zipfile then writes data descriptors and never seeks
    back, and whatever it wrote so far can be handed to the response."""

    def __init__(self):
        super().__init__()
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def drain(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _json_bytes(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")


class _ArchiveWriter:
    def __init__(self, created: datetime):
        self.pipe = _Pipe()
        self.zip = zipfile.ZipFile(self.pipe, "w", allowZip64=True)
        self.entries: list[dict] = []
        local = timezone.localtime(created)
        self.date_time = local.timetuple()[:6]

    def _info(self, name: str, compress: bool) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self.date_time)
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        info.external_attr = 0o644 << 16
        return info

    def add_bytes(self, name: str, data: bytes, *, compress: bool = True) -> Iterator[bytes]:
        self.zip.writestr(self._info(name, compress), data)
        self.entries.append(
            {"path": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        )
        yield self.pipe.drain()

    def add_file(self, name: str, source, *, compress: bool = False) -> Iterator[bytes]:
        digest, size = hashlib.sha256(), 0
        with self.zip.open(self._info(name, compress), "w", force_zip64=True) as target:
            for chunk in source.chunks(CHUNK):
                target.write(chunk)
                digest.update(chunk)
                size += len(chunk)
                yield self.pipe.drain()
        self.entries.append({"path": name, "size": size, "sha256": digest.hexdigest()})
        yield self.pipe.drain()

    def close(self) -> bytes:
        self.zip.close()
        return self.pipe.drain()


def _account(user) -> dict:
    profile = PassportProfile.objects.filter(user=user).first()
    return {
        "email": user.email,
        "name": user.name,
        "language": user.language,
        "date_joined": _iso(user.date_joined),
        "last_login": _iso(user.last_login),
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("email")
        ],
        "public_profile": None
        if profile is None
        else {"handle": profile.handle, "enabled": profile.enabled, "headline": profile.headline},
    }


def _badge_record(badge: PassportBadge, evidence_ids: list[str], files: dict[str, str]) -> dict:
    return {
        "id": str(badge.public_id),
        "source": badge.source,
        "award_id": str(badge.award.public_id) if badge.award_id else None,
        "state": badge.state,
        "state_changed_at": _iso(badge.state_changed_at),
        "visibility": badge.visibility,
        "share_link_on": bool(badge.share_token),
        "hide_evidence": badge.hide_evidence,
        "tags": list(badge.tags or []),
        "name": badge.name,
        "description": badge.description,
        "issuer_name": badge.issuer_name,
        "issuer_url": badge.issuer_url,
        "image_url": badge.image_url,
        "issued_at": _iso(badge.issued_at),
        "expires_at": _iso(badge.expires_at),
        "spec": badge.spec,
        "original_format": badge.original_format,
        "original_filename": badge.original_filename,
        "source_url": badge.source_url,
        "verification_status": badge.verification_status,
        "verification_report": badge.verification_report,
        "verified_at": _iso(badge.verified_at),
        "recipient_matched": badge.recipient_matched,
        "created_at": _iso(badge.created_at),
        "updated_at": _iso(badge.updated_at),
        "learner_evidence": evidence_ids,
        "files": files,
    }


def _awarded_files(badge: PassportBadge, folder: str) -> Iterator[tuple[str, str, bytes, bool]]:
    """(role, path, bytes, compress) of an awarded badge's documents, unchanged."""
    award = badge.award
    credential = bytes(award.credential_json)
    yield "credential", f"{folder}/credential.json", credential, True
    yield "credential_jwt", f"{folder}/credential.jwt", award.credential_jwt.encode("ascii"), True
    yield "assertion", f"{folder}/assertion.json", bytes(award.assertion_json), True
    version = award.badge_class_version
    if version.image:
        with version.image.open("rb") as handle:
            image = handle.read()
        kind = "png" if version.image_type == "image/png" else "svg"
        baked = baking.bake(image, credential.decode("utf-8"), ob3=True)
        yield "baked", f"{folder}/baked.{kind}", baked, kind == "svg"


def _imported_files(badge: PassportBadge, folder: str) -> Iterator[tuple[str, str, bytes, bool]]:
    if badge.original is not None:
        extension = ORIGINAL_EXTENSIONS.get(badge.original_format, "bin")
        data = bytes(badge.original)
        yield "original", f"{folder}/original.{extension}", data, extension != "png"
    if badge.image:
        extension = badge.image.name.rpartition(".")[2].lower() or "bin"
        with badge.image.open("rb") as handle:
            yield "image", f"{folder}/image.{extension}", handle.read(), extension == "svg"


def export_stream(*, user, now: datetime | None = None) -> Iterator[bytes]:
    """The user's archive, piece by piece. Only the user's own rows are read."""
    created = now or timezone.now()
    writer = _ArchiveWriter(created)
    yield from writer.add_bytes("account.json", _json_bytes(_account(user)))

    attachments: dict[int, list[str]] = {}
    badges_of_item: dict[int, list[str]] = {}
    for badge_id, badge_public, item_id, item_public in (
        BadgeEvidence.objects.filter(badge__owner=user, evidence__owner=user)
        .order_by("badge_id", "position", "id")
        .values_list("badge_id", "badge__public_id", "evidence_id", "evidence__public_id")
    ):
        attachments.setdefault(badge_id, []).append(str(item_public))
        badges_of_item.setdefault(item_id, []).append(str(badge_public))

    badge_ids = []
    badges = (
        PassportBadge.objects.filter(owner=user)
        .select_related("award__badge_class_version")
        .order_by("created_at", "id")
    )
    for badge in badges.iterator(chunk_size=50):
        folder = f"badges/{badge.public_id}"
        documents = (
            _awarded_files(badge, folder)
            if badge.source == BadgeSource.AWARDED and badge.award_id
            else _imported_files(badge, folder)
        )
        files = {}
        for role, path, data, compress in documents:
            files[role] = path
            yield from writer.add_bytes(path, data, compress=compress)
        record = _badge_record(badge, attachments.get(badge.pk, []), files)
        yield from writer.add_bytes(f"{folder}/badge.json", _json_bytes(record))
        badge_ids.append(str(badge.public_id))

    items = []
    for item in EvidenceItem.objects.filter(owner=user).order_by("created_at", "id").iterator():
        record = {
            "id": str(item.public_id),
            "kind": item.kind,
            "title": item.title,
            "description": item.description,
            "url": item.url,
            "original_filename": item.original_filename,
            "content_type": item.content_type,
            "category": item.category,
            "size": item.size,
            "sha256": item.sha256,
            "created_at": _iso(item.created_at),
            "badges": badges_of_item.get(item.pk, []),
            "path": None,
        }
        if item.kind == EvidenceKind.FILE and item.file:
            extension = item.file.name.rpartition(".")[2]
            record["path"] = f"evidence/{item.public_id}.{extension}"
            with item.file.open("rb") as source:
                yield from writer.add_file(record["path"], source)
        items.append(record)
    yield from writer.add_bytes("evidence.json", _json_bytes(items))

    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "created_at": created.isoformat(),
        "site": settings.SITE_URL,
        "account": "account.json",
        "badges": [f"badges/{public_id}/badge.json" for public_id in badge_ids],
        "evidence": "evidence.json",
        "entries": writer.entries,
    }
    yield from writer.add_bytes("manifest.json", _json_bytes(manifest))
    yield writer.close()


def export_record(*, actor) -> None:
    """An export hands all of a person's data out: the audit log says when."""
    audit_record(actor=actor, action="passport.exported", target=actor)
