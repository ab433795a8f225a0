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
