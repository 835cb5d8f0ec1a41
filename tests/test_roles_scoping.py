"""Roles and row-level scopes: who sees which stations, in code and through URLs."""

import pytest
from django.contrib.auth.models import Group, User

from oversight import roles
from oversight.scoping import can_read_rating_comments, stations_for
from stations.models import City, District


@pytest.fixture
def geography(qingdao, shibei, shinan, make_station):
    yantai = City.objects.create(code="yantai", name_zh="烟台市", name_en="Yantai")
    zhifu = District.objects.create(city=yantai, code="zhifu", name_zh="芝罘区", name_en="Zhifu")
    return {
        "a": make_station(district=shibei),
        "b": make_station(district=shibei),
        "c": make_station(district=shinan),
        "y": make_station(district=zhifu),
        "yantai": yantai,
    }


def codes(queryset):
    return set(queryset.values_list("code", flat=True))


def test_roles_exist_as_groups_with_permissions(db):
    for role in roles.ROLE_PERMISSIONS:
        group = Group.objects.get(name=role)
        assert group.permissions.filter(codename="view_station").exists(), role
    liaison = Group.objects.get(name=roles.LIAISON)
    assert not liaison.permissions.exclude(codename__startswith="view_").exists()
    inspector = Group.objects.get(name=roles.INSPECTOR)
    assert inspector.permissions.filter(codename="add_inspection").exists()
    assert not inspector.permissions.filter(codename="change_station").exists()


def test_superuser_sees_everything(geography, make_staff):
    admin = make_staff(None)
    assert codes(stations_for(admin)) == {geography[k].code for k in "abcy"}


def test_city_staff_see_their_city(geography, make_staff, qingdao):
    staff = make_staff(roles.CITY_STAFF, city=qingdao)
    assert codes(stations_for(staff)) == {geography[k].code for k in "abc"}


def test_district_chief_sees_exactly_their_district(geography, make_staff, shibei):
    chief = make_staff(roles.DISTRICT_CHIEF, districts=[shibei])
    assert codes(stations_for(chief)) == {geography["a"].code, geography["b"].code}


def test_inspector_sees_assigned_districts(geography, make_staff, shinan):
    inspector = make_staff(roles.INSPECTOR, districts=[shinan])
    assert codes(stations_for(inspector)) == {geography["c"].code}


@pytest.mark.parametrize("role", [roles.STATION_MANAGER, roles.LIAISON])
def test_manager_and_liaison_see_their_stations(geography, make_staff, role):
    user = make_staff(role, stations=[geography["a"], geography["y"]])
    assert codes(stations_for(user)) == {geography["a"].code, geography["y"].code}


def test_scope_fields_of_another_role_grant_nothing(geography, make_staff, qingdao, shibei):
    # A station manager with a city filled in by mistake still sees only their station.
    manager = make_staff(roles.STATION_MANAGER, city=qingdao, districts=[shibei], stations=[geography["c"]])
    assert codes(stations_for(manager)) == {geography["c"].code}


def test_no_role_or_no_scope_sees_nothing(geography, make_staff):
    plain = User.objects.create_user("plain", "p@example.org", "x", is_staff=True)
    assert not stations_for(plain).exists()
    chief_without_districts = make_staff(roles.DISTRICT_CHIEF)
    assert not stations_for(chief_without_districts).exists()


def test_inactive_user_sees_nothing(geography, make_staff, qingdao):
    staff = make_staff(roles.CITY_STAFF, city=qingdao)
    staff.is_active = False
    assert not stations_for(staff).exists()
    admin = make_staff(None)
    admin.is_active = False
    assert not stations_for(admin).exists()


def test_inspectors_cannot_read_rating_comments(geography, make_staff, shibei):
    assert can_read_rating_comments(make_staff(None))
    assert can_read_rating_comments(make_staff(roles.DISTRICT_CHIEF, districts=[shibei]))
    assert can_read_rating_comments(make_staff(roles.LIAISON, stations=[geography["a"]]))
    assert not can_read_rating_comments(make_staff(roles.INSPECTOR, districts=[shibei]))


# --- Through the admin and the staff URLs -------------------------------------------------

import csv  # noqa: E402
import io  # noqa: E402

from django.urls import reverse  # noqa: E402

from oversight.inspections import task_open  # noqa: E402
from oversight.models import Alert, Inspection  # noqa: E402
from ratings.models import ProblemReport, Rating  # noqa: E402


@pytest.fixture
def two_stations(geography):
    """Station a (the manager's) and b (same district, someone else's), each with a rating and more."""
    a, b = geography["a"], geography["b"]
    for station, comment in [(a, "A's comment"), (b, "B's secret comment")]:
        Rating.objects.create(station=station, score=2, comment=comment, device_hash=f"h-{station.code}")
        ProblemReport.objects.create(station=station, kind="supplies", device_hash=f"h-{station.code}")
        Alert.objects.create(station=station, kind=Alert.Kind.BAD_RATINGS, summary="bad")
    return a, b


