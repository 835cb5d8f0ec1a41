"""Reads for ratings: summaries the public pages, the admin and other apps show."""

from django.db.models import Count

from .aspects import SCALE
from .models import ProblemReport, RatingStats


def rating_summary(station):
    """The station's RatingStats (an unsaved empty one when it has no ratings yet)."""
    try:
        return station.rating_stats
    except RatingStats.DoesNotExist:
        return RatingStats(station=station)


def score_bars(stats):
    """One row per answer, best first: icon, label and count (for the summary's bars)."""
    return [
        {"score": score, "icon": icon, "label": label, "count": getattr(stats, f"count_{score}")}
        for score, icon, label in SCALE
    ]


def last_problem_report(station):
    """The station's most recent problem report, handled or not (for staff), or None."""
    return ProblemReport.objects.filter(station=station).order_by("-created_at", "-id").first()


def open_problem_counts(stations):
    """{station_id: number of unhandled problem reports} for a Station queryset, one query."""
    rows = (
        ProblemReport.objects.filter(station__in=stations, handled=False).order_by()
        .values("station_id").annotate(n=Count("id"))
    )
    return {row["station_id"]: row["n"] for row in rows}

