"""List filters shared by the ratings and problem-report lists (cheap on millions of rows)."""

import datetime

from django.contrib import admin
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from oversight.scoping import is_all_seeing, stations_for
from stations.models import District

from ..aspects import ASPECTS


class DistrictFilter(admin.SimpleListFilter):
    """The rated station's district; only districts the user can see are offered."""

    title = _("district")
    parameter_name = "district"

    def lookups(self, request, model_admin):
        districts = District.objects.select_related("city").order_by("city__code", "code")
        if not is_all_seeing(request.user):
            districts = districts.filter(pk__in=stations_for(request.user).values("district_id"))
        return [(str(d.pk), f"{d.city.name} · {d.name}") for d in districts]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(station__district_id=self.value())
        return queryset


class AspectFilter(admin.SimpleListFilter):
    title = _("aspect tag")
    parameter_name = "aspect"

    def lookups(self, request, model_admin):
        return [(field.removeprefix("tag_"), label) for field, label, _icon in ASPECTS]

    def queryset(self, request, queryset):
        fields = {field.removeprefix("tag_"): field for field, _label, _icon in ASPECTS}
        if self.value() in fields:
            return queryset.filter(**{fields[self.value()]: True})
        return queryset


class InputFilter(admin.SimpleListFilter):
    """A filter typed into a small form (station code, dates) instead of a list of links."""

    template = "admin/ratings/input_filter.html"
    input_type = "text"

    def lookups(self, request, model_admin):
        # Non-empty so the admin shows the filter; the template draws a form instead.
        return [("", "")]

    def choices(self, changelist):
        # The other filters in force, to keep them when this form is submitted.
        yield {
            "keep": [
                (key, value) for key, values in changelist.get_filters_params().items()
                if key != self.parameter_name for value in values
            ] + ([("q", changelist.query)] if changelist.query else []),
            "value": self.value() or "",
            "input_type": self.input_type,
            "parameter_name": self.parameter_name,
            "clear_url": changelist.get_query_string(remove=[self.parameter_name]),
        }


class StationCodeFilter(InputFilter):
    title = _("station code")
    parameter_name = "station_code"

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(station__code=self.value().strip().upper())
        return queryset


def _local_midnight(value):
    day = parse_date(value or "") if value else None
    if day is None:
        return None
    from ..services import local_tz

    return datetime.datetime.combine(day, datetime.time.min, tzinfo=local_tz())


class DateFromFilter(InputFilter):
    title = _("rated from (date)")
    parameter_name = "from"
    input_type = "date"

    def queryset(self, request, queryset):
        start = _local_midnight(self.value())
        return queryset.filter(created_at__gte=start) if start else queryset


class DateToFilter(InputFilter):
    title = _("rated until (date, inclusive)")
    parameter_name = "to"
    input_type = "date"

    def queryset(self, request, queryset):
        end = _local_midnight(self.value())
        return queryset.filter(created_at__lt=end + datetime.timedelta(days=1)) if end else queryset
