"""The pages a worker reaches by scanning a poster: rate, thank-you, report a problem.

No login, no JavaScript, tiny pages. Never cached by proxies (they carry a
CSRF token and show live numbers). Refusals are friendly pages, not errors.
"""

import datetime

from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from stations.models import Station, Status

from .. import antiabuse, services
from ..aspects import ASPECTS, SCALE
from ..forms import ProblemReportForm, RatingForm
from ..models import Rating, RetiredToken
from ..selectors import rating_summary, score_bars


def _notice(request, kind, *, station=None, status=200, **context):
    """A friendly page instead of the form: replaced code, delisted, suspended, too many tries..."""
    return render(
        request, "ratings/notice.html", {"kind": kind, "station": station, **context}, status=status
    )


def _station_for_token(request, token):
    """(station, refusal response): the station rated through this token, or the page to show instead."""
    station = Station.objects.select_related("district").filter(rating_token=token).first()
    if station is None:
        retired = RetiredToken.objects.select_related("station").filter(token=token).first()
        if retired is not None and retired.station.status != Status.DELISTED:
            return None, _notice(request, "replaced", station=retired.station, status=410)
        if retired is not None:
            return None, _notice(request, "delisted", station=retired.station, status=410)
        return None, _notice(request, "unknown", status=404)
    if station.status == Status.DELISTED:
        return None, _notice(request, "delisted", station=station, status=410)
    return station, None


def _last_rating_by(visitor, station):
    since = timezone.now() - datetime.timedelta(hours=antiabuse.cooldown_hours())
    return (
        Rating.objects.filter(device_hash=visitor.device_hash, station=station, created_at__gt=since)
        .order_by("-created_at").values_list("created_at", flat=True).first()
    )


def _cooldown_page(request, station, rated_at, *, status=200):
    summary = rating_summary(station)
    return _notice(
        request, "cooldown", station=station, status=status, summary=summary, bars=score_bars(summary),
        again_at=rated_at + datetime.timedelta(hours=antiabuse.cooldown_hours()) if rated_at else None,
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def rate(request, token):
    station, refusal = _station_for_token(request, token)
    if refusal:
        return refusal
    visitor = antiabuse.identify(request)
    if request.method == "GET":
        services.scan_record(station=station)
    if station.status == Status.SUSPENDED:
        return antiabuse.remember_device(_notice(request, "suspended", station=station), visitor)

    if request.method == "POST":
        form = RatingForm(request.POST)
        if form.is_valid():
            if form.is_bot():
                return redirect("ratings:rate_thanks", token=token)
            data = form.cleaned_data
            try:
                services.rating_submit(
                    station=station, score=data["score"], tags=data["tags"], comment=data["comment"],
                    worker_group=data["worker_group"], device_hash=visitor.device_hash,
                    network_key=visitor.network_key,
                )
            except services.CooldownActive:
                return _cooldown_page(request, station, _last_rating_by(visitor, station))
            except services.RateLimited:
                return _notice(request, "rate_limited", station=station, status=429)
            except services.StationNotAccepting:
                return _notice(request, "suspended", station=station)
            response = redirect("ratings:rate_thanks", token=token)
            response.status_code = 303
            return antiabuse.remember_device(response, visitor)
    else:
        rated_at = _last_rating_by(visitor, station)
        if rated_at:
            return _cooldown_page(request, station, rated_at)
        form = RatingForm()

    response = render(request, "ratings/rate.html", {
        "station": station, "form": form, "scale": SCALE, "aspects": ASPECTS,
        "selected_score": str(form["score"].value() or ""),
        "selected_tags": set(form["tags"].value() or ()),
    })
    return antiabuse.remember_device(response, visitor)


@never_cache
def rate_thanks(request, token):
    station, refusal = _station_for_token(request, token)
    if refusal:
        return refusal
    summary = rating_summary(station)
    return render(request, "ratings/thanks.html", {"station": station, "summary": summary, "bars": score_bars(summary)})


def _public_station(code):
    return get_object_or_404(Station.objects.select_related("district"), code=code)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def report_problem(request, code):
    station = _public_station(code)
    if station.status == Status.DELISTED:
        return _notice(request, "delisted", station=station, status=410)
    visitor = antiabuse.identify(request)
    form = ProblemReportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        done = redirect(reverse("ratings:report_thanks", args=[station.code]))
        done.status_code = 303
        if form.is_bot():
            return done
        try:
            services.problem_report_submit(
                station=station, kind=form.cleaned_data["kind"], text=form.cleaned_data["text"],
                device_hash=visitor.device_hash, network_key=visitor.network_key,
            )
        except services.CooldownActive:
            return _notice(request, "report_cooldown", station=station)
        except services.RateLimited:
            return _notice(request, "rate_limited", station=station, status=429)
        except services.StationNotAccepting:
            return _notice(request, "delisted", station=station, status=410)
        return antiabuse.remember_device(done, visitor)
    response = render(request, "ratings/report.html", {
        "station": station, "form": form, "selected_kind": form["kind"].value() or "",
    })
    return antiabuse.remember_device(response, visitor)


@never_cache
def report_thanks(request, code):
    station = _public_station(code)
    return _notice(request, "report_thanks", station=station)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a form sent without a valid token (cookies off, page left open for days).

    Workers get a kind page with a link to open the form again instead of
    Django's technical 403; nothing is stored either way.
    """
    return _notice(request, "csrf", status=403, retry_url=request.path)
