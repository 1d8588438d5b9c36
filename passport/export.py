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
import logging
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from evidence import conf as evidence_conf
from evidence import services as evidence_services
from evidence.models import BadgeEvidence, EvidenceItem, EvidenceKind
from issuing import services as issuing_services
from openbadges import baking
from openbadges.errors import OpenBadgesError

from . import importing, services
from . import models as passport_models
from .models import BadgeSource, PassportBadge, PassportProfile

logger = logging.getLogger(__name__)

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
    token = issuing_services.award_vc_jwt(award=award)
    yield "credential_jwt", f"{folder}/credential.jwt", token.encode("ascii"), True
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
        .select_related("award__badge_class_version", "award__signing_key")
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


# -- importing an archive into another instance -----------------------------------------------
#
# The archive comes from anywhere, so it is read as hostile: a ZIP's headers may lie about
# sizes, names may climb out of any folder, a small entry may inflate a thousandfold. Nothing is
# extracted to disk; every entry is read into memory through a bounded read after its name,
# declared size and ratio passed, and checked against the manifest's size and SHA-256. Badges are
# verified again as any import is (`passport.importing`: signature, issuer, revocation, that they
# name one of the importer's verified addresses); evidence files go through the evidence
# library's checks and quota as uploads do.

ARCHIVE_MAX_ENTRIES = 5000
ARCHIVE_MAX_BADGES = 1000
DOCUMENT_MAX_BYTES = 2 * 1024 * 1024  # one JSON, JWT or badge image
MAX_RATIO = 100  # uncompressed / compressed, for entries above RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_ALLOWED_NAME = re.compile(
    rf"^(?:manifest\.json|account\.json|evidence\.json"
    rf"|badges/{_UUID}/(?:badge\.json|credential\.json|credential\.jwt|assertion\.json"
    rf"|baked\.(?:png|svg)|original\.(?:png|svg|json|jwt)|image\.(?:png|svg|jpg|jpeg|gif|webp))"
    rf"|evidence/{_UUID}\.[a-z0-9]{{1,5}})$"
)
_ROLE_FORMATS = {"credential": "json", "original": None}


def archive_max_bytes() -> int:
    """Largest archive accepted: a full evidence quota plus room for the badges."""
    return evidence_conf.quota_bytes() + 100 * 1024 * 1024


@dataclass
class ArchiveImportResult:
    badges_added: list = field(default_factory=list)
    badges_already: list = field(default_factory=list)
    badges_refused: list[tuple[str, str]] = field(default_factory=list)  # (name, reason)
    evidence_added: int = 0
    evidence_already: int = 0
    evidence_refused: list[tuple[str, str]] = field(default_factory=list)
    attached: int = 0


def _refuse(message: str, code: str = "archive_invalid") -> ValidationError:
    return ValidationError(message, code=code)


def _entry_limit(name: str) -> int:
    if name.startswith("evidence/"):
        return max(evidence_conf.max_file_bytes(), evidence_conf.max_video_bytes())
    if name == "evidence.json" or name.endswith("/badge.json"):
        return 4 * DOCUMENT_MAX_BYTES
    return DOCUMENT_MAX_BYTES


