"""Debian's chromium for the browser tests, driven by Playwright for Python (never ``playwright install``): where
it is found, a module mark that skips without it, a launched browser, and the screenshots kept for the README."""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
NO_CHROMIUM = "Debian's chromium is not installed (.ci/run installs it)"
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason=NO_CHROMIUM)

# The upper bound on one thing a browser test waits for (a page drawn, a click taken, a text shown, a response):
# a few seconds on an idle machine, over a minute with both cores busy. Every ``expect`` and every action of the
# pages opened through ``chromium()`` gets it by default (Playwright's own 5 s and 30 s fail under load); it is
# only a bound that fails loudly, never a guess at how long a step takes.
STEP_MS = 180_000


class _BoundedBrowser:
    """The launched browser, whose new contexts and pages wait up to ``STEP_MS`` by default."""

    def __init__(self, browser):
        self._browser = browser

    def new_context(self, **options):
        context = self._browser.new_context(**options)
        context.set_default_timeout(STEP_MS)
        return context

    def new_page(self, **options):
        page = self._browser.new_page(**options)
        page.set_default_timeout(STEP_MS)
        return page

    def __getattr__(self, name):
        return getattr(self._browser, name)


@contextmanager
def chromium() -> Iterator:
    """A headless chromium (a Playwright ``Browser``), closed afterwards; the test is skipped without one."""
    if CHROMIUM is None:
        pytest.skip(NO_CHROMIUM)
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python (requirements-dev.txt)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        sync_api.expect.set_options(timeout=STEP_MS)
        try:
            yield _BoundedBrowser(browser)
        finally:
            browser.close()


def keep_screenshot(page, name: str, full_page: bool = False) -> None:
    """With SCREENSHOT_DIR set (e.g. docs/screenshots, for the README), save what the page shows."""
    if os.environ.get("SCREENSHOT_DIR"):
        folder = Path(os.environ["SCREENSHOT_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{name}.png"), full_page=full_page)
