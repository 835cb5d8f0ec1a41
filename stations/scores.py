"""Score columns for lists of stations, computed by the database (no query per row).

Read from ratings.RatingStats (live totals of visible ratings) and
ratings.StationDay (per-day counts). The satisfaction rate mirrors
RatingStats.satisfaction_rate: satisfied or better over all visible ratings,
NULL without ratings. The last rating time is stations.standing's annotation,
so standing.days_since_last_rating() reads it without a query.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Case, F, FloatField, IntegerField, OuterRef, Subquery, Sum, When
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from .standing import with_last_rated_at

RECENT_DAYS = 30
DEFAULT_LOW_SATISFACTION = 0.9


def low_satisfaction_threshold():
    """Below this share of satisfied ratings a station counts as low (a setting, 0..1)."""
    return float(getattr(settings, "LOW_SATISFACTION_THRESHOLD", DEFAULT_LOW_SATISFACTION))


def recent_since(today):
    """First day of the "last 30 days" window that ends with `today` (inclusive)."""
    return today - timedelta(days=RECENT_DAYS - 1)


def with_scores(queryset, *, today=None):
    """Annotate ratings_30d, ratings_total, satisfaction and (standing's) last_rated_at_value."""
    from ratings.models import StationDay

    today = today or timezone.localdate()
    recent = (
        StationDay.objects.filter(station=OuterRef("pk"), date__gte=recent_since(today), date__lte=today)
        .order_by()
        .values("station")
        .annotate(total=Sum("ratings"))
        .values("total")
    )
    total = F("rating_stats__total")
    satisfied = F("rating_stats__count_4") + F("rating_stats__count_5")
    return with_last_rated_at(queryset).annotate(
        ratings_30d=Coalesce(Subquery(recent, output_field=IntegerField()), 0),
        ratings_total=Coalesce(total, 0),
        satisfaction=Case(
            When(rating_stats__total__gt=0, then=Cast(satisfied, FloatField()) / Cast(total, FloatField())),
            default=None,
            output_field=FloatField(),
        ),
    )
