"""The staff ratings list: filters, search, hide/unhide with a reason, export, scope, speed."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from oversight import roles
from ratings import services
from ratings.models import HideReason, Rating, RatingStats

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    """The admin, reading English (pytest-django's admin_client asks for no language)."""
    client.force_login(admin_user)
    return client

LIST = "admin:ratings_rating_changelist"
T0 = datetime.datetime(2026, 7, 1, 4, tzinfo=datetime.UTC)  # 12:00 in Shanghai
_device = iter(range(1, 10**6))


def add(station, score, *, days=0, comment="", tags=()):
    return services.rating_submit(
        station=station, score=score, comment=comment, tags=tags,
        device_hash=f"{next(_device):064x}", now=T0 + datetime.timedelta(days=days),
    )


@pytest.fixture
def data(make_station, shinan):
    a = make_station(code="QD-SB-9001")
    b = make_station(code="QD-SN-9002", district=shinan)
    ratings = {
        "a5": add(a, 5, comment="很干净", tags=["tag_clean"]),
        "a1": add(a, 1, days=2, comment="热水器坏了", tags=["tag_needs_improvement"]),
        "b4": add(b, 4, days=5, tags=["tag_water"]),
    }
    return a, b, ratings


def listed(client, **params):
    response = client.get(reverse(LIST), params)
    assert response.status_code == 200
    return set(response.context["cl"].result_list)


def test_filters(admin_client, data, shibei):
    a, b, r = data
    everyone = set(r.values())
    assert listed(admin_client) == everyone
    assert listed(admin_client, station_code="qd-sb-9001") == {r["a5"], r["a1"]}
    assert listed(admin_client, district=str(shibei.pk)) == {r["a5"], r["a1"]}
    assert listed(admin_client, score__exact="1") == {r["a1"]}
    assert listed(admin_client, aspect="needs_improvement") == {r["a1"]}
    assert listed(admin_client, aspect="water") == {r["b4"]}
    assert listed(admin_client, **{"from": "2026-07-03", "to": "2026-07-03"}) == {r["a1"]}
    assert listed(admin_client, **{"from": "2026-07-02"}) == {r["a1"], r["b4"]}
    assert listed(admin_client, q="热水器") == {r["a1"]}
    assert listed(admin_client, hidden__exact="1") == set()


def test_hide_action_asks_for_reason_then_hides_and_counts_nowhere(admin_client, data):
    a, _b, r = data
    url = reverse(LIST)
    ask = admin_client.post(url, {"action": "hide_ratings", "_selected_action": [r["a1"].pk]})
    assert ask.status_code == 200 and "Reason" in ask.content.decode()
    assert not Rating.objects.get(pk=r["a1"].pk).hidden
    admin_client.post(url, {
        "action": "hide_ratings", "_selected_action": [r["a1"].pk], "confirm": "1",
        "hidden_reason": HideReason.ABUSE, "hidden_note": "insult",
    })
    hidden = Rating.objects.get(pk=r["a1"].pk)
    assert hidden.hidden and hidden.hidden_reason == HideReason.ABUSE and hidden.hidden_note == "insult"
    stats = RatingStats.objects.get(pk=a.pk)
    assert (stats.total, stats.count_1, stats.last_rated_at) == (1, 0, r["a5"].created_at)
    assert listed(admin_client, hidden__exact="1") == {hidden}
    admin_client.post(url, {"action": "unhide_ratings", "_selected_action": [r["a1"].pk]})
    stats.refresh_from_db()
    assert (stats.total, stats.count_1) == (2, 1)


def test_ratings_cannot_be_edited_added_or_deleted(admin_client, data):
    _a, _b, r = data
    admin_client.post(reverse("admin:ratings_rating_change", args=[r["a5"].pk]), {"score": "1", "hidden": "on"})
    rating = Rating.objects.get(pk=r["a5"].pk)
    assert rating.score == 5 and not rating.hidden
    assert admin_client.get(reverse("admin:ratings_rating_add")).status_code == 403
    assert admin_client.get(reverse("admin:ratings_rating_delete", args=[rating.pk])).status_code == 403


def test_csv_export_respects_filters(admin_client, data):
    response = admin_client.get(reverse("admin:ratings_rating_export", args=["csv"]), {"station_code": "QD-SB-9001"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:5] == ["Rated at", "Station code", "Station", "District", "Satisfaction (1-5)"]
    assert sorted(row[4] for row in rows[1:]) == ["1", "5"]
    assert {row[1] for row in rows[1:]} == {"QD-SB-9001"}
    assert any("热水器坏了" in row for row in rows[1:])


def test_xlsx_export_respects_filters(admin_client, data):
    response = admin_client.get(reverse("admin:ratings_rating_export", args=["xlsx"]), {"aspect": "water"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 2 and values[1][1] == "QD-SN-9002" and values[1][4] == 4


def test_export_links_carry_the_filters(admin_client, data):
    page = admin_client.get(reverse(LIST), {"score__exact": "5"}).content.decode()
    assert reverse("admin:ratings_rating_export", args=["csv"]) + "?score__exact=5" in page


def test_unknown_export_format_is_404(admin_client, data):
    assert admin_client.get(reverse("admin:ratings_rating_export", args=["pdf"])).status_code == 404


def test_station_manager_sees_and_exports_only_own_station(client, data, make_staff):
    a, b, r = data
    client.force_login(make_staff(roles.STATION_MANAGER, stations=[a]))
    assert listed(client) == {r["a5"], r["a1"]}
    assert client.get(reverse("admin:ratings_rating_change", args=[r["b4"].pk])).status_code == 404
    text = b"".join(client.get(reverse("admin:ratings_rating_export", args=["csv"])).streaming_content).decode("utf-8-sig")
    assert "QD-SN-9002" not in text and "QD-SB-9001" in text


def test_list_query_count_does_not_grow_with_rows(admin_client, make_station):
    stations = [make_station() for _ in range(5)]
    for station in stations:
        add(station, 5, comment="ok")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(reverse(LIST)).status_code == 200
        return len(captured)

    few = queries()
    for station in stations:
        for days in range(1, 8):
            add(station, 4, days=days)
    assert queries() == few


def test_long_lists_stop_counting_at_the_cap(admin_client, data, monkeypatch):
    from ratings.admin import paginator

    monkeypatch.setattr(paginator, "COUNT_CAP", 2)
    page = admin_client.get(reverse(LIST)).content.decode()
    assert "more than 2 ratings: narrow the filters, or export" in page
    page = admin_client.get(reverse(LIST), {"station_code": "QD-SN-9002"}).content.decode()
    assert "more than" not in page and "1 rating" in page


def station_page(client, station):
    response = client.get(reverse("admin:stations_station_change", args=[station.pk]))
    assert response.status_code == 200
    return response.content.decode()


def panel_rows(html):
    panel = html[html.index('id="station-ratings"'):]
    return [int(pk) for pk in __import__("re").findall(r'data-rating="(\d+)"', panel)]


def test_station_admin_page_lists_its_latest_ratings_newest_first(admin_client, data):
    a, _b, r = data
    html = station_page(admin_client, a)
    assert panel_rows(html) == [r["a1"].pk, r["a5"].pk]  # b's rating is not on a's page
    assert "热水器坏了" in html and "Needs improvement" in html
    assert f"?station_code={a.code}" in html


def test_hide_button_on_the_station_page_runs_the_hide_action(admin_client, data):
    a, _b, r = data
    html = station_page(admin_client, a)
    assert 'value="hide_ratings"' in html
    # The button posts the ratings list's action for that one rating; the reason page follows.
    ask = admin_client.post(reverse(LIST), {"action": "hide_ratings", "_selected_action": [r["a1"].pk]})
    assert "Reason" in ask.content.decode()
    admin_client.post(reverse(LIST), {
        "action": "hide_ratings", "_selected_action": [r["a1"].pk], "confirm": "1",
        "hidden_reason": HideReason.SPAM, "hidden_note": "",
    })
    html = station_page(admin_client, a)
    assert "Hidden: " in html and 'value="unhide_ratings"' in html


def test_inspectors_see_the_ratings_on_the_station_page_without_comments(client, data, make_staff, shibei):
    a, _b, r = data
    client.force_login(make_staff(roles.INSPECTOR, districts=[shibei]))
    html = station_page(client, a)
    assert panel_rows(html) == [r["a1"].pk, r["a5"].pk]
    assert "热水器坏了" not in html and "很干净" not in html
