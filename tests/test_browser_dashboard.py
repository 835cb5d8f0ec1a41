"""The staff dashboard in a real browser: log in through the admin, read the charts, acknowledge an alert.

Same setup as test_browser_admin (Debian's chromium, driven by Playwright). The
page must work offline: every request goes to the portal itself.
"""

import datetime

import pytest
from django.utils import timezone

from oversight import roles
from oversight.models import Alert
from ratings.models import StationDay

from .browser import log_in, screenshot

PASSWORD = "pw-for-browser-tests-only"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_chief_reads_the_dashboard_and_acknowledges_an_alert(open_page, live_server, make_station, make_staff, shibei):
    station = make_station(code="QD-SB-BRWS")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    StationDay.objects.create(station=station, date=yesterday, scans=9, ratings=4, satisfied=3, dissatisfied=1)
    alert = Alert.objects.create(station=station, kind=Alert.Kind.BAD_RATINGS, summary="3 of 4 were dissatisfied.")
    chief = make_staff(roles.DISTRICT_CHIEF, districts=[shibei], username="chief")
    chief.set_password(PASSWORD)
    chief.save()

    page = open_page()
    log_in(page, live_server, "chief", PASSWORD, next_url="/staff/")

    assert page.locator("#daily-stations").inner_text().count("QD-SB-BRWS") == 1
    assert "75%" in page.locator("#daily-stations").inner_text()
    assert page.locator("svg.chart").count() >= 3
    screenshot(page, "staff-dashboard")

    page.fill("#alerts input[name=note]", "Called the station; dispenser repaired.")
    page.click("#alerts button[type=submit]")
    page.wait_for_url(f"{live_server.url}/staff/")
    assert "No open alerts." in page.locator("#alerts").inner_text()

    alert.refresh_from_db()
    assert alert.acknowledged_by == chief
    assert page.errors == []
    assert all(url.startswith(live_server.url) for url in page.requests), [u for u in page.requests if not u.startswith(live_server.url)]
