"""Actions for the station admin (owned by the stations app), kept here with the posters.

StationAdmin lists them in `actions`; both go through the admin's scoped
queryset, so staff only print or re-key stations they may see.
"""

from django.contrib import messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from stations.models import Status

from . import services
from .views.staff import MAX_POSTERS, POSTER_SIZES, render_posters


def print_posters(modeladmin, request, queryset):
    """Print-ready QR posters, one per page, for the selected stations (A4; A5 from the page)."""
    stations = list(queryset.exclude(status=Status.DELISTED).select_related("district").order_by("code")[: MAX_POSTERS + 1])
    if not stations:
        modeladmin.message_user(request, _("Delisted stations have no poster."), messages.WARNING)
        return None
    if len(stations) > MAX_POSTERS:
        modeladmin.message_user(
            request, _("Select at most %(n)d stations to print at once.") % {"n": MAX_POSTERS}, messages.ERROR
        )
        return None
    size = request.POST.get("size", "a4")
    return render_posters(
        request, stations, title=_("%(n)d stations") % {"n": len(stations)},
        size=size if size in POSTER_SIZES else "a4",
        resubmit={"action": request.get_full_path(), "name": "print_posters", "ids": [s.pk for s in stations]},
    )


print_posters.short_description = _("Print QR posters")
print_posters.allowed_permissions = ("view",)


def regenerate_rating_tokens(modeladmin, request, queryset):
    """New QR codes for the selected stations, after a confirmation page; old posters stop working."""
    if request.POST.get("confirm") == "yes":
        count = 0
        for station in queryset:
            services.rating_token_regenerate(station=station, actor=request.user)
            count += 1
        modeladmin.message_user(request, ngettext(
            "New QR code for %d station: print and hang its new poster.",
            "New QR codes for %d stations: print and hang their new posters.", count,
        ) % count, messages.SUCCESS)
        return None
    return TemplateResponse(request, "admin/ratings/regenerate_tokens.html", {
        **modeladmin.admin_site.each_context(request),
        "title": _("Replace QR codes"),
        "opts": modeladmin.model._meta,
        "stations": queryset.order_by("code")[:200],
        "count": queryset.count(),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
        "select_across": request.POST.get("select_across", "0"),
    })


regenerate_rating_tokens.short_description = _("Replace QR codes (old posters stop working)…")
regenerate_rating_tokens.allowed_permissions = ("change",)


def rating_links(station):
    """Links for a station's admin page: QR image, poster, and the rating page itself."""
    if not station or not station.pk:
        return "-"
    return format_html(
        '<a href="{}">{}</a> · <a href="{}">{}</a> · <a href="{}">{}</a> · <a href="{}?size=a5">{}</a>',
        reverse("ratings:qr_svg", args=[station.code]), _("QR (SVG)"),
        reverse("ratings:qr_png", args=[station.code]), _("QR (PNG)"),
        reverse("ratings:poster", args=[station.code]), _("A4 poster"),
        reverse("ratings:poster", args=[station.code]), _("A5 poster"),
    )


# What StationAdmin.actions includes from this app.
STATION_ACTIONS = (print_posters, regenerate_rating_tokens)
