import datetime
import functools
import re

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from stations import rating_rule
from stations.models import Level, Status


class Command(BaseCommand):
    help = (
        "Apply the 3-month no-rating rule (run it once a day). For each active station the "
        "clock starts at the latest of: its last visible rating, the start of its listing day, "
        "its last level or status change. On the date 3 calendar months after that "
        "(Asia/Shanghai dates; a missing day becomes the month's last day, so 30 Nov gives "
        "28/29 Feb) and on any later run, the station steps down one level: national to "
        "provincial to city; a city-level station is delisted. One step per station per run, "
        "and the step restarts the clock. Suspended and delisted stations are not evaluated; "
        "hidden ratings do not count. A station whose step is due within "
        "RATING_RULE_WARNING_DAYS (30) days is at risk: its manager and its district's chief "
        "get one warning email per clock period, and a notice when it is downgraded or "
        "delisted. Running twice for the same date changes nothing the second time. "
        "Exit status 1 if any station failed or an email could not be sent."
    )
    # A daily job: the project's system checks (URL imports and all) are for deploys, not cron.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of",
            metavar="YYYY-MM-DD",
            help="Evaluate as if it were this date (default: today in Asia/Shanghai). "
            "A date in the future is allowed only with --dry-run.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Print what would change; write and send nothing."
        )

    def handle(self, *args, as_of=None, dry_run=False, **options):
        day = parse_date_option(as_of) if as_of is not None else None
        try:
            report = rating_rule.apply_rating_rule(as_of=day, dry_run=dry_run)
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.print_report(report)
        if report.failures:
            raise CommandError(
                _("%(count)d station(s) failed; see the lines marked FAILED above.") % {"count": len(report.failures)}
            )
        if report.email_failures:
            raise CommandError(
                _("%(count)d email(s) could not be sent; see above.") % {"count": len(report.email_failures)}
            )

    def print_report(self, report):
        write = self.stdout.write
        heading = {"date": report.as_of.isoformat()}
        if report.dry_run:
            write(_("Rating rule as of %(date)s (dry run: nothing written, nothing sent)") % heading)
        else:
            write(_("Rating rule as of %(date)s") % heading)
        # A first run over a national registry prints tens of thousands of
        # lines: each sentence and label is translated once, and the lines
        # are written in one go.
        label = functools.lru_cache(maxsize=None)(standing_label)
        if report.dry_run:
            step_line = _("%(code)s: would step %(from)s -> %(to)s (step due %(due)s)")
        else:
            step_line = _("%(code)s: %(from)s -> %(to)s (step due %(due)s)")
        lines = [
            "  " + step_line % {
                "code": step.code,
                "from": label(step.from_level, Status.ACTIVE),
                "to": label(step.to_level, step.to_status),
                "due": step.due.isoformat(),
            }
            for step in report.steps
        ]
        if report.dry_run:
            warned_to = _("%(code)s: at risk, would be warned to %(to)s (step due %(due)s)")
            warned_nobody = _("%(code)s: at risk, would be warned (step due %(due)s)")
        else:
            warned_to = _("%(code)s: at risk, warned to %(to)s (step due %(due)s)")
            warned_nobody = _("%(code)s: at risk, warned (step due %(due)s)")
        lines += [
            "  " + (warned_to if warned.to else warned_nobody)
            % {"code": warned.code, "to": ", ".join(warned.to), "due": warned.due.isoformat()}
            for warned in report.warnings
        ]
        skipped = _("%(code)s: skipped, its standing changed while the rule ran")
        lines += ["  " + skipped % {"code": code} for code in report.skipped]
        if lines:
            write("\n".join(lines))
        for code, message in report.failures:
            write(self.style.ERROR("  " + _("%(code)s: FAILED: %(message)s") % {"code": code, "message": message}))

        write(_("Stations checked: %(checked)d active (%(exempt)d suspended, exempt)")
              % {"checked": report.checked, "exempt": report.exempt})
        write(_("At risk (step due within the warning period): %(count)d") % {"count": report.at_risk})
        if report.dry_run:
            write(_("Warned (would be): %(count)d") % {"count": len(report.warnings)})
        else:
            write(_("Warned: %(count)d") % {"count": len(report.warnings)})
        write(_("Downgraded: %(count)d") % {"count": len(report.downgraded)})
        for (from_level, to_level), count in sorted(transitions(report.downgraded).items(), reverse=True):
            write("  " + _("%(from)s -> %(to)s: %(count)d")
                  % {"from": Level(from_level).label, "to": Level(to_level).label, "count": count})
        write(_("Delisted: %(count)d") % {"count": len(report.delisted)})
        if report.skipped:
            write(_("Skipped: %(count)d") % {"count": len(report.skipped)})
        if not report.dry_run:
            write(_("Emails sent: %(count)d") % {"count": report.emails_sent})
        if report.failures:
            write(self.style.ERROR(_("Failed: %(count)d") % {"count": len(report.failures)}))
        if report.email_failures:
            code, message = report.email_failures[0]
            write(self.style.ERROR(
                _("Emails not sent: %(count)d (first: %(code)s: %(message)s); "
                  "warnings not sent will be tried again on the next run")
                % {"count": len(report.email_failures), "code": code, "message": message}
            ))


def parse_date_option(value):
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise CommandError(
        _("--as-of must be a calendar date written YYYY-MM-DD, e.g. 2026-04-15; got %(value)s.") % {"value": repr(value)}
    )


def standing_label(level, status):
    return str(Status.DELISTED.label) if status == Status.DELISTED else str(Level(level).label)


def transitions(steps):
    counts = {}
    for step in steps:
        key = (step.from_level, step.to_level)
        counts[key] = counts.get(key, 0) + 1
    return counts
