"""A real browser (Debian's chromium, driven by Playwright) visits every tab of the tiny app, runs its first
example, checks that an output appears, and saves a screenshot per tab (into $SCREENSHOT_DIR if set)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from demos import load_demos
from models.registry.tasks import NAMES
from models.code_snippets import TASKS_WITHOUT_SNIPPETS
from tests.browser import chromium, load_example, needs_chromium, run_and_wait

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python (requirements-dev.txt)")
pytestmark = needs_chromium


def test_every_tab_runs_its_first_example_in_a_browser(tmp_path, suite_url):
    shots = Path(os.environ.get("SCREENSHOT_DIR", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    demos = dict(zip(NAMES, load_demos()))
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1920, "height": 1000})
        page.goto(suite_url)
        for name, demo in demos.items():
            page.locator(f"#nav-{name}").click()  # the demo's button in the navigation (by area)
            panel = page.locator(f"#tab-{name}")
            sync_api.expect(panel).to_be_visible()
            # one-input examples are buttons, several-input examples table rows
            examples = panel.locator("button.gallery-item, tr.tr-body")
            # the example's values in the inputs before Run (on a busy machine they land seconds after the click)
            load_example(page, panel, examples.first, demo.EXAMPLES[0])
            run_and_wait(page, panel)  # one request at a time, as a user would
            status = panel.locator(".status-line").first
            # the status line names the model and the device once the output is there
            sync_api.expect(status).to_contain_text(" on cpu")
            sync_api.expect(status).not_to_contain_text("Error")
            assert not page.locator(".toast-body").all_inner_texts(), name
            page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
            if demo.TASK in TASKS_WITHOUT_SNIPPETS:
                continue
            # the Code panel shows the script for what just ran: it names this run's input
            panel.get_by_text("Code: do this in a few lines of Python").click()
            first = str(demo.EXAMPLES[0][0])
            shown = Path(first).name if Path(first).is_absolute() else first[:20]  # a file: by its name
            sync_api.expect(panel.locator(".cm-content").first).to_contain_text(shown)
    assert sorted(path.stem for path in shots.glob("*.png")) >= sorted(NAMES)
