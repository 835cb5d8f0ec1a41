"""Hide / unhide ratings with a reason, always through ratings.services."""

from django import forms
from django.contrib import messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import services
from ..models import HideReason


class HideForm(forms.Form):
    hidden_reason = forms.ChoiceField(label=_("Reason"), choices=HideReason.choices)
    hidden_note = forms.CharField(label=_("Note"), required=False, max_length=200)


def hide_ratings(modeladmin, request, queryset):
    """Intermediate page asking for the reason, then hide each selected rating."""
    form = HideForm(request.POST if "confirm" in request.POST else None)
    if form.is_bound and form.is_valid():
        count = 0
        for rating in queryset.filter(hidden=False):
            services.rating_hide(
                rating=rating, reason=form.cleaned_data["hidden_reason"],
                note=form.cleaned_data["hidden_note"], actor=request.user,
            )
            count += 1
        modeladmin.message_user(
            request, ngettext("%d rating hidden.", "%d ratings hidden.", count) % count, messages.SUCCESS
        )
        return None
    return TemplateResponse(request, "admin/ratings/hide_ratings.html", {
        **modeladmin.admin_site.each_context(request),
        "title": _("Hide ratings"),
        "opts": modeladmin.model._meta,
        "form": form,
        "ratings": queryset.select_related("station")[:200],
        "count": queryset.count(),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
    })


hide_ratings.short_description = _("Hide selected ratings…")
hide_ratings.allowed_permissions = ("change",)


def unhide_ratings(modeladmin, request, queryset):
    count = 0
    for rating in queryset.filter(hidden=True):
        services.rating_unhide(rating=rating, actor=request.user)
        count += 1
    modeladmin.message_user(
        request, ngettext("%d rating shown again.", "%d ratings shown again.", count) % count, messages.SUCCESS
    )


unhide_ratings.short_description = _("Show selected ratings again")
unhide_ratings.allowed_permissions = ("change",)
