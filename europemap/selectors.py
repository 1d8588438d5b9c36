"""Reads for the map, the list view, the totals and the open data.

Everything comes from `campaign.selectors`: approved initiatives only, with the figures of the
campaign's stored counters, so no request ever scans the awards table. Rows are read with
`values()` (no model instances): the whole map of ten thousand initiatives is one query.
"""

from dataclasses import dataclass

import orjson
from django.db.models import Case, CharField, F, FloatField, Func, TextField, Value, When
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, Concat, JSONArray, JSONObject, NullIf
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language

from campaign.countries import country_name
from campaign.models import InitiativeKind
from campaign.selectors import public_initiatives

# The columns of the map, the list and the open data, in this order.
FIELDS = (
    "public_id",
    "slug",
    "name",
    "display_name",
    "kind",
    "country",
    "city",
    "latitude",
    "longitude",
    "website",
    "committed",
    "achieved",
    "achieved_external",
)


@dataclass(frozen=True)
class MapFilters:
    country: str = ""
    kind: str = ""

    @property
    def active(self) -> bool:
        return bool(self.country or self.kind)

    def as_query(self) -> dict[str, str]:
        pairs = (("country", self.country), ("kind", self.kind))
        return {key: value for key, value in pairs if value}


def initiative_url_pattern() -> str:
    """The initiative page's path with `{slug}` left open: one reverse() for the whole map."""
    try:
        path = reverse("campaign:detail", kwargs={"slug": "slug-placeholder"})
    except NoReverseMatch:
        path = "/initiatives/slug-placeholder/"
    return path.replace("slug-placeholder", "{slug}")


def filtered_initiatives(filters: MapFilters):
    initiatives = public_initiatives()
    if filters.country:
        initiatives = initiatives.filter(country=filters.country)
    if filters.kind:
        initiatives = initiatives.filter(kind=filters.kind)
    return initiatives


def initiative_rows(filters: MapFilters, *, located_only: bool = False):
    """Dictionaries of FIELDS, the name in the visitor's language when the initiative gave one."""
    language = (get_language() or "en").split("-")[0]
    initiatives = filtered_initiatives(filters)
    if located_only:
        initiatives = initiatives.filter(latitude__isnull=False, longitude__isnull=False)
    return (
        initiatives.annotate(
            display_name=Coalesce(
                NullIf(KT(f"translations__{language}__name"), Value("")),
                F("name"),
                output_field=CharField(),
            )
        )
        .order_by("name", "id")
        .values(*FIELDS)
    )


class UUIDText(Func):
    """A UUID column as canonical text (8-4-4-4-12). PostgreSQL has a uuid type that casts so;
    SQLite stores the 32 hexadecimal digits alone."""

    output_field = TextField()
    template = "CAST(%(expressions)s AS text)"

    def as_sqlite(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.get_source_expressions()[0])
        parts = [(1, 8), (9, 4), (13, 4), (17, 4), (21, 12)]
        sql = "||'-'||".join(f"substr({column}, {start}, {length})" for start, length in parts)
        return f"lower({sql})", params * len(parts)


def _labels(field: str, labels: dict[str, str]) -> Case:
    return Case(
        *[When(**{field: code}, then=Value(label)) for code, label in labels.items()],
        default=F(field),
        output_field=CharField(),
    )


def geojson_bytes(filters: MapFilters, *, site_url: str, totals) -> bytes:
    """A GeoJSON FeatureCollection of the located initiatives (RFC 7946: longitude first), with
    the campaign totals as a foreign member, as UTF-8 bytes.

    The database writes each feature's JSON (JSONObject works on PostgreSQL and SQLite alike),
    so ten thousand features take one query and a join instead of ten thousand Python
    dictionaries: the campaign asks for the map's data in well under 300 ms. Labels in the
    visitor's language are looked up once per kind and country and passed into the query.
    """
    prefix, suffix = (site_url + initiative_url_pattern()).split("{slug}")
    kinds = {value: str(label) for value, label in InitiativeKind.choices}
    countries = {code: name for code, name in country_choices()}
    feature = JSONObject(
        type=Value("Feature"),
        id=UUIDText("public_id"),
        geometry=JSONObject(
            type=Value("Point"),
            coordinates=JSONArray(Cast("longitude", FloatField()), Cast("latitude", FloatField())),
        ),
        properties=JSONObject(
            name=F("display_name"),
            url=Concat(Value(prefix), F("slug"), Value(suffix), output_field=CharField()),
            kind=F("kind"),
            kind_label=_labels("kind", kinds),
            country=F("country"),
            country_name=_labels("country", countries),
            city=F("city"),
            website=F("website"),
            committed=F("committed"),
            achieved=F("achieved"),
            achieved_external=F("achieved_external"),
        ),
    )
    rows = (
        initiative_rows(filters, located_only=True)
        .annotate(feature=Cast(feature, TextField()))
        .values_list("feature", flat=True)
    )
    head = b'{"type":"FeatureCollection","totals":' + orjson.dumps(totals_dict(totals))
    return head + b',"features":[' + ",".join(rows).encode() + b"]}"


def totals_dict(totals) -> dict:
    return {
        "initiatives": totals.initiatives,
        "committed": totals.committed,
        "achieved": totals.achieved,
        "achieved_external": totals.achieved_external,
        "supporters": totals.supporters,
        "goal": totals.goal,
    }


def country_choices() -> list[tuple[str, str]]:
    """Countries that have public initiatives, by name in the visitor's language."""
    codes = public_initiatives().order_by().values_list("country", flat=True).distinct()
    return sorted(((code, country_name(code)) for code in codes), key=lambda item: item[1])


def kind_choices() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in InitiativeKind.choices]
