"""The map in a real browser: outlines and markers drawn offline, clusters, popups linking to
the initiative pages, filters, and no serious accessibility violation (axe) on any map page."""

from decimal import Decimal

import pytest

from badgeeurope.tests.browser import serious_violations
from campaign.models import Initiative, InitiativeKind, InitiativeStatus

from .conftest import build_campaign

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SERIOUS = {"serious", "critical"}
CROWD = 60


@pytest.fixture
def crowded_campaign(db):
    """The test campaign plus sixty initiatives around Paris: too many to show one by one."""
    world = build_campaign()
    Initiative.objects.bulk_create(
        Initiative(
            slug=f"paris-{number}",
            name=f"Paris Initiative {number}",
            description="One of many.",
            kind=InitiativeKind.SCHOOL,
            country="FR",
            city="Paris",
            # A grid of 6 × 10 points 0.3° apart: one cluster over Europe, pins in close-up.
            latitude=Decimal("48.0") + Decimal(number // 10) * Decimal("0.3"),
            longitude=Decimal("1.0") + Decimal(number % 10) * Decimal("0.3"),
            status=InitiativeStatus.APPROVED,
        )
        for number in range(CROWD)
    )
    return world


def wait_for_map(page):
    # Outlines and data are two fetches; the machine running the suite may be busy.
    page.wait_for_selector("[data-europe-map][data-ready='true']", timeout=30_000)


def open_map(page, url):
    page.goto(url)
    wait_for_map(page)


def test_the_map_draws_europe_with_markers_clusters_and_popups(live_server, page, crowded_campaign):
    open_map(page, live_server.url + "/map/")
    element = page.locator("[data-europe-map]")
    assert element.get_attribute("data-markers") == str(4 + CROWD)
    # The shipped outlines are drawn: dozens of countries, no tile server involved.
    assert page.locator("path.map-country").count() > 40
    assert page.locator("img.leaflet-tile").count() == 0
    # Paris's sixty initiatives form a cluster whose name says how many it holds.
    cluster = page.locator(".map-cluster").first
    assert cluster.is_visible()
    assert "initiatives here" in cluster.get_attribute("aria-label")
    assert int(cluster.inner_text()) >= 2
    # Tallinn stands alone: its pin opens a popup that links to the initiative's page.
    pin = page.locator(".map-pin[aria-label='Hansa Badges']")
    pin.click()
    link = page.locator(".leaflet-popup a.map-popup__title")
    assert link.inner_text() == "Hansa Badges"
    assert link.get_attribute("href").endswith("/initiatives/hansa-badges/")
    popup = page.locator(".leaflet-popup").inner_text()
    assert "500 badges committed, 3 achieved" in popup
    assert "Network · Tallinn, Estonia" in popup


def test_clicking_a_cluster_zooms_in_and_splits_it(live_server, page, crowded_campaign):
    open_map(page, live_server.url + "/map/")
    crowd = page.locator(".map-pin[aria-label^='Paris Initiative']")
    assert crowd.count() == 0
    page.locator(".map-cluster").first.click()
    # Zoomed in to the cluster's bounds, its initiatives stand apart as pins.
    crowd.first.wait_for()
    assert crowd.count() > 10


def test_the_filters_change_the_markers(live_server, page, crowded_campaign):
    open_map(page, live_server.url + "/map/")
    page.select_option("#id_country", "EE")
    with page.expect_navigation():
        page.click(".map-filters button[type=submit]")
    wait_for_map(page)
    assert page.locator("[data-europe-map]").get_attribute("data-markers") == "1"
    assert page.locator(".map-pin[aria-label='Hansa Badges']").is_visible()
    assert "1 initiative matches." in page.locator("#map-summary").inner_text()

    page.select_option("#id_country", "FR")
    page.select_option("#id_kind", "school")
    with page.expect_navigation():
        page.click(".map-filters button[type=submit]")
    wait_for_map(page)
    assert page.locator("[data-europe-map]").get_attribute("data-markers") == str(1 + CROWD)


@pytest.mark.parametrize("width", [1280, 360])
@pytest.mark.parametrize(
    "path", ["/map/", "/map/?country=FR", "/map/list/", "/map/totals/", "/map/widget/"]
)
def test_map_pages_have_no_serious_accessibility_violations(
    live_server, page, crowded_campaign, path, width
):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(live_server.url + path)
    if page.locator("[data-europe-map]").count():
        wait_for_map(page)
    assert serious_violations(page) == []
