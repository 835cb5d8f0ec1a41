"""Inspections (with photos and the tasks their findings open) and rectification tasks."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import inspections, roles
from ..models import CHECKLIST, Inspection, InspectionPhoto, RectificationTask
from ..scoping import ScopedAdminMixin, districts_for, is_all_seeing, roles_of, station_managers, stations_for
from .filters import OverdueFilter


def inspectors_for(user):
    """Who may be named as an inspection's inspector: oneself, or inspectors of one's districts."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(is_active=True, is_staff=True)
    if is_all_seeing(user):
        return users
    return users.filter(
        Q(pk=user.pk) | Q(groups__name=roles.INSPECTOR, staff_scope__districts__in=districts_for(user))
    ).distinct()


def _inspector_only(user):
    """Third-party inspectors (holding no other role) see and edit only their own visits' forms."""
    held = roles_of(user)
    return not is_all_seeing(user) and roles.INSPECTOR in held and not (held - {roles.INSPECTOR})


def run_for_each(model_admin, request, queryset, service):
    """Run a service on each selected row; refusals become warnings. Returns how many succeeded."""
    done = 0
    for obj in queryset.select_related("station"):
        try:
            service(obj, request.user)
        except (ValidationError, PermissionDenied) as error:
            detail = " ".join(getattr(error, "messages", [str(error)]))
            model_admin.message_user(request, f"{obj}: {detail}", messages.WARNING)
        else:
            done += 1
    return done


class InspectionPhotoInline(ScopedAdminMixin, admin.TabularInline):
    model = InspectionPhoto
    scope_station_path = "inspection__station"
    extra = 1
    fields = ("image", "caption", "preview")
    readonly_fields = ("preview",)

    @admin.display(description=_("preview"))
    def preview(self, photo):
        if not photo.pk or not photo.image:
            return "–"
        url = reverse("oversight:inspection_photo", args=[photo.pk])
        return format_html('<a href="{0}"><img src="{0}" alt="" style="max-height:80px"></a>', url)


