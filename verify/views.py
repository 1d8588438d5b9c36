"""The public verifier: anyone, signed in or not, checks a badge. Nothing submitted is stored."""

from __future__ import annotations

from functools import wraps

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from . import checking, images, presenting, throttle
from .forms import VerifyForm
from .uploads import (
    MAX_UPLOAD_BYTES,
    UploadLimitHandler,
    declared_too_large,
    too_large_message,
)

RAW_TYPES = {
    "application/json",
    "application/ld+json",
    "application/vc+ld+json",
    "application/jwt",
    "application/vc+jwt",
    "text/plain",
    "image/png",
    "image/svg+xml",
}


def limited_upload(view):
    """Refuses an oversized body before reading it and caps files while they arrive.

    The CSRF check reads the body, so it must run after the upload handler is installed: the
    view is exempted from the middleware and protected inside instead.
    """
    protected = csrf_protect(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST" and declared_too_large(request):
            request.upload_refused = True
            return view(request, *args, **kwargs)
        request.upload_handlers.insert(0, UploadLimitHandler(request))
        return protected(request, *args, **kwargs)

    return csrf_exempt(wrapper)


def picture_for(badge, badge_format: str) -> str:
    """The uploaded baked image itself, made safe, as a data: URL."""
    if badge_format in ("png", "svg") and isinstance(badge, bytes):
        return images.as_data_url(images.safe_picture(badge))
    return ""


@never_cache
@limited_upload
@require_http_methods(["GET", "HEAD", "POST"])
def verify_page(request: HttpRequest) -> HttpResponse:
    context: dict = {}
    status = 200
    if request.method != "POST":
        form = VerifyForm()
    elif getattr(request, "upload_refused", False):
        form = VerifyForm()
        context["refusal"] = too_large_message()
        status = 413
    elif not throttle.allow(request):
        form = VerifyForm()
        context["refusal"] = _(
            "You have verified many badges in a short time. Please wait a few minutes."
        )
        status = 429
    else:
        files = request.FILES  # parses the body, running the upload limit
        too_large = bool(getattr(request, "uploads_too_large", None))
        form = VerifyForm(request.POST, files, too_large=too_large)
        if form.is_valid():
            badge = form.cleaned_data["badge"]
            report = checking.verify_badge(badge, recipient=form.cleaned_data.get("email"))
            context["result"] = presenting.report_context(
                report, picture=picture_for(badge, form.cleaned_data["format"])
            )
            form = VerifyForm()  # the next badge starts from an empty form
        elif too_large:
            status = 413
    context["form"] = form
    context["max_upload_mb"] = MAX_UPLOAD_BYTES // 1024 // 1024
    return render(request, "verify/verify.html", context, status=status)


def _api_error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@csrf_exempt  # No session state is read or changed: the API verifies what it is given.
@require_POST
def verify_api(request: HttpRequest) -> JsonResponse:
    if declared_too_large(request):
        return _api_error(too_large_message(), 413)
    if not throttle.allow(request):
        return _api_error(_("Too many verifications from your address; wait a few minutes."), 429)
    content_type = (request.content_type or "").lower()
    recipient = request.GET.get("email") or None
    if content_type in RAW_TYPES:
        body = request.read(MAX_UPLOAD_BYTES + 1)
        if len(body) > MAX_UPLOAD_BYTES:
            return _api_error(too_large_message(), 413)
        if not body.strip():
            return _api_error(_("The request body is empty."), 400)
        badge = body
    else:
        request.upload_handlers.insert(0, UploadLimitHandler(request))
        files = request.FILES  # parses the body, running the upload limit
        form = VerifyForm(
            request.POST, files, too_large=bool(getattr(request, "uploads_too_large", None))
        )
        if not form.is_valid():
            errors = [str(e) for messages in form.errors.values() for e in messages]
            status = 413 if form.too_large else 400
            return JsonResponse({"error": " ".join(errors), "fields": form.errors}, status=status)
        badge = form.cleaned_data["badge"]
        recipient = form.cleaned_data.get("email") or recipient
    report = checking.verify_badge(badge, recipient=recipient)
    return JsonResponse(presenting.report_json(report))
