"""Alerts: bad ratings or piled-up problem reports open one alert and send one email."""

import datetime
import itertools

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from oversight import roles
from oversight.alerts import alert_acknowledge, alerts_check_station
from oversight.models import Alert
from ratings import services

_devices = itertools.count()
NOW = timezone.make_aware(datetime.datetime(2026, 7, 1, 15, 0))


@pytest.fixture
def station(make_station):
    return make_station(manager_email="registry.manager@example.org")


@pytest.fixture
def people(make_staff, station, shibei):
    return {
        "manager": make_staff(roles.STATION_MANAGER, stations=[station], email="manager@example.org"),
        "chief": make_staff(roles.DISTRICT_CHIEF, districts=[shibei], email="chief@example.org"),
    }


@pytest.fixture
def rate(django_capture_on_commit_callbacks):
    """Submit ratings through the ratings service; the alert check runs on commit, as in production."""

    def submit(station, *scores, at=NOW, **extra):
        for score in scores:
            with django_capture_on_commit_callbacks(execute=True):
                services.rating_submit(
                    station=station, score=score, device_hash=f"device-{next(_devices)}", now=at, **extra
                )

    return submit


@pytest.fixture
def report(django_capture_on_commit_callbacks):
    def submit(station, count, at=NOW):
        for _n in range(count):
            with django_capture_on_commit_callbacks(execute=True):
                services.problem_report_submit(
                    station=station, kind="supplies", device_hash=f"device-{next(_devices)}", now=at
                )

    return submit


def test_half_dissatisfied_among_four_ratings_opens_one_alert_and_one_email(station, people, rate):
    rate(station, 5, 1, 4, 2)
    alert = Alert.objects.get()
    assert (alert.station, alert.kind, alert.is_open) == (station, Alert.Kind.BAD_RATINGS, True)
    assert "2 of 4" in alert.summary
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == sorted([
        "manager@example.org", "chief@example.org", "registry.manager@example.org", "chief.shibei@example.org",
    ])
    assert station.code in mail.outbox[0].subject
    assert reverse("oversight:dashboard") in mail.outbox[0].body


def test_more_bad_ratings_do_not_open_a_second_alert_or_email(station, people, rate):
    rate(station, 1, 1, 2, 1, 1, 1)
    assert Alert.objects.count() == 1
    assert len(mail.outbox) == 1
    assert alerts_check_station(station, now=NOW) == []


@pytest.mark.parametrize("scores", [(1, 1, 1), (5, 5, 1, 4), (5, 5, 1, 4, 2)])
def test_below_the_thresholds_no_alert(station, people, rate, scores):
    # Three bad ratings are too few to judge; 1 of 4 and 2 of 5 are under half.
    rate(station, *scores)
    assert not Alert.objects.exists()
    assert not mail.outbox


def test_only_ratings_within_the_window_count(station, people, rate):
    rate(station, 1, 1, at=NOW - datetime.timedelta(hours=25))
    rate(station, 1, 5, at=NOW)
    assert not Alert.objects.exists()
    rate(station, 1, at=NOW + datetime.timedelta(minutes=5))  # 1,5,1 + ... still 3 in window
    assert not Alert.objects.exists()
    rate(station, 4, at=NOW + datetime.timedelta(minutes=6))  # 4 ratings, 2 dissatisfied
    assert Alert.objects.count() == 1


def test_hidden_ratings_do_not_count(station, people, rate, make_staff):
    from ratings.models import Rating

    rate(station, 5, 5, 1)
    services.rating_hide(rating=Rating.objects.get(score=1), reason="spam", actor=make_staff(None))
    rate(station, 1, 5)  # visible: 5, 5, 1, 5 -> one dissatisfied of four
    assert not Alert.objects.exists()


def test_thresholds_are_settings(station, people, rate, settings):
    settings.ALERT_MIN_RATINGS = 2
    settings.ALERT_DISSATISFIED_SHARE = 1.0
    rate(station, 1, 4)
    assert not Alert.objects.exists()
    rate(station, 1, 2, at=NOW + datetime.timedelta(hours=settings.ALERT_WINDOW_HOURS, minutes=1))
    assert Alert.objects.count() == 1


