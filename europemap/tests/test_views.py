"""The map, list, totals, widget and open-data views: content, filters, headers and bad input."""

import csv
import gzip
import io
import re

import orjson
import pytest
from django.test import override_settings

from campaign.selectors import campaign_totals

pytestmark = pytest.mark.django_db

PUBLIC_LOCATED = {"hansa-badges", "lyon-ecoles", "madrid-fp", "formula"}


def slugs_of(collection) -> set[str]:
    return {feature["properties"]["url"].rstrip("/").rsplit("/", 1)[1] for feature in collection}


def assert_no_inline_code(html: str):
    # The CSP allows no inline script or style; a page that relied on them would break.
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None
    assert " style=" not in html


def test_map_page_shows_totals_filters_and_the_map_element(client, campaign):
    response = client.get("/map/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "5 initiatives connected — Total Committed/Achieved: 2,000/3" in html
    assert 'data-initiatives-url="/map/initiatives.geojson"' in html
    assert "europemap/europe-countries.geojson" in html
    assert "leaflet/leaflet.js" in html
    assert '<progress class="campaign-totals__progress"' in html
    assert "data-tile-url" not in html  # offline by default
    assert_no_inline_code(html)
    assert response["X-Frame-Options"] == "DENY"


def test_map_page_hands_the_script_labels_in_the_visitors_language(client, campaign):
    html = client.get("/map/", headers={"accept-language": "fr"}).content.decode()
    match = re.search(r'data-country-names="([^"]*)"', html)
    names = orjson.loads(match.group(1).replace("&quot;", '"'))
    assert names == {"EE": "Estonie", "ES": "Espagne", "FR": "France", "DE": "Allemagne"}
    match = re.search(r'data-kind-labels="([^"]*)"', html)
    kinds = orjson.loads(match.group(1).replace("&quot;", '"'))
    assert kinds["school"] == "École"


def test_map_page_filters_are_passed_to_the_data(client, campaign):
    response = client.get("/map/", {"country": "FR", "kind": "school"})
    html = response.content.decode()
    assert 'data-initiatives-url="/map/initiatives.geojson?country=FR&amp;kind=school"' in html
    assert "1 initiative matches." in html
    assert 'data-fit="markers"' in html


def test_map_page_with_an_unknown_filter_shows_the_error_and_every_initiative(client, campaign):
    response = client.get("/map/", {"country": "ZZ"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Select a valid choice" in html
    assert "5 initiatives match." in html


def test_country_choices_are_named_in_the_visitors_language(client, campaign):
    html = client.get("/map/", headers={"accept-language": "fr"}).content.decode()
    assert '<option value="ES">Espagne</option>' in html
    assert '<option value="EE">Estonie</option>' in html
    assert 'value="IT"' not in html  # only countries with public initiatives


def test_list_view_works_without_javascript_and_filters(client, campaign):
    html = client.get("/map/list/").content.decode()
    for name in ("Hansa Badges", "Écoles de Lyon", "FP Madrid", "Nowhere Yet"):
        assert name in html
    assert "Waiting For Review" not in html
    assert '<a href="/initiatives/hansa-badges/">Hansa Badges</a>' in html
    assert "<script" not in html.split('<main id="main"', 1)[1]

    html = client.get("/map/list/", {"country": "FR"}).content.decode()
    assert "Écoles de Lyon" in html
    assert "FP Madrid" not in html
    assert "Clear the filters" in html

    html = client.get("/map/list/", {"kind": "vet"}).content.decode()
    assert "FP Madrid" in html
    assert "Écoles de Lyon" not in html

    html = client.get("/map/list/", {"country": "FR", "kind": "vet"}).content.decode()
    assert "No initiative matches these filters." in html


def test_list_view_shows_names_in_the_visitors_language(client, campaign):
    html = client.get("/map/list/", headers={"accept-language": "fr"}).content.decode()
    assert "Badges de la Hanse" in html
    assert "Estonie" in html


def test_list_view_survives_a_bad_page_number(client, campaign):
    assert client.get("/map/list/", {"page": "x"}).status_code == 200
    assert client.get("/map/list/", {"page": "999"}).status_code == 200


def test_geojson_has_located_public_initiatives_with_their_figures(client, campaign):
    response = client.get("/map/initiatives.geojson")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cache-Control"] == "public, max-age=60"
    data = orjson.loads(response.content)
    assert data["type"] == "FeatureCollection"
    assert slugs_of(data["features"]) == PUBLIC_LOCATED
    hansa = next(f for f in data["features"] if f["properties"]["name"] == "Hansa Badges")
    # RFC 7946: longitude first.
    assert hansa["geometry"] == {"type": "Point", "coordinates": [24.753574, 59.436962]}
    assert hansa["id"] == str(campaign.tallinn.public_id)
    assert hansa["properties"]["url"] == "http://127.0.0.1:8000/initiatives/hansa-badges/"
    assert hansa["properties"]["committed"] == 500
    assert hansa["properties"]["achieved"] == 3
    assert hansa["properties"]["country"] == "EE"
    totals = campaign_totals()
    assert data["totals"] == {
        "initiatives": 5,
        "committed": 2000,
        "achieved": 3,
        "achieved_external": 0,
        "supporters": totals.supporters,
        "goal": totals.goal,
    }


def test_geojson_filters(client, campaign):
    data = orjson.loads(client.get("/map/initiatives.geojson", {"country": "FR"}).content)
    assert slugs_of(data["features"]) == {"lyon-ecoles", "formula"}
    data = orjson.loads(client.get("/map/initiatives.geojson", {"kind": "network"}).content)
    assert slugs_of(data["features"]) == {"hansa-badges"}


def test_geojson_answers_not_modified_to_a_known_etag(client, campaign):
    first = client.get("/map/initiatives.geojson")
    again = client.get("/map/initiatives.geojson", headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304
    assert again.content == b""


def test_open_data_refuses_bad_filters_with_a_json_error(client, campaign):
    for path in ("/map/initiatives.geojson", "/map/initiatives.csv"):
        response = client.get(path, {"kind": "spaceship"})
        assert response.status_code == 400
        assert response["Access-Control-Allow-Origin"] == "*"
        body = response.json()
        assert body["error"] == "The filters are not valid."
        assert "kind" in body["fields"]


def test_open_data_refuses_writes(client, campaign):
    assert client.post("/map/initiatives.geojson").status_code == 405
    assert client.post("/map/initiatives.csv").status_code == 405


def test_csv_lists_every_public_initiative_safely(client, campaign):
    response = client.get("/map/initiatives.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {row["slug"] for row in rows} == PUBLIC_LOCATED | {"no-place"}
    formula = next(row for row in rows if row["slug"] == "formula")
    assert formula["name"] == '\'=HYPERLINK("http://evil.example")'
    assert formula["city"] == "'-Paris"
    madrid = next(row for row in rows if row["slug"] == "madrid-fp")
    assert madrid["longitude"] == "-3.703800"  # numbers are not quoted
    assert madrid["committed"] == "300"
    unlocated = next(row for row in rows if row["slug"] == "no-place")
    assert unlocated["latitude"] == ""


def test_totals_json(client, campaign):
    response = client.get("/map/totals.json")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.json()["committed"] == 2000


def test_totals_page_has_chart_table_and_countries(client, campaign):
    response = client.get("/map/totals/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<svg class="chart"' in html
    assert "3 badges in the last twelve months." in html
    assert html.count('<tr><th scope="row">') == 12  # one row per month
    for country in ("Estonia", "France", "Spain", "Germany"):
        assert country in html
    assert "Italy" not in html  # only its proposed initiative
    assert "&lt;iframe src=&quot;http://127.0.0.1:8000/map/widget/&quot;" in html
    assert_no_inline_code(html)


def test_widget_may_be_framed_and_other_pages_may_not(client, campaign):
    response = client.get("/map/widget/")
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    html = response.content.decode()
    assert "5 initiatives connected" in html
    assert 'data-mode="mini"' in html
    assert_no_inline_code(html)
    for path in ("/map/", "/map/list/", "/map/totals/"):
        other = client.get(path)
        assert other["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in other["Content-Security-Policy"]


@override_settings(
    MAP_TILE_URL="https://{s}.tiles.example.org/{z}/{x}/{y}.png",
    MAP_TILE_ATTRIBUTION="© Example tiles",
)
def test_a_configured_tile_server_is_used_and_allowed_by_the_policy(client, campaign):
    response = client.get("/map/")
    html = response.content.decode()
    assert 'data-tile-url="https://{s}.tiles.example.org/{z}/{x}/{y}.png"' in html
    assert "https://*.tiles.example.org" in response["Content-Security-Policy"]


@override_settings(MAP_TILE_URL="javascript:alert(1)")
def test_a_tile_url_that_is_not_http_is_ignored(client, campaign):
    assert "data-tile-url" not in client.get("/map/").content.decode()


def test_pages_work_with_no_initiative_at_all(client, db):
    for path in ("/map/", "/map/list/", "/map/totals/", "/map/widget/"):
        assert client.get(path).status_code == 200
    assert orjson.loads(client.get("/map/initiatives.geojson").content)["features"] == []
    assert "No initiative has joined the campaign yet." in client.get("/map/list/").content.decode()


def test_navigation_links_to_the_map(client, db):
    html = client.get("/map/").content.decode()
    assert re.search(r'href="/map/" aria-current="page">Map</a>', html)


def test_open_data_is_compressed_for_clients_that_accept_gzip(client, campaign):
    plain = client.get("/map/initiatives.geojson")
    packed = client.get("/map/initiatives.geojson", headers={"accept-encoding": "gzip, br"})
    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == plain.content
    assert packed["ETag"] != plain["ETag"]
    assert "Accept-Encoding" in packed["Vary"]
    again = client.get(
        "/map/initiatives.geojson",
        headers={"accept-encoding": "gzip", "if-none-match": packed["ETag"]},
    )
    assert again.status_code == 304


@override_settings(MAP_DATA_CACHE_SECONDS=60)
def test_open_data_is_served_from_the_cache_until_it_expires(client, campaign):
    before = client.get("/map/initiatives.geojson").content
    campaign.madrid.status = "withdrawn"
    campaign.madrid.save(update_fields=["status"])
    assert client.get("/map/initiatives.geojson").content == before
    with override_settings(MAP_DATA_CACHE_SECONDS=0):
        fresh = orjson.loads(client.get("/map/initiatives.geojson").content)
    assert "madrid-fp" not in slugs_of(fresh["features"])


def test_home_page_shows_the_campaign_totals(client, campaign):
    html = client.get("/").content.decode()
    assert "5 initiatives connected — Total Committed/Achieved: 2,000/3" in html
    assert 'href="/map/totals/"' in html


def test_the_initiatives_address_leads_to_the_list(client, db):
    response = client.get("/initiatives/?country=FR")
    assert response.status_code == 302
    assert response["Location"] == "/map/list/?country=FR"
