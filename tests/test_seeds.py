"""The demo seeds: counts, places, determinism, and loading them with seed_demo."""

import json
from collections import Counter
from decimal import Decimal
from itertools import combinations

import pytest
from django.core.management import call_command
from django.db.models import Max
from hypothesis import given
from hypothesis import strategies as st

from seeds import generate
from seeds.districts import DISTRICTS
from seeds.geometry import gcj02_to_wgs84, point_in_geometry, point_in_polygon, point_in_ring
from stations.geo import wgs84_to_gcj02
from stations.models import City, District, Station, StationPosition

SEEDS = generate.SEEDS_DIR
# The numbers README and seeds/README.md promise.
QINGDAO_COUNTS = {
    "shinan": 110, "shibei": 120, "licang": 75, "laoshan": 70, "huangdao": 130,
    "chengyang": 80, "jimo": 55, "jiaozhou": 45, "pingdu": 40, "laixi": 32,
}
XIANYANG_COUNTS = {
    "qindu": 40, "weicheng": 35, "yangling": 14, "xingping": 18, "binzhou": 12, "sanyuan": 15, "jingyang": 14,
    "qianxian": 12, "liquan": 11, "yongshou": 8, "changwu": 8, "xunyi": 9, "chunhua": 8, "wugong": 9,
}


def load(name):
    with open(SEEDS / name, encoding="utf-8") as handle:
        return json.load(handle)


@pytest.fixture(scope="module")
def districts():
    return {feature["properties"]["code"]: feature for feature in load("districts.geojson")["features"]}


@pytest.fixture(scope="module")
def stations():
    return {city: load(f"{city}.geojson")["features"] for city in ("qingdao", "xianyang")}


# --- Point in polygon -------------------------------------------------------------

SQUARE = [(0, 0), (10, 0), (10, 10), (0, 10)]
# A "U": the notch between x=4 and x=6 above y=3 is outside.
U_SHAPE = [(0, 0), (10, 0), (10, 10), (6, 10), (6, 3), (4, 3), (4, 10), (0, 10)]


@pytest.mark.parametrize("point, inside", [
    ((5, 5), True), ((0.5, 9.5), True), ((-1, 5), False), ((11, 5), False), ((5, -0.1), False), ((5, 10.1), False),
])
def test_point_in_square(point, inside):
    assert point_in_ring(*point, SQUARE) is inside


@pytest.mark.parametrize("point, inside", [((2, 8), True), ((8, 8), True), ((5, 8), False), ((5, 2), True)])
def test_point_in_concave_ring(point, inside):
    assert point_in_ring(*point, U_SHAPE) is inside


def test_a_hole_is_outside():
    hole = [(4, 4), (6, 4), (6, 6), (4, 6)]
    assert not point_in_polygon(5, 5, [SQUARE, hole])
    assert point_in_polygon(2, 2, [SQUARE, hole])


@given(st.floats(-20, 20), st.floats(-20, 20), st.floats(-5, 5), st.floats(-5, 5),
       st.floats(0.1, 10), st.floats(0.1, 10))
def test_point_in_rectangle_agrees_with_bounds(x, y, left, bottom, width, height):
    ring = [(left, bottom), (left + width, bottom), (left + width, bottom + height), (left, bottom + height)]
    on_edge = x in (left, left + width) or y in (bottom, bottom + height)
    if not on_edge:
        expected = left < x < left + width and bottom < y < bottom + height
        assert point_in_ring(x, y, ring) is expected


@given(st.floats(34.0, 37.5), st.floats(107.5, 121.0))
def test_gcj02_inverse_round_trips(lat, lng):
    back = wgs84_to_gcj02(*gcj02_to_wgs84(lat, lng))
    assert back == pytest.approx((lat, lng), abs=1e-8)


# --- The district polygons ----------------------------------------------------------

def _segments(ring):
    return [(ring[i], ring[i + 1]) for i in range(len(ring) - 1)]


def _cross(o, a, b):
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def _intersect(s, t):
    (p1, p2), (q1, q2) = s, t
    return (_cross(p1, p2, q1) * _cross(p1, p2, q2) < 0) and (_cross(q1, q2, p1) * _cross(q1, q2, p2) < 0)