def test_problem_reports_piling_up_open_an_alert(station, people, report, settings):
    settings.ALERT_PROBLEM_REPORTS = 3
    report(station, 2)
    assert not Alert.objects.exists()
    report(station, 1)
    alert = Alert.objects.get()
    assert alert.kind == Alert.Kind.PROBLEM_REPORTS
    assert len(mail.outbox) == 1


def test_an_acknowledged_alert_stays_closed_until_new_bad_ratings(station, people, rate):
    rate(station, 1, 1, 1, 1)
    alert = Alert.objects.get()
    later = NOW + datetime.timedelta(hours=1)
    alert_acknowledge(alert=alert, actor=people["chief"], note="Called the manager; water restored.")
    Alert.objects.filter(pk=alert.pk).update(acknowledged_at=later)
    assert alerts_check_station(station, now=later + datetime.timedelta(minutes=1)) == []

    rate(station, 1, 2, 1, 5, at=later + datetime.timedelta(minutes=10))
    assert Alert.objects.open().count() == 1
    assert Alert.objects.count() == 2
    assert len(mail.outbox) == 2


def test_acknowledging_needs_a_note_and_scope(station, people, rate, make_staff, shinan):
    from django.core.exceptions import PermissionDenied, ValidationError

    rate(station, 1, 1, 1, 1)
    alert = Alert.objects.get()
    with pytest.raises(ValidationError):
        alert_acknowledge(alert=alert, actor=people["manager"], note="  ")
    outsider = make_staff(roles.DISTRICT_CHIEF, districts=[shinan])
    with pytest.raises(PermissionDenied):
        alert_acknowledge(alert=alert, actor=outsider, note="not mine")
    alert.refresh_from_db()
    assert alert.is_open


def test_alert_shows_on_the_dashboard_until_acknowledged(client, station, people, rate):
    rate(station, 1, 1, 1, 1)
    alert = Alert.objects.get()
    client.force_login(people["manager"])
    response = client.get(reverse("oversight:dashboard"))
    assert list(response.context["alerts"]) == [alert]

    url = reverse("oversight:acknowledge_alert", args=[alert.pk])
    response = client.post(url, {"note": ""})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.is_open  # an empty note is refused

    client.post(url, {"note": "Dispenser repaired."})
    alert.refresh_from_db()
    assert not alert.is_open
    assert alert.acknowledged_by == people["manager"] and alert.note == "Dispenser repaired."
    response = client.get(reverse("oversight:dashboard"))
    assert list(response.context["alerts"]) == []


def test_out_of_scope_user_cannot_acknowledge_by_url(client, station, people, rate, make_staff, make_station, shinan):
    rate(station, 1, 1, 1, 1)
    alert = Alert.objects.get()
    other_manager = make_staff(roles.STATION_MANAGER, stations=[make_station(district=shinan)])
    client.force_login(other_manager)
    response = client.post(reverse("oversight:acknowledge_alert", args=[alert.pk]), {"note": "x"})
    assert response.status_code == 404
    alert.refresh_from_db()
    assert alert.is_open


def test_alert_admin_acknowledges_with_the_note(client, station, people, rate):
    rate(station, 1, 1, 1, 1)
    alert = Alert.objects.get()
    client.force_login(people["chief"])
    url = reverse("admin:oversight_alert_change", args=[alert.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"note": "Visited, fixed."})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert not alert.is_open and alert.note == "Visited, fixed."


def test_the_check_after_each_rating_is_cheap(station, rate, django_assert_num_queries):
    from oversight.models import Alert as AlertModel

    rate(station, 5, 5)
    # One query for the station's alert state, one for the window's ratings.
    with django_assert_num_queries(2):
        assert alerts_check_station(station, now=NOW, kinds=[AlertModel.Kind.BAD_RATINGS]) == []
