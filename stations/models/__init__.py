from .catalogue import Amenity, WorkerGroup
from .geography import City, District
from .standing import LevelChange
from .station import Level, OpeningSpan, Station, StationPosition, Status

__all__ = [
    "Amenity",
    "City",
    "District",
    "Level",
    "LevelChange",
    "OpeningSpan",
    "Station",
    "StationPosition",
    "Status",
    "WorkerGroup",
]
