"""The UI in English and Chinese (header, tab titles, every control), chosen by the browser's language."""

from __future__ import annotations


import httpx
import pytest

from demos import load_demos
from demos.ui import i18n
from models.registry.tasks import TASKS
from tests.browser import chromium


def test_both_languages_translate_every_key_and_every_tab():
    assert set(i18n.EN) == set(i18n.ZH)
    for row, demo in zip(TASKS, load_demos()):
        assert demo.TAB is row
        assert i18n.EN[f"tab.{row.name}"] == row.title
        assert i18n.ZH[f"tab.{row.name}"] == row.title_zh and row.title_zh != row.title


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
    """A new label, hint, placeholder, button or tab introduction needs its line in demos/ui/i18n_ui.py."""
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


def test_the_running_app_serves_both_languages_and_the_browser_picks_one(suite_url):
    config = httpx.get(suite_url + "config", timeout=30).json()
    assert config["i18n_translations"]["zh"]["tab.chat"] == "对话"
    assert config["i18n_translations"]["en"]["tab.chat"] == "Chat"
    # the API keeps plain English labels (gradio_client and MCP name parameters and results by them)
    info = httpx.get(suite_url + "gradio_api/info", timeout=30).json()["named_endpoints"]["/classify_text"]
    assert [p["label"] for p in info["parameters"]] == ["Text", "Model"]
    assert [r["label"] for r in info["returns"]][0] == "Labels"
    sync_api = pytest.importorskip("playwright.sync_api")
    with chromium() as browser:
        for locale, chat, run in (("zh-CN", "对话", "运行"), ("en-US", "Chat", "Run")):
            page = browser.new_page(locale=locale)
            page.goto(suite_url)
            sync_api.expect(page.locator("#nav-chat")).to_have_text(chat)
            sync_api.expect(page.get_by_role("button", name=run, exact=True)).to_be_visible()
            page.close()


# --- what the handlers send back, and the text built at run time -----------------------------------------------

class ChineseBrowser:
    headers = {"accept-language": "zh-CN,zh;q=0.9,en;q=0.8"}


def run_as(request, fn, *args):
    """Call a handler as gradio does, for the browser that sent ``request``."""
    from gradio.context import LocalContext

    token = LocalContext.request.set(request)
    try:
        return fn(*args)
    finally:
        LocalContext.request.reset(token)


def test_an_example_click_sends_translation_keys_not_english_labels():
    """gr.Examples keeps its inputs' props as built (English) and sends them with every click: the page showed
    "Text" and "From" instead of 文本 and 源语言 after an example click."""
    import gradio as gr

    with gr.Blocks() as blocks:
        text = gr.Textbox(label="Text")
        length = gr.Radio(["short", "long"], value="short", label="Summary length")
        columns = gr.Dropdown([], label="Text column", allow_custom_value=True)  # a CSV's columns, filled later
        gr.Examples([["hello", "long", "short"]], inputs=[text, length, columns])
    i18n.translate_controls(blocks)
    load_example = next(fn.fn for fn in blocks.fns.values() if fn.name == "load_example")
    for request in (None, ChineseBrowser()):
        updates = run_as(request, load_example, (0, ["hello", "long", "short"]))
        labels = [getattr(update["label"], "key", update["label"]) for update in updates]
        assert labels == [i18n.control_key("Text"), i18n.control_key("Summary length"),
                          i18n.control_key("Text column")]
        assert [getattr(name, "key", name) for name, _ in updates[1]["choices"]] == [
            i18n.control_key("short"), i18n.control_key("long")]
    # choices sent to a dropdown built without known names stay as they are (a CSV column named "short")
    from demos.ui.i18n_events import localized_value

    assert localized_value(gr.update(choices=["text", "short"]), columns, "zh")["choices"] == ["text", "short"]
    assert localized_value(gr.update(choices=["long"]), length, "zh")["choices"][0][0].key == i18n.control_key("long")
    # the examples table: its heading translated, its headers and value names in Chinese on a Chinese page load
    dataset = next(block for block in blocks.blocks.values() if isinstance(block, gr.Dataset))
    assert dataset.label.key == i18n.control_key("Examples")
    chinese_page = next(fn.fn for fn in blocks.fns.values() if fn.name == "chinese_page")
    update = chinese_page(ChineseBrowser())[0]
    assert update["headers"] == ["文本", "摘要长度", "文本列"]
    assert update["component_props"][1]["choices"] == [("短", "short"), ("长", "long")]


def test_status_errors_and_progress_are_chinese_for_a_chinese_browser_only():
    import gradio as gr

    from demos.ui.common import check_text

    shown = []

    class Progress(gr.Progress):
        def __call__(self, progress, desc=None, **kwargs):
            shown.append(desc)

    with gr.Blocks() as blocks:
        text = gr.Textbox(label="Text")
        status = gr.Markdown(elem_classes=["status-line"])

        def run(value: str, progress=gr.Progress()):
            progress(0, desc="Loading tiny-bert (first use: downloading if needed)…")
            check_text(value, "Text", 100)
            return "**tiny-bert** on cpu (torch.float32) · inference 12 ms · 2 entities"

        gr.Button("Run").click(run, text, status)
    i18n.translate_controls(blocks)
    handler = next(fn.fn for fn in blocks.fns.values() if fn.name == "run")
    assert run_as(ChineseBrowser(), handler, "你好", Progress()) == "**tiny-bert** 运行于 cpu (torch.float32) · 推理 12 毫秒 · 2 个实体"
    assert shown == ["正在加载 tiny-bert（首次使用：需要时下载）……"]
    with pytest.raises(gr.Error) as error:
        run_as(ChineseBrowser(), handler, "  ", Progress())
    assert (error.value.message, error.value.title) == ("文本为空：请输入或粘贴一些文本。", "错误")
    # English (and API callers, which send no language) get the text as written
    assert run_as(None, handler, "hi", Progress()).endswith("inference 12 ms · 2 entities")
    with pytest.raises(gr.Error, match="Text is empty"):
        run_as(None, handler, "", Progress())


def test_run_time_text_keeps_names_numbers_and_what_it_does_not_know():
    from demos.ui.common import TINY_NOTE
    from demos.ui.i18n_messages import to_chinese

    card = (f"<small>**{TINY_NOTE}**, standing in for: **multilingual-sentiment** · apache-2.0 · "
            "*loads on first use*</small>")
    assert to_chinese(card) == ("<small>**tiny 模型：随机权重，输出没有意义**，代替：**multilingual-sentiment** · "
                                "apache-2.0 · *首次使用时加载*</small>")
    assert to_chinese("**opus-mt** on cuda:0 (torch.float16) · 1.5 s · Chinese → English · done") == \
        "**opus-mt** 运行于 cuda:0 (torch.float16) · 1.5 秒 · 中文 → 英语 · 完成"
    assert to_chinese("⚠️ Seed must be a whole number between 0 and 9, not 'x'.") == \
        "⚠️ 随机种子必须是 0 到 9 之间的整数，而不是 'x'。"
    assert to_chinese("Something new · 3 widgets") == "Something new · 3 widgets"


def test_the_language_is_the_browsers_first_choice():
    from demos.ui.i18n_events import request_language

    class Browser:
        def __init__(self, accept: str):
            self.headers = {"accept-language": accept}

    assert request_language(ChineseBrowser()) == "zh" and request_language(Browser("zh-TW")) == "zh"
    assert request_language(Browser("en-US,zh;q=0.5")) == "en" and request_language(Browser("")) == "en"
    assert request_language(None) == "en"  # outside a request (a direct call)