def test_every_district_has_a_simple_closed_polygon(districts):
    assert set(districts) == set(QINGDAO_COUNTS) | set(XIANYANG_COUNTS)
    for code, feature in districts.items():
        ring = feature["geometry"]["coordinates"][0]
        assert ring[0] == ring[-1], code
        segments = _segments(ring)
        crossings = [(i, j) for i, j in combinations(range(len(segments)), 2)
                     if j - i > 1 and not (i == 0 and j == len(segments) - 1) and _intersect(segments[i], segments[j])]
        assert crossings == [], code


def test_district_polygons_do_not_overlap(districts):
    for (a, fa), (b, fb) in combinations(districts.items(), 2):
        for lng, lat in fa["geometry"]["coordinates"][0]:
            assert not point_in_geometry(lng, lat, fb["geometry"]), (a, b)


def test_polygons_are_the_hand_drawn_cores_in_wgs84(districts):
    """The committed WGS-84 rings are the GCJ-02 drafts of seeds/districts.py, shifted back."""
    for draft in DISTRICTS:
        ring = districts[draft["code"]]["geometry"]["coordinates"][0]
        assert len(ring) == len(draft["core"]) + 1
        for (lng, lat), (gcj_lng, gcj_lat) in zip(ring, draft["core"]):
            shifted_lat, shifted_lng = wgs84_to_gcj02(lat, lng)
            assert (shifted_lng, shifted_lat) == pytest.approx((gcj_lng, gcj_lat), abs=2e-6)
            # The GCJ-02 shift here is a few hundred metres, never nothing.
            assert abs(shifted_lng - lng) > 0.001


def test_districts_carry_names_codes_and_demo_chiefs(districts):
    for feature in districts.values():
        info = feature["properties"]
        assert info["demo"] is True
        assert info["name_zh"] and info["name_en"] and info["adcode"]
        assert "演示" in info["chief_name"]
        assert info["chief_email"].endswith("@demo.yizhan.example")


# --- The stations -------------------------------------------------------------------

def test_station_counts_per_city_and_district(stations):
    assert len(stations["qingdao"]) == 757
    assert len(stations["xianyang"]) == 213
    assert Counter(f["properties"]["district"] for f in stations["qingdao"]) == QINGDAO_COUNTS
    assert Counter(f["properties"]["district"] for f in stations["xianyang"]) == XIANYANG_COUNTS


def test_every_station_lies_in_its_own_district_and_no_other(stations, districts):
    for features in stations.values():
        for feature in features:
            lng, lat = feature["geometry"]["coordinates"]
            own = feature["properties"]["district"]
            inside = [code for code, district in districts.items() if point_in_geometry(lng, lat, district["geometry"])]
            assert inside == [own], feature["properties"]["code"]


def test_stations_cluster_near_the_district_centres(stations, districts):
    """Denser in town: stations are nearer a centre than points spread evenly over the core."""
    import random
    import statistics

    from stations.geo import haversine_m

    rng = random.Random(1)
    for draft in DISTRICTS:
        centres = [gcj02_to_wgs84(lat, lng) for lng, lat, _weight, _spread in draft["centres"]]
        ring = districts[draft["code"]]["geometry"]["coordinates"][0]
        lngs, lats = [p[0] for p in ring], [p[1] for p in ring]
        even = []
        while len(even) < 300:
            lng, lat = rng.uniform(min(lngs), max(lngs)), rng.uniform(min(lats), max(lats))
            if point_in_ring(lng, lat, ring):
                even.append((lng, lat))
        placed = [f["geometry"]["coordinates"] for fs in stations.values() for f in fs
                  if f["properties"]["district"] == draft["code"]]

        def nearest(point):
            return min(haversine_m(point[1], point[0], lat, lng) for lat, lng in centres)

        assert statistics.median(map(nearest, placed)) < statistics.median(map(nearest, even)), draft["code"]


def test_codes_are_unique_and_follow_the_pattern(stations):
    codes = [f["properties"]["code"] for features in stations.values() for f in features]
    assert len(codes) == len(set(codes))
    assert all(code.startswith(("QD-", "XY-")) for code in codes)


