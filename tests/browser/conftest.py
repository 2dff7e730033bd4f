"""Browser tests: the real pages in headless Chromium (Debian's), driven by Playwright.

Skipped, with the reason shown, where no Chromium is installed; ``.ci/run`` installs it
and sets PORTAL_REQUIRE_BROWSER=1, which turns a missing browser into a failure.
"""

import os
import shutil
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.browser.phone import phone_page
from tests.conftest import AppFactory

CHROMIUM_FLAGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # No calls home: the machine's network is closed and they would only slow things down.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = _chromium()
    if executable is None:
        if os.environ.get("PORTAL_REQUIRE_BROWSER"):
            pytest.fail("Chromium is required (PORTAL_REQUIRE_BROWSER) but not installed")
        pytest.skip("no Chromium installed: browser tests skipped (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


def _serve(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def live_server(make_app: AppFactory) -> Iterator[str]:
    yield from _serve(make_app())


@pytest.fixture
def live_app(make_app: AppFactory) -> Iterator[tuple[Flask, str]]:
    """The served app too, for tests that also act as the worker or create staff."""
    app = make_app()
    for base in _serve(app):
        yield app, base


@pytest.fixture(scope="module")
def live_server_module(base_config: dict[str, Any], _schema: None) -> Iterator[str]:
    """One server for a module's tests that share a browser session (read-mostly pages)."""
    from portal import create_app
    from portal.extensions import db

    app = create_app(base_config)
    yield from _serve(app)
    with app.app_context():
        db.engine.dispose()  # no connection left for the garbage collector to find open


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """A cheap phone's screen, with JavaScript off: every page must work without it."""
    with phone_page(browser, 360, 740) as page:
        yield page


@pytest.fixture
def narrow_phone(browser: Any) -> Iterator[Any]:
    """The narrowest phone applicants use (320 px, an old or small Android), JavaScript off."""
    with phone_page(browser, 320, 640) as page:
        yield page
