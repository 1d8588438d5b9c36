from django import template
from django.templatetags.static import static

from campaign.selectors import campaign_totals

register = template.Library()


@register.inclusion_tag("europemap/_totals.html")
def campaign_totals_header(link: bool = True, compact: bool = False):
    """The campaign's headline figures and its progress toward the goal, from the counters.

    Usable on any page (the home page, the map, the widget): `{% load europemap %}
    {% campaign_totals_header %}`.
    """
    totals = campaign_totals()
    percent = min(100.0, 100.0 * totals.achieved / totals.goal) if totals.goal else 0.0
    return {
        "totals": totals,
        "percent": percent,
        "link": link,
        "compact": compact,
    }


@register.inclusion_tag("europemap/_location_picker.html")
def location_picker(picker_id: str = "location-picker"):
    """A small offline map of Europe that fills a form's latitude and longitude fields.

    Put it inside the element marked `data-location-picker` that holds the inputs marked
    `data-map-latitude` and `data-map-longitude`: `{% load europemap %}{% location_picker %}`.
    Always the shipped country outlines, never a tile server: the form pages keep the site's
    Content-Security-Policy.
    """
    return {
        "picker_id": picker_id,
        "countries_url": static("europemap/europe-countries.geojson"),
    }
