"""The app used as a person uses it: a real browser (Debian's chromium, driven by Playwright) on the tiny app, in
English and Chinese, on a desktop and a phone screen, asserting what a person sees."""

from __future__ import annotations

import re

import pytest

from demos import load_demos
from demos.ui import i18n
from models.registry.tasks import AREAS, NAMES, TASKS
from tests.browser import chromium, keep_screenshot, load_example, needs_chromium, run_and_wait
from tests.server import running_app

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python (requirements-dev.txt)")
expect = sync_api.expect
pytestmark = needs_chromium

DESKTOP, PHONE = {"width": 1400, "height": 900}, {"width": 390, "height": 844}
AREA_OF = {row.name: row.area for row in TASKS}
DEMOS = dict(zip(NAMES, load_demos()))


BROKEN_CHAT = "broken-chat"  # a chat entry whose model cannot load (no tiny twin, no network)


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    models = tmp_path_factory.mktemp("models") / "models.toml"
    models.write_text(f'''[[model]]
key = "chat/{BROKEN_CHAT}"
task = "chat"
checkpoint = "example-org/{BROKEN_CHAT}"
runner = "chat"
''')
    with running_app("--models-file", str(models)) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


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
    """Open a demo as a person does: its button in the navigation, after its area's button where the area is
    closed (a phone). Returns the demo's panel once it shows."""
    expect(page.locator("#demo-nav")).to_be_visible()
    button = page.locator(f"#nav-{name}")
    if not button.is_visible():
        page.locator(f"#nav-area-{AREA_OF[name]}").click()
    button.click()
    panel = page.locator(f"#tab-{name}")
    expect(panel).to_be_visible()
    return panel


# --- fine-tune: the live loss curve -------------------------------------------------------------------------

LINES = """() => [...document.querySelectorAll('.vega-embed path[aria-roledescription="line mark"]')]
                 .map(path => ({stroke: path.getAttribute('stroke'), length: path.getTotalLength()}))"""
LEGEND = "() => [...document.querySelectorAll('.vega-embed .role-legend-label text')].map(t => t.textContent)"


def test_the_loss_curve_draws_both_lines_with_a_legend_on_a_chinese_phone(open_page):
    from demos.fine_tune.tab import TRAIN_CURVE, VALIDATION_CURVE

    page = open_page("zh-CN", PHONE)
    panel = open_tab(page, "fine-tune")
    panel.get_by_label("训练轮数（1-20）").fill("2")  # two validation points make a line
    panel.get_by_role("button", name="训练", exact=True).click()
    # while it trains: the training loss is a drawn line (a stroke colour and a length), not axes alone
    page.wait_for_function(f"() => ({LINES})().some(line => line.stroke && line.length > 0)")
    expect(panel.locator(".status-line").first).to_contain_text("Trained", timeout=240_000)
    page.wait_for_function(f"() => ({LINES})().filter(line => line.stroke && line.length > 0).length == 2")
    lines = page.evaluate(LINES)
    assert len({line["stroke"] for line in lines}) == 2, lines  # two curves, two colours
    assert sorted(page.evaluate(LEGEND)) == sorted([TRAIN_CURVE, VALIDATION_CURVE])


# --- chat: behaves like a chat --------------------------------------------------------------------------------

def pick(panel, label: str, option: str) -> None:
    panel.get_by_label(label, exact=True).first.click()
    panel.page.get_by_role("option", name=option, exact=True).click()


