"""Admin for the station registry. Modules register their ModelAdmins on import."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import catalogue, station  # noqa: F401

# Union staff see the portal's name, not "Django administration".
admin.site.site_header = _("Yizhan station administration")
admin.site.site_title = _("Yizhan administration")
admin.site.index_title = _("Stations, ratings and supervision")
