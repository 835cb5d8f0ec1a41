"""Live station scores: incremental counters agree with a rebuild from the raw ratings."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ratings import rebuild, services
from ratings.demo import seed_rating_history
from ratings.models import HideReason, Rating, RatingStats, StationDay

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 6, 30, 15, 30, tzinfo=datetime.UTC)  # 23:30 in Shanghai: dates flip within hours
STAT_FIELDS = ("total", "count_1", "count_2", "count_3", "count_4", "count_5", "last_rated_at")


def snapshot():
    stats = {s.pk: tuple(getattr(s, f) for f in STAT_FIELDS) for s in RatingStats.objects.filter(total__gt=0)}
    days = {
        (d.station_id, d.date): (d.scans, d.ratings, d.satisfied, d.dissatisfied)
        for d in StationDay.objects.all() if d.scans or d.ratings
    }
    return stats, days


def submit(station, score, minutes, device):
    return services.rating_submit(
        station=station, score=score, device_hash=f"{device:064x}", now=T0 + datetime.timedelta(minutes=minutes)
    )


def test_satisfaction_rate_is_share_of_4_and_5():
    stats = RatingStats(total=10, count_5=6, count_4=2, count_3=1, count_1=1)
    assert stats.satisfaction_rate == 0.8
    assert RatingStats().satisfaction_rate is None


def test_new_rating_updates_stats_and_day(make_station):
    station = make_station()
    submit(station, 5, 0, 1)
    submit(station, 2, 60, 2)  # 00:30 next day in Shanghai
    stats = RatingStats.objects.get(station=station)
    assert (stats.total, stats.count_5, stats.count_2) == (2, 1, 1)
    assert stats.last_rated_at == T0 + datetime.timedelta(minutes=60)
    days = {d.date: (d.ratings, d.satisfied, d.dissatisfied) for d in StationDay.objects.filter(station=station)}
    assert days == {datetime.date(2026, 6, 30): (1, 1, 0), datetime.date(2026, 7, 1): (1, 0, 1)}


def test_hiding_the_latest_rating_moves_last_rated_back(make_station, admin_user):
    station = make_station()
    first = submit(station, 4, 0, 1)
    latest = submit(station, 1, 90, 2)
    services.rating_hide(rating=latest, reason=HideReason.SPAM, actor=admin_user)
    stats = RatingStats.objects.get(station=station)
    assert (stats.total, stats.count_1, stats.last_rated_at) == (1, 0, first.created_at)
    services.rating_hide(rating=first, reason=HideReason.ABUSE, actor=admin_user)
    stats.refresh_from_db()
    assert (stats.total, stats.last_rated_at, stats.satisfaction_rate) == (0, None, None)
    services.rating_unhide(rating=latest, actor=admin_user)
    stats.refresh_from_db()
    assert (stats.total, stats.count_1, stats.last_rated_at) == (1, 1, latest.created_at)


def test_hide_needs_a_reason_and_is_idempotent(make_station, admin_user):
    station = make_station()
    rating = submit(station, 5, 0, 1)
    with pytest.raises(Exception):
        services.rating_hide(rating=rating, reason="", actor=admin_user)
    services.rating_hide(rating=rating, reason=HideReason.TEST, actor=admin_user)
    services.rating_hide(rating=rating, reason=HideReason.OTHER, note="dup", actor=admin_user)
    assert RatingStats.objects.get(station=station).total == 0
    assert StationDay.objects.get(station=station).ratings == 0
    assert Rating.objects.get().hidden_reason == HideReason.OTHER


operations = st.lists(
    st.one_of(
        st.tuples(st.just("rate"), st.integers(0, 1), st.integers(1, 5), st.integers(0, 3000)),
        st.tuples(st.just("hide"), st.integers(0, 50)),
        st.tuples(st.just("unhide"), st.integers(0, 50)),
        st.tuples(st.just("scan"), st.integers(0, 1), st.integers(0, 3000)),
    ),
    max_size=25,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_incremental_stats_equal_rebuilt_stats(make_station, admin_user, ops):
    stations = [make_station(), make_station()]
    device = 0
    for op in ops:
        if op[0] == "rate":
            device += 1
            submit(stations[op[1]], op[2], op[3], device)
        elif op[0] == "scan":
            services.scan_record(station=stations[op[1]], at=T0 + datetime.timedelta(minutes=op[2]))
        else:
            ratings = list(Rating.objects.order_by("pk"))
            if ratings:
                rating = ratings[op[1] % len(ratings)]
                if op[0] == "hide":
                    services.rating_hide(rating=rating, reason=HideReason.SPAM, actor=admin_user)
                else:
                    services.rating_unhide(rating=rating, actor=admin_user)
    incremental = snapshot()
    rebuild.stats_rebuild()
    assert snapshot() == incremental
    # A rebuild from nothing (lost counters) gives the same numbers too, scans aside,
    # whether all stations are one chunk or each station is its own.
    RatingStats.objects.all().delete()
    StationDay.objects.update(ratings=0, satisfied=0, dissatisfied=0)
    rebuild.stats_rebuild(chunk_size=1)
    assert snapshot() == incremental
    assert rebuild.stats_rebuild() == rebuild.RebuildResult(
        stations=len(incremental[0]), days=sum(1 for day in incremental[1].values() if day[1]),
        stations_changed=0, days_changed=0,
    )
    Rating.objects.all().delete()
    StationDay.objects.all().delete()
    RatingStats.objects.all().delete()


def test_rebuild_command_speaks_the_portal_language(make_station):
    from django.utils import translation

    station = make_station()
    submit(station, 5, 0, 1)
    RatingStats.objects.filter(pk=station.pk).update(total=3, count_5=3)
    out = io.StringIO()
    with translation.override("zh-hans"):
        call_command("rebuild_rating_stats", "--dry-run", stdout=out)
        call_command("rebuild_rating_stats", stdout=out)
        with pytest.raises(CommandError, match="未知的驿站编码：NOPE"):
            call_command("rebuild_rating_stats", "--station", "NOPE")
    assert out.getvalue().splitlines() == [
        "1 个驿站的统计与原始评价不一致（试运行，未写入任何数据）。",
        "已重建 1 个驿站、1 个驿站日的评价统计；修改了 1 行统计、0 行驿站日数据。",
    ]


def test_rebuild_command_repairs_broken_counters(make_station, admin_user):
    station = make_station()
    submit(station, 5, 0, 1)
    submit(station, 3, 10, 2)
    RatingStats.objects.filter(pk=station.pk).update(total=7, count_5=7, count_3=0)
    out = io.StringIO()
    call_command("rebuild_rating_stats", "--dry-run", stdout=out)
    assert "1 station(s) have statistics that differ" in out.getvalue()
    assert RatingStats.objects.get(pk=station.pk).total == 7
    out = io.StringIO()
    call_command("rebuild_rating_stats", "--station", station.code, stdout=out)
    assert "Rebuilt rating statistics for 1 station(s)" in out.getvalue()
    stats = RatingStats.objects.get(pk=station.pk)
    assert (stats.total, stats.count_5, stats.count_3) == (2, 1, 1)
    out = io.StringIO()
    call_command("rebuild_rating_stats", "--dry-run", stdout=out)
    assert out.getvalue().startswith("0 station(s)")


def test_rebuild_writes_only_what_differs(make_station, admin_user):
    station, other = make_station(), make_station()
    kept = submit(station, 5, 0, 1)
    hidden = submit(station, 1, 24 * 60, 2)  # the next local day
    submit(other, 4, 0, 3)
    services.rating_hide(rating=hidden, reason=HideReason.SPAM, actor=admin_user)
    services.scan_record(station=other, at=T0 + datetime.timedelta(days=3))  # a day with a scan only
    services.scan_record(station=station, at=hidden.created_at)  # scanned, rated, rating hidden
    correct = snapshot()
    result = rebuild.stats_rebuild()
    assert (result.stations, result.days, result.stations_changed, result.days_changed) == (2, 2, 0, 0)

    RatingStats.objects.filter(pk=station.pk).update(total=3, count_5=3)  # wrong counts
    StationDay.objects.filter(station=other).update(ratings=F("ratings") + 2)  # both of its days wrong
    StationDay.objects.create(station=station, date=datetime.date(2026, 1, 1), ratings=1, satisfied=1)  # no scan, no rating
    StationDay.objects.filter(station=station, date=services.local_date(kept.created_at)).delete()  # lost day
    result = rebuild.stats_rebuild()
    assert (result.stations, result.days, result.stations_changed, result.days_changed) == (2, 2, 1, 4)
    assert snapshot() == correct
    # The day whose only rating is hidden keeps its scan, counted as no rating.
    assert StationDay.objects.get(station=station, date=services.local_date(hidden.created_at)).ratings == 0
    assert not StationDay.objects.filter(date=datetime.date(2026, 1, 1)).exists()


def test_failed_chunk_rolls_back_whole_and_leaves_later_stations_as_they_were(make_station, monkeypatch):
    first, second, third = make_station(), make_station(), make_station()
    for device, station in enumerate((first, second, third)):
        submit(station, 5, device, device)
    correct = snapshot()
    RatingStats.objects.update(total=F("total") + 1, count_3=F("count_3") + 1)
    StationDay.objects.update(ratings=F("ratings") + 1, dissatisfied=1)
    broken = snapshot()

    rebuild_chunk = rebuild._RebuildTables.rebuild

    def fails_for_second(tables, chunk):
        done = rebuild_chunk(tables, chunk)  # the chunk's writes are done, then it fails
        if chunk.first == second.pk:
            raise RuntimeError("disk full")
        return done

    monkeypatch.setattr(rebuild._RebuildTables, "rebuild", fails_for_second)
    with pytest.raises(rebuild.RebuildStopped) as stopped:
        rebuild.stats_rebuild(chunk_size=1)
    assert stopped.value.first_station_id == second.pk
    assert stopped.value.done.stations == 1
    assert isinstance(stopped.value.__cause__, RuntimeError)

    def station_part(snap, station):
        stats, days = snap
        return stats.get(station.pk), {key: value for key, value in days.items() if key[0] == station.pk}

    now = snapshot()
    assert station_part(now, first) == station_part(correct, first)
    assert station_part(now, second) == station_part(broken, second)  # rolled back: stats and days alike
    assert station_part(now, third) == station_part(broken, third)  # never started

    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Run the command again"):
        call_command("rebuild_rating_stats", "--chunk-size", "1", stdout=io.StringIO())
    monkeypatch.undo()
    call_command("rebuild_rating_stats", stdout=io.StringIO())
    assert snapshot() == correct


@pytest.mark.parametrize("zone, moments", [
    # Asia/Shanghai: a microsecond before local midnight stays on its day.
    ("Asia/Shanghai", ["2026-06-30T15:59:59.999999", "2026-06-30T16:00:00", "2026-06-30T15:59:59"]),
    # A zone with summer time, around local midnight on both sides of both changes of offset.
    ("America/New_York", [
        "2026-03-08T04:59:59.9997", "2026-03-08T05:00:00", "2026-03-08T06:59:59", "2026-03-08T07:00:00",
        "2026-03-09T03:59:59", "2026-03-09T04:00:00", "2026-11-01T03:59:59.5", "2026-11-01T04:00:00",
        "2026-11-01T05:59:59", "2026-11-01T06:00:00", "2026-11-02T04:59:59", "2026-11-02T05:00:00",
    ]),
])
def test_rebuild_local_dates_equal_the_live_ones(make_station, settings, zone, moments):
    settings.TIME_ZONE = zone
    station = make_station()
    for device, moment in enumerate(moments):
        services.rating_submit(
            station=station, score=1 + device % 5, device_hash=f"{device:064x}",
            now=datetime.datetime.fromisoformat(moment).replace(tzinfo=datetime.UTC),
        )
    live = snapshot()
    StationDay.objects.all().delete()
    RatingStats.objects.all().delete()
    rebuild.stats_rebuild()
    assert snapshot() == live


def test_rebuild_command_names_unknown_station():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="NOPE-1"):
        call_command("rebuild_rating_stats", "--station", "NOPE-1")


def test_demo_history_is_deterministic_realistic_and_consistent(make_station):
    today = datetime.date(2026, 11, 22)
    stations = [make_station(listed_on=datetime.date(2023, 1, 1)) for _ in range(30)]
    count = seed_rating_history(stations, seed=7, today=today, target=3000)
    assert 2000 <= count <= 4000
    first = list(Rating.objects.order_by("station_id", "created_at").values_list("station_id", "score", "created_at"))
    stats = snapshot()
    satisfied = Rating.objects.filter(hidden=False, score__gte=4).count() / Rating.objects.filter(hidden=False).count()
    assert satisfied > 0.95
    incremental = snapshot()
    rebuild.stats_rebuild()
    assert snapshot() == incremental
    # Some stations are at risk (60-88 days without a rating), a couple past the 3-month mark.
    now = datetime.datetime.combine(today, datetime.time(12), tzinfo=timezone.get_current_timezone())
    gaps = sorted((now - s.last_rated_at).days for s in RatingStats.objects.all())
    assert any(60 <= gap <= 88 for gap in gaps)
    assert sum(gap >= 95 for gap in gaps) == 2
    assert all(s.scans >= s.ratings for s in StationDay.objects.all())
    Rating.objects.all().delete()
    StationDay.objects.all().delete()
    RatingStats.objects.all().delete()
    seed_rating_history(stations, seed=7, today=today, target=3000)
    assert list(Rating.objects.order_by("station_id", "created_at").values_list("station_id", "score", "created_at")) == first
    assert snapshot() == stats


def test_dissatisfied_ratings_open_a_supervision_alert(make_station, settings, django_capture_on_commit_callbacks):
    from oversight.models import Alert

    settings.ALERT_MIN_RATINGS = 2
    settings.ALERT_DISSATISFIED_SHARE = 0.5
    station = make_station()
    with django_capture_on_commit_callbacks(execute=True):
        services.rating_submit(station=station, score=1, device_hash="a" * 64)
    assert not Alert.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.rating_submit(station=station, score=2, device_hash="b" * 64)
    assert Alert.objects.filter(station=station, kind="bad_ratings").count() == 1
