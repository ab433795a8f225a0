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
