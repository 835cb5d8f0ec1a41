"""Staff pages: the supervision dashboard, the yearly campaign, acknowledging alerts.

Every number comes from selectors.py over the reader's stations_for() scope.
"""

import datetime
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import charts, selectors
from .alerts import alert_acknowledge
from .models import Alert, InspectionPhoto
from .scoping import is_staff_member, scope_key, scope_queryset, stations_for


def staff_required(view):
    """Anonymous users go to the admin login; users without a staff role get 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if not is_staff_member(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


class BadParameter(ValueError):
    pass


def _date_param(request, name, default):
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise BadParameter(_("%(name)s must be a date written YYYY-MM-DD.") % {"name": name}) from None


def _month_param(request, name, default):
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    try:
        moment = datetime.datetime.strptime(raw, "%Y-%m")
    except ValueError:
        raise BadParameter(_("%(name)s must be a month written YYYY-MM.") % {"name": name}) from None
    return moment.year, moment.month


def _year_param(request, name, default):
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
        raise BadParameter(_("%(name)s must be a year such as 2025.") % {"name": name})
    return int(raw)


def _bad_request(error):
    return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")


def _cached(parts, compute):
    """Dashboard sections are cached for DASHBOARD_CACHE_SECONDS per scope and period.

    At national scale a section sums hundreds of thousands of StationDay rows;
    readers with the same scope share the result. Alerts are never cached:
    an acknowledged alert leaves the page at once.
    """
    seconds = settings.DASHBOARD_CACHE_SECONDS
    if not seconds:
        return compute()
    key = "oversight:dashboard:" + ":".join(str(part) for part in parts)
    return cache.get_or_set(key, compute, seconds)


@staff_required
def dashboard(request):
    today = timezone.localdate()
    try:
        day = _date_param(request, "date", today - datetime.timedelta(days=1))
        year, month = _month_param(request, "month", (today.year, today.month))
    except BadParameter as error:
        return _bad_request(error)

    stations = stations_for(request.user)
    scope = scope_key(request.user)
    activity = _cached(("day", scope, day), lambda: selectors.day_activity(stations, day, station_limit=100))
    weekly = _cached(("week", scope, today), lambda: selectors.weekly_rectification(stations, today))
    monthly = _cached(
        ("month", scope, year, month, today), lambda: selectors.month_summary(stations, year, month, today)
    )
    trend_start = today - datetime.timedelta(days=30)
    trend = _cached(
        ("trend", scope, today),
        lambda: selectors.daily_series(stations, trend_start, today - datetime.timedelta(days=1)),
    )

    # Name the city beside the district only when the reader's districts span several cities.
    several_cities = len({row.district.city_id for row in activity.districts + monthly.districts}) > 1

    def label(district):
        return f"{district.city} · {district}" if several_cities else str(district)

    context = {
        "today": today,
        "day": day,
        "previous_day": day - datetime.timedelta(days=1),
        "next_day": day + datetime.timedelta(days=1) if day < today else None,
        "activity": activity,
        "weekly": weekly,
        "monthly": monthly,
        "month_param": f"{year:04d}-{month:02d}",
        "alerts": selectors.open_alerts(stations),
        "trend_chart": charts.line_chart(
            [(date_format(date, "m-d"), counts.satisfaction_rate) for date, counts in trend],
            title=_("Satisfaction over the last 30 days"),
        ),
        "several_cities": several_cities,
        "district_chart": charts.bar_chart(
            [(label(item.district), item.counts.ratings) for item in monthly.districts],
            title=_("Ratings per district this month"),
        ),
        "month_chart": charts.line_chart(
            [(date_format(date, "m-d"), counts.satisfaction_rate) for date, counts in monthly.series],
            title=_("Satisfaction per day this month"),
        ),
    }
    return render(request, "oversight/dashboard.html", context)


@staff_required
def campaign(request):
    today = timezone.localdate()
    try:
        year = _year_param(request, "year", today.year)
    except BadParameter as error:
        return _bad_request(error)
    only_missing = request.GET.get("never") == "1"
    # Delisted stations are no longer visited.
    rows = selectors.campaign(stations_for(request.user).public(), year)
    summary = {
        "stations": rows.count(),
        "never": rows.filter(inspected_this_year=False).count(),
    }
    if only_missing:
        rows = rows.filter(inspected_this_year=False)
    page = Paginator(rows.order_by("district__city__code", "district__code", "code"), 100).get_page(request.GET.get("page"))
    return render(
        request,
        "oversight/campaign.html",
        {"year": year, "page": page, "summary": summary, "only_missing": only_missing},
    )


@staff_required
@require_POST
def acknowledge_alert(request, pk):
    alert = get_object_or_404(scope_queryset(Alert.objects.all(), request.user, "station"), pk=pk)
    try:
        alert_acknowledge(alert=alert, actor=request.user, note=request.POST.get("note", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Alert for %(station)s acknowledged.") % {"station": alert.station})
    return redirect("oversight:dashboard")


@staff_required
def inspection_photo(request, pk):
    """An inspection photo, for users who may see its station (media files are never public)."""
    photos = scope_queryset(InspectionPhoto.objects.all(), request.user, "inspection__station")
    photo = get_object_or_404(photos, pk=pk)
    if not request.user.has_perm("oversight.view_inspectionphoto"):
        raise PermissionDenied
    try:
        handle = photo.image.open("rb")
    except FileNotFoundError:
        raise Http404("The photo file is missing.") from None
    response = FileResponse(handle)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
