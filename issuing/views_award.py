"""Staff pages for awarding: award one recipient, the awards dashboard with its CSV export, one
award with its revocation, and statistics. Every page needs the `badges.award` permission."""

import csv
from collections.abc import Iterator

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from accounts import roles
from accounts.selectors import organisation_get_for_member

from . import charts, evidence, links, services
from .forms_award import AwardFilterForm, AwardForm, EvidenceFormSet, RevokeForm
from .models import AwardSource
from .notifications import notification_status_for_awards
from .selectors_award import (
    award_for_staff,
    award_statistics,
    awards_dashboard,
    badge_class_for_awarding,
    badge_classes_awarded_from,
)
from .services_award import award_create_with_language

AWARDS_PER_PAGE = 50
CSV_CHUNK = 2000
# Spreadsheets run cells starting with these as formulas; a leading quote keeps them text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _organisation(request: HttpRequest, slug: str):
    return organisation_get_for_member(user=request.user, slug=slug, permission=roles.AWARD_BADGES)


def _abilities(organisation) -> dict[str, bool]:
    """What the organisation's page navigation (accounts/_organisation_nav.html) may offer."""
    granted = organisation.my_permissions
    return {
        "view": roles.VIEW in granted,
        "change": roles.CHANGE in granted,
        "delete": roles.DELETE in granted,
        "manage_members": roles.MANAGE_MEMBERS in granted,
        "manage_owners": roles.MANAGE_OWNERS in granted,
        "view_audit": roles.VIEW_AUDIT in granted,
        "design": roles.DESIGN_BADGES in granted,
        "award": roles.AWARD_BADGES in granted,
    }


def _default_language(version) -> str:
    """The badge's own language when the site offers it, else the awarder's."""
    offered = {code for code, _name in settings.LANGUAGES}
    if version.language in offered:
        return version.language
    return translation.get_language() or settings.LANGUAGE_CODE


