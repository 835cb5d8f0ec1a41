"""The public station page and the map page's server-rendered parts."""

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import override_settings

from stations import display, geo
from stations.models import Level, Status

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def station(make_station):
    return make_station(
        name="Liaoning Road station",
        level=Level.PROVINCIAL,
        amenities=["drinking-water", "microwave"],
        groups=["courier", "sanitation"],
        manager_name="Wang Fang",
        manager_phone="0532-1234 5678",
        opening_hours={"mon": [["08:00", "20:00"]], "fri": [["22:00", "06:00"]]},
        latitude=Decimal("36.087000"),
        longitude=Decimal("120.375000"),
    )


def test_station_page_shows_what_a_worker_needs(client, station):
    monday_noon = datetime(2026, 3, 9, 12, 0, tzinfo=SHANGHAI)
    with time_machine.travel(monday_noon, tick=False):
        response = client.get(f"/stations/{station.code}/")
    assert response.status_code == 200
    page = response.content.decode()
    for text in (
        "Liaoning Road station", "Provincial standard", "辽宁路", "Shibei",
        "Drinking water", "Microwave", "Couriers", "Sanitation workers",
        "Wang Fang", "tel:0532-12345678", "Open now", "No ratings yet",
    ):
        assert text in page, text
    # Human-readable hours, one row per day, today marked.
    assert "08:00–20:00" in page and "22:00–06:00 (next day)" in page
    assert page.count("Closed</td>") == 5
    assert '<tr class="today"><th scope="row">Monday (today)' in page


def test_open_now_line_follows_the_clock(client, station):
    sunday_noon = datetime(2026, 3, 8, 12, 0, tzinfo=SHANGHAI)
    with time_machine.travel(sunday_noon, tick=False):
        page = client.get(f"/stations/{station.code}/").content.decode()
    assert "Closed now" in page and "Open now" not in page


def test_rating_summary(client, station):
    from ratings.models import RatingStats

    RatingStats.objects.create(
        station=station, total=8, count_5=5, count_4=1, count_3=1, count_1=1,
        last_rated_at=datetime(2026, 3, 1, 9, 30, tzinfo=SHANGHAI),
    )
    page = client.get(f"/stations/{station.code}/").content.decode()
    assert "75%" in page and "2026-03-01" in page and ">8<" in page


def link_params(page, app):
    marker = f'data-app="{app}"'
    start = page.index(marker)
    href_start = page.rindex('href="', 0, start) + len('href="')
    href = page[href_start:page.index('"', href_start)].replace("&amp;", "&")
    return parse_qs(urlparse(href).query), href


def test_navigate_links_carry_converted_coordinates(client, station):
    page = client.get(f"/stations/{station.code}/").content.decode()
    gcj_lat, gcj_lng = geo.wgs84_to_gcj02(36.087, 120.375)
    bd_lat, bd_lng = geo.wgs84_to_bd09(36.087, 120.375)

    amap, _ = link_params(page, "amap")
    lng, lat = map(float, amap["position"][0].split(","))
    assert (lat, lng) == pytest.approx((gcj_lat, gcj_lng), abs=1e-6)
    assert amap["coordinate"] == ["gaode"]

    baidu, _ = link_params(page, "baidu")
    lat, lng = map(float, baidu["location"][0].split(","))
    assert (lat, lng) == pytest.approx((bd_lat, bd_lng), abs=1e-6)
    assert baidu["coord_type"] == ["bd09ll"]

    tencent, _ = link_params(page, "tencent")
    coord = tencent["marker"][0].split(";")[0]
    lat, lng = map(float, coord.removeprefix("coord:").split(","))
    assert (lat, lng) == pytest.approx((gcj_lat, gcj_lng), abs=1e-6)

    apple, href = link_params(page, "apple")
    assert href.startswith("https://maps.apple.com/") and apple["ll"] == ["36.087000,120.375000"]
    google, href = link_params(page, "google")
    assert href.startswith("https://www.google.com/maps/search/") and google["query"] == ["36.087000,120.375000"]
    # The shift is real: a GCJ-02 pin differs from the WGS-84 one.
    assert geo.haversine_m(36.087, 120.375, gcj_lat, gcj_lng) > 100


def test_suspended_station_shows_a_notice(client, make_station):
    station = make_station(status=Status.SUSPENDED)
    page = client.get(f"/stations/{station.code}/").content.decode()
    assert "temporarily closed" in page


@override_settings(DEBUG=False)
def test_delisted_station_is_a_friendly_404(client, make_station):
    station = make_station(status=Status.DELISTED, name="Gone station")
    response = client.get(f"/stations/{station.code}/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "We could not find that page" in page and "Gone station" not in page
    assert client.get("/stations/QD%00SB/").status_code == 404


def test_report_problem_link_when_ratings_provides_it(client, station):
    from django.urls import NoReverseMatch, reverse

    page = client.get(f"/stations/{station.code}/").content.decode()
    try:
        url = reverse("ratings:report_problem", args=[station.code])
    except NoReverseMatch:
        assert "Report a problem" not in page
    else:
        assert f'href="{url}"' in page


def test_week_table_always_open():
    rows = display.week_table({"always": True}, today=date(2026, 3, 11))
    assert [str(row["text"]) for row in rows] == ["Open 24 hours"] * 7
    assert [row["today"] for row in rows] == [False, False, True, False, False, False, False]


# --- The map page ----------------------------------------------------------


def test_map_page_hands_settings_over_as_json(client, station):
    response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<script id="map-config" type="application/json">' in page
    assert "js/station-map.js" in page and "leaflet/leaflet" in page
    assert "cdn" not in page.lower()
    config = response.context["map_config"]
    assert config["crs"] == "wgs84" and config["geojsonUrl"] == "/api/stations.geojson"


@override_settings(MAP_TILES="amap")
def test_map_with_gcj02_tiles_tells_the_script_to_shift(client, db):
    response = client.get("/")
    assert response.context["map_config"]["crs"] == "gcj02"
    assert "autonavi.com" in response.content.decode()


def test_map_fallback_lists_stations_for_a_chosen_district(client, station, make_station, shinan):
    other = make_station(name="Shinan station", district=shinan)
    page = client.get("/?district=shinan").content.decode()
    assert "Shinan station" in page and "Liaoning Road station" not in page
    page = client.get("/?q=Liaoning").content.decode()
    assert "Liaoning Road station" in page and other.name not in page


def test_map_filters_round_trip_through_the_url(client, station):
    page = client.get("/?amenities=microwave&open_now=true&level=2").content.decode()
    assert 'value="microwave" checked' in page
    assert 'name="open_now" value="true" checked' in page
    assert 'value="2" selected' in page


def test_map_page_reports_bad_filters_instead_of_failing(client, db):
    response = client.get("/?amenities=sauna")
    assert response.status_code == 200
    assert "Unknown amenity: sauna" in response.content.decode()


def test_map_page_own_assets_stay_small():
    """What a worker's phone downloads for the map besides Leaflet and tiles."""
    from django.contrib.staticfiles import finders

    sizes = {path: Path(finders.find(path)).stat().st_size for path in ("css/site.css", "css/map.css", "js/station-map.js")}
    assert sum(sizes.values()) < 25_000, sizes
