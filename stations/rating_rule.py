"""Apply the 3-month rule to every station: the body of `manage.py apply_rating_rule`.

Cost follows the number of stations, not ratings: the database picks the
stations that are due or at risk (standing.due_by_q, reading the per-station
RatingStats.last_rated_at), in primary-key chunks. Each chunk is written in
one transaction (stations.standing.change_standings: rows locked, a station
changed meanwhile is skipped, one LevelChange per station); if a chunk fails,
its stations are retried one transaction each, so one bad station is reported
and the others are still applied. Emails go out after the writes, over one
mail connection.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.core import mail
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import notices, standing
from .bulk import insert_saved
from .models import District, RuleWarning, Station, Status
from .standing import change_standings

logger = logging.getLogger(__name__)

CHUNK_SIZE = 2000

# What the emails and the rule read from a candidate station.
CANDIDATE_FIELDS = (
    "code", "name", "address", "level", "status", "listed_on", "standing_changed_at", "manager_email", "district",
)


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
    at_risk: int = 0  # due within the warning period, not yet due (warned before or now)
    warnings: list = field(default_factory=list)
    steps: list = field(default_factory=list)
    skipped: list = field(default_factory=list)  # codes changed by someone else meanwhile
    failures: list = field(default_factory=list)  # (code, message): the station was not handled
    emails_sent: int = 0
    email_failures: list = field(default_factory=list)  # (code, message)

    @property
    def downgraded(self):
        return [step for step in self.steps if not step.delisted]

    @property
    def delisted(self):
        return [step for step in self.steps if step.delisted]

    @property
    def failed(self):
        return bool(self.failures or self.email_failures)


def check_as_of(as_of, *, dry_run):
    """A rule date must not be in the future, except to preview what would happen."""
    if as_of > standing.today() and not dry_run:
        raise ValueError(_("--as-of %(date)s is in the future; only a --dry-run may look ahead.") % {"date": as_of})


def apply_rating_rule(*, as_of=None, dry_run=False, chunk_size=CHUNK_SIZE):
    """Evaluate every active station for `as_of` (default: today in Asia/Shanghai).

    Steps due stations down one level (or delists them), warns stations newly
    at risk, and returns a RuleReport. A dry run writes and sends nothing.
    """
    as_of = as_of or standing.today()
    check_as_of(as_of, dry_run=dry_run)
    report = RuleReport(as_of=as_of, dry_run=dry_run)
    counts = dict(Station.objects.order_by().values_list("status").annotate(n=models.Count("pk")))
    report.checked = counts.get(Status.ACTIVE, 0)
    report.exempt = counts.get(Status.SUSPENDED, 0)

    outbox = []
    for chunk in candidate_chunks(as_of, chunk_size):
        steps, warnings = plan(chunk, as_of, report)
        if dry_run:
            report.steps += [step_of(station, verdict) for station, verdict in steps]
            report.warnings += [Warned(station.code, verdict.due, ()) for station, verdict in warnings]
            continue
        try:
            with transaction.atomic():
                done = write(steps, warnings, as_of)
        except Exception:
            logger.exception("The rating rule failed for a chunk; retrying its stations one by one")
            outbox += write_one_by_one(steps, warnings, as_of, report)
        else:
            outbox += done.merge_into(report)
    if outbox:
        send(outbox, report)
    return report


def candidate_chunks(as_of, chunk_size=CHUNK_SIZE):
    """Lists of stations due or at risk on `as_of`, by primary key.

    Each chunk is fetched whole before anything is written, so no cursor
    stays open across the writes.
    """
    horizon = as_of + datetime.timedelta(days=standing.warning_days())
    latest_warning = RuleWarning.objects.filter(station=models.OuterRef("pk")).order_by("-due_on")
    queryset = standing.with_last_rated_at(
        Station.objects.filter(standing.due_by_q(horizon))
        .only(*CANDIDATE_FIELDS)
        .annotate(warned_due=models.Subquery(latest_warning.values("due_on")[:1]))
        .order_by("pk")
    )
    # The few thousand districts once, shared by their stations (the emails
    # read the chief's address), rather than one instance per candidate.
    districts = District.objects.only("chief_email").in_bulk()
    last_pk = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last_pk)[:chunk_size])
        if added := {station.district_id for station in chunk} - districts.keys():  # created during the run
            districts |= District.objects.only("chief_email").in_bulk(added)
        for station in chunk:
            station.district = districts[station.district_id]
        if chunk:
            yield chunk
        if len(chunk) < chunk_size:
            return
        last_pk = chunk[-1].pk


def plan(chunk, as_of, report):
    """Split a chunk into (station, verdict) steps and new warnings; count those at risk."""
    steps, warnings = [], []
    for station in chunk:
        verdict = standing.verdict_for(station, as_of)
        if verdict is None or not verdict.at_risk:
            continue  # the query is the same rule, so this does not happen; it costs nothing to respect
        if verdict.step:
            steps.append((station, verdict))
        else:
            report.at_risk += 1
            if station.warned_due != verdict.due:
                warnings.append((station, verdict))
    return steps, warnings


def step_of(station, verdict):
    return Step(station.code, station.level, verdict.to_level, verdict.to_status, verdict.due)


@dataclass
class Written:
    """What a committed write did: merged into the report only after the commit."""

    steps: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    outbox: list = field(default_factory=list)  # (code, RuleWarning or None, EmailMessage or None)

    def merge_into(self, report):
        report.steps += self.steps
        report.warnings += self.warnings
        report.skipped += self.skipped
        return self.outbox


def write(steps, warnings, as_of):
    """Apply steps and record warnings, inside the caller's transaction."""
    done = Written()
    items = [(station, verdict.to_level, verdict.to_status, rule_note(verdict)) for station, verdict in steps]
    read = {station.pk: (station.level, verdict.due) for station, verdict in steps}
    changes, stale = change_standings(items, reason=standing.Reason.RULE, as_of=as_of)
    done.skipped += [station.code for station in stale]
    for change in changes:
        station = change.station
        from_level, due = read[station.pk]
        done.steps.append(Step(station.code, from_level, change.to_level, change.to_status, due))
        done.outbox.append((station.code, None, notices.standing_notice_message(change)))

    if warnings:
        # Lock the stations, then look again: an overlapping run may have just warned them.
        pks = [station.pk for station, _ in warnings]
        list(Station.objects.select_for_update().filter(pk__in=pks).values_list("pk"))
        sent = set(RuleWarning.objects.filter(station_id__in=pks).values_list("station_id", "due_on"))
        new = [(station, verdict) for station, verdict in warnings if (station.pk, verdict.due) not in sent]
        rows = _record_warnings(new, as_of)
        for (station, verdict), row in zip(new, rows, strict=True):
            done.warnings.append(Warned(station.code, verdict.due, tuple(row.recipients.split())))
            done.outbox.append((station.code, row, notices.rule_warning_message(station, verdict)))
    return done


