import datetime
import logging

from django.core.mail import get_connection
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from oversight.reports import daily_reports, send_daily_report
from stations.models import City

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Send each station manager and district chief the scan summary of their stations for one day: "
        "scans, ratings and satisfaction per station (and per district for chiefs), and the stations "
        "not scanned. Recipients are active staff accounts in the station manager or district chief role "
        "with an email, plus registry contact addresses (station manager email, district chief email) "
        "held by no such account. The day is yesterday (Asia/Shanghai) unless --date is given. "
        "Numbers are the dashboard's daily supervision numbers. Run once a day, e.g. at 07:00."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Report on this day (YYYY-MM-DD) instead of yesterday.")
        # dest differs from the name: "stdout" is BaseCommand's output stream.
        parser.add_argument("--stdout", dest="print_only", action="store_true", help="Print the reports instead of emailing them.")
        parser.add_argument("--city", metavar="CODE", help="Only this city's stations and their recipients (city code, e.g. qingdao).")

    def handle(self, *args, **options):
        day = self._day(options["date"])
        city = self._city(options["city"])
        if options["print_only"]:
            printed = 0
            for report in daily_reports(day, city):
                self.stdout.write(f"To: {report.email}\nSubject: {report.subject}\n\n{report.body}\n{'-' * 60}")
                printed += 1
            self.stdout.write(self._summary(_("Printed %(count)d daily report(s) for %(date)s."),
                                            _("Printed %(count)d daily report(s) for %(date)s in %(city)s."),
                                            printed, day, city))
            return
        sent, failed = 0, []
        # One mail-server connection for the whole run, not one per report.
        with get_connection() as connection:
            for report in daily_reports(day, city):
                try:
                    send_daily_report(report, connection=connection)
                except Exception as error:  # one bad address must not stop everyone else's report
                    logger.exception("Daily report to %s failed", report.email)
                    failed.append(f"{report.email} ({error})")
                else:
                    sent += 1
        self.stdout.write(self._summary(_("Sent %(count)d daily report(s) for %(date)s."),
                                        _("Sent %(count)d daily report(s) for %(date)s in %(city)s."),
                                        sent, day, city))
        if failed:
            raise CommandError(_("%(count)d report(s) could not be sent: %(addresses)s")
                               % {"count": len(failed), "addresses": "; ".join(failed[:20])})

    @staticmethod
    def _summary(everywhere, in_city, count, day, city):
        values = {"count": count, "date": day.isoformat(), "city": city.code if city else ""}
        return (in_city if city else everywhere) % values

    def _city(self, code):
        if code is None:
            return None
        try:
            return City.objects.get(code=code.strip())
        except City.DoesNotExist:
            known = ", ".join(City.objects.order_by("code").values_list("code", flat=True))
            raise CommandError(_("--city: no city with code %(code)r. Known codes: %(known)s.")
                               % {"code": code, "known": known or _("none")}) from None

    def _day(self, raw):
        if not raw:
            return timezone.localdate() - datetime.timedelta(days=1)
        try:
            return datetime.date.fromisoformat(raw)
        except ValueError:
            raise CommandError(_("--date must be a date written YYYY-MM-DD, not %(raw)r.") % {"raw": raw}) from None
