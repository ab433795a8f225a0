"""The Chinese text of this tab (English text -> Chinese), collected by ``demos/ui/i18n_ui.py``."""

# its controls: labels, hints, placeholders, buttons, the introduction
UI_ZH = {
    "Text to speech: type up to 2,000 characters and listen. The same seed gives the same audio.":
        "文字转语音：输入最多 2,000 个字符并收听。相同的种子得到相同的音频。",
    "Type or paste what the voice should say…": "输入或粘贴要朗读的内容……",
    "Voice": "声音",
    "Speed (where the model has it)": "语速（模型支持时）",
    "Speak": "朗读",
    "Speech (WAV)": "语音（WAV）",
    "Speak it back: transcribe this in the Speech recognition tab": "回读：在“语音识别”标签页中转写这段语音",
}

# the visible names of its dropdown and radio choices
CHOICES_ZH = {
    "the model's only voice": "该模型唯一的声音",
}

# its messages (errors, warnings, progress): (English pattern, Chinese), matched whole
MESSAGES_ZH = [
    (r"Speaking sentence (?P<a>\d+) of (?P<b>\d+)…", "正在朗读第 {a} 句（共 {b} 句）……"),
    (r"Nothing to speak back yet: select Speak first\.", "还没有可回读的语音：请先选择“朗读”。"),
    (r"Sent to the Speech recognition tab; its transcript is there\.", "已发送到“语音识别”标签页；文字稿在那里。"),
    (r"Left out characters this voice cannot speak: (?P<chars>.+)", "省略了这个声音读不出的字符：{chars}"),
    (r"(?P<model>.+?) has no speed control: speed (?P<speed>\S+) was ignored", "{model} 不能调节语速：已忽略语速 {speed}"),
    (r"This voice cannot speak any of the text; it reads (?P<symbols>.+)\.", "这个声音读不出这段文本中的任何字符；它能读：{symbols}。"),
]

# the segments of its status line: (English pattern, Chinese), matched whole
SEGMENTS_ZH = [
    (r"(?P<duration>.+?) of audio at (?P<hz>[\d,]+) Hz from (?P<n>\d+) sentences?", "{duration} 音频，{hz} Hz，共 {n} 句"),
    (r"voice (?P<voice>\S+)", "声音 {voice}"),
]