def _checked_entries(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    infos = archive.infolist()
    if len(infos) > ARCHIVE_MAX_ENTRIES:
        raise _refuse(
            _("The archive has more than %(count)s files.") % {"count": ARCHIVE_MAX_ENTRIES},
            "archive_too_many",
        )
    entries: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in infos:
        name = info.filename
        if info.is_dir():
            continue
        if not _ALLOWED_NAME.match(name):
            raise _refuse(
                _("The archive holds a file this format does not have: “%(name)s”.")
                % {"name": name[:200]},
                "archive_unknown_entry",
            )
        if name in entries:
            raise _refuse(_("The archive holds “%(name)s” twice.") % {"name": name})
        if info.flag_bits & 0x1:
            raise _refuse(_("The archive is encrypted."))
        if info.file_size > _entry_limit(name):
            raise _refuse(
                _("“%(name)s” in the archive is too large.") % {"name": name}, "archive_too_large"
            )
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _refuse(
                _("“%(name)s” in the archive is compressed suspiciously well; it is refused.")
                % {"name": name},
                "archive_ratio",
            )
        total += info.file_size
        if total > archive_max_bytes():
            raise _refuse(_("The archive unpacks to too much data."), "archive_too_large")
        entries[name] = info
    return entries


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, expected: dict | None) -> bytes:
    """An entry's bytes, never more than it declared (headers can lie), matching the manifest."""
    with archive.open(info) as handle:
        data = handle.read(info.file_size + 1)
    if len(data) != info.file_size:
        raise _refuse(_("The archive is damaged (“%(name)s”).") % {"name": info.filename})
    if expected is not None and (
        expected.get("size") != len(data) or expected.get("sha256") != _sha256(data)
    ):
        raise _refuse(
            _("“%(name)s” does not match the archive's manifest.") % {"name": info.filename},
            "archive_checksum",
        )
    return data


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _json_entry(archive, entries, listed, name: str):
    info = entries.get(name)
    if info is None:
        raise _refuse(_("The archive has no “%(name)s”.") % {"name": name})
    try:
        return json.loads(_read(archive, info, listed.get(name)))
    except (ValueError, UnicodeDecodeError) as exc:
        raise _refuse(_("“%(name)s” in the archive is not valid JSON.") % {"name": name}) from exc


def _manifest(archive, entries) -> tuple[dict, dict[str, dict]]:
    manifest = _json_entry(archive, entries, {}, "manifest.json")
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _refuse(_("This is not a Badge Europe passport archive."), "archive_format")
    version = manifest.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise _refuse(
            _("The archive was made by a newer version of Badge Europe (format %(version)s).")
            % {"version": version},
            "archive_version",
        )
    listed = {}
    for entry in manifest.get("entries") or []:
        if isinstance(entry, dict) and isinstance(entry.get("path"), str):
            listed[entry["path"]] = entry
    unlisted = set(entries) - set(listed) - {"manifest.json"}
    if unlisted:
        raise _refuse(
            _("“%(name)s” is not listed in the archive's manifest.")
            % {"name": sorted(unlisted)[0]},
            "archive_checksum",
        )
    return manifest, listed


class _ArchiveUpload(io.BytesIO):
    """Evidence bytes from an archive, shaped like an upload for the evidence checks."""

    def __init__(self, data: bytes, name: str):
        super().__init__(data)
        self.name = name
        self.size = len(data)

    def chunks(self, chunk_size=CHUNK):
        self.seek(0)
        while chunk := self.read(chunk_size):
            yield chunk


def _import_badge(actor, archive, entries, listed, record: dict):
    """(badge or None, already, refusal) for one badge record of the archive."""
    files = record.get("files") if isinstance(record.get("files"), dict) else {}
    name = str(record.get("name") or record.get("id") or "")[:200]
    for role in ("credential", "original"):
        path = files.get(role)
        if isinstance(path, str) and path in entries:
            data = _read(archive, entries[path], listed.get(path))
            original_format = _ROLE_FORMATS[role] or record.get("original_format") or "json"
            if original_format == "url":
                # What the issuer's server answered when it was imported: the document itself.
                original_format = "json"
            if original_format not in ORIGINAL_EXTENSIONS:
                return None, False, _("Unknown badge format.")
            filename = path.rpartition("/")[2]
            badge = data if original_format in ("png", "svg") else data.decode("utf-8", "replace")
            try:
                candidate = importing.prepare_import(
                    user=actor, badge=badge, original_format=original_format, filename=filename
                )
            except (OpenBadgesError, ValueError, TypeError, KeyError) as exc:
                # The verifier reports what it can; anything it raises instead refuses this
                # badge only, never the whole archive.
                logger.warning("Archive badge %s could not be verified: %r", name, exc)
                return None, False, _("This badge could not be read.")
            if candidate.duplicate is not None:
                return candidate.duplicate, True, ""
            if candidate.refusal:
                return None, False, candidate.refusal
            try:
                return importing.import_badge(actor=actor, candidate=candidate), False, ""
            except ValidationError as exc:
                return None, False, " ".join(exc.messages)
    return None, False, _("The archive holds no credential for “%(name)s”.") % {"name": name}


