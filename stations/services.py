"""Writes to the station registry that carry a rule (called by the admin and imports)."""

from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from .models import Station, StationPosition
from .models.station import Kind

COORDINATE_STEP = Decimal("0.000001")


def round_coordinate(value):
    """A latitude or longitude rounded to the 6 decimals stored (about 0.1 m)."""
    return Decimal(str(value)).quantize(COORDINATE_STEP, rounding=ROUND_HALF_UP)


@transaction.atomic
def station_move(*, station, latitude, longitude, address=None, moved_at=None, note=""):
    """Put a saved station at a new point; a movable station keeps where it stood.

    Compares with the point stored in the database (not with `station`'s
    attributes, which a form may already have overwritten). For a movable
    station the old point is recorded in its position history first (once,
    when the history is still empty, dated from the station's creation), then
    the new point from `moved_at`: the newest StationPosition is always the
    current one. Other kinds simply get new coordinates.

    Returns True when the station moved. Updates `station` in memory too.
    """
    latitude, longitude = round_coordinate(latitude), round_coordinate(longitude)
    stored = Station.objects.select_for_update().only(
        "latitude", "longitude", "address", "created_at"
    ).get(pk=station.pk)
    address = stored.address if address is None else address
    moved = (stored.latitude, stored.longitude) != (latitude, longitude)
    if moved and station.kind == Kind.MOVABLE:
        moved_at = moved_at or timezone.now()
        if not station.positions.exists():
            StationPosition.objects.create(
                station=station, latitude=stored.latitude, longitude=stored.longitude,
                address=stored.address, since=min(stored.created_at, moved_at),
            )
        StationPosition.objects.create(
            station=station, latitude=latitude, longitude=longitude, address=address,
            since=moved_at, note=note,
        )
    if moved or address != stored.address:
        Station.objects.filter(pk=station.pk).update(
            latitude=latitude, longitude=longitude, address=address, updated_at=timezone.now()
        )
    station.latitude, station.longitude, station.address = latitude, longitude, address
    return moved
