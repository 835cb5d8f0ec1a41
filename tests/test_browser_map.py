"""The map and station page in a real browser (Playwright driving Chromium).

Enable: see tests/browser.py (Debian's `chromium` package and `playwright`).

Nothing leaves the machine: every request that is not for the live server
(map tiles) is aborted, which also proves the page works without tiles.
Screenshots go to test-artifacts/ (git-ignored).
"""

import re
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

import pytest

from stations import catalogue, geo
from stations.models import Amenity, Level, Status, WorkerGroup

from .browser import expect, screenshot

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
# A street corner in Qingdao's Shibei district (Liaoning Road), WGS-84.
SHIBEI = {"latitude": 36.0870, "longitude": 120.3750}

pytestmark = pytest.mark.browser



@pytest.fixture
def open_page(open_page):
    """Pages open at phone size unless a test asks for another."""

    def open_phone_first(viewport=PHONE, geolocation=None, **options):
        return open_page(viewport, geolocation, **options)

    return open_phone_first


@pytest.fixture
def seeded(transactional_db, make_station, shinan):
    # A transactional test starts from tables another one emptied: put the
    # catalogue (normally loaded by a data migration) back first.
    catalogue.load(Amenity, WorkerGroup)
    return {
        "nearest": make_station(
            name="Liaoning Road station", amenities=["drinking-water", "wifi"],
            latitude=Decimal("36.087300"), longitude=Decimal("120.375400"),
        ),
        "microwave": make_station(
            name="Taidong station", level=Level.NATIONAL, amenities=["drinking-water", "microwave"],
            latitude=Decimal("36.091000"), longitude=Decimal("120.381000"),
        ),
        "office": make_station(
            name="Office-hours station", level=Level.PROVINCIAL, amenities=["toilet"],
            opening_hours={"sat": [["09:00", "10:00"]]},
            latitude=Decimal("36.080000"), longitude=Decimal("120.370000"),
        ),
        "shinan": make_station(
            name="Zhongshan Road station", district=shinan, amenities=["microwave"],
            latitude=Decimal("36.066000"), longitude=Decimal("120.320000"),
        ),
        "delisted": make_station(
            name="Delisted station", status=Status.DELISTED, latitude=Decimal("36.087100"),
            longitude=Decimal("120.375100"),
        ),
    }


def list_names(page):
    return page.locator("#results li.station strong").all_inner_texts()


