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


# True once one of an example's values shows in the tab's inputs: a text in a text field, a file by its name in the
# media shown (the example buttons' own thumbnails left out)
EXAMPLE_SHOWN = """([panel, texts, files]) => {
    const fields = [...panel.querySelectorAll('textarea, input')].map(field => field.value);
    const media = [...panel.querySelectorAll('img, audio, video, source, a')]
        .filter(element => !element.closest('button.gallery-item, tr.tr-body'))
        .map(element => decodeURIComponent(element.src || element.href || ''));
    return texts.some(text => fields.includes(text)) || files.some(file => media.some(source => source.includes(file)));
}"""


def load_example(page, panel, example, values) -> None:
    """Click ``example`` (a button or row of the tab's examples, whose inputs are ``values``) and wait until the
    tab's inputs show it. The click asks the server for the values and the page fills the inputs once it has read
    the answer; on a busy machine that is seconds after the answer came, and a Run pressed before reads the old
    inputs. The server's answer is waited for, then the values on the page (all of them land in one update)."""
    strings = [value for value in values if isinstance(value, str) and value]
    files = [Path(value).name for value in strings if _is_file(value)]
    texts = [value for value in strings if not _is_file(value)]
    assert texts or files, f"the example {values!r} has no text or file to recognise it by"
    with page.expect_response(lambda response: "/gradio_api/run/predict" in response.url):
        example.click()
    page.wait_for_function(EXAMPLE_SHOWN, arg=[panel.element_handle(), texts, files])


def _is_file(value: str) -> bool:
    return Path(value).is_absolute() and len(value) < 1024 and Path(value).is_file()


def run_and_wait(page, panel, button=None) -> None:
    """Press the tab's main button (or ``button``) and wait until the run it started is over: its request reached
    the server's queue (the page marks the outputs pending before it sends it), then nothing in the tab is pending or
    streaming. A status line left by an earlier run is never taken for this run's."""
    from playwright.sync_api import expect

    with page.expect_response(lambda response: "/gradio_api/queue/join" in response.url):
        (button or panel.locator("button.primary").first).click()
    expect(panel.locator(".pending, .generating, .eta-bar")).to_have_count(0, timeout=2 * STEP_MS)


def keep_screenshot(page, name: str, full_page: bool = False) -> None:
    """With SCREENSHOT_DIR set (e.g. docs/screenshots, for the README), save what the page shows."""
    if os.environ.get("SCREENSHOT_DIR"):
        folder = Path(os.environ["SCREENSHOT_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{name}.png"), full_page=full_page)
