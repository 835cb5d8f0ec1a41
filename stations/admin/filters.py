"""List filters for the station list."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from oversight.scoping import is_all_seeing, stations_for

from ..models import City, District
from ..scores import low_satisfaction_threshold

CITY_PARAMETER = "city"


def _districts_in_scope(user):
    """Districts the user has stations in (all of them for a superuser)."""
    districts = District.objects.select_related("city").order_by("city__code", "code")
    if not is_all_seeing(user):
        districts = districts.filter(pk__in=stations_for(user).values("district_id"))
    return districts


class CityFilter(admin.SimpleListFilter):
    """Cities the user has stations in; hidden when there is only one."""

    title = _("city")
    parameter_name = CITY_PARAMETER

    def lookups(self, request, model_admin):
        cities = City.objects.filter(pk__in=_districts_in_scope(request.user).values("city_id"))
        return [(str(city.pk), city.name) for city in cities]

    def has_output(self):
        return len(self.lookup_choices) > 1

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(district__city_id=value)
        return queryset


class DistrictFilter(admin.SimpleListFilter):
    """Districts in the user's scope, narrowed to the chosen city when a city filter is in force."""

    title = _("district")
    parameter_name = "district__id__exact"

    def lookups(self, request, model_admin):
        districts = _districts_in_scope(request.user)
        city = request.GET.get(CITY_PARAMETER)
        if city and city.isdigit():
            districts = districts.filter(city_id=city)
        return [(str(d.pk), f"{d.city.name} · {d.name}") for d in districts]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(district_id=value)
        return queryset


class SatisfactionFilter(admin.SimpleListFilter):
    """Low satisfaction: below settings.LOW_SATISFACTION_THRESHOLD (stations with ratings only).

    Needs the `satisfaction` annotation of stations.scores.with_scores().
    """

    title = _("satisfaction")
    parameter_name = "satisfaction"
    LOW, OK, NONE = "low", "ok", "none"

    def lookups(self, request, model_admin):
        percent = f"{low_satisfaction_threshold() * 100:g}"
        return [
            (self.LOW, _("Low (below %(percent)s%%)") % {"percent": percent}),
            (self.OK, _("%(percent)s%% or above") % {"percent": percent}),
            (self.NONE, _("No ratings yet")),
        ]

    def queryset(self, request, queryset):
        threshold = low_satisfaction_threshold()
        if self.value() == self.LOW:
            return queryset.filter(satisfaction__lt=threshold)
        if self.value() == self.OK:
            return queryset.filter(satisfaction__gte=threshold)
        if self.value() == self.NONE:
            return queryset.filter(satisfaction__isnull=True)
        return queryset
