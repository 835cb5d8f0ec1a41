"""The API's station JSON is built by plain functions (stations.api.representation);
the DRF serializers document the same shape. These tests hold the two to the
same bytes, and the views to a constant number of queries per page."""

from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from rest_framework.renderers import JSONRenderer

from ratings.models import RatingStats
from stations import selectors
from stations.api.representation import card_rows, nearby_list_data, station_list_data
from stations.api.serializers import NearbyStationSerializer, StationSerializer
from stations.models import Level, Station, Status

SHANGHAI = ZoneInfo("Asia/Shanghai")
SPLIT_SHIFT = {
    "mon": [["07:30", "11:00"], ["13:30", "19:00"]],
    "wed": [["22:00", "24:00"]],
    "thu": [["00:00", "06:00"]],
    "sat": [["10:00", "16:00"]],
}


@pytest.fixture
def variety(make_station, shinan):
    """Stations covering every branch of the representation."""
    made = [
        make_station(name="Always open, everything", amenities=["drinking-water", "wifi", "toilet"],
                     groups=["courier", "sanitation"], contact_phone="0532-8888-0001",
                     manager_name="王芳", manager_phone="13800000001"),
        make_station(name="Bank partner", kind="partner", partner_type="bank", level=Level.PROVINCIAL,
                     opening_hours={d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
                     amenities=["drinking-water"], latitude=Decimal("36.090001"), longitude=Decimal("120.380009")),
        make_station(name="Movable van", kind="movable", district=shinan, level=Level.NATIONAL,
                     opening_hours=SPLIT_SHIFT, groups=["courier"], address="青岛市市南区中山路 10 号"),
        make_station(name="Suspended booth", kind="booth", status=Status.SUSPENDED,
                     opening_hours={"sun": [["06:00", "22:00"]]}),
        make_station(name="“Quotes” & <tags>, 驿站", latitude=Decimal("-0.000001"), longitude=Decimal("0.100000")),
    ]
    # With stats: mixed scores; a stats row with no ratings; a UTC timestamp with microseconds.
    RatingStats.objects.create(station=made[0], total=7, count_5=3, count_4=2, count_3=1, count_1=1,
                               last_rated_at=datetime(2026, 3, 1, 12, 0, tzinfo=SHANGHAI))
    RatingStats.objects.create(station=made[1], total=0)
    RatingStats.objects.create(station=made[2], total=3, count_2=3,
                               last_rated_at=datetime(2026, 7, 4, 23, 59, 58, 123456, tzinfo=dt_timezone.utc))
    return made


def _request(path="/api/stations/"):
    return RequestFactory().get(path, secure=True)


def _page():
    return list(selectors.with_details(selectors.public_stations()).order_by("code"))


def _rows(stations):
    """The card rows of these stations, in their order."""
    rows = {row[0]: row for row in card_rows(Station.objects.filter(pk__in=[s.pk for s in stations]))}
    return [rows[station.pk] for station in stations]


def _with_distances(found):
    """Model instances for nearby() hits, as the documenting serializer reads them."""
    stations = selectors.with_details(selectors.public_stations()).in_bulk([hit.pk for hit in found])
    for hit in found:
        stations[hit.pk].distance_m = hit.distance_m
    return [stations[hit.pk] for hit in found]


def _render(data):
    return JSONRenderer().render(data)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_station_builder_gives_the_serializers_bytes(variety, language):
    request = _request()
    with translation.override(language):
        stations = _page()
        documented = StationSerializer(stations, many=True, context={"request": request}).data
        built = station_list_data(_rows(stations), request)
    assert len(built) == len(variety)
    assert _render(built) == _render(documented)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_nearby_builder_gives_the_serializers_bytes(variety, language):
    request = _request("/api/stations/nearby/")
    with translation.override(language):
        found = selectors.nearby(selectors.public_stations(), lat=36.087, lng=120.375, radius_m=50000, limit=50)
        documented = NearbyStationSerializer(_with_distances(found), many=True, context={"request": request}).data
        built = nearby_list_data(found, request)
    assert [row["distance_m"] for row in built] == sorted(row["distance_m"] for row in built)
    assert _render(built) == _render(documented)


def test_builder_without_a_request_gives_relative_urls_like_the_serializer(variety):
    stations = _page()
    assert _render(station_list_data(_rows(stations), None)) == _render(StationSerializer(stations, many=True).data)
    assert station_list_data(_rows(stations), None)[0]["url"] == f"/stations/{stations[0].code}/"


def test_builder_diverges_when_the_data_does(variety):
    """The comparison can fail: a field the serializer reads differently shows up."""
    request = _request()
    stations = _page()
    built = station_list_data(_rows(stations), request)
    stations[0].manager_name = "changed after building"
    assert _render(built) != _render(StationSerializer(stations, many=True, context={"request": request}).data)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_views_answer_with_the_documented_bytes(client, variety, language):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    with translation.override(language):
        response = client.get("/api/stations/")
        request = response.wsgi_request
        stations = _page()
        documented = StationSerializer(stations, many=True, context={"request": request}).data
        envelope = {"count": len(stations), "next": None, "previous": None, "results": documented}
        assert response.content == _render(envelope)

        detail = client.get(f"/api/stations/{stations[2].code}/")
        assert detail.content == _render(
            StationSerializer(stations[2], context={"request": detail.wsgi_request}).data
        )

        nearby = client.get("/api/stations/nearby/?lat=36.087&lng=120.375&radius=50000&limit=50")
        found = selectors.nearby(selectors.public_stations(), lat=36.087, lng=120.375, radius_m=50000, limit=50)
        assert nearby.content == _render(
            NearbyStationSerializer(_with_distances(found), many=True, context={"request": nearby.wsgi_request}).data
        )


def _queries(client, path):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_queries_per_page_do_not_grow_with_the_stations(client, make_station, django_assert_max_num_queries):
    first = make_station(amenities=["wifi"], groups=["courier"])
    RatingStats.objects.create(station=first, total=1, count_5=1, last_rated_at=datetime(2026, 1, 1, tzinfo=SHANGHAI))
    paths = ["/api/stations/", "/api/stations/nearby/?lat=36.087&lng=120.375&radius=2000&limit=50",
             f"/api/stations/{first.code}/"]
    few = {path: _queries(client, path) for path in paths}
    for index in range(30):
        station = make_station(amenities=["wifi", "toilet"], groups=["courier"],
                               latitude=Decimal("36.087000") + Decimal(index) / 100000)
        RatingStats.objects.create(station=station, total=2, count_4=2,
                                   last_rated_at=datetime(2026, 1, 1, tzinfo=SHANGHAI) + timedelta(hours=index))
    many = {path: _queries(client, path) for path in paths}
    assert many == few
    # list: count, page, amenities, groups; nearby: one candidate query per
    # search circle, then rows, amenities, groups; detail: rows, amenities, groups.
    with django_assert_max_num_queries(4):
        assert len(client.get(paths[0]).json()["results"]) == 31
    circles = len([step for step in selectors.NEARBY_STEPS_M if step < 2000]) + 1
    with django_assert_max_num_queries(circles + 3):
        assert len(client.get(paths[1]).json()) == 31
    with django_assert_max_num_queries(3):
        client.get(paths[2])
