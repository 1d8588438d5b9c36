"""Import a badge from any issuer into the passport: verify, show the report, then add.

The badge waits between the two steps in the session (at most one per session, at most the
upload limit), so the confirming request needs no second upload; it is verified again when it
is added, so what is stored matches what was checked at that moment.
"""

from __future__ import annotations

import base64
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from verify import presenting, throttle
from verify.uploads import MAX_UPLOAD_BYTES, too_large_message
from verify.views import limited_upload, picture_for

from . import importing, selectors
from .forms_import import ConfirmImportForm, ImportForm

SESSION_KEY = "passport_import"


def _stash(request, data: dict) -> str:
    token = secrets.token_urlsafe(24)
    badge = data["badge"]
    request.session[SESSION_KEY] = {
        "token": token,
        "badge": base64.b64encode(badge).decode("ascii") if isinstance(badge, bytes) else badge,
        "binary": isinstance(badge, bytes),
        "format": data["format"],
        "filename": data.get("filename", ""),
    }
    return token


def _unstash(request, token: str) -> dict | None:
    pending = request.session.get(SESSION_KEY)
    if not pending or not secrets.compare_digest(pending.get("token", ""), token):
        return None
    badge = pending["badge"]
    if pending.get("binary"):
        badge = base64.b64decode(badge)
    return {**pending, "badge": badge}


def _render(request, context: dict, status: int = 200) -> HttpResponse:
    context.setdefault("max_upload_mb", MAX_UPLOAD_BYTES // 1024 // 1024)
    return render(request, "passport/import/import.html", context, status=status)


def _too_many() -> str:
    return _("You have checked many badges in a short time. Please wait a few minutes.")


@never_cache
@login_required
@limited_upload
@require_http_methods(["GET", "HEAD", "POST"])
def import_start(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _render(request, {"form": ImportForm()})
    if getattr(request, "upload_refused", False):
        return _render(request, {"form": ImportForm(), "refusal": too_large_message()}, 413)
    if not throttle.allow(request, scope=f"import:{request.user.pk}"):
        return _render(request, {"form": ImportForm(), "refusal": _too_many()}, 429)
    files = request.FILES  # parses the body, running the upload limit
    too_large = bool(getattr(request, "uploads_too_large", None))
    form = ImportForm(request.POST, files, too_large=too_large)
    if not form.is_valid():
        return _render(request, {"form": form}, 413 if too_large else 200)
    data = form.cleaned_data
    candidate = importing.prepare_import(
        user=request.user,
        badge=data["badge"],
        original_format=data["format"],
        filename=data.get("filename", ""),
    )
    context = {
        "form": ImportForm(),
        "candidate": candidate,
        "result": presenting.report_context(
            candidate.report,
            picture=picture_for(data["badge"], data["format"]),
            hide_skipped=("recipient",),
        ),
    }
    if not candidate.refusal:
        context["confirm"] = ConfirmImportForm(initial={"token": _stash(request, data)})
    return _render(request, context)


@login_required
@require_POST
def import_confirm(request: HttpRequest) -> HttpResponse:
    form = ConfirmImportForm(request.POST)
    pending = _unstash(request, form.data.get("token", "")) if form.is_valid() else None
    if pending is None:
        messages.error(request, _("This import has expired or was already added. Start again."))
        return redirect("passport:import")
    if not throttle.allow(request, scope=f"import:{request.user.pk}"):
        messages.error(request, _too_many())
        return redirect("passport:import")
    candidate = importing.prepare_import(
        user=request.user,
        badge=pending["badge"],
        original_format=pending["format"],
        filename=pending["filename"],
    )
    try:
        badge = importing.import_badge(actor=request.user, candidate=candidate)
    except ValidationError as error:
        request.session.pop(SESSION_KEY, None)
        for message in error.messages:
            messages.error(request, message)
        if candidate.duplicate is not None:
            return redirect("passport:detail", public_id=candidate.duplicate.public_id)
        return redirect("passport:import")
    request.session.pop(SESSION_KEY, None)
    messages.success(request, _("The badge was added to your passport."))
    return redirect("passport:detail", public_id=badge.public_id)


@login_required
@require_POST
def reverify(request: HttpRequest, public_id) -> HttpResponse:
    badge = selectors.passport_badge_for_owner(user=request.user, public_id=public_id)
    if not throttle.allow(request, scope=f"reverify:{request.user.pk}"):
        messages.error(request, _too_many())
        return redirect("passport:detail", public_id=badge.public_id)
    badge = importing.reverify(badge)
    messages.success(
        request,
        _("The badge was verified again: %(status)s.")
        % {"status": badge.get_verification_status_display()},
    )
    return redirect("passport:detail", public_id=badge.public_id)
