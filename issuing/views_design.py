"""Badge class management for an organisation's staff: list, create, edit, view, archive, and
the designer's live preview.

Members see the pages; only members with `badges.design` change anything (the services check
it again). Outsiders get a 404 from `organisation_get_for_member`.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from accounts import roles
from accounts.selectors import organisation_get_for_member

from . import designer, images_design, selectors_design, services
from .forms_design import (
    IMAGE_DESIGNER,
    IMAGE_KEEP,
    AlignmentForm,
    AlignmentFormSet,
    BadgeClassForm,
    TranslationFormSet,
    default_language,
    translation_initial,
)

# Service errors on fields the main form does not have are shown in the matching fieldset.
_SECTION_ERRORS = {"alignments": "alignments", "translations": "translations"}
_MICRO_ERRORS = {"microcredential": "ects_credits"}


def _member(request, slug, permission=roles.VIEW):
    organisation = organisation_get_for_member(user=request.user, slug=slug, permission=permission)
    return organisation, roles.abilities(organisation.my_role)


def _badge_url(organisation, badge_class) -> str:
    return reverse(
        "issuing_design:badge_class_detail",
        kwargs={"slug": organisation.slug, "public_id": badge_class.public_id},
    )


def _image_url(badge_class, version) -> str:
    return reverse("issuing:badge_image", args=[badge_class.public_id]) + f"?v={version.number}"


@login_required
@require_safe
def badge_class_list(request: HttpRequest, slug: str) -> HttpResponse:
    organisation, can = _member(request, slug)
    badge_classes = list(
        selectors_design.badge_classes_with_counts(actor=request.user, organisation=organisation)
    )
    for badge_class in badge_classes:
        badge_class.image_url = _image_url(badge_class, badge_class.current_version)
    return render(
        request,
        "issuing/design/badge_class_list.html",
        {"organisation": organisation, "can": can, "badge_classes": badge_classes},
    )


def _with_upload_limit(view):
    """Installs the upload limit before the body is read. The CSRF check reads the body, so it
    runs after: the view is exempted from the middleware and protected inside instead."""
    protected = csrf_protect(view)

    def wrapper(request, *args, **kwargs):
        request.upload_handlers.insert(0, images_design.UploadLimitHandler(request))
        return protected(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return csrf_exempt(wrapper)


def _apply_service_errors(error: ValidationError, form, sections: dict) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, field_errors in error.message_dict.items():
        if field in _SECTION_ERRORS:
            sections.setdefault(_SECTION_ERRORS[field], []).extend(field_errors)
        elif field in _MICRO_ERRORS:
            form.add_error(_MICRO_ERRORS[field], field_errors)
        elif field in form.fields and field not in form.errors:
            form.add_error(field, field_errors)
        else:
            form.add_error(None, field_errors)


def _editor(request, organisation, can, badge_class=None):
    editing = badge_class is not None
    version = badge_class.current_version if editing else None
    post = request.method == "POST"
    files = request.FILES if post else None  # parses the body, running the upload handlers
    too_large = getattr(request, "uploads_too_large", set()) if post else set()
    if editing:
        initial = BadgeClassForm.initial_from(version)
        stored_design = designer.design_for(version)
        if stored_design is not None:
            initial.update(designer.design_settings(stored_design))
        alignment_initial = [AlignmentForm.initial_from(item) for item in version.alignments]
        translations = translation_initial(version)
    else:
        initial = {"language": default_language(getattr(request, "LANGUAGE_CODE", None))}
        alignment_initial, translations = [], []
    form = BadgeClassForm(
        request.POST if post else None,
        files,
        initial=initial,
        editing=editing,
        too_large=too_large,
    )
    alignment_formset = AlignmentFormSet(
        request.POST if post else None, initial=alignment_initial, prefix="alignments"
    )
    translation_formset = TranslationFormSet(
        request.POST if post else None,
        initial=translations,
        prefix="translations",
        content_language=request.POST.get("language") if post else None,
    )
    sections: dict[str, list[str]] = {}
    previewing = post and "preview" in request.POST
    if post and not previewing:
        valid = all([form.is_valid(), alignment_formset.is_valid(), translation_formset.is_valid()])
        if valid:
            fields = {
                **form.version_fields(version),
                "alignments": alignment_formset.alignments(),
                "translations": translation_formset.translations(),
            }
            try:
                with transaction.atomic():
                    if editing:
                        saved = services.badge_class_update(
                            actor=request.user,
                            badge_class=badge_class,
                            image=form.image_bytes,
                            **fields,
                        )
                    else:
                        badge_class = services.badge_class_create(
                            actor=request.user,
                            organisation=organisation,
                            image=form.image_bytes,
                            **fields,
                        )
                        saved = badge_class.current_version
                    source = form.cleaned_data.get("image_source")
                    designer.design_store(
                        actor=request.user,
                        version=saved,
                        design=form.design() if source == IMAGE_DESIGNER else None,
                        kept_from=version if source == IMAGE_KEEP else None,
                    )
            except ValidationError as error:
                _apply_service_errors(error, form, sections)
            else:
                if editing:
                    messages.success(request, _("The badge class has been saved."))
                else:
                    messages.success(
                        request, _("The badge class has been created. You can award it now.")
                    )
                return redirect(_badge_url(organisation, badge_class))
    try:
        design = form.design()
    except ValidationError:
        design = designer.DEFAULT
    preview_url = reverse("issuing_design:designer_preview", kwargs={"slug": organisation.slug})
    return render(
        request,
        "issuing/design/badge_class_form.html",
        {
            "organisation": organisation,
            "can": can,
            "badge_class": badge_class,
            "version": version,
            "current_image_url": _image_url(badge_class, version) if editing else "",
            "form": form,
            "alignment_formset": alignment_formset,
            "translation_formset": translation_formset,
            "sections": sections,
            "preview_url": preview_url,
            "preview_query": _design_query(design),
        },
    )


def _design_query(design: designer.Design) -> str:
    return urlencode(
        {
            "shape": design.shape,
            "icon": design.icon,
            "primary": design.primary,
            "secondary": design.secondary,
            "line1": design.line1,
            "line2": design.line2,
        }
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@_with_upload_limit
def badge_class_create(request: HttpRequest, slug: str) -> HttpResponse:
    organisation, can = _member(request, slug, roles.DESIGN_BADGES)
    return _editor(request, organisation, can)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@_with_upload_limit
def badge_class_edit(request: HttpRequest, slug: str, public_id) -> HttpResponse:
    organisation, can = _member(request, slug, roles.DESIGN_BADGES)
    badge_class = selectors_design.badge_class_for_member(
        actor=request.user, organisation=organisation, public_id=public_id
    )
    if badge_class.is_archived:
        messages.error(request, _("This badge class is archived and cannot be changed."))
        return redirect(_badge_url(organisation, badge_class))
    return _editor(request, organisation, can, badge_class)


@login_required
@require_safe
def badge_class_detail(request: HttpRequest, slug: str, public_id) -> HttpResponse:
    organisation, can = _member(request, slug)
    badge_class = selectors_design.badge_class_for_member(
        actor=request.user, organisation=organisation, public_id=public_id
    )
    versions = list(
        selectors_design.badge_class_versions(actor=request.user, badge_class=badge_class)
    )
    version = badge_class.current_version
    return render(
        request,
        "issuing/design/badge_class_detail.html",
        {
            "organisation": organisation,
            "can": can,
            "badge_class": badge_class,
            "version": version,
            "versions": versions,
            "award_count": sum(item.award_count for item in versions),
            "image_url": _image_url(badge_class, version),
            "public_url": reverse("issuing:badge_detail", args=[badge_class.public_id]),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def badge_class_archive(request: HttpRequest, slug: str, public_id) -> HttpResponse:
    organisation, can = _member(request, slug, roles.DESIGN_BADGES)
    badge_class = selectors_design.badge_class_for_member(
        actor=request.user, organisation=organisation, public_id=public_id
    )
    if request.method == "POST":
        services.badge_class_archive(actor=request.user, badge_class=badge_class)
        messages.success(
            request,
            _("%(name)s is archived. Badges already awarded stay valid.")
            % {"name": badge_class.current_version.name},
        )
        return redirect(_badge_url(organisation, badge_class))
    return render(
        request,
        "issuing/design/badge_class_archive.html",
        {"organisation": organisation, "can": can, "badge_class": badge_class},
    )


@login_required
@require_safe
def designer_preview(request: HttpRequest, slug: str) -> HttpResponse:
    _member(request, slug, roles.DESIGN_BADGES)
    try:
        design = designer.design_from(request.GET)
    except ValidationError as error:
        return HttpResponseBadRequest(" ".join(error.messages), content_type="text/plain")
    response = HttpResponse(designer.render(design), content_type="image/svg+xml")
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response["Cache-Control"] = "private, max-age=3600"
    return response
