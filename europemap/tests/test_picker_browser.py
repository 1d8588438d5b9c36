"""The location picker of the initiative forms in a real browser: clicking the map fills
latitude and longitude, typing moves the marker, the proposal keeps what was picked, the edit
form starts at the saved place, without JavaScript only the fields remain; axe finds nothing
serious."""

import re
from decimal import Decimal

import pytest

from badgeeurope.tests.browser import serious_violations, sign_in_by_session
from campaign.models import Initiative

from .conftest import build_campaign

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PICKER = "[data-location-picker-map]"
SIX_DECIMALS = re.compile(r"^-?\d{1,3}\.\d{6}$")


def open_form(page, url):
    page.goto(url)
    page.wait_for_selector(f"{PICKER}[data-ready='true']", timeout=30_000)


def marker_centre(page) -> tuple[float, float]:
    box = page.locator(f"{PICKER} .leaflet-marker-icon").bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"]


@pytest.fixture
def campaign(db):
    return build_campaign()


def test_click_fills_typing_moves_and_the_proposal_keeps_the_place(live_server, page, campaign):
    sign_in_by_session(page.context, live_server, campaign.admin)
    open_form(page, live_server.url + "/initiatives/propose/")
    latitude, longitude = page.get_by_label("Latitude"), page.get_by_label("Longitude")
    assert latitude.input_value() == longitude.input_value() == ""
    assert page.locator("path.map-country").count() > 40
    assert page.locator(f"{PICKER} .leaflet-marker-icon").count() == 0

    # Around the middle of the map of Europe: somewhere in Central Europe.
    page.locator(PICKER).click(position={"x": 300, "y": 150})
    assert SIX_DECIMALS.match(latitude.input_value()), latitude.input_value()
    assert SIX_DECIMALS.match(longitude.input_value()), longitude.input_value()
    assert 35 < float(latitude.input_value()) < 71
    assert -12 < float(longitude.input_value()) < 35
    assert page.locator(f"{PICKER} .leaflet-marker-icon").count() == 1
    assert serious_violations(page) == []

    # Typing Lisbon, then Helsinki: the marker goes north-east.
    latitude.fill("38.722252")
    longitude.fill("-9.139337")
    lisbon = marker_centre(page)
    latitude.fill("60,169856")  # the decimal comma the server accepts too
    longitude.fill("24.938379")
    helsinki = marker_centre(page)
    assert helsinki[0] > lisbon[0] + 50
    assert helsinki[1] < lisbon[1] - 50
    # Out-of-range input leaves the marker where it was.
    latitude.fill("123")
    assert marker_centre(page) == helsinki
    latitude.fill("60.169856")

    page.locator("#id_name").fill("Helsinki Harbour Badges")
    page.locator("#id_kind").select_option("network")
    page.locator("#id_description").fill("Harbour skills made visible.")
    page.get_by_label("Country").select_option("FI")
    page.get_by_role("button", name="Propose the initiative").click()
    page.wait_for_url("**/initiatives/helsinki-harbour-badges/")
    initiative = Initiative.objects.get(slug="helsinki-harbour-badges")
    assert initiative.latitude == Decimal("60.169856")
    assert initiative.longitude == Decimal("24.938379")


def test_dragging_the_marker_fills_the_fields(live_server, page, campaign):
    sign_in_by_session(page.context, live_server, campaign.admin)
    open_form(page, live_server.url + "/initiatives/propose/")
    page.locator(PICKER).click(position={"x": 300, "y": 150})
    before = page.get_by_label("Longitude").input_value()
    x, y = marker_centre(page)
    page.mouse.move(x, y - 10)
    page.mouse.down()
    page.mouse.move(x + 40, y - 10, steps=5)
    page.mouse.move(x + 80, y - 10, steps=5)
    page.mouse.up()
    after = page.get_by_label("Longitude").input_value()
    assert SIX_DECIMALS.match(after)
    assert float(after) > float(before)


def test_the_edit_form_starts_at_the_saved_place(live_server, page, campaign):
    sign_in_by_session(page.context, live_server, campaign.admin)
    open_form(page, live_server.url + "/initiatives/hansa-badges/edit/")
    assert page.get_by_label("Latitude").input_value() == "59.436962"
    marker = page.locator(f"{PICKER} .leaflet-marker-icon")
    assert marker.count() == 1
    map_box = page.locator(PICKER).bounding_box()
    x, y = marker_centre(page)
    # Centred on Tallinn.
    assert abs(x - (map_box["x"] + map_box["width"] / 2)) < 5
    assert abs(y - (map_box["y"] + map_box["height"] / 2)) < 5
    # The marker is no extra tab stop: the fields are the keyboard way in.
    assert marker.get_attribute("tabindex") in (None, "-1")
    assert serious_violations(page) == []
    # Tabbing on from the longitude passes the map and its zoom buttons, then leaves it.
    page.get_by_label("Longitude").focus()
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "id_website":
            break
    assert page.evaluate("document.activeElement.id") == "id_website"


def test_the_picker_speaks_the_visitors_language(live_server, page, campaign):
    page.context.add_cookies([{"name": "django_language", "value": "de", "url": live_server.url}])
    sign_in_by_session(page.context, live_server, campaign.admin)
    open_form(page, live_server.url + "/initiatives/propose/")
    assert page.get_by_role("region", name="Karte zur Wahl des Standorts").is_visible()
    assert page.get_by_title("Vergrößern").is_visible()


def test_without_javascript_only_the_fields(live_server, browser, campaign):
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    try:
        sign_in_by_session(context, live_server, campaign.admin)
        page = context.new_page()
        page.goto(live_server.url + "/initiatives/propose/")
        assert page.get_by_label("Latitude").is_visible()
        assert page.get_by_label("Longitude").is_visible()
        assert not page.locator("[data-location-picker-map-box]").is_visible()
    finally:
        context.close()
