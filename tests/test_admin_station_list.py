"""The admin's station list for reviewing scores: columns, sorting, filters, query count, exports."""

import csv
import datetime
import io
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from openpyxl import load_workbook

from oversight import roles
from ratings.models import RatingStats, StationDay
from stations.admin.filters import CityFilter, DistrictFilter
from stations.admin.station import StationAdmin

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 6, 15, 10, 0, tzinfo=SHANGHAI)
TODAY = NOW.date()
LIST_URL = reverse("admin:stations_station_changelist")
EXPORT_URL = reverse("admin:stations_station_export")


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client


def give_scores(station, counts=None, last_rated=None, days=()):
    """Ratings as the ratings app keeps them: counts 1..5, last rating time, per-day rows."""
    if counts is not None:
        RatingStats.objects.create(
            station=station, total=sum(counts), last_rated_at=last_rated,
            **{f"count_{score}": count for score, count in zip(range(1, 6), counts)},
        )
    for days_ago, ratings in days:
        StationDay.objects.create(station=station, date=TODAY - datetime.timedelta(days=days_ago), ratings=ratings)
    return station


def expected_scores(station):
    """The values each score column must show, computed here from the raw rows."""
    stats = RatingStats.objects.filter(station=station).first()
    recent = sum(
        d.ratings for d in StationDay.objects.filter(station=station)
        if TODAY - datetime.timedelta(days=29) <= d.date <= TODAY
    )
    last = stats.last_rated_at if stats else None
    return {
        "ratings_30d": recent,
        "ratings_total": stats.total if stats else 0,
        "satisfaction": stats.satisfaction_rate if stats else None,
        "last_rated_at": last,
        "days_since": None if last is None else (TODAY - last.astimezone(SHANGHAI).date()).days,
    }


@pytest.fixture
def scored(make_station, shinan):
    """Stations with distinct scores; one never rated."""
    hours_ago = lambda h: NOW - datetime.timedelta(hours=h)  # noqa: E731
    return [
        give_scores(make_station(code="QD-SB-0001", name="Station A"), (0, 0, 1, 2, 7), hours_ago(50),
                    days=[(0, 3), (29, 2), (30, 5)]),
        give_scores(make_station(code="QD-SB-0002", name="Station C", kind="partner", partner_type="bank",
                                 level=2), (3, 1, 0, 0, 1), hours_ago(24 * 40), days=[(40, 5)]),
        make_station(code="QD-SB-0003", name="Station B", district=shinan, status="suspended"),
        give_scores(make_station(code="QD-SB-0004", name="Station D", kind="movable", level=3),
                    (0, 0, 0, 1, 0), hours_ago(1), days=[(0, 1)]),
        give_scores(make_station(code="QD-SB-0005", name="Station E", district=shinan),
                    (2, 0, 0, 7, 1), hours_ago(24 * 95), days=[]),
    ]


def changelist(staff_client, **params):
    response = staff_client.get(LIST_URL, params)
    assert response.status_code == 200
    assert "e" not in response.wsgi_request.GET
    return response


def codes(response):
    return [station.code for station in response.context["cl"].result_list]


# --- Columns -------------------------------------------------------------------------


def test_score_columns_match_the_ratings(staff_client, scored):
    response = changelist(staff_client)
    rows = {station.code: station for station in response.context["cl"].result_list}
    for station in scored:
        row, expected = rows[station.code], expected_scores(station)
        assert row.ratings_30d == expected["ratings_30d"]
        assert row.ratings_total == expected["ratings_total"]
        assert row.last_rated_at_value == expected["last_rated_at"]
        if expected["satisfaction"] is None:
            assert row.satisfaction is None
        else:
            assert row.satisfaction == pytest.approx(expected["satisfaction"])
    # Spot checks against hand-computed numbers.
    assert (rows["QD-SB-0001"].ratings_30d, rows["QD-SB-0001"].ratings_total) == (5, 10)
    assert rows["QD-SB-0001"].satisfaction == pytest.approx(0.9)
    assert rows["QD-SB-0002"].ratings_30d == 0


