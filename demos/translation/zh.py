"""The Chinese text of this tab (English text -> Chinese), collected by ``demos/ui/i18n_ui.py``."""

# its controls: labels, hints, placeholders, buttons, the introduction
UI_ZH = {
    "Translate between languages. opus-mt uses one small model per language pair (only pairs that exist are "
    "offered); the many-to-many and chat models take any pair they know. Long texts are translated sentence by "
    "sentence, in batches; paragraph breaks are kept.":
        "在语言之间翻译。opus-mt 每个语言对用一个小模型（只列出存在的语言对）；多对多模型和对话模型支持它们认识的"
        "任意语言对。长文本逐句分批翻译，保留段落。",
    "From": "源语言",
    "To": "目标语言",
    "⇄": "⇄",
    "Type or paste the text to translate…": "输入或粘贴要翻译的文本……",
    "Translate": "翻译",
    "Translation": "译文",
}
