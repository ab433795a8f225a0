"""The Chinese text of the tabs' controls: labels, hints, placeholders, buttons and tab introductions.

What several tabs share is here; what one tab alone shows is in its task folder (``demos/<task>/zh.py``: ``UI_ZH``,
``CHOICES_ZH``, ``HEADERS_ZH``), and is added to the tables below for every row of the task table.
"""

from __future__ import annotations

import importlib
import importlib.util

from models.registry.tasks import TASKS

# English text of a control -> its Chinese version. Keyed by the English text, so a tab needs no change to be
# translated; text built from settings (limits) is translated only for the default settings.
UI_ZH = {
    # shared by several tabs
    "Model": "模型",
    "Text": "文本",
    "Run": "运行",
    "Stop": "停止",
    "Clear": "清空",
    "Temperature": "温度",
    "0 = greedy": "0 = 贪心解码",
    "Top-p": "Top-p（核采样）",
    "Max new tokens": "最多生成的词元数",
    "Image": "图像",
    "Seed": "随机种子",
    "Language": "语言",
    "Code: do this in a few lines of Python": "代码：用几行 Python 做同样的事",
    "Examples": "示例",
}

# The visible names of dropdown and radio choices (their values, which the handlers and the API take, stay as they
# are). Only controls built with one of these names are translated, so a user's own CSV column "short" stays so.
CHOICES_ZH = {
    # language names (models/text/languages.py, demos/ui/speech_common.py)
    "English": "英语", "Chinese": "中文", "German": "德语", "French": "法语", "Spanish": "西班牙语",
    "Italian": "意大利语", "Portuguese": "葡萄牙语", "Russian": "俄语", "Japanese": "日语", "Korean": "韩语",
    "Arabic": "阿拉伯语", "Hindi": "印地语", "Dutch": "荷兰语", "Polish": "波兰语", "Turkish": "土耳其语",
    "Vietnamese": "越南语", "Indonesian": "印尼语", "Thai": "泰语", "Ukrainian": "乌克兰语", "Swedish": "瑞典语",
    "Czech": "捷克语", "Greek": "希腊语", "Hebrew": "希伯来语", "Persian": "波斯语", "Cantonese": "粤语",
}

# Column headers of the result tables and of the examples tables (the latter name the inputs by their labels).
HEADERS_ZH = {"score": "得分", "text": "文本", "label": "标签"}


def add_task_strings(tables: dict[str, dict[str, str]], strings) -> None:
    """Add a task folder's Chinese text (``strings``: its ``zh`` module) to ``tables``; an English text that two
    places translate differently is an error (one of them would silently win)."""
    for name, table in tables.items():
        for english, chinese in getattr(strings, name, {}).items():
            if table.setdefault(english, chinese) != chinese:
                raise ValueError(f"{strings.__name__}.{name}: {english!r} is already translated as "
                                 f"{table[english]!r}")


def task_strings() -> list:
    """The ``zh`` module of every task folder that has one, in the task table's order."""
    names = [row.module.rpartition(".")[0] + ".zh" for row in TASKS]
    return [importlib.import_module(name) for name in names if importlib.util.find_spec(name) is not None]


for _strings in task_strings():
    add_task_strings({"UI_ZH": UI_ZH, "CHOICES_ZH": CHOICES_ZH, "HEADERS_ZH": HEADERS_ZH}, _strings)
