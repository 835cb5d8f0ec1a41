import datetime
import re

from django.core.management.base import BaseCommand, CommandError

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
            raise CommandError(f"{len(report.failures)} station(s) failed; see the lines marked FAILED above.")
        if report.email_failures:
            raise CommandError(f"{len(report.email_failures)} email(s) could not be sent; see above.")

    def print_report(self, report):
        write = self.stdout.write
        heading = f"Rating rule as of {report.as_of.isoformat()}"
        if report.dry_run:
            heading += " (dry run: nothing written, nothing sent)"
        write(heading)
        would = "would step " if report.dry_run else ""
        for step in report.steps:
            write(f"  {step.code}: {would}{standing_label(step.from_level, Status.ACTIVE)} -> "
                  f"{standing_label(step.to_level, step.to_status)} (step due {step.due.isoformat()})")
        for warned in report.warnings:
            to = f" to {', '.join(warned.to)}" if warned.to else ""
            verb = "would be warned" if report.dry_run else "warned"
            write(f"  {warned.code}: at risk, {verb}{to} (step due {warned.due.isoformat()})")
        for code in report.skipped:
            write(f"  {code}: skipped, its standing changed while the rule ran")
        for code, message in report.failures:
            write(self.style.ERROR(f"  {code}: FAILED: {message}"))

        write(f"Stations checked: {report.checked} active ({report.exempt} suspended, exempt)")
        write(f"At risk (step due within the warning period): {report.at_risk}")
        write(f"Warned{' (would be)' if report.dry_run else ''}: {len(report.warnings)}")
        write(f"Downgraded: {len(report.downgraded)}")
        for (from_level, to_level), count in sorted(transitions(report.downgraded).items(), reverse=True):
            write(f"  {Level(from_level).label} -> {Level(to_level).label}: {count}")
        write(f"Delisted: {len(report.delisted)}")
        if report.skipped:
            write(f"Skipped: {len(report.skipped)}")
        if not report.dry_run:
            write(f"Emails sent: {report.emails_sent}")
        if report.failures:
            write(self.style.ERROR(f"Failed: {len(report.failures)}"))
        if report.email_failures:
            code, message = report.email_failures[0]
            write(self.style.ERROR(
                f"Emails not sent: {len(report.email_failures)} (first: {code}: {message}); "
                "warnings not sent will be tried again on the next run"
            ))


def parse_date_option(value):
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise CommandError(f"--as-of must be a calendar date written YYYY-MM-DD, e.g. 2026-04-15; got {value!r}.")


def standing_label(level, status):
    return str(Status.DELISTED.label) if status == Status.DELISTED else str(Level(level).label)


def transitions(steps):
    counts = {}
    for step in steps:
        key = (step.from_level, step.to_level)
        counts[key] = counts.get(key, 0) + 1
    return counts
