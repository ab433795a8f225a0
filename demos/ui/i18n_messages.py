"""Chinese for the text the tabs build while they run: status lines, model cards, progress, errors, warnings.

What one tab alone says is in its task folder (``demos/<task>/zh.py``: ``MESSAGES_ZH``, ``SEGMENTS_ZH``), matched
after what the tabs share. Such text has numbers and names in it, so it is matched, not looked up: a status line is segments joined by
" · " (lines by "  \\n"), each segment matched whole against ``SEGMENTS`` and then ``MESSAGES``, whose named groups
are kept as they are (model names, numbers, code), except the groups whose names say they are a field label,
a language or a duration, which are translated too. A text the catalog does not know stays as it is.
"""

from __future__ import annotations

import re

from demos.ui.i18n_ui import CHOICES_ZH, UI_ZH, task_strings

# whole messages: errors, warnings, notes, progress descriptions
_MESSAGES = [
    # demos/ui/common.py: input checks
    (r"(?P<field>.+?) is missing: type or paste some text\.", "{field}缺失：请输入或粘贴一些文本。"),
    (r"(?P<field>.+?) is empty: type or paste some text\.", "{field}为空：请输入或粘贴一些文本。"),
    (r"(?P<field>.+?) is (?P<n>[\d,]+) characters long; the limit is (?P<limit>[\d,]+)\. Shorten it and try again\.",
     "{field}有 {n} 个字符，上限是 {limit}。请缩短后再试。"),
    (r"(?P<field>.+?) looks like binary data, not text \((?P<n>\d+) control or invalid characters\)\. "
     r"Paste plain text\.", "{field}看起来是二进制数据，不是文本（{n} 个控制字符或无效字符）。请粘贴纯文本。"),
    (r"(?P<field>.+?) holds no readable characters: type or paste some text\.",
     "{field}没有可读的字符：请输入或粘贴一些文本。"),
    (r"(?P<field>.+?) must be a whole number between (?P<low>\S+) and (?P<high>\S+), not (?P<got>.+)\.",
     "{field}必须是 {low} 到 {high} 之间的整数，而不是 {got}。"),
    (r"(?P<field>.+?) must be a number between (?P<low>\S+) and (?P<high>\S+), not (?P<got>.+)\.",
     "{field}必须是 {low} 到 {high} 之间的数字，而不是 {got}。"),
    (r"(?P<field>.+?) is (?P<n>-?\d+); it must be a multiple of (?P<m>\d+) \(e\.g\. (?P<eg>-?\d+)\)\.",
     "{field}是 {n}；它必须是 {m} 的倍数（例如 {eg}）。"),
    (r"(?P<field>.+?) (?P<got>'.*'|\S+) is not available here\. Choose one of: (?P<allowed>.+)\.",
     "{field} {got} 在这里不可用。请从以下选项中选择：{allowed}。"),
    (r"Unknown model (?P<got>.+) for this tab\. Choose one of: (?P<allowed>.+)\.",
     "本标签页没有模型 {got}。请从以下模型中选择：{allowed}。"),
    # demos/ui/common.py: loading and running a model
    (r"(?P<model>.+?) could not be loaded: (?P<reason>.+)\. The operator of this server has been told\. "
     r"Select Run to try again; the other tabs keep working\.",
     "{model} 无法加载：{reason}。已通知本服务器的管理员。选择“运行”可重试；其他标签页照常工作。"),
    (r"(?P<model>.+?) ran out of memory on this input\. .*", "{model} 处理这个输入时内存不足。请减小尺寸或长度"
     "（图像大小、图像数量、最多生成的词元数、文本或音频长度）后再试；应用仍在正常服务。"),
    (r"(?P<model>.+?) failed on this input \((?P<kind>\w+)\)\. Try a shorter or simpler input; the app keeps serving\.",
     "{model} 处理这个输入时失败（{kind}）。请换一个更短或更简单的输入；应用仍在正常服务。"),
    (r"Loading (?P<model>.+) \(first use: downloading if needed\)…", "正在加载 {model}（首次使用：需要时下载）……"),
    (r"Running (?P<model>.+)…", "正在运行 {model}……"),
    # demos/server/access.py
    (r"Too many requests: this tab allows (?P<n>\d+) per minute per user\. Try again in (?P<s>\d+) s; "
     r"the other tabs are not affected\.", "请求太多：本标签页每个用户每分钟最多 {n} 次。请 {s} 秒后再试；其他标签页不受影响。"),
    (r"Sign in first: .*", "请先登录：本服务器要求每位用户用 Hugging Face 登录（页面顶部的“Sign in”按钮）。"),
    # vision tabs
    (r"No image: upload a photo, paste one, or take one with the webcam\.", "没有图像：请上传、粘贴或用摄像头拍一张照片。"),
    (r"This file is not an image that can be read\. Upload a (?P<formats>.+) image\.",
     "这个文件不是可以读取的图像。请上传 {formats} 格式的图像。"),
    # speech tabs
    (r"No audio: record with the microphone or upload a file \((?P<formats>.+)\)\.",
     "没有音频：请用麦克风录音或上传文件（{formats}）。"),
    (r"No speech was found: the recording is silent\.", "没有发现语音：录音是静音的。"),
    (r"No speech was found: the (?P<duration>.+) recording is silent\. Record again closer to the microphone, "
     r"or upload another file\.", "没有发现语音：这段 {duration} 的录音是静音的。请靠近麦克风重新录音，或上传另一个文件。"),
]

