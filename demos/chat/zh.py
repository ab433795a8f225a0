"""The Chinese text of this tab (English text -> Chinese), collected by ``demos/ui/i18n_ui.py``."""

# its controls: labels, hints, placeholders, buttons, the introduction
UI_ZH = {
    "Talk with a chat model. The conversation is sent through the model's own chat template; the oldest turns are "
    "dropped if it grows longer than the model can read.":
        "与对话模型聊天。对话按模型自己的对话模板发送；对话超过模型能读的长度时，最早的轮次会被丢弃。",
    "Conversation": "对话",
    "Message": "消息",
    "Ask something… (Enter to send, Shift+Enter for a new line)": "问点什么……（回车发送，Shift+回车换行）",
    "Send": "发送",
    "System prompt": "系统提示词",
}
