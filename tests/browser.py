"""Shared set-up for the tests that drive a real browser (Playwright + Chromium).

Enable them: install Debian's `chromium` package (`apt-get install chromium`;
.ci/run does it) and the `playwright` Python package (the [test] extra).
Playwright drives /usr/bin/chromium (or $CHROMIUM); nothing is downloaded.
Without them every test that asks for the `browser` fixture is skipped, with
a message saying how to enable it.

Registered as a pytest plugin in tests/conftest.py.
"""

import contextlib
import os
import re
from pathlib import Path

import pytest
from django.db import connections

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
LAUNCH_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
HOW_TO_ENABLE = "apt-get install chromium (or set CHROMIUM=/path) and pip install '.[test]' to run the browser tests"


@contextlib.contextmanager
def chromium():
    """Start a headless Chromium, or skip the test saying how to enable it.

    While it runs, asgiref gives database calls made in this thread a
    connection of their own (Playwright's event loop runs here), which does
    not see an uncommitted test transaction: read what the page needs from
    the database first, or use a transactional test with the live server.
    """
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: {HOW_TO_ENABLE}")
    sync_api = pytest.importorskip("playwright.sync_api", reason=f"playwright is not installed: {HOW_TO_ENABLE}")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            # Close that connection of its own while it is still reachable
            # (after the loop stops asgiref hands out the thread's usual one);
            # left open, PostgreSQL refuses to drop the test database.
            connections.close_all()


@pytest.fixture
def browser(monkeypatch):
    """A headless Chromium for one live-server test."""
    # Django refuses synchronous database calls from a thread with a running
    # event loop; the test's own calls around the browser are ordinary ones.
    # Set for the test only: process-wide it would leak into subprocesses.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with chromium() as started:
        yield started


@pytest.fixture
def open_page(browser, live_server):
    """Open a page in a fresh English context that can reach only the live server.

    Every other request (map tiles) is aborted: the tests never touch the
    network and prove the pages work without tiles. Page errors are kept in
    `page.errors`; requests in `page.requests`.
    """
    contexts = []

    def open_page(viewport=None, geolocation=None, **options):
        options.setdefault("viewport", viewport or {"width": 1280, "height": 800})
        options.setdefault("locale", "en-US")
        options.setdefault("extra_http_headers", {"Accept-Language": "en"})
        if geolocation:
            options.update(geolocation=geolocation, permissions=["geolocation"])
        context = browser.new_context(**options)
        contexts.append(context)
        # Generous: CI machines run other suites beside this one.
        context.set_default_timeout(60_000)
        context.route(re.compile(r"^(?!" + re.escape(live_server.url) + ")"), lambda route: route.abort())
        page = context.new_page()
        page.errors, page.requests = [], []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.on("request", lambda request: page.requests.append(request.url))
        return page

    yield open_page
    for context in contexts:
        context.close()


def log_in(page, live_server, username, password, next_url="/admin/"):
    page.goto(f"{live_server.url}/admin/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}{next_url}")


def screenshot(page, name, **options):
    """Keep a screenshot for review under test-artifacts/ (git-ignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True, **options)


def expect(target):
    """Playwright's retrying assertions, imported only where a browser runs."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)
