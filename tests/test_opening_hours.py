"""Opening hours: overnight spans, 24 h, closed days, and Shanghai time."""

from datetime import datetime, timedelta, timezone as dt_timezone
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from stations import hours

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year, month, day, hour, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


# 2026-11-23 is a Monday.
MON, TUE, SAT, SUN = 23, 24, 28, 29


def test_daytime_span_open_inside_closed_outside():
    schedule = hours.parse_text("Mo-Fr 08:00-20:00")
    assert hours.is_open(schedule, at(2026, 11, MON, 8, 0))
    assert hours.is_open(schedule, at(2026, 11, MON, 19, 59))
    assert not hours.is_open(schedule, at(2026, 11, MON, 20, 0))
    assert not hours.is_open(schedule, at(2026, 11, MON, 7, 59))
    assert not hours.is_open(schedule, at(2026, 11, SAT, 12, 0))


def test_span_across_midnight_belongs_to_the_day_it_starts():
    schedule = hours.parse_text("Fr 22:00-06:00")
    assert hours.is_open(schedule, at(2026, 11, 27, 23, 0))  # Friday night
    assert hours.is_open(schedule, at(2026, 11, SAT, 5, 59))  # Saturday early morning
    assert not hours.is_open(schedule, at(2026, 11, SAT, 6, 0))
    assert not hours.is_open(schedule, at(2026, 11, 27, 5, 0))  # Friday early: Thursday was closed


def test_sunday_night_span_wraps_into_monday_morning():
    schedule = hours.parse_text("Su 20:00-04:00")
    assert hours.is_open(schedule, at(2026, 11, SUN, 23, 30))
    assert hours.is_open(schedule, at(2026, 11, 30, 3, 59))  # the next Monday
    assert not hours.is_open(schedule, at(2026, 11, 30, 4, 0))


def test_24_7_is_always_open_and_equivalent_forms_normalize_to_it():
    assert hours.parse_text("24/7") == hours.ALWAYS
    assert hours.parse_text("Mo-Su 00:00-24:00") == hours.ALWAYS
    assert hours.parse_text("Mo-Su 12:00-12:00".replace("12:00-12:00", "00:00-24:00")) == hours.ALWAYS
    assert hours.is_open(hours.ALWAYS, at(2026, 11, TUE, 3, 17))


def test_closed_days_are_closed_all_day():
    schedule = hours.parse_text("Mo-Sa 09:00-17:00; Su off")
    assert "sun" not in schedule
    assert not any(hours.is_open(schedule, at(2026, 11, SUN, h)) for h in range(24))


def test_moment_in_utc_is_judged_in_shanghai_time():
    schedule = hours.parse_text("Mo 08:00-09:00")
    # 00:30 UTC on Monday is 08:30 in Shanghai.
    assert hours.is_open(schedule, datetime(2026, 11, MON, 0, 30, tzinfo=dt_timezone.utc))
    # 08:30 UTC on Monday is 16:30 in Shanghai.
    assert not hours.is_open(schedule, datetime(2026, 11, MON, 8, 30, tzinfo=dt_timezone.utc))


@pytest.mark.parametrize(
    "text",
    ["", "Mo 8:00-20:00", "Mo 08:00-25:00", "Xx 08:00-20:00", "Mo 08:00", "Mo 09:00-09:00", "Mo 24:00-02:00"],
)
def test_malformed_text_is_rejected_with_a_message(text):
    with pytest.raises(ValidationError) as error:
        hours.parse_text(text)
    assert error.value.messages[0]


@pytest.mark.parametrize(
    "schedule",
    [[], {"mon": "08:00-20:00"}, {"mon": [["08:00"]]}, {"monday": []}, {"mon": [["08:00", "20:61"]]}],
)
def test_malformed_schedule_objects_are_rejected(schedule):
    with pytest.raises(ValidationError):
        hours.normalize(schedule)


time_of_day = st.integers(0, 24 * 60 - 1).map(lambda m: f"{m // 60:02d}:{m % 60:02d}")
span = st.tuples(time_of_day, time_of_day).filter(lambda s: s[0] != s[1]).map(list)
schedules = st.dictionaries(st.sampled_from(hours.DAYS), st.lists(span, max_size=3))


def brute_force_is_open(schedule, moment):
    """The definition, day by day: today's spans, or yesterday's that run past midnight."""
    if schedule.get("always"):
        return True
    local = moment.astimezone(SHANGHAI)
    now = local.hour * 60 + local.minute
    today = hours.DAYS[local.weekday()]
    yesterday = hours.DAYS[(local.weekday() - 1) % 7]

    def minutes(text):
        return int(text[:2]) * 60 + int(text[3:])

    for start, end in schedule.get(today, []):
        s, e = minutes(start), minutes(end)
        if (s < e and s <= now < e) or (e <= s and now >= s):
            return True
    for start, end in schedule.get(yesterday, []):
        s, e = minutes(start), minutes(end)
        if e <= s and now < e:
            return True
    return False


@given(schedules, st.integers(0, 7 * 24 * 60 - 1))
def test_is_open_matches_the_day_by_day_definition(schedule, minute):
    moment = at(2026, 11, MON, 0) + timedelta(minutes=minute)
    assert hours.is_open(hours.normalize(schedule), moment) == brute_force_is_open(schedule, moment)


@given(schedules)
def test_text_form_round_trips(schedule):
    canonical = hours.normalize(schedule)
    assert hours.parse_text(hours.to_text(canonical)) == canonical


@given(schedules)
def test_weekly_spans_are_sorted_disjoint_and_inside_the_week(schedule):
    spans = hours.weekly_spans(hours.normalize(schedule))
    for (s1, e1), (s2, _e2) in zip(spans, spans[1:]):
        assert e1 < s2
    assert all(0 <= s < e <= hours.MINUTES_PER_WEEK for s, e in spans)
