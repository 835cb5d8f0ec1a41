"""List filters other apps' admins use (the station list's "has open rectification tasks")."""

from django.contrib import admin
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..models import RectificationTask


class HasOpenTasksFilter(admin.SimpleListFilter):
    """For StationAdmin: stations with open (or overdue) rectification tasks."""

    title = _("rectification tasks")
    parameter_name = "open_tasks"

    def lookups(self, request, model_admin):
        return [
            ("yes", _("has open tasks")),
            ("overdue", _("has overdue tasks")),
            ("no", _("no open tasks")),
        ]

    def queryset(self, request, queryset):
        tasks = RectificationTask.objects.open().filter(station=OuterRef("pk"))
        if self.value() == "yes":
            return queryset.filter(Exists(tasks))
        if self.value() == "overdue":
            return queryset.filter(Exists(tasks.filter(deadline__lt=timezone.localdate())))
        if self.value() == "no":
            return queryset.exclude(Exists(tasks))
        return queryset


class OverdueFilter(admin.SimpleListFilter):
    title = _("deadline")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("overdue")), ("no", _("not overdue"))]

    def queryset(self, request, queryset):
        overdue = queryset.model.objects.overdue().values("pk")
        if self.value() == "yes":
            return queryset.filter(pk__in=overdue)
        if self.value() == "no":
            return queryset.exclude(pk__in=overdue)
        return queryset


class OpenAlertFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", pgettext_lazy("alert status", "open")), ("acknowledged", _("acknowledged"))]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(acknowledged_at__isnull=True)
        if self.value() == "acknowledged":
            return queryset.filter(acknowledged_at__isnull=False)
        return queryset