def _restore_tags(actor, badge, tags) -> PassportBadge:
    for tag in (tags if isinstance(tags, list) else [])[: passport_models.MAX_TAGS]:
        if isinstance(tag, str):
            try:
                badge = services.passport_badge_tag_add(actor=actor, badge=badge, tag=tag)
            except ValidationError:
                continue
    return badge


def archive_import(*, actor, upload) -> ArchiveImportResult:
    """Bring the badges and evidence of an exported archive into the actor's passport."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied
    if upload.size > archive_max_bytes():
        raise _refuse(_("The archive is too large."), "archive_too_large")
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _refuse(_("The file is not a ZIP archive."), "archive_not_zip") from exc
    result = ArchiveImportResult()
    with archive:
        try:
            entries = _checked_entries(archive)
            manifest, listed = _manifest(archive, entries)
            badge_paths = [p for p in manifest.get("badges") or [] if isinstance(p, str)]
            if len(badge_paths) > ARCHIVE_MAX_BADGES:
                raise _refuse(_("The archive holds too many badges."), "archive_too_many")
            new_badges: dict[str, PassportBadge] = {}
            for path in badge_paths:
                record = _json_entry(archive, entries, listed, path)
                if not isinstance(record, dict):
                    raise _refuse(_("“%(name)s” is not a badge record.") % {"name": path})
                badge, already, refusal = _import_badge(actor, archive, entries, listed, record)
                label = str(record.get("name") or path)[:200]
                if badge is None:
                    result.badges_refused.append((label, refusal))
                    continue
                if not already:
                    badge = _restore_tags(actor, badge, record.get("tags"))
                (result.badges_already if already else result.badges_added).append(badge)
                new_badges[str(record.get("id"))] = badge
            _import_evidence(actor, archive, entries, listed, new_badges, result)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
            # A CRC mismatch, a truncated stream, an unknown compression method.
            raise _refuse(_("The archive is damaged.")) from exc
    audit_record(
        actor=actor,
        action="passport.archive_imported",
        target=actor,
        data={
            "badges_added": len(result.badges_added),
            "badges_refused": len(result.badges_refused),
            "evidence_added": result.evidence_added,
        },
    )
    return result


def _import_evidence(actor, archive, entries, listed, new_badges, result) -> None:
    if "evidence.json" not in entries:
        return
    items = _json_entry(archive, entries, listed, "evidence.json")
    if not isinstance(items, list):
        raise _refuse(_("“evidence.json” is not a list."))
    for record in items:
        if not isinstance(record, dict):
            continue
        title = str(record.get("title") or "")[:200]
        description = str(record.get("description") or "")[:2000]
        try:
            if record.get("kind") == "link":
                item = evidence_services.evidence_link_add(
                    actor=actor,
                    url=str(record.get("url") or ""),
                    title=title,
                    description=description,
                )
            else:
                path = record.get("path")
                if not isinstance(path, str) or path not in entries:
                    continue
                data = _read(archive, entries[path], listed.get(path))
                filename = str(record.get("original_filename") or path.rpartition("/")[2])
                item = evidence_services.evidence_file_add(
                    actor=actor,
                    upload=_ArchiveUpload(data, filename[:255]),
                    title=title,
                    description=description,
                )
            result.evidence_added += 1
        except evidence_services.DuplicateEvidence as exc:
            item = exc.existing
            result.evidence_already += 1
        except ValidationError as exc:
            result.evidence_refused.append((title, " ".join(exc.messages)))
            continue
        for badge_id in record.get("badges") or []:
            badge = new_badges.get(str(badge_id))
            if badge is None or item is None:
                continue
            try:
                evidence_services.badge_evidence_attach(actor=actor, badge=badge, evidence=item)
                result.attached += 1
            except ValidationError:
                continue
