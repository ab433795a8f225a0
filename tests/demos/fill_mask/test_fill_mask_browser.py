"""The fill-in-the-blank tab as a person uses it, in chromium: an example, a click on a word that hides it and runs
the model, and a sentence without a blank, in English on a desktop and in Chinese on a phone."""

from __future__ import annotations

import pytest

from demos.ui import i18n
from tests.browser import chromium, keep_screenshot, load_example, needs_chromium

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python (requirements-dev.txt)")
expect = sync_api.expect
pytestmark = needs_chromium

DESKTOP, PHONE = {"width": 1400, "height": 900}, {"width": 390, "height": 844}


@pytest.mark.parametrize("locale, viewport, run, no_blank", [
    ("en-US", DESKTOP, "Run", "The sentence has no blank"),
    ("zh-CN", PHONE, "运行", "句子里没有空白"),
])
def test_a_click_on_a_word_hides_it_and_shows_the_models_guesses(suite_url, locale, viewport, run, no_blank):
    with chromium() as browser:
        page = browser.new_context(locale=locale, viewport=viewport).new_page()
        page.goto(f"{suite_url}?tab=fill-mask")
        panel = page.locator("#tab-fill-mask")
        expect(panel).to_be_visible()
        title = i18n.EN["tab.fill-mask"] if locale == "en-US" else i18n.ZH["tab.fill-mask"]
        expect(page.locator("#nav-fill-mask")).to_have_text(title)
        sentence = panel.locator("textarea").first
        guesses = panel.locator("[data-testid$='-confidence-set']")
        status = panel.locator(".status-line").last

        # an example: its sentence, then Run; the guesses appear, the best one in the sentence
        example = "Paris is the [MASK] of France."
        load_example(page, panel, panel.get_by_text(example, exact=True), [example])
        expect(sentence).to_have_value(example)
        panel.get_by_role("button", name=run, exact=True).click()
        expect(guesses).to_have_count(5)  # the five guesses of the example, with probabilities
        expect(status).to_contain_text("bert-base-uncased")

        # a sentence of one's own: the words appear to click; a click hides that word and runs the model
        sentence.fill("The cat sat on the mat.")
        words = panel.locator("#fill-mask-words")
        expect(words.get_by_text("cat", exact=True)).to_be_visible()
        with page.expect_response(lambda r: "/gradio_api/queue/join" in r.url):
            words.get_by_text("cat", exact=True).click()
        expect(sentence).to_have_value("The [MASK] sat on the mat.")
        expect(guesses).to_have_count(5)
        expect(panel.locator("[data-testid='highlighted-text']").last).not_to_contain_text("[MASK]")
        keep_screenshot(page, f"fill-mask-{locale}")

        # no blank at all: a message that says what to do, in the page's language
        sentence.fill("No blank here.")
        panel.get_by_role("button", name=run, exact=True).click()
        expect(page.get_by_text(no_blank).first).to_be_visible()
        page.close()
