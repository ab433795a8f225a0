"""The built-in sample set: short English and Chinese sentences on three topics, built from templates.

Deterministic (no randomness): every server and every test sees the same 300 rows. The topics are told
apart by their words, so even a small model learns them in a few epochs.
"""

from __future__ import annotations

from itertools import product

LABELS = ("sports", "food", "technology")

# per topic and language: templates with one "{}" and the words that fill it (5 x 10 = 50 rows each)
_TEMPLATES = {
    ("sports", "en"): (
        ["The {} match ended in a draw after extra time.", "Our team trained for {} all week.",
         "She won the {} final in straight sets.", "Fans cheered as the {} season began.",
         "The coach picked a new captain for {}."],
        ["football", "tennis", "basketball", "hockey", "cricket", "rugby", "volleyball", "baseball",
         "badminton", "golf"],
    ),
    ("food", "en"): (
        ["This {} tastes sweet and fresh.", "I cooked {} for dinner with garlic.",
         "The restaurant serves the best {} in town.", "Add a little salt to the {} before baking.",
         "We had {} and tea for breakfast."],
        ["bread", "noodles", "soup", "rice", "cake", "pizza", "dumplings", "salad", "pasta", "fish"],
    ),
    ("technology", "en"): (
        ["The new {} runs much faster than the old one.", "Update the {} software before Friday.",
         "Engineers fixed a bug in the {} driver.", "This {} needs more memory to train the model.",
         "The company released a cheaper {} this year."],
        ["laptop", "phone", "server", "tablet", "router", "camera", "chip", "robot", "database", "browser"],
    ),
    ("sports", "zh"): (
        ["这场{}比赛非常激烈。", "我们每天下午练习{}。", "她赢得了{}冠军。", "球迷们在看{}决赛。",
         "教练为{}队选了新队长。"],
        ["足球", "网球", "篮球", "排球", "乒乓球", "羽毛球", "棒球", "冰球", "橄榄球", "高尔夫"],
    ),
    ("food", "zh"): (
        ["这道{}又香又甜。", "晚饭我做了{}。", "这家餐厅的{}最好吃。", "妈妈在厨房里煮{}。",
         "早餐我们吃了{}和豆浆。"],
        ["饺子", "面条", "米饭", "包子", "蛋糕", "炒饭", "鱼汤", "馒头", "火锅", "月饼"],
    ),
    ("technology", "zh"): (
        ["新的{}运行速度更快。", "请在周五前更新{}软件。", "工程师修复了{}的程序错误。",
         "这台{}需要更多内存。", "公司今年发布了新款{}。"],
        ["电脑", "手机", "服务器", "平板", "路由器", "相机", "芯片", "机器人", "数据库", "浏览器"],
    ),
}


def sample_rows() -> list[tuple[str, str]]:
    """(text, label) rows, the topics interleaved so any prefix holds all three."""
    by_topic = {label: [] for label in LABELS}
    for (label, _language), (templates, words) in _TEMPLATES.items():
        by_topic[label] += [template.format(word) for word, template in product(words, templates)]
    rows = []
    for group in zip(*(by_topic[label] for label in LABELS)):
        rows += list(zip(group, LABELS))
    return rows


def sample_csv() -> str:
    """The sample set as CSV text (text,label), as a user would upload it."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["text", "label"])
    writer.writerows(sample_rows())
    return out.getvalue()
