"""The station editor and the station list with its score columns."""

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import HttpResponseBadRequest
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from oversight.admin import StationInspectionInline, StationTaskInline
from oversight.admin.filters import HasOpenTasksFilter
from oversight.scoping import ScopedAdminMixin
from ratings.admin_actions import STATION_ACTIONS

from .. import hours
from ..models import Station, StationPosition
from ..models.station import Kind
from ..scores import low_satisfaction_threshold, with_scores
from ..standing import days_since_last_rating
from ..services import station_move
from ..tabular import CSV, FORMATS, XLSX
from .exports import station_export_response
from .filters import CityFilter, DistrictFilter, SatisfactionFilter
from .forms import StationAdminForm
from .standing import AtRiskListFilter, LevelChangeInline, StandingAdminMixin

# Level and status change only through stations.standing.change_standing
# (with a reason, recorded as a LevelChange); on existing stations they are
# shown read-only, and the standing admin adds its own button/inline.
STANDING_FIELDS = ("level", "status")


class StationPositionInline(ScopedAdminMixin, admin.TabularInline):
    """Where a movable station stood. Rows are written by stations.services.station_move."""

    model = StationPosition
    scope_station_path = "station"
    fields = ("since", "latitude", "longitude", "address", "note")
    readonly_fields = fields
    ordering = ("-since",)
    extra = 0
    can_delete = False
    verbose_name_plural = _("position history (newest is current)")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # View-only: rows are never edited here, so the form does not post them.
        return False