@pytest.mark.parametrize(("size", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_map_shows_markers_for_the_stations_without_tiles(open_page, live_server, seeded, size, viewport):
    page = open_page(viewport)
    page.goto(live_server.url + "/")
    page.wait_for_selector(".leaflet-marker-icon.pin")
    page.wait_for_function("document.querySelectorAll('.leaflet-marker-icon.pin').length >= 3")
    titles = set(page.locator(".leaflet-marker-icon.pin").evaluate_all("els => els.map(e => e.title)"))
    shibei = {seeded[key].name for key in ("nearest", "microwave", "office")}
    # The phone's narrower view may leave Shinan just outside; Shibei is in view.
    assert shibei <= titles <= shibei | {seeded["shinan"].name}
    # Open and closed stations look different; the number is the level.
    assert page.locator(".leaflet-marker-icon.pin.shut").count() == 1
    assert page.locator(".leaflet-marker-icon.pin.open").count() == len(titles) - 1
    page.locator(".leaflet-marker-icon.pin.level-3").click()
    popup = page.locator(".leaflet-popup-content")
    assert "Taidong station" in popup.inner_text()
    assert popup.locator("a").get_attribute("href") == f"/stations/{seeded['microwave'].code}/"
    screenshot(page, f"map-{size}")
    assert page.errors == []


def test_locate_me_lists_the_nearest_station_first_and_filters_change_it(open_page, live_server, seeded):
    page = open_page(PHONE, geolocation=SHIBEI)
    page.goto(live_server.url + "/")
    page.click("#locate")
    page.wait_for_selector("#results li.station .distance")
    names = list_names(page)
    assert names[0] == "Liaoning Road station"
    assert "Delisted station" not in names
    first_distance = page.locator("#results li.station .distance").first.inner_text()
    assert first_distance.endswith(" m") and int(first_distance.split()[0]) < 100
    screenshot(page, "map-located-phone")

    page.wait_for_load_state("networkidle")
    page.click("details.more summary")
    expect(page.locator("details.more")).to_have_attribute("open", "")
    page.check("input[name=amenities][value=microwave]")
    page.wait_for_function(
        "document.querySelector('#results li.station strong').textContent === 'Taidong station'"
    )
    assert list_names(page) == ["Taidong station", "Zhongshan Road station"]
    # The filter lives in the URL, so the link can be shared.
    assert "amenities=microwave" in page.url
    assert page.errors == []


def test_shared_link_restores_the_filters(open_page, live_server, seeded):
    page = open_page(PHONE)
    page.goto(live_server.url + "/?district=shinan")
    assert list_names(page) == ["Zhongshan Road station"]
    page.goto(live_server.url + "/?amenities=microwave&level=3")
    page.wait_for_function("document.querySelectorAll('.leaflet-marker-icon.pin').length === 1")
    assert page.locator(".leaflet-marker-icon.pin").get_attribute("title") == "Taidong station"
    assert page.is_checked("input[name=amenities][value=microwave]")


def test_without_location_the_worker_is_offered_a_place_search(open_page, live_server, seeded):
    page = open_page(PHONE)  # geolocation not granted
    page.goto(live_server.url + "/")
    page.click("#locate")
    page.wait_for_function("document.getElementById('status').textContent.includes('Choose a city')")
    page.fill("input[name=q]", "Zhongshan")
    page.click("button[type=submit]")
    page.wait_for_selector("#results li.station")
    assert list_names(page) == ["Zhongshan Road station"]


@pytest.mark.parametrize(("size", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_station_page_navigate_links_carry_converted_coordinates(open_page, live_server, seeded, size, viewport):
    station = seeded["microwave"]
    page = open_page(viewport)
    page.goto(f"{live_server.url}/stations/{station.code}/")
    assert page.locator("h1").inner_text() == "Taidong station"
    gcj = geo.wgs84_to_gcj02(36.091, 120.381)
    bd = geo.wgs84_to_bd09(36.091, 120.381)

    def query(app):
        return parse_qs(urlparse(page.locator(f"a[data-app={app}]").get_attribute("href")).query)

    lng, lat = map(float, query("amap")["position"][0].split(","))
    assert (lat, lng) == pytest.approx(gcj, abs=1e-6)
    lat, lng = map(float, query("baidu")["location"][0].split(","))
    assert (lat, lng) == pytest.approx(bd, abs=1e-6)
    lat, lng = map(float, query("tencent")["marker"][0].split(";")[0].removeprefix("coord:").split(","))
    assert (lat, lng) == pytest.approx(gcj, abs=1e-6)
    assert query("apple")["ll"] == ["36.091000,120.381000"]
    assert query("google")["query"] == ["36.091000,120.381000"]
    screenshot(page, f"station-{size}")
    assert page.errors == []


def marker_positions(page):
    return page.evaluate(
        """() => {
            const found = {};
            window.leafletmapmap.eachLayer(layer => {
                if (layer.options && layer.options.title && layer.getLatLng) {
                    const p = layer.getLatLng();
                    found[layer.options.title] = [p.lat, p.lng];
                }
            });
            return found;
        }"""
    )


@pytest.mark.parametrize(("tiles", "shifted"), [("osm", False), ("amap", True)])
def test_markers_shift_to_gcj02_on_amap_tiles(open_page, live_server, seeded, settings, tiles, shifted):
    settings.MAP_TILES = tiles
    page = open_page(DESKTOP)
    page.goto(live_server.url + "/")
    page.wait_for_function("document.querySelectorAll('.leaflet-marker-icon.pin').length >= 4")
    station = seeded["microwave"]
    lat, lng = float(station.latitude), float(station.longitude)
    expected = geo.wgs84_to_gcj02(lat, lng) if shifted else (lat, lng)
    assert marker_positions(page)[station.name] == pytest.approx(expected, abs=1e-7)


def cluster_titles(page):
    """Zoom the map out to country level and read the clusters' tooltips."""
    page.wait_for_selector(".leaflet-marker-icon.pin")
    page.evaluate("window.leafletmapmap.setZoom(5)")
    page.wait_for_function("document.querySelectorAll('.leaflet-marker-icon.pin').length === 0")
    page.wait_for_selector(".leaflet-marker-icon.cluster")
    return page.locator(".leaflet-marker-icon.cluster").evaluate_all("els => els.map(e => e.title)")


def test_cluster_counts_read_as_translated_phrases(open_page, live_server, seeded):
    """"4 个驿站" in Chinese, "1 station" (not "1 stations") in English: a format, not a number glued to a word."""
    page = open_page(DESKTOP, locale="zh-CN", extra_http_headers={"Accept-Language": "zh-hans"})
    page.goto(live_server.url + "/")
    titles = cluster_titles(page)
    counts = [re.fullmatch(r"(\d+) 个驿站 · 放大地图查看", title) for title in titles]
    assert all(counts), titles
    assert sum(int(match.group(1)) for match in counts) == 4

    page = open_page(DESKTOP)
    page.goto(live_server.url + "/?amenities=microwave&level=3")
    assert cluster_titles(page) == ["1 station · Zoom in to see them"]
    assert page.errors == []
