"""Pages of the evidence library (for its owner) and the file responses (for the owner and for
those who may see a badge the item is attached to)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from passport.selectors import passport_badge_for_owner

from . import selectors, services
from .forms import EvidenceEditForm, LinkForm, UploadForm
from .models import EvidenceKind
from .uploads import EvidenceUploadLimitHandler


def _with_upload_limit(view):
    """Installs the size and quota limits before the body is read. The CSRF check reads the
    body, so it runs after: the view is exempted from the middleware and protected inside."""
    protected = csrf_protect(view)

    def wrapper(request, *args, **kwargs):
        if request.method == "POST" and request.user.is_authenticated:
            remaining = selectors.evidence_quota_for(user=request.user)["available"]
            request.evidence_limits = EvidenceUploadLimitHandler(request, remaining_quota=remaining)
            request.upload_handlers.insert(0, request.evidence_limits)
        return protected(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return csrf_exempt(wrapper)


def _library_context(request, **extra) -> dict:
    context = {
        "items": selectors.evidence_for_owner(user=request.user),
        "usage": selectors.evidence_quota_for(user=request.user),
        "upload_form": UploadForm(),
        "link_form": LinkForm(),
    }
    context.update(extra)
    return context


@login_required
@require_http_methods(["GET", "HEAD"])
def library(request: HttpRequest) -> HttpResponse:
    return render(request, "evidence/library.html", _library_context(request))


def _skipped_message(skipped) -> str:
    if skipped.reason == "too_many":
        return _(
            "“%(name)s” was not uploaded: at most %(count)s files can be uploaded at once."
        ) % {"name": skipped.name, "count": skipped.limit}
    if skipped.reason == "quota":
        return _(
            "“%(name)s” was not uploaded: it does not fit in your library (%(available)s left)."
        ) % {"name": skipped.name, "available": filesizeformat(skipped.limit)}
    return _("“%(name)s” was not uploaded: it is larger than %(limit)s.") % {
        "name": skipped.name,
        "limit": filesizeformat(skipped.limit),
    }


def _attach_target(request):
    """The learner's own passport badge to attach new uploads to, when the upload came from a
    badge page; None otherwise."""
    badge_id = request.POST.get("badge") or request.GET.get("badge")
    if not badge_id:
        return None
    try:
        return passport_badge_for_owner(user=request.user, public_id=badge_id)
    except (Http404, ValidationError, ValueError):
        return None


def _back(request, badge):
    if badge is not None:
        return redirect(_badge_url(badge))
    return redirect("evidence:library")


def _badge_url(badge) -> str:
    return reverse("passport:detail", args=[badge.public_id])


@_with_upload_limit
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    badge = _attach_target(request)
    if request.method != "POST":
        return render(
            request,
            "evidence/upload.html",
            {
                "upload_form": UploadForm(),
                "usage": selectors.evidence_quota_for(user=request.user),
                "badge": badge,
            },
        )
    limits = getattr(request, "evidence_limits", None)
    skipped = limits.skipped if limits else []
    uploads = request.FILES.getlist("files")
    if not uploads and not skipped:
        messages.error(request, _("Choose at least one file to upload."))
        return redirect(reverse("evidence:upload") + (f"?badge={badge.public_id}" if badge else ""))
    added = []
    for item in skipped:
        messages.error(request, _skipped_message(item))
    for uploaded in uploads:
        try:
            item = services.evidence_file_add(actor=request.user, upload=uploaded)
        except ValidationError as exc:
            # Uploading again from a badge page still attaches what the library holds.
            duplicate = isinstance(exc, services.DuplicateEvidence) and exc.existing is not None
            if duplicate and badge is not None:
                added.append(exc.existing)
            level = messages.INFO if exc.code == "duplicate" else messages.ERROR
            for message in exc.messages:
                messages.add_message(request, level, message)
            continue
        added.append(item)
    if badge is not None:
        for item in added:
            try:
                services.badge_evidence_attach(actor=request.user, badge=badge, evidence=item)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                break
    if added:
        count = len(added)
        if badge is None:
            text = ngettext(
                "%(count)s file added to your library.",
                "%(count)s files added to your library.",
                count,
            )
        else:
            text = ngettext(
                "%(count)s file added to this badge.", "%(count)s files added to this badge.", count
            )
        messages.success(request, text % {"count": count})
    return _back(request, badge)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def link_add(request: HttpRequest) -> HttpResponse:
    badge = _attach_target(request)
    form = LinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.evidence_link_add(actor=request.user, **form.cleaned_data)
        except services.DuplicateEvidence as exc:
            messages.info(request, " ".join(exc.messages))
            if badge is not None and exc.existing is not None:
                services.badge_evidence_attach(
                    actor=request.user, badge=badge, evidence=exc.existing
                )
            return _back(request, badge)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        else:
            if badge is not None:
                try:
                    services.badge_evidence_attach(actor=request.user, badge=badge, evidence=item)
                except ValidationError as exc:
                    messages.error(request, " ".join(exc.messages))
            messages.success(request, _("The link “%(title)s” was added.") % {"title": item.title})
            return _back(request, badge)
    return render(request, "evidence/link_form.html", {"form": form, "badge": badge})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit(request: HttpRequest, public_id) -> HttpResponse:
    item = selectors.evidence_get_for_owner(user=request.user, public_id=public_id)
    form = EvidenceEditForm(
        request.POST or None, initial={"title": item.title, "description": item.description}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.evidence_update(actor=request.user, evidence=item, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("“%(title)s” was saved.") % {"title": item.title})
            return redirect("evidence:library")
    badges = selectors.evidence_badges_of(user=request.user, evidence=item)
    return render(request, "evidence/edit.html", {"item": item, "form": form, "badges": badges})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def delete(request: HttpRequest, public_id) -> HttpResponse:
    item = selectors.evidence_get_for_owner(user=request.user, public_id=public_id)
    badges = selectors.evidence_badges_of(user=request.user, evidence=item)
    if request.method == "POST":
        if badges and request.POST.get("confirm_attached") != "yes":
            messages.error(
                request, _("Confirm that the evidence may also be removed from those badges.")
            )
        else:
            services.evidence_delete(actor=request.user, evidence=item)
            messages.success(request, _("“%(title)s” was deleted.") % {"title": item.title})
            return redirect("evidence:library")
    return render(request, "evidence/delete.html", {"item": item, "badges": badges})


@login_required
@require_POST
def attach(request: HttpRequest, badge_id) -> HttpResponse:
    badge = passport_badge_for_owner(user=request.user, public_id=badge_id)
    try:
        item = selectors.evidence_get_for_owner(
            user=request.user, public_id=request.POST.get("evidence", "")
        )
    except ValidationError as exc:
        raise Http404 from exc
    try:
        services.badge_evidence_attach(actor=request.user, badge=badge, evidence=item)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("“%(title)s” was attached.") % {"title": item.title})
    return redirect(_badge_url(badge))


@login_required
@require_POST
def detach(request: HttpRequest, badge_id, public_id) -> HttpResponse:
    badge = passport_badge_for_owner(user=request.user, public_id=badge_id)
    item = selectors.evidence_get_for_owner(user=request.user, public_id=public_id)
    if services.badge_evidence_detach(actor=request.user, badge=badge, evidence=item):
        messages.success(
            request,
            _("“%(title)s” was removed from this badge; it stays in your library.")
            % {"title": item.title},
        )
    return redirect(_badge_url(badge))


# -- file responses ---------------------------------------------------------------------------


def _file_response(item, *, thumbnail: bool) -> FileResponse:
    if item.kind != EvidenceKind.FILE:
        raise Http404
    if thumbnail:
        if not item.has_thumbnail:
            raise Http404
        response = FileResponse(item.thumbnail.open("rb"), content_type="image/webp")
    else:
        response = FileResponse(
            item.file.open("rb"),
            content_type=item.content_type,
            as_attachment=not item.shown_inline,
            filename=item.original_filename or f"evidence.{item.file.name.rpartition('.')[2]}",
        )
    # Never let a browser guess another type or run anything a file might carry.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    # Access can be withdrawn (hidden evidence, badge made private): no shared caches, and the
    # browser asks again each time.
    response["Cache-Control"] = "private, no-cache"
    return response


def _served(request, *, thumbnail: bool, public_id, badge_id=None, token=None):
    item = selectors.evidence_for_viewer(
        viewer=request.user, public_id=public_id, badge_public_id=badge_id, share_token=token
    )
    return _file_response(item, thumbnail=thumbnail)


@require_http_methods(["GET", "HEAD"])
def own_file(request, public_id):
    return _served(request, thumbnail=False, public_id=public_id)


@require_http_methods(["GET", "HEAD"])
def own_thumbnail(request, public_id):
    return _served(request, thumbnail=True, public_id=public_id)


@require_http_methods(["GET", "HEAD"])
def badge_file(request, badge_id, public_id):
    return _served(request, thumbnail=False, public_id=public_id, badge_id=badge_id)


@require_http_methods(["GET", "HEAD"])
def badge_thumbnail(request, badge_id, public_id):
    return _served(request, thumbnail=True, public_id=public_id, badge_id=badge_id)


@require_http_methods(["GET", "HEAD"])
def shared_file(request, token, public_id):
    return _served(request, thumbnail=False, public_id=public_id, token=token)


@require_http_methods(["GET", "HEAD"])
def shared_thumbnail(request, token, public_id):
    return _served(request, thumbnail=True, public_id=public_id, token=token)
