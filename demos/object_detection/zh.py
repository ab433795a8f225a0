"""The Chinese text of this tab (English text -> Chinese), collected by ``demos/ui/i18n_ui.py``."""

# its controls: labels, hints, placeholders, buttons, the introduction
UI_ZH = {
    "Find objects (people, vehicles, traffic lights, animals… COCO's 80 classes) and draw a box around each. "
    "Lower the threshold to see less certain boxes; list labels to keep only those.":
        "找出物体（人、车辆、红绿灯、动物……COCO 的 80 类）并给每个画框。降低阈值可以看到把握较小的框；"
        "列出标签则只保留这些类别。",
    "Score threshold": "置信度阈值",
    "Only these labels (comma-separated; empty: all)": "只保留这些标签（逗号分隔；留空为全部）",
    "e.g. car, truck, traffic light": "例如 car, truck, traffic light",
    "Objects": "物体",
    "Objects (box corners in pixels of the shown image)": "物体（框的角点，以所示图像的像素计）",
}

# the segments of its status line: (English pattern, Chinese), matched whole
SEGMENTS_ZH = [
    (r"(?P<n>\d+) objects? at score ≥ (?P<t>[\d.]+)", "{n} 个物体（得分 ≥ {t}）"),
]
