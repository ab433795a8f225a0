"""The UI in English and Chinese (header, tab titles, every control), chosen by the browser's language."""

from __future__ import annotations

import shutil

import httpx
import pytest

from demos import DEMO_MODULES, i18n, load_demos
from tests.server import running_app


def test_both_languages_translate_every_key_and_every_tab():
    assert set(i18n.EN) == set(i18n.ZH)
    for name, demo in zip(DEMO_MODULES, load_demos()):
        assert i18n.EN[f"tab.{name}"] == demo.TITLE
        assert i18n.ZH[f"tab.{name}"] and i18n.ZH[f"tab.{name}"] != demo.TITLE


def untranslated_controls(blocks) -> list[str]:
    left = []
    for block in blocks.blocks.values():
        names = i18n.TRANSLATED_PROPS + (("value",) if type(block).__name__ in i18n.TRANSLATED_VALUES else ())
        for name in names:
            text = getattr(block, name, None)
            # model descriptions (<small>...) change with the chosen model and are not translated
            if isinstance(text, str) and text.strip() and not text.startswith(("<small>", "__i18n__")):
                left.append(f"{type(block).__name__}.{name}: {text!r}")
    return left


def test_every_control_of_every_tab_has_its_chinese_text():
    """A new label, hint, placeholder, button or tab introduction needs its line in demos/i18n_ui.py."""
    import app

    blocks = app.build_app(app.parse_args(["--profile", "tiny"]))
    assert untranslated_controls(blocks) == []
    assert all(chinese.strip() for chinese in i18n.UI_ZH.values())
    assert len({i18n.control_key(english) for english in i18n.UI_ZH}) == len(i18n.UI_ZH)  # no key clash


def test_translate_controls_swaps_known_text_and_leaves_the_rest():
    import gradio as gr

    with gr.Blocks() as blocks:
        known = gr.Textbox(label="Question", placeholder="Ask something the context answers…")
        unknown = gr.Textbox(label="Something new")
        button = gr.Button("Run")
    assert i18n.translate_controls(blocks) == 3
    assert known.label.key == i18n.control_key("Question") and button.value.key == i18n.control_key("Run")
    assert unknown.label == "Something new"
    assert i18n.ZH[known.label.key] == "问题" and i18n.EN[known.label.key] == "Question"


def test_the_running_app_serves_both_languages_and_the_browser_picks_one():
    with running_app("--demos", "text-classification,chat") as url:
        config = httpx.get(url + "config", timeout=30).json()
        assert config["i18n_translations"]["zh"]["tab.chat"] == "对话"
        assert config["i18n_translations"]["en"]["tab.chat"] == "Chat"
        # the API keeps plain English labels (gradio_client and MCP name parameters and results by them)
        info = httpx.get(url + "gradio_api/info", timeout=30).json()["named_endpoints"]["/classify_text"]
        assert [p["label"] for p in info["parameters"]] == ["Text", "Model"]
        assert [r["label"] for r in info["returns"]][0] == "Labels"
        sync_api = pytest.importorskip("playwright.sync_api")
        chromium = shutil.which("chromium")
        if chromium is None:
            pytest.skip("Debian's chromium is not installed")
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            for locale, chat, run in (("zh-CN", "对话", "运行"), ("en-US", "Chat", "Run")):
                page = browser.new_page(locale=locale)
                page.goto(url)
                sync_api.expect(page.locator("#nav-chat")).to_have_text(chat, timeout=30_000)
                sync_api.expect(page.get_by_role("button", name=run, exact=True)).to_be_visible(timeout=30_000)
                page.close()
            browser.close()
