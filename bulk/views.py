"""Bulk award pages: upload, preview and confirm, progress, result report.

Progress is polled by bulk/static/bulk/progress.js, a few lines of our own rather than htmx:
the page needs one fragment fetched every second and swapped in, which plain fetch() does
under the CSP without a front-end package, a setup copy step or a static files finder for
node_modules; without JavaScript the page still works (a reload shows the state).
"""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import roles
from accounts.selectors import organisation_get_for_member
from issuing import links

from . import selectors, services
from .forms import BulkUploadForm
from .models import BulkAwardJob, RowStatus

ERRORS_PER_PAGE = 100
# Spreadsheets run cells starting with these as formulas; a leading quote keeps them text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _organisation(request: HttpRequest, slug: str):
    organisation = organisation_get_for_member(
        user=request.user, slug=slug, permission=roles.AWARD_BADGES
    )
    return organisation, roles.abilities(organisation.my_role)


def _job(request: HttpRequest, slug: str, job_id):
    organisation, can = _organisation(request, slug)
    job = selectors.bulk_job_get(user=request.user, organisation=organisation, public_id=job_id)
    return organisation, can, job


@login_required
def upload(request: HttpRequest, slug: str, public_id) -> HttpResponse:
    organisation, can = _organisation(request, slug)
    badge_class = selectors.badge_class_for_bulk(
        user=request.user, organisation=organisation, public_id=public_id
    )
    form = BulkUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.bulk_job_upload(
                actor=request.user, badge_class=badge_class, upload=form.cleaned_data["file"]
            )
        except ValidationError as error:
            form.add_error("file", error.messages)
        else:
            return redirect("bulk:job", slug=organisation.slug, job_id=job.public_id)
    earlier = selectors.bulk_jobs_for_badge_class(user=request.user, badge_class=badge_class)[:10]
    return render(
        request,
        "bulk/upload.html",
        {
            "organisation": organisation,
            "can": can,
            "badge_class": badge_class,
            "form": form,
            "jobs": earlier,
        },
    )


@login_required
def job_detail(request: HttpRequest, slug: str, job_id) -> HttpResponse:
    organisation, can, job = _job(request, slug, job_id)
    errors = Paginator(
        selectors.bulk_rows_with_errors(user=request.user, job=job), ERRORS_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "bulk/job.html",
        {
            "organisation": organisation,
            "can": can,
            "job": job,
            "badge_class": job.badge_class,
            "earlier": services.earlier_uploads(job).first(),
            "first_rows": selectors.bulk_rows_first(user=request.user, job=job),
            "errors": errors,
        },
    )


@never_cache
@login_required
def job_progress(request: HttpRequest, slug: str, job_id) -> HttpResponse:
    """The progress fragment that the job page polls."""
    organisation, _can, job = _job(request, slug, job_id)
    return render(request, "bulk/_progress.html", {"organisation": organisation, "job": job})


def _action(request, slug, job_id, service, done_message):
    organisation, _can, job = _job(request, slug, job_id)
    try:
        service(actor=request.user, job=job)
    except ValidationError as error:
        for message in error.messages:
            messages.info(request, message)
    else:
        messages.success(request, done_message)
    return redirect("bulk:job", slug=organisation.slug, job_id=job.public_id)


@require_POST
@login_required
def job_confirm(request: HttpRequest, slug: str, job_id) -> HttpResponse:
    return _action(
        request, slug, job_id, services.bulk_job_confirm, _("The badges are being awarded.")
    )


@require_POST
@login_required
def job_cancel(request: HttpRequest, slug: str, job_id) -> HttpResponse:
    return _action(
        request,
        slug,
        job_id,
        services.bulk_job_cancel,
        _("The upload was cancelled. Badges already awarded stay awarded."),
    )


@require_POST
@login_required
def job_resume(request: HttpRequest, slug: str, job_id) -> HttpResponse:
    return _action(
        request, slug, job_id, services.bulk_job_resume, _("Awarding the remaining rows.")
    )


class _Echo:
    """A file-like object whose write() hands the row back, so csv rows can be streamed."""

    def write(self, value: str) -> str:
        return value


def _safe(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


def _report_rows(job: BulkAwardJob, rows):
    labels = dict(RowStatus.choices)
    yield [_("Row"), _("Email"), _("Name"), _("Status"), _("Award"), _("Message")]
    for number, email, name, status, award_id, errors in rows.iterator(chunk_size=2000):
        yield [
            number,
            email,
            name,
            labels.get(status, status),
            links.award_page_url(award_id) if award_id else "",
            " ".join(errors or []),
        ]


@login_required
def job_report(request: HttpRequest, slug: str, job_id) -> StreamingHttpResponse:
    """Every row with its outcome, streamed: a 100,000-row report never sits in memory."""
    _organisation, _can, job = _job(request, slug, job_id)
    rows = selectors.bulk_rows_report(user=request.user, job=job)
    writer = csv.writer(_Echo())
    # A byte order mark so spreadsheet programs read the UTF-8 names correctly.
    lines = (
        ("\ufeff" if index == 0 else "") + writer.writerow([_safe(cell) for cell in row])
        for index, row in enumerate(_report_rows(job, rows))
    )
    filename = f"bulk-award-report-{job.public_id}.csv"
    return StreamingHttpResponse(
        lines,
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
