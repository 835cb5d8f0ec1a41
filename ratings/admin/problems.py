from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from oversight.scoping import ScopedAdminMixin

from .. import services
from ..models import ProblemReport, RetiredToken
from .filters import DateFromFilter, DateToFilter, DistrictFilter, StationCodeFilter
from .paginator import EstimatedCountPaginator


class ProblemReportForm(forms.ModelForm):
    class Meta:
        model = ProblemReport
        fields = ("handled", "handled_note")


@admin.register(ProblemReport)
class ProblemReportAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Reports from the public ("this place is wrong"); staff mark them handled with a note."""

    scope_station_path = "station"
    form = ProblemReportForm
    list_display = ("created_at", "station_code", "kind", "details", "handled", "handled_at")
    list_filter = ("handled", "kind", StationCodeFilter, DistrictFilter, DateFromFilter, DateToFilter)
    search_fields = ("text",)
    list_select_related = ("station",)
    list_per_page = 100
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = EstimatedCountPaginator
    ordering = ("handled", "-created_at")
    readonly_fields = ("station", "kind", "text", "created_at", "handled_by", "handled_at")
    fields = ("station", "kind", "text", "created_at", "handled", "handled_note", "handled_by", "handled_at")
    actions = ("mark_handled", "mark_open")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("station"), ordering="station__code")
    def station_code(self, report):
        return report.station.code

    @admin.display(description=_("details"))
    def details(self, report):
        return format_html("{}", report.text[:120])

    def save_model(self, request, obj, form, change):
        services.problem_report_handle(
            report=obj, note=form.cleaned_data["handled_note"], actor=request.user,
            handled=form.cleaned_data["handled"],
        )

    @admin.action(description=_("Mark selected reports handled"), permissions=["change"])
    def mark_handled(self, request, queryset):
        count = 0
        for report in queryset.filter(handled=False):
            services.problem_report_handle(report=report, note=report.handled_note, actor=request.user)
            count += 1
        self.message_user(request, ngettext("%d report marked handled.", "%d reports marked handled.", count) % count, messages.SUCCESS)

    @admin.action(description=_("Reopen selected reports"), permissions=["change"])
    def mark_open(self, request, queryset):
        count = 0
        for report in queryset.filter(handled=True):
            services.problem_report_handle(report=report, note=report.handled_note, actor=request.user, handled=False)
            count += 1
        self.message_user(request, ngettext("%d report reopened.", "%d reports reopened.", count) % count, messages.SUCCESS)


@admin.register(RetiredToken)
class RetiredTokenAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Which posters were replaced, when and by whom (read-only)."""

    scope_station_path = "station"
    list_display = ("station", "retired_at", "retired_by")
    list_select_related = ("station", "retired_by")
    search_fields = ("station__code",)
    readonly_fields = ("station", "token", "retired_at", "retired_by")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
