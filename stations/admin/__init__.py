"""Admin for the station registry. Modules register their ModelAdmins on import."""
