"""The learner's passport pages: the list, one badge (the owner's view with every choice, or the
view others get when the owner lets them), share links, the public profile and its settings.

Whatever a viewer may not see answers 404, whoever asks (see passport/selectors.py).
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from issuing import links
from issuing.notifications import linkedin_add_url
from openbadges.verify import Check, VerificationReport
from verify import explanations

from . import display, selectors, services
from .forms import PassportFilterForm, ProfileForm, TagForm, VisibilityForm
from .models import BadgeState, PassportBadge

BADGES_PER_PAGE = 48

# Served bytes that came from elsewhere must never run as a page of this site (a hostile SVG
# opened directly would otherwise execute its scripts in our origin).
_UNTRUSTED_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "private, no-store",
}


# -- the list -----------------------------------------------------------------------------------


@login_required
@require_safe
def badge_list(request: HttpRequest) -> HttpResponse:
    # Sync on open: the reliable path for awards that no signal announced (bulk inserts) and
    # for addresses verified before the passport existed.
    services.passport_sync_for_user(user=request.user)
    tags = selectors.passport_tags_for(user=request.user)
    form = PassportFilterForm(request.GET or None, tags=tags)
    state = tag = None
    if form.is_bound and form.is_valid():
        state = form.cleaned_data["state"] or None
        tag = form.cleaned_data["tag"] or None
    badges = selectors.passport_badges_for(user=request.user, state=state, tag=tag)
    if form.is_bound and not form.is_valid():
        badges = badges.none()
    page = Paginator(badges, BADGES_PER_PAGE).get_page(request.GET.get("page"))
    language = getattr(request, "LANGUAGE_CODE", None)
    for badge in page.object_list:
        display.localise(badge, language)
        badge.display_status = selectors.badge_status(badge)
        badge.image_src = display.image_src(badge)
    return render(
        request,
        "passport/badge_list.html",
        {
            "badges": page.object_list,
            "page": page,
            "form": form,
            "filtered": bool(state or tag),
            "filter_state": state or "",
            "filter_tag": tag or "",
            "counts": selectors.passport_state_counts(user=request.user),
            "profile": selectors.passport_profile_for(user=request.user),
        },
    )


# -- one badge ----------------------------------------------------------------------------------


# The recipient check runs only when someone gives an address to compare with; a passport badge
# was matched to its owner's verified address when it came in, so "no address was given" would
# only puzzle (the import page leaves it out for the same reason).
SKIP_WHEN_SKIPPED = ("recipient",)


def _stored_report(report: dict | None) -> VerificationReport:
    """The stored `VerificationReport.to_dict()` back as a report, so its checks are explained
    like a live one's; malformed entries are skipped rather than shown half."""
    checks = [
        Check(
            str(check.get("id", "")),
            check.get("outcome", ""),
            str(check.get("message", "")),
            check.get("code") or None,
        )
        for check in (report or {}).get("checks", [])
        if isinstance(check, dict) and check.get("id")
    ]
    return VerificationReport(checks=checks)


def _verification(badge: PassportBadge) -> tuple[bool, list[dict], bool]:
    """(valid, checks, live): our own awards are verified now, as their award page does;
    imported badges show their last stored verification. The checks carry the translated
    explanations of `/verify/` (`verify.explanations.rows`), the library's English beside."""
    if badge.award_id is not None:
        from issuing.hosted import verification_report

        report = verification_report(badge.award)
        return report.valid, explanations.rows(report, skip=SKIP_WHEN_SKIPPED), True
    stored = badge.verification_report or {}
    checks = explanations.rows(_stored_report(stored), skip=SKIP_WHEN_SKIPPED)
    return bool(stored.get("valid")), checks, False


def _downloads(badge: PassportBadge, *, share_token: str | None) -> list[dict]:
    if badge.award_id is not None:
        award = badge.award
        rows = []
        image_type = award.badge_class_version.image_type
        if image_type == "image/png":
            rows.append(
                {
                    "label": _("Badge image (PNG)"),
                    "url": reverse("issuing:baked_png", args=[award.public_id]),
                }
            )
        elif image_type == "image/svg+xml":
            rows.append(
                {
                    "label": _("Badge image (SVG)"),
                    "url": reverse("issuing:baked_svg", args=[award.public_id]),
                }
            )
        rows.append(
            {
                "label": _("Credential (JSON)"),
                "url": reverse("issuing:credential", args=[award.public_id]) + "?format=json",
            }
        )
        rows.append(
            {
                "label": _("Credential (JWT)"),
                "url": reverse("issuing:credential_jwt", args=[award.public_id]),
            }
        )
        return rows
    if not badge.original_format:
        return []
    url = (
        reverse("passport:share_original", kwargs={"token": share_token})
        if share_token
        else reverse("passport:original", kwargs={"public_id": badge.public_id})
    )
    return [
        {
            "label": _("Badge as received (%(format)s)")
            % {"format": badge.get_original_format_display()},
            "url": url,
        }
    ]


