from django import template

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
