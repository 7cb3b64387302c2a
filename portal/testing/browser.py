"""Headless Chromium for tests: Debian's chromium driven through Playwright's sync API.

pytest plugin (conftest.py: ``pytest_plugins = ["portal.testing.browser"]``). The fixture
``browser_page`` yields a Playwright ``Page`` whose base URL is pytest-django's ``live_server``,
so ``browser_page.goto("/signup/")`` opens the portal. While the test runs it records

- every console message of type ``error`` (a CSP violation, a failed load, a script error),
- every uncaught page error,
- every request to a host other than the live server's (nothing may come from the internet),

and fails the test at teardown if any occurred. Mark such tests ``@pytest.mark.browser``.

Notes for test authors:

- ``live_server`` means a transactional database: the server thread sees what the test
  writes only once it is committed, and the other way round.
- Playwright's sync API keeps an asyncio loop running on the test's thread, which Django's
  async-safety check would take for async code; the fixture sets DJANGO_ALLOW_ASYNC_UNSAFE for
  the test, so the test may still use the ORM between browser steps. Those queries run on a
  connection of their own, which the fixture closes at teardown.
- The live server serves static files through Django's finders, which do not know the hashed
  names of the manifest storage; the fixture adds STATIC_ROOT (filled by ``collectstatic``,
  as ``make test`` does) to the finders so the pages' real, hashed URLs are served.
- Cookies must not be Secure over plain HTTP: run with ``HTTPS=0`` (``make test`` does).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.db import connections

CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Requests with these schemes never leave the browser.
LOCAL_SCHEMES = frozenset({"data", "blob", "about", "chrome", "chrome-extension", "devtools"})
DEFAULT_TIMEOUT_MS = 10_000


@dataclass
class BrowserProblems:
    """What went wrong in the browser during one test."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.console_errors or self.page_errors or self.foreign_requests)

    def report(self) -> str:
        lines = []
        for title, items in (
            ("console errors", self.console_errors),
            ("page errors", self.page_errors),
            ("requests to other hosts", self.foreign_requests),
        ):
            if items:
                lines.append(f"{title}:")
                lines += [f"  {item}" for item in items]
        return "\n".join(lines)


def _watch(page, problems: BrowserProblems, server_netloc: str) -> None:
    def on_console(message) -> None:
        if message.type == "error":
            where = message.location or {}
            problems.console_errors.append(f"{message.text} ({where.get('url', '')}:{where.get('lineNumber', '')})")

    def on_request(request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme not in LOCAL_SCHEMES and parts.netloc != server_netloc:
            problems.foreign_requests.append(f"{request.method} {request.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.page_errors.append(str(error)))
    page.on("request", on_request)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.portal_browser_call_failed = report.failed
    return report


@pytest.fixture
def browser_problems() -> BrowserProblems:
    """The problems the browser recorded so far in this test (see ``browser_page``)."""
    return BrowserProblems()


@pytest.fixture
def browser_page(request, live_server, settings, monkeypatch, browser_problems, tmp_path) -> Iterator:
    """A page of a fresh headless Chromium bound to ``live_server``; fails the test on problems."""
    from playwright.sync_api import sync_playwright

    if django_settings.SESSION_COOKIE_SECURE or django_settings.SECURE_SSL_REDIRECT:
        pytest.fail("browser tests serve plain HTTP: run them with HTTPS=0")
    if not (Path(django_settings.STATIC_ROOT) / "staticfiles.json").exists():
        pytest.fail("no static manifest: run `manage.py collectstatic` first (make test does)")
    settings.STATICFILES_DIRS = [*django_settings.STATICFILES_DIRS, str(django_settings.STATIC_ROOT)]
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    server_netloc = urlsplit(live_server.url).netloc
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(base_url=live_server.url, locale="zh-CN")
            context.set_default_timeout(DEFAULT_TIMEOUT_MS)
            page = context.new_page()
            _watch(page, browser_problems, server_netloc)
            yield page
            if getattr(request.node, "portal_browser_call_failed", False):
                _keep_evidence(page, tmp_path)
        finally:
            browser.close()
            # Inside sync_playwright() the test runs in another context (Django keeps its
            # connections per context), so the ORM opened a connection of its own: close it,
            # or it outlives the test and keeps the test database from being dropped.
            connections.close_all()
    if browser_problems:
        pytest.fail("the browser reported problems:\n" + browser_problems.report())


def _keep_evidence(page, directory: Path) -> None:
    """Save a screenshot and the HTML of the page a failed test ended on."""
    try:
        page.screenshot(path=str(directory / "failure.png"), full_page=True)
        (directory / "failure.html").write_text(page.content(), encoding="utf-8")
    except Exception as exc:  # the evidence is a courtesy; the test has already failed
        print(f"could not save the browser's last page: {exc}")  # noqa: T201
    else:
        print(f"browser's last page saved in {directory}")  # noqa: T201
