"""Nearby search: bounding-box prefilter plus exact haversine, versus brute force."""

import math
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stations import geo, selectors
from stations.models import Station

Q6 = Decimal("0.000001")


def as_decimal(value):
    return Decimal(repr(value)).quantize(Q6)


def brute_force(stations, lat, lng, radius, limit):
    """Every station's exact distance, no prefilter: the reference answer."""
    hits = []
    for station in stations:
        distance = geo.haversine_m(lat, lng, float(station.latitude), float(station.longitude))
        if distance <= radius:
            hits.append((distance, station.code))
    return sorted(hits)[:limit]


def offset(lat, lng, distance_m, bearing_deg):
    """The point distance_m away along a bearing (spherical destination formula)."""
    delta = distance_m / geo.EARTH_RADIUS_M
    theta = math.radians(bearing_deg)
    phi1, lambda1 = math.radians(lat), math.radians(lng)
    phi2 = math.asin(math.sin(phi1) * math.cos(delta) + math.cos(phi1) * math.sin(delta) * math.cos(theta))
    lambda2 = lambda1 + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(phi1), math.cos(delta) - math.sin(phi1) * math.sin(phi2)
    )
    return math.degrees(phi2), (math.degrees(lambda2) + 540) % 360 - 180


centre_strategy = st.tuples(
    st.floats(min_value=18, max_value=53),  # mainland China's latitudes
    st.floats(min_value=74, max_value=134),
)
# Points placed relative to the search centre: a dense cluster a few metres
# across, points spread over the radius, and points within a metre of its edge.
relative_points = st.lists(
    st.one_of(
        st.tuples(st.floats(min_value=0, max_value=30), st.floats(0, 360), st.just("cluster")),
        st.tuples(st.floats(min_value=0, max_value=1.5), st.floats(0, 360), st.just("spread")),
        st.tuples(st.floats(min_value=-1.0, max_value=1.0), st.floats(0, 360), st.just("edge")),
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    centre=centre_strategy,
    points=relative_points,
    # Radii around the growing circles' steps, where an early stop could go wrong.
    radius=st.floats(min_value=50, max_value=selectors.MAX_RADIUS_M) | st.sampled_from(
        [step * factor for step in selectors.NEARBY_STEPS_M for factor in (0.999, 1.0, 1.001)]
    ),
    limit=st.integers(min_value=1, max_value=30),
)
def test_nearby_matches_brute_force(make_station, centre, points, radius, limit):
    Station.objects.all().delete()
    lat, lng = centre
    for index, (amount, bearing, kind) in enumerate(points):
        if kind == "cluster":
            distance = amount
        elif kind == "spread":
            distance = amount * radius
        else:
            distance = max(0.0, radius + amount)
        point_lat, point_lng = offset(lat, lng, distance, bearing)
        make_station(code=f"P-{index:04d}", latitude=as_decimal(point_lat), longitude=as_decimal(point_lng))
    stations = list(Station.objects.all())

    found = selectors.nearby(selectors.public_stations(), lat=lat, lng=lng, radius_m=radius, limit=limit)

    assert [(s.distance_m, s.code) for s in found] == brute_force(stations, lat, lng, radius, limit)


def test_nearby_across_the_antimeridian(make_station):
    east = make_station(code="EAST", latitude=Decimal("0"), longitude=Decimal("179.999"))
    west = make_station(code="WEST", latitude=Decimal("0"), longitude=Decimal("-179.999"))
    make_station(code="FAR", latitude=Decimal("0"), longitude=Decimal("179.5"))
    found = selectors.nearby(selectors.public_stations(), lat=0, lng=180, radius_m=1000)
    assert {s.code for s in found} == {east.code, west.code}


def test_nearby_close_to_the_pole_does_not_crash(make_station):
    make_station(code="POLE", latitude=Decimal("89.999"), longitude=Decimal("-120"))
    found = selectors.nearby(selectors.public_stations(), lat=89.9995, lng=60, radius_m=5000)
    assert [s.code for s in found] == ["POLE"]


def test_nearby_ties_go_by_code(make_station):
    for code in ("TIE-B", "TIE-A", "TIE-C"):
        make_station(code=code)
    found = selectors.nearby(selectors.public_stations(), lat=36.087, lng=120.375, radius_m=100, limit=2)
    assert [s.code for s in found] == ["TIE-A", "TIE-B"]


def test_nearby_excludes_delisted(make_station):
    make_station(code="GONE", status="delisted")
    assert selectors.nearby(selectors.public_stations(), lat=36.087, lng=120.375, radius_m=100) == []


@pytest.mark.parametrize("radius", [1, 10, 100])
def test_station_just_outside_the_radius_is_left_out(make_station, radius):
    lat, lng = 36.0, 120.0
    inside_lat, inside_lng = offset(lat, lng, radius * 0.99, 45)
    outside_lat, outside_lng = offset(lat, lng, radius * 1.01 + 0.2, 45)
    make_station(code="IN", latitude=as_decimal(inside_lat), longitude=as_decimal(inside_lng))
    make_station(code="OUT", latitude=as_decimal(outside_lat), longitude=as_decimal(outside_lng))
    found = selectors.nearby(selectors.public_stations(), lat=lat, lng=lng, radius_m=radius)
    assert [s.code for s in found] == ["IN"]
