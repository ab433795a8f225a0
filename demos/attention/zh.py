"""The Chinese text of this tab (English text -> Chinese), collected by ``demos/ui/i18n_ui.py``."""

# its controls: labels, hints, placeholders, buttons, the introduction
UI_ZH = {
    "Each token of a sentence builds its next representation from all tokens, weighted by softmax(QKᵀ/√d_k). "
    "Pick a layer and a head to see those weights, and a token to see them computed step by step.":
        "句子中的每个词元都从所有词元构建自己的下一层表示，权重为 softmax(QKᵀ/√d_k)。选择层和注意力头查看这些权重，"
        "选择一个词元查看逐步计算过程。",
    "Sentence": "句子",
    "A sentence in English or Chinese…": "一句英文或中文……",
    "Layer": "层",
    "from 0; the status line says how many the model has": "从 0 开始；状态栏会显示模型有多少层",
    "Head": "注意力头",
    "Token for the worked numbers": "逐步计算所用的词元",
    "its position in the heatmap (0 is [CLS])": "它在热力图中的位置（0 是 [CLS]）",
    "Attention weights": "注意力权重",
    "Every head of the layer": "该层的每个注意力头",
    "Worked numbers for the chosen token": "所选词元的逐步计算",
    "Positional encoding (sinusoidal, from “Attention Is All You Need”)": "位置编码（正弦式，出自《Attention Is All You Need》）",
    "Attention itself ignores word order, so the original Transformer adds to each token a vector that encodes its "
    "position: sines and cosines of decreasing frequency. (BERT learns its position vectors instead; this is the "
    "fixed formula.)":
        "注意力本身不考虑词序，所以最初的 Transformer 给每个词元加上一个编码其位置的向量：频率递减的正弦和余弦。"
        "（BERT 则学习位置向量；这里是固定公式。）",
    "Positions": "位置数",
    "d_model": "d_model（维度）",
    "Draw": "绘制",
    "Positional encoding": "位置编码",
}

# the visible names of its dropdown and radio choices
CHOICES_ZH = {
    "average": "平均",
}

# the column headers of its tables
HEADERS_ZH = {
    "token": "词元",
    "key k_j (first dims)": "键 k_j（前几维）",
    "score q·k_j/√d_k": "得分 q·k_j/√d_k",
    "heatmap row": "热力图行",
    "value v_j (first dims)": "值 v_j（前几维）",
}

# its messages (errors, warnings, progress): (English pattern, Chinese), matched whole
MESSAGES_ZH = [
    (r"The text is (?P<n>[\d,]+) tokens long; this tab reads at most (?P<m>[\d,]+), so only the first (?P<k>[\d,]+) "
     r"tokens were used\.", "文本有 {n} 个词元；本标签页最多读取 {m} 个，所以只用了前 {k} 个词元。"),
]

# the segments of its status line: (English pattern, Chinese), matched whole
SEGMENTS_ZH = [
    (r"(?P<layers>\d+) layers × (?P<heads>\d+) heads, d_k = (?P<dk>\d+)", "{layers} 层 × {heads} 个注意力头，d_k = {dk}"),
]
