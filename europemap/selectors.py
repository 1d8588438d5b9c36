"""Reads for the map, the list view, the totals and the open data.

Everything comes from `campaign.selectors`: approved initiatives only, with the figures of the
campaign's stored counters, so no request ever scans the awards table. Rows are read with
`values()` (no model instances): the whole map of ten thousand initiatives is one query.
"""

from dataclasses import dataclass

import orjson
from django.db.models import CharField, F, FloatField, Func, TextField, Value
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


class JSONTextObject(JSONObject):
    """JSONObject that PostgreSQL builds as `json` (text as written) rather than `jsonb`: no
    binary round trip and key sorting per row, which is most of the cost for 10,000 rows."""

    def as_postgresql(self, compiler, connection, **extra_context):
        copy = self.copy()
        copy.set_source_expressions(
            [
                Cast(expression, TextField()) if index % 2 == 0 else expression
                for index, expression in enumerate(copy.get_source_expressions())
            ]
        )
        return Func.as_sql(
            copy, compiler, connection, function="JSON_BUILD_OBJECT", **extra_context
        )


class JSONTextArray(JSONArray):
    """JSONArray built as PostgreSQL `json`, like JSONTextObject."""

    def as_postgresql(self, compiler, connection, **extra_context):
        return Func.as_sql(self, compiler, connection, function="JSON_BUILD_ARRAY", **extra_context)


def geojson_bytes(filters: MapFilters, *, site_url: str, totals) -> bytes:
    """A GeoJSON FeatureCollection of the located initiatives (RFC 7946: longitude first), with
    the campaign totals as a foreign member, as UTF-8 bytes.

    The database writes each feature's JSON (JSON_BUILD_OBJECT on PostgreSQL, JSON_OBJECT on
    SQLite), so ten thousand features are one query and a join instead of ten thousand Python
    dictionaries. Kinds and countries are codes (the map's script and readers translate them);
    only the name follows the visitor's language, when the initiative gave a translation.
    """
    prefix, suffix = (site_url + initiative_url_pattern()).split("{slug}")
    feature = JSONTextObject(
        type=Value("Feature"),
        id=UUIDText("public_id"),
        geometry=JSONTextObject(
            type=Value("Point"),
            coordinates=JSONTextArray(
                Cast("longitude", FloatField()), Cast("latitude", FloatField())
            ),
        ),
        properties=JSONTextObject(
            name=F("display_name"),
            url=Concat(Value(prefix), F("slug"), Value(suffix), output_field=CharField()),
            kind=F("kind"),
            country=F("country"),
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
        # Creation order: stable for ETags and served by the primary key, no sort by name.
        .order_by("id")
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


def kind_labels() -> dict[str, str]:
    return {value: str(label) for value, label in InitiativeKind.choices}


def country_choices() -> list[tuple[str, str]]:
    """Countries that have public initiatives, by name in the visitor's language."""
    codes = public_initiatives().order_by().values_list("country", flat=True).distinct()
    return sorted(((code, country_name(code)) for code in codes), key=lambda item: item[1])


def kind_choices() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in InitiativeKind.choices]
