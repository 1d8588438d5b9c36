"""Shared test fixtures: personas and fast defaults, and a real browser for browser tests.

Browser tests (`@pytest.mark.browser`) drive the Debian `chromium` through Playwright's sync API
against pytest-django's `live_server`; no browser is ever downloaded.
"""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in the test thread; Django would otherwise refuse
# database access from it as "async unsafe".
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    """One Chromium per test process, shared by every browser test in it."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.fail("Browser tests need Debian's chromium: apt-get install -y chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh browser context (no cookies, English) and a page in it, per test."""
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    # Local pages answer in milliseconds; fail fast instead of waiting Playwright's 30 s.
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(autouse=True)
def _reset_language():
    """Start every test in the default language.

    LocaleMiddleware activates the request's language in the test thread and nothing switches it
    back, so a test that fetched a Finnish page would otherwise leave Finnish on for the next.
    """
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
