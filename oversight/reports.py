"""The daily scan report for station managers and district chiefs.

Each report holds a selectors.DayActivity, the same numbers as the dashboard's
daily supervision section (selectors.day_activity). At national scale there
are about as many recipients as stations, so the numbers are not asked of the
database per recipient: the day's StationDay rows, the stations and the
districts are read once (a fixed number of queries), and each recipient's
DayActivity is added up in Python from them. tests/test_daily_report.py checks
that the two ways agree.
"""

import heapq
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import get_template
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from stations.models import District

from . import selectors
from .recipients import registry_stations, report_recipients

# Stations without scans are named in the email up to this many.
IDLE_LIST_LIMIT = 50


@dataclass
class DailyReport:
    email: str
    user: object  # None for a registry contact without an account
    activity: selectors.DayActivity
    subject: str
    body: str


class _Day:
    """One day's StationDay rows for the stations in reach, read in one query.

    The rows keep the order day_activity lists them in (most scans first, then
    most ratings, then station code, as the database sorts), so a recipient's
    stations are listed in the dashboard's order whatever the collation.
    `stations` are the registry_stations() read for the report, `position`
    maps a station pk to its index there.
    """

    def __init__(self, day, stations, position, city):
        from ratings.models import StationDay

        days = StationDay.objects.filter(date=day)
        if city is not None:
            days = days.filter(station__district__city=city)
        self.rows = {}  # station pk -> (rank, StationCounts)
        rows = days.order_by("-scans", "-ratings", "station__code").values_list(
            "station_id", *selectors.COUNT_FIELDS
        )
        for rank, (station_id, *counts) in enumerate(rows.iterator(chunk_size=5000)):
            if station_id not in position:  # added since the stations were read: in no recipient's list
                continue
            station = stations[position[station_id]]
            self.rows[station_id] = (
                rank,
                selectors.StationCounts(
                    station_id, station.code, station.name, station.district_id, selectors.Counts(*counts)
                ),
            )
        self.date = day
        self.districts = District.objects.select_related("city").in_bulk()

    def activity(self, station_ids):
        """selectors.day_activity(<those stations>, day), without a station limit."""
        active = sorted((self.rows[pk] for pk in station_ids if pk in self.rows), key=lambda row: row[0])
        station_list = [row for _rank, row in active]
        per_district = defaultdict(list)
        for row in station_list:
            per_district[row.district_id].append(row.counts)
        return selectors.DayActivity(
            date=self.date,
            total=_sum(row.counts for row in station_list),
            districts=sorted(
                (
                    selectors.DistrictCounts(self.districts[district_id], _sum(counts), len(counts))
                    for district_id, counts in per_district.items()
                ),
                key=lambda item: (item.district.city_id, item.district.code),
            ),
            stations=station_list,
            stations_in_scope=len(station_ids),
            active_stations=len(station_list),
        )


def _sum(counts):
    counts = list(counts)
    return selectors.Counts(*(sum(getattr(c, name) for c in counts) for name in selectors.COUNT_FIELDS))


def daily_reports(day, city=None):
    """One report per manager / chief address with at least one station, for `day`
    (with `city`: only that city's stations, and only addresses that have some there).

    A generator: at national scale there are about as many reports as stations.
    The queries are made before the first report, and their number does not
    depend on how many recipients or stations there are.
    """
    stations = registry_stations(city)
    position = {station.pk: n for n, station in enumerate(stations)}  # code order
    recipients = report_recipients(stations)
    numbers = _Day(day, stations, position, city)
    template = get_template("oversight/email/daily_report.txt")
    dashboard_url = f"{settings.PUBLIC_BASE_URL}{reverse('oversight:dashboard')}?date={day.isoformat()}"
    for email, user, station_ids in recipients:
        if not station_ids:
            continue
        activity = numbers.activity(station_ids)
        idle = heapq.nsmallest(
            IDLE_LIST_LIMIT, (position[pk] for pk in station_ids if pk not in numbers.rows)
        )  # the first stations by code that were not scanned
        idle = [(stations[n].code, stations[n].name) for n in idle]
        # Staff read the portal's language (Chinese by default), not the sender's.
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("Yizhan daily report %(date)s: %(scans)d scans, %(ratings)d ratings") % {
                "date": day.isoformat(), "scans": activity.total.scans, "ratings": activity.total.ratings,
            }
            body = template.render(
                {
                    "activity": activity,
                    "user": user,
                    "idle": idle,
                    "idle_more": max(0, activity.idle_stations - IDLE_LIST_LIMIT),
                    "dashboard_url": dashboard_url,
                },
            )
        yield DailyReport(email, user, activity, subject, body)


def send_daily_report(report, connection=None):
    """Send one report; pass a shared `connection` when sending many."""
    EmailMessage(report.subject, report.body, to=[report.email], connection=connection).send()
