"""The UI's header and tab titles in English and Chinese, chosen by the browser's language."""

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


def test_the_running_app_serves_both_languages_and_the_browser_picks_one():
    with running_app("--demos", "text-classification,chat") as url:
        config = httpx.get(url + "config", timeout=30).json()
        assert config["i18n_translations"]["zh"]["tab.chat"] == "对话"
        assert config["i18n_translations"]["en"]["tab.chat"] == "Chat"
        sync_api = pytest.importorskip("playwright.sync_api")
        chromium = shutil.which("chromium")
        if chromium is None:
            pytest.skip("Debian's chromium is not installed")
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            for locale, chat in (("zh-CN", "对话"), ("en-US", "Chat")):
                page = browser.new_page(locale=locale)
                page.goto(url)
                sync_api.expect(page.get_by_role("tab", name=chat, exact=True)).to_be_visible(timeout=30_000)
                page.close()
            browser.close()
