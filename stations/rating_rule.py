"""Apply the 3-month rule to every station: the body of `manage.py apply_rating_rule`.

Cost follows the number of stations, not ratings: the database picks the few
stations that are due or at risk (standing.due_by_q, one indexed query per
chunk, reading the per-station RatingStats.last_rated_at); only those are
looked at again, each in its own transaction.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from . import notices, standing
from .models import RuleWarning, Station, Status
from .standing import change_standing

logger = logging.getLogger(__name__)

CHUNK_SIZE = 2000


@dataclass(frozen=True)
class Step:
    code: str
    from_level: int
    to_level: int
    to_status: str
    due: datetime.date

    @property
    def delisted(self):
        return self.to_status == Status.DELISTED


@dataclass(frozen=True)
class Warned:
    code: str
    due: datetime.date
    to: tuple


@dataclass
class RuleReport:
    as_of: datetime.date
    dry_run: bool
    checked: int = 0  # active stations evaluated
    exempt: int = 0  # suspended stations
    at_risk: int = 0  # due within the warning period (whether or not warned before)
    warnings: list = field(default_factory=list)
    steps: list = field(default_factory=list)
    skipped: list = field(default_factory=list)  # codes changed by someone else meanwhile
    failures: list = field(default_factory=list)  # (code, message)

    @property
    def downgraded(self):
        return [step for step in self.steps if not step.delisted]

    @property
    def delisted(self):
        return [step for step in self.steps if step.delisted]


def check_as_of(as_of, *, dry_run):
    """A rule date must not be in the future, except to preview what would happen."""
    if as_of > standing.today() and not dry_run:
        raise ValueError(_("--as-of %(date)s is in the future; only a --dry-run may look ahead.") % {"date": as_of})


def apply_rating_rule(*, as_of=None, dry_run=False, chunk_size=CHUNK_SIZE):
    """Evaluate every active station for `as_of` (default: today in Asia/Shanghai).

    Steps due stations down one level (or delists them), warns stations newly
    at risk, and returns a RuleReport. A dry run writes and sends nothing.
    A failure on one station is logged and reported; the others go on.
    """
    as_of = as_of or standing.today()
    check_as_of(as_of, dry_run=dry_run)
    report = RuleReport(as_of=as_of, dry_run=dry_run)
    counts = dict(Station.objects.values_list("status").annotate(n=models.Count("pk")).order_by())
    report.checked = counts.get(Status.ACTIVE, 0)
    report.exempt = counts.get(Status.SUSPENDED, 0)

    for row in candidates(as_of, chunk_size):
        verdict = standing.evaluate(
            level=row["level"],
            status=row["status"],
            last_rated_at=row["last_rated_at"],
            listed_on=row["listed_on"],
            standing_changed_at=row["standing_changed_at"],
            as_of=as_of,
        )
        if verdict is None or not verdict.at_risk:
            continue  # cannot happen (the query is the same rule) but costs nothing to respect
        if verdict.step:
            _step(report, row, verdict, dry_run)
        else:
            report.at_risk += 1
            if row["warned_due"] != verdict.due:
                _warn(report, row, verdict, dry_run)
    return report


def candidates(as_of, chunk_size=CHUNK_SIZE):
    """Rows of stations due or at risk on `as_of`, read in primary-key chunks.

    Each chunk is fetched whole before any write, so no cursor stays open
    across the per-station transactions.
    """
    horizon = as_of + datetime.timedelta(days=standing.warning_days())
    latest_warning = RuleWarning.objects.filter(station=models.OuterRef("pk")).order_by("-due_on")
    queryset = (
        Station.objects.filter(standing.due_by_q(horizon))
        .annotate(warned_due=models.Subquery(latest_warning.values("due_on")[:1]))
        .order_by("pk")
        .values(
            "pk", "code", "level", "status", "listed_on", "standing_changed_at", "warned_due",
            last_rated_at=models.F("rating_stats__last_rated_at"),
        )
    )
    last_pk = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last_pk)[:chunk_size])
        yield from chunk
        if len(chunk) < chunk_size:
            return
        last_pk = chunk[-1]["pk"]


def _step(report, row, verdict, dry_run):
    if dry_run:
        report.steps.append(Step(row["code"], row["level"], verdict.to_level, verdict.to_status, verdict.due))
        return
    try:
        change = step_station(row["pk"], report.as_of)
    except Exception as error:  # one station's failure must not stop the run
        logger.exception("The rating rule failed for station %s", row["code"])
        report.failures.append((row["code"], str(error) or error.__class__.__name__))
        return
    if change is None:
        report.skipped.append(row["code"])
    else:
        report.steps.append(Step(row["code"], change.from_level, change.to_level, change.to_status, verdict.due))


def step_station(pk, as_of):
    """Step one station down if it is still due on `as_of`; its own transaction.

    The station row is locked and read again, so an overlapping run (or a
    rating or manual change since the chunk was read) is seen; change_standing
    additionally writes only if the standing is still the one read.
    Returns the LevelChange, or None if the station is no longer due.
    """
    with transaction.atomic():
        station = (
            Station.objects.select_for_update(of=("self",))
            .select_related("rating_stats", "district")
            .get(pk=pk)
        )
        verdict = standing.verdict_for(station, as_of)
        if verdict is None or not verdict.step:
            return None
        return change_standing(
            station=station,
            level=verdict.to_level,
            status=verdict.to_status,
            reason=standing.Reason.RULE,
            note=_("No visible rating since %(start)s; the step was due on %(due)s.")
            % {"start": standing.local_date(verdict.clock_start), "due": verdict.due},
            as_of=as_of,
        )


def _warn(report, row, verdict, dry_run):
    if dry_run:
        report.warnings.append(Warned(row["code"], verdict.due, ()))
        return
    try:
        warning = warn_station(row["pk"], verdict, report.as_of)
    except Exception as error:
        logger.exception("The rating-rule warning failed for station %s", row["code"])
        report.failures.append((row["code"], str(error) or error.__class__.__name__))
        return
    if warning is not None:
        report.warnings.append(Warned(row["code"], verdict.due, tuple(warning.recipients.split())))


def warn_station(pk, verdict, as_of):
    """Record and send the one warning for this clock period; None if another run did.

    The row is committed before the email goes out (no database lock is held
    while the mail server answers); if sending fails the row is removed, so
    the next run tries again.
    """
    station = Station.objects.select_related("rating_stats", "district").get(pk=pk)
    to = notices.recipients(station)
    try:
        with transaction.atomic():
            warning = RuleWarning.objects.create(
                station=station, due_on=verdict.due, level=station.level, recipients=" ".join(to), as_of=as_of
            )
    except IntegrityError:
        return None  # an overlapping run has warned for this period
    try:
        notices.send_rule_warning(station, verdict)
    except Exception:
        warning.delete()
        raise
    return warning
