"""The Chinese text of this tab (English text -> Chinese), collected by ``demos/ui/i18n_ui.py``."""

# its controls: labels, hints, placeholders, buttons, the introduction
UI_ZH = {
    "Turn sentences into facts: (head, relation, tail) triples, drawn as a graph of entities. REBEL writes triples "
    "in its own markup; the chat model is asked for JSON. Either output is read strictly: a malformed one is "
    "reported, not guessed at.":
        "把句子变成事实：（头实体，关系，尾实体）三元组，并画成实体关系图。REBEL 用自己的标记格式输出三元组；"
        "对话模型被要求输出 JSON。两种输出都严格解析：格式错误会被报告，而不是猜测。",
    "A few sentences about people, places, companies…": "几句关于人物、地点、公司的话……",
    "Triples": "三元组",
    "Graph": "关系图",
    "Raw model output": "模型原始输出",
}

# the column headers of its tables
HEADERS_ZH = {
    "head": "头实体",
    "relation": "关系",
    "tail": "尾实体",
}

# the segments of its status line: (English pattern, Chinese), matched whole
SEGMENTS_ZH = [
    (r"(?P<n>\d+) triples?", "{n} 个三元组"),
]
