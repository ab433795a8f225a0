"""The Chinese text of this tab (English text -> Chinese), collected by ``demos/ui/i18n_ui.py``."""

# its controls: labels, hints, placeholders, buttons, the introduction
UI_ZH = {
    "Teach an encoder your own labels. Upload a CSV or TSV file with a text column and a label column (or use the "
    "built-in sample: short English and Chinese sentences about sports, food and technology), pick a base model, "
    "and train. The result joins the **Text classification** tab. One training runs at a time on this server.":
        "让编码器学会你自己的标签。上传一个含文本列和标签列的 CSV 或 TSV 文件（或使用内置样例：关于体育、美食和科技的"
        "中英文短句），选择基础模型并训练。结果会加入**文本分类**标签页。本服务器同一时间只运行一个训练。",
    "Use the built-in sample set (300 rows, 3 labels)": "使用内置样例数据（300 行，3 个标签）",
    "Training data (CSV or TSV, UTF-8, with a header row)": "训练数据（CSV 或 TSV，UTF-8，带表头）",
    "Text column": "文本列",
    "Label column": "标签列",
    "First rows": "前几行",
    "Epochs (1-20)": "训练轮数（1-20）",
    "Learning rate (1e-06 to 0.01)": "学习率（1e-06 到 0.01）",
    "5e-5 suits base-size encoders; the tiny twins need about 1e-2": "5e-5 适合 base 规模的编码器；tiny 模型需要约 1e-2",
    "Batch size (1-128)": "批大小（1-128）",
    "Validation share": "验证集比例",
    "Example file (the sample set as a CSV)": "示例文件（样例数据的 CSV）",
    "Name for the new model (optional)": "新模型的名称（可选）",
    "e.g. my-topics": "例如 my-topics",
    "Your models": "你的模型",
    "Delete": "删除",
    "The models you fine-tuned here (as this server knows you: your login, else your address). Each user keeps up "
    "to 5; the server keeps 20 in all, and when it is full the models used least recently (anyone's) are removed "
    "first to make room.":
        "你在这里微调的模型（服务器按你的登录名识别你，未登录时按你的地址）。每个用户最多保留 5 个；服务器总共保留 20 个，"
        "满了时先删除最久未使用的模型（不论是谁的）来腾出空间。",
    "Train": "训练",
    "Loss": "损失",
    "Validation metrics": "验证指标",
    "Confusion matrix (rows: true label, columns: predicted)": "混淆矩阵（行：真实标签，列：预测标签）",
    "Fine-tuned model (zip, Hugging Face format)": "微调后的模型（zip，Hugging Face 格式）",
}

# the column headers of its tables
HEADERS_ZH = {
    "true \\ predicted": "真实 \\ 预测",
}

# the segments of its status line: (English pattern, Chinese), matched whole
SEGMENTS_ZH = [
    (r"Epoch (?P<e>\d+)", "第 {e} 轮"),
    (r"step (?P<a>[\d,]+) of (?P<b>[\d,]+)", "第 {a} 步（共 {b} 步）"),
]