def test_score_cells_as_shown(staff_client, scored):
    html = changelist(staff_client).content.decode()
    headers = [
        "Code", "Name", "District", "Kind", "Certification level", "Status", "Ratings, last 30 days",
        "Total ratings", "Satisfaction", "Last rated", "Days since last rating",
    ]
    for header in headers:
        assert f">{header}</a>" in html, header
    assert "90.0%" in html
    assert '<span class="score-low">20.0%</span>' in html
    assert "2026-06-13 08:00" in html  # last rated 50 hours before 06-15 10:00, local time
    assert '<td class="field-days_since_rating">2</td>' in html
    assert '<td class="field-days_since_rating">95</td>' in html
    assert '<td class="field-last_rated"><span class="score-none">never</span></td>' in html


# --- Sorting -------------------------------------------------------------------------

DISTRICT_ORDER = {"shibei": 0, "shinan": 1}
SORT_KEYS = {
    "code": lambda s, e: s.code,
    "name": lambda s, e: s.name,
    "district": lambda s, e: DISTRICT_ORDER[s.district.code],
    "kind": lambda s, e: s.kind,
    "level": lambda s, e: s.level,
    "status": lambda s, e: s.status,
    "ratings_30d": lambda s, e: e["ratings_30d"],
    "ratings_total": lambda s, e: e["ratings_total"],
    # Never rated: last when sorting by satisfaction and by days since (infinitely many),
    # first when sorting by last rated (longest ago).
    "satisfaction": lambda s, e: (e["satisfaction"] is None, e["satisfaction"] or 0),
    "last_rated": lambda s, e: (e["last_rated_at"] is not None, e["last_rated_at"] or NOW),
    "days_since_rating": lambda s, e: (e["days_since"] is None, e["days_since"] or 0),
}


@pytest.mark.parametrize("column", list(SORT_KEYS))
@pytest.mark.parametrize("descending", [False, True])
def test_every_column_sorts_by_its_values(staff_client, scored, column, descending):
    list_display = changelist(staff_client).context["cl"].list_display
    index = list(list_display).index(column)
    response = changelist(staff_client, o=f"{'-' if descending else ''}{index}")
    # Ties keep the admin's default order, by code.
    expected = sorted(scored, key=lambda s: s.code)
    expected.sort(key=lambda s: SORT_KEYS[column](s, expected_scores(s)), reverse=descending)
    assert codes(response) == [s.code for s in expected]


# --- Filters -------------------------------------------------------------------------


@pytest.fixture
def satisfaction_boundary(make_station):
    return {
        "exactly_90": give_scores(make_station(code="QD-SB-0090"), (1, 0, 0, 0, 9), NOW),
        "just_below": give_scores(make_station(code="QD-SB-0089"), (1, 0, 0, 0, 8), NOW),  # 88.9 %
        "half": give_scores(make_station(code="QD-SB-0050"), (1, 0, 0, 1, 0), NOW),
        "unrated": make_station(code="QD-SB-0000"),
    }


def test_low_satisfaction_filter_uses_the_setting(staff_client, satisfaction_boundary):
    assert sorted(codes(changelist(staff_client, satisfaction="low"))) == ["QD-SB-0050", "QD-SB-0089"]
    assert codes(changelist(staff_client, satisfaction="ok")) == ["QD-SB-0090"]
    assert codes(changelist(staff_client, satisfaction="none")) == ["QD-SB-0000"]
    with override_settings(LOW_SATISFACTION_THRESHOLD=0.5):
        response = changelist(staff_client, satisfaction="low")
        assert codes(response) == []
        assert "Low (below 50%)" in response.content.decode()
    assert "Low (below 90%)" in changelist(staff_client).content.decode()


# --- Queries -------------------------------------------------------------------------


def make_many(make_station, count, start):
    for number in range(start, start + count):
        station = make_station(code=f"QD-SB-{number:04d}", amenities=["toilet"])
        give_scores(station, (1, 1, 1, 1, number % 7), NOW - datetime.timedelta(days=number % 50),
                    days=[(number % 40, 2)])