class TaskOwnerMixin:
    """Task owners are station managers of stations the editing user may see."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "owner":
            kwargs["queryset"] = station_managers(stations_for(request.user))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class FindingTaskInline(TaskOwnerMixin, ScopedAdminMixin, admin.TabularInline):
    """A finding that must be fixed opens a task here; its station is the inspected one."""

    model = RectificationTask
    scope_station_path = "station"
    fk_name = "inspection"
    extra = 0
    fields = ("finding", "deadline", "owner", "status")
    readonly_fields = ("status",)
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 50})}}
    verbose_name = _("finding to rectify")
    verbose_name_plural = _("findings to rectify (rectification tasks)")


@admin.register(Inspection)
class InspectionAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_station_path = "station"
    list_display = ("station", "date", "kind", "inspector", "score", "failed_items", "proposal")
    list_filter = ("kind", ("date", admin.DateFieldListFilter), "station__district")
    list_select_related = ("station", "inspector", "applied_change")
    search_fields = ("station__code", "station__name", "findings")
    date_hierarchy = "date"
    autocomplete_fields = ("station",)
    inlines = [InspectionPhotoInline, FindingTaskInline]
    actions = ["apply_proposed_level"]
    fieldsets = [
        (None, {"fields": ("station", "inspector", "date", "kind")}),
        (_("Checklist"), {"fields": tuple(name for name, _label in CHECKLIST)}),
        (_("Outcome"), {"fields": ("score", "findings")}),
        (_("Level change"), {"fields": ("proposed_level", "proposed_status", "applied_change")}),
    ]
    readonly_fields = ("applied_change",)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if _inspector_only(request.user):
            fields.append("inspector")
        return fields

    def get_changeform_initial_data(self, request):
        return {"inspector": request.user.pk, **super().get_changeform_initial_data(request)}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "inspector":
            kwargs["queryset"] = inspectors_for(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if allowed and obj is not None and _inspector_only(request.user):
            return obj.inspector_id == request.user.pk
        return allowed

    def save_model(self, request, obj, form, change):
        if _inspector_only(request.user) and not change:
            obj.inspector = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is RectificationTask:
            tasks = formset.save(commit=False)
            for task in tasks:
                task.station = form.instance.station
                try:
                    task.full_clean()
                except ValidationError as error:
                    messages.error(request, f"{task.finding[:40]}: {' '.join(error.messages)}")
                    continue
                task.save()
            for task in formset.deleted_objects:
                task.delete()
            return
        super().save_formset(request, form, formset, change)

    @admin.display(description=_("failed checks"))
    def failed_items(self, inspection):
        failed = [str(label) for label, passed in inspection.checklist if not passed]
        return ", ".join(failed) or "–"

    @admin.display(description=_("proposed change"))
    def proposal(self, inspection):
        if not inspection.proposes_change:
            return "–"
        wanted = " / ".join(
            str(part) for part in (inspection.get_proposed_level_display() if inspection.proposed_level else "",
                                   inspection.get_proposed_status_display() if inspection.proposed_status else "")
            if part
        )
        state = _("applied") if inspection.applied_change_id else _("pending")
        return f"{wanted} ({state})"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        inspection = self.get_object(request, object_id)
        extra_context = {
            **(extra_context or {}),
            "can_apply_proposal": inspection.proposal_pending and self.has_apply_proposed_level_permission(request),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def response_change(self, request, obj):
        # The "Save and apply the proposed level change" button: save, then apply.
        if "_apply_proposed_level" in request.POST:
            applied = run_for_each(self, request, Inspection.objects.filter(pk=obj.pk), self._apply_one)
            if applied:
                obj.station.refresh_from_db()
                self.message_user(
                    request,
                    _("%(station)s is now %(level)s, %(status)s; the change is in its level history.") % {
                        "station": obj.station, "level": obj.station.get_level_display(),
                        "status": obj.station.get_status_display(),
                    },
                    messages.SUCCESS,
                )
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    @staticmethod
    def _apply_one(inspection, actor):
        inspections.inspection_apply_proposed_level(inspection=inspection, actor=actor)

    def has_apply_proposed_level_permission(self, request):
        return request.user.has_perm("oversight.apply_proposed_level")

    @admin.action(description=_("Apply the proposed level change"), permissions=["apply_proposed_level"])
    def apply_proposed_level(self, request, queryset):
        applied = run_for_each(self, request, queryset, self._apply_one)
        if applied:
            self.message_user(
                request,
                ngettext("Applied %(n)d proposed change.", "Applied %(n)d proposed changes.", applied) % {"n": applied},
                messages.SUCCESS,
            )


class RectificationTaskForm(forms.ModelForm):
    mark_done = forms.BooleanField(
        label=_("Mark as done"), required=False,
        help_text=_("Tick when the problem is fixed and say what was done; a chief or city staff then verify it."),
    )

    class Meta:
        model = RectificationTask
        fields = ("station", "inspection", "finding", "deadline", "owner", "done_note")


@admin.register(RectificationTask)
class RectificationTaskAdmin(TaskOwnerMixin, ScopedAdminMixin, admin.ModelAdmin):
    scope_station_path = "station"
    form = RectificationTaskForm
    list_display = ("station", "short_finding", "deadline", "owner", "status", "overdue")
    list_filter = ("status", OverdueFilter, "station__district")
    list_select_related = ("station", "owner")
    search_fields = ("station__code", "station__name", "finding")
    autocomplete_fields = ("station",)
    raw_id_fields = ("inspection",)
    readonly_fields = ("status", "done_at", "verified_at", "verified_by")
    actions = ["verify", "reopen"]

    def get_fields(self, request, obj=None):
        fields = ["station", "inspection", "finding", "deadline", "owner", "status", "done_note"]
        if obj is not None and obj.status == RectificationTask.Status.OPEN:
            fields.append("mark_done")
        if obj is not None and obj.status != RectificationTask.Status.OPEN:
            fields += ["done_at", "verified_at", "verified_by"]
        return fields

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        # Station managers only report the fix; what and by when is set by who opened it.
        if obj is not None and not request.user.has_perm("oversight.add_rectificationtask"):
            fields += ["station", "inspection", "finding", "deadline", "owner"]
        if obj is not None and obj.status != RectificationTask.Status.OPEN:
            fields.append("done_note")
        return fields

    def save_model(self, request, obj, form, change):
        mark_done = form.cleaned_data.get("mark_done")
        note = form.cleaned_data.get("done_note", "")
        if mark_done:
            obj.done_note = ""  # set by the service below, after the other fields are saved
        super().save_model(request, obj, form, change)
        if mark_done:
            try:
                inspections.task_mark_done(task=obj, actor=request.user, note=note)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)

    @admin.display(description=_("what must be fixed"))
    def short_finding(self, task):
        return task.finding[:80]

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, task):
        return task.is_overdue(timezone.localdate())

    def has_verify_permission(self, request):
        return request.user.has_perm("oversight.verify_rectificationtask")

    def _transition(self, request, queryset, service, done_message):
        moved = run_for_each(self, request, queryset, lambda task, actor: service(task=task, actor=actor))
        if moved:
            self.message_user(request, done_message % {"n": moved}, messages.SUCCESS)

    @admin.action(description=_("Verify the selected tasks (marked done)"), permissions=["verify"])
    def verify(self, request, queryset):
        self._transition(request, queryset, inspections.task_verify, _("Verified %(n)d task(s)."))

    @admin.action(description=_("Send the selected tasks back (not fixed)"), permissions=["verify"])
    def reopen(self, request, queryset):
        self._transition(request, queryset, inspections.task_reopen, _("Sent back %(n)d task(s)."))


class StationInspectionInline(ScopedAdminMixin, admin.TabularInline):
    """For StationAdmin: the station's inspections, read-only, newest first."""

    model = Inspection
    scope_station_path = "station"
    extra = 0
    fields = ("date", "kind", "inspector", "score", "findings")
    readonly_fields = fields
    show_change_link = True
    can_delete = False
    ordering = ("-date",)

    def has_add_permission(self, request, obj=None):
        return False


class StationTaskInline(ScopedAdminMixin, admin.TabularInline):
    """For StationAdmin: the station's rectification tasks, read-only."""

    model = RectificationTask
    scope_station_path = "station"
    fk_name = "station"
    extra = 0
    fields = ("finding", "deadline", "owner", "status")
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False
