"""Distances and coordinate transforms, checked against published values."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stations import geo

# Reference values published by two widely used open-source libraries:
# - googollee/eviltransform, python/test.py (TESTS: wgsLat, wgsLng, gcjLat, gcjLng),
#   asserted there to 6 decimal places;
# - hujiulong/gcoord, test/unit/crs/WGS84.spec.ts and GCJ02.spec.ts
#   ([lng, lat] = [123, 45]), asserted there to 5 decimal places.
EVILTRANSFORM_WGS_TO_GCJ = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # Shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # Shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # Beijing
]


@pytest.mark.parametrize(("lat", "lng", "gcj_lat", "gcj_lng"), EVILTRANSFORM_WGS_TO_GCJ)
def test_wgs84_to_gcj02_matches_eviltransform(lat, lng, gcj_lat, gcj_lng):
    got_lat, got_lng = geo.wgs84_to_gcj02(lat, lng)
    assert got_lat == pytest.approx(gcj_lat, abs=1e-6)
    assert got_lng == pytest.approx(gcj_lng, abs=1e-6)


def test_wgs84_to_gcj02_matches_gcoord():
    lat, lng = geo.wgs84_to_gcj02(45, 123)
    assert lng == pytest.approx(123.00607541, abs=1e-5)
    assert lat == pytest.approx(45.00197815, abs=1e-5)


def test_gcj02_to_bd09_matches_gcoord():
    lat, lng = geo.gcj02_to_bd09(45, 123)
    assert lng == pytest.approx(123.00636499, abs=1e-5)
    assert lat == pytest.approx(45.00636899, abs=1e-5)


def test_wgs84_to_bd09_matches_gcoord():
    lat, lng = geo.wgs84_to_bd09(45, 123)
    assert lng == pytest.approx(123.0124491, abs=1e-5)
    assert lat == pytest.approx(45.0083293, abs=1e-5)


@pytest.mark.parametrize(
    ("lat", "lng"),
    [(45, 183), (51.5074, -0.1278), (1.3521, 103.8198 - 40), (60.0, 120.0), (-33.87, 151.21)],
)
def test_points_outside_china_are_not_shifted(lat, lng):
    assert geo.wgs84_to_gcj02(lat, lng) == (lat, lng)


def test_gcj02_shift_in_qingdao_is_a_few_hundred_metres():
    # The shift is what puts markers on the right street on Amap tiles.
    lat, lng = 36.0671, 120.3826
    shifted = geo.wgs84_to_gcj02(lat, lng)
    assert 100 < geo.haversine_m(lat, lng, *shifted) < 1000


def test_haversine_rosetta_code_reference():
    # Rosetta Code "Haversine formula": Nashville BNA to Los Angeles LAX with
    # R = 6372.8 km is 2887.2599506071106 km.
    distance = geo.haversine_m(36.12, -86.67, 33.94, -118.40, radius=6_372_800)
    assert distance == pytest.approx(2_887_259.9506071106, abs=1e-3)


def test_haversine_one_degree_of_latitude():
    assert geo.haversine_m(0, 0, 1, 0) == pytest.approx(math.radians(1) * geo.EARTH_RADIUS_M)


def test_haversine_antipodes_do_not_crash():
    assert geo.haversine_m(0, 0, 0, 180) == pytest.approx(math.pi * geo.EARTH_RADIUS_M)


latitudes = st.floats(min_value=-89.9, max_value=89.9)
longitudes = st.floats(min_value=-180, max_value=180)
radii = st.floats(min_value=1, max_value=2_000_000)
bearings = st.floats(min_value=0, max_value=360)
fractions = st.floats(min_value=0, max_value=0.999)


def destination(lat, lng, distance_m, bearing_deg):
    """Point reached from (lat, lng) after distance_m along the bearing."""
    delta = distance_m / geo.EARTH_RADIUS_M
    theta = math.radians(bearing_deg)
    phi1, lambda1 = math.radians(lat), math.radians(lng)
    phi2 = math.asin(math.sin(phi1) * math.cos(delta) + math.cos(phi1) * math.sin(delta) * math.cos(theta))
    lambda2 = lambda1 + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(phi1), math.cos(delta) - math.sin(phi1) * math.sin(phi2)
    )
    lng2 = (math.degrees(lambda2) + 540) % 360 - 180
    return math.degrees(phi2), lng2


def in_box(box, lat, lng):
    min_lat, max_lat, lng_ranges = box
    return min_lat <= lat <= max_lat and any(west <= lng <= east for west, east in lng_ranges)


@given(latitudes, longitudes, radii, bearings, fractions)
def test_bounding_box_contains_every_point_within_the_radius(lat, lng, radius, bearing, fraction):
    point = destination(lat, lng, radius * fraction, bearing)
    assert in_box(geo.bounding_box(lat, lng, radius), *point)


def test_bounding_box_splits_at_the_antimeridian():
    min_lat, max_lat, ranges = geo.bounding_box(0, 179.99, 5000)
    assert len(ranges) == 2
    assert ranges[1][0] == -180 and ranges[1][1] < -179.9
    assert in_box((min_lat, max_lat, ranges), 0, -179.99)


def test_bounding_box_near_a_pole_covers_all_longitudes():
    min_lat, max_lat, ranges = geo.bounding_box(89.99, 10, 5000)
    assert max_lat == 90 and ranges == [(-180.0, 180.0)]


def test_bounding_box_is_tight_for_a_city_radius():
    min_lat, max_lat, [(west, east)] = geo.bounding_box(36.0, 120.0, 10_000)
    assert max_lat - min_lat == pytest.approx(2 * 10_000 / 111_195, rel=1e-3)
    # Longitude degrees are shorter by cos(latitude).
    assert east - west == pytest.approx((max_lat - min_lat) / math.cos(math.radians(36)), rel=1e-2)
