"""Admin for a station's standing: the audit trail, the "at risk" filter and manual changes.

StationAdmin mixes in StandingAdminMixin (the "Change level or status" page
and the summary on the station page) and uses AtRiskListFilter and
LevelChangeInline; LevelChangeAdmin lists every change with filters.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from oversight.scoping import ScopedAdminMixin

from .. import standing
from ..models import Level, LevelChange, Station, Status

# Changing a standing by hand is adding a row to the audit trail.
CHANGE_STANDING_PERMISSION = "stations.add_levelchange"


class AtRiskListFilter(admin.SimpleListFilter):
    """The 3-month rule, as stations.standing.at_risk_q / due_by_q define it."""

    title = _("3-month rule")
    parameter_name = "rule"
    AT_RISK, DUE = "at_risk", "due"

    def lookups(self, request, model_admin):
        return [
            (self.AT_RISK, _("At risk (step due within %(days)d days)") % {"days": standing.warning_days()}),
            (self.DUE, _("Step due now (before the daily run)")),
        ]

    def queryset(self, request, queryset):
        if self.value() == self.AT_RISK:
            return standing.filter_at_risk(queryset)
        if self.value() == self.DUE:
            return standing.filter_due(queryset)
        return queryset


def standing_label(level, status):
    if status == Status.ACTIVE:
        return Level(level).label
    return format_html("{}, {}", Level(level).label, Status(status).label)


class LevelChangeInline(ScopedAdminMixin, admin.TabularInline):
    """The station's level and status history, newest first; never edited."""

    model = LevelChange
    scope_station_path = "station"
    template = "admin/stations/station/level_change_inline.html"
    fields = ("created_at", "change", "reason", "note", "actor", "as_of")
    readonly_fields = fields
    ordering = ("-created_at", "-pk")
    extra = 0
    max_num = 0
    can_delete = False
    verbose_name_plural = _("level and status history")

    @admin.display(description=_("change"))
    def change(self, obj):
        return format_html(
            "{} → {}", standing_label(obj.from_level, obj.from_status), standing_label(obj.to_level, obj.to_status)
        )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StationListFilter(admin.SimpleListFilter):
    """One station's history (the link from the station page); no list of 200,000 choices."""

    title = _("station")
    parameter_name = "station"

    def lookups(self, request, model_admin):
        value = self.value()
        if value and value.isdigit():
            return [(station.pk, str(station)) for station in Station.objects.filter(pk=value)]
        return []

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(station_id=value)
        return queryset


@admin.register(LevelChange)
class LevelChangeAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Every level or status change, automatic or manual: read-only."""

    scope_station_path = "station"
    list_display = ("created_at", "station", "district", "change", "reason", "actor", "as_of", "note")
    list_select_related = ("station__district", "actor")
    list_filter = (
        StationListFilter,
        ("station__district", admin.RelatedOnlyFieldListFilter),
        "reason",
        "from_level",
        "to_level",
        "to_status",
        ("actor", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("station__code", "station__name", "note")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-pk")
    fields = (
        "station", "from_level", "from_status", "to_level", "to_status", "reason", "note", "actor", "as_of",
        "created_at",
    )
    readonly_fields = fields

    @admin.display(description=_("district"), ordering="station__district")
    def district(self, obj):
        return obj.station.district

    @admin.display(description=_("change"))
    def change(self, obj):
        return LevelChangeInline.change(self, obj)

    def has_add_permission(self, request):
        return False  # changes are made through the station ("Change level or status")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StandingChangeForm(forms.Form):
    level = forms.TypedChoiceField(label=_("certification level"), choices=Level.choices, coerce=int)
    status = forms.ChoiceField(label=_("status"), choices=Status.choices)
    note = forms.CharField(
        label=_("reason"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("Required. Say why, e.g. the decision or document this change follows. Kept in the history."),
    )

    def __init__(self, *args, station, **kwargs):
        self.station = station
        super().__init__(*args, initial={"level": station.level, "status": station.status}, **kwargs)

    def clean(self):
        data = super().clean()
        if (data.get("level"), data.get("status")) == (self.station.level, self.station.status):
            raise ValidationError(_("Choose a level or status different from the current one."))
        return data


class StandingAdminMixin:
    """Adds to StationAdmin: the standing summary on the station page and the change page."""

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/standing/",
                self.admin_site.admin_view(self.change_standing_view),
                name="%s_%s_standing" % info,
            ),
            *super().get_urls(),
        ]

    def can_change_standing(self, request, station):
        return request.user.has_perm(CHANGE_STANDING_PERMISSION) and self.has_change_permission(request, station)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        station = self.get_object(request, object_id) if object_id else None
        if station is not None:
            extra_context = {**(extra_context or {}), **self.standing_context(request, station)}
        return super().change_view(request, object_id, form_url, extra_context)

    def standing_context(self, request, station):
        """What the station page shows about the rule (the panel and the button)."""
        verdict = standing.verdict_for(station)
        step = None
        if verdict is not None:
            step = (_("delisted") if verdict.to_status == Status.DELISTED
                    else _("downgraded to %(level)s") % {"level": Level(verdict.to_level).label})
        return {
            "standing_current": standing_label(station.level, station.status),
            "standing_days_since_rating": standing.days_since_last_rating(station),
            "standing_verdict": verdict,
            "standing_step": step,
            "standing_history_url": reverse("admin:stations_levelchange_changelist")
            + "?" + urlencode({"station": station.pk}),
            "standing_url": (
                reverse("admin:stations_station_standing", args=[station.pk])
                if self.can_change_standing(request, station) else None
            ),
        }

    def change_standing_view(self, request, object_id):
        station = self.get_object(request, object_id)
        if not self.can_change_standing(request, station):
            raise PermissionDenied
        form = StandingChangeForm(request.POST or None, station=station)
        if request.method == "POST" and form.is_valid():
            try:
                standing.change_standing(
                    station=station,
                    level=form.cleaned_data["level"],
                    status=form.cleaned_data["status"],
                    reason=LevelChange.Reason.MANUAL,
                    note=form.cleaned_data["note"],
                    actor=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            except standing.StaleStanding:
                form.add_error(None, _("Someone changed this station's standing meanwhile. Reload and try again."))
            else:
                self.message_user(
                    request,
                    _("%(station)s is now %(standing)s. The change is recorded and the 3-month clock restarted.")
                    % {"station": station, "standing": standing_label(station.level, station.status)},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:stations_station_change", args=[station.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Change level or status"),
            "subtitle": str(station),
            "opts": self.opts,
            "original": station,
            "station": station,
            "current": standing_label(station.level, station.status),
            "form": form,
            "history": station.level_changes.select_related("actor").order_by("-created_at", "-pk")[:10],
            "has_view_permission": self.has_view_permission(request, station),
        }
        return TemplateResponse(request, "admin/stations/station/change_standing.html", context)
