"""Browser tests: Debian chromium driven by Playwright, with every off-host request blocked.

A test fails if the page tried to reach any host other than the live test server, or if
the console reports an error (CSP violations and failed loads show up there).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connection

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by
# fixtures in the same thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
# How long the teardown waits for the live server's last statements (see below).
SERVER_DRAIN_S = 10


def _server_statements_drain() -> None:
    """Wait (bounded) until no other session runs a statement on the test database.

    The page is closed, so no request starts, but the live server may still be answering
    one the page sent last. The test's flush (TRUNCATE of every table, locked one by one)
    would deadlock with a statement of that request reading two of them.
    """
    deadline = time.monotonic() + SERVER_DRAIN_S
    with connection.cursor() as cur:
        while time.monotonic() < deadline:
            cur.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND state = 'active'"
                " AND backend_type = 'client backend'"
            )
            if cur.fetchone()[0] == 0:
                return
            time.sleep(0.05)


@pytest.fixture(scope="session")
def chromium_browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make test does)")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


class PageRecorder:
    def __init__(self) -> None:
        self.blocked: list[str] = []
        self.console_errors: list[str] = []

    def assert_clean(self) -> None:
        assert not self.blocked, f"the page tried to reach other hosts: {self.blocked}"
        assert not self.console_errors, f"console errors: {self.console_errors}"


@pytest.fixture
def offline_page(chromium_browser, request):
    """A fresh page whose requests may only go to 127.0.0.1/localhost."""
    recorder = PageRecorder()
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")

    def guard(route):
        host = urlsplit(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            recorder.blocked.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and recorder.console_errors.append(m.text))
    page.on("pageerror", lambda e: recorder.console_errors.append(str(e)))
    page.recorder = recorder
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"))
    context.close()
    _server_statements_drain()
