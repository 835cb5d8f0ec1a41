"""Numbers for the staff dashboard, the daily report and the campaign view.

Every function takes the Station queryset the reader may see (from
scoping.stations_for) so the dashboard, the emails and the admin can never
disagree on a number or leak one across a scope. Counts come from
ratings.StationDay (kept in step with every scan and visible rating), tag
counts from ratings.Rating, level history from stations.LevelChange.
"""

import calendar
import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, FloatField, IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from stations.models import District, LevelChange, Status

from .models import Alert, Inspection, RectificationTask

COUNT_FIELDS = ("scans", "ratings", "satisfied", "dissatisfied")
# The weekly list ranks satisfaction only for stations with enough ratings to mean something.
WEEKLY_MIN_RATINGS = 3
WEEKLY_LIST_LENGTH = 10


@dataclass(frozen=True)
class Counts:
    scans: int = 0
    ratings: int = 0
    satisfied: int = 0
    dissatisfied: int = 0

    @classmethod
    def from_row(cls, row):
        return cls(**{name: row.get(name) or 0 for name in COUNT_FIELDS})

    @property
    def satisfaction_rate(self):
        """Share of ratings that are satisfied or better (0..1), None without ratings."""
        return self.satisfied / self.ratings if self.ratings else None


@dataclass
class StationCounts:
    station_id: int
    code: str
    name: str
    district_id: int
    counts: Counts


@dataclass
class DistrictCounts:
    district: District
    counts: Counts
    stations: int = 0


@dataclass
class DayActivity:
    date: datetime.date
    total: Counts
    districts: list
    stations: list
    stations_in_scope: int
    active_stations: int
    more_stations: int = 0

    @property
    def idle_stations(self):
        return self.stations_in_scope - self.active_stations


def _sums():
    return {name: Coalesce(Sum(name), 0) for name in COUNT_FIELDS}


def in_stations(queryset, stations, path="station"):
    """Rows of `queryset` whose station is in `stations`.

    For a reader who sees every station (a superuser) the filter is left out:
    at national scale a semi-join against 200,000 stations costs seconds and
    selects nothing away.
    """
    if not stations.query.where:
        return queryset
    return queryset.filter(**{f"{path}__in": stations})


def _days(stations, start, end):
    from ratings.models import StationDay

    return in_stations(StationDay.objects.filter(date__gte=start, date__lte=end), stations)


def _station_names(ids):
    """{id: (code, name)} for a handful of stations (top-N lists)."""
    from stations.models import Station

    return {row[0]: row[1:] for row in Station.objects.filter(pk__in=ids).values_list("pk", "code", "name")}


def totals(stations, start, end):
    """Counts summed over the stations and the dates start..end (inclusive)."""
    return Counts.from_row(_days(stations, start, end).aggregate(**_sums()))


def day_activity(stations, day, *, station_limit=None):
    """Daily supervision: one day's scans and ratings per district and per station.

    Stations are listed most-scanned first (only those with activity that day),
    up to `station_limit`; district rows cover every district with activity.
    """
    days = _days(stations, day, day)
    # One row per station and date: counting rows counts the active stations.
    total_row = days.aggregate(**_sums(), active=Count("pk"))
    district_rows = list(
        days.values("station__district").annotate(**_sums(), stations=Count("station")).order_by("station__district")
    )
    names = District.objects.select_related("city").in_bulk([row["station__district"] for row in district_rows])
    station_rows = days.order_by("-scans", "-ratings", "station__code").values(
        "station_id", "station__code", "station__name", "station__district", *COUNT_FIELDS
    )
    if station_limit is not None:
        station_rows = station_rows[:station_limit]
    station_list = [
        StationCounts(
            row["station_id"], row["station__code"], row["station__name"], row["station__district"],
            Counts.from_row(row),
        )
        for row in station_rows
    ]
    return DayActivity(
        date=day,
        total=Counts.from_row(total_row),
        districts=sorted(
            (
                DistrictCounts(names[row["station__district"]], Counts.from_row(row), row["stations"])
                for row in district_rows
            ),
            key=lambda item: (item.district.city_id, item.district.code),
        ),
        stations=station_list,
        stations_in_scope=stations.count(),
        active_stations=total_row["active"],
        more_stations=max(0, total_row["active"] - len(station_list)),
    )


def daily_series(stations, start, end):
    """[(date, Counts)] for every date start..end, zero-filled: the satisfaction trend."""
    rows = {
        row["date"]: Counts.from_row(row)
        for row in _days(stations, start, end).values("date").annotate(**_sums()).order_by("date")
    }
    span = (end - start).days + 1
    return [(start + datetime.timedelta(days=n), rows.get(start + datetime.timedelta(days=n), Counts()))
            for n in range(span)]


def per_district(stations, start, end):
    """[DistrictCounts] over start..end, most ratings first."""
    rows = list(
        _days(stations, start, end).values("station__district")
        .annotate(**_sums(), stations=Count("station", distinct=True))
        .order_by("station__district")
    )
    names = District.objects.select_related("city").in_bulk([row["station__district"] for row in rows])
    result = [DistrictCounts(names[row["station__district"]], Counts.from_row(row), row["stations"]) for row in rows]
    return sorted(result, key=lambda item: (-item.counts.ratings, item.district.code))


