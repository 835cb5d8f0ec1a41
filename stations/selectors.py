"""Reads of the public station registry: what the map, the station page and
the API show. Filtering goes through stations.filters.StationFilter."""

import heapq
import math

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Avg, Count, Exists, FloatField, OuterRef
from django.db.models.functions import Cast, Floor
from django.http import Http404

from . import geo
from .filters import within_box
from .models import Station

# Nearby search limits (documented in the API schema).
MAX_RADIUS_M = 50_000
DEFAULT_RADIUS_M = 5_000
DEFAULT_LIMIT = 20
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
MAX_POINT_FEATURES = 500
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


def with_details(queryset, moment=None):
    """Add what a station card needs: amenities, groups and `open_now` (one
    EXISTS per row, answered by the OpeningSpan index)."""
    open_now = Station.objects.open_at(moment).filter(pk=OuterRef("pk"))
    return queryset.prefetch_related("amenities", "groups_served").annotate(open_now=Exists(open_now))


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


def nearby(queryset, *, lat, lng, radius_m=DEFAULT_RADIUS_M, limit=DEFAULT_LIMIT):
    """Stations of `queryset` within radius_m of (lat, lng), nearest first.

    A bounding box on the indexed (latitude, longitude) columns narrows the
    candidates in the database; the exact great-circle distance is then
    computed here for those rows only, so SQLite and PostgreSQL give the same
    answer to the last bit. Ties (same distance) go by station code. Each
    returned station carries `distance_m`.
    """
    min_lat, max_lat, lng_ranges = geo.bounding_box(lat, lng, radius_m)
    candidates = (
        queryset.filter(within_box(min_lat, max_lat, lng_ranges))
        .order_by()
        .values_list("pk", "code", "latitude", "longitude")
    )
    hits = []
    for pk, code, station_lat, station_lng in candidates.iterator(chunk_size=2000):
        distance = geo.haversine_m(lat, lng, float(station_lat), float(station_lng))
        if distance <= radius_m:
            hits.append((distance, code, pk))
    nearest = heapq.nsmallest(limit, hits)
    stations = queryset.in_bulk([pk for _, _, pk in nearest])
    result = []
    for distance, _, pk in nearest:
        station = stations[pk]
        station.distance_m = distance
        result.append(station)
    return result


def cell_size(zoom, latitude=0.0):
    """Grid cell (lat_deg, lng_deg) for a zoom level: CLUSTER_CELL_PX pixels
    of a 256-pixel Web Mercator tile, squared up for the latitude."""
    lng_deg = CLUSTER_CELL_PX * 360.0 / (256 * 2**zoom)
    lat_deg = lng_deg * max(0.2, math.cos(math.radians(latitude)))
    return lat_deg, lng_deg


def grid_clusters(queryset, *, zoom, bbox=None):
    """Count stations per grid cell in SQL (GROUP BY on floor(coord / cell)).

    Returns dicts with `count` and the mean position of the cell's stations
    (so a cluster sits where its stations are, not on a grid corner), plus
    the cell size used.
    """
    centre_lat = (bbox[1] + bbox[3]) / 2 if bbox else 0.0
    lat_deg, lng_deg = cell_size(zoom, centre_lat)
    latitude = Cast("latitude", FloatField())
    longitude = Cast("longitude", FloatField())
    rows = (
        queryset.order_by()
        .annotate(cell_y=Floor(latitude / lat_deg), cell_x=Floor(longitude / lng_deg))
        .values("cell_y", "cell_x")
        .annotate(count=Count("pk"), lat=Avg(latitude), lng=Avg(longitude))
        .order_by("cell_y", "cell_x")
    )
    clusters = [
        {"count": row["count"], "lat": round(row["lat"], 5), "lng": round(row["lng"], 5)} for row in rows
    ]
    return clusters, (lat_deg, lng_deg)
