"""Pages of the campaign: propose an initiative, review proposals, the initiative page, pledges,
joining, report tokens. Thin: parse the form, call a selector or service, render.

Initiatives that are not approved answer 404 to everyone but their proposer and platform
administrators; signed-in people without the right answer 403 on management pages."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from issuing.charts import bar_chart
from issuing.models import BadgeClass

from . import conf, counting, countries, forms, selectors, services
from .models import JoinRequest, Pledge, ReportToken


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _initiative_or_404(request: HttpRequest, slug: str):
    initiative = selectors.initiative_for(user=request.user, slug=slug)
    if initiative is None:
        raise Http404
    return initiative


def _require_manager(request: HttpRequest, initiative) -> None:
    if not selectors.can_manage_initiative(request.user, initiative):
        raise PermissionDenied


@login_required
def propose(request: HttpRequest) -> HttpResponse:
    organisations = selectors.managed_organisations(request.user)
    form = forms.InitiativeForm(
        request.POST or None, request.FILES or None, organisations=organisations
    )
    if request.method == "GET" and request.GET.get("organisation"):
        chosen = organisations.filter(slug=request.GET["organisation"])
        form.initial["organisations"] = list(chosen)
    if request.method == "POST" and form.is_valid():
        try:
            initiative = services.initiative_propose(actor=request.user, **form.service_fields())
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request,
                _("Thank you. Your initiative awaits review by the platform administrators."),
            )
            return redirect("campaign:detail", slug=initiative.slug)
    return render(request, "campaign/propose.html", {"form": form})


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "campaign/mine.html",
        {
            "initiatives": selectors.initiatives_proposed_by(request.user),
            "to_review": selectors.initiatives_to_review(request.user).count(),
        },
    )


def _month_label(month: date) -> str:
    return formats.date_format(month, "M Y")


def _chart_months(rows: list[tuple[date, int]], count: int = 12) -> list[tuple[date, int]]:
    """The last `count` months up to this one, months without badges as zero."""
    by_month = dict(rows)
    today = timezone.localdate()
    year, month = today.year, today.month
    months = []
    for _step in range(count):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    months.reverse()
    return [(month, by_month.get(month, 0)) for month in months]


def detail(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = _initiative_or_404(request, slug)
    organisations = list(selectors.organisations_of(initiative))
    months = _chart_months(selectors.achieved_per_month(initiative))
    badge_classes = (
        BadgeClass.objects.filter(organisation__in=organisations, archived_at__isnull=True)
        .select_related("current_version", "organisation")
        .order_by("organisation__name", "current_version__name")
    )
    committed, achieved = initiative.committed, initiative.achieved
    percent = min(100, round(100 * achieved / committed)) if committed else 0
    return render(
        request,
        "campaign/detail.html",
        {
            "initiative": initiative,
            "country_name": countries.country_name(initiative.country),
            "organisations": organisations,
            "pledges": selectors.pledge_history(initiative),
            "badge_classes": badge_classes,
            "percent": percent,
            "chart": bar_chart([_month_label(m) for m, _n in months], [n for _m, n in months]),
            "months": [(_month_label(m), n) for m, n in months],
            "reports": selectors.external_reports(initiative),
            "can_manage": selectors.can_manage_initiative(request.user, initiative),
            "can_decide": selectors.can_decide_join_requests(request.user, initiative),
            "join_requests": selectors.pending_join_requests(
                user=request.user, initiative=initiative
            ),
            "is_proposer": request.user.is_authenticated
            and initiative.proposed_by_id == request.user.pk,
        },
    )


@login_required
def edit(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = _initiative_or_404(request, slug)
    _require_manager(request, initiative)
    form = forms.InitiativeEditForm(
        request.POST or None,
        request.FILES or None,
        initiative=initiative,
        reviewed_fields_editable=services.can_change_reviewed_fields(request.user, initiative),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.initiative_update(
                actor=request.user, initiative=initiative, **form.service_fields()
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The initiative was saved."))
            return redirect("campaign:detail", slug=initiative.slug)
    return render(request, "campaign/edit.html", {"initiative": initiative, "form": form})


@login_required
def campaign_settings(request: HttpRequest) -> HttpResponse:
    if not selectors.is_platform_admin(request.user):
        raise PermissionDenied
    row = selectors.campaign_settings()
    form = forms.CampaignSettingsForm(
        request.POST or None,
        initial={
            "supporter_badge": row.supporter_badge.public_id if row.supporter_badge else None,
            "goal": row.goal,
            "next_goal": row.next_goal,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_settings_update(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The campaign settings were saved."))
            return redirect("campaign:settings")
    supporter_id = counting.supporter_badge_class_id()
    return render(
        request,
        "campaign/settings.html",
        {
            "form": form,
            "totals": selectors.campaign_totals(),
            "goals": selectors.campaign_goals(),
            "supporter_badge": BadgeClass.objects.select_related("current_version", "organisation")
            .filter(pk=supporter_id)
            .first()
            if supporter_id
            else None,
            "defaults": {
                "supporter_badge": conf.supporter_badge(),
                "goal": conf.goal(),
                "next_goal": conf.next_goal(),
            },
        },
    )


def logo(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = _initiative_or_404(request, slug)
    if not initiative.logo:
        raise Http404
    is_svg = initiative.logo.name.endswith(".svg")
    response = FileResponse(
        initiative.logo.open("rb"), content_type="image/svg+xml" if is_svg else "image/png"
    )
    # An SVG opened on its own must not run anything, even if a check missed something.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=300"
    return response


@login_required
def pledge(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = _initiative_or_404(request, slug)
    _require_manager(request, initiative)
    organisations = selectors.managed_organisations(request.user).filter(
        pk__in=initiative.organisations.values("pk")
    )
    form = forms.PledgeForm(
        request.POST or None, initiative=initiative, organisations=organisations
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.pledge_create(
                actor=request.user,
                initiative=initiative,
                badge_count=data["badge_count"],
                starts_on=data["starts_on"],
                deadline=data["deadline"],
                theme=data.get("theme", ""),
                badge_classes=list(data.get("badge_classes") or []),
                organisation=data.get("organisation"),
                replaces=data.get("replaces"),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Thank you for your pledge."))
            return redirect("campaign:detail", slug=initiative.slug)
    return render(request, "campaign/pledge.html", {"initiative": initiative, "form": form})


@login_required
@require_POST
def pledge_withdraw(request: HttpRequest, slug: str, public_id) -> HttpResponse:
    initiative = _initiative_or_404(request, slug)
    _require_manager(request, initiative)
    pledge = get_object_or_404(Pledge, initiative=initiative, public_id=public_id)
    try:
        services.pledge_withdraw(actor=request.user, pledge=pledge)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The pledge was withdrawn; it stays in the history."))
    return redirect("campaign:detail", slug=initiative.slug)


@login_required
@require_POST
def withdraw(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = _initiative_or_404(request, slug)
    try:
        services.initiative_withdraw(actor=request.user, initiative=initiative)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The initiative was withdrawn."))
    return redirect("campaign:mine")


@login_required
def review(request: HttpRequest) -> HttpResponse:
    if not selectors.is_platform_admin(request.user):
        raise PermissionDenied
    proposals = list(selectors.initiatives_to_review(request.user))
    return render(
        request,
        "campaign/review.html",
        {
            "proposals": [
                (proposal, forms.DecisionForm(auto_id=f"id_{proposal.public_id}_%s"))
                for proposal in proposals
            ]
        },
    )


@login_required
def review_decide(request: HttpRequest, slug: str) -> HttpResponse:
    if not selectors.is_platform_admin(request.user):
        raise PermissionDenied
    initiative = _initiative_or_404(request, slug)
    form = forms.DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.initiative_review(
                actor=request.user,
                initiative=initiative,
                approve=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data.get("reason", ""),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            if form.cleaned_data["decision"] == "approve":
                message = _("“%(name)s” is approved and public.")
            else:
                message = _("“%(name)s” was rejected; the proposer sees the reason.")
            messages.success(request, message % {"name": initiative.name})
            return redirect("campaign:review")
    return render(request, "campaign/review_decide.html", {"initiative": initiative, "form": form})


@login_required
def support(request: HttpRequest) -> HttpResponse:
    organisations = selectors.managed_organisations(request.user)
    form = forms.SupportForm(
        request.POST or None,
        organisations=organisations,
        initiatives=selectors.joinable_initiatives(),
        initial={"initiative": request.GET.get("initiative")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.join_request_create(
                actor=request.user,
                initiative=form.cleaned_data["initiative"],
                organisation=form.cleaned_data["organisation"],
                message=form.cleaned_data.get("message", ""),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "Your request was sent. The initiative's proposer sees it on the "
                    "initiative's page and decides."
                ),
            )
            return redirect("campaign:detail", slug=form.cleaned_data["initiative"].slug)
    return render(
        request,
        "campaign/support.html",
        {"form": form, "organisations": organisations},
    )


@login_required
@require_POST
def join_decide(request: HttpRequest, slug: str, public_id) -> HttpResponse:
    initiative = _initiative_or_404(request, slug)
    if not selectors.can_decide_join_requests(request.user, initiative):
        raise PermissionDenied
    join_request = get_object_or_404(JoinRequest, initiative=initiative, public_id=public_id)
    approve = request.POST.get("decision") == "approve"
    try:
        services.join_request_decide(
            actor=request.user,
            join_request=join_request,
            approve=approve,
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(organisation)s now belongs to the initiative.")
            % {"organisation": join_request.organisation.name}
            if approve
            else _("The request was refused."),
        )
    return redirect("campaign:detail", slug=initiative.slug)


@login_required
@require_POST
def organisation_remove(request: HttpRequest, slug: str, organisation_slug: str) -> HttpResponse:
    initiative = _initiative_or_404(request, slug)
    organisation = get_object_or_404(initiative.organisations, slug=organisation_slug)
    try:
        services.initiative_organisation_remove(
            actor=request.user, initiative=initiative, organisation=organisation
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(organisation)s no longer belongs to the initiative.")
            % {"organisation": organisation.name},
        )
    return redirect("campaign:detail", slug=initiative.slug)


@login_required
def tokens(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = _initiative_or_404(request, slug)
    _require_manager(request, initiative)
    form = forms.TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _row, new_token = services.report_token_create(
                actor=request.user, initiative=initiative, name=form.cleaned_data["name"]
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            form = forms.TokenForm()
    return render(
        request,
        "campaign/tokens.html",
        {
            "initiative": initiative,
            "form": form,
            "new_token": new_token,
            "tokens": selectors.report_tokens(user=request.user, initiative=initiative),
            "api_url": request.build_absolute_uri(
                reverse("campaign_api:reports", args=[initiative.public_id])
            ),
        },
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, slug: str, public_id) -> HttpResponse:
    initiative = _initiative_or_404(request, slug)
    _require_manager(request, initiative)
    report_token = get_object_or_404(ReportToken, initiative=initiative, public_id=public_id)
    services.report_token_revoke(actor=request.user, report_token=report_token)
    messages.success(request, _("The token was revoked; it can no longer report."))
    return redirect("campaign:tokens", slug=initiative.slug)
