"""Shared set-up for the Playwright browser tests (tests/test_browser_*.py).

Enable them: install Debian's `chromium` package (`apt-get install chromium`;
the CI script does it) and the `playwright` Python package (the [test]
extra). Playwright drives /usr/bin/chromium (or $CHROMIUM); nothing is
downloaded.
"""

import os
import re
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
LAUNCH_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
SKIP_WITHOUT_CHROMIUM = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"no Chromium at {CHROMIUM}: apt-get install chromium (or set CHROMIUM=/path) to run the browser tests",
)


def launch(playwright):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)


def portal_only(context, live_server):
    """Abort every request that is not for the live server (map tiles): the
    tests never touch the network and prove the pages work without tiles."""
    context.route(re.compile(r"^(?!" + re.escape(live_server.url) + ")"), lambda route: route.abort())


def collect_errors(page):
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    return page

