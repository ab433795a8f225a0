"""The examples and the Chinese UI as a person meets them: a real browser (Debian's chromium, driven by Playwright)
on the tiny app. In Chinese, what the page shows stays Chinese after clicking an example and running it; every
example of every tab runs without an error. Screenshots go to $SCREENSHOT_DIR if set."""

from __future__ import annotations


import pytest

from demos import load_demos
from models.registry.tasks import NAMES
from tests.browser import chromium, keep_screenshot, load_example, needs_chromium, run_and_wait

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python (requirements-dev.txt)")
expect = sync_api.expect
pytestmark = needs_chromium

DEMOS = dict(zip(NAMES, load_demos()))


@pytest.fixture
def app_url(suite_url):
    return suite_url


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


@pytest.fixture
def open_tab(browser, app_url):
    """``open_tab(locale, name)``: the panel of a demo on a fresh page (a new browser context: its own session),
    opened by the demo's own link (``?tab=NAME``)."""
    contexts = []

    def open_tab(locale: str, name: str):
        context = browser.new_context(locale=locale, viewport={"width": 1920, "height": 1000})
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{app_url}?tab={name}")
        panel = page.locator(f"#tab-{name}")
        expect(panel).to_be_visible()
        return page, panel

    yield open_tab
    for context in contexts:
        context.close()


# --- Chinese stays Chinese -------------------------------------------------------------------------------------

def test_translation_tab_stays_chinese_after_an_example_click_and_a_run(open_tab):
    page, panel = open_tab("zh-CN", "translation")
    table = panel.locator("table").filter(has=page.locator("tr.tr-body")).first
    expect(panel.get_by_text("示例", exact=True)).to_be_visible()
    # the examples table: headers are the inputs' labels, language codes shown by their Chinese names
    expect(table.locator("th")).to_have_text(["文本", "源语言", "目标语言"])
    rows = table.locator("tr.tr-body")
    expect(rows.nth(1).locator("td").nth(1)).to_have_text("中文")
    for row in range(rows.count()):  # no example has an empty language
        for column in (1, 2):
            assert rows.nth(row).locator("td").nth(column).inner_text().strip(), (row, column)

    load_example(page, panel, rows.nth(1), DEMOS["translation"].EXAMPLES[1])  # Chinese to English
    for label in ("文本", "源语言", "目标语言", "模型"):
        expect(panel.get_by_label(label, exact=True).first).to_be_visible()
    for english in ("Text", "From", "To", "Model"):
        expect(panel.get_by_label(english, exact=True)).to_have_count(0)
    expect(panel.get_by_label("源语言", exact=True)).to_have_value("中文")
    expect(panel.get_by_label("目标语言", exact=True)).to_have_value("英语")

    run_and_wait(page, panel)
    status = panel.locator(".status-line").first
    expect(status).to_contain_text("运行于 cpu")
    expect(status).to_contain_text("中文 → 英语")
    expect(status).not_to_contain_text("inference")
    for label in ("文本", "源语言", "目标语言", "译文"):
        expect(panel.get_by_label(label, exact=True).first).to_be_visible()
    keep_screenshot(page, "zh-translation", full_page=True)


def test_choices_tables_errors_and_status_are_chinese(open_tab):
    page, panel = open_tab("zh-CN", "asr")
    expect(panel.get_by_role("radio", name="转写", exact=True)).to_be_visible()  # the choices
    expect(panel.get_by_role("radio", name="翻译成英文", exact=True)).to_be_visible()
    expect(panel.get_by_label("语言", exact=True)).to_have_value("自动检测")
    expect(panel.locator("th").filter(has_text="开始").first).to_be_attached()  # the segments table
    load_example(page, panel, panel.locator("tr.tr-body").first, DEMOS["asr"].EXAMPLES[0])
    expect(panel.get_by_label("语言", exact=True)).to_have_value("英语")
    expect(panel.get_by_text("语音", exact=True).first).to_be_visible()
    run_and_wait(page, panel)
    status = panel.locator(".status-line").first
    expect(status).to_contain_text("音频，分 1 段")
    expect(status).not_to_contain_text("⚠")
    keep_screenshot(page, "zh-asr", full_page=True)

    page, panel = open_tab("zh-CN", "text-classification")
    panel.get_by_role("button", name="运行", exact=True).click()
    status = panel.locator(".status-line").first
    expect(status).to_contain_text("文本为空：请输入或粘贴一些文本。")
    # the toast too (its heading is gradio's: the message type in English, whatever title the server sends)
    expect(page.locator(".toast-body").first).to_contain_text("文本为空：请输入或粘贴一些文本。")
    assert "empty" not in page.locator("body").inner_text()


# --- every example runs ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(NAMES))
def test_every_example_runs_without_an_error(open_tab, name):
    """Each example, clicked on a fresh page of the tab (its default settings, an empty status line), then run: the
    status line names the model and the device (a failure writes its reason there instead), and no error toast."""
    demo = DEMOS[name]
    for index in range(len(demo.EXAMPLES)):
        page, panel = open_tab("en-US", name)
        examples = panel.locator("button.gallery-item, tr.tr-body")
        expect(examples).to_have_count(len(demo.EXAMPLES))
        load_example(page, panel, examples.nth(index), demo.EXAMPLES[index])
        run_and_wait(page, panel)
        expect(panel.locator(".status-line").first).to_contain_text(" on cpu")
        assert not page.locator(".toast-body.error").all_inner_texts(), (name, index)
        page.context.close()