def list_queries(staff_client, **params):
    with CaptureQueriesContext(connection) as queries:
        response = changelist(staff_client, **params)
    return len(queries), response


@pytest.mark.parametrize("order", ["", "9", "-11"])
def test_a_page_of_100_stations_takes_a_fixed_number_of_queries(
    staff_client, make_station, django_assert_max_num_queries, order
):
    params = {"o": order} if order else {}
    make_many(make_station, 5, 1)
    few, _ = list_queries(staff_client, **params)
    make_many(make_station, 115, 100)
    with django_assert_max_num_queries(few):
        response = changelist(staff_client, **params)
    assert len(codes(response)) == StationAdmin.list_per_page == 100
    # Not one query per row: 100 rows cost what 5 rows cost, and that is small.
    assert few <= 15


def test_export_takes_a_fixed_number_of_queries(staff_client, make_station):
    make_many(make_station, 5, 1)
    with CaptureQueriesContext(connection) as few:
        b"".join(staff_client.get(EXPORT_URL, {"format": "csv"}).streaming_content)
    make_many(make_station, 60, 100)
    with CaptureQueriesContext(connection) as many:
        body = b"".join(staff_client.get(EXPORT_URL, {"format": "csv"}).streaming_content)
    assert len(many) == len(few)
    assert body.decode("utf-8-sig").count("\n") == 66


# --- Exports -------------------------------------------------------------------------


def read_csv(response):
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def read_xlsx(response):
    assert response["Content-Type"].endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(header, row)) for row in rows]


def test_export_links_carry_the_filters_in_force(staff_client, scored):
    html = changelist(staff_client, kind__exact="partner", q="Station").content.decode()
    assert f'href="{EXPORT_URL}?format=csv&amp;kind__exact=partner&amp;q=Station"' in html
    assert f'href="{EXPORT_URL}?format=xlsx&amp;kind__exact=partner&amp;q=Station"' in html


def test_csv_export_has_the_score_columns(staff_client, scored):
    rows = read_csv(staff_client.get(EXPORT_URL, {"format": "csv"}))
    by_code = {row["Code"]: row for row in rows}
    assert sorted(by_code) == sorted(s.code for s in scored)
    a = by_code["QD-SB-0001"]
    assert a["Name"] == "Station A" and a["City"] == "Qingdao" and a["District"] == "Shibei"
    assert (a["Kind"], a["Certification level"], a["Status"]) == ("union-built station", "city standard", "active")
    assert (a["Ratings in the last 30 days"], a["Total ratings"], a["Satisfaction rate (%)"]) == ("5", "10", "90.0")
    assert a["Last rated"] == "2026-06-13 08:00:00"
    assert a["Days since last rating"] == "2"
    never = by_code["QD-SB-0003"]
    assert (never["Total ratings"], never["Satisfaction rate (%)"], never["Last rated"]) == ("0", "", "")


def test_xlsx_export_respects_filters_search_and_order(staff_client, scored):
    response = staff_client.get(EXPORT_URL, {"format": "xlsx", "district__id__exact": scored[0].district_id,
                                             "q": "Station", "o": "-9"})
    assert response["Content-Disposition"] == 'attachment; filename="stations-20260615.xlsx"'
    rows = read_xlsx(response)
    # Shibei stations only, by satisfaction, highest first.
    assert [row["Code"] for row in rows] == ["QD-SB-0004", "QD-SB-0001", "QD-SB-0002"]
    assert rows[0]["Satisfaction rate (%)"] == 100
    assert rows[2]["Satisfaction rate (%)"] == 20
    assert rows[1]["Last rated"] == datetime.datetime(2026, 6, 13, 8, 0)
    assert rows[1]["Ratings in the last 30 days"] == 5


def test_export_all_matching_is_not_limited_to_one_page(staff_client, scored, monkeypatch):
    monkeypatch.setattr(StationAdmin, "list_per_page", 2)
    assert len(codes(changelist(staff_client))) == 2
    rows = read_csv(staff_client.get(EXPORT_URL, {"format": "csv", "satisfaction": "low"}))
    assert sorted(row["Code"] for row in rows) == ["QD-SB-0002", "QD-SB-0005"]


