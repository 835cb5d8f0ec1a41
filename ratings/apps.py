from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    name = "ratings"
    verbose_name = _("Ratings")

    def ready(self):
        # SimpleAdminConfig does no autodiscovery: register this app's admin here.
        from . import admin  # noqa: F401
