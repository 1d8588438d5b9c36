"""The Badge Europe map, its list view, the totals, the embeddable widget and the open data.

All public, all read-only: they read `campaign.selectors` (approved initiatives and stored
counters) through `europemap.selectors`.
"""

import csv
import gzip
import hashlib
import io
from dataclasses import dataclass
from datetime import date

import orjson
from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import formats
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from campaign.countries import country_name
from campaign.selectors import achieved_per_month, campaign_totals, totals_per_country
from issuing.charts import bar_chart

from . import conf
from .forms import MapFilterForm
from .selectors import (
    MapFilters,
    country_choices,
    filtered_initiatives,
    geojson_bytes,
    initiative_rows,
    initiative_url_pattern,
    kind_labels,
    totals_dict,
)

INITIATIVES_PER_PAGE = 50
CHART_MONTHS = 12
GZIP_MIN_BYTES = 1024
# Spreadsheets run cells starting with these as formulas; a leading quote keeps them text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_COLUMNS = (
    "id",
    "slug",
    "name",
    "display_name",
    "kind",
    "country",
    "city",
    "latitude",
    "longitude",
    "website",
    "url",
    "committed",
    "achieved",
    "achieved_external",
)


def _with_csp(response: HttpResponse, **directives: list[str]) -> HttpResponse:
    """Extend the site's policy for one response: what `csp_override` does, computed per
    response because the additions come from settings that may change (tests, tile server)."""
    policy = dict(settings.SECURE_CSP)
    policy.update(directives)
    response._csp_config = policy
    return response


def _filtered_url(name: str, filters: MapFilters) -> str:
    query = urlencode(filters.as_query())
    return reverse(name) + (f"?{query}" if query else "")


def _map_context(
    request: HttpRequest, filters: MapFilters, countries: list[tuple[str, str]]
) -> dict:
    return {
        "filters": filters,
        # The open data carries codes; the script shows these names in the visitor's language.
        "kind_labels_json": orjson.dumps(kind_labels()).decode(),
        "country_names_json": orjson.dumps(dict(countries)).decode(),
        "initiatives_url": _filtered_url("europemap:geojson", filters),
        "countries_url": static("europemap/europe-countries.geojson"),
        "tile_url": conf.tile_url(),
        "tile_attribution": conf.tile_attribution(),
        "locale": get_language() or "en",
    }


def _allow_tiles(response: HttpResponse) -> HttpResponse:
    origin = conf.tile_origin()
    if origin:
        _with_csp(response, **{"img-src": [*settings.SECURE_CSP.get("img-src", []), origin]})
    return response


@require_safe
def map_page(request: HttpRequest) -> HttpResponse:
    form = MapFilterForm(request.GET or None)
    filters = form.filters()
    countries = [choice for choice in form.fields["country"].choices if choice[0]]
    context = _map_context(request, filters, countries)
    context.update(
        form=form,
        shown=filtered_initiatives(filters).count(),
        list_url=_filtered_url("europemap:list", filters),
        csv_url=_filtered_url("europemap:csv", filters),
    )
    return _allow_tiles(render(request, "europemap/map.html", context))