def test_export_action_exports_the_selected_stations(staff_client, scored):
    chosen = [scored[1], scored[3]]
    response = staff_client.post(LIST_URL, {
        "action": "export_selected_xlsx", "_selected_action": [s.pk for s in chosen],
    })
    assert sorted(row["Code"] for row in read_xlsx(response)) == ["QD-SB-0002", "QD-SB-0004"]
    response = staff_client.post(LIST_URL + "?kind__exact=partner", {
        "action": "export_selected_csv", "select_across": "1", "_selected_action": [scored[1].pk],
    })
    assert [row["Code"] for row in read_csv(response)] == ["QD-SB-0002"]


def test_bad_export_requests_are_refused_clearly(staff_client, scored):
    response = staff_client.get(EXPORT_URL, {"format": "pdf"})
    assert response.status_code == 400 and b"format" in response.content
    response = staff_client.get(EXPORT_URL, {"format": "csv", "no_such_field__exact": "1"})
    assert response.status_code == 400


def test_district_chief_lists_and_exports_only_their_district(client, scored, shinan, make_staff):
    chief = make_staff(roles.DISTRICT_CHIEF, districts=[shinan])
    client.force_login(chief)
    response = changelist(client)
    assert sorted(codes(response)) == ["QD-SB-0003", "QD-SB-0005"]
    # The district filter offers only what the chief may see; one city, so no city filter.
    specs = response.context["cl"].filter_specs
    district_filter = next(f for f in specs if isinstance(f, DistrictFilter))
    assert [label for _, label in district_filter.lookup_choices] == ["Qingdao · Shinan"]
    assert not any(isinstance(f, CityFilter) for f in specs)
    assert sorted(row["Code"] for row in read_csv(client.get(EXPORT_URL, {"format": "csv"}))) == [
        "QD-SB-0003", "QD-SB-0005",
    ]
    # Selecting another district's station by id in the action exports nothing of it.
    response = client.post(LIST_URL, {"action": "export_selected_csv", "_selected_action": [scored[0].pk, scored[2].pk]})
    assert [row["Code"] for row in read_csv(response)] == ["QD-SB-0003"]
    assert client.get(reverse("admin:stations_station_change", args=[scored[0].pk])).status_code == 404


def test_city_staff_list_their_city_district_by_district(client, make_station, make_staff, shibei, shinan):
    """City staff see their city, grouped by district then by code (the
    order the (district, code) index serves), and no other city's stations."""
    from stations.models import City, District

    other_city = City.objects.create(code="xianyang", name_zh="咸阳", name_en="Xianyang")
    qindu = District.objects.create(city=other_city, code="qindu", name_zh="秦都区", name_en="Qindu")
    for code, district in [("QD-B", shinan), ("QD-A", shibei), ("QD-D", shinan), ("QD-C", shibei), ("XY-A", qindu)]:
        make_station(code=code, district=district)
    staff = make_staff(roles.CITY_STAFF, city=shibei.city)
    client.force_login(staff)
    first, second = sorted([shibei, shinan], key=lambda district: district.pk)
    by_district = {shibei.pk: ["QD-A", "QD-C"], shinan.pk: ["QD-B", "QD-D"]}
    assert codes(changelist(client)) == by_district[first.pk] + by_district[second.pk]


def test_export_needs_the_view_permission(client, scored, django_user_model):
    user = django_user_model.objects.create_user("clerk", "clerk@example.org", "pw-for-tests-only", is_staff=True)
    client.force_login(user)
    assert client.get(EXPORT_URL, {"format": "csv"}).status_code == 403


def test_bad_export_requests_are_refused_in_the_users_language(admin_user):
    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    chinese.force_login(admin_user)
    response = chinese.get(EXPORT_URL, {"format": "pdf"})
    assert response.status_code == 400
    assert response.content.decode() == "未知的导出格式 'pdf'；请使用 csv 或 xlsx。"
    response = chinese.get(EXPORT_URL, {"format": "csv", "no_such_field__exact": "1"})
    assert response.status_code == 400
    assert response.content.decode() == "列表的筛选参数无效。"
