"""The "all my data" page: what the archive holds, its download (streamed), and importing such
an archive made by another Badge Europe site."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from evidence.selectors import evidence_quota_for

from . import export
from .models import PassportBadge


@login_required
@require_http_methods(["GET", "HEAD"])
def export_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "badge_count": PassportBadge.objects.filter(owner=user).count(),
        "evidence_count": user.evidence_items.count(),
        "usage": evidence_quota_for(user=user),
        "format": export.FORMAT,
        "version": export.VERSION,
    }
    return render(request, "passport/export/page.html", context)


@login_required
@require_POST
def export_download(request: HttpRequest) -> StreamingHttpResponse:
    # POST, so that no other site can make a signed-in browser build an archive.
    export.export_record(actor=request.user)
    now = timezone.now()
    response = StreamingHttpResponse(
        export.export_stream(user=request.user, now=now), content_type="application/zip"
    )
    filename = f"badge-europe-{timezone.localdate(now).isoformat()}.zip"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class _ArchiveSizeLimit(FileUploadHandler):
    """Skips an archive larger than the largest accepted while it streams in (see
    evidence.uploads for why this runs before the CSRF check reads the body)."""

    def __init__(self, request=None):
        super().__init__(request)
        self.limit = export.archive_max_bytes()
        self.too_large = False

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit:
            self.too_large = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None


def _with_archive_limit(view):
    protected = csrf_protect(view)

    def wrapper(request, *args, **kwargs):
        if request.method == "POST":
            request.archive_limit = _ArchiveSizeLimit(request)
            request.upload_handlers.insert(0, request.archive_limit)
        return protected(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return csrf_exempt(wrapper)


@_with_archive_limit
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def import_archive(request: HttpRequest) -> HttpResponse:
    context = {"max_size": export.archive_max_bytes(), "result": None, "error": ""}
    if request.method == "POST":
        upload = request.FILES.get("archive")
        limit = getattr(request, "archive_limit", None)
        if limit is not None and limit.too_large:
            context["error"] = _("The archive is larger than %(size)s.") % {
                "size": filesizeformat(export.archive_max_bytes())
            }
        elif upload is None:
            context["error"] = _("Choose the archive to import.")
        else:
            try:
                context["result"] = export.archive_import(actor=request.user, upload=upload)
            except ValidationError as exc:
                context["error"] = " ".join(exc.messages)
    status = 400 if context["error"] else 200
    return render(request, "passport/export/import.html", context, status=status)
