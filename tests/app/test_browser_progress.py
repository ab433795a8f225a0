"""Long work as a person sees it in a real browser (Debian's chromium, driven by Playwright) on the tiny app:
image generation shows previews while it paints, Stop ends it and says where, the progress bar never goes
back, and "Reuse seed" paints the same picture again."""

from __future__ import annotations


import pytest

from tests.hooks import HELD_AT_STEP, HELD_STEPS
from tests.browser import chromium, needs_chromium, run_and_wait
from tests.server import running_app

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python (requirements-dev.txt)")
expect = sync_api.expect
pytestmark = needs_chromium

# every value the page's progress bars take (aria-valuenow, 0-100), in the order they appear
RECORD_PROGRESS = """() => {
    window.progressSeen = [];
    const read = () => document.querySelectorAll('[role=progressbar][aria-valuenow]').forEach(bar => {
        const value = Number(bar.getAttribute('aria-valuenow'));
        const seen = window.progressSeen;
        if (!seen.length || seen[seen.length - 1] !== value) seen.push(value);
    });
    new MutationObserver(read).observe(document.body, {subtree: true, childList: true, attributes: true,
                                                       attributeFilter: ['aria-valuenow']});
}"""


@pytest.fixture(scope="module")
def page():
    with running_app("--demos", "image-generation", hooks=["hold-long-generations"]) as url:
        with chromium() as browser:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(url)
            yield page


def set_number(page, label: str, value) -> None:
    box = page.get_by_label(f"number input for {label}", exact=True)
    box.fill(str(value))
    box.press("Enter")


def test_stop_ends_a_generation_at_its_preview_and_the_bar_never_goes_back(page):
    status = page.locator(".status-line").first
    gallery = page.locator(".generated-images").first
    page.get_by_label("Prompt (English)").fill("a lighthouse at dawn")
    set_number(page, "Steps", HELD_STEPS)  # held after step HELD_AT_STEP until stopped (tests.hooks)
    page.evaluate(RECORD_PROGRESS)
    page.get_by_role("button", name="Generate", exact=True).click()
    expect(status).to_contain_text(f"step {HELD_AT_STEP} of {HELD_STEPS}: preview")
    expect(page.get_by_text(f"preview · step {HELD_AT_STEP}/{HELD_STEPS}").first).to_be_visible()
    expect(gallery.locator("img").first).to_be_visible()
    page.get_by_role("button", name="Stop", exact=True).click()
    expect(status).to_contain_text(f"stopped after step {HELD_AT_STEP} of {HELD_STEPS}")
    expect(gallery.locator("img").first).to_be_visible()  # the last preview stays
    seen = page.evaluate("window.progressSeen")
    assert seen and all(a <= b for a, b in zip(seen, seen[1:])), seen
    assert max(seen) == pytest.approx(100 * HELD_AT_STEP / HELD_STEPS), seen


def test_reuse_seed_puts_the_seed_back_and_paints_the_same_image(page):
    status = page.locator(".status-line").first
    generate = page.get_by_role("button", name="Generate", exact=True)
    page.get_by_label("Prompt (English)").fill("a red fox")
    set_number(page, "Steps", 1)
    run_and_wait(page, page.locator("body"), generate)  # the status line may still tell of the last test's run
    expect(status).to_contain_text(" on cpu")
    used = page.get_by_label("Seed used (image i: seed + i)")
    expect(used).not_to_have_value("")
    seed = used.input_value()
    randomize = page.get_by_label("Randomize seed")
    expect(randomize).to_be_checked()
    page.get_by_role("button", name="♻️ Reuse seed").click()
    expect(page.get_by_label("Seed", exact=True)).to_have_value(seed)
    expect(randomize).not_to_be_checked()
    run_and_wait(page, page.locator("body"), generate)  # again, with the seed put back
    expect(status).to_contain_text(" on cpu")
    expect(used).to_have_value(seed)
