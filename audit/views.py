import csv
import json

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from accounts.models import Organisation
from accounts.permissions import member_role

from .actions import action_label
from .forms import AuditFilterForm
from .selectors import audit_action_names_for_organisation, audit_events_for_organisation

EVENTS_PER_PAGE = 50
# Spreadsheets run cells starting with these as formulas; a leading quote keeps them text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _member_organisation_or_404(request: HttpRequest, slug: str) -> tuple[Organisation, str]:
    """The organisation and the user's role in it. Outsiders get a 404 so they cannot learn
    which private pages exist."""
    organisation = get_object_or_404(Organisation, slug=slug)
    role = member_role(request.user, organisation)
    if role is None:
        raise Http404
    return organisation, role


def _abilities(role: str) -> dict[str, bool]:
    """What the organisation's page navigation (accounts/_organisation_nav.html) may offer."""
    granted = roles.role_permissions(role)
    return {
        "view": roles.VIEW in granted,
        "change": roles.CHANGE in granted,
        "delete": roles.DELETE in granted,
        "manage_members": roles.MANAGE_MEMBERS in granted,
        "manage_owners": roles.MANAGE_OWNERS in granted,
        "view_audit": roles.VIEW_AUDIT in granted,
    }


def _spreadsheet_safe(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


class _Echo:
    """A file-like object whose write() hands the row back, so csv rows can be streamed."""

    def write(self, value: str) -> str:
        return value


def _csv_rows(events):
    yield [
        _("When"),
        _("Who"),
        _("Action"),
        _("Action name"),
        _("Target type"),
        _("Target id"),
        _("Target"),
        _("Details"),
        _("IP address"),
    ]
    for event in events.iterator(chunk_size=500):
        yield [
            event.created_at.isoformat(),
            event.actor_label,
            action_label(event.action),
            event.action,
            event.target_type,
            event.target_id,
            event.target_label,
            json.dumps(event.data, ensure_ascii=False, sort_keys=True) if event.data else "",
            event.ip_address or "",
        ]


def _csv_response(organisation: Organisation, events) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    rows = (writer.writerow([_spreadsheet_safe(cell) for cell in row]) for row in _csv_rows(events))
    filename = f"audit-{organisation.slug}-{timezone.localdate():%Y-%m-%d}.csv"
    return StreamingHttpResponse(
        rows,
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@login_required
def organisation_audit_log(request: HttpRequest, slug: str) -> HttpResponse:
    organisation, role = _member_organisation_or_404(request, slug)
    action_names = audit_action_names_for_organisation(user=request.user, organisation=organisation)
    form = AuditFilterForm(request.GET or None)
    form.fields["action"].widget.attrs["list"] = "audit-action-names"
    filters = form.filters() if form.is_bound and form.is_valid() else {}
    events = audit_events_for_organisation(user=request.user, organisation=organisation, **filters)
    if form.is_bound and not form.is_valid():
        events = events.none()
    if request.GET.get("format") == "csv":
        return _csv_response(organisation, events)
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    for event in page.object_list:
        event.label = action_label(event.action)
        event.details = sorted(event.data.items()) if isinstance(event.data, dict) else []
    return render(
        request,
        "audit/organisation_log.html",
        {
            "organisation": organisation,
            "can": _abilities(role),
            "form": form,
            "page": page,
            "action_names": action_names,
            "filtered": bool(filters and any(filters.values())),
        },
    )
