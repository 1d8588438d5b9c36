"""Limits and storage of the evidence library.

Each limit is a Django setting when one is set (tests override them) and otherwise an
environment variable, so operators configure them without touching settings.py:

| Setting / environment variable | Default | Meaning |
|---|---|---|
| `EVIDENCE_QUOTA_MB` | 500 | All files of one learner together. |
| `EVIDENCE_MAX_FILE_MB` | 50 | One file (images, PDFs, office documents). |
| `EVIDENCE_MAX_VIDEO_MB` | 200 | One video. |
| `EVIDENCE_MAX_IMAGE_PIXELS` | 40,000,000 | Width × height of an image (decompression bombs). |
| `EVIDENCE_ROOT` | `$VAR_DIR/evidence` | Where the files are kept. |

The files are NOT under MEDIA_ROOT, so they are only ever served by the permission-checking
views.
"""

import os
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage

MB = 1024 * 1024


def _setting(name: str, default: int) -> int:
    value = getattr(settings, name, None)
    if value is None:
        # An empty variable (as copied from .env.example) means the default.
        value = os.environ.get(name) or default
    return int(value)


def quota_bytes() -> int:
    return _setting("EVIDENCE_QUOTA_MB", 500) * MB


def max_file_bytes() -> int:
    return _setting("EVIDENCE_MAX_FILE_MB", 50) * MB


def max_video_bytes() -> int:
    return _setting("EVIDENCE_MAX_VIDEO_MB", 200) * MB


def max_image_pixels() -> int:
    return _setting("EVIDENCE_MAX_IMAGE_PIXELS", 40_000_000)


def evidence_root() -> Path:
    configured = getattr(settings, "EVIDENCE_ROOT", None) or os.environ.get("EVIDENCE_ROOT")
    return Path(configured) if configured else Path(settings.VAR_DIR) / "evidence"


class EvidenceStorage(FileSystemStorage):
    """File storage outside MEDIA_ROOT with no public URL; its location follows the settings
    at every call, so tests can point it at a temporary directory."""

    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return str(evidence_root())

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise NotImplementedError("Evidence files are only served by evidence.views.")


_storage = EvidenceStorage()


def evidence_storage() -> EvidenceStorage:
    return _storage
