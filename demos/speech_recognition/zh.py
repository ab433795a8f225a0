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
