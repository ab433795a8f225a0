"""The app used as a person uses it: a real browser (Debian's chromium, driven by Playwright) on the tiny app, in
English and Chinese, on a desktop and a phone screen, asserting what a person sees."""

from __future__ import annotations

import shutil

import pytest

from tests.server import running_app

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python (requirements-dev.txt)")
expect = sync_api.expect
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")

DESKTOP, PHONE = {"width": 1400, "height": 900}, {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def app_url():
    with running_app(timeout=120) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser, app_url):
    """``open_page(locale, viewport)``: a fresh page of the app (a new browser context: its own session)."""
    contexts = []

    def open_page(locale: str = "en-US", viewport: dict = DESKTOP):
        context = browser.new_context(locale=locale, viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        page.goto(app_url)
        return page

    yield open_page
    for context in contexts:
        context.close()


def open_tab(page, name: str):
    """Select a tab by its title, from the "More tabs" menu where the screen is too narrow for all of them."""
    tab = page.get_by_role("tab", name=name, exact=True)
    expect(page.locator(".tab-wrapper").first).to_be_visible(timeout=30_000)
    if tab.count():
        tab.click()
    else:
        page.get_by_role("button", name="More tabs").click()
        page.locator(".overflow-dropdown button", has_text=name).first.click()
    return page.locator("[role=tabpanel]:visible").first


# --- fine-tune: the live loss curve -------------------------------------------------------------------------

LINES = """() => [...document.querySelectorAll('.vega-embed path[aria-roledescription="line mark"]')]
                 .map(path => ({stroke: path.getAttribute('stroke'), length: path.getTotalLength()}))"""
LEGEND = "() => [...document.querySelectorAll('.vega-embed .role-legend-label text')].map(t => t.textContent)"


def test_the_loss_curve_draws_both_lines_with_a_legend_on_a_chinese_phone(open_page):
    from demos.fine_tune import TRAIN_CURVE, VALIDATION_CURVE

    page = open_page("zh-CN", PHONE)
    panel = open_tab(page, "微调分类器")
    panel.get_by_label("训练轮数（1-20）").fill("2")  # two validation points make a line
    panel.get_by_role("button", name="训练", exact=True).click()
    # while it trains: the training loss is a drawn line (a stroke colour and a length), not axes alone
    page.wait_for_function(f"() => ({LINES})().some(line => line.stroke && line.length > 0)", timeout=120_000)
    expect(panel.locator(".status-line").first).to_contain_text("Trained", timeout=240_000)
    page.wait_for_function(f"() => ({LINES})().filter(line => line.stroke && line.length > 0).length == 2",
                           timeout=30_000)
    lines = page.evaluate(LINES)
    assert len({line["stroke"] for line in lines}) == 2, lines  # two curves, two colours
    assert sorted(page.evaluate(LEGEND)) == sorted([TRAIN_CURVE, VALIDATION_CURVE])
