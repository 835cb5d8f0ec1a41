"""A station's standing: its certification level, its status and the 3-month rule.

The rule (README, "Certification levels and the 3-month rule"):

- The rating clock starts at the latest of: the last visible rating, the start
  of the listing day, the last level or status change.
- The step is due on the date 3 calendar months after the clock's start date
  (Asia/Shanghai dates; a day missing from the target month becomes that
  month's last day: 30 Nov -> 28/29 Feb, 31 Aug -> 30 Nov).
- A rule run for a date on or after the due date steps the station down one
  level; a city-level station is delisted. The step restarts the clock.
- Suspended stations are exempt; delisted stations are not evaluated.

Every date computation lives here, once; the admin filter, the command and the
emails call these functions. "Today" is always computed at call time.
"""

import calendar
import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .bulk import insert_saved
from .models import Level, LevelChange, Station, Status

# The rule is Qingdao's and counts Chinese calendar days, whatever the server's zone.
RULE_TZ = ZoneInfo("Asia/Shanghai")
RULE_MONTHS = 3
BATCH = 500  # rows per IN (...) list or INSERT: well inside SQLite's parameter limit

Reason = LevelChange.Reason


class StaleStanding(Exception):
    """The station's level or status changed since it was read; nothing was written."""


# --- Calendar arithmetic -----------------------------------------------------


def add_months(day, months):
    """`day` moved by whole calendar months; a missing day becomes the month's last day."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def latest_start_due_by(day, months=RULE_MONTHS):
    """The latest clock-start date whose step falls due on or before `day`.

    The inverse of add_months (which never decreases as its input grows):
    add_months(d, months) <= day  <=>  d <= latest_start_due_by(day).
    It lets the database select due stations with plain comparisons.
    """
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    last_of_month = calendar.monthrange(year, month)[1]
    if day.day == calendar.monthrange(day.year, day.month)[1]:
        # Every day of the earlier month, clamped or not, lands on or before the month end.
        return datetime.date(year, month, last_of_month)
    return datetime.date(year, month, min(day.day, last_of_month))


def local_date(moment):
    return timezone.localtime(moment, RULE_TZ).date()


def start_of_day(day):
    """00:00 Asia/Shanghai on `day`, as an aware datetime."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=RULE_TZ)


def today():
    return timezone.localdate(timezone=RULE_TZ)


def warning_days():
    return settings.RATING_RULE_WARNING_DAYS


# --- The rule for one station -------------------------------------------------


def clock_start(*, last_rated_at, listed_on, standing_changed_at):
    """The moment the rating clock last (re)started."""
    moments = [start_of_day(listed_on)]
    moments += [m for m in (last_rated_at, standing_changed_at) if m is not None]
    return max(moments)


def due_date(start):
    """The date on which a station whose clock started at `start` steps down."""
    return add_months(local_date(start), RULE_MONTHS)


def step_down(level, status):
    """The standing one step below: the next lower level, or delisted from the lowest."""
    if level > Level.CITY:
        return Level(level - 1), Status.ACTIVE
    return Level.CITY, Status.DELISTED


@dataclass(frozen=True)
class Verdict:
    clock_start: datetime.datetime
    due: datetime.date
    step: bool  # the step is due on or before the evaluated date
    at_risk: bool  # the step is due within the warning period (or already due)
    to_level: int
    to_status: str


def evaluate(*, level, status, last_rated_at, listed_on, standing_changed_at, as_of):
    """The rule's verdict for one station on date `as_of`; None if the rule does not apply."""
    if status != Status.ACTIVE:
        return None
    start = clock_start(
        last_rated_at=last_rated_at, listed_on=listed_on, standing_changed_at=standing_changed_at
    )
    due = due_date(start)
    to_level, to_status = step_down(level, status)
    return Verdict(
        clock_start=start,
        due=due,
        step=due <= as_of,
        at_risk=due <= as_of + datetime.timedelta(days=warning_days()),
        to_level=to_level,
        to_status=to_status,
    )


def last_rated_at(station):
    """The station's last visible rating time, None if never rated (no stats row)."""
    if hasattr(station, "last_rated_at_value"):  # annotated by with_last_rated_at()
        return station.last_rated_at_value
    try:
        return station.rating_stats.last_rated_at
    except Station.rating_stats.RelatedObjectDoesNotExist:
        return None


def verdict_for(station, as_of=None):
    return evaluate(
        level=station.level,
        status=station.status,
        last_rated_at=last_rated_at(station),
        listed_on=station.listed_on,
        standing_changed_at=station.standing_changed_at,
        as_of=as_of or today(),
    )


def next_step_due(station):
    """The date the station steps down if it gets no rating, None if the rule does not apply."""
    verdict = verdict_for(station)
    return verdict.due if verdict else None


def days_since_last_rating(station, today_=None):
    """Whole Shanghai calendar days since the last visible rating, None if never rated."""
    moment = last_rated_at(station)
    if moment is None:
        return None
    return ((today_ or today()) - local_date(moment)).days


# --- The same rule as database filters ---------------------------------------


def with_last_rated_at(queryset):
    """Annotate `last_rated_at_value` (one LEFT JOIN), for lists that show or sort by it."""
    return queryset.annotate(last_rated_at_value=models.F("rating_stats__last_rated_at"))


