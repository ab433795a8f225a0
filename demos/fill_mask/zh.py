"""The Chinese text of this tab (English text -> Chinese), collected by ``demos/ui/i18n_ui.py``."""

# its controls: labels, hints, placeholders, buttons, the introduction
UI_ZH = {
    "What pre-training learns: before BERT is taught any task, it reads a great deal of unlabeled text in which "
    "about 15% of the words are hidden, and learns to guess them from the words on both sides (a *masked "
    "language model*). Write a sentence with **[MASK]** where a word is missing, or click a word to hide it, and "
    "see the model's guesses. In Chinese, one [MASK] hides one character.":
        "预训练学到了什么：在学习任何具体任务之前，BERT 先阅读大量没有标注的文本，其中约 15% 的词被遮住，它学着根据两侧的词"
        "去猜被遮住的词（*掩码语言模型*）。写一个句子，在缺词的地方写 **[MASK]**，或点击一个词把它遮住，看看模型的猜测。"
        "中文里一个 [MASK] 遮住一个字。",
    "Sentence": "句子",
    "A sentence with [MASK] where a word is missing…": "一个句子，缺词的地方写 [MASK]……",
    "Click a word to hide it": "点击一个词把它遮住",
    "Guesses": "猜测数",
    "Guesses for the blank": "对空白处的猜测",
    "The sentence with the best guess": "填入最佳猜测后的句子",
    "Every blank's guesses": "每处空白的猜测",
}

# the column headers of its tables
HEADERS_ZH = {"blank": "空白", "guess": "猜测", "probability": "概率"}

# its messages (errors, warnings, progress): (English pattern, Chinese), matched whole
MESSAGES_ZH = [
    (r"The sentence has no blank: write \[MASK\] where a word is missing, or click a word in the sentence to hide "
     r"it\.", "句子里没有空白：在缺词的地方写 [MASK]，或点击句子中的一个词把它遮住。"),
    (r"The sentence has (?P<n>\d+) blanks; the limit is (?P<m>\d+)\. Each blank is guessed on its own, so keep one "
     r"to a few\.", "句子里有 {n} 处空白；上限是 {m}。每处空白是单独猜的，所以保留一到几处即可。"),
]

# the segments of its status line: (English pattern, Chinese), matched whole
SEGMENTS_ZH = [
    (r"(?P<n>\d+) blanks, each guessed on its own from one reading of the sentence",
     "{n} 处空白，每处都根据对整句的同一次阅读单独猜测"),
]
