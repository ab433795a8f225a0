"""The Chinese text of this tab (English text -> Chinese), collected by ``demos/ui/i18n_ui.py``."""

# its controls: labels, hints, placeholders, buttons, the introduction
UI_ZH = {
    "What is in the picture? The model picks among the classes it was trained on (ImageNet's 1000: animals, "
    "objects, vehicles, foods, places…).":
        "图片里有什么？模型在它训练过的类别中选择（ImageNet 的 1000 类：动物、物品、车辆、食物、地点……）。",
    "Top-k classes": "前 k 个类别",
    "Classes": "类别",
}
