"""The Chinese text of this tab (English text -> Chinese), collected by ``demos/ui/i18n_ui.py``."""

# its controls: labels, hints, placeholders, buttons, the introduction
UI_ZH = {
    "Ask a question about a text: the model points at the span of the text that answers it.":
        "就一段文本提问：模型指出文本中回答问题的那一段。",
    "Context": "上下文",
    "Paste the text that holds the answer…": "粘贴包含答案的文本……",
    "Question": "问题",
    "Ask something the context answers…": "提一个上下文能回答的问题……",
    "Answer": "答案",
    "Answer in context": "答案在上下文中的位置",
    "Answers": "答案数",
    "how many answers to list, best first, each with its score": "列出几个答案：最好的在前，各附得分",
}

# its messages (errors, warnings, progress): (English pattern, Chinese), matched whole
MESSAGES_ZH = [
    (r"The question is too long \((?P<n>\d+) tokens\); keep it under (?P<m>\d+) tokens\.",
     "问题太长（{n} 个词元）；请保持在 {m} 个词元以内。"),
]

# the segments of its status line: (English pattern, Chinese), matched whole
SEGMENTS_ZH = [
    (r"no-answer score (?P<s>-?[\d.]+)", "无答案得分 {s}"),
    (r"score (?P<s>-?[\d.]+)", "得分 {s}"),
    (r"context read in (?P<n>\d+) overlapping windows", "上下文分 {n} 个重叠窗口读取"),
]
