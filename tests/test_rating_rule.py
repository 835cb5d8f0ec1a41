"""The 3-month no-rating rule: calendar arithmetic, the verdict, change_standing, and the whole run."""

import contextlib
import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stations import rating_rule, standing
from stations.models import District, Level, LevelChange, RuleWarning, Station, Status

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = datetime.date


def at(year, month, day, hour=0, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def reference_add_months(day, months):
    """Independent month arithmetic: step back from the wanted day until it exists."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in range(day.day, 0, -1):
        try:
            return D(year, month, candidate)
        except ValueError:
            continue


def verdict(as_of, *, listed_on=D(2020, 1, 1), last_rated_at=None, changed_at=None, level=Level.NATIONAL,
            status=Status.ACTIVE):
    return standing.evaluate(
        level=level, status=status, last_rated_at=last_rated_at, listed_on=listed_on,
        standing_changed_at=changed_at, as_of=as_of,
    )


# --- Calendar arithmetic --------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "due"),
    [
        (D(2026, 1, 15), D(2026, 4, 15)),
        (D(2026, 8, 31), D(2026, 11, 30)),
        (D(2025, 11, 30), D(2026, 2, 28)),
        (D(2023, 11, 30), D(2024, 2, 29)),  # leap year
        (D(2023, 11, 29), D(2024, 2, 29)),
        (D(2024, 11, 28), D(2025, 2, 28)),
        (D(2026, 10, 31), D(2027, 1, 31)),  # across the year end
        (D(2026, 12, 31), D(2027, 3, 31)),
        (D(2026, 3, 31), D(2026, 6, 30)),
    ],
)
def test_three_calendar_months_clamp_to_month_end(start, due):
    assert standing.add_months(start, 3) == due


@given(st.dates(D(1990, 1, 1), D(2200, 12, 31)), st.integers(-30, 30))
def test_add_months_matches_the_reference(day, months):
    assert standing.add_months(day, months) == reference_add_months(day, months)


@given(st.dates(D(1990, 1, 1), D(2200, 12, 31)))
def test_latest_start_due_by_is_the_exact_inverse(day):
    latest = standing.latest_start_due_by(day)
    assert standing.add_months(latest, 3) <= day
    assert standing.add_months(latest + datetime.timedelta(days=1), 3) > day


# --- The verdict for one station --------------------------------------------------


def test_one_day_before_the_mark_nothing_happens_and_on_the_mark_the_station_steps():
    rated = at(2026, 1, 15, 10, 30)
    before = verdict(D(2026, 4, 14), last_rated_at=rated)
    on = verdict(D(2026, 4, 15), last_rated_at=rated)
    assert before.due == on.due == D(2026, 4, 15)
    assert not before.step and before.at_risk
    assert on.step and (on.to_level, on.to_status) == (Level.PROVINCIAL, Status.ACTIVE)


def test_a_rating_at_2359_counts_for_its_own_day_and_0001_for_the_next():
    late = verdict(D(2026, 4, 14), last_rated_at=at(2026, 1, 14, 23, 59))
    early = verdict(D(2026, 4, 14), last_rated_at=at(2026, 1, 15, 0, 1))
    assert late.step and late.due == D(2026, 4, 14)
    assert not early.step and early.due == D(2026, 4, 15)


def test_shanghai_dates_not_utc_decide():
    # 2026-01-14 16:30 UTC is 00:30 on the 15th in Shanghai.
    utc_moment = datetime.datetime(2026, 1, 14, 16, 30, tzinfo=datetime.UTC)
    assert verdict(D(2026, 4, 14), last_rated_at=utc_moment).due == D(2026, 4, 15)


@pytest.mark.parametrize(
    ("rated", "not_yet", "mark"),
    [
        (at(2026, 8, 31, 12), D(2026, 11, 29), D(2026, 11, 30)),
        (at(2025, 11, 30, 12), D(2026, 2, 27), D(2026, 2, 28)),
        (at(2023, 11, 30, 12), D(2024, 2, 28), D(2024, 2, 29)),
    ],
)
def test_month_end_marks(rated, not_yet, mark):
    assert not verdict(not_yet, last_rated_at=rated).step
    assert verdict(mark, last_rated_at=rated).step


def test_a_listing_date_later_than_the_last_rating_starts_the_clock():
    # Rated while on trial, listed later: the listing day counts.
    result = verdict(D(2026, 6, 1), listed_on=D(2026, 3, 10), last_rated_at=at(2026, 1, 2, 9))
    assert result.clock_start == at(2026, 3, 10)
    assert result.due == D(2026, 6, 10) and not result.step


def test_a_level_change_later_than_the_last_rating_starts_the_clock():
    result = verdict(D(2026, 7, 1), last_rated_at=at(2026, 1, 2, 9), changed_at=at(2026, 4, 20, 15))
    assert result.due == D(2026, 7, 20) and not result.step


def test_never_rated_station_counts_from_its_listing_day():
    assert verdict(D(2026, 5, 31), listed_on=D(2026, 2, 28)).due == D(2026, 5, 28)


def test_city_level_steps_to_delisted():
    result = verdict(D(2026, 12, 1), level=Level.CITY, listed_on=D(2026, 1, 1))
    assert (result.to_level, result.to_status) == (Level.CITY, Status.DELISTED)


@pytest.mark.parametrize("status", [Status.SUSPENDED, Status.DELISTED])
def test_suspended_and_delisted_stations_are_not_evaluated(status):
    assert verdict(D(2030, 1, 1), status=status) is None


def test_at_risk_starts_thirty_days_before_the_step():
    rated = at(2026, 1, 15, 10)
    assert not verdict(D(2026, 3, 15), last_rated_at=rated).at_risk
    assert verdict(D(2026, 3, 16), last_rated_at=rated).at_risk


def test_warning_days_come_from_settings(settings):
    settings.RATING_RULE_WARNING_DAYS = 7
    rated = at(2026, 1, 15, 10)
    assert not verdict(D(2026, 4, 7), last_rated_at=rated).at_risk
    assert verdict(D(2026, 4, 8), last_rated_at=rated).at_risk


# --- Station helpers and database filters --------------------------------------------


@time_machine.travel(at(2026, 4, 10, 9), tick=False)
def test_station_helpers_compute_today_when_called(make_station, set_last_rating):
    station = make_station(listed_on=D(2025, 6, 1), level=Level.PROVINCIAL)
    assert standing.days_since_last_rating(station) is None
    set_last_rating(station, at(2026, 1, 15, 23, 59))
    station = Station.objects.get(pk=station.pk)
    assert standing.days_since_last_rating(station) == 85
    assert standing.days_since_last_rating(station, D(2026, 1, 16)) == 1
    assert standing.next_step_due(station) == D(2026, 4, 15)
    with time_machine.travel(at(2026, 4, 16, 9), tick=False):
        assert standing.days_since_last_rating(station) == 91


def test_next_step_due_is_none_for_suspended_station(make_station):
    assert standing.next_step_due(make_station(status=Status.SUSPENDED)) is None


@contextlib.contextmanager
def rolled_back():
    """Each hypothesis example gets a clean database."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


moments = st.datetimes(datetime.datetime(2025, 1, 1), datetime.datetime(2026, 12, 31)).map(
    lambda naive: naive.replace(second=0, microsecond=0, tzinfo=SHANGHAI)
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    stations=st.lists(
        st.tuples(
            st.dates(D(2025, 1, 1), D(2026, 6, 30)), st.none() | moments, st.none() | moments,
            st.sampled_from([Status.ACTIVE, Status.ACTIVE, Status.SUSPENDED]),
        ),
        min_size=1, max_size=6,
    ),
    day=st.dates(D(2025, 3, 1), D(2027, 3, 31)),
)
def test_database_filters_agree_with_the_verdict(make_station, set_last_rating, stations, day):
    with rolled_back():
        made = []
        for listed_on, rated, changed, status in stations:
            station = make_station(listed_on=listed_on, standing_changed_at=changed, status=status)
            set_last_rating(station, rated)
            made.append((station, listed_on, rated, changed, status))
        due = set(standing.filter_due(Station.objects.all(), day).values_list("pk", flat=True))
        at_risk = set(standing.filter_at_risk(Station.objects.all(), day).values_list("pk", flat=True))
        for station, listed_on, rated, changed, status in made:
            result = standing.evaluate(
                level=Level.CITY, status=status, last_rated_at=rated, listed_on=listed_on,
                standing_changed_at=changed, as_of=day,
            )
            assert (station.pk in due) == bool(result and result.step)
            assert (station.pk in at_risk) == bool(result and result.at_risk)


# --- change_standing ----------------------------------------------------------------


@time_machine.travel(at(2026, 5, 6, 14, 30), tick=False)
def test_change_standing_records_the_change_and_restarts_the_clock(make_station, make_staff):
    staff = make_staff()
    station = make_station(level=Level.NATIONAL, listed_on=D(2025, 1, 1))
    change = standing.change_standing(
        station=station, level=Level.PROVINCIAL, status=Status.ACTIVE,
        reason=LevelChange.Reason.MANUAL, note="  Merged with a nearby station.  ", actor=staff,
    )
    station.refresh_from_db()
    assert (station.level, station.status) == (Level.PROVINCIAL, Status.ACTIVE)
    assert station.standing_changed_at == at(2026, 5, 6, 14, 30)
    assert standing.next_step_due(station) == D(2026, 8, 6)
    row = LevelChange.objects.get()
    assert row == change
    assert (row.from_level, row.to_level, row.from_status, row.to_status) == (
        Level.NATIONAL, Level.PROVINCIAL, Status.ACTIVE, Status.ACTIVE)
    assert (row.reason, row.note, row.actor, row.as_of) == ("manual", "Merged with a nearby station.", staff, None)


def test_rule_date_changes_count_from_the_start_of_that_day(make_station):
    station = make_station(level=Level.CITY, listed_on=D(2025, 1, 1))
    standing.change_standing(
        station=station, level=Level.CITY, status=Status.DELISTED, reason="rule", as_of=D(2025, 4, 1)
    )
    station.refresh_from_db()
    assert station.standing_changed_at == at(2025, 4, 1)
    assert LevelChange.objects.get().as_of == D(2025, 4, 1)
    assert not Station.objects.public().filter(pk=station.pk).exists()


@pytest.mark.parametrize("note", ["", "   "])
def test_a_manual_change_needs_a_written_reason(make_station, make_staff, note):
    station = make_station(level=Level.NATIONAL)
    with pytest.raises(ValidationError) as raised:
        standing.change_standing(
            station=station, level=Level.CITY, status=Status.ACTIVE, reason="manual", note=note, actor=make_staff()
        )
    assert "note" in raised.value.message_dict
    station.refresh_from_db()
    assert station.level == Level.NATIONAL and station.standing_changed_at is None
    assert not LevelChange.objects.exists()


def test_a_change_to_the_same_standing_is_refused(make_station):
    station = make_station(level=Level.CITY)
    with pytest.raises(ValidationError):
        standing.change_standing(station=station, level=Level.CITY, status=Status.ACTIVE, reason="rule")
    assert not LevelChange.objects.exists()


def test_a_stale_station_is_not_changed_twice(make_station):
    """The conditional update: a second writer holding the old standing writes nothing."""
    station = make_station(level=Level.NATIONAL)
    first, second = Station.objects.get(pk=station.pk), Station.objects.get(pk=station.pk)
    standing.change_standing(station=first, level=Level.PROVINCIAL, status=Status.ACTIVE, reason="rule",
                             as_of=D(2026, 1, 1))
    with pytest.raises(standing.StaleStanding):
        standing.change_standing(station=second, level=Level.PROVINCIAL, status=Status.ACTIVE, reason="rule",
                                 as_of=D(2026, 1, 1))
    station.refresh_from_db()
    assert station.level == Level.PROVINCIAL
    assert LevelChange.objects.count() == 1


def test_demotions_notify_the_manager_and_the_chief_once(make_station, django_capture_on_commit_callbacks):
    station = make_station(level=Level.PROVINCIAL, manager_email="wang@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        standing.change_standing(station=station, level=Level.CITY, status=Status.ACTIVE, reason="inspection")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["wang@example.org", "chief.shibei@example.org"]
    assert station.code in mail.outbox[0].subject


def test_promotions_and_suspensions_send_no_notice(make_station, make_staff, django_capture_on_commit_callbacks):
    station = make_station(level=Level.CITY)
    staff = make_staff()
    with django_capture_on_commit_callbacks(execute=True):
        standing.change_standing(station=station, level=Level.PROVINCIAL, status=Status.ACTIVE,
                                 reason="manual", note="Passed the provincial assessment.", actor=staff)
        standing.change_standing(station=station, level=Level.PROVINCIAL, status=Status.SUSPENDED,
                                 reason="manual", note="Closed for repairs.", actor=staff)
    assert mail.outbox == []
    assert LevelChange.objects.count() == 2


def test_a_rolled_back_change_sends_nothing(make_station, django_capture_on_commit_callbacks):
    station = make_station(level=Level.PROVINCIAL)
    with django_capture_on_commit_callbacks(execute=True), contextlib.suppress(RuntimeError):
        with transaction.atomic():
            standing.change_standing(station=station, level=Level.CITY, status=Status.ACTIVE, reason="rule")
            raise RuntimeError
    assert mail.outbox == []
    assert not LevelChange.objects.exists()


# --- The rule applied to the registry -----------------------------------------------


def run(day, **options):
    return rating_rule.apply_rating_rule(as_of=day, **options)


def test_reinstated_station_gets_a_fresh_three_months(make_station, make_staff, set_last_rating):
    station = make_station(level=Level.CITY, listed_on=D(2025, 1, 1))
    set_last_rating(station, at(2025, 2, 1, 10))
    assert [s.code for s in run(D(2025, 5, 1)).delisted] == [station.code]
    with time_machine.travel(at(2025, 9, 10, 11), tick=False):
        station.refresh_from_db()
        standing.change_standing(station=station, level=Level.CITY, status=Status.ACTIVE, reason="manual",
                                 note="Reopened under a new operator.", actor=make_staff())
    assert not run(D(2025, 12, 9)).steps
    assert [s.code for s in run(D(2025, 12, 10)).delisted] == [station.code]


def test_suspended_station_is_exempt_and_its_clock_restarts_when_it_reopens(make_station, make_staff):
    station = make_station(level=Level.NATIONAL, listed_on=D(2025, 1, 1), status=Status.SUSPENDED)
    report = run(D(2025, 12, 31))
    assert report.exempt == 1 and report.checked == 0 and not report.steps
    with time_machine.travel(at(2026, 1, 5, 8), tick=False):
        standing.change_standing(station=station, level=Level.NATIONAL, status=Status.ACTIVE, reason="manual",
                                 note="Renovation finished.", actor=make_staff())
        assert not run(D(2026, 1, 5)).steps
    with time_machine.travel(at(2026, 4, 6, 8), tick=False):
        assert not run(D(2026, 4, 4)).steps
        assert [(s.from_level, s.to_level) for s in run(D(2026, 4, 5)).steps] == [(Level.NATIONAL, Level.PROVINCIAL)]


def test_hidden_ratings_do_not_count(make_station):
    """RatingStats.last_rated_at counts visible ratings only; a station whose only rating is hidden has none."""
    from ratings.models import RatingStats

    station = make_station(level=Level.NATIONAL, listed_on=D(2025, 1, 1))
    RatingStats.objects.create(station=station, last_rated_at=None)
    assert [s.code for s in run(D(2025, 4, 1)).steps] == [station.code]


def test_running_twice_for_the_same_date_changes_nothing(make_station):
    make_station(level=Level.NATIONAL, listed_on=D(2025, 1, 1))
    make_station(level=Level.CITY, listed_on=D(2025, 1, 1))
    make_station(level=Level.CITY, listed_on=D(2025, 1, 15))  # due 2025-04-15: at risk
    first = run(D(2025, 4, 1))
    assert len(first.steps) == 2 and len(first.warnings) == 1
    before = list(Station.objects.values_list("pk", "level", "status", "standing_changed_at"))
    second = run(D(2025, 4, 1))
    assert second.steps == [] and second.warnings == [] and second.at_risk == 1
    assert list(Station.objects.values_list("pk", "level", "status", "standing_changed_at")) == before
    assert LevelChange.objects.count() == 2 and RuleWarning.objects.count() == 1


def test_dry_run_writes_and_sends_nothing(make_station, django_capture_on_commit_callbacks):
    make_station(level=Level.NATIONAL, listed_on=D(2025, 1, 1))
    make_station(level=Level.CITY, listed_on=D(2025, 1, 15))
    with django_capture_on_commit_callbacks(execute=True):
        report = run(D(2025, 4, 1), dry_run=True)
    assert len(report.steps) == 1 and len(report.warnings) == 1
    assert set(Station.objects.values_list("level", "standing_changed_at")) == {
        (Level.NATIONAL, None), (Level.CITY, None)}
    assert not LevelChange.objects.exists() and not RuleWarning.objects.exists()
    assert mail.outbox == []


def test_a_future_date_is_only_for_dry_runs():
    tomorrow = standing.today() + datetime.timedelta(days=1)
    with pytest.raises(ValueError, match="future"):
        run(tomorrow)


def test_a_batch_skips_stations_changed_since_they_were_read(make_station):
    """What an overlapping run meets: rows are locked and compared with what was read."""
    stations = [make_station(level=Level.NATIONAL, listed_on=D(2025, 1, 1)) for _ in range(3)]
    stale_copy = Station.objects.get(pk=stations[0].pk)
    standing.change_standing(station=stations[0], level=Level.PROVINCIAL, status=Status.ACTIVE, reason="rule",
                             as_of=D(2025, 4, 1))
    items = [(stale_copy, Level.PROVINCIAL, Status.ACTIVE, "")] + [
        (station, Level.PROVINCIAL, Status.ACTIVE, "") for station in stations[1:]]
    changes, stale = standing.change_standings(items, reason="rule", as_of=D(2025, 4, 1))
    assert stale == [stale_copy]
    assert sorted(change.station_id for change in changes) == sorted(station.pk for station in stations[1:])
    assert set(Station.objects.values_list("level", flat=True)) == {Level.PROVINCIAL}
    assert LevelChange.objects.count() == 3


def test_a_run_that_read_a_stale_row_does_not_step_again(make_station, monkeypatch):
    """Another run steps the station between this run's read and its write."""
    station = make_station(level=Level.NATIONAL, listed_on=D(2025, 1, 1))
    real_chunks = rating_rule.candidate_chunks

    def chunks_then_competitor(as_of, chunk_size=rating_rule.CHUNK_SIZE):
        chunks = list(real_chunks(as_of, chunk_size))
        competitor = Station.objects.get(pk=station.pk)
        standing.change_standing(station=competitor, level=Level.PROVINCIAL, status=Status.ACTIVE,
                                 reason="rule", as_of=as_of)  # the overlapping run wins
        yield from chunks

    monkeypatch.setattr(rating_rule, "candidate_chunks", chunks_then_competitor)
    report = run(D(2025, 4, 1))
    assert report.steps == [] and report.skipped == [station.code]
    station.refresh_from_db()
    assert station.level == Level.PROVINCIAL and LevelChange.objects.count() == 1


def test_a_failure_on_one_station_does_not_block_the_others(make_station, break_rule_for):
    broken = make_station(level=Level.NATIONAL, listed_on=D(2025, 1, 1))
    fine = [make_station(level=Level.NATIONAL, listed_on=D(2025, 1, 1)) for _ in range(2)]
    warned = make_station(level=Level.CITY, listed_on=D(2025, 1, 15))
    break_rule_for(broken, "disk full")
    report = run(D(2025, 4, 1))
    assert report.failures == [(broken.code, "disk full")]
    assert sorted(s.code for s in report.steps) == sorted(s.code for s in fine)
    assert [w.code for w in report.warnings] == [warned.code]
    assert set(Station.objects.filter(level=Level.PROVINCIAL).values_list("pk", flat=True)) == {s.pk for s in fine}
    assert Station.objects.get(pk=broken.pk).level == Level.NATIONAL
    assert LevelChange.objects.count() == 2 and RuleWarning.objects.count() == 1


def test_candidates_are_read_in_chunks(make_station):
    made = [make_station(level=Level.NATIONAL, listed_on=D(2025, 1, 1)) for _ in range(5)]
    report = rating_rule.apply_rating_rule(as_of=D(2025, 4, 1), chunk_size=2)
    assert sorted(s.code for s in report.steps) == sorted(s.code for s in made)


def test_a_district_created_while_the_candidates_are_read_is_found(make_station, qingdao):
    first = make_station(level=Level.NATIONAL, listed_on=D(2025, 1, 1))
    chunks = rating_rule.candidate_chunks(D(2025, 4, 1), chunk_size=1)
    assert [station.code for station in next(chunks)] == [first.code]
    laoshan = District.objects.create(city=qingdao, code="laoshan", name_zh="崂山区", name_en="Laoshan",
                                      chief_email="chief.laoshan@example.org")
    later = make_station(level=Level.NATIONAL, listed_on=D(2025, 1, 1), district=laoshan)
    (station,) = next(chunks)
    assert (station.code, station.district.chief_email) == (later.code, "chief.laoshan@example.org")


# --- Emails ---------------------------------------------------------------------


def test_one_warning_per_clock_period_and_one_notice_per_step(
    make_station, set_last_rating, django_capture_on_commit_callbacks
):
    station = make_station(level=Level.PROVINCIAL, listed_on=D(2025, 1, 1), manager_email="li@example.org")
    set_last_rating(station, at(2025, 3, 10, 9))  # step due 2025-06-10, at risk from 2025-05-11
    with django_capture_on_commit_callbacks(execute=True):
        for day in range(1, 31):
            run(D(2025, 5, day))
    assert len(mail.outbox) == 1
    warning = mail.outbox[0]
    assert warning.to == ["li@example.org", "chief.shibei@example.org"]
    assert station.code in warning.subject and "2025-06-10" in warning.subject
    assert RuleWarning.objects.get().due_on == D(2025, 6, 10)

    # A rating moves the due date: a new period, a new warning when it comes near.
    set_last_rating(station, at(2025, 5, 20, 9))  # due 2025-08-20
    with django_capture_on_commit_callbacks(execute=True):
        for day in range(1, 31):
            run(D(2025, 7, day))
    assert len(mail.outbox) == 2 and "2025-08-20" in mail.outbox[1].subject

    with django_capture_on_commit_callbacks(execute=True):
        run(D(2025, 8, 20))
        run(D(2025, 8, 20))
        run(D(2025, 8, 21))
    assert len(mail.outbox) == 3
    notice = mail.outbox[2]
    assert notice.to == ["li@example.org", "chief.shibei@example.org"]
    assert station.code in notice.subject and station.code in notice.body


def test_the_warning_and_the_notice_read_in_the_portal_language(
    make_station, set_last_rating, django_capture_on_commit_callbacks
):
    """The exact words (Chinese, the portal's language) of both emails."""
    station = make_station(code="QD-SB-0001", name="台东驿站", address="台东一路 1 号", level=Level.PROVINCIAL,
                           listed_on=D(2025, 1, 1), manager_email="li@example.org")
    set_last_rating(station, at(2025, 3, 10, 9))
    with django_capture_on_commit_callbacks(execute=True):
        run(D(2025, 5, 11))
        run(D(2025, 6, 10))
    warning, notice = mail.outbox
    assert warning.subject == "驿站 QD-SB-0001 台东驿站 如无评价，将于 2025-06-10 降为市级标准"
    assert warning.body == (
        "驿站 QD-SB-0001 台东驿站（台东一路 1 号）\n\n该驿站最近一次评价是在 2025-03-10。\n"
        "该驿站目前为省级标准。如在 2025-06-10 前仍无劳动者评价，按照三个月规则，将于当日降为市级标准。\n\n"
        "只要有一名劳动者扫描驿站二维码进行评价，三个月计时即重新开始。请检查二维码海报是否张贴且清晰可扫，"
        "并邀请使用驿站的劳动者进行评价。\n\n本周期内仅提醒这一次；如驿站被降级或摘牌，将另行通知。\n"
    )
    assert notice.subject == "驿站 QD-SB-0001 台东驿站：降为市级标准"
    note = LevelChange.objects.get(station=station).note
    assert notice.body == (
        "驿站 QD-SB-0001 台东驿站（台东一路 1 号）\n\n变更前：省级标准，正常。\n现在：市级标准，正常。\n"
        f"原因：三个月无评价规则。\n{note}\n\n"
        "三个月计时自本次变更起重新开始：三个月内有劳动者评价，驿站即可保持新等级。\n"
    )


def test_a_station_without_addresses_is_still_marked_warned(make_station, shinan):
    shinan.chief_email = ""
    shinan.save()
    make_station(district=shinan, manager_email="", listed_on=D(2025, 1, 1))
    assert len(run(D(2025, 3, 20)).warnings) == 1
    assert run(D(2025, 3, 21)).warnings == []
    assert mail.outbox == []
    assert RuleWarning.objects.get().recipients == ""


class BrokenMailServer:
    """An email backend whose server refuses every message."""

    def __init__(self, **kwargs):
        pass

    def open(self):
        raise ConnectionRefusedError("mail server down")

    def close(self):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def test_a_warning_that_could_not_be_sent_is_tried_again_next_run(make_station, settings):
    station = make_station(listed_on=D(2025, 1, 1))
    settings.EMAIL_BACKEND = "tests.test_rating_rule.BrokenMailServer"
    report = run(D(2025, 3, 20))
    assert report.email_failures == [(station.code, "mail server down")] and report.failed
    assert not RuleWarning.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    report = run(D(2025, 3, 21))
    assert [w.code for w in report.warnings] == [station.code] and report.emails_sent == 1
    assert len(mail.outbox) == 1


def test_a_notice_that_could_not_be_sent_is_reported_and_the_step_stands(make_station, settings):
    station = make_station(level=Level.PROVINCIAL, listed_on=D(2025, 1, 1))
    settings.EMAIL_BACKEND = "tests.test_rating_rule.BrokenMailServer"
    report = run(D(2025, 4, 1))
    assert [s.code for s in report.steps] == [station.code]
    assert report.email_failures == [(station.code, "mail server down")]
    station.refresh_from_db()
    assert station.level == Level.CITY


# --- Properties over random histories and schedules --------------------------------

YEAR_START, YEAR_END = D(2024, 7, 1), D(2025, 6, 30)
RUN_HOUR = 6  # the daily run happens at 06:00; ratings before it count that day


def run_moment(day):
    return at(day.year, day.month, day.day, RUN_HOUR)


def reference_end_state(level, listed_on, ratings, first_day, last_day):
    """The step-by-step definition, written without the code under test.

    From the clock's start, the step falls due 3 calendar months later; if a
    rating arrives before that day's run, the clock restarts at the rating;
    otherwise the station steps and its clock restarts at the start of that day.
    """
    status, clock = Status.ACTIVE, at(listed_on.year, listed_on.month, listed_on.day)
    while status == Status.ACTIVE:
        due = reference_add_months(clock.astimezone(SHANGHAI).date(), 3)
        day = max(due, first_day)
        if day > last_day:
            break
        later = [rating for rating in ratings if clock < rating < run_moment(day)]
        if later:
            clock = max(later)
            continue
        if level == Level.CITY:
            status = Status.DELISTED
        else:
            level -= 1
        clock = at(day.year, day.month, day.day)
    return level, status


rating_moments = st.datetimes(datetime.datetime(2024, 1, 1), datetime.datetime(2025, 6, 30, 23, 59)).map(
    lambda naive: naive.replace(second=0, microsecond=0, tzinfo=SHANGHAI)
)
histories = st.lists(
    st.tuples(
        st.sampled_from([Level.CITY, Level.PROVINCIAL, Level.NATIONAL]),
        st.dates(D(2024, 1, 1), D(2024, 12, 31)),
        st.lists(rating_moments, max_size=6),
    ),
    min_size=1, max_size=4,
)


class Simulation:
    """Stations with rating histories; before each run, RatingStats shows ratings made before the run."""

    def __init__(self, make_station, set_last_rating, history):
        self.set_last_rating = set_last_rating
        self.stations = []
        for level, listed_on, ratings in history:
            station = make_station(level=level, listed_on=listed_on)
            self.stations.append((station, sorted(ratings)))
        self.shown = {}

    def ratings_known_on(self, day):
        for station, ratings in self.stations:
            seen = [rating for rating in ratings if rating < run_moment(day)]
            latest = seen[-1] if seen else None
            if self.shown.get(station.pk, "unset") != latest:
                self.set_last_rating(station, latest)
                self.shown[station.pk] = latest

    def state(self):
        return {pk: (level, status, changed) for pk, level, status, changed in Station.objects.values_list(
            "pk", "level", "status", "standing_changed_at")}


def rank(level, status):
    return 0 if status == Status.DELISTED else level


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=histories)
def test_daily_runs_for_a_year_end_where_the_definition_says(make_station, set_last_rating, history):
    with rolled_back():
        simulation = Simulation(make_station, set_last_rating, history)
        day = YEAR_START
        while day <= YEAR_END:
            simulation.ratings_known_on(day)
            run(day)
            day += datetime.timedelta(days=1)
        for (station, ratings), (level, listed_on, _) in zip(simulation.stations, history, strict=True):
            station.refresh_from_db()
            expected = reference_end_state(level, listed_on, ratings, YEAR_START, YEAR_END)
            assert (station.level, station.status) == expected


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=histories, schedule=st.sets(st.dates(YEAR_START, YEAR_END), min_size=1, max_size=15))
def test_any_run_schedule_steps_at_most_once_spares_rated_stations_and_reruns_change_nothing(
    make_station, set_last_rating, history, schedule
):
    with rolled_back():
        simulation = Simulation(make_station, set_last_rating, history)
        for day in sorted(schedule):
            simulation.ratings_known_on(day)
            before = simulation.state()
            last_rated = dict(Station.objects.values_list("pk", "rating_stats__last_rated_at"))
            run(day)
            after = simulation.state()
            for pk, (level, status, _) in before.items():
                new_level, new_status, _ = after[pk]
                assert rank(level, status) - rank(new_level, new_status) in (0, 1)
                rated = last_rated[pk]
                if rated is not None and reference_add_months(rated.astimezone(SHANGHAI).date(), 3) > day:
                    assert after[pk] == before[pk], "a station rated within 3 months was touched"
            rerun = run(day)
            assert rerun.steps == [] and rerun.warnings == [] and rerun.failures == []
            assert simulation.state() == after