def test_chat_enter_sends_and_a_failed_turn_is_marked_not_sent_again(open_page):
    page = open_page()
    panel = open_tab(page, "chat")
    box = panel.get_by_role("textbox", name="Message", exact=True)
    status = panel.locator(".status-line").first
    stop = panel.get_by_role("button", name="Stop", exact=True)
    expect(stop).to_be_hidden()
    box.fill("Hello")
    box.press("Enter")  # Enter sends
    expect(status).to_contain_text(" on cpu")
    # the tiny profile says so where the output is: the status line and the model card
    expect(status).to_contain_text("Tiny twin: random weights")
    expect(panel.get_by_text("Tiny twin: random weights").nth(1)).to_be_visible()
    expect(panel.get_by_role("button", name="Send", exact=True)).to_be_visible()
    expect(stop).to_be_hidden()  # Stop shows only while an answer is written
    bubbles = panel.locator(".message-row")
    expect(bubbles).to_have_count(2)  # the question and its answer
    box.type("first line")
    box.press("Shift+Enter")  # Shift+Enter: a new line, nothing sent
    box.type("second line")
    expect(box).to_have_value("first line\nsecond line")
    expect(bubbles).to_have_count(2)

    pick(panel, "Model", BROKEN_CHAT)
    box.fill("This one fails")
    box.press("Enter")
    expect(status).to_contain_text("could not be loaded")
    expect(status).to_contain_text("operator")
    expect(panel.get_by_text("Not answered")).to_be_visible()  # marked in the conversation
    expect(panel.get_by_text("last load failed")).to_be_visible()  # the card says what happened
    assert "hf download" not in panel.inner_text() and "--profile" not in panel.inner_text()  # operator hints

    pick(panel, "Model", "qwen2.5-0.5b-instruct")
    box.fill("And now?")
    box.press("Enter")
    expect(status).not_to_contain_text("⚠")
    expect(status).to_contain_text(" on cpu")
    expect(panel.get_by_text("loaded", exact=True)).to_be_visible()
    # the script for the last answer lists the conversation the model was sent: the failed turn is not in it
    panel.get_by_text("Code: do this in a few lines of Python").click()
    code = panel.locator(".cm-content").first
    expect(code).to_contain_text("And now?")
    assert "Hello" in code.inner_text() and "This one fails" not in code.inner_text()


# --- errors stay on screen ------------------------------------------------------------------------------------

def test_an_error_stays_next_to_the_output_until_the_next_run(open_page):
    page = open_page("zh-CN")
    panel = open_tab(page, "text-classification")
    status = panel.locator(".status-line").first
    panel.get_by_role("button", name="运行", exact=True).click()
    expect(status).to_contain_text("文本为空")  # (in the page's language)
    page.wait_for_timeout(15_000)  # the assertion is about time passing: gradio's toast is gone by now
    expect(status).to_contain_text("文本为空")
    panel.get_by_role("textbox").first.fill("这部电影太好看了")
    panel.get_by_role("button", name="运行", exact=True).click()
    expect(status).to_contain_text("运行于 cpu")
    expect(status).not_to_contain_text("为空")
    keep_screenshot(page, "zh-desktop")


# --- uploads ---------------------------------------------------------------------------------------------------

def test_a_non_image_uploaded_after_an_example_gets_the_apps_clear_message(open_page, tmp_path):
    page = open_page()
    panel = open_tab(page, "image-classification")
    load_example(page, panel, panel.locator("button.gallery-item").first, DEMOS["image-classification"].EXAMPLES[0])
    panel.get_by_role("button", name="Remove Image").first.click()
    fake = tmp_path / "holiday.jpg"
    fake.write_text("not a picture")
    panel.locator("input[type=file]").first.set_input_files(fake)
    panel.get_by_role("button", name="Run", exact=True).click()
    status = panel.locator(".status-line").first
    expect(status).to_contain_text("This file is not an image that can be read")
    shown = page.locator("body").inner_text()
    assert "preprocess" not in shown and "/tmp/" not in shown


# --- question answering: the answer in its context reads as a paragraph -------------------------------------------

