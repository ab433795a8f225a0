"""A small built-in corpus for training the tiny twins' tokenizers: English, Chinese, a little more.

Big enough that the demo examples tokenize into real words rather than unknown tokens.
"""

from __future__ import annotations

ENGLISH = """
I love this movie and I would watch it again and again.
The food was cold, the service was slow and the room was dirty.
This is the best purchase I have made all year; it works perfectly.
The plot was boring and the acting was terrible. What a waste of time.
Hugging Face Inc. is a company based in New York City and Paris.
My name is Wolfgang and I live in Berlin. Sarah works for Google in London.
Barack Obama was born in Hawaii and served as President of the United States.
Apple was founded by Steve Jobs, Steve Wozniak and Ronald Wayne in April 1976 in California.
The Eiffel Tower is located in Paris, France, and was completed in 1889.
The Transformer is a deep learning architecture based on the attention mechanism.
It was introduced in 2017 by researchers at Google in the paper Attention Is All You Need.
BERT is an encoder that is pre-trained on large amounts of unlabeled text and then fine-tuned.
Where is the Eiffel Tower? When was Apple founded? Who founded the company? What is the capital?
Who introduced the Transformer? What does BERT stand for? How many people live there?
The quick brown fox jumps over the lazy dog. A zebra and a giraffe met at the river.
Large language models are trained on billions of words and have billions of parameters.
Machine learning, natural language processing, computer vision and speech recognition.
The weather today is sunny with a light wind from the north. Tomorrow it will rain.
He said that the meeting on Monday was cancelled because the manager was ill.
Please send the report to the team before Friday, 5 pm. Thank you very much!
The museum opens at nine in the morning and closes at six in the evening.
Amazon, Microsoft, Meta and OpenAI are technology companies in the United States.
""".strip().splitlines()

CHINESE = """
这部电影太好看了，我还想再看一遍。
服务很差，饭菜也是凉的，我不会再来了。
这个产品质量很好，价格也很合理，非常满意。
天气不好，心情也很糟糕。
马云在杭州创办了阿里巴巴集团。
李明在北京大学学习计算机科学，他的朋友在上海工作。
华为公司的总部位于中国广东省深圳市。
长城是中国古代的伟大建筑，位于北京北部。
Transformer是一种基于注意力机制的深度学习模型，由谷歌的研究人员在2017年提出。
大模型通常指具有数十亿或甚至数百亿参数的神经网络模型。
谁创办了阿里巴巴？长城位于哪里？华为的总部在哪里？Transformer是什么时候提出的？
人工智能已经成为现代科技的重要一环，大模型是人工智能领域的重要发展方向。
自然语言处理、计算机视觉和语音识别是大模型的主要应用领域。
""".strip().splitlines()

OTHER = """
Ich heiße Wolfgang und wohne in Berlin. Das Essen war ausgezeichnet.
Je m'appelle Marie et j'habite à Paris. Le film était magnifique.
Me llamo Carlos y vivo en Madrid. El servicio fue terrible.
مرحبا بالعالم. أنا أحب هذا الفيلم.
שלום עולם. אני אוהב את הסרט הזה.
東京は日本の首都です。 😀 👍 🎉 ❤️
""".strip().splitlines()

SENTENCES = ENGLISH + CHINESE + OTHER
