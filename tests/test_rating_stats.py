"""Live station scores: incremental counters agree with a rebuild from the raw ratings."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ratings import services
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
    services.stats_rebuild()
    assert snapshot() == incremental
    # A rebuild from nothing (lost counters) gives the same numbers too, scans aside.
    RatingStats.objects.all().delete()
    StationDay.objects.update(ratings=0, satisfied=0, dissatisfied=0)
    services.stats_rebuild()
    assert snapshot() == incremental
    Rating.objects.all().delete()
    StationDay.objects.all().delete()
    RatingStats.objects.all().delete()


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
    services.stats_rebuild()
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
