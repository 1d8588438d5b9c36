"""Public claim pages (ask, sent, confirm) and the staff page that makes a badge claimable."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import roles
from accounts.selectors import organisation_get_for_member
from issuing import links as issuing_links

from . import links, selectors, services
from .forms import ClaimForm, ClaimSettingsForm


def _badge_context(claimable) -> dict:
    badge_class = claimable.badge_class
    version = badge_class.current_version
    return {
        "claimable": claimable,
        "badge_class": badge_class,
        "version": version,
        "issuer": badge_class.organisation.issuer_profile
        if hasattr(badge_class.organisation, "issuer_profile")
        else None,
        "image_url": issuing_links.badge_image_url(badge_class.public_id, version.number),
    }


@require_http_methods(["GET", "HEAD", "POST"])
def claim(request: HttpRequest, public_id) -> HttpResponse:
    claimable = selectors.claimable_public(public_id)
    form = ClaimForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.claim_request(
                claimable=claimable,
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                ip=request.META.get("REMOTE_ADDR", ""),
            )
        except services.Throttled as error:
            form.add_error(None, error.messages)
            status = 429
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            return redirect("claims:sent", public_id=claimable.public_id)
    context = {**_badge_context(claimable), "form": form, "open": claimable.is_open()}
    return render(request, "claims/claim.html", context, status=status)


@require_http_methods(["GET", "HEAD"])
def sent(request: HttpRequest, public_id) -> HttpResponse:
    claimable = selectors.claimable_public(public_id)
    context = {**_badge_context(claimable), "hours": links.max_age() // 3600}
    return render(request, "claims/sent.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Opening the link shows a button; only its POST awards (mail scanners follow links)."""
    try:
        public_id = links.read_token(token)
    except signing.SignatureExpired:
        return render(request, "claims/link_problem.html", {"expired": True}, status=410)
    except signing.BadSignature:
        return render(request, "claims/link_problem.html", {"expired": False}, status=400)
    claim_request = selectors.claim_request_by_public_id(public_id)
    if claim_request is None:
        return render(request, "claims/link_problem.html", {"expired": False}, status=400)
    claimable = claim_request.claimable
    error = None
    if request.method == "POST":  # an accepted request just shows its award again
        try:
            services.claim_confirm(claim_request=claim_request)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            return redirect("claims:confirm", token=token)
    context = {
        **_badge_context(claimable),
        "claim_request": claim_request,
        "award": claim_request.award,
        "error": error,
        "open": claimable.is_open(),
    }
    return render(request, "claims/confirm.html", context, status=400 if error else 200)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def claim_settings(request: HttpRequest, slug: str, public_id) -> HttpResponse:
    organisation = organisation_get_for_member(
        user=request.user, slug=slug, permission=roles.AWARD_BADGES
    )
    badge_class = selectors.badge_class_for_claims(
        actor=request.user, organisation=organisation, public_id=public_id
    )
    claimable = selectors.claimable_for(badge_class)
    form = ClaimSettingsForm(
        request.POST if request.method == "POST" else None,
        initial=ClaimSettingsForm.initial_from(claimable),
    )
    if request.method == "POST" and form.is_valid():
        opens_at, closes_at = form.period()
        try:
            services.claimable_configure(
                actor=request.user,
                badge_class=badge_class,
                enabled=form.cleaned_data["enabled"],
                opens_at=opens_at,
                closes_at=closes_at,
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("The claim settings have been saved."))
            return redirect(
                reverse("claims:settings", kwargs={"slug": slug, "public_id": public_id})
            )
    return render(
        request,
        "claims/settings.html",
        {
            "organisation": organisation,
            "can": roles.abilities(organisation.my_role),
            "badge_class": badge_class,
            "version": badge_class.current_version,
            "claimable": claimable,
            "claim_url": links.claim_url(claimable) if claimable else "",
            "claimed": selectors.claims_count(claimable) if claimable else 0,
            "form": form,
        },
    )
