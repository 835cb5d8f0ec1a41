from .catalogue import Amenity, WorkerGroup
from .geography import City, District
from .standing import LevelChange, RuleWarning
from .station import Level, OpeningSpan, Station, StationPosition, Status

__all__ = [
    "Amenity",
    "City",
    "District",
    "Level",
    "LevelChange",
    "OpeningSpan",
    "RuleWarning",
    "Station",
    "StationPosition",
    "Status",
    "WorkerGroup",
]