SPLIT_WORDS = """(root) => {
    const split = [];
    for (const span of root.querySelectorAll('.text')) {
        const node = span.firstChild, text = node ? node.textContent : '';
        for (const match of text.matchAll(/\\S+/g)) {
            const range = document.createRange();
            range.setStart(node, match.index);
            range.setEnd(node, match.index + match[0].length);
            const lines = new Set([...range.getClientRects()].map(rect => Math.round(rect.top)));
            if (lines.size > 1) split.push(match[0]);
        }
    }
    return split;
}"""


def test_the_answer_in_context_breaks_lines_between_words_on_a_phone(open_page):
    page = open_page("en-US", PHONE)
    panel = open_tab(page, "qa")
    load_example(page, panel, panel.locator("tr.tr-body").first, DEMOS["qa"].EXAMPLES[0])
    run_and_wait(page, panel)
    expect(panel.locator(".status-line").first).to_contain_text(" on cpu")
    context = panel.locator(".answer-in-context .textfield").first
    expect(context).to_contain_text("Google")  # drawn (a single word: the answer's label never falls inside one)
    # the whole context is there, with the label of the answer (wherever the tiny twin puts it) taken out
    words = re.sub(r"answer \(\d+\.\d+\)", " ", context.inner_text(), flags=re.IGNORECASE).split()
    assert "Attention Is All You Need" in " ".join(words)
    assert context.evaluate(SPLIT_WORDS) == []  # no word is cut across two lines


# --- finding a demo: grouped by area, one click on a desktop, two on a phone, a link each ---------------------

ON_SCREEN = """(element) => { const box = element.getBoundingClientRect();
    return box.width > 0 && box.top >= 0 && box.left >= 0 && box.bottom <= innerHeight && box.right <= innerWidth; }"""
TOP_ON_SCREEN = """(element) => {
    const top = element.getBoundingClientRect().top; return top > -2 && top < innerHeight - 60; }"""


@pytest.mark.parametrize("locale, viewport, most_clicks", [("en-US", DESKTOP, 1), ("zh-CN", PHONE, 2)])
def test_every_demo_is_one_click_away_on_a_desktop_and_two_on_a_phone(open_page, locale, viewport, most_clicks):
    text = i18n.EN if locale == "en-US" else i18n.ZH
    page = open_page(locale, viewport)
    expect(page.locator("#demo-nav")).to_be_visible()
    expect(page.locator("#demo-nav .nav-area")).to_have_text([text[f"area.{area}"] for area in AREAS])
    assert page.locator("[aria-label='More tabs']:visible").count() == 0  # no demo behind an overflow menu
    for name in NAMES:
        clicks = 0
        button = page.locator(f"#nav-{name}")
        if not button.is_visible():
            area = page.locator(f"#nav-area-{AREA_OF[name]}")
            assert area.evaluate(ON_SCREEN), name
            area.click()
            clicks += 1
        assert button.evaluate(ON_SCREEN), name  # there without scrolling
        expect(button).to_have_text(text[f"tab.{name}"])
        button.click()
        clicks += 1
        expect(page.locator(f"#tab-{name}")).to_be_visible()
        expect(button).to_have_attribute("aria-current", "page")
        assert clicks <= most_clicks, name


def test_a_demos_own_link_opens_it_alone_or_in_the_suite(open_page, app_url):
    page = open_page()
    page.goto(app_url + "?tab=summarization")
    expect(page.locator("#tab-summarization")).to_be_visible()
    expect(page.locator("#nav-summarization")).to_have_attribute("aria-current", "page")
    open_tab(page, "object-detection")
    expect(page).to_have_url(re.compile(r"[?&]tab=object-detection"))  # the address is the demo's link
    page.goto(app_url + "?tab=tts&embed=1")  # for a page or a Space that embeds one demo
    expect(page.locator("#tab-tts")).to_be_visible()
    expect(page.locator("#demo-nav")).to_be_hidden()
    expect(page.locator("#suite-header")).to_be_hidden()


