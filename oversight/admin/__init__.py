"""Admin for staff users and scopes, inspections, rectification tasks and alerts."""

from . import users  # noqa: F401
