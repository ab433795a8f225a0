"""The Chinese text of this tab (English text -> Chinese), collected by ``demos/ui/i18n_ui.py``."""

# its controls: labels, hints, placeholders, buttons, the introduction
UI_ZH = {
    "Paste or upload a text and get a summary that streams in. Texts longer than the model reads at once are "
    "summarized part by part, then the part summaries are summarized again.":
        "粘贴或上传一段文本，摘要会逐步显示。超过模型一次能读的长度的文本会分段摘要，再把各段摘要合并摘要。",
    "Paste an article, a report, notes…": "粘贴一篇文章、一份报告、一些笔记……",
    "…or upload a .txt file": "……或上传一个 .txt 文件",
    "Summary length": "摘要长度",
    "Beams (seq2seq models)": "束搜索宽度（seq2seq 模型）",
    "more beams: often better, but the summary appears at once, not streamed": "束越多通常越好，但摘要会一次性显示，不逐步输出",
    "Temperature (chat models)": "温度（对话模型）",
    "0 = always the most likely word": "0 = 总是选最可能的词",
    "Summarize": "生成摘要",
    "Summary": "摘要",
    "Part summaries (long texts: each part as it is done, then each round of combining)":
        "分段摘要（长文本：每段完成即显示，然后是每一轮合并）",
}

# the visible names of its dropdown and radio choices
CHOICES_ZH = {
    "short": "短", "medium": "中", "long": "长",
}

# the segments of its status line: (English pattern, Chinese), matched whole
SEGMENTS_ZH = [
    (r"summarizing", "正在摘要"),
    (r"summarizing part (?P<a>\d+) of (?P<b>\d+)", "正在摘要第 {a} 段（共 {b} 段）"),
    (r"combining the part summaries", "正在合并各段摘要"),
    (r"done: part summaries \(too long to combine\)", "完成：各段的摘要（太长，无法合并）"),
    (r"(?P<n>\d+) parts \(map-reduce\)", "{n} 段（先分段摘要再合并）"),
]
