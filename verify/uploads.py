"""What a person submits to be verified: one file, or pasted text (JSON, a JWT or a URL).

Uploads are limited to `MAX_UPLOAD_BYTES`. A request whose declared length is far beyond it is
refused before its body is read; a body that grows past the limit anyway (no or false length)
is dropped by `UploadLimitHandler` chunk by chunk, never kept in memory or on disk.
"""

from __future__ import annotations

from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.utils.translation import gettext as _

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_TEXT_CHARS = 1_000_000
# The form's other fields and the multipart framing come on top of the file.
MAX_BODY_BYTES = MAX_UPLOAD_BYTES + MAX_TEXT_CHARS + 64 * 1024


def too_large_message() -> str:
    return _("The file is larger than %(size)s MB. Badges are much smaller; check the file.") % {
        "size": MAX_UPLOAD_BYTES // 1024 // 1024
    }


def declared_too_large(request) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > MAX_BODY_BYTES


class UploadLimitHandler(FileUploadHandler):
    """Stops receiving a file once it passes the limit; the field's name is left in
    `request.uploads_too_large` so the form can say why the file is missing."""

    def new_file(self, field_name, *args, **kwargs):
        super().new_file(field_name, *args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > MAX_UPLOAD_BYTES:
            skipped = getattr(self.request, "uploads_too_large", set())
            skipped.add(self.field_name)
            self.request.uploads_too_large = skipped
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None


def detect_format(data: bytes | str, *, from_file: bool) -> str:
    """`png`, `svg`, `json`, `jwt` or `url`: how the badge was given (the passport keeps it)."""
    if isinstance(data, bytes):
        if data.startswith(b"\x89PNG\r\n\x1a\n"):
            return "png"
        head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
        if head.startswith(b"<") and b"<svg" in head.lower():
            return "svg"
        text = data.decode("utf-8", errors="replace")
    else:
        text = data
    text = text.lstrip("\ufeff").strip()
    if not from_file and text.startswith(("https://", "http://")) and " " not in text:
        return "url"
    if text.startswith(("{", "[")):
        return "json"
    return "jwt"