@pytest.fixture
def manager(make_staff, two_stations):
    return make_staff(roles.STATION_MANAGER, stations=[two_stations[0]])


def admin_url(model, action, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


def listed(client, model, **params):
    response = client.get(admin_url(model, "changelist"), params)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_manager_lists_only_their_station_and_its_rows(client, manager, two_stations):
    from stations.models import Station

    a, b = two_stations
    client.force_login(manager)
    assert [s.pk for s in listed(client, Station)] == [a.pk]
    assert {r.station_id for r in listed(client, Rating)} == {a.pk}
    assert {r.station_id for r in listed(client, ProblemReport)} == {a.pk}
    assert {r.station_id for r in listed(client, Alert)} == {a.pk}
    response = client.get(admin_url(Rating, "changelist"))
    assert b"B's secret comment" not in response.content


def test_manager_cannot_open_or_change_another_station_by_editing_ids(client, manager, two_stations):
    from stations.models import Station

    a, b = two_stations
    b_name = b.name
    client.force_login(manager)
    assert client.get(admin_url(Station, "change", a.pk)).status_code == 200
    for url in [
        admin_url(Station, "change", b.pk),
        admin_url(Station, "history", b.pk),
        admin_url(Station, "delete", b.pk),
        admin_url(Rating, "change", Rating.objects.get(station=b).pk),
        admin_url(ProblemReport, "change", ProblemReport.objects.get(station=b).pk),
        admin_url(Alert, "change", Alert.objects.get(station=b).pk),
    ]:
        response = client.get(url)
        assert response.status_code in (403, 404), url
        assert b"B's secret comment" not in response.content
    response = client.post(admin_url(Station, "change", b.pk), {"name": "Taken over"})
    assert response.status_code in (403, 404)
    b.refresh_from_db()
    assert b.name == b_name


def test_manager_cannot_export_another_stations_data(client, manager, two_stations):
    from stations.models import Station

    a, b = two_stations
    client.force_login(manager)
    response = client.get(reverse("admin:stations_station_export"), {"format": "csv"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig") if response.streaming else response.content.decode("utf-8-sig")
    codes_in_export = {row[0] for row in csv.reader(io.StringIO(body))}
    assert a.code in codes_in_export and b.code not in codes_in_export

    # An export action posted with the other station's id selects nothing of it.
    response = client.post(
        admin_url(Station, "changelist"),
        {"action": "export_selected_csv", "_selected_action": [b.pk]},
    )
    content = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    assert b.code.encode() not in content

    response = client.get(reverse("admin:ratings_rating_export", args=["csv"]))
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"A's comment" in content and b"B's secret comment" not in content


def test_manager_cannot_fetch_another_stations_qr_or_poster(client, manager, two_stations):
    a, b = two_stations
    client.force_login(manager)
    for name in ["ratings:qr_svg", "ratings:qr_png", "ratings:poster"]:
        assert client.get(reverse(name, args=[a.code])).status_code == 200, name
        assert client.get(reverse(name, args=[b.code])).status_code == 404, name
    response = client.get(reverse("ratings:district_posters", args=[b.district_id]))
    assert a.code.encode() in response.content and b.code.encode() not in response.content


def test_manager_cannot_reach_another_stations_inspections_and_tasks(client, manager, two_stations, make_staff):
    a, b = two_stations
    inspector = make_staff(roles.INSPECTOR, districts=[b.district])
    inspection = Inspection.objects.create(station=b, inspector=inspector, score=50)
    task = task_open(station=b, finding="Fix", deadline="2030-01-01")
    client.force_login(manager)
    assert listed(client, Inspection) == []
    assert client.get(admin_url(Inspection, "change", inspection.pk)).status_code == 404
    assert client.get(admin_url(type(task), "change", task.pk)).status_code == 404
    response = client.post(admin_url(type(task), "change", task.pk), {"done_note": "x", "mark_done": "on"})
    assert response.status_code == 404
    task.refresh_from_db()
    assert task.status == "open"


def test_district_chief_sees_exactly_their_district_in_the_admin(client, geography, make_staff, shibei):
    from stations.models import Station

    chief = make_staff(roles.DISTRICT_CHIEF, districts=[shibei])
    client.force_login(chief)
    assert {s.code for s in listed(client, Station)} == {geography["a"].code, geography["b"].code}
    assert client.get(admin_url(Station, "change", geography["c"].pk)).status_code == 404
    assert [d.pk for d in listed(client, District)] == [shibei.pk]


def test_station_form_offers_only_districts_in_scope(client, geography, make_staff, qingdao):
    city_staff = make_staff(roles.CITY_STAFF, city=qingdao)
    client.force_login(city_staff)
    response = client.get(reverse("admin:stations_station_add"))
    assert response.status_code == 200
    choices = set(response.context["adminform"].form.fields["district"].queryset.values_list("code", flat=True))
    assert choices == {"shibei", "shinan"}  # not Yantai's Zhifu


def test_liaison_is_read_only(client, geography, make_staff):
    from stations.models import Station

    a = geography["a"]
    liaison = make_staff(roles.LIAISON, stations=[a])
    client.force_login(liaison)
    response = client.get(admin_url(Station, "change", a.pk))
    assert response.status_code == 200
    assert not response.context["has_change_permission"]
    response = client.post(admin_url(Station, "change", a.pk), {"name": "Renamed"})
    assert response.status_code == 403
    a.refresh_from_db()
    assert a.name != "Renamed"
    assert client.get(reverse("admin:stations_station_add")).status_code == 403


def test_inspector_sees_scores_but_never_comments(client, two_stations, make_staff, shibei):
    a, _b = two_stations
    inspector = make_staff(roles.INSPECTOR, districts=[shibei])
    client.force_login(inspector)
    response = client.get(admin_url(Rating, "changelist"))
    assert response.status_code == 200
    assert b"comment" not in response.content.lower().replace(b"comments", b"")
    assert b"A's comment" not in response.content
    response = client.get(admin_url(Rating, "change", Rating.objects.get(station=a).pk))
    assert response.status_code == 200 and b"A's comment" not in response.content
    response = client.get(reverse("admin:ratings_rating_export", args=["csv"]))
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"A's comment" not in content
    # Searching in comments would reveal them word by word: the search ignores comments for inspectors.
    assert {r.pk for r in listed(client, Rating, q="nothing-matches-this")} == {r.pk for r in listed(client, Rating)}


def test_users_and_scopes_are_for_superusers_only(client, make_staff, qingdao):
    from django.contrib.auth.models import User

    client.force_login(make_staff(roles.CITY_STAFF, city=qingdao))
    assert client.get(admin_url(User, "changelist")).status_code == 403
    client.force_login(make_staff(None))
    assert client.get(admin_url(User, "changelist")).status_code == 200


def test_only_city_staff_may_change_a_level_by_hand(client, geography, make_staff, qingdao, shibei):
    a = geography["a"]
    url = reverse("admin:stations_station_standing", args=[a.pk])
    client.force_login(make_staff(roles.CITY_STAFF, city=qingdao))
    assert client.get(url).status_code == 200
    client.force_login(make_staff(roles.DISTRICT_CHIEF, districts=[shibei]))
    assert client.get(url).status_code == 403
    client.force_login(make_staff(roles.CITY_STAFF, city=geography["yantai"]))
    assert client.get(url).status_code == 404


# --- The rule against a brute-force model (hypothesis) ------------------------------------

from hypothesis import HealthCheck, given  # noqa: E402
from hypothesis import settings as hypothesis_settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from oversight.models import StaffScope  # noqa: E402
from oversight.scoping import districts_for  # noqa: E402


def expected_stations(stations, held, is_superuser, city, districts, chosen):
    """What the brief says each role sees, computed in Python."""
    if is_superuser:
        return set(stations)
    seen = set()
    for station in stations:
        if roles.CITY_STAFF in held and city is not None and station.district.city_id == city.pk:
            seen.add(station)
        if held & {roles.DISTRICT_CHIEF, roles.INSPECTOR} and station.district in districts:
            seen.add(station)
        if held & {roles.STATION_MANAGER, roles.LIAISON} and station in chosen:
            seen.add(station)
    return seen


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_stations_for_matches_the_rule_for_any_roles_and_scope(geography, data):
    from stations.models import Station

    stations = list(Station.objects.select_related("district"))
    all_districts = list(District.objects.all())
    held = frozenset(data.draw(st.sets(st.sampled_from(sorted(roles.ROLE_PERMISSIONS)))))
    is_superuser = not held and data.draw(st.booleans(), label="superuser")
    city = data.draw(st.sampled_from([None, *City.objects.all()]), label="city")
    districts = data.draw(st.sets(st.sampled_from(all_districts)), label="districts")
    chosen = data.draw(st.sets(st.sampled_from(stations)), label="stations")

    user = User.objects.create_user(f"u{User.objects.count()}", is_staff=True, is_superuser=is_superuser)
    try:
        user.groups.set(Group.objects.filter(name__in=held))
        scope = StaffScope.objects.create(user=user, city=city)
        scope.districts.set(districts)
        scope.stations.set(chosen)
        user = User.objects.get(pk=user.pk)
        wanted = expected_stations(stations, held, is_superuser, city, districts, chosen)
        assert set(stations_for(user)) == wanted
        # The districts a user works in cover every station they see.
        assert {s.district_id for s in wanted} <= set(districts_for(user).values_list("pk", flat=True))
    finally:
        user.delete()
