"""Supervision: staff roles and scopes, inspections, rectification, alerts and reports."""