# one segment of a status line or a model card
_SEGMENTS = [
    (r"(?P<model>\*\*[^*]+\*\*) on (?P<device>\S+ \(\S+\))", "{model} 运行于 {device}"),
    (r"Tiny twin: random weights, its outputs mean nothing", "tiny 模型：随机权重，输出没有意义"),
    (r"\*\*(?P<segment>[^*]+)\*\*, standing in for: (?P<rest>.*)", "**{segment}**，代替：{rest}"),
    (r"loaded in (?P<s>[\d.]+) s \(first use\)", "加载用时 {s} 秒（首次使用）"),
    (r"inference (?P<ms>[\d,]+) ms", "推理 {ms} 毫秒"),
    (r"(?P<s>\d+(\.\d+)?) s", "{s} 秒"),
    (r"loads on first use", "首次使用时加载"),
    (r"loaded", "已加载"),
    (r"last load failed: select Run to retry", "上次加载失败：选择“运行”可重试"),
    (r"stopped", "已停止"),
    (r"done", "完成"),
    (r"thinking…", "思考中……"),
    (r"(?P<lang_a>[A-Z][a-z]+|auto-detected) → (?P<lang_b>[A-Z][a-z]+)", "{lang_a} → {lang_b}"),
    (r"(?P<n>\d+) tokens", "{n} 个词元"),
    (r"image (?P<notes>.+)", "图像{notes}"),
]

_IMAGE_NOTES = [
    (r"rotated upright \(EXIF orientation\)", "已按 EXIF 方向转正"),
    (r"converted from (?P<mode>\S+) to RGB", "已从 {mode} 转为 RGB"),
    (r"downscaled from (?P<a>\S+) to (?P<b>\S+)", "已从 {a} 缩小到 {b}"),
]

TITLES_ZH = {"Error": "错误", "Warning": "警告", "Info": "提示", "Success": "成功"}


def _compile(table: list[tuple[str, str]]) -> list[tuple[re.Pattern, str]]:
    return [(re.compile(pattern, re.DOTALL), chinese) for pattern, chinese in table]


def _with_task_tables(name: str, shared: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``shared`` followed by the patterns of the same name in every task folder's ``zh.py`` (a task's own status
    segments and messages live with the task)."""
    return shared + [entry for strings in task_strings() for entry in getattr(strings, name, [])]


MESSAGES = _compile(_with_task_tables("MESSAGES_ZH", _MESSAGES))
SEGMENTS = _compile(_with_task_tables("SEGMENTS_ZH", _SEGMENTS))
IMAGE_NOTES = _compile(_IMAGE_NOTES)
_MARKS = (("⚠️ ", ""), ("**", "**"), ("*", "*"))  # marks around a segment that stay as they are
_DURATION = re.compile(r"(\d+) min (\d+) s|(\d+) s")


def _group(name: str, value: str) -> str:
    """A matched group as the Chinese text shows it: labels, languages and durations translated, the rest kept."""
    if value is None:
        return ""
    if name == "field":
        return UI_ZH.get(value, value)
    if name.startswith("lang"):
        return "自动检测" if value == "auto-detected" else CHOICES_ZH.get(value, value)
    if name == "duration":
        return _DURATION.sub(lambda m: f"{m[1]} 分 {m[2]} 秒" if m[1] else f"{m[3]} 秒", value)
    if name == "notes":  # what was done to an image before the model saw it
        return "；".join(_match(note, IMAGE_NOTES) or note for note in value.split("; "))
    if name in ("segment", "rest"):
        return to_chinese(value)
    return value


def _match(text: str, table: list[tuple[re.Pattern, str]]) -> str | None:
    for pattern, chinese in table:
        found = pattern.fullmatch(text)
        if found:
            return chinese.format(**{name: _group(name, value) for name, value in found.groupdict().items()})
    return None


def _piece(text: str) -> str:
    """One segment, with the marks around it (a warning sign, bold, italics) kept."""
    for lead, tail in _MARKS:
        if text.startswith(lead) and text.endswith(tail) and len(text) > len(lead) + len(tail):
            inner = text[len(lead): len(text) - len(tail)]
            chinese = _piece(inner)
            if chinese != inner:
                return lead + chinese + tail
    return _match(text, SEGMENTS) or _match(text, MESSAGES) or text


def to_chinese(text: str) -> str:
    """The Chinese of a text built at run time (see the module's docstring); unknown parts stay as they are."""
    if not isinstance(text, str) or not text.strip():
        return text
    if text.startswith("<small>") and text.endswith("</small>"):  # a model card
        return f"<small>{to_chinese(text[7:-8])}</small>"
    return "  \n".join(" · ".join(_piece(segment) for segment in line.split(" · ")) for line in text.split("  \n"))
