"""The station editor in the admin: map and hours widgets, validation, moves, search and filters."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from django.http import QueryDict

from stations import hours
from stations.admin.filters import DistrictFilter
from stations.admin.forms import OpeningHoursField
from stations.admin.widgets import OpeningHoursWidget
from stations.models import Amenity, City, District, Station, StationPosition, WorkerGroup
from stations.services import station_move

ADD_URL = reverse("admin:stations_station_add")
LIST_URL = reverse("admin:stations_station_changelist")


def change_url(station):
    return reverse("admin:stations_station_change", args=[station.pk])


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client


def hours_fields(schedule_rows=None, *, always=False):
    """Form data as the hours widget posts it: {day: "closed" | "24h" | [(start, end), ...]}."""
    data = {}
    if always:
        data["opening_hours_always"] = "on"
    for day in hours.DAYS:
        row = (schedule_rows or {}).get(day, "closed")
        if isinstance(row, list):
            data[f"opening_hours_{day}"] = "spans"
            data[f"opening_hours_{day}_start"] = [start for start, _ in row]
            data[f"opening_hours_{day}_end"] = [end for _, end in row]
        else:
            data[f"opening_hours_{day}"] = row
            # The widget always posts one (empty) pair of time inputs.
            data[f"opening_hours_{day}_start"] = [""]
            data[f"opening_hours_{day}_end"] = [""]
    return data


def station_form(district, **overrides):
    data = {
        "code": "QD-SB-0900",
        "name": "辽宁路爱心驿站",
        "kind": "union",
        "partner_type": "",
        "level": "1",
        "status": "active",
        "listed_on": "2025-03-01",
        "district": str(district.pk),
        "address": "青岛市市北区辽宁路 80 号",
        "latitude": "36.0870001",
        "longitude": "120.3750004",
        "move_note": "",
        "operator": "union",
        "operator_company": "",
        "floor_area": "25.5",
        "contact_phone": "0532-8888 1234",
        "manager_name": "王站长",
        "manager_phone": "",
        "manager_email": "wang@example.org",
        "liaison_name": "",
        "liaison_phone": "",
        "amenities": [],
        "groups_served": [],
    }
    data.update(hours_fields({day: [("08:00", "20:00")] for day in hours.DAYS[:5]}))
    data.update(overrides)
    return data


def save(staff_client, url, data):
    """Post the form as the page's browser would, with each inline's management form (no new rows)."""
    page = staff_client.get(url)
    data = dict(data)
    for inline in page.context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0",
                     f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"})
    return staff_client.post(url, data)


def slugs_to_pks(model, *slugs):
    return [str(pk) for pk in model.objects.filter(slug__in=slugs).values_list("pk", flat=True)]


def form_errors(response):
    form = response.context["adminform"].form
    return {name: [str(e) for e in errors] for name, errors in form.errors.items()}


# --- The add page ----------------------------------------------------------------


def test_add_page_shows_map_hours_and_icon_checkboxes(staff_client, shibei):
    response = staff_client.get(ADD_URL)
    assert response.status_code == 200
    html = response.content.decode()
    # django-leaflet's own assets and map, bound to the coordinate inputs by data attributes.
    assert "leaflet/leaflet.css" in html and "leaflet/leaflet.js" in html
    assert 'data-location-picker' in html
    assert 'data-latitude-input="id_latitude"' in html and 'data-longitude-input="id_longitude"' in html
    assert "stations/admin/location-picker.js" in html
    assert 'id="station_location_map"' in html
    # No coordinates or settings pasted into our own inline scripts.
    assert "36.0" not in "".join(re.findall(r"<script(?![^>]*src)[^>]*>(.*?)</script>", html, re.S)).replace(
        "36.0671", ""
    )
    # The hours editor: a 24/7 switch and a row per weekday with time inputs.
    assert 'name="opening_hours_always"' in html
    for day in hours.DAYS:
        assert f'name="opening_hours_{day}"' in html
        assert f'name="opening_hours_{day}_start"' in html
    assert "stations/admin/opening-hours.js" in html
    # Amenities and groups as checkboxes with their icons.
    water = Amenity.objects.get(slug="drinking-water")
    assert f'type="checkbox" name="amenities" value="{water.pk}"' in html
    assert f"{water.icon} Drinking water" in html
    assert "📦 Couriers" in html
    # District choices say their city.
    assert "Qingdao · Shibei" in html


def test_add_station_with_hours_map_and_amenities(staff_client, shibei):
    data = station_form(
        shibei,
        amenities=slugs_to_pks(Amenity, "drinking-water", "toilet"),
        groups_served=slugs_to_pks(WorkerGroup, "courier", "sanitation"),
    )
    data.update(hours_fields({
        "mon": [("08:00", "12:00"), ("14:00", "18:00")],
        "tue": "24h",
        "fri": [("22:00", "06:00")],      # past midnight
        "sat": [("18:00", "00:00")],      # until midnight
    }))
    response = save(staff_client, ADD_URL, data)
    assert response.status_code == 302, form_errors(response)

    station = Station.objects.get(code="QD-SB-0900")
    assert station.opening_hours == {
        "mon": [["08:00", "12:00"], ["14:00", "18:00"]],
        "tue": [["00:00", "24:00"]],
        "fri": [["22:00", "06:00"]],
        "sat": [["18:00", "24:00"]],
    }
    assert station.opening_hours == hours.normalize(station.opening_hours)
    # Typed with 7 decimals, stored rounded to 6.
    assert (station.latitude, station.longitude) == (Decimal("36.087000"), Decimal("120.375000"))
    assert set(station.amenities.values_list("slug", flat=True)) == {"drinking-water", "toilet"}
    assert set(station.groups_served.values_list("slug", flat=True)) == {"courier", "sanitation"}
    assert station.level == 1 and station.status == "active"
    # The database "open now" spans follow the new hours.
    assert station.opening_spans.count() == len(hours.weekly_spans(station.opening_hours))


def test_the_24_7_switch_overrides_the_days(staff_client, shibei):
    data = station_form(shibei)
    data.update(hours_fields({"mon": [("08:00", "09:00")]}, always=True))
    response = save(staff_client, ADD_URL, data)
    assert response.status_code == 302, form_errors(response)
    assert Station.objects.get(code="QD-SB-0900").opening_hours == {"always": True}


def test_every_day_24_hours_is_stored_as_24_7(staff_client, shibei):
    data = station_form(shibei)
    data.update(hours_fields({day: "24h" for day in hours.DAYS}))
    assert save(staff_client, ADD_URL, data).status_code == 302
    assert Station.objects.get(code="QD-SB-0900").opening_hours == {"always": True}


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ({"wed": [("08:00", "")]}, "Each opening time on Wednesday needs a start and an end."),
        ({"thu": [("", "")]}, "Give at least one opening time for Thursday, or mark it closed."),
        ({"mon": [("25:00", "26:00")]}, "“25:00” is not a time of day in HH:MM form."),
        ({"sun": [("09:00", "09:00")]}, "A span on sun starts and ends at 09:00; use 00:00-24:00 for a whole day."),
        ({"tue": "sometimes"}, "Choose closed, 24 hours or opening times for Tuesday."),
    ],
)
def test_bad_hours_are_form_errors_and_nothing_is_saved(staff_client, shibei, rows, message):
    data = station_form(shibei)
    data.update(hours_fields(rows))
    response = save(staff_client, ADD_URL, data)
    assert response.status_code == 200
    assert message in form_errors(response)["opening_hours"]
    assert not Station.objects.filter(code="QD-SB-0900").exists()
    # What was typed is shown again, not lost.
    html = response.content.decode()
    day = next(iter(rows))
    if isinstance(rows[day], list) and rows[day][0][0]:
        assert f'name="opening_hours_{day}_start" value="{rows[day][0][0]}"' in html


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"latitude": "91"}, "latitude", "Ensure this value is less than or equal to 90."),
        ({"longitude": "east"}, "longitude", "Enter a number."),
        ({"kind": "partner"}, "partner_type", "Say what kind of business the partner is."),
        ({"operator": "property"}, "operator_company", "Name the property-management company."),
        ({"code": "qd sb 1"}, "code", "Use capital letters, digits and hyphens, e.g. QD-SB-0001."),
    ],
)
def test_bad_station_fields_are_form_errors(staff_client, shibei, overrides, field, message):
    response = save(staff_client, ADD_URL, station_form(shibei, **overrides))
    assert response.status_code == 200
    assert message in form_errors(response)[field]
    assert not Station.objects.filter(code="QD-SB-0900").exists()


# --- Changing a station -------------------------------------------------------------


def test_change_page_shows_the_stored_hours_in_the_widget(staff_client, make_station):
    station = make_station(opening_hours={"mon": [["08:00", "20:00"]], "sat": [["20:00", "24:00"]], "sun": [["00:00", "24:00"]]})
    html = staff_client.get(change_url(station)).content.decode()
    assert re.search(r'name="opening_hours_mon" value="spans"[^>]*checked', html)
    assert 'name="opening_hours_mon_start" value="08:00"' in html
    # <input type="time"> cannot show 24:00: midnight is shown as 00:00.
    assert 'name="opening_hours_sat_end" value="00:00"' in html
    assert re.search(r'name="opening_hours_sun" value="24h"[^>]*checked', html)
    assert re.search(r'name="opening_hours_tue" value="closed"[^>]*checked', html)
    assert "Mo 08:00-20:00; Sa 20:00-24:00; Su 00:00-24:00" in html


def test_posting_the_change_form_unchanged_keeps_everything(staff_client, make_station, shibei):
    schedule = {"mon": [["08:00", "20:00"]], "fri": [["22:00", "06:00"]], "sat": [["20:00", "24:00"]]}
    station = make_station(opening_hours=schedule, latitude=Decimal("36.1"), longitude=Decimal("120.4"))
    data = station_form(shibei, code=station.code, name=station.name, address=station.address,
                        latitude="36.100000", longitude="120.400000", manager_email=station.manager_email)
    data.update(hours_fields({"mon": [("08:00", "20:00")], "fri": [("22:00", "06:00")], "sat": [("20:00", "00:00")]}))
    response = save(staff_client, change_url(station), data)
    assert response.status_code == 302, form_errors(response)
    station.refresh_from_db()
    assert station.opening_hours == hours.normalize(schedule)


def test_level_and_status_are_read_only_on_saved_stations(staff_client, make_station, shibei):
    station = make_station()
    html = staff_client.get(change_url(station)).content.decode()
    assert 'name="level"' not in html and 'name="status"' not in html
    data = station_form(shibei, code=station.code, level="3", status="delisted")
    assert save(staff_client, change_url(station), data).status_code == 302
    station.refresh_from_db()
    assert (station.level, station.status) == (1, "active")


def movable_form(station, shibei, **overrides):
    fields = {"code": station.code, "kind": "movable", "name": station.name, "address": station.address,
              "latitude": str(station.latitude), "longitude": str(station.longitude)}
    return station_form(shibei, **{**fields, **overrides})


def test_moving_a_movable_station_keeps_its_old_position(staff_client, make_station, shibei):
    station = make_station(kind="movable", latitude=Decimal("35.960000"), longitude=Decimal("120.180000"),
                           address="黄岛区工地一号")
    response = save(staff_client, change_url(station), movable_form(
        station, shibei, latitude="35.9712345", longitude="120.1911111", address="黄岛区工地二号",
        move_note="site moved",
    ))
    assert response.status_code == 302, form_errors(response)
    station.refresh_from_db()
    assert (station.latitude, station.longitude) == (Decimal("35.971235"), Decimal("120.191111"))
    history = list(station.positions.order_by("since", "pk").values_list("latitude", "longitude", "address", "note"))
    assert history == [
        (Decimal("35.960000"), Decimal("120.180000"), "黄岛区工地一号", ""),
        (Decimal("35.971235"), Decimal("120.191111"), "黄岛区工地二号", "site moved"),
    ]

    # A second move adds one row; the first stays.
    response = save(staff_client, change_url(station), movable_form(station, shibei, latitude="35.95", longitude="120.2"))
    assert response.status_code == 302, form_errors(response)
    assert station.positions.count() == 3
    newest = station.positions.order_by("-since", "-pk").first()
    assert (newest.latitude, newest.longitude) == (Decimal("35.950000"), Decimal("120.200000"))

    # The history is shown on the station's page, newest first.
    html = staff_client.get(change_url(station)).content.decode()
    assert "Position history (newest is current)".lower() in html.lower()
    assert html.index("35.950000") < html.index("35.960000")


def test_saving_a_movable_station_without_moving_records_nothing(staff_client, make_station, shibei):
    station = make_station(kind="movable")
    response = save(staff_client, change_url(station), movable_form(station, shibei, name="新名字"))
    assert response.status_code == 302, form_errors(response)
    assert not station.positions.exists()


def test_moving_a_fixed_station_keeps_no_history(staff_client, make_station, shibei):
    station = make_station()
    response = save(staff_client, change_url(station), station_form(shibei, code=station.code, latitude="36.2"))
    assert response.status_code == 302, form_errors(response)
    station.refresh_from_db()
    assert station.latitude == Decimal("36.200000")
    assert not StationPosition.objects.exists()
    # The position inline is for movable stations only.
    assert "positions-TOTAL_FORMS" not in staff_client.get(change_url(station)).content.decode()


def test_position_history_cannot_be_edited_or_deleted(staff_client, make_station):
    station = make_station(kind="movable")
    station_move(station=station, latitude="36.1", longitude="120.4")
    position = station.positions.first()
    assert staff_client.get(reverse("admin:stations_stationposition_changelist")).status_code == 200
    url = reverse("admin:stations_stationposition_delete", args=[position.pk])
    assert staff_client.post(url, {"post": "yes"}).status_code == 403
    assert station.positions.count() == 2


# --- station_move, the rule itself -----------------------------------------------------


def test_station_move_records_old_and_new_point_for_movable_stations(make_station):
    station = make_station(kind="movable", latitude=Decimal("36.000000"), longitude=Decimal("120.000000"))
    assert station_move(station=station, latitude=Decimal("36.0000004"), longitude="120") is False
    assert not station.positions.exists()
    assert station_move(station=station, latitude="36.5", longitude="120.5", note="new site") is True
    old, new = station.positions.order_by("since", "pk")
    assert (old.latitude, old.longitude, old.since) == (Decimal("36.000000"), Decimal("120.000000"), station.created_at)
    assert (new.latitude, new.longitude, new.note) == (Decimal("36.500000"), Decimal("120.500000"), "new site")
    station.refresh_from_db()
    assert (station.latitude, station.longitude) == (Decimal("36.500000"), Decimal("120.500000"))


def test_station_move_compares_with_the_stored_point(make_station):
    """A form may have set the new point on the instance already; the stored one is the old one."""
    station = make_station(kind="movable", latitude=Decimal("36.000000"), longitude=Decimal("120.000000"))
    station.latitude, station.longitude = Decimal("36.3"), Decimal("120.3")
    assert station_move(station=station, latitude=station.latitude, longitude=station.longitude) is True
    assert [p.latitude for p in station.positions.order_by("since", "pk")] == [Decimal("36.000000"), Decimal("36.300000")]


# --- The hours widget round-trips every schedule -------------------------------------------

times = st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.sampled_from([0, 15, 30, 45, 59]))
spans = st.lists(st.tuples(times, times | st.just("24:00")).filter(lambda s: s[0] != s[1]).map(list), max_size=3)
schedules = st.one_of(
    st.just({"always": True}),
    st.fixed_dictionaries({}, optional={day: spans for day in hours.DAYS}),
)


def posted(widget_context):
    """The form data a browser posts for the rendered widget, untouched."""
    data = QueryDict(mutable=True)
    widget = widget_context["widget"]
    if widget["always"]:
        data["opening_hours_always"] = "on"
    for row in widget["rows"]:
        data[row["field"]] = row["mode"]
        for start, end in row["spans"]:
            data.appendlist(f"{row['field']}_start", start)
            data.appendlist(f"{row['field']}_end", end)
    return data


@settings(max_examples=150, deadline=None)
@given(schedules)
def test_hours_widget_round_trips_with_normalize(schedule):
    expected = hours.normalize(schedule)
    widget = OpeningHoursWidget()
    data = posted(widget.get_context("opening_hours", expected, {"id": "id_opening_hours"}))
    cleaned = OpeningHoursField().clean(widget.value_from_datadict(data, {}, "opening_hours"))
    assert hours.weekly_spans(cleaned) == hours.weekly_spans(expected)
    # The same canonical text, except that midnight may come back as 24:00.
    assert cleaned == hours.normalize(cleaned)
    assert hours.to_text(cleaned) == hours.to_text(
        {day: [[s, "24:00" if e == "00:00" else e] for s, e in v] for day, v in expected.items()}
        if "always" not in expected else expected
    )


# --- Search and filters --------------------------------------------------------------


@pytest.fixture
def registry(make_station, shibei, shinan):
    xianyang = City.objects.create(code="xianyang", name_zh="咸阳市", name_en="Xianyang")
    weicheng = District.objects.create(city=xianyang, code="weicheng", name_zh="渭城区", name_en="Weicheng")
    return {
        "union": make_station(code="QD-SB-0101", name="辽宁路驿站", address="辽宁路 1 号", amenities=["toilet"]),
        "bank": make_station(code="QD-SN-0102", name="中山路银行驿站", district=shinan, kind="partner",
                             partner_type="bank", address="中山路 5 号", level=2, amenities=["wifi"]),
        "cabin": make_station(code="QD-SN-0103", name="工地驿站", district=shinan, kind="movable",
                              address="香港中路工地", status="suspended"),
        "xianyang": make_station(code="XY-WC-0001", name="渭城驿站", district=weicheng, kind="booth",
                                 address="渭阳西路", level=3, amenities=["toilet", "wifi"]),
    }


def listed_codes(staff_client, **params):
    response = staff_client.get(LIST_URL, params)
    assert response.status_code == 200
    assert "e" not in response.wsgi_request.GET, "the admin rejected the filter"
    return sorted(station.code for station in response.context["cl"].result_list)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("QD-SN", ["QD-SN-0102", "QD-SN-0103"]),
        ("xy-wc-0001", ["XY-WC-0001"]),
        ("银行", ["QD-SN-0102"]),
        ("香港中路", ["QD-SN-0103"]),
        ("nowhere", []),
    ],
)
def test_search_by_code_name_and_address(staff_client, registry, query, expected):
    assert listed_codes(staff_client, q=query) == expected


def test_filters(staff_client, registry, shinan):
    xianyang = City.objects.get(code="xianyang")
    toilet = Amenity.objects.get(slug="toilet")
    assert listed_codes(staff_client, **{"city": xianyang.pk}) == ["XY-WC-0001"]
    assert listed_codes(staff_client, **{"district__id__exact": shinan.pk}) == ["QD-SN-0102", "QD-SN-0103"]
    assert listed_codes(staff_client, kind__exact="partner") == ["QD-SN-0102"]
    assert listed_codes(staff_client, kind__exact="movable") == ["QD-SN-0103"]
    assert listed_codes(staff_client, level__exact="3") == ["XY-WC-0001"]
    assert listed_codes(staff_client, status__exact="suspended") == ["QD-SN-0103"]
    assert listed_codes(staff_client, amenities__id__exact=toilet.pk) == ["QD-SB-0101", "XY-WC-0001"]
    # Filters combine with each other and with search.
    assert listed_codes(staff_client, amenities__id__exact=toilet.pk, level__exact="1") == ["QD-SB-0101"]
    assert listed_codes(staff_client, q="驿站", kind__exact="booth") == ["XY-WC-0001"]


def test_district_filter_narrows_to_the_chosen_city(staff_client, registry):
    xianyang = City.objects.get(code="xianyang")
    response = staff_client.get(LIST_URL, {"city": xianyang.pk})
    district_filter = next(f for f in response.context["cl"].filter_specs if isinstance(f, DistrictFilter))
    assert [label for _, label in district_filter.lookup_choices] == ["Xianyang · Weicheng"]
    response = staff_client.get(LIST_URL)
    district_filter = next(f for f in response.context["cl"].filter_specs if isinstance(f, DistrictFilter))
    assert len(district_filter.lookup_choices) == 3


def test_unticking_24_7_starts_from_24_hours_every_day(staff_client, make_station, shibei):
    station = make_station(opening_hours={"always": True})
    html = staff_client.get(change_url(station)).content.decode()
    assert re.search(r'name="opening_hours_always"[^>]*checked', html)
    for day in hours.DAYS:
        assert re.search(rf'name="opening_hours_{day}" value="24h"[^>]*checked', html)
    # Saved with the switch off and the days as shown: still open around the clock.
    data = station_form(shibei, code=station.code)
    data.update(hours_fields({day: "24h" for day in hours.DAYS}))
    assert save(staff_client, change_url(station), data).status_code == 302
    station.refresh_from_db()
    assert station.opening_hours == {"always": True}


def test_a_district_chief_cannot_move_a_station_out_of_their_district(client, make_station, make_staff, shibei, shinan):
    from oversight import roles

    chief = make_staff(roles.DISTRICT_CHIEF, districts=[shibei])
    client.force_login(chief)
    station = make_station()
    page = client.get(change_url(station))
    assert page.status_code == 200
    district_field = page.context["adminform"].form.fields["district"]
    assert list(district_field.queryset) == [shibei]
    response = save(client, change_url(station), station_form(shinan, code=station.code))
    assert response.status_code == 200
    assert "district" in form_errors(response)
    station.refresh_from_db()
    assert station.district == shibei


def test_district_options_carry_their_centre_for_the_map(staff_client, make_station, shibei, shinan):
    from django.core.cache import cache

    from stations.admin.widgets import CENTRES_CACHE_KEY

    make_station(latitude=Decimal("36.080000"), longitude=Decimal("120.370000"))
    make_station(latitude=Decimal("36.090000"), longitude=Decimal("120.380000"))
    cache.delete(CENTRES_CACHE_KEY)
    html = staff_client.get(ADD_URL).content.decode()
    assert 'data-district-input="id_district"' in html
    assert re.search(
        rf'<option value="{shibei.pk}" data-latitude="36.085000" data-longitude="120.375000"', html
    )
    # A district without stations has no centre to offer.
    assert re.search(rf'<option value="{shinan.pk}">', html)
