"""The UI's static text in English and Chinese (gradio's i18n: the browser's language picks one).

Translated here: the page header and every tab's title. The tabs' own labels stay in English for now.
"""

from __future__ import annotations

import gradio as gr

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
    "tab.fine-tune": "Fine-tune a classifier",
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
    "tab.fine-tune": "微调分类器",
}

I18N = gr.I18n(en=EN, zh=ZH)


def text(key: str):
    """The translatable text for a key (the frontend shows the browser language's version)."""
    return I18N(key)
