"""Alerts: acknowledged with a note, never created by hand."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..alerts import alert_acknowledge
from ..models import Alert
from ..scoping import ScopedAdminMixin
from .filters import OpenAlertFilter


class AlertForm(forms.ModelForm):
    class Meta:
        model = Alert
        fields = ("note",)
        labels = {"note": _("Acknowledge with a note")}


@admin.register(Alert)
class AlertAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_station_path = "station"
    form = AlertForm
    list_display = ("station", "kind", "summary", "opened_at", "acknowledged_at", "acknowledged_by")
    list_filter = (OpenAlertFilter, "kind", "station__district")
    list_select_related = ("station", "acknowledged_by")
    search_fields = ("station__code", "station__name")
    date_hierarchy = "opened_at"
    fields = ("station", "kind", "summary", "opened_at", "notified", "acknowledged_at", "acknowledged_by", "note")

    def get_readonly_fields(self, request, obj=None):
        readonly = ["station", "kind", "summary", "opened_at", "notified", "acknowledged_at", "acknowledged_by"]
        if obj is not None and not obj.is_open:
            readonly.append("note")
        return readonly

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        # The note is the acknowledgement: saving an open alert with one closes it.
        stored = Alert.objects.get(pk=obj.pk)
        try:
            alert_acknowledge(alert=stored, actor=request.user, note=form.cleaned_data.get("note", ""))
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