def test_twelve_movable_stations_at_west_coast_sites_each_moved(stations, districts):
    movable = [f for f in stations["qingdao"] if f["properties"]["kind"] == "movable"]
    assert len(movable) == 12
    assert not [f for f in stations["xianyang"] if f["properties"]["kind"] == "movable"]
    huangdao = districts["huangdao"]["geometry"]
    for feature in movable:
        info = feature["properties"]
        assert info["district"] == "huangdao"
        positions = info["positions"]
        assert len(positions) >= 2, info["code"]  # moved at least once
        assert [p["since"] for p in positions] == sorted(p["since"] for p in positions)
        assert [positions[-1]["longitude"], positions[-1]["latitude"]] == feature["geometry"]["coordinates"]
        for position in positions:
            assert point_in_geometry(position["longitude"], position["latitude"], huangdao)
    # Only movable stations have a history.
    assert all(not f["properties"]["positions"] for fs in stations.values() for f in fs
               if f["properties"]["kind"] != "movable")


def test_variety_of_kinds_partners_operators_levels_and_hours(stations):
    qingdao = [f["properties"] for f in stations["qingdao"]]
    xianyang = [f["properties"] for f in stations["xianyang"]]
    assert {p["partner_type"] for p in qingdao if p["kind"] == "partner"} >= {"bank", "hotel", "supermarket",
                                                                             "petrol", "post"}
    assert [p for p in xianyang if p["kind"] == "booth"]
    assert [p for p in xianyang if p["kind"] == "union" and "courier" in p["groups_served"] and "快递" in p["name"]]
    everyone = qingdao + xianyang
    property_run = [p for p in everyone if p["operator"] == "property"]
    assert property_run and all(p["operator_company"] for p in property_run)
    levels = Counter(p["level"] for p in everyone)
    assert levels["city"] > levels["provincial"] > levels["national"] > 0
    assert sum(p["hours"] == "24/7" for p in everyone) > len(everyone) / 3
    assert any("-06:00" in p["hours"] or "-08:00" in p["hours"] for p in everyone)  # overnight spans
    assert any(p["hours"] != "24/7" and "22:00" not in p["hours"] for p in everyone)  # daytime only


def test_demo_data_is_marked_and_contacts_are_fake(stations):
    for city in stations:
        document = load(f"{city}.geojson")
        assert document["demo"] is True and "DEMO DATA" in document["description"]
    for features in stations.values():
        for feature in features:
            info = feature["properties"]
            assert info["manager_email"].endswith("@demo.yizhan.example")
            assert info["manager_phone"].startswith("100-")  # no Chinese mobile number starts with 100


def test_generator_is_deterministic_and_wrote_the_committed_files(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    generate.main(first)
    generate.main(second)
    for name in ("districts.geojson", "qingdao.geojson", "xianyang.geojson"):
        assert (first / name).read_bytes() == (second / name).read_bytes()
        assert (first / name).read_bytes() == (SEEDS / name).read_bytes(), f"{name}: run seeds/generate.py"


# --- seed_demo ----------------------------------------------------------------------

def _snapshot():
    from ratings.models import Rating

    return {
        "cities": City.objects.count(), "districts": District.objects.count(),
        "stations": Station.objects.count(), "positions": StationPosition.objects.count(),
        "ratings": Rating.objects.count(), "last_update": Station.objects.aggregate(Max("updated_at")),
    }


@pytest.mark.django_db
def test_seed_demo_loads_everything_once():
    call_command("seed_demo", ratings=300)
    first = _snapshot()
    assert first["cities"] == 2 and first["districts"] == 24 and first["stations"] == 970
    assert first["ratings"] > 0
    assert Station.objects.filter(district__code="huangdao", kind="movable").count() == 12
    assert StationPosition.objects.filter(station__kind="movable").values("station").distinct().count() == 12
    shinan = District.objects.get(code="shinan")
    assert shinan.name_en == "Shinan" and shinan.chief_email == "chief.shinan@demo.yizhan.example"
    station = Station.objects.get(code="QD-SN-0001")
    assert station.opening_spans.exists()  # spans written with the station
    assert station.amenities.exists() and station.groups_served.exists()

    call_command("seed_demo", ratings=300)
    assert _snapshot() == first


@pytest.mark.django_db
def test_seed_demo_keeps_what_exists(make_station, shibei):
    """On a database that already has some of it, edits survive and the rest is added."""
    edited = make_station(code="QD-SB-0001", name="已改名的驿站", latitude=Decimal("36.100000"))
    call_command("seed_demo", ratings=0)
    edited.refresh_from_db()
    assert edited.name == "已改名的驿站"
    assert Station.objects.count() == 970
