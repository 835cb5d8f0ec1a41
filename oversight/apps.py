from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "oversight"
    verbose_name = _("Supervision")

    def ready(self):
        # SimpleAdminConfig does no autodiscovery: register this app's admin here.
        from . import admin  # noqa: F401
        from .roles import sync_role_groups

        # Oversight is installed last, so every app's permissions exist by the
        # time this runs; new models reach the role groups on the next migrate.
        post_migrate.connect(sync_role_groups, sender=self, dispatch_uid="oversight_sync_role_groups")
