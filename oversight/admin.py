"""Admin for staff scopes, inspections, rectification tasks and alerts."""
