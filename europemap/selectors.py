"""Reads for the map, the list view, the totals and the open data.

Everything comes from `campaign.selectors`: approved initiatives only, with the figures of the
campaign's stored counters, so no request ever scans the awards table. Rows are read with
`values()` (no model instances): the whole map of ten thousand initiatives is one query.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import CharField, F, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, NullIf
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language

from campaign.models import InitiativeKind
from campaign.selectors import public_initiatives

from .countries import country_name

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
        path = reverse("campaign:initiative_detail", kwargs={"slug": "slug-placeholder"})
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


def _number(value) -> float | None:
    return float(value) if isinstance(value, Decimal) else value


def geojson_collection(filters: MapFilters, *, site_url: str, totals) -> dict:
    """A GeoJSON FeatureCollection of the located initiatives (RFC 7946: longitude first), with
    the campaign totals as a foreign member."""
    pattern = site_url + initiative_url_pattern()
    kinds = dict(InitiativeKind.choices)
    names: dict[str, str] = {}
    features = []
    for row in initiative_rows(filters, located_only=True):
        country = row["country"]
        if country not in names:
            names[country] = country_name(country)
        features.append(
            {
                "type": "Feature",
                "id": str(row["public_id"]),
                "geometry": {
                    "type": "Point",
                    "coordinates": [_number(row["longitude"]), _number(row["latitude"])],
                },
                "properties": {
                    "name": row["display_name"],
                    "url": pattern.format(slug=row["slug"]),
                    "kind": row["kind"],
                    "kind_label": str(kinds.get(row["kind"], row["kind"])),
                    "country": country,
                    "country_name": names[country],
                    "city": row["city"],
                    "website": row["website"],
                    "committed": row["committed"] or 0,
                    "achieved": row["achieved"] or 0,
                    "achieved_external": row["achieved_external"] or 0,
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "totals": totals_dict(totals),
        "features": features,
    }


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