def due_by_q(day):
    """Active stations whose step is due on or before `day`.

    max(a, b, c) <= bound is a <= bound and b <= bound and c <= bound, so the
    clock start needs no GREATEST() and indexes stay usable.
    """
    latest = latest_start_due_by(day)
    before = start_of_day(latest + datetime.timedelta(days=1))
    return (
        models.Q(status=Status.ACTIVE, listed_on__lte=latest)
        & (models.Q(rating_stats__last_rated_at__isnull=True) | models.Q(rating_stats__last_rated_at__lt=before))
        & (models.Q(standing_changed_at__isnull=True) | models.Q(standing_changed_at__lt=before))
    )


def at_risk_q(as_of=None):
    """Active stations within the warning period of their next step, or already due."""
    return due_by_q((as_of or today()) + datetime.timedelta(days=warning_days()))


def filter_at_risk(queryset, as_of=None):
    return queryset.filter(at_risk_q(as_of))


def filter_due(queryset, as_of=None):
    return queryset.filter(due_by_q(as_of or today()))


# --- Changing a station's standing -------------------------------------------


def change_standing(*, station, level, status, reason, note="", actor=None, as_of=None):
    """Change one station's level and/or status: the one way to do it after creation.

    Records a LevelChange and restarts the rating clock, in one transaction.
    `as_of` (the rule's evaluation date) makes the change count from the start
    of that day, so a run for a past date gives what a run on that day would have.
    If another process changed the standing since `station` was read,
    StaleStanding is raised and nothing is written. The station's manager and
    district chief are told of a downgrade or delisting after the commit.
    """
    with transaction.atomic():
        changes, stale = change_standings(
            [(station, level, status, note)], reason=reason, actor=actor, as_of=as_of
        )
        if stale:
            raise StaleStanding(station.pk)
        change = changes[0]
        if is_demotion(change):
            from . import notices

            # After commit: a rolled-back change sends nothing, and a mail
            # server failure never undoes a change (robust: logged, not raised).
            transaction.on_commit(lambda: notices.send_standing_notice(change), robust=True)
    return change


def change_standings(items, *, reason, actor=None, as_of=None):
    """Change many stations at once: items are (station, level, status, note).

    The write behind change_standing, and the rule's batch form of it (one
    statement per kind of step instead of one transaction per station).
    Each station is written only if its level, status and last change are
    still those read into the instance (rows are locked first); the others
    are returned as stale. Returns (level_changes, stale_stations). Sends no email.
    """
    reason = Reason(reason)
    wanted = []
    if len({station.pk for station, *_ in items}) < len(items):
        raise ValueError("change_standings takes each station once")
    for station, level, status, note in items:
        level, status, note = Level(level), Status(status), (note or "").strip()
        if reason == Reason.MANUAL and not note:
            raise ValidationError({"note": _("Give the reason for this change in writing.")})
        if (level, status) == (station.level, station.status):
            raise ValidationError(_("The station already has this level and status."))
        wanted.append((station, level, status, note))
    if not wanted:
        return [], []

    now = timezone.now()
    changed_at = start_of_day(as_of) if as_of else now
    with transaction.atomic():
        pks = [station.pk for station, *_ in wanted]
        current = {}
        for batch in batched(pks):
            locked = Station.objects.select_for_update().filter(pk__in=batch)
            current.update((pk, rest) for pk, *rest in locked.values_list(
                "pk", "level", "status", "standing_changed_at"))
        fresh, stale = [], []
        for item in wanted:
            station = item[0]
            read = [station.level, station.status, station.standing_changed_at]
            (fresh if current.get(station.pk) == read else stale).append(item)

        groups = {}
        for station, level, status, _note in fresh:
            groups.setdefault((station.level, station.status, level, status), []).append(station.pk)
        for (from_level, from_status, level, status), group in groups.items():
            for batch in batched(group):
                Station.objects.filter(pk__in=batch, level=from_level, status=from_status).update(
                    level=level, status=status, standing_changed_at=changed_at, updated_at=now
                )
        changes = _record_changes(fresh, reason=reason, actor=actor, as_of=as_of, now=now)
        for station, level, status, _note in fresh:
            station.level, station.status, station.standing_changed_at = level, status, changed_at
    return changes, [station for station, *_ in stale]


def _record_changes(fresh, *, reason, actor, as_of, now):
    """The audit rows of `fresh` (station, level, status, note), inserted
    without per-instance preparation (a rule run may write tens of thousands)
    and returned as saved LevelChange instances with their station attached."""
    changes = insert_saved(LevelChange, [
        {
            "station_id": station.pk, "from_level": station.level, "to_level": level,
            "from_status": station.status, "to_status": status, "reason": reason, "note": note,
            "actor_id": actor.pk if actor is not None else None, "as_of": as_of, "created_at": now,
        }
        for station, level, status, note in fresh
    ], unique_by="station_id")
    for change, (station, *_rest) in zip(changes, fresh, strict=True):
        change.station = station
        if actor is not None:
            change.actor = actor
    return changes


def batched(items, size=BATCH):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def is_demotion(change):
    """A lower level or a delisting: the changes the station's managers are told about."""
    delisted = change.to_status == Status.DELISTED and change.from_status != Status.DELISTED
    return delisted or change.to_level < change.from_level