@admin.register(Station)
class StationAdmin(StandingAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    scope_station_path = ""
    form = StationAdminForm
    change_form_template = "admin/stations/station/change_form.html"
    change_list_template = "admin/stations/station/change_list.html"

    class Media:
        js = ["stations/admin/station-form.js"]

    list_display = (
        "code", "name", "district", "kind", "level", "status",
        "ratings_30d", "ratings_total", "satisfaction", "last_rated", "days_since_rating",
    )
    list_display_links = ("code", "name")
    list_select_related = ("district",)
    list_per_page = 100
    search_fields = ("code", "name", "address")
    list_filter = [
        CityFilter,
        DistrictFilter,
        "kind",
        "level",
        "status",
        SatisfactionFilter,
        HasOpenTasksFilter,
        AtRiskListFilter,
        ("amenities", admin.RelatedFieldListFilter),
    ]
    # District by district, then by code: the (district, code) index serves
    # this order for a district's, a city's or the whole country's list.
    ordering = ("district_id", "code")
    readonly_fields = ("hours_text", "rating_token", "standing_changed_at", "created_at", "updated_at")
    actions = ["export_selected_csv", "export_selected_xlsx", *STATION_ACTIONS]
    inlines = [StationPositionInline]

    fieldsets = (
        (None, {"fields": ("code", "name", "kind", "partner_type", "level", "status", "listed_on")}),
        (_("Location"), {
            "fields": ("district", "address", ("latitude", "longitude"), "location_map", "move_note"),
        }),
        (_("Opening hours"), {"fields": ("opening_hours", "hours_text")}),
        (_("Amenities and groups served"), {"fields": ("amenities", "groups_served")}),
        (_("Operator"), {"fields": ("operator", "operator_company", "floor_area")}),
        (_("Contacts"), {
            "fields": (
                "contact_phone",
                ("manager_name", "manager_phone"),
                "manager_email",
                ("liaison_name", "liaison_phone"),
            ),
        }),
        (_("Record"), {
            "classes": ("collapse",),
            "fields": ("rating_token", "standing_changed_at", "created_at", "updated_at"),
        }),
    )

    # --- the editor --------------------------------------------------------

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, *STANDING_FIELDS) if obj is not None else fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or obj.kind != Kind.MOVABLE:
            # The move note only means something for a saved movable station.
            fieldsets = [
                (name, {**options, "fields": tuple(f for f in options["fields"] if f != "move_note")})
                for name, options in fieldsets
            ]
        return fieldsets

    def get_inlines(self, request, obj):
        if obj is None:
            return []
        # Position history is kept for movable stations only.
        return [
            *(self.inlines if obj.kind == Kind.MOVABLE else []),
            LevelChangeInline,
            StationInspectionInline,
            StationTaskInline,
        ]

    @admin.display(description=_("opening hours as text"))
    def hours_text(self, obj):
        try:
            return hours.to_text(obj.opening_hours)
        except Exception:  # an invalid schedule being edited: nothing to show yet
            return "—"

    def save_model(self, request, obj, form, change):
        if change and {"latitude", "longitude"} & set(form.changed_data):
            station_move(
                station=obj, latitude=obj.latitude, longitude=obj.longitude, address=obj.address,
                note=form.cleaned_data.get("move_note", ""),
            )
        super().save_model(request, obj, form, change)

    # --- the list: score columns ------------------------------------------------

    def get_queryset(self, request):
        return with_scores(super().get_queryset(request))

    @admin.display(description=_("ratings, last 30 days"), ordering="ratings_30d")
    def ratings_30d(self, obj):
        return obj.ratings_30d

    @admin.display(description=_("total ratings"), ordering="ratings_total")
    def ratings_total(self, obj):
        return obj.ratings_total

    @admin.display(description=_("satisfaction"), ordering=F("satisfaction").asc(nulls_last=True))
    def satisfaction(self, obj):
        if obj.satisfaction is None:
            return format_html('<span class="score-none">{}</span>', "—")
        text = f"{obj.satisfaction * 100:.1f}%"
        if obj.satisfaction < low_satisfaction_threshold():
            return format_html('<span class="score-low">{}</span>', text)
        return text

    @admin.display(description=_("last rated"), ordering=F("last_rated_at_value").asc(nulls_first=True))
    def last_rated(self, obj):
        if obj.last_rated_at_value is None:
            return format_html('<span class="score-none">{}</span>', _("never"))
        return timezone.localtime(obj.last_rated_at_value).strftime("%Y-%m-%d %H:%M")

    # Fewest days first = most recently rated first; never rated counts as the most days.
    @admin.display(description=_("days since last rating"), ordering=F("last_rated_at_value").desc(nulls_last=True))
    def days_since_rating(self, obj):
        days = days_since_last_rating(obj)
        return format_html('<span class="score-none">{}</span>', "—") if days is None else days

    # --- exports --------------------------------------------------------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("export/", self.admin_site.admin_view(self.export_view), name="%s_%s_export" % info),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        query = request.GET.copy()
        export_links = []
        for format in (CSV, XLSX):
            query["format"] = format
            export_links.append((
                FORMATS[format][1],
                f"{reverse('admin:stations_station_export')}?{urlencode(sorted(query.lists()), doseq=True)}",
            ))
        extra_context = {**(extra_context or {}), "export_links": export_links}
        return super().changelist_view(request, extra_context)

    def export_view(self, request):
        """Every station matching the list's filters, search and order (not just one page)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        request.GET = request.GET.copy()
        format = request.GET.pop("format", [CSV])[-1]
        if format not in FORMATS:
            return HttpResponseBadRequest(
                _("Unknown export format %(format)s; use csv or xlsx.") % {"format": repr(format)}
            )
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseBadRequest(str(_("The list's filter parameters are not valid.")))
        return station_export_response(changelist.get_queryset(request), format)

    @admin.action(description=_("Export selected stations as CSV"), permissions=["view"])
    def export_selected_csv(self, request, queryset):
        return station_export_response(queryset, CSV)

    @admin.action(description=_("Export selected stations as Excel (.xlsx)"), permissions=["view"])
    def export_selected_xlsx(self, request, queryset):
        return station_export_response(queryset, XLSX)


@admin.register(StationPosition)
class StationPositionAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """All positions of movable stations, read-only: history is never edited away."""

    scope_station_path = "station"
    list_display = ("station", "since", "latitude", "longitude", "address", "note")
    list_select_related = ("station",)
    search_fields = ("station__code", "station__name", "address")
    list_filter = (("station__district", admin.RelatedOnlyFieldListFilter),)
    date_hierarchy = "since"
    readonly_fields = ("station", "since", "latitude", "longitude", "address", "note")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

