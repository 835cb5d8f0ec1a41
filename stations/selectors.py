"""Reads of the public station registry: what the map, the station page and
the API show. Filtering goes through stations.filters.StationFilter."""

import heapq
import math
from typing import NamedTuple

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Avg, Count, FloatField, Func, IntegerField
from django.db.models.functions import Cast
from django.http import Http404

from . import geo
from .filters import within_box
from .models import Station

# Nearby search limits (documented in the API schema).
MAX_RADIUS_M = 50_000
DEFAULT_RADIUS_M = 5_000
DEFAULT_LIMIT = 20
# The growing circles nearby() tries before the full radius.
NEARBY_STEPS_M = (1_000, 5_000, 20_000)
MAX_LIMIT = 100

# Server-side grid clustering for the map (documented in the API schema).
# At zoom <= CLUSTER_MAX_ZOOM the GeoJSON feed returns one feature per grid
# cell; a cell is about CLUSTER_CELL_PX screen pixels wide at that zoom, so a
# phone screen holds a few dozen clusters and a desktop a few hundred,
# however many stations there are. Above that zoom single stations come back,
# unless the view holds more than MAX_POINT_FEATURES of them (then clusters
# again): the payload stays small at every zoom.
CLUSTER_MAX_ZOOM = 10
CLUSTER_CELL_PX = 60
# A view asking for more cells than this (a huge box at a close zoom) gets
# cells doubled in size until it fits: the answer stays bounded.
MAX_GRID_CELLS = 1500
MAX_POINT_FEATURES = 300
MIN_ZOOM, MAX_ZOOM = 0, 20


def _has_rating_stats():
    # The ratings app adds the reverse one-to-one `rating_stats`; until then
    # (and for stations without a stats row) a station simply has no ratings.
    try:
        Station._meta.get_field("rating_stats")
    except Exception:
        return False
    return True


def public_stations():
    """Active and suspended stations, with what every public view shows."""
    queryset = Station.objects.public().select_related("district__city")
    if _has_rating_stats():
        queryset = queryset.select_related("rating_stats")
    return queryset


def with_details(queryset):
    """Prefetch what a station card shows (amenities, groups). Whether a
    station is open is asked per row with Station.is_open(): pages and feeds
    hold at most a few hundred rows, and PostgreSQL plans an open-now
    EXISTS annotation as a scan of every opening span."""
    return queryset.prefetch_related("amenities", "groups_served")


def station_for_page(code):
    """The public station with this code, or 404 (delisted ones included)."""
    try:
        return with_details(public_stations()).get(code=code)
    except Station.DoesNotExist:
        raise Http404("No public station with this code.") from None


def rating_summary(station):
    """Number of ratings, share satisfied and when last rated (no stats row ⇒ none)."""
    try:
        stats = station.rating_stats
    except (AttributeError, ObjectDoesNotExist):
        stats = None
    if stats is None or not stats.total:
        return {"total": 0, "satisfaction_rate": None, "last_rated_at": None}
    rate = stats.satisfaction_rate
    return {
        "total": stats.total,
        "satisfaction_rate": None if rate is None else round(float(rate), 4),
        "last_rated_at": stats.last_rated_at,
    }


class Nearby(NamedTuple):
    """One nearby() hit: the exact distance, then the code that breaks ties."""

    distance_m: float
    code: str
    pk: int


def nearby(queryset, *, lat, lng, radius_m=DEFAULT_RADIUS_M, limit=DEFAULT_LIMIT):
    """Stations of `queryset` within radius_m of (lat, lng), nearest first,
    as Nearby(distance_m, code, pk) tuples.

    A bounding box on the indexed (latitude, longitude) columns narrows the
    candidates in the database; the exact great-circle distance is then
    computed here for those rows only, so SQLite and PostgreSQL give the same
    answer to the last bit. Ties (same distance) go by station code. Only
    keys come back: the caller fetches what it shows for just these stations
    (stations.api.representation).
    """
    # Search growing circles: in a dense city the first, small one already
    # holds `limit` stations, and then they are the nearest of all (anything
    # else is farther than that circle's radius).
    for step in [*(r for r in NEARBY_STEPS_M if r < radius_m), radius_m]:
        hits = _within(queryset, lat, lng, step)
        if len(hits) >= limit:
            break
    return [Nearby(*hit) for hit in heapq.nsmallest(limit, hits)]


