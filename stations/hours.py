"""Opening hours: one weekly schedule, one rule for "open at this moment?".

Canonical stored form (a JSON object):

    {"always": true}                                   open 24 hours, every day
    {"mon": [["08:00", "20:00"]], "fri": [["22:00", "06:00"]], ...}

A day that is missing or has an empty list is closed. A span whose end is at
or before its start runs past midnight into the next day ("22:00"-"06:00");
"24:00" is allowed as an end. The same schedule is written for people and
CSV files in a small subset of OpenStreetMap's opening_hours syntax:

    24/7
    Mo-Fr 08:00-20:00; Sa,Su 09:00-12:00,14:00-18:00
    Mo-Su 22:00-06:00

Everything that asks whether a station is open (pages, API, the database
filter through OpeningSpan rows) goes through weekly_spans().
"""

import functools
import json
import re
from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
OSM_DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
ALWAYS = {"always": True}

_TIME = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")


def _minutes(value, *, allow_24=False):
    match = _TIME.match(value) if isinstance(value, str) else None
    if not match:
        raise ValidationError(_("“%(value)s” is not a time of day in HH:MM form.") % {"value": value})
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours == 24 and (minutes or not allow_24):
        raise ValidationError(_("“%(value)s” is not a time of day in HH:MM form.") % {"value": value})
    return hours * 60 + minutes


def normalize(schedule):
    """Validate a schedule object and return its canonical form.

    Raises ValidationError with a message that names the day at fault.
    """
    if not isinstance(schedule, dict):
        raise ValidationError(_("Opening hours must be an object of days."))
    if schedule.get("always") is True:
        return dict(ALWAYS)
    unknown = set(schedule) - set(DAYS) - {"always"}
    if unknown:
        raise ValidationError(_("Unknown day “%(day)s” in opening hours.") % {"day": sorted(unknown)[0]})
    result = {}
    for day in DAYS:
        spans = schedule.get(day) or []
        if not isinstance(spans, list):
            raise ValidationError(_("Opening hours for %(day)s must be a list of spans.") % {"day": day})
        clean = []
        for span in spans:
            if not (isinstance(span, (list, tuple)) and len(span) == 2):
                raise ValidationError(_("Each span on %(day)s needs a start and an end.") % {"day": day})
            start, end = span
            start_m = _minutes(start)
            end_m = _minutes(end, allow_24=True)
            if start_m == end_m:
                raise ValidationError(
                    _("A span on %(day)s starts and ends at %(time)s; use 00:00-24:00 for a whole day.")
                    % {"day": day, "time": start}
                )
            clean.append([start, end])
        if clean:
            result[day] = sorted(clean)
    if weekly_spans(result) == [(0, MINUTES_PER_WEEK)]:
        return dict(ALWAYS)
    return result


def weekly_spans(schedule):
    """Merged, sorted (start, end) minute-of-week intervals when open.

    Minute 0 is Monday 00:00. Spans that run past Sunday midnight wrap to
    Monday morning, so every interval lies inside [0, MINUTES_PER_WEEK).
    """
    if schedule.get("always") is True:
        return [(0, MINUTES_PER_WEEK)]
    raw = []
    for index, day in enumerate(DAYS):
        for start, end in schedule.get(day) or []:
            start_m = index * MINUTES_PER_DAY + _minutes(start)
            end_m = index * MINUTES_PER_DAY + _minutes(end, allow_24=True)
            if end_m <= start_m:
                end_m += MINUTES_PER_DAY
            if end_m > MINUTES_PER_WEEK:
                raw.append((start_m, MINUTES_PER_WEEK))
                raw.append((0, end_m - MINUTES_PER_WEEK))
            else:
                raw.append((start_m, end_m))
    merged = []
    for start, end in sorted(raw):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def minute_of_week(moment: datetime):
    """Minute of the local (Asia/Shanghai) week for an aware datetime."""
    local = timezone.localtime(moment)
    return local.weekday() * MINUTES_PER_DAY + local.hour * 60 + local.minute


def is_open(schedule, moment=None):
    """Is a station with this schedule open at `moment` (default: now)?"""
    return is_open_at_minute(schedule, minute_of_week(moment or timezone.now()))


def is_open_at_minute(schedule, minute):
    """is_open() for a minute of the week (minute_of_week), for many stations at one moment."""
    return any(start <= minute < end for start, end in _open_spans(_key(schedule)))


# A page or feed of stations shares a handful of schedules, so the spans and
# the text form are worked out once per distinct schedule (keyed by its JSON).
def _key(schedule):
    return json.dumps(schedule, sort_keys=True)


@functools.lru_cache(maxsize=1024)
def _open_spans(key):
    return tuple(weekly_spans(json.loads(key)))


def always_open_schedule():
    """A fresh 24/7 schedule (a callable default for model fields)."""
    return dict(ALWAYS)


def is_always_open(schedule):
    return schedule.get("always") is True


# --- The text form -----------------------------------------------------------

_RULE = re.compile(r"^(?P<days>[A-Za-z,\-]+)\s+(?P<times>off|closed|[0-9:,\-\s]+)$")


def _parse_days(text):
    days = set()
    for part in text.split(","):
        bounds = part.split("-")
        if len(bounds) > 2 or any(b not in OSM_DAYS for b in bounds):
            raise ValidationError(_("“%(part)s” is not a day or a day range such as Mo-Fr.") % {"part": part})
        first = OSM_DAYS.index(bounds[0])
        last = OSM_DAYS.index(bounds[-1])
        index = first
        while True:
            days.add(DAYS[index])
            if index == last:
                break
            index = (index + 1) % 7
    return days


def parse_text(text):
    """Parse "Mo-Fr 08:00-20:00; Sa off" or "24/7" into the canonical form."""
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Opening hours are empty."))
    if text.lower() in {"24/7", "24h", "24 hours"}:
        return dict(ALWAYS)
    schedule = {}
    for rule in filter(None, (r.strip() for r in text.split(";"))):
        match = _RULE.match(rule)
        if not match:
            raise ValidationError(_("Cannot read the opening-hours rule “%(rule)s”.") % {"rule": rule})
        days = _parse_days(match.group("days"))
        times = match.group("times").strip()
        spans = []
        if times not in {"off", "closed"}:
            for piece in times.replace(" ", "").split(","):
                bounds = piece.split("-")
                if len(bounds) != 2:
                    raise ValidationError(_("“%(piece)s” is not a span such as 08:00-20:00.") % {"piece": piece})
                spans.append(bounds)
        for day in days:
            # A later rule replaces an earlier one for the same day, as in OSM.
            schedule[day] = list(spans)
    return normalize(schedule)


def to_text(schedule):
    """The canonical text form; parse_text(to_text(s)) == normalize(s)."""
    return _text(_key(schedule))


@functools.lru_cache(maxsize=1024)
def _text(key):
    schedule = normalize(json.loads(key))
    if is_always_open(schedule):
        return "24/7"
    groups = []  # runs of consecutive days with identical spans
    for index, day in enumerate(DAYS):
        spans = schedule.get(day, [])
        if groups and groups[-1][2] == spans and groups[-1][1] == index - 1:
            groups[-1][1] = index
        else:
            groups.append([index, index, spans])
    rules = []
    for first, last, spans in groups:
        if not spans:
            continue
        days = OSM_DAYS[first] if first == last else f"{OSM_DAYS[first]}-{OSM_DAYS[last]}"
        rules.append(f"{days} " + ",".join(f"{s}-{e}" for s, e in spans))
    return "; ".join(rules) if rules else "Mo-Su off"
