"""The UI's static text in English and Chinese (gradio's i18n: the browser's language picks one).

Translated: the page header, every tab's title, the areas that group them, the share button, and the tabs' controls (labels, hints, placeholders, buttons,
introductions), whose Chinese text lives in ``demos/i18n_ui.py`` keyed by the English text, so a tab's code names
its controls in plain English and needs no change to be translated. Model descriptions, examples, results and
error messages stay in the language they are written in.
"""

from __future__ import annotations

import hashlib

import gradio as gr

from demos.i18n_ui import UI_ZH

EN = {
    "header": "# Transformer demo suite\nThe main applications of Transformer models, one tab each. Models load on "
              "first use and are shared by everyone on this server.",
    "header.tiny": "**Tiny profile**: random-weight twins, outputs are meaningless.",
    "tab.text-classification": "Text classification",
    "tab.ner": "Named entities",
    "tab.qa": "Question answering",
    "tab.summarization": "Summarization",
    "tab.translation": "Translation",
    "tab.chat": "Chat",
    "tab.image-classification": "Image classification",
    "tab.object-detection": "Object detection",
    "tab.image-generation": "Image generation",
    "tab.asr": "Speech recognition",
    "tab.tts": "Text to speech",
    "tab.attention": "Attention explorer",
    "tab.knowledge-graph": "Knowledge graph",
    "tab.fine-tune": "Fine-tune a classifier",
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
    "tab.text-classification": "文本分类",
    "tab.ner": "命名实体识别",
    "tab.qa": "问答",
    "tab.summarization": "文本摘要",
    "tab.translation": "翻译",
    "tab.chat": "对话",
    "tab.image-classification": "图像分类",
    "tab.object-detection": "目标检测",
    "tab.image-generation": "图像生成",
    "tab.asr": "语音识别",
    "tab.tts": "语音合成",
    "tab.attention": "注意力可视化",
    "tab.knowledge-graph": "知识图谱",
    "tab.fine-tune": "微调分类器",
    "area.text": "文本",
    "area.vision": "视觉",
    "area.audio": "音频",
    "area.learn": "学习",
    "nav.share": "分享",
    "nav.link": "此演示及其结果的链接",
}



def control_key(english: str) -> str:
    """A stable key for a control's English text (the frontend reads dots in keys as nesting, so no raw text)."""
    return "ui." + hashlib.sha1(english.encode()).hexdigest()[:12]


for _english, _chinese in UI_ZH.items():
    EN[control_key(_english)] = _english
    ZH[control_key(_english)] = _chinese

I18N = gr.I18n(en=EN, zh=ZH)

TRANSLATED_PROPS = ("label", "info", "placeholder")
TRANSLATED_VALUES = ("Button", "Markdown")  # components whose value is their visible text


class Blocks(gr.Blocks):
    """gr.Blocks whose API description names parameters and results by their English labels: a translated
    label is a translation key, which would otherwise show in the API page, gradio_client and MCP tools."""

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
    """Swap every control text that has a Chinese version for its translatable form; returns how many.
    Called once the tabs are built and before the app launches (gradio reads the props at launch)."""
    swapped = 0
    for block in blocks.blocks.values():
        names = TRANSLATED_PROPS + (("value",) if type(block).__name__ in TRANSLATED_VALUES else ())
        for name in names:
            english = getattr(block, name, None)
            if isinstance(english, str) and english in UI_ZH:
                setattr(block, name, I18N(control_key(english)))
                swapped += 1
    return swapped


def text(key: str):
    """The translatable text for a key (the frontend shows the browser language's version)."""
    return I18N(key)
