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