def _record_warnings(new, as_of):
    """Insert one RuleWarning per (station, verdict), without per-instance
    preparation (a first run may warn thousands); returns them saved, in order."""
    now = timezone.now()
    return insert_saved(RuleWarning, [
        {
            "station_id": station.pk, "due_on": verdict.due, "level": station.level,
            "recipients": " ".join(notices.recipients(station)), "as_of": as_of, "sent_at": now,
        }
        for station, verdict in new
    ], unique_by="station_id")


def write_one_by_one(steps, warnings, as_of, report):
    """A chunk failed: each station in its own transaction, failures reported."""
    outbox = []
    for one in [([item], []) for item in steps] + [([], [item]) for item in warnings]:
        station = (one[0] or one[1])[0][0]
        try:
            with transaction.atomic():
                done = write(*one, as_of)
        except Exception as error:  # one station's failure must not stop the run
            logger.exception("The rating rule failed for station %s", station.code)
            report.failures.append((station.code, str(error) or error.__class__.__name__))
        else:
            outbox += done.merge_into(report)
    return outbox


def rule_note(verdict):
    return _("No visible rating since %(start)s; the step was due on %(due)s.") % {
        "start": standing.local_date(verdict.clock_start).isoformat(), "due": verdict.due.isoformat(),
    }


def send(outbox, report):
    """Send the run's emails over one connection.

    A warning that cannot be sent is forgotten (its row deleted) so the next
    run tries again; a notice that cannot be sent is reported (the change
    itself stands, and is in the station's history).
    """
    messages = [(code, row, message) for code, row, message in outbox if message is not None]
    if not messages:
        return
    connection = mail.get_connection()
    try:
        connection.open()
    except Exception as error:
        logger.exception("Could not connect to the mail server")
        for code, row, _message in messages:
            _email_failed(report, code, row, error)
        return
    try:
        for code, row, message in messages:
            message.connection = connection
            try:
                message.send()
                report.emails_sent += 1
            except Exception as error:
                logger.exception("Could not send the rating-rule email for %s", code)
                _email_failed(report, code, row, error)
    finally:
        connection.close()


def _email_failed(report, code, row, error):
    report.email_failures.append((code, str(error) or error.__class__.__name__))
    if row is not None:
        RuleWarning.objects.filter(pk=row.pk).delete()
