"""The "all my data" page: what the archive holds, and its download (streamed)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
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
