"""The station editor in a real browser: pick the location on the map, set hours, save.

Needs Debian's `chromium` (apt-get install chromium; the CI script does it) and
the `playwright` package (the [test] extra); Playwright drives /usr/bin/chromium,
nothing is downloaded. Every request that is not for the live server (map
tiles) is aborted. A screenshot of the editor goes to test-artifacts/.
"""

import re
from decimal import Decimal

import pytest

from stations import hours
from stations.models import Station

from .browser import log_in as browser_log_in
from .browser import screenshot

PASSWORD = "pw-for-browser-tests-only"

pytestmark = [
    pytest.mark.browser,
    # The live server needs committed rows.
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def page(open_page):
    return open_page({"width": 1366, "height": 900})


def log_in(page, live_server, user):
    browser_log_in(page, live_server, user.username, PASSWORD)


def settled_box(page, locator):
    """The element's box once it has stopped moving (Leaflet animates pans)."""
    box = locator.bounding_box()
    for _attempt in range(50):
        page.wait_for_timeout(100)
        now = locator.bounding_box()
        if now == box:
            return now
        box = now
    raise AssertionError("the element kept moving")


def day_row(page, day):
    return page.locator(f"[data-hours-day={day}]")


def test_pick_location_on_the_map_set_hours_and_save(page, live_server, make_station, django_user_model):
    admin = django_user_model.objects.create_superuser("editor", "editor@example.org", PASSWORD)
    station = make_station(
        name="Liaoning Road station", latitude=Decimal("36.087000"), longitude=Decimal("120.375000"),
        opening_hours={"mon": [["08:00", "20:00"]]}, amenities=["drinking-water"],
    )
    log_in(page, live_server, admin)
    page.goto(f"{live_server.url}/admin/stations/station/{station.pk}/change/")
    page.wait_for_selector("[data-location-picker][data-ready=true]")
    assert page.locator(".location-picker .leaflet-marker-icon").count() == 1

    # Click the map away from the marker: the coordinates follow, with 6 decimals.
    box = page.locator("#station_location_map").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.75, box["y"] + box["height"] * 0.25)
    latitude = page.input_value("#id_latitude")
    longitude = page.input_value("#id_longitude")
    assert re.fullmatch(r"\d+\.\d{6}", latitude) and re.fullmatch(r"\d+\.\d{6}", longitude)
    # Up and to the right of the centre: further north and further east.
    assert Decimal(latitude) > Decimal("36.087000")
    assert Decimal(longitude) > Decimal("120.375000")
    assert page.locator("[data-location-readout]").inner_text() == f"{latitude}, {longitude}"

    # Dragging the marker down moves the point south.
    marker = page.locator(".location-picker .leaflet-marker-icon")
    before = settled_box(page, marker)  # the click pans the map: wait until the marker stops
    page.mouse.move(before["x"] + before["width"] / 2, before["y"] + before["height"] / 2)
    page.mouse.down()
    page.mouse.move(before["x"] + before["width"] / 2, before["y"] + before["height"] / 2 + 40, steps=8)
    page.mouse.up()
    dragged = page.input_value("#id_latitude")
    assert re.fullmatch(r"\d+\.\d{6}", dragged) and Decimal(dragged) < Decimal(latitude)
    latitude = dragged

    # Typing coordinates moves the marker.
    before = marker.bounding_box()
    page.fill("#id_longitude", str(Decimal(longitude) - Decimal("0.002")))
    after = marker.bounding_box()
    assert after["x"] < before["x"] - 5
    longitude = page.input_value("#id_longitude")

    # Hours: Monday gets a second span, Friday runs past midnight, Sunday is open all day.
    monday = day_row(page, "mon")
    monday.locator("[data-hours-add]").click()
    monday.locator("input[type=time]").nth(2).fill("21:00")
    monday.locator("input[type=time]").nth(3).fill("23:30")
    friday = day_row(page, "fri")
    assert not friday.locator("input[type=time]").first.is_visible()  # closed: no time inputs
    friday.locator("input[value=spans]").check()
    friday.locator("input[type=time]").nth(0).fill("22:00")
    friday.locator("input[type=time]").nth(1).fill("06:00")
    assert friday.locator("[data-hours-next-day]").is_visible()
    day_row(page, "sun").locator("input[value='24h']").check()

    screenshot(page, "admin-station-editor")

    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    assert page.errors == []

    station.refresh_from_db()
    assert (station.latitude, station.longitude) == (Decimal(latitude), Decimal(longitude))
    assert station.opening_hours == hours.normalize({
        "mon": [["08:00", "20:00"], ["21:00", "23:30"]],
        "fri": [["22:00", "06:00"]],
        "sun": [["00:00", "24:00"]],
    })
    assert list(station.amenities.values_list("slug", flat=True)) == ["drinking-water"]


def test_24_7_switch_and_kind_dependent_fields(page, live_server, make_station, django_user_model):
    admin = django_user_model.objects.create_superuser("editor", "editor@example.org", PASSWORD)
    station = make_station(opening_hours={"tue": [["09:00", "17:00"]]})
    log_in(page, live_server, admin)
    page.goto(f"{live_server.url}/admin/stations/station/{station.pk}/change/")
    # Fields that apply only to partner businesses / property companies show when they apply.
    assert not page.locator(".field-partner_type").is_visible()
    page.select_option("#id_kind", "partner")
    assert page.locator(".field-partner_type").is_visible()
    page.select_option("#id_kind", "union")
    assert not page.locator(".field-operator_company").is_visible()
    page.select_option("#id_operator", "property")
    assert page.locator(".field-operator_company").is_visible()
    page.select_option("#id_operator", "union")

    assert page.locator("[data-hours-days]").is_visible()
    page.check("[data-hours-always]")
    assert not page.locator("[data-hours-days]").is_visible()
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    station.refresh_from_db()
    assert station.opening_hours == {"always": True}
    assert page.errors == []


def test_choosing_a_district_centres_the_map_on_it(page, live_server, make_station, django_user_model):
    from django.core.cache import cache

    from stations.admin.widgets import CENTRES_CACHE_KEY
    from stations.models import City, District

    admin = django_user_model.objects.create_superuser("editor", "editor@example.org", PASSWORD)
    xianyang = City.objects.create(code="xianyang", name_zh="咸阳市", name_en="Xianyang")
    weicheng = District.objects.create(city=xianyang, code="weicheng", name_zh="渭城区", name_en="Weicheng")
    make_station(district=weicheng, latitude=Decimal("34.360000"), longitude=Decimal("108.720000"))
    cache.delete(CENTRES_CACHE_KEY)
    log_in(page, live_server, admin)
    page.goto(f"{live_server.url}/admin/stations/station/add/")
    page.wait_for_selector("[data-location-picker][data-ready=true]")
    page.select_option("#id_district", str(weicheng.pk))
    # Clicking the middle of the map now picks a point in Weicheng, not in Qingdao.
    box = page.locator("#station_location_map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert abs(Decimal(page.input_value("#id_latitude")) - Decimal("34.36")) < Decimal("0.01")
    assert abs(Decimal(page.input_value("#id_longitude")) - Decimal("108.72")) < Decimal("0.01")
    assert page.errors == []
