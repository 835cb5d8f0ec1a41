"""Admin for the station registry. Modules register their ModelAdmins on import."""

from . import catalogue, station  # noqa: F401