def _linkedin(badge: PassportBadge) -> str:
    if badge.award_id is None:
        return ""
    award = badge.award
    return linkedin_add_url(
        name=award.badge_class_version.name,
        organisation_name=badge.issuer_name,
        award=award,
        award_url=links.award_page_url(award.public_id),
    )


def _render_badge(request, badge: PassportBadge, *, share_token: str | None = None):
    viewer = request.user
    display.localise(badge, getattr(request, "LANGUAGE_CODE", None))
    is_owner = viewer.is_authenticated and viewer.pk == badge.owner_id and share_token is None
    # A shared page shows what the people holding the link see, the owner included.
    show_evidence = (
        not badge.hide_evidence
        if share_token
        else selectors.evidence_visible(viewer=viewer, badge=badge)
    )
    valid, checks, live = _verification(badge)
    context = {
        "badge": badge,
        "is_owner": is_owner,
        "share_token": share_token,
        "status": selectors.badge_status(badge),
        "verification_valid": valid,
        "checks": checks,
        "verified_live": live,
        "image_src": display.image_src(badge, share_token=share_token),
        "issuer_link": display.safe_url(badge.issuer_url),
        "criteria_url": display.criteria_url(badge),
        "criteria_narrative": display.criteria_narrative(badge),
        "narrative": display.narrative(badge),
        "show_evidence": show_evidence,
        "issuer_evidence": display.issuer_evidence(badge) if show_evidence else [],
        # The full documents carry the evidence: offered only to those who may see it.
        "downloads": _downloads(badge, share_token=share_token) if show_evidence else [],
        "award_page_url": (
            reverse("issuing:award_detail", args=[badge.award.public_id])
            if badge.award_id is not None and show_evidence
            else ""
        ),
    }
    if is_owner:
        context.update(
            {
                "linkedin_url": _linkedin(badge) if badge.state == BadgeState.ACCEPTED else "",
                "visibility_form": VisibilityForm(initial={"visibility": badge.visibility}),
                "tag_form": TagForm(),
                "share_url": (
                    links.site() + reverse("passport:shared", kwargs={"token": badge.share_token})
                    if badge.share_token
                    else ""
                ),
            }
        )
    response = render(request, "passport/badge_detail.html", context)
    # What a page shows depends on who asks, and may stop being visible at any moment.
    response["Cache-Control"] = "private, no-store"
    if share_token:
        # A shared page is for the people holding the link, not for search engines.
        response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def badge_detail(request: HttpRequest, public_id) -> HttpResponse:
    badge = selectors.passport_badge_visible(viewer=request.user, public_id=public_id)
    return _render_badge(request, badge)


@require_safe
def shared(request: HttpRequest, token: str) -> HttpResponse:
    badge = selectors.passport_badge_visible(viewer=request.user, share_token=token)
    return _render_badge(request, badge, share_token=token)


def _original_response(badge: PassportBadge) -> HttpResponse:
    if badge.original is None or not badge.original_format:
        raise Http404
    response = HttpResponse(
        bytes(badge.original), content_type=display.original_content_type(badge)
    )
    response["Content-Disposition"] = f'attachment; filename="{display.original_filename(badge)}"'
    for header, value in _UNTRUSTED_HEADERS.items():
        response[header] = value
    return response


def _image_response(badge: PassportBadge) -> HttpResponse:
    if not badge.image:
        raise Http404
    name = badge.image.name.lower()
    content_type = "image/svg+xml" if name.endswith(".svg") else "image/png"
    with badge.image.open("rb") as handle:
        response = HttpResponse(handle.read(), content_type=content_type)
    for header, value in _UNTRUSTED_HEADERS.items():
        response[header] = value
    return response


def _visible_with_evidence(request, **lookup) -> PassportBadge:
    badge = selectors.passport_badge_visible(viewer=request.user, **lookup)
    if "share_token" in lookup:
        hidden = badge.hide_evidence  # as on the shared page: the link holder's view
    else:
        hidden = not selectors.evidence_visible(viewer=request.user, badge=badge)
    if hidden:
        raise Http404
    return badge


@require_safe
def original(request: HttpRequest, public_id) -> HttpResponse:
    """The imported badge's exact bytes; they hold the evidence, so hidden evidence hides them."""
    return _original_response(_visible_with_evidence(request, public_id=public_id))


@require_safe
def share_original(request: HttpRequest, token: str) -> HttpResponse:
    return _original_response(_visible_with_evidence(request, share_token=token))


@require_safe
def image(request: HttpRequest, public_id) -> HttpResponse:
    return _image_response(
        selectors.passport_badge_visible(viewer=request.user, public_id=public_id)
    )


@require_safe
def share_image(request: HttpRequest, token: str) -> HttpResponse:
    return _image_response(selectors.passport_badge_visible(viewer=request.user, share_token=token))


