from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "oversight"
    verbose_name = _("Supervision")

    def ready(self):
        # SimpleAdminConfig does no autodiscovery: register this app's admin here.
        from . import admin  # noqa: F401
