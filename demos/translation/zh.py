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

# its messages (errors, warnings, progress): (English pattern, Chinese), matched whole
MESSAGES_ZH = [
    (r"(?P<lang_a>[A-Z][a-z]+) → (?P<lang_b>[A-Za-z]+) is not available with this model; pick the languages by hand\.",
     "这个模型不支持 {lang_a} → {lang_b}；请手动选择语言。"),
]

# the segments of its status line: (English pattern, Chinese), matched whole
SEGMENTS_ZH = [
    (r"translating", "正在翻译"),
    (r"translating sentences (?P<a>\d+)-(?P<b>\d+) of (?P<n>\d+)", "正在翻译第 {a}-{b} 句（共 {n} 句）"),
]
