"""The Chinese text of this tab (English text -> Chinese), collected by ``demos/ui/i18n_ui.py``."""

# its controls: labels, hints, placeholders, buttons, the introduction
UI_ZH = {
    "Is a text positive or negative? The model gives a probability for each label.":
        "这段文字是正面还是负面？模型给出每个标签的概率。",
    "Type or paste a review, a tweet, a sentence…": "输入或粘贴一条评论、一条推文、一句话……",
    "Labels": "标签",
}

# its messages (errors, warnings, progress): (English pattern, Chinese), matched whole
MESSAGES_ZH = [
    (r"The text is (?P<n>[\d,]+) tokens long; this model reads at most (?P<m>[\d,]+), so only the beginning was "
     r"classified\.", "文本有 {n} 个词元；这个模型最多读取 {m} 个，所以只对开头部分做了分类。"),
]
