"""The daily scan report for station managers and district chiefs.

Built from selectors.day_activity, the function behind the dashboard's daily
supervision section, so the email and the dashboard show the same numbers.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from . import selectors
from .recipients import report_recipients

# Stations without scans are named in the email up to this many.
IDLE_LIST_LIMIT = 50


@dataclass
class DailyReport:
    email: str
    user: object  # None for a registry contact without an account
    activity: selectors.DayActivity
    subject: str
    body: str


def daily_reports(day, city=None):
    """One report per manager / chief address with at least one station, for `day`
    (with `city`: only that city's stations, and only addresses that have some there).

    A generator: at national scale there are about as many reports as stations.
    """
    for email, user, stations in report_recipients(city):
        activity = selectors.day_activity(stations, day)
        if not activity.stations_in_scope:
            continue
        active = {row.station_id for row in activity.stations}
        idle = list(
            stations.exclude(pk__in=active).order_by("code").values_list("code", "name")[: IDLE_LIST_LIMIT + 1]
        )
        # Staff read the portal's language (Chinese by default), not the sender's.
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("Yizhan daily report %(date)s: %(scans)d scans, %(ratings)d ratings") % {
                "date": day.isoformat(), "scans": activity.total.scans, "ratings": activity.total.ratings,
            }
            body = render_to_string(
                "oversight/email/daily_report.txt",
                {
                    "activity": activity,
                    "user": user,
                    "idle": idle[:IDLE_LIST_LIMIT],
                    "idle_more": max(0, activity.idle_stations - IDLE_LIST_LIMIT),
                    "dashboard_url": f"{settings.PUBLIC_BASE_URL}{reverse('oversight:dashboard')}?date={day.isoformat()}",
                },
            )
        yield DailyReport(email, user, activity, subject, body)


def send_daily_report(report, connection=None):
    """Send one report; pass a shared `connection` when sending many."""
    EmailMessage(report.subject, report.body, to=[report.email], connection=connection).send()