@dataclass
class WeeklyList:
    start: datetime.date
    end: datetime.date
    lowest_satisfaction: list
    most_needs_improvement: list
    overdue_tasks: list = field(default_factory=list)


def week_bounds(today):
    """The last seven full days before `today`."""
    return today - datetime.timedelta(days=7), today - datetime.timedelta(days=1)


def weekly_rectification(stations, today, *, limit=WEEKLY_LIST_LENGTH):
    """Weekly rectification: lowest satisfaction, most "needs improvement", overdue tasks."""
    from ratings.models import Rating

    start, end = week_bounds(today)
    rate = Cast(F("satisfied"), FloatField()) / Cast(F("ratings"), FloatField())
    # Grouped by station id alone; codes and names are fetched for the few rows kept.
    lowest = list(
        _days(stations, start, end).values("station_id")
        .annotate(**_sums())
        .filter(ratings__gte=WEEKLY_MIN_RATINGS)
        .annotate(rate=rate)
        .order_by("rate", "-ratings", "station_id")[:limit]
    )
    begin, finish = _local_day_range(start, end)
    needs = list(
        in_stations(
            Rating.objects.filter(
                hidden=False, tag_needs_improvement=True, created_at__gte=begin, created_at__lt=finish
            ),
            stations,
        )
        .values("station_id")
        .annotate(tags=Count("pk"))
        .order_by("-tags", "station_id")[:limit]
    )
    names = _station_names({row["station_id"] for row in lowest + needs})

    def named(row):
        code, name = names[row["station_id"]]
        return {**row, "station__code": code, "station__name": name}

    return WeeklyList(
        start=start,
        end=end,
        lowest_satisfaction=[{**named(row), "counts": Counts.from_row(row)} for row in lowest],
        most_needs_improvement=[named(row) for row in needs],
        overdue_tasks=list(overdue_tasks(stations, today)),
    )


def overdue_tasks(stations, today):
    return (
        in_stations(RectificationTask.objects.overdue(today), stations)
        .select_related("station", "owner").order_by("deadline", "pk")
    )


def _local_day_range(start, end):
    """Aware datetimes covering local dates start..end (inclusive)."""
    tz = timezone.get_default_timezone()  # StationDay dates are in the portal's time zone
    begin = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    finish = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return begin, finish


def month_bounds(year, month):
    return datetime.date(year, month, 1), datetime.date(year, month, calendar.monthrange(year, month)[1])


@dataclass
class MonthSummary:
    start: datetime.date
    end: datetime.date
    total: Counts
    previous: Counts
    series: list
    districts: list
    downgraded: list
    delisted: list
    reinstated: list


def level_changes(stations, start, end):
    begin, finish = _local_day_range(start, end)
    return in_stations(
        LevelChange.objects.filter(created_at__gte=begin, created_at__lt=finish), stations
    ).select_related("station", "actor").order_by("created_at", "pk")


def month_summary(stations, year, month, today=None):
    """Monthly improvement: ratings and satisfaction against last month, and level moves.

    The daily series stops at `today` for the month in progress.
    """
    start, end = month_bounds(year, month)
    series_end = min(end, today) if today and today >= start else end
    previous_start, previous_end = month_bounds(*(year - 1, 12) if month == 1 else (year, month - 1))
    changes = list(level_changes(stations, start, end))
    series = daily_series(stations, start, series_end)
    return MonthSummary(
        start=start,
        end=end,
        # No station has a day after today, so the series holds the whole month so far.
        total=Counts(*(sum(getattr(counts, name) for _date, counts in series) for name in COUNT_FIELDS)),
        previous=totals(stations, previous_start, previous_end),
        series=series,
        districts=per_district(stations, start, end),
        downgraded=[c for c in changes if c.to_level < c.from_level],
        delisted=[c for c in changes if c.to_status == Status.DELISTED and c.from_status != Status.DELISTED],
        reinstated=[c for c in changes if c.to_status == Status.ACTIVE and c.from_status != Status.ACTIVE],
    )


def open_alerts(stations):
    return in_stations(Alert.objects.open(), stations).select_related("station").order_by("-opened_at")


def campaign(stations, year):
    """The yearly look-back: each station with its last inspection and open tasks.

    Annotates `last_inspected` (any year), `inspections_this_year`,
    `open_tasks` and `inspected_this_year` (bool).
    """
    inspections = Inspection.objects.filter(station=OuterRef("pk"))
    this_year = inspections.filter(date__year=year)
    return stations.select_related("district__city").annotate(
        last_inspected=Subquery(inspections.order_by("-date").values("date")[:1]),
        inspections_this_year=Coalesce(
            Subquery(
                this_year.order_by().values("station").annotate(n=Count("pk")).values("n"),
                output_field=IntegerField(),
            ),
            0,
        ),
        open_tasks=Coalesce(
            Subquery(
                RectificationTask.objects.open().filter(station=OuterRef("pk"))
                .order_by().values("station").annotate(n=Count("pk")).values("n"),
                output_field=IntegerField(),
            ),
            0,
        ),
        inspected_this_year=Exists(this_year),
    )
