"""Server-side grid clustering behind the map's GeoJSON feed."""

import itertools
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import override_settings

from stations import selectors
from stations.models import Station

CHINA_BBOX = "73,18,135,54"


@pytest.fixture
def many_stations(make_station, shinan):
    """Two dense groups (Qingdao Shibei and Shinan) of 30 stations each, one
    lone station far away in Beijing, one delisted in Shibei."""
    station = make_station()
    template = {field: getattr(station, field) for field in ("address", "opening_hours")}
    rows = []
    groups = [(36.087, 120.375, station.district_id), (36.065, 120.318, shinan.id)]
    for index, (base_lat, base_lng, district_id) in itertools.product(range(30), groups):
        rows.append(Station(
            district_id=district_id,
            code=f"GRID-{base_lng}-{index:03d}",
            name=f"Station {index}",
            latitude=Decimal(str(round(base_lat + index * 0.0003, 6))),
            longitude=Decimal(str(round(base_lng + index * 0.0002, 6))),
            **template,
        ))
    Station.objects.bulk_create(rows)
    station.delete()
    make_station(code="BJ-0001", latitude=Decimal("39.9087"), longitude=Decimal("116.3975"))
    make_station(code="GONE", status="delisted")
    return rows


def features(client, query):
    response = client.get(f"/api/stations.geojson?{query}")
    assert response.status_code == 200, response.content
    return response.json()


def test_country_zoom_returns_clusters_with_counts(client, many_stations):
    body = features(client, f"zoom=4&bbox={CHINA_BBOX}")
    assert body["clustered"] is True
    counts = sorted(f["properties"]["count"] for f in body["features"])
    # At zoom 4 a cell is about 5 degrees: Qingdao is one cluster, Beijing another.
    assert counts == [1, 60]
    assert all(f["properties"]["cluster"] is True for f in body["features"])
    assert sum(counts) == Station.objects.public().count()


def test_cluster_sits_at_the_mean_position_of_its_stations(client, many_stations):
    body = features(client, f"zoom=4&bbox={CHINA_BBOX}")
    big = max(body["features"], key=lambda f: f["properties"]["count"])
    lng, lat = big["geometry"]["coordinates"]
    expected_lat = sum(float(s.latitude) for s in many_stations) / len(many_stations)
    expected_lng = sum(float(s.longitude) for s in many_stations) / len(many_stations)
    assert lat == pytest.approx(expected_lat, abs=1e-4) and lng == pytest.approx(expected_lng, abs=1e-4)


def test_city_zoom_splits_the_districts(client, many_stations):
    body = features(client, "zoom=10&bbox=120.2,35.9,120.6,36.3")
    assert body["clustered"] is True
    assert sorted(f["properties"]["count"] for f in body["features"]) == [30, 30]


def test_street_zoom_returns_single_stations(client, many_stations):
    body = features(client, "zoom=16&bbox=120.37,36.08,120.39,36.10")
    assert body["clustered"] is False
    assert len(body["features"]) == 30
    assert all(f["id"].startswith("GRID-120.375") for f in body["features"])
    assert "count" not in body["features"][0]["properties"]


def test_too_many_stations_in_view_fall_back_to_clusters(client, many_stations, monkeypatch):
    monkeypatch.setattr(selectors, "MAX_POINT_FEATURES", 40)
    body = features(client, "zoom=14&bbox=120.2,35.9,120.6,36.3")
    assert body["clustered"] is True
    assert sum(f["properties"]["count"] for f in body["features"]) == 60


def test_clusters_respect_the_filters(client, many_stations):
    body = features(client, f"zoom=4&bbox={CHINA_BBOX}&district=shinan")
    assert [f["properties"]["count"] for f in body["features"]] == [30]


def test_cell_size_shrinks_as_the_map_zooms_in():
    sizes = [selectors.cell_size(zoom, 36)[1] for zoom in range(0, 12)]
    assert all(a == pytest.approx(2 * b) for a, b in itertools.pairwise(sizes))
    lat_deg, lng_deg = selectors.cell_size(8, 60)
    assert lat_deg == pytest.approx(lng_deg / 2)


def test_edge_cells_are_counted_whole(client, many_stations):
    # A box that cuts through the Shibei group still counts all its 30
    # stations: the box is grown to whole grid cells.
    body = features(client, "zoom=10&bbox=120.38,36.09,120.6,36.3")
    assert sorted(f["properties"]["count"] for f in body["features"]) == [30]


def test_snap_to_grid_grows_the_box_to_whole_cells():
    cell = selectors.cell_size(6, 36)
    snapped = selectors.snap_to_grid((120.3, 36.0, 120.5, 36.1), cell)
    assert snapped[0] <= 120.3 and snapped[1] <= 36.0 and snapped[2] >= 120.5 and snapped[3] >= 36.1
    for value, size, offset in zip(snapped, [cell[1], cell[0]] * 2, [180, 90] * 2):
        assert (value + offset) / size == pytest.approx(round((value + offset) / size))
    assert selectors.snap_to_grid((-180, -90, 180, 90), cell) == (-180, -90, 180, 90)


@override_settings(MAP_CLUSTER_CACHE_SECONDS=60)
def test_cluster_answers_are_cached_for_a_while(client, many_stations, make_station):
    cache.clear()
    first = features(client, "zoom=4&bbox=74,19,134,53")
    make_station(code="BJ-0002", latitude=Decimal("39.91"), longitude=Decimal("116.40"))
    # A slightly different view in the same grid cells reuses the answer.
    again = features(client, "zoom=4&bbox=74.5,19.5,133.5,52.9")
    assert again["features"] == first["features"]
    cache.clear()
    fresh = features(client, f"zoom=4&bbox={CHINA_BBOX}")
    assert sum(f["properties"]["count"] for f in fresh["features"]) == 62


def test_country_view_stays_small_however_many_stations(client, make_station):
    """Stations spread over all of China: at country zoom the feed's size is
    bounded by the grid (cells on screen), not by the number of stations."""
    import random

    station = make_station()
    rng = random.Random(7)
    Station.objects.bulk_create(
        Station(
            code=f"SPREAD-{index:05d}", name=f"Station {index}", district_id=station.district_id,
            address=station.address, opening_hours=station.opening_hours,
            latitude=Decimal(f"{rng.uniform(20, 50):.6f}"), longitude=Decimal(f"{rng.uniform(75, 133):.6f}"),
        )
        for index in range(5000)
    )
    # Real screens: a phone at zoom 4, a desktop at zoom 5.
    for zoom, bbox in ((4, CHINA_BBOX), (5, "60,10,150,55")):
        response = client.get(f"/api/stations.geojson?zoom={zoom}&bbox={bbox}")
        body = response.json()
        assert body["clustered"] is True
        assert sum(f["properties"]["count"] for f in body["features"]) == 5001
        assert len(response.content) < 50_000, (zoom, len(response.content))


def test_a_huge_box_at_a_close_zoom_is_answered_with_bounded_cells(client, many_stations):
    body = features(client, "zoom=10&bbox=-180,-85,180,85")
    assert body["clustered"] is True
    lng_deg, lat_deg = body["cell_deg"]
    assert (360 / lng_deg + 1) * (170 / lat_deg + 1) <= selectors.MAX_GRID_CELLS * 4
    assert sum(f["properties"]["count"] for f in body["features"]) == 61
