"""The public stations API: contract, filters, bad parameters, throttling."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.throttling import AnonRateThrottle

from stations.models import Level, Status

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEKDAYS_9_TO_5 = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


@pytest.fixture
def stations(make_station, shinan):
    """A few stations with distinct kinds, levels, hours and amenities."""
    return {
        "always": make_station(name="Liaoning Road", amenities=["drinking-water", "wifi", "toilet"]),
        "office": make_station(
            name="Taidong office", kind="partner", partner_type="bank", level=Level.PROVINCIAL,
            opening_hours=WEEKDAYS_9_TO_5, amenities=["drinking-water"],
            latitude=Decimal("36.090000"), longitude=Decimal("120.380000"),
        ),
        "shinan": make_station(
            name="Zhongshan Road", district=shinan, level=Level.NATIONAL, amenities=["wifi"],
            address="青岛市市南区中山路 10 号", latitude=Decimal("36.065000"), longitude=Decimal("120.318000"),
        ),
        "suspended": make_station(name="Suspended one", status=Status.SUSPENDED),
        "delisted": make_station(name="Delisted one", status=Status.DELISTED),
    }


def codes(response):
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    return {row["code"] for row in rows}


def test_list_shows_active_and_suspended_never_delisted(client, stations):
    response = client.get("/api/stations/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4
    assert stations["delisted"].code not in codes(response)
    assert stations["suspended"].code in codes(response)


def test_station_fields(client, stations):
    station = stations["always"]
    body = client.get(f"/api/stations/{station.code}/").json()
    assert body["code"] == station.code
    assert body["city"] == {"code": "qingdao", "name": "Qingdao"}
    assert body["district"] == {"code": "shibei", "name": "Shibei"}
    assert body["latitude"] == pytest.approx(36.087) and body["longitude"] == pytest.approx(120.375)
    assert [a["slug"] for a in body["amenities"]] == ["drinking-water", "toilet", "wifi"]
    assert {"slug": "wifi", "name": "Wi-Fi", "icon": "📶"} in body["amenities"]
    assert body["hours"]["text"] == "24/7" and body["hours"]["always_open"] is True
    assert body["open_now"] is True
    assert body["rating"] == {"total": 0, "satisfaction_rate": None, "last_rated_at": None}
    assert body["url"].endswith(f"/stations/{station.code}/")


def test_rating_summary_comes_from_rating_stats(client, stations):
    from ratings.models import RatingStats

    station = stations["always"]
    RatingStats.objects.create(
        station=station, total=4, count_5=2, count_4=1, count_1=1,
        last_rated_at=datetime(2026, 3, 1, 12, 0, tzinfo=SHANGHAI),
    )
    rating = client.get(f"/api/stations/{station.code}/").json()["rating"]
    assert rating["total"] == 4
    assert rating["satisfaction_rate"] == pytest.approx(0.75)
    assert rating["last_rated_at"].startswith("2026-03-01T12:00:00")


def test_delisted_station_is_404(client, stations):
    assert client.get(f"/api/stations/{stations['delisted'].code}/").status_code == 404
    assert client.get("/api/stations/NO-SUCH-CODE/").status_code == 404
    assert client.get("/api/stations/QD%00/").status_code == 404


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=partner", {"office"}),
        ("level=3", {"shinan"}),
        ("status=suspended", {"suspended"}),
        ("district=shinan", {"shinan"}),
        ("city=qingdao&district=shibei", {"always", "office", "suspended"}),
        ("amenities=wifi", {"always", "shinan"}),
        ("amenities=wifi,drinking-water", {"always"}),
        ("amenities=wifi&amenities=drinking-water", {"always"}),
        ("always_open=true", {"always", "shinan", "suspended"}),
        ("always_open=false", {"office"}),
        ("bbox=120.37,36.08,120.39,36.095", {"always", "office", "suspended"}),
        ("q=Zhongshan", {"shinan"}),
        ("q=市南区", {"shinan"}),
    ],
)
def test_filters(client, stations, query, expected):
    response = client.get(f"/api/stations/?{query}")
    assert response.status_code == 200, response.json()
    assert codes(response) == {stations[name].code for name in expected}


def test_open_now_uses_the_opening_spans(client, stations):
    saturday_noon = datetime(2026, 3, 7, 12, 0, tzinfo=SHANGHAI)
    monday_ten = datetime(2026, 3, 9, 10, 0, tzinfo=SHANGHAI)
    office = stations["office"].code
    with time_machine.travel(saturday_noon, tick=False):
        assert office not in codes(client.get("/api/stations/?open_now=true"))
        assert office in codes(client.get("/api/stations/?open_now=false"))
        assert client.get(f"/api/stations/{office}/").json()["open_now"] is False
    with time_machine.travel(monday_ten, tick=False):
        assert office in codes(client.get("/api/stations/?open_now=true"))
        assert client.get(f"/api/stations/{office}/").json()["open_now"] is True


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("amenities=wifi,sauna", "amenities"),
        ("kind=castle", "kind"),
        ("level=9", "level"),
        ("status=delisted", "status"),
        ("city=atlantis", "city"),
        ("city=qing%00dao", "city"),
        ("district=%00", "district"),
        ("amenities=wifi,%00", "amenities"),
        ("q=a%00b", "q"),
        ("district=nowhere", "district"),
        ("open_now=maybe", "open_now"),
        ("always_open=2", "always_open"),
        ("bbox=1,2,3", "bbox"),
        ("bbox=a,b,c,d", "bbox"),
        ("bbox=120,36,119,37", "bbox"),
        ("bbox=120,-91,121,37", "bbox"),
        ("bbox=nan,36,121,37", "bbox"),
        ("page=0", "page"),
        ("page=abc", "page"),
        ("page_size=1000", "page_size"),
    ],
)
def test_bad_list_parameters_are_400_naming_the_parameter(client, stations, query, parameter):
    response = client.get(f"/api/stations/?{query}")
    assert response.status_code == 400
    assert parameter in response.json()


def test_unknown_amenity_is_named(client, stations):
    body = client.get("/api/stations/?amenities=wifi,sauna").json()
    assert "sauna" in body["amenities"][0]
    assert "wifi" not in body["amenities"][0]


def test_nearby_orders_by_distance_and_reports_it(client, stations):
    response = client.get("/api/stations/nearby/?lat=36.0871&lng=120.3751&radius=10000")
    assert response.status_code == 200
    rows = response.json()
    assert [row["code"] for row in rows][:1] in ([stations["always"].code], [stations["suspended"].code])
    distances = [row["distance_m"] for row in rows]
    assert distances == sorted(distances)
    assert distances[0] < 20
    assert stations["delisted"].code not in {row["code"] for row in rows}
    shinan = next(row for row in rows if row["code"] == stations["shinan"].code)
    assert 5000 < shinan["distance_m"] < 6000


def test_nearby_combines_with_filters_radius_and_limit(client, stations):
    rows = client.get("/api/stations/nearby/?lat=36.0871&lng=120.3751&radius=10000&amenities=wifi").json()
    assert [row["code"] for row in rows] == [stations["always"].code, stations["shinan"].code]
    rows = client.get("/api/stations/nearby/?lat=36.0871&lng=120.3751&radius=1000").json()
    assert stations["shinan"].code not in {row["code"] for row in rows}
    rows = client.get("/api/stations/nearby/?lat=36.0871&lng=120.3751&radius=10000&limit=2").json()
    assert len(rows) == 2


def test_only_the_named_filters_are_built(client, stations, monkeypatch):
    """Building every filter is costly: a request gets a filterset of the
    filters it names (none without any), which still filters and validates."""
    from stations.filters import StationFilter

    built = []
    original = StationFilter.__init__

    def spy(self, *args, **kwargs):
        built.append(sorted(type(self).base_filters))
        original(self, *args, **kwargs)

    monkeypatch.setattr(StationFilter, "__init__", spy)
    everything = client.get("/api/stations/nearby/?lat=36.0871&lng=120.3751&radius=10000").json()
    assert built == []
    wifi = client.get("/api/stations/nearby/?lat=36.0871&lng=120.3751&radius=10000&amenities=wifi&junk=1").json()
    assert built == [["amenities"]]
    assert 0 < len(wifi) < len(everything)
    response = client.get("/api/stations/?level=9&kind=union")
    assert response.status_code == 400 and "level" in response.json()
    assert built[-1] == ["kind", "level"]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("lng=120", "lat"),
        ("lat=36", "lng"),
        ("lat=abc&lng=120", "lat"),
        ("lat=91&lng=120", "lat"),
        ("lat=-90.5&lng=120", "lat"),
        ("lat=36&lng=181", "lng"),
        ("lat=nan&lng=120", "lat"),
        ("lat=36&lng=inf", "lng"),
        ("lat=36&lng=120&radius=0", "radius"),
        ("lat=36&lng=120&radius=-5", "radius"),
        ("lat=36&lng=120&radius=50001", "radius"),
        ("lat=36&lng=120&limit=0", "limit"),
        ("lat=36&lng=120&limit=101", "limit"),
        ("lat=36&lng=120&limit=2.5", "limit"),
        ("lat=36&lng=120&amenities=sauna", "amenities"),
    ],
)
def test_bad_nearby_parameters_are_400_naming_the_parameter(client, stations, query, parameter):
    response = client.get(f"/api/stations/nearby/?{query}")
    assert response.status_code == 400
    assert parameter in response.json()


def test_geojson_is_an_rfc7946_feature_collection(client, stations):
    response = client.get("/api/stations.geojson")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/geo+json")
    import json

    body = json.loads(b"".join(response.streaming_content))
    assert body["type"] == "FeatureCollection"
    by_id = {feature["id"]: feature for feature in body["features"]}
    assert set(by_id) == {s.code for name, s in stations.items() if name != "delisted"}
    feature = by_id[stations["shinan"].code]
    assert feature["type"] == "Feature"
    # RFC 7946: [longitude, latitude].
    assert feature["geometry"] == {"type": "Point", "coordinates": [120.318, 36.065]}
    assert feature["properties"]["level"] == 3 and feature["properties"]["amenities"] == ["wifi"]


def test_geojson_takes_the_same_filters(client, stations):
    response = client.get("/api/stations.geojson?zoom=15&amenities=drinking-water")
    assert {f["id"] for f in response.json()["features"]} == {stations["always"].code, stations["office"].code}
    assert client.get("/api/stations.geojson?amenities=sauna").status_code == 400
    assert "zoom" in client.get("/api/stations.geojson?zoom=99").json()


def test_schema_and_docs(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    for path in ("/api/stations/", "/api/stations/nearby/", "/api/stations.geojson", "/api/stations/{code}/"):
        assert path in text
    assert "amenities" in text and "zoom" in text
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    page = docs.content.decode()
    # The UI comes from the app's own static files, not a CDN.
    assert "cdn.jsdelivr" not in page and "drf_spectacular_sidecar" in page


def test_anonymous_requests_are_throttled(client, stations, monkeypatch):
    cache.clear()
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    statuses = [client.get("/api/stations/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    cache.clear()


garbage = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30
) | st.from_regex(r"-?[0-9]{0,4}(\.[0-9]{0,8})?(e-?[0-9]{1,3})?", fullmatch=True)
PARAMS = ["lat", "lng", "radius", "limit", "bbox", "amenities", "open_now", "always_open", "level", "kind",
          "status", "city", "district", "q", "page", "page_size", "zoom"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(PARAMS), garbage, max_size=5), st.sampled_from(
    ["/api/stations/", "/api/stations/nearby/", "/api/stations.geojson", "/"]
))
def test_garbage_parameters_never_cause_a_server_error(client, stations, params, path):
    response = client.get(path, params)
    # The map page shows what was wrong instead of refusing the page.
    assert response.status_code in ((200,) if path == "/" else (200, 400)), (params, response.status_code)
