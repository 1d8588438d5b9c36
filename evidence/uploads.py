"""Refusing oversized uploads while they stream in, before they are stored whole.

Django's own handlers keep a file in memory up to FILE_UPLOAD_MAX_MEMORY_SIZE and spill the
rest to a temporary file, whatever its size. `EvidenceUploadLimitHandler` goes first in the
request's handler list and counts each file's bytes as they arrive: a file that passes the
per-file limit for its name, or what is left of the learner's quota, is skipped at once
(`SkipFile`: the rest of it is read from the socket and thrown away, nothing more is written)
and its name is remembered so the page can say why. The service checks the size again against
the sniffed type and the quota inside its transaction: this handler only bounds what reaches
the disk.
"""

from dataclasses import dataclass

from django.core.files.uploadhandler import FileUploadHandler, SkipFile

from .files import size_limit_for_name

MAX_FILES_PER_UPLOAD = 20


@dataclass
class SkippedUpload:
    name: str
    reason: str  # "too_large" | "quota" | "too_many"
    limit: int


class EvidenceUploadLimitHandler(FileUploadHandler):
    def __init__(self, request=None, *, remaining_quota: int):
        super().__init__(request)
        self.remaining_quota = remaining_quota
        self.skipped: list[SkippedUpload] = []
        self.files_seen = 0
        self._limit = 0
        self._reason = ""

    def new_file(self, field_name, file_name, content_type, content_length, *args, **kwargs):
        super().new_file(field_name, file_name, content_type, content_length, *args, **kwargs)
        self.files_seen += 1
        if self.files_seen > MAX_FILES_PER_UPLOAD:
            self.skipped.append(SkippedUpload(file_name, "too_many", MAX_FILES_PER_UPLOAD))
            raise SkipFile
        per_file = size_limit_for_name(file_name or "")
        if self.remaining_quota < per_file:
            self._limit, self._reason = max(self.remaining_quota, 0), "quota"
        else:
            self._limit, self._reason = per_file, "too_large"

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self._limit:
            self.skipped.append(SkippedUpload(self.file_name, self._reason, self._limit))
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        self.remaining_quota -= file_size
        # The next handlers (memory or temporary file) build the UploadedFile.
        return None
