"""The staff dashboard in a real browser: log in through the admin, read the charts, acknowledge an alert.

Same setup as test_browser_admin (Debian's chromium, driven by Playwright). The
page must work offline: every request goes to the portal itself.
"""

import datetime
import os
from pathlib import Path

import pytest
from django.utils import timezone

from oversight import roles
from oversight.models import Alert
from ratings.models import StationDay

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
PASSWORD = "pw-for-browser-tests-only"

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="pip install playwright (the [test] extra) to run the browser tests"
)
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def test_chief_reads_the_dashboard_and_acknowledges_an_alert(live_server, make_station, make_staff, shibei):
    station = make_station(code="QD-SB-BRWS")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    StationDay.objects.create(station=station, date=yesterday, scans=9, ratings=4, satisfied=3, dissatisfied=1)
    alert = Alert.objects.create(station=station, kind=Alert.Kind.BAD_RATINGS, summary="3 of 4 were dissatisfied.")
    chief = make_staff(roles.DISTRICT_CHIEF, districts=[shibei], username="chief")
    chief.set_password(PASSWORD)
    chief.save()

    requests = []
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"],
        )
        context = browser.new_context(locale="en-US", extra_http_headers={"Accept-Language": "en"})
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("request", lambda request: requests.append(request.url))

        page.goto(f"{live_server.url}/admin/login/?next=/staff/")
        page.fill("#id_username", "chief")
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url(f"{live_server.url}/staff/")

        assert page.locator("#daily-stations").inner_text().count("QD-SB-BRWS") == 1
        assert "75%" in page.locator("#daily-stations").inner_text()
        assert page.locator("svg.chart").count() >= 3
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "staff-dashboard.png"), full_page=True)

        page.fill("#alerts input[name=note]", "Called the station; dispenser repaired.")
        page.click("#alerts button[type=submit]")
        page.wait_for_url(f"{live_server.url}/staff/")
        assert "No open alerts." in page.locator("#alerts").inner_text()
        context.close()
        browser.close()

    alert.refresh_from_db()
    assert alert.acknowledged_by == chief
    assert errors == []
    assert all(url.startswith(live_server.url) for url in requests), [u for u in requests if not u.startswith(live_server.url)]
