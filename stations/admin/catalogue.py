"""Admin for the places and catalogues stations refer to: cities, districts, amenities, groups."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from oversight.scoping import CityScopedAdminMixin, DistrictScopedAdminMixin

from ..models import Amenity, City, District, WorkerGroup


class DistrictInline(admin.TabularInline):
    model = District
    fields = ("code", "name_zh", "name_en", "chief_name", "chief_email")
    extra = 0
    show_change_link = True


@admin.register(City)
class CityAdmin(CityScopedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name_zh", "name_en", "district_count")
    search_fields = ("code", "name_zh", "name_en")
    inlines = [DistrictInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(district_count=Count("districts"))

    @admin.display(description=_("districts"), ordering="district_count")
    def district_count(self, obj):
        return obj.district_count


@admin.register(District)
class DistrictAdmin(DistrictScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name_zh", "name_en", "code", "city", "chief_name", "chief_email", "station_count")
    list_filter = ("city",)
    list_select_related = ("city",)
    search_fields = ("code", "name_zh", "name_en", "chief_name", "chief_email")
    fieldsets = (
        (None, {"fields": ("city", "code", "name_zh", "name_en")}),
        (_("District chief station manager"), {
            "fields": ("chief_name", "chief_email"),
            "description": _("Receives the district's daily report and alerts."),
        }),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(station_count=Count("stations"))

    @admin.display(description=_("stations"), ordering="station_count")
    def station_count(self, obj):
        return obj.station_count


class CatalogueAdmin(admin.ModelAdmin):
    list_display = ("icon", "name_zh", "name_en", "slug", "position", "station_count")
    list_display_links = ("name_zh",)
    list_editable = ("position",)
    search_fields = ("slug", "name_zh", "name_en")
    ordering = ("position", "slug")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(station_count=Count("stations"))

    @admin.display(description=_("stations"), ordering="station_count")
    def station_count(self, obj):
        return obj.station_count


admin.site.register(Amenity, CatalogueAdmin)
admin.site.register(WorkerGroup, CatalogueAdmin)
