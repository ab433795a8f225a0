"""The Chinese text of this tab (English text -> Chinese), collected by ``demos/ui/i18n_ui.py``."""

# its controls: labels, hints, placeholders, buttons, the introduction
UI_ZH = {
    "Find the people, organizations, places and other names in a text.": "找出文本中的人名、机构名、地名和其他专名。",
    "Type or paste a text with names in it…": "输入或粘贴一段含有名称的文本……",
    "Entities": "实体",
    "Entity table (character offsets)": "实体表（字符位置）",
}

# the column headers of its tables
HEADERS_ZH = {
    "entity": "实体",
    "type": "类型",
    "start": "开始",
    "end": "结束",
}

# the segments of its status line: (English pattern, Chinese), matched whole
SEGMENTS_ZH = [
    (r"(?P<n>[\d,]+) entit(y|ies)", "{n} 个实体"),
]