def test_share_gives_a_link_that_opens_the_demo_with_its_result(open_page):
    page = open_page()
    panel = open_tab(page, "text-classification")
    panel.get_by_role("textbox").first.fill("What a wonderful afternoon")
    panel.get_by_role("button", name="Run", exact=True).click()
    status = panel.locator(".status-line").first
    expect(status).to_contain_text(" on cpu")
    page.locator("#share-button").click()
    box = page.locator("#share-link").get_by_role("textbox")
    expect(box).to_have_value(re.compile(r"deep_link="))
    link = box.input_value()
    assert "tab=text-classification" in link
    other = open_page()  # someone else, in a browser of their own
    other.goto(link)
    restored = other.locator("#tab-text-classification")
    expect(restored).to_be_visible()
    expect(restored.get_by_role("textbox").first).to_have_value("What a wonderful afternoon")
    expect(restored.locator(".status-line").first).to_have_text(status.inner_text())


def test_speak_it_back_opens_the_speech_tab_at_its_transcript(open_page):
    page = open_page("en-US", PHONE)
    panel = open_tab(page, "tts")
    panel.get_by_label("Text", exact=True).first.fill("Hello there")
    panel.get_by_role("button", name="Speak", exact=True).click()
    expect(panel.locator(".status-line").first).to_contain_text(" on cpu")
    panel.get_by_role("button", name=re.compile("^Speak it back")).click()
    speech = page.locator("#tab-asr")
    expect(speech).to_be_visible()
    expect(page.locator("#nav-asr")).to_have_attribute("aria-current", "page")
    expect(page).to_have_url(re.compile(r"[?&]tab=asr"))
    expect(speech.locator(".status-line").first).to_contain_text(" on cpu")
    transcript = speech.locator("textarea").first
    page.wait_for_function(TOP_ON_SCREEN, arg=transcript.element_handle())  # in view


# --- a phone: the output in view, plots readable ----------------------------------------------------------------

def test_on_a_phone_the_output_comes_into_view_when_run_is_pressed(open_page):
    page = open_page("en-US", PHONE)
    panel = open_tab(page, "summarization")
    panel.get_by_label("Text", exact=True).fill("The committee met on Monday to discuss the budget. " * 20)
    summary = panel.get_by_label("Summary", exact=True)
    button = panel.get_by_role("button", name="Summarize", exact=True)
    button.evaluate("(element) => element.scrollIntoView({block: 'end'})")
    assert not summary.evaluate(TOP_ON_SCREEN)  # below the inputs, out of sight
    button.click()
    page.wait_for_function(TOP_ON_SCREEN, arg=summary.element_handle())
    expect(panel.locator(".status-line").first).to_contain_text(" on cpu")
    keep_screenshot(page, "en-phone")


def test_the_attention_heatmap_is_readable_on_a_phone(open_page):
    page = open_page("en-US", PHONE)
    panel = open_tab(page, "attention")
    panel.get_by_label("Sentence", exact=True).fill("The cat sat on the mat because it was tired.")
    panel.get_by_role("button", name="Run", exact=True).click()
    expect(panel.locator(".status-line").first).to_contain_text(" on cpu")
    heatmap = panel.locator(".block", has=page.get_by_text("Attention weights", exact=True)).first
    image = heatmap.locator("img").first
    expect(image).to_be_visible()
    page.wait_for_function(TOP_ON_SCREEN, arg=heatmap.element_handle())  # Run brought it in view
    image.evaluate("(element) => element.decode()")
    # drawn at its own size (the tick labels are 9 pt at 100 dpi, 12.5 px), not shrunk to the phone's width
    assert image.evaluate("(img) => img.getBoundingClientRect().width / img.naturalWidth") >= 0.95
    badge = heatmap.locator("[data-testid=block-label]").first  # gradio's label: above the figure, not on its title
    expect(badge).to_have_text("Attention weights")
    assert badge.bounding_box()["y"] + badge.bounding_box()["height"] <= image.bounding_box()["y"] + 1
