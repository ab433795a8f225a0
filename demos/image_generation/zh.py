"""The Chinese text of this tab (English text -> Chinese), collected by ``demos/ui/i18n_ui.py``."""

# its controls: labels, hints, placeholders, buttons, the introduction
UI_ZH = {
    "Describe a picture and the model paints it. The same prompt, settings and seed give the same image; each "
    "image's PNG carries its prompt and settings.":
        "描述一幅画面，模型把它画出来。相同的提示词、设置和种子得到相同的图像；每张 PNG 图像都记录了它的提示词和设置。",
    "Prompt (English)": "提示词（英文）",
    "A photo of a red fox in a snowy forest, golden hour": "A photo of a red fox in a snowy forest, golden hour",
    "Negative prompt (what to avoid; needs guidance > 1)": "反向提示词（要避免的内容；需要引导系数 > 1）",
    "blurry, low quality": "blurry, low quality",
    "Steps": "步数",
    "Guidance": "引导系数",
    "Width": "宽度",
    "Height": "高度",
    "Images": "图像数",
    "Randomize seed": "随机选择种子",
    "Generate": "生成",
    "Images (click one, then download: PNG with its settings)": "图像（点击一张后下载：PNG 含其设置）",
    "Seed used (image i: seed + i)": "所用种子（第 i 张图：种子 + i）",
    "♻️ Reuse seed": "♻️ 沿用此种子",
}

# its messages (errors, warnings, progress): (English pattern, Chinese), matched whole
MESSAGES_ZH = [
    (r"Denoising step (?P<a>\d+)/(?P<b>\d+)", "去噪第 {a}/{b} 步"),
]