# -- the owner's choices --------------------------------------------------------------------------


def _back(request, badge: PassportBadge):
    """To the list when the form came from it (keeping its filters), else to the badge."""
    if request.POST.get("from") == "list":
        url = reverse("passport:list")
        # Only our own filter parameters go back into the address (no open redirect).
        params = {
            key: request.POST[f"filter_{key}"][:100]
            for key in ("state", "tag")
            if request.POST.get(f"filter_{key}")
        }
        return redirect(f"{url}?{urlencode(params)}" if params else url)
    return redirect("passport:detail", public_id=badge.public_id)


def _owner_action(request, public_id, action, success: str):
    badge = selectors.passport_badge_for_owner(user=request.user, public_id=public_id)
    try:
        badge = action(badge) or badge
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        if success:
            messages.success(request, success)
    return badge


@require_POST
def badge_state(request: HttpRequest, public_id) -> HttpResponse:
    state = request.POST.get("state", "")
    success = {
        BadgeState.ACCEPTED: _("The badge is now in your passport."),
        BadgeState.DECLINED: _("You declined the badge. You can accept it later."),
    }.get(state, "")
    badge = _owner_action(
        request,
        public_id,
        lambda b: services.passport_badge_set_state(actor=request.user, badge=b, state=state),
        success,
    )
    return _back(request, badge)


@require_POST
def badge_visibility(request: HttpRequest, public_id) -> HttpResponse:
    form = VisibilityForm(request.POST)
    visibility = form.cleaned_data["visibility"] if form.is_valid() else ""
    badge = _owner_action(
        request,
        public_id,
        lambda b: services.passport_badge_set_visibility(
            actor=request.user, badge=b, visibility=visibility
        ),
        _("Who may see the badge was saved."),
    )
    return _back(request, badge)


@require_POST
def badge_share(request: HttpRequest, public_id) -> HttpResponse:
    if request.POST.get("action") == "revoke":
        badge = _owner_action(
            request,
            public_id,
            lambda b: services.passport_badge_share_revoke(actor=request.user, badge=b),
            _("The share link was turned off. Nobody can open it any more."),
        )
    else:
        badge = _owner_action(
            request,
            public_id,
            lambda b: services.passport_badge_share_create(actor=request.user, badge=b),
            _("A new share link was made. Anybody holding it can see this badge."),
        )
    return _back(request, badge)


@require_POST
def badge_evidence(request: HttpRequest, public_id) -> HttpResponse:
    hide = request.POST.get("hide") == "1"
    badge = _owner_action(
        request,
        public_id,
        lambda b: services.passport_badge_set_hide_evidence(actor=request.user, badge=b, hide=hide),
        _("The evidence is now hidden from others.") if hide else _("The evidence is now shown."),
    )
    return _back(request, badge)


@require_POST
def badge_tags(request: HttpRequest, public_id) -> HttpResponse:
    tag = request.POST.get("tag", "")[:200]
    if request.POST.get("action") == "remove":
        badge = _owner_action(
            request,
            public_id,
            lambda b: services.passport_badge_tag_remove(actor=request.user, badge=b, tag=tag),
            "",
        )
    else:
        badge = _owner_action(
            request,
            public_id,
            lambda b: services.passport_badge_tag_add(actor=request.user, badge=b, tag=tag),
            "",
        )
    return _back(request, badge)


@require_POST
def badge_remove(request: HttpRequest, public_id) -> HttpResponse:
    badge = selectors.passport_badge_for_owner(user=request.user, public_id=public_id)
    try:
        services.passport_badge_delete(actor=request.user, badge=badge)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("passport:detail", public_id=badge.public_id)
    messages.success(request, _("The badge was removed from your passport."))
    return redirect("passport:list")


# -- public profile -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile_settings(request: HttpRequest) -> HttpResponse:
    profile = selectors.passport_profile_for(user=request.user)
    initial = (
        {"handle": profile.handle, "headline": profile.headline, "enabled": profile.enabled}
        if profile
        else {}
    )
    form = ProfileForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            profile = services.passport_profile_update(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Your public page settings were saved."))
            return redirect("passport:profile")
    public_count = 0
    if profile:
        public_count = selectors.passport_profile_badges(profile=profile).count()
    return render(
        request,
        "passport/profile_settings.html",
        {"form": form, "profile": profile, "public_count": public_count},
    )


@require_safe
def profile_public(request: HttpRequest, handle: str) -> HttpResponse:
    profile = selectors.passport_profile_public(handle=handle)
    page = Paginator(selectors.passport_profile_badges(profile=profile), BADGES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    language = getattr(request, "LANGUAGE_CODE", None)
    for badge in page.object_list:
        display.localise(badge, language)
        badge.display_status = selectors.badge_status(badge)
        badge.image_src = display.image_src(badge)
    return render(
        request,
        "passport/profile_public.html",
        {"profile": profile, "badges": page.object_list, "page": page},
    )