@require_safe
def list_page(request: HttpRequest) -> HttpResponse:
    form = MapFilterForm(request.GET or None)
    filters = form.filters()
    paginator = Paginator(initiative_rows(filters), INITIATIVES_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    pattern = initiative_url_pattern()
    kinds = dict(form.fields["kind"].choices)
    rows = [
        {
            **row,
            "url": pattern.format(slug=row["slug"]),
            "kind_label": kinds.get(row["kind"], row["kind"]),
            "country_name": country_name(row["country"]),
        }
        for row in page.object_list
    ]
    return render(
        request,
        "europemap/list.html",
        {
            "form": form,
            "filters": filters,
            "page": page,
            "rows": rows,
            "map_url": _filtered_url("europemap:map", filters),
        },
    )


def _month_figures(months: int = CHART_MONTHS) -> list[tuple[date, int]]:
    """The last `months` calendar months, oldest first, zero where nothing was achieved."""
    counts = {month.replace(day=1): count for month, count in achieved_per_month()}
    today = date.today()
    year, month = today.year, today.month
    result = []
    for _step in range(months):
        first = date(year, month, 1)
        result.append((first, counts.get(first, 0)))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return result[::-1]


@require_safe
def totals_page(request: HttpRequest) -> HttpResponse:
    months = _month_figures()
    labels = [formats.date_format(month, "M Y") for month, _count in months]
    countries = sorted(
        (
            {
                "code": row.country,
                "name": country_name(row.country),
                "initiatives": row.initiatives,
                "committed": row.committed,
                "achieved": row.achieved,
            }
            for row in totals_per_country()
        ),
        key=lambda row: row["name"],
    )
    widget_url = settings.SITE_URL + reverse("europemap:widget")
    return render(
        request,
        "europemap/totals.html",
        {
            "months": [
                {"label": label, "count": count}
                for label, (_month, count) in zip(labels, months, strict=True)
            ],
            "months_total": sum(count for _month, count in months),
            "chart": bar_chart(labels, [count for _month, count in months]),
            "countries": countries,
            "widget_snippet": (
                f'<iframe src="{widget_url}" title="{_("Badge Europe map")}" '
                'width="360" height="460" loading="lazy"></iframe>'
            ),
        },
    )


@require_safe
@xframe_options_exempt
def widget(request: HttpRequest) -> HttpResponse:
    """A page other sites may frame: the totals and a small map, nothing else."""
    context = _map_context(request, MapFilters(), country_choices())
    context["map_url"] = settings.SITE_URL + reverse("europemap:map")
    response = render(request, "europemap/widget.html", context)
    _allow_tiles(response)
    policy = getattr(response, "_csp_config", settings.SECURE_CSP)
    return _with_csp(response, **{**policy, "frame-ancestors": ["*"]})


# --- Open data ------------------------------------------------------------------------------


def _bad_filters(form: MapFilterForm) -> JsonResponse:
    response = JsonResponse(
        {
            "error": _("The filters are not valid."),
            "fields": {name: list(errors) for name, errors in form.errors.items()},
        },
        status=400,
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


@dataclass(frozen=True)
class DataFile:
    """A rendered open-data file, with its gzip form when that is worth having."""

    body: bytes
    digest: str
    gzipped: bytes | None

    @classmethod
    def of(cls, body: bytes, *, compress: bool) -> "DataFile":
        worth = compress and len(body) > GZIP_MIN_BYTES
        return cls(
            body=body,
            digest=hashlib.sha256(body).hexdigest()[:32],
            gzipped=gzip.compress(body, compresslevel=5, mtime=0) if worth else None,
        )


def _accepts_gzip(request: HttpRequest) -> bool:
    return "gzip" in request.headers.get("accept-encoding", "").lower()


def _data_file(request: HttpRequest, kind: str, filters: MapFilters, build) -> DataFile:
    """The rendered file, shared by every request for MAP_DATA_CACHE_SECONDS: the map, the
    widget and outside users ask for the same few files over and over. Cached files are kept
    compressed too, so serving one costs a cache read."""
    seconds = conf.data_cache_seconds()
    if not seconds:
        return DataFile.of(build(), compress=_accepts_gzip(request))
    key = f"europemap:{kind}:{get_language()}:{filters.country}:{filters.kind}"
    data = cache.get(key)
    if data is None:
        data = DataFile.of(build(), compress=True)
        cache.set(key, data, seconds)
    return data


def _open_data_response(
    request: HttpRequest, data: DataFile, content_type: str, **headers: str
) -> HttpResponse:
    if data.gzipped is not None and _accepts_gzip(request):
        response = HttpResponse(data.gzipped, content_type=content_type, headers=headers)
        response["Content-Encoding"] = "gzip"
        etag = f'"{data.digest}-gzip"'
    else:
        response = HttpResponse(data.body, content_type=content_type, headers=headers)
        etag = f'"{data.digest}"'
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={conf.data_cache_seconds()}"
    response["Access-Control-Allow-Origin"] = "*"
    # Names and labels follow the visitor's language.
    patch_vary_headers(response, ["Accept-Encoding", "Accept-Language", "Cookie"])
    return get_conditional_response(request, etag=etag, response=response)


@require_safe
def initiatives_geojson(request: HttpRequest) -> HttpResponse:
    form = MapFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return _bad_filters(form)
    filters = form.filters()

    def build() -> bytes:
        return geojson_bytes(filters, site_url=settings.SITE_URL, totals=campaign_totals())

    return _open_data_response(
        request, _data_file(request, "geojson", filters, build), "application/geo+json"
    )


def _spreadsheet_safe(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


@require_safe
def initiatives_csv(request: HttpRequest) -> HttpResponse:
    form = MapFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return _bad_filters(form)
    filters = form.filters()

    def build() -> bytes:
        pattern = settings.SITE_URL + initiative_url_pattern()
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        for row in initiative_rows(filters):
            writer.writerow(
                [
                    row["public_id"],
                    row["slug"],
                    # Free text typed by the public: never a formula in a spreadsheet.
                    _spreadsheet_safe(row["name"]),
                    _spreadsheet_safe(row["display_name"]),
                    row["kind"],
                    row["country"],
                    _spreadsheet_safe(row["city"]),
                    "" if row["latitude"] is None else row["latitude"],
                    "" if row["longitude"] is None else row["longitude"],
                    _spreadsheet_safe(row["website"]),
                    pattern.format(slug=row["slug"]),
                    row["committed"] or 0,
                    row["achieved"] or 0,
                    row["achieved_external"] or 0,
                ]
            )
        return buffer.getvalue().encode()

    return _open_data_response(
        request,
        _data_file(request, "csv", filters, build),
        "text/csv; charset=utf-8",
        **{"Content-Disposition": 'inline; filename="badge-europe-initiatives.csv"'},
    )


@require_safe
def totals_json(request: HttpRequest) -> HttpResponse:
    body = orjson.dumps(totals_dict(campaign_totals()))
    return _open_data_response(request, DataFile.of(body, compress=False), "application/json")
