"""The Chinese text of the tabs' controls: labels, hints, placeholders, buttons and tab introductions."""

from __future__ import annotations

# English text of a control -> its Chinese version. Keyed by the English text, so a tab needs no change to be
# translated; text built from settings (limits) is translated only for the default settings.
UI_ZH = {
    # shared
    "Model": "模型",
    "Text": "文本",
    "Run": "运行",
    "Stop": "停止",
    "Clear": "清空",
    "Temperature": "温度",
    "0 = greedy": "0 = 贪心解码",
    "Top-p": "Top-p（核采样）",
    "Max new tokens": "最多生成的词元数",
    "Image": "图像",
    "Seed": "随机种子",
    "Language": "语言",
    "Code: do this in a few lines of Python": "代码：用几行 Python 做同样的事",
    "Examples": "示例",
    # text classification
    "Is a text positive or negative? The model gives a probability for each label.":
        "这段文字是正面还是负面？模型给出每个标签的概率。",
    "Type or paste a review, a tweet, a sentence…": "输入或粘贴一条评论、一条推文、一句话……",
    "Labels": "标签",
    # named entities
    "Find the people, organizations, places and other names in a text.": "找出文本中的人名、机构名、地名和其他专名。",
    "Type or paste a text with names in it…": "输入或粘贴一段含有名称的文本……",
    "Entities": "实体",
    "Entity table (character offsets)": "实体表（字符位置）",
    # question answering
    "Ask a question about a text: the model points at the span of the text that answers it.":
        "就一段文本提问：模型指出文本中回答问题的那一段。",
    "Context": "上下文",
    "Paste the text that holds the answer…": "粘贴包含答案的文本……",
    "Question": "问题",
    "Ask something the context answers…": "提一个上下文能回答的问题……",
    "Answer": "答案",
    "Answer in context": "答案在上下文中的位置",
    "Answers": "答案数",
    "how many answers to list, best first, each with its score": "列出几个答案：最好的在前，各附得分",
    # summarization
    "Paste or upload a text and get a summary that streams in. Texts longer than the model reads at once are "
    "summarized part by part, then the part summaries are summarized again.":
        "粘贴或上传一段文本，摘要会逐步显示。超过模型一次能读的长度的文本会分段摘要，再把各段摘要合并摘要。",
    "Paste an article, a report, notes…": "粘贴一篇文章、一份报告、一些笔记……",
    "…or upload a .txt file": "……或上传一个 .txt 文件",
    "Summary length": "摘要长度",
    "Beams (seq2seq models)": "束搜索宽度（seq2seq 模型）",
    "more beams: often better, but the summary appears at once, not streamed": "束越多通常越好，但摘要会一次性显示，不逐步输出",
    "Temperature (chat models)": "温度（对话模型）",
    "0 = always the most likely word": "0 = 总是选最可能的词",
    "Summarize": "生成摘要",
    "Summary": "摘要",
    "Part summaries (long texts: each part as it is done, then each round of combining)":
        "分段摘要（长文本：每段完成即显示，然后是每一轮合并）",
    # translation
    "Translate between languages. opus-mt uses one small model per language pair (only pairs that exist are "
    "offered); the many-to-many and chat models take any pair they know. Long texts are translated sentence by "
    "sentence, in batches; paragraph breaks are kept.":
        "在语言之间翻译。opus-mt 每个语言对用一个小模型（只列出存在的语言对）；多对多模型和对话模型支持它们认识的"
        "任意语言对。长文本逐句分批翻译，保留段落。",
    "From": "源语言",
    "To": "目标语言",
    "⇄": "⇄",
    "Type or paste the text to translate…": "输入或粘贴要翻译的文本……",
    "Translate": "翻译",
    "Translation": "译文",
    # chat
    "Talk with a chat model. The conversation is sent through the model's own chat template; the oldest turns are "
    "dropped if it grows longer than the model can read.":
        "与对话模型聊天。对话按模型自己的对话模板发送；对话超过模型能读的长度时，最早的轮次会被丢弃。",
    "Conversation": "对话",
    "Message": "消息",
    "Ask something… (Enter to send, Shift+Enter for a new line)": "问点什么……（回车发送，Shift+回车换行）",
    "Send": "发送",
    "System prompt": "系统提示词",
    # image classification
    "What is in the picture? The model picks among the classes it was trained on (ImageNet's 1000: animals, "
    "objects, vehicles, foods, places…).":
        "图片里有什么？模型在它训练过的类别中选择（ImageNet 的 1000 类：动物、物品、车辆、食物、地点……）。",
    "Top-k classes": "前 k 个类别",
    "Classes": "类别",
    # object detection
    "Find objects (people, vehicles, traffic lights, animals… COCO's 80 classes) and draw a box around each. "
    "Lower the threshold to see less certain boxes; list labels to keep only those.":
        "找出物体（人、车辆、红绿灯、动物……COCO 的 80 类）并给每个画框。降低阈值可以看到把握较小的框；"
        "列出标签则只保留这些类别。",
    "Score threshold": "置信度阈值",
    "Only these labels (comma-separated; empty: all)": "只保留这些标签（逗号分隔；留空为全部）",
    "e.g. car, truck, traffic light": "例如 car, truck, traffic light",
    "Objects": "物体",
    "Objects (box corners in pixels of the shown image)": "物体（框的角点，以所示图像的像素计）",
    # image generation
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
    # speech recognition
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
    # text to speech
    "Text to speech: type up to 2,000 characters and listen. The same seed gives the same audio.":
        "文字转语音：输入最多 2,000 个字符并收听。相同的种子得到相同的音频。",
    "Type or paste what the voice should say…": "输入或粘贴要朗读的内容……",
    "Voice": "声音",
    "Speed (where the model has it)": "语速（模型支持时）",
    "Speak": "朗读",
    "Speech (WAV)": "语音（WAV）",
    "Speak it back: transcribe this in the Speech recognition tab": "回读：在“语音识别”标签页中转写这段语音",
    # attention explorer
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
    # knowledge graph
    "Turn sentences into facts: (head, relation, tail) triples, drawn as a graph of entities. REBEL writes triples "
    "in its own markup; the chat model is asked for JSON. Either output is read strictly: a malformed one is "
    "reported, not guessed at.":
        "把句子变成事实：（头实体，关系，尾实体）三元组，并画成实体关系图。REBEL 用自己的标记格式输出三元组；"
        "对话模型被要求输出 JSON。两种输出都严格解析：格式错误会被报告，而不是猜测。",
    "A few sentences about people, places, companies…": "几句关于人物、地点、公司的话……",
    "Triples": "三元组",
    "Graph": "关系图",
    "Raw model output": "模型原始输出",
    # fine-tune
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

# The visible names of dropdown and radio choices (their values, which the handlers and the API take, stay as they
# are). Only controls built with one of these names are translated, so a user's own CSV column "short" stays so.
CHOICES_ZH = {
    # summary length
    "short": "短", "medium": "中", "long": "长",
    # speech recognition
    "Transcribe": "转写", "Translate to English": "翻译成英文", "Auto-detect": "自动检测",
    # text to speech
    "the model's only voice": "该模型唯一的声音",
    # attention explorer
    "average": "平均",
    # language names (models/text/languages.py, demos/ui/speech_common.py)
    "English": "英语", "Chinese": "中文", "German": "德语", "French": "法语", "Spanish": "西班牙语",
    "Italian": "意大利语", "Portuguese": "葡萄牙语", "Russian": "俄语", "Japanese": "日语", "Korean": "韩语",
    "Arabic": "阿拉伯语", "Hindi": "印地语", "Dutch": "荷兰语", "Polish": "波兰语", "Turkish": "土耳其语",
    "Vietnamese": "越南语", "Indonesian": "印尼语", "Thai": "泰语", "Ukrainian": "乌克兰语", "Swedish": "瑞典语",
    "Czech": "捷克语", "Greek": "希腊语", "Hebrew": "希伯来语", "Persian": "波斯语", "Cantonese": "粤语",
}

# Column headers of the result tables and of the examples tables (the latter name the inputs by their labels).
HEADERS_ZH = {
    "entity": "实体", "type": "类型", "score": "得分", "start": "开始", "end": "结束", "text": "文本",
    "label": "标签", "head": "头实体", "relation": "关系", "tail": "尾实体",
    "token": "词元", "key k_j (first dims)": "键 k_j（前几维）", "score q·k_j/√d_k": "得分 q·k_j/√d_k",
    "heatmap row": "热力图行", "value v_j (first dims)": "值 v_j（前几维）",
    "true \\ predicted": "真实 \\ 预测",
}
