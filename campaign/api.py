"""The reporting API: connected systems tell how many badges they issued for an initiative.

POST /api/v1/initiatives/<public_id>/reports
Authorization: Bearer <token of the initiative>
{"count": 120, "period_start": "2026-01-01", "period_end": "2026-01-31",
 "system": "Moodle", "reference": "moodle-2026-01"}

201 with the report when it is new, 200 with the same report when the reference was already
received with the same figures (safe to retry), 409 when the reference was used for other
figures, 400 for malformed JSON or fields, 401 without a valid token, 404 for an unknown or
non-public initiative, 413 for a body over 16 kB. Errors are JSON ({"error": …, "fields": {…}})
in the language of Accept-Language.
"""

from datetime import date

import orjson
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from . import services
from .models import ExternalReport, Initiative, InitiativeStatus

MAX_BODY = 16 * 1024
FIELDS = ("count", "period_start", "period_end", "system", "reference")


def _error(status: int, message: str, fields: dict | None = None, **headers) -> JsonResponse:
    body = {"error": message}
    if fields:
        body["fields"] = fields
    response = JsonResponse(body, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _report_json(report: ExternalReport) -> dict:
    return {
        "id": str(report.public_id),
        "initiative": str(report.initiative.public_id),
        "count": report.count,
        "period_start": report.period_start.isoformat(),
        "period_end": report.period_end.isoformat(),
        "system": report.system,
        "reference": report.reference,
        "created_at": report.created_at.isoformat(),
    }


def _bearer(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _space, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _parse(payload) -> tuple[dict, dict]:
    """The service's arguments from the JSON object, and field errors."""
    errors: dict[str, str] = {}
    if not isinstance(payload, dict):
        return {}, {"": _("Send a JSON object.")}
    values: dict = {}
    unknown = sorted(set(payload) - set(FIELDS))
    if unknown:
        errors["unknown"] = _("Unknown fields: %(fields)s.") % {"fields": ", ".join(unknown)}
    count = payload.get("count")
    if isinstance(count, bool) or not isinstance(count, int):
        errors["count"] = _("Give the number of badges as a whole number.")
    values["count"] = count
    for field in ("period_start", "period_end"):
        try:
            values[field] = date.fromisoformat(payload.get(field))
        except (TypeError, ValueError):
            errors[field] = _("Give a date as YYYY-MM-DD.")
    for field in ("system", "reference"):
        value = payload.get(field)
        if not isinstance(value, str) or not value.strip():
            errors[field] = _("This field is required (text).")
        values[field] = value
    return values, errors


@csrf_exempt
def reports(request: HttpRequest, public_id) -> HttpResponse:
    if request.method != "POST":
        return _error(405, _("Use POST to send a report."), Allow="POST")
    initiative = (
        Initiative.objects.filter(public_id=public_id, status=InitiativeStatus.APPROVED)
        .only("id", "public_id")
        .first()
    )
    if initiative is None:
        return _error(404, _("No public initiative has this id."))
    token = services.report_token_authenticate(initiative=initiative, token=_bearer(request))
    if token is None:
        return _error(
            401,
            _("Send a valid report token of this initiative as “Authorization: Bearer …”."),
            WWW_Authenticate='Bearer realm="badge-europe"',
        )
    if int(request.headers.get("Content-Length") or 0) > MAX_BODY:
        return _error(413, _("The request body may have at most 16 kB."))
    body = request.body
    if len(body) > MAX_BODY:
        return _error(413, _("The request body may have at most 16 kB."))
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        return _error(400, _("The body is not valid JSON."))
    values, errors = _parse(payload)
    if errors:
        return _error(400, _("The report was not accepted."), errors)
    try:
        report, created = services.external_report_create(token=token, **values)
    except ValidationError as error:
        if getattr(error, "code", None) == "conflict":
            return _error(409, error.messages[0])
        fields = {key: " ".join(value) for key, value in error.message_dict.items()}
        return _error(400, _("The report was not accepted."), fields)
    return JsonResponse(_report_json(report), status=201 if created else 200)
