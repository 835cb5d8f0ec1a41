"""The staff dashboard: daily supervision, weekly rectification, monthly improvement, charts."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from oversight import roles
from oversight.inspections import task_open
from ratings.models import StationDay
from stations.models import LevelChange
from stations.models.station import Level, Status

TODAY = datetime.date(2026, 6, 10)
YESTERDAY = TODAY - datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2026, 6, 10, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8))), tick=False):
        yield


@pytest.fixture
def world(make_station, make_staff, qingdao, shibei, shinan):
    a = make_station(code="QD-SB-A")
    b = make_station(code="QD-SB-B")
    c = make_station(code="QD-SN-C", district=shinan)
    day = StationDay.objects.create
    day(station=a, date=YESTERDAY, scans=12, ratings=5, satisfied=5, dissatisfied=0)
    day(station=b, date=YESTERDAY, scans=4, ratings=4, satisfied=1, dissatisfied=2)
    day(station=c, date=YESTERDAY, scans=30, ratings=10, satisfied=9, dissatisfied=1)
    day(station=a, date=TODAY - datetime.timedelta(days=20), scans=3, ratings=3, satisfied=3)
    return {
        "a": a, "b": b, "c": c,
        "city": make_staff(roles.CITY_STAFF, city=qingdao),
        "chief": make_staff(roles.DISTRICT_CHIEF, districts=[shibei]),
        "manager": make_staff(roles.STATION_MANAGER, stations=[b]),
    }


def dashboard(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("oversight:dashboard"), params)
    assert response.status_code == 200
    return response


def test_anonymous_users_go_to_the_login_page(client, db):
    response = client.get(reverse("oversight:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_users_without_a_role_are_refused(client, db):
    from django.contrib.auth.models import User

    client.force_login(User.objects.create_user("someone", is_staff=True))
    assert client.get(reverse("oversight:dashboard")).status_code == 403


def test_yesterday_per_district_and_station_for_city_staff(client, world):
    activity = dashboard(client, world["city"]).context["activity"]
    assert activity.date == YESTERDAY
    assert (activity.total.scans, activity.total.ratings, activity.total.satisfied) == (46, 19, 15)
    by_district = {row.district.code: (row.counts.scans, row.counts.ratings, row.stations) for row in activity.districts}
    assert by_district == {"shibei": (16, 9, 2), "shinan": (30, 10, 1)}
    assert [row.code for row in activity.stations] == ["QD-SN-C", "QD-SB-A", "QD-SB-B"]
    assert activity.stations[2].counts.satisfaction_rate == pytest.approx(0.25)


def test_district_chief_sees_exactly_their_district(client, world):
    response = dashboard(client, world["chief"])
    activity = response.context["activity"]
    assert {row.code for row in activity.stations} == {"QD-SB-A", "QD-SB-B"}
    assert [row.district.code for row in activity.districts] == ["shibei"]
    assert activity.total.scans == 16
    assert b"QD-SN-C" not in response.content


def test_station_manager_sees_only_their_station(client, world):
    response = dashboard(client, world["manager"])
    activity = response.context["activity"]
    assert [row.code for row in activity.stations] == ["QD-SB-B"]
    assert activity.total.scans == 4
    assert b"QD-SB-A" not in response.content and b"QD-SN-C" not in response.content


def test_another_date_and_a_bad_date(client, world):
    activity = dashboard(client, world["city"], date=(TODAY - datetime.timedelta(days=20)).isoformat()).context["activity"]
    assert activity.total.scans == 3
    client.force_login(world["city"])
    response = client.get(reverse("oversight:dashboard"), {"date": "yesterday"})
    assert response.status_code == 400
    assert b"date" in response.content
    assert client.get(reverse("oversight:dashboard"), {"month": "2026-13"}).status_code == 400


def test_weekly_list_lowest_satisfaction_needs_improvement_and_overdue(client, world, make_staff):
    from ratings.services import rating_submit

    for n, score in enumerate([1, 2, 5]):
        rating_submit(
            station=world["b"], score=score, tags=["tag_needs_improvement"], device_hash=f"d{n}",
            now=timezone.now() - datetime.timedelta(days=2),
        )
    late = task_open(station=world["a"], finding="Fix the door", deadline=TODAY - datetime.timedelta(days=1))
    task_open(station=world["a"], finding="Not yet due", deadline=TODAY)

    weekly = dashboard(client, world["chief"]).context["weekly"]
    assert weekly.end == YESTERDAY and weekly.start == TODAY - datetime.timedelta(days=7)
    lowest = [row["station__code"] for row in weekly.lowest_satisfaction]
    assert lowest[0] == "QD-SB-B"  # 1 satisfied of 4 yesterday + 1 of 3 two days ago
    assert [(row["station__code"], row["tags"]) for row in weekly.most_needs_improvement] == [("QD-SB-B", 3)]
    assert weekly.overdue_tasks == [late]


def test_month_summary_counts_level_changes(client, world):
    for station, kwargs in [
        (world["a"], {"from_level": Level.PROVINCIAL, "to_level": Level.CITY, "from_status": "active", "to_status": "active"}),
        (world["b"], {"from_level": Level.CITY, "to_level": Level.CITY, "from_status": "active", "to_status": Status.DELISTED}),
        (world["c"], {"from_level": Level.CITY, "to_level": Level.CITY, "from_status": Status.DELISTED, "to_status": "active"}),
    ]:
        LevelChange.objects.create(station=station, reason="rule", **kwargs)
    monthly = dashboard(client, world["city"]).context["monthly"]
    assert [c.station.code for c in monthly.downgraded] == ["QD-SB-A"]
    assert [c.station.code for c in monthly.delisted] == ["QD-SB-B"]
    assert [c.station.code for c in monthly.reinstated] == ["QD-SN-C"]
    assert monthly.total.ratings == 19 and monthly.previous.ratings == 3  # 20 days ago was May 21

    chief_month = dashboard(client, world["chief"]).context["monthly"]
    assert chief_month.reinstated == []  # QD-SN-C is outside Shibei


def test_charts_are_inline_svg_without_external_assets(client, world):
    response = dashboard(client, world["city"])
    html = response.content.decode()
    assert html.count("<svg") >= 3
    assert "cdn" not in html.lower()
    assert "<script" not in html
    assert "Shinan" in html  # the per-district bar chart names districts


def test_chart_escapes_names():
    from oversight.charts import bar_chart

    svg = bar_chart([("<script>alert(1)</script>", 3)], title="t")
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_admin_index_links_the_dashboard(client, world):
    client.force_login(world["chief"])
    response = client.get(reverse("admin:index"))
    assert reverse("oversight:dashboard").encode() in response.content


def test_sections_are_cached_per_scope_but_alerts_are_not(client, world, settings, make_staff, shibei):
    from django.core.cache import cache

    from oversight.models import Alert

    settings.DASHBOARD_CACHE_SECONDS = 300
    cache.clear()
    try:
        assert dashboard(client, world["chief"]).context["activity"].total.scans == 16
        StationDay.objects.filter(station=world["a"], date=YESTERDAY).update(scans=112)
        Alert.objects.create(station=world["a"], kind=Alert.Kind.BAD_RATINGS, summary="bad")
        response = dashboard(client, world["chief"])
        assert response.context["activity"].total.scans == 16  # cached
        assert len(response.context["alerts"]) == 1  # never cached
        # Another reader with the same scope shares the section; a different scope does not.
        same = make_staff(roles.DISTRICT_CHIEF, districts=[shibei])
        assert dashboard(client, same).context["activity"].total.scans == 16
        assert dashboard(client, world["manager"]).context["activity"].total.scans == 4
        assert dashboard(client, world["city"]).context["activity"].total.scans == 146
    finally:
        cache.clear()
