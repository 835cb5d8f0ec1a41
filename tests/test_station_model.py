"""The Station model: validation, database constraints, opening spans and the queryset filters."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stations import hours
from stations.models import Amenity, OpeningSpan, Station

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


def errors_of(station):
    with pytest.raises(ValidationError) as caught:
        station.full_clean()
    return caught.value.message_dict


def valid_station(shibei, **fields):
    values = {"code": "QD-SB-0001", "name": "驿站", "district": shibei, "address": "辽宁路 1 号",
              "latitude": Decimal("36.087"), "longitude": Decimal("120.375")}
    return Station(**{**values, **fields})


@pytest.mark.django_db
@pytest.mark.parametrize("code, ok", [
    ("QD-SB-0001", True), ("XY-QD-12", True), ("A1", True),
    ("qd-sb-0001", False), ("QD SB 0001", False), ("QD--SB", False), ("-QD", False), ("QD-", False), ("", False),
])
def test_code_format(shibei, code, ok):
    station = valid_station(shibei, code=code)
    if ok:
        station.full_clean()
    else:
        assert "code" in errors_of(station)


@pytest.mark.django_db
@pytest.mark.parametrize("field, value, ok", [
    ("latitude", Decimal("90"), True), ("latitude", Decimal("-90"), True), ("latitude", Decimal("90.000001"), False),
    ("latitude", Decimal("-91"), False), ("longitude", Decimal("180"), True), ("longitude", Decimal("-180.5"), False),
    ("latitude", Decimal("36.1234567"), False),  # more than 6 decimals
])
def test_coordinate_ranges_and_precision(shibei, field, value, ok):
    station = valid_station(shibei, **{field: value})
    if ok:
        station.full_clean()
    else:
        assert field in errors_of(station)


@pytest.mark.django_db
def test_the_database_refuses_coordinates_out_of_range(make_station):
    station = make_station()
    with pytest.raises(IntegrityError), transaction.atomic():
        Station.objects.filter(pk=station.pk).update(latitude=Decimal("95"))


@pytest.mark.django_db
def test_partner_type_if_and_only_if_partner(shibei, make_station):
    assert "partner_type" in errors_of(valid_station(shibei, kind="partner"))
    assert "partner_type" in errors_of(valid_station(shibei, kind="union", partner_type="bank"))
    valid_station(shibei, kind="partner", partner_type="bank", operator="partner").full_clean()
    station = make_station()
    with pytest.raises(IntegrityError), transaction.atomic():
        Station.objects.filter(pk=station.pk).update(partner_type="bank")


@pytest.mark.django_db
def test_property_operator_needs_the_company_named(shibei, make_station):
    assert "operator_company" in errors_of(valid_station(shibei, operator="property"))
    valid_station(shibei, operator="property", operator_company="青岛海悦物业服务有限公司").full_clean()
    station = make_station()
    with pytest.raises(IntegrityError), transaction.atomic():
        Station.objects.filter(pk=station.pk).update(operator="property")


@pytest.mark.django_db
def test_hours_are_normalized_on_clean_and_save(shibei, make_station):
    every_day = {day: [["00:00", "24:00"]] for day in hours.DAYS}
    station = valid_station(shibei, opening_hours=every_day)
    station.full_clean()
    assert station.opening_hours == {"always": True}
    station = make_station(opening_hours={"tue": [["20:00", "08:00"], ["09:00", "10:00"]], "wed": []})
    station.refresh_from_db()
    assert station.opening_hours == {"tue": [["09:00", "10:00"], ["20:00", "08:00"]]}
    assert "opening_hours" in errors_of(valid_station(shibei, opening_hours={"mon": [["25:00", "26:00"]]}))
    assert "opening_hours" in errors_of(valid_station(shibei, opening_hours={"funday": []}))


@pytest.mark.django_db
def test_opening_spans_follow_the_hours_on_every_save(make_station):
    station = make_station(opening_hours={"sun": [["22:00", "06:00"]]})
    week = hours.MINUTES_PER_WEEK
    # Sunday night wraps to Monday morning.
    assert sorted(station.opening_spans.values_list("start", "end")) == [(0, 360), (week - 120, week)]
    station.opening_hours = hours.always_open_schedule()
    station.save()
    assert list(station.opening_spans.values_list("start", "end")) == [(0, week)]
    assert OpeningSpan.objects.count() == 1


SCHEDULES = [
    {"always": True},
    {"mon": [["08:00", "20:00"]], "tue": [["08:00", "20:00"]], "sat": [["09:00", "12:00"], ["14:00", "18:00"]]},
    {day: [["22:00", "06:00"]] for day in hours.DAYS},
    {"sun": [["20:00", "02:00"]], "wed": [["00:00", "24:00"]]},
    {"fri": [["12:00", "13:00"]]},
]


@pytest.fixture
def varied(make_station):
    slugs = ["drinking-water", "toilet", "wifi"]
    return [
        make_station(opening_hours=schedule, amenities=slugs[: index % 4])
        for index, schedule in enumerate(SCHEDULES)
    ]


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moment=st.datetimes(min_value=datetime.datetime(2024, 1, 1), max_value=datetime.datetime(2026, 12, 31),
                           timezones=st.just(TZ)))
def test_open_at_in_the_database_agrees_with_python(varied, moment):
    expected = {station.code for station in varied if station.is_open(moment)}
    assert set(Station.objects.open_at(moment).values_list("code", flat=True)) == expected


@pytest.mark.django_db
def test_open_at_at_the_edges_of_an_overnight_span(varied):
    overnight = varied[2]
    open_codes = lambda moment: set(Station.objects.open_at(moment).values_list("code", flat=True))  # noqa: E731
    assert overnight.code in open_codes(datetime.datetime(2025, 3, 3, 5, 59, tzinfo=TZ))
    assert overnight.code not in open_codes(datetime.datetime(2025, 3, 3, 6, 0, tzinfo=TZ))
    assert overnight.code in open_codes(datetime.datetime(2025, 3, 3, 22, 0, tzinfo=TZ))
    # The same instant written in UTC is the same answer.
    assert overnight.code in open_codes(datetime.datetime(2025, 3, 3, 14, 0, tzinfo=datetime.UTC))


@pytest.mark.django_db
def test_always_open_agrees_with_python(varied):
    expected = {station.code for station in varied if station.is_always_open}
    assert set(Station.objects.always_open().values_list("code", flat=True)) == expected
    assert expected == {varied[0].code}


@pytest.mark.django_db
@pytest.mark.parametrize("slugs", [[], ["drinking-water"], ["drinking-water", "toilet"], ["wifi"], ["toilet", "wifi"]])
def test_with_all_amenities_agrees_with_python(varied, slugs):
    expected = {
        station.code for station in varied
        if set(slugs) <= set(station.amenities.values_list("slug", flat=True))
    }
    assert set(Station.objects.with_all_amenities(slugs).values_list("code", flat=True)) == expected
    assert Amenity.objects.filter(slug__in=slugs).count() == len(slugs)
