"""Admin for staff users and scopes, inspections, rectification tasks and alerts."""

from . import alerts, inspections, users  # noqa: F401
from .filters import HasOpenTasksFilter  # noqa: F401
from .inspections import StationInspectionInline, StationTaskInline  # noqa: F401
