"""The standing in the admin: the "at risk" filter, the history, and changing a level or status by hand."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from oversight import roles
from stations.models import Level, LevelChange, Station, Status

NOW = datetime.datetime(2026, 4, 10, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
D = datetime.date

pytestmark = pytest.mark.usefixtures("frozen_now")


@pytest.fixture
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def superuser(make_staff):
    return make_staff()


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def stations(make_station, set_last_rating):
    """Three stations on 2026-04-10: one due, one at risk, one safe."""
    due = make_station(level=Level.NATIONAL, listed_on=D(2025, 1, 1))
    set_last_rating(due, datetime.datetime(2026, 1, 9, 20, tzinfo=ZoneInfo("Asia/Shanghai")))  # due 04-09
    at_risk = make_station(level=Level.PROVINCIAL, listed_on=D(2025, 1, 1))
    set_last_rating(at_risk, datetime.datetime(2026, 2, 1, 8, tzinfo=ZoneInfo("Asia/Shanghai")))  # due 05-01
    safe = make_station(level=Level.CITY, listed_on=D(2025, 1, 1))
    set_last_rating(safe, datetime.datetime(2026, 3, 1, 8, tzinfo=ZoneInfo("Asia/Shanghai")))  # due 06-01
    return {"due": due, "at_risk": at_risk, "safe": safe}


def changelist_codes(client, **params):
    response = client.get(reverse("admin:stations_station_changelist"), params)
    assert response.status_code == 200
    return {station.code for station in response.context["cl"].result_list}


def test_at_risk_filter_lists_stations_within_thirty_days_of_their_step(admin_client, stations):
    assert changelist_codes(admin_client, rule="at_risk") == {stations["due"].code, stations["at_risk"].code}
    assert changelist_codes(admin_client, rule="due") == {stations["due"].code}
    assert changelist_codes(admin_client) == {station.code for station in stations.values()}


def test_at_risk_filter_ignores_suspended_stations(admin_client, make_station):
    make_station(listed_on=D(2025, 1, 1), status=Status.SUSPENDED)
    assert changelist_codes(admin_client, rule="at_risk") == set()


def test_station_list_shows_days_since_last_rating(admin_client, stations):
    response = admin_client.get(reverse("admin:stations_station_changelist"), {"q": stations["safe"].code})
    assert "Days since last rating" in response.content.decode()
    # 2026-03-01 to 2026-04-10.
    assert '<td class="field-days_since_rating">40</td>' in response.content.decode()


def test_station_page_shows_the_rule_history_and_the_button(admin_client, stations):
    station = stations["at_risk"]
    LevelChange.objects.create(
        station=station, from_level=Level.NATIONAL, to_level=Level.PROVINCIAL, from_status=Status.ACTIVE,
        to_status=Status.ACTIVE, reason=LevelChange.Reason.RULE, note="Step due on 2025-11-01.",
    )
    response = admin_client.get(reverse("admin:stations_station_change", args=[station.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "2026-05-01" in page and "At risk" in page
    assert reverse("admin:stations_station_standing", args=[station.pk]) in page
    assert "Step due on 2025-11-01." in page  # the history inline
    assert f"?station={station.pk}" in page


def test_level_and_status_are_read_only_in_the_station_editor(admin_client, stations):
    response = admin_client.get(reverse("admin:stations_station_change", args=[stations["safe"].pk]))
    form = response.context["adminform"].form
    assert "level" not in form.fields and "status" not in form.fields


def standing_url(station):
    return reverse("admin:stations_station_standing", args=[station.pk])


def test_a_manual_change_needs_a_written_reason(admin_client, stations):
    station = stations["safe"]
    response = admin_client.post(standing_url(station), {"level": Level.CITY, "status": Status.DELISTED, "note": " "})
    assert response.status_code == 200
    assert "note" in response.context["form"].errors
    station.refresh_from_db()
    assert station.status == Status.ACTIVE and not LevelChange.objects.exists()


def test_the_same_standing_is_not_a_change(admin_client, stations):
    station = stations["safe"]
    response = admin_client.post(standing_url(station), {"level": Level.CITY, "status": Status.ACTIVE, "note": "x"})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert not LevelChange.objects.exists()


def test_delisting_and_reinstating_by_hand_are_recorded_and_restart_the_clock(
    admin_client, superuser, stations, django_capture_on_commit_callbacks
):
    station = stations["safe"]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = admin_client.post(
            standing_url(station), {"level": Level.CITY, "status": Status.DELISTED, "note": "Closed by the owner."}
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:stations_station_change", args=[station.pk])
    assert len(callbacks) == 1  # the delisting notice
    station.refresh_from_db()
    assert station.status == Status.DELISTED and station.standing_changed_at == NOW
    assert not Station.objects.public().filter(pk=station.pk).exists()

    response = admin_client.post(
        standing_url(station), {"level": Level.PROVINCIAL, "status": Status.ACTIVE, "note": "Reopened, reassessed."}
    )
    assert response.status_code == 302
    changes = list(LevelChange.objects.order_by("pk").values_list(
        "from_level", "from_status", "to_level", "to_status", "reason", "actor", "note"))
    assert changes == [
        (Level.CITY, Status.ACTIVE, Level.CITY, Status.DELISTED, "manual", superuser.pk, "Closed by the owner."),
        (Level.CITY, Status.DELISTED, Level.PROVINCIAL, Status.ACTIVE, "manual", superuser.pk, "Reopened, reassessed."),
    ]
    station.refresh_from_db()
    assert Station.objects.public().filter(pk=station.pk).exists()


def test_a_change_made_meanwhile_is_not_overwritten(admin_client, stations, monkeypatch):
    from stations import standing

    station = stations["safe"]
    original = standing.change_standing

    def change_after_someone_else(*, station, **kwargs):
        Station.objects.filter(pk=station.pk).update(status=Status.SUSPENDED)  # another user's save
        return original(station=station, **kwargs)

    monkeypatch.setattr(standing, "change_standing", change_after_someone_else)
    response = admin_client.post(
        standing_url(station), {"level": Level.PROVINCIAL, "status": Status.ACTIVE, "note": "Upgrade."}
    )
    assert response.status_code == 200
    assert "changed this station&#x27;s standing meanwhile" in response.content.decode()
    assert not LevelChange.objects.exists()
    station.refresh_from_db()
    assert (station.level, station.status) == (Level.CITY, Status.SUSPENDED)


def test_district_chief_sees_the_history_but_cannot_change_the_standing(client, make_staff, shibei, stations):
    chief = make_staff(roles.DISTRICT_CHIEF, districts=[shibei])
    client.force_login(chief)
    station = stations["safe"]
    page = client.get(reverse("admin:stations_station_change", args=[station.pk])).content.decode()
    assert standing_url(station) not in page
    assert client.get(standing_url(station)).status_code == 403
    response = client.post(standing_url(station), {"level": Level.CITY, "status": Status.DELISTED, "note": "x"})
    assert response.status_code == 403
    assert not LevelChange.objects.exists()


def test_staff_may_change_only_stations_in_their_scope(client, make_staff, shibei, make_station, shinan):
    from django.contrib.auth.models import Permission

    chief = make_staff(roles.DISTRICT_CHIEF, districts=[shibei])
    chief.user_permissions.add(Permission.objects.get(codename="add_levelchange"))
    chief = type(chief).objects.get(pk=chief.pk)
    client.force_login(chief)
    elsewhere = make_station(district=shinan)
    assert client.get(standing_url(elsewhere)).status_code == 404
    mine = make_station(district=shibei)
    assert client.get(standing_url(mine)).status_code == 200


def test_level_change_list_filters_and_is_read_only(admin_client, make_station, shinan, superuser):
    north = make_station(level=Level.CITY)
    south = make_station(level=Level.PROVINCIAL, district=shinan)
    for station, reason, to_status in [(north, "rule", Status.DELISTED), (south, "manual", Status.SUSPENDED)]:
        LevelChange.objects.create(
            station=station, from_level=station.level, to_level=station.level, from_status=Status.ACTIVE,
            to_status=to_status, reason=reason, actor=superuser if reason == "manual" else None, note="n",
        )
    url = reverse("admin:stations_levelchange_changelist")

    def listed(**params):
        response = admin_client.get(url, params)
        assert response.status_code == 200
        return {change.station.code for change in response.context["cl"].result_list}

    assert listed() == {north.code, south.code}
    assert listed(reason="rule") == {north.code}
    assert listed(station=south.pk) == {south.code}
    assert listed(station__district__id__exact=shinan.pk) == {south.code}
    assert listed(to_status="delisted") == {north.code}
    assert listed(q=north.code) == {north.code}
    assert admin_client.get(reverse("admin:stations_levelchange_add")).status_code == 403
    change = LevelChange.objects.get(station=north)
    response = admin_client.post(reverse("admin:stations_levelchange_change", args=[change.pk]), {"note": "edited"})
    change.refresh_from_db()
    assert change.note == "n"
    assert admin_client.post(reverse("admin:stations_levelchange_delete", args=[change.pk]), {"post": "yes"}).status_code == 403
    assert LevelChange.objects.filter(pk=change.pk).exists()


def test_level_change_list_is_scoped(client, make_staff, shibei, make_station, shinan):
    chief = make_staff(roles.DISTRICT_CHIEF, districts=[shibei])
    client.force_login(chief)
    mine, other = make_station(), make_station(district=shinan)
    for station in (mine, other):
        LevelChange.objects.create(
            station=station, from_level=Level.CITY, to_level=Level.CITY, from_status=Status.ACTIVE,
            to_status=Status.DELISTED, reason="rule",
        )
    response = client.get(reverse("admin:stations_levelchange_changelist"))
    assert {change.station.code for change in response.context["cl"].result_list} == {mine.code}


def test_city_staff_may_reinstate_a_station_of_their_city(client, make_staff, qingdao, make_station):
    staff = make_staff(roles.CITY_STAFF, city=qingdao)
    client.force_login(staff)
    station = make_station(status=Status.DELISTED)
    page = client.get(reverse("admin:stations_station_change", args=[station.pk])).content.decode()
    assert standing_url(station) in page
    response = client.post(standing_url(station), {"level": Level.CITY, "status": Status.ACTIVE, "note": "Reopened."})
    assert response.status_code == 302
    change = LevelChange.objects.get()
    assert (change.to_status, change.actor, change.reason) == (Status.ACTIVE, staff, "manual")