class GridIndex(Func):
    """floor((value + offset) / size) as an integer, for a value + offset >= 0.

    SQLite's FLOOR is a Python callback in Django (slow over 200,000 rows);
    CAST AS INTEGER truncates, which is the floor for non-negative numbers.
    """

    output_field = IntegerField()
    arity = 1

    def __init__(self, expression, *, offset, size):
        super().__init__(Cast(expression, FloatField()))
        self.offset, self.size = float(offset), float(size)

    def as_sql(self, compiler, connection, **extra):
        template = f"FLOOR((%(expressions)s + {self.offset!r}) / {self.size!r})"
        return super().as_sql(compiler, connection, template=template, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        template = f"CAST((%(expressions)s + {self.offset!r}) / {self.size!r} AS INTEGER)"
        return super().as_sql(compiler, connection, template=template, **extra)


def _within(queryset, lat, lng, radius_m):
    """(distance, code, pk) of every station of queryset within radius_m."""
    min_lat, max_lat, lng_ranges = geo.bounding_box(lat, lng, radius_m)
    candidates = (
        queryset.filter(within_box(min_lat, max_lat, lng_ranges))
        .order_by()
        .values_list("pk", "code", "latitude", "longitude")
    )
    hits = []
    # Through Decimal (as stored, 6 places) to float: correctly rounded on
    # every database, where SQLite's own CAST AS REAL may differ in the last bit.
    for pk, code, station_lat, station_lng in candidates.iterator(chunk_size=2000):
        distance = geo.haversine_m(lat, lng, float(station_lat), float(station_lng))
        if distance <= radius_m:
            hits.append((distance, code, pk))
    return hits


def cell_size(zoom, latitude=0.0):
    """Grid cell (lat_deg, lng_deg) for a zoom level: CLUSTER_CELL_PX pixels
    of a 256-pixel Web Mercator tile, made about square on screen for the
    latitude (rounded to 5 degrees, so panning keeps the same grid)."""
    lng_deg = CLUSTER_CELL_PX * 360.0 / (256 * 2**zoom)
    latitude = 5 * round(latitude / 5)
    lat_deg = lng_deg * max(0.2, math.cos(math.radians(latitude)))
    return lat_deg, lng_deg


def grid_for(zoom, bbox):
    """The cell size for a view: cell_size(), doubled while the box would
    hold more than MAX_GRID_CELLS cells."""
    min_lng, min_lat, max_lng, max_lat = bbox
    lat_deg, lng_deg = cell_size(zoom, (min_lat + max_lat) / 2)
    while ((max_lng - min_lng) / lng_deg + 1) * ((max_lat - min_lat) / lat_deg + 1) > MAX_GRID_CELLS:
        lat_deg, lng_deg = lat_deg * 2, lng_deg * 2
    return lat_deg, lng_deg


def snap_to_grid(bbox, cell):
    """Grow a (min_lng, min_lat, max_lng, max_lat) box to whole grid cells:
    edge cells are counted whole, and nearby views share a cache entry."""
    lat_deg, lng_deg = cell
    min_lng, min_lat, max_lng, max_lat = bbox
    snap_down = lambda value, size, offset: math.floor((value + offset) / size) * size - offset  # noqa: E731
    snap_up = lambda value, size, offset: math.ceil((value + offset) / size) * size - offset  # noqa: E731
    return (
        max(-180.0, snap_down(min_lng, lng_deg, 180)),
        max(-90.0, snap_down(min_lat, lat_deg, 90)),
        min(180.0, snap_up(max_lng, lng_deg, 180)),
        min(90.0, snap_up(max_lat, lat_deg, 90)),
    )


def grid_clusters(queryset, *, cell):
    """Count stations per grid cell in SQL (GROUP BY on the cell indexes).

    Returns dicts with `count` and the mean position of the cell's stations,
    so a cluster sits where its stations are, not on a grid corner.
    """
    lat_deg, lng_deg = cell
    rows = (
        queryset.order_by()
        .annotate(
            cell_y=GridIndex("latitude", offset=90, size=lat_deg),
            cell_x=GridIndex("longitude", offset=180, size=lng_deg),
        )
        .values("cell_y", "cell_x")
        .annotate(
            count=Count("pk"),
            lat=Avg(Cast("latitude", FloatField())),
            lng=Avg(Cast("longitude", FloatField())),
        )
        .order_by("cell_y", "cell_x")
    )
    return [{"count": row["count"], "lat": round(row["lat"], 5), "lng": round(row["lng"], 5)} for row in rows]
