"""The Chinese text of this tab (English text -> Chinese), collected by ``demos/ui/i18n_ui.py``."""

# its controls: labels, hints, placeholders, buttons, the introduction
UI_ZH = {
    "Speech to text: record or upload speech (wav, flac, ogg, mp3; any sample rate), get the transcript with timed "
    "segments. Up to 10 min 0 s per recording; long ones are transcribed in pieces.":
        "语音转文字：录音或上传语音（wav、flac、ogg、mp3；任意采样率），得到带时间分段的文字稿。"
        "每段录音最长 10 分钟；较长的录音分段转写。",
    "Speech": "语音",
    "Task": "任务",
    "Timestamps (segment times from the model)": "时间戳（模型给出的分段时间）",
    "Transcribe": "转写",
    "Transcript": "文字稿",
    "Downloads (.srt subtitles, .txt)": "下载（.srt 字幕、.txt）",
    "Segments (seconds)": "分段（秒）",
}

# the visible names of its dropdown and radio choices
CHOICES_ZH = {
    "Transcribe": "转写", "Translate to English": "翻译成英文", "Auto-detect": "自动检测",
}

# its messages (errors, warnings, progress): (English pattern, Chinese), matched whole
MESSAGES_ZH = [
    (r"(?P<model>.+?) only transcribes\. Pick a Whisper model to translate to English\.",
     "{model} 只能转写。要翻译成英文，请选择一个 Whisper 模型。"),
    (r"Transcribing piece (?P<a>\d+) of (?P<b>\d+)…", "正在转写第 {a} 段（共 {b} 段）……"),
]

# the segments of its status line: (English pattern, Chinese), matched whole
SEGMENTS_ZH = [
    (r"(?P<duration>.+?) of audio in (?P<n>\d+) pieces?", "{duration} 音频，分 {n} 段"),
    (r"this model gives no timestamps: segment times are the pieces' bounds", "该模型不给时间戳：分段时间取各段的边界"),
    (r"no speech was recognized", "没有识别出语音"),
]