def _with_upload_limit(view):
    """Installs the evidence file size limit before the body is read. The CSRF check reads the
    body, so it runs after: the view is exempted from the middleware and protected inside."""
    protected = csrf_protect(view)

    def wrapper(request, *args, **kwargs):
        request.upload_handlers.insert(0, evidence.EvidenceUploadLimitHandler(request))
        return protected(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return csrf_exempt(wrapper)


def _award_with_language(*, language: str):
    def award(**fields):
        return award_create_with_language(language=language, **fields)

    return award


@_with_upload_limit
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def award_new(request: HttpRequest, slug: str, public_id) -> HttpResponse:
    organisation = _organisation(request, slug)
    badge_class = badge_class_for_awarding(
        actor=request.user, organisation=organisation, public_id=public_id
    )
    version = badge_class.current_version
    post = request.method == "POST"
    data = request.POST if post else None
    files = request.FILES if post else None  # parses the body, running the upload limit
    too_large = getattr(request, "uploads_too_large", set()) if post else set()
    form = AwardForm(data, version=version, language=_default_language(version))
    evidence_forms = EvidenceFormSet(data, files, prefix="evidence", too_large=too_large)
    if post and form.is_valid() and evidence_forms.is_valid():
        try:
            award = evidence.award_create_with_files(
                award_function=_award_with_language(language=form.cleaned_data["language"]),
                uploads=evidence_forms.uploads(),
                actor=request.user,
                badge_class=badge_class,
                recipient_type=form.cleaned_data["recipient_type"],
                recipient_identity=form.cleaned_data["recipient_identity"].strip(),
                recipient_name=form.cleaned_data["recipient_name"],
                narrative=form.cleaned_data["narrative"],
                evidence=evidence_forms.items(),
                issued_at=form.issued_at(),
                expires_at=form.expires_at(),
                source=AwardSource.UI,
                idempotency_key=f"ui:{form.cleaned_data['idempotency_key']}",
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(
                request,
                _("%(badge)s was awarded to %(recipient)s.")
                % {
                    "badge": award.badge_class_version.name,
                    "recipient": award.recipient_name or award.recipient_identity,
                },
            )
            return redirect(
                "issuing_award:detail", slug=organisation.slug, public_id=award.public_id
            )
    return render(
        request,
        "issuing/award/award_form.html",
        {
            "organisation": organisation,
            "can": _abilities(organisation),
            "badge_class": badge_class,
            "version": version,
            "form": form,
            "evidence": evidence_forms,
            "max_files": evidence.MAX_FILES_PER_AWARD,
        },
    )


def _spreadsheet_safe(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


class _Echo:
    """A file-like object whose write() hands the row back, so csv rows can be streamed."""

    def write(self, value: str) -> str:
        return value


def _csv_rows(awards) -> Iterator[list]:
    yield [
        _("Award id"),
        _("Recipient"),
        _("Identity type"),
        _("Name"),
        _("Badge"),
        _("Version"),
        _("Issued"),
        _("Expires"),
        _("Status"),
        _("Revoked"),
        _("Reason for revocation"),
        _("Source"),
        _("Public page"),
    ]
    statuses = {"valid": _("Valid"), "expired": _("Expired"), "revoked": _("Revoked")}
    sources = dict(AwardSource.choices)
    fields = (
        "public_id",
        "recipient_identity",
        "recipient_type",
        "recipient_name",
        "badge_class_version__name",
        "badge_class_version__number",
        "issued_at",
        "expires_at",
        "status",
        "revoked_at",
        "revocation_reason",
        "source",
    )
    # values_list: plain tuples, no model instances, in chunks (a server-side cursor on
    # PostgreSQL), so memory stays flat however many awards match.
    for row in awards.values_list(*fields).iterator(chunk_size=CSV_CHUNK):
        (public_id, identity, kind, name, badge, number, issued, expires, status, revoked,
         reason, source) = row  # fmt: skip
        yield [
            str(public_id),
            identity,
            kind,
            name,
            badge,
            number,
            issued.isoformat(),
            expires.isoformat() if expires else "",
            statuses.get(status, status),
            revoked.isoformat() if revoked else "",
            reason,
            str(sources.get(source, source)),
            links.award_page_url(public_id),
        ]


def _csv_response(organisation, awards) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    rows = (writer.writerow([_spreadsheet_safe(cell) for cell in row]) for row in _csv_rows(awards))
    filename = f"awards-{organisation.slug}-{timezone.localdate():%Y-%m-%d}.csv"
    return StreamingHttpResponse(
        rows,
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def awards_list(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation(request, slug)
    badge_classes = badge_classes_awarded_from(actor=request.user, organisation=organisation)
    form = AwardFilterForm(request.GET or None, badge_classes=badge_classes)
    filters = form.filters() if form.is_bound and form.is_valid() else {}
    awards = awards_dashboard(actor=request.user, organisation=organisation, **filters)
    if form.is_bound and not form.is_valid():
        awards = awards.none()
    if request.GET.get("format") == "csv":
        return _csv_response(organisation, awards)
    page = Paginator(awards, AWARDS_PER_PAGE).get_page(request.GET.get("page"))
    emails = notification_status_for_awards(
        actor=request.user, organisation=organisation, award_ids=[a.pk for a in page.object_list]
    )
    for award in page.object_list:
        award.email = emails.get(award.pk)
    return render(
        request,
        "issuing/award/dashboard.html",
        {
            "organisation": organisation,
            "can": _abilities(organisation),
            "form": form,
            "page": page,
            "badge_classes": [badge for badge in badge_classes if not badge.is_archived],
            "filtered": any(value for value in filters.values()),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def award_detail(request: HttpRequest, slug: str, public_id) -> HttpResponse:
    organisation = _organisation(request, slug)
    award = award_for_staff(actor=request.user, organisation=organisation, public_id=public_id)
    form = RevokeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not award.is_revoked and form.is_valid():
        try:
            services.award_revoke(
                actor=request.user, award=award, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("The badge was revoked."))
            return redirect(
                "issuing_award:detail", slug=organisation.slug, public_id=award.public_id
            )
    now = timezone.now()
    return render(
        request,
        "issuing/award/detail.html",
        {
            "organisation": organisation,
            "can": _abilities(organisation),
            "award": award,
            "version": award.badge_class_version,
            "expired": award.expires_at is not None and award.expires_at <= now,
            "email": notification_status_for_awards(
                actor=request.user, organisation=organisation, award_ids=[award.pk]
            ).get(award.pk),
            "evidence_entries": evidence.evidence_entries(award),
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def statistics(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation(request, slug)
    stats = award_statistics(actor=request.user, organisation=organisation)
    labels = [date_format(month, "M Y") for month in stats.months]
    return render(
        request,
        "issuing/award/statistics.html",
        {
            "organisation": organisation,
            "can": _abilities(organisation),
            "stats": stats,
            "month_labels": labels,
            "chart": charts.bar_chart(labels, stats.totals),
        },
    )
