"""The UI's static text in English and Chinese (gradio's i18n: the browser's language picks one).

Translated: the page header, every tab's title, the areas that group them, the share button, and the tabs'
controls (labels, hints, placeholders, buttons, introductions, the names of dropdown and radio choices, the
examples' heading), whose Chinese text lives in
``demos/ui/i18n_ui.py`` keyed by the English text, so a tab's code names its controls in plain English and needs no
change to be translated. These go to the page as translation keys, and the page shows the browser language's text.

What a handler sends back is translated the same way, whoever sends it (``localize_events``): a returned
``gr.update(...)`` or component names its label, hint and choices in English and the page gets the keys (so a
Chinese label stays Chinese after an example click or a model change). Text built at run time (status lines, model
cards, progress, errors, warnings, table headers) is translated on the server for a browser that asks for Chinese
first (``demos/ui/i18n_messages.py``). Model names, model descriptions, examples, results and code stay as they are.
"""

from __future__ import annotations

import functools
import hashlib
from typing import Any

import gradio as gr

from demos.ui.i18n_messages import TITLES_ZH, to_chinese
from demos.ui.i18n_ui import CHOICES_ZH, UI_ZH
from models.registry.tasks import TASKS

EN = {
    "header": "# Transformer demo suite\nThe main applications of Transformer models, one tab each. Models load on "
              "first use and are shared by everyone on this server.",
    "header.tiny": "**Tiny profile**: random-weight twins, outputs are meaningless.",
    "area.text": "Text",
    "area.vision": "Vision",
    "area.audio": "Audio",
    "area.learn": "Learn",
    "nav.share": "Share",
    "nav.link": "Link to this demo and its results",
}

ZH = {
    "header": "# Transformer 应用演示\nTransformer 模型的主要应用，每个标签页一个。模型在第一次使用时加载，"
              "由本服务器上的所有用户共享。",
    "header.tiny": "**tiny 配置**：随机权重的小模型，输出没有意义。",
    "area.text": "文本",
    "area.vision": "视觉",
    "area.audio": "音频",
    "area.learn": "学习",
    "nav.share": "分享",
    "nav.link": "此演示及其结果的链接",
}

for _row in TASKS:  # the tabs' titles come with the task table
    EN[f"tab.{_row.name}"], ZH[f"tab.{_row.name}"] = _row.title, _row.title_zh



def control_key(english: str) -> str:
    """A stable key for a control's English text (the frontend reads dots in keys as nesting, so no raw text)."""
    return "ui." + hashlib.sha1(english.encode()).hexdigest()[:12]


for _english, _chinese in {**UI_ZH, **CHOICES_ZH}.items():
    EN[control_key(_english)] = _english
    ZH[control_key(_english)] = _chinese

I18N = gr.I18n(en=EN, zh=ZH)

TRANSLATED_PROPS = ("label", "info", "placeholder")
TRANSLATED_VALUES = ("Button", "Markdown")  # components whose value is their visible text


class Blocks(gr.Blocks):
    """gr.Blocks whose API description names parameters and results by their English labels: a translated
    label is a translation key, which would otherwise show in the API page, gradio_client and MCP tools.
    Its warnings and notices (``gr.Warning``, ``gr.Info``) are in Chinese for a browser that asks for Chinese."""

    def queue(self, *args, **kwargs):
        from demos.ui.i18n_events import request_language  # (it builds on this module)

        blocks = super().queue(*args, **kwargs)
        log_message = self._queue.log_message

        @functools.wraps(log_message)
        def chinese_log_message(*args, **kwargs):
            if request_language() == "zh":
                kwargs = {**kwargs, "log": to_chinese(kwargs.get("log")),
                          "title": TITLES_ZH.get(kwargs.get("title"), kwargs.get("title"))}
            return log_message(*args, **kwargs)

        self._queue.log_message = chinese_log_message
        return blocks

    def get_api_info(self, *args, **kwargs):
        info = super().get_api_info(*args, **kwargs)
        for endpoint in list(info.get("named_endpoints", {}).values()) + list(info.get("unnamed_endpoints",
                                                                                         {}).values()):
            for item in endpoint.get("parameters", []) + endpoint.get("returns", []):
                key = getattr(item.get("label"), "key", None)  # an I18nData; plain labels have no key
                if key in EN:
                    item["label"] = EN[key]
        return info


def translate_controls(blocks) -> int:
    """Swap every control text that has a Chinese version for its translatable form; returns how many. Also
    translates what the handlers send back (``localize_events``) and, on each page load in Chinese, the text the page
    shows without translating it (``localize_page``). Called once the tabs are built and before the app launches
    (gradio reads the props at launch)."""
    swapped = 0
    for block in blocks.blocks.values():
        if isinstance(block, gr.Dataset) and block.label is None:
            block.label = "Examples"  # what the page shows for none, in English only
        names = TRANSLATED_PROPS + (("value",) if type(block).__name__ in TRANSLATED_VALUES else ())
        for name in names:
            english = getattr(block, name, None)
            if isinstance(english, str) and english in UI_ZH:
                setattr(block, name, I18N(control_key(english)))
                if name in block.constructor_args:  # what gradio builds a session's copy of the block from
                    block.constructor_args[name] = getattr(block, name)
                swapped += 1
        choices = getattr(block, "choices", None)
        if isinstance(choices, list) and any(_choice_label(choice) in CHOICES_ZH for choice in choices):
            block.translated_choices = True  # later choices sent to it are translated too (not a CSV's columns)
            block.choices = translate_choices(choices)
            if "choices" in block.constructor_args:
                block.constructor_args["choices"] = block.choices
            swapped += 1
    from demos.ui.i18n_events import localize_events, localize_page  # (it builds on this module)

    localize_events(blocks)
    localize_page(blocks)
    return swapped


def _choice_label(choice) -> Any:
    return choice[0] if isinstance(choice, (tuple, list)) and choice else choice


def translate_choices(choices: list) -> list:
    """(name, value) pairs whose names are translation keys where they have a Chinese version."""
    pairs = [tuple(choice) if isinstance(choice, (tuple, list)) else (str(choice), choice) for choice in choices]
    return [(I18N(control_key(name)) if isinstance(name, str) and name in CHOICES_ZH else name, value)
            for name, value in pairs]


def text(key: str):
    """The translatable text for a key (the frontend shows the browser language's version)."""
    return I18N(key)
