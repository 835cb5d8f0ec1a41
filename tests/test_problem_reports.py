"""Report a problem: public, no login, same anti-abuse and privacy rules; staff handle it."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from oversight import roles
from ratings.models import ProblemKind, ProblemReport
from ratings.selectors import last_problem_report, open_problem_counts

pytestmark = pytest.mark.django_db


def report_url(station):
    return reverse("ratings:report_problem", args=[station.code])


def test_report_url_is_the_contract(make_station):
    station = make_station()
    assert report_url(station) == f"/stations/{station.code}/report/"


def test_form_lists_every_kind_without_login(client, make_station):
    page = client.get(report_url(make_station())).content.decode()
    for label in ("Closed or locked during posted hours", "Wrong location on the map",
                  "Out of water or supplies", "Equipment broken", "Other"):
        assert label in page
    assert 'name="website"' in page and "<script" not in page


def test_rating_page_links_to_report(client, make_station):
    station = make_station()
    page = client.get(reverse("ratings:rate", args=[station.rating_token])).content.decode()
    assert report_url(station) in page


def test_report_is_stored_and_thanked(client, make_station):
    station = make_station()
    response = client.post(report_url(station), {"kind": "supplies"}, follow=True)
    assert response.redirect_chain[-1][1] == 303
    assert "Your report has been passed to the staff" in response.content.decode()
    report = ProblemReport.objects.get()
    assert (report.station, report.kind, report.handled) == (station, ProblemKind.SUPPLIES, False)
    assert len(report.device_hash) == 64


def test_other_needs_text(client, make_station):
    station = make_station()
    response = client.post(report_url(station), {"kind": "other", "text": "  "})
    assert "Please describe the problem." in response.content.decode()
    assert not ProblemReport.objects.exists()
    client.post(report_url(station), {"kind": "other", "text": "门口堆满了杂物"})
    assert ProblemReport.objects.get().text == "门口堆满了杂物"


def test_same_problem_twice_is_a_friendly_page_another_kind_is_fine(make_station):
    station = make_station()
    phone = Client(HTTP_ACCEPT_LANGUAGE="en")
    phone.get(report_url(station))
    assert phone.post(report_url(station), {"kind": "closed"}).status_code == 303
    again = phone.post(report_url(station), {"kind": "closed"})
    assert again.status_code == 200 and "already reported this problem" in again.content.decode()
    assert phone.post(report_url(station), {"kind": "equipment"}).status_code == 303
    assert ProblemReport.objects.count() == 2


def test_per_network_limit_applies(make_station, settings):
    settings.RATING_IP_LIMIT_PER_HOUR = 2
    station = make_station()
    codes = [
        Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="10.3.3.3").post(report_url(station), {"kind": kind}).status_code
        for kind in ("closed", "location", "supplies")
    ]
    assert codes == [303, 303, 429]


def test_honeypot_stores_nothing(client, make_station):
    client.post(report_url(make_station()), {"kind": "closed", "website": "x"})
    assert not ProblemReport.objects.exists()


def test_delisted_station_takes_no_reports(client, make_station):
    station = make_station(status="delisted")
    assert client.get(report_url(station)).status_code == 410
    client.post(report_url(station), {"kind": "closed"})
    assert not ProblemReport.objects.exists()


def test_unknown_station_is_404(client, db):
    assert client.get("/stations/NO-SUCH-1/report/").status_code == 404


def test_last_reported_problem_and_open_counts(client, make_station):
    station, other = make_station(), make_station()
    assert last_problem_report(station) is None
    Client().post(report_url(station), {"kind": "closed"})
    Client().post(report_url(station), {"kind": "location"})
    assert last_problem_report(station).kind == ProblemKind.LOCATION
    assert open_problem_counts(type(station).objects.all()) == {station.pk: 2}
    assert other.pk not in open_problem_counts(type(station).objects.all())


def test_staff_mark_handled_with_note_in_scope_only(client, make_station, make_staff):
    mine, other = make_station(), make_station()
    Client().post(report_url(mine), {"kind": "equipment"})
    Client().post(report_url(other), {"kind": "equipment"})
    manager = make_staff(roles.STATION_MANAGER, stations=[mine])
    client.force_login(manager)
    listing = client.get(reverse("admin:ratings_problemreport_changelist")).content.decode()
    assert mine.code in listing and other.code not in listing
    mine_report = ProblemReport.objects.get(station=mine)
    other_report = ProblemReport.objects.get(station=other)
    url = reverse("admin:ratings_problemreport_change", args=[mine_report.pk])
    response = client.post(url, {"handled": "on", "handled_note": "已修好热水器"})
    assert response.status_code == 302
    mine_report.refresh_from_db()
    assert mine_report.handled and mine_report.handled_note == "已修好热水器" and mine_report.handled_by == manager
    assert client.get(reverse("admin:ratings_problemreport_change", args=[other_report.pk])).status_code == 404


def test_reports_piling_up_open_an_alert(make_station, settings, django_capture_on_commit_callbacks):
    from oversight.models import Alert

    settings.ALERT_PROBLEM_REPORTS = 2
    station = make_station()
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(report_url(station), {"kind": "closed"})
    assert not Alert.objects.filter(station=station).exists()
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(report_url(station), {"kind": "supplies"})
    assert Alert.objects.filter(station=station, kind="problem_reports").count() == 1


def test_station_page_shows_last_problem_to_staff_in_scope_only(client, make_station, make_staff):
    station, other = make_station(), make_station()
    Client().post(report_url(station), {"kind": "other", "text": "门锁坏了"})
    detail = reverse("stations:detail", args=[station.code])
    assert "Last reported problem" not in client.get(detail).content.decode()
    client.force_login(make_staff(roles.STATION_MANAGER, stations=[other]))
    assert "Last reported problem" not in client.get(detail).content.decode()
    client.force_login(make_staff(roles.STATION_MANAGER, stations=[station]))
    page = client.get(detail).content.decode()
    assert "Last reported problem" in page and "门锁坏了" in page and "1 open report" in page
    assert reverse("ratings:poster", args=[station.code]) in page


def test_an_unhandled_report_reads_as_unhandled_in_chinese(make_station, make_staff):
    """"open" here is a report's state (未处理), not a station's opening hours (开放中)."""
    station = make_station()
    Client().post(report_url(station), {"kind": "closed"})
    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    chinese.force_login(make_staff(roles.STATION_MANAGER, stations=[station]))
    page = chinese.get(reverse("stations:detail", args=[station.code])).content.decode()
    assert "1 条未处理反馈" in page
    assert re.search(r"\(\d{4}-\d\d-\d\d \d\d:\d\d, 未处理\)", page)
