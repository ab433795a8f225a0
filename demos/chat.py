"""Chat: a multi-turn conversation with a chat model, streamed, through the model's own chat template."""

from __future__ import annotations

from typing import Any, Iterator

import gradio as gr

from demos.code_panel import code_panel
from demos.common import (
    DemoContext,
    check_model,
    check_text,
    clean_text,
    model_event,
    model_picker,
    status_line,
)
from demos.generation_common import STOPS, check_number, stream_model

NAME = "chat"
TITLE = "Chat"
TASK = "chat"
DEFAULT_SYSTEM_PROMPT = "You are a helpful assistant."
MAX_SYSTEM_CHARS = 2000
MAX_NEW_TOKENS = 2048
MAX_HISTORY_MESSAGES = 400  # earlier messages a request may carry (200 exchanges; the model reads the last few)

EXAMPLES = [
    ["What is a Transformer model, in two sentences?"],
    ["用三句话介绍一下长城。"],
    ["Write a haiku about attention."],
]


def message_text(content: Any) -> str:
    """The text of a chat message's content, as Gradio sends it (a string, a {"text"} part, or a list of them)."""
    parts = content if isinstance(content, (list, tuple)) else [content]
    texts = []
    for part in parts:  # one level only: a part that is itself a list has no text
        if isinstance(part, dict):
            part = part.get("text") or part.get("content") or ""
        texts.append(part if isinstance(part, str) else "")
    return "".join(texts)


def check_history(history: Any, max_chars: int, max_messages: int = MAX_HISTORY_MESSAGES) -> list[dict]:
    """The earlier turns as plain {"role", "content"} messages, or a gr.Error saying what is wrong.

    Bounded by message count as well as by characters (empty messages cost no characters, yet each one costs
    the template's markup and a step in fitting the conversation to the model), before any per-message work."""
    if history in (None, ""):
        return []
    if not isinstance(history, list):
        raise gr.Error("History must be a list of {\"role\": \"user\"|\"assistant\", \"content\": text} messages.")
    if len(history) > max_messages:
        raise gr.Error(f"The conversation has {len(history):,} messages; the limit is {max_messages:,}. "
                       "Select Clear to start a new one.")
    messages, total = [], 0
    for item in history:
        role = item.get("role") if isinstance(item, dict) else None
        if role not in ("user", "assistant"):
            raise gr.Error("Each history message needs a role of \"user\" or \"assistant\" and a text content.")
        text = message_text(item.get("content"))
        total += len(text)
        if total > max_chars:
            raise gr.Error(f"The conversation is over {max_chars:,} characters long; the limit is {max_chars:,}. "
                           "Select Clear to start a new one.")
        messages.append({"role": role, "content": clean_text(text)})
    return messages


def check_system_prompt(system_prompt: Any) -> str:
    """The system prompt (the default when empty), or a gr.Error saying what is wrong."""
    if system_prompt is not None and not isinstance(system_prompt, str):
        raise gr.Error("The system prompt must be text (or empty for the default).")
    system = (system_prompt or "").strip()
    if len(system) > MAX_SYSTEM_CHARS:
        raise gr.Error(f"The system prompt is {len(system):,} characters long; the limit is {MAX_SYSTEM_CHARS:,}.")
    return clean_text(system) or DEFAULT_SYSTEM_PROMPT


def chat_reply(ctx: DemoContext, message: str, history: Any, system_prompt: str, model: str,
               temperature: float, top_p: float, max_new_tokens: int, progress: gr.Progress | None = None,
               request: gr.Request | None = None) -> Iterator[tuple[list[dict], str, str]]:
    message = check_text(message, "Message", ctx.limits.max_text_chars)
    earlier = check_history(history, ctx.limits.max_context_chars)
    system = check_system_prompt(system_prompt)
    spec = check_model(ctx, TASK, model)
    params = {"temperature": check_number(temperature, "Temperature", 0.0, 2.0),
              "top_p": check_number(top_p, "Top-p", 0.01, 1.0),
              "max_new_tokens": check_number(max_new_tokens, "Max new tokens", 1, MAX_NEW_TOKENS, integer=True)}
    conversation = [{"role": "system", "content": system}, *earlier, {"role": "user", "content": message}]
    shown = [*earlier, {"role": "user", "content": message}]
    yield [*shown, {"role": "assistant", "content": ""}], "", f"**{spec.name}** · thinking…"
    answer, status = "", f"**{spec.name}**"
    with STOPS.running(request, NAME) as stop:
        for answer, status in stream_model(ctx, spec, lambda runner: runner.stream(conversation, stop, **params),
                                           progress):
            yield [*shown, {"role": "assistant", "content": answer}], "", status
        note = " · stopped" if stop.is_set() else ""
    yield [*shown, {"role": "assistant", "content": answer}], "", f"{status}{note}"


def code_settings(ctx: DemoContext, model: str, history: Any, message: str, system_prompt: str,
                  temperature: float, top_p: float, max_new_tokens: int) -> tuple[str, dict]:
    """The conversation behind the last answer, or, while a message is typed, the one Send would send."""
    turns = check_history(history, ctx.limits.max_context_chars)
    if (message or "").strip() or not turns:
        turns = [*turns, {"role": "user", "content": (message or "").strip()}]
    elif turns[-1]["role"] == "assistant":
        turns = turns[:-1]
    system = {"role": "system", "content": (system_prompt or "").strip() or DEFAULT_SYSTEM_PROMPT}
    return model, {"messages": [system, *turns], "temperature": temperature, "top_p": top_p,
                   "max_new_tokens": max_new_tokens}


def build(ctx: DemoContext) -> None:
    gr.Markdown("Talk with a chat model. The conversation is sent through the model's own chat template; "
                "the oldest turns are dropped if it grows longer than the model can read.")
    with gr.Row():
        with gr.Column(scale=3):
            chatbot = gr.Chatbot(label="Conversation", height=420)
            message = gr.Textbox(label="Message", lines=2, max_length=ctx.limits.max_text_chars,
                                 placeholder="Ask something… (Enter to send)")
            with gr.Row():
                send = gr.Button("Send", variant="primary")
                stop = gr.Button("Stop", variant="stop")
                clear = gr.Button("Clear")
            status = status_line()
        with gr.Column(scale=2):
            model = model_picker(ctx, TASK)
            system_prompt = gr.Textbox(label="System prompt", value=DEFAULT_SYSTEM_PROMPT, lines=3,
                                       max_length=MAX_SYSTEM_CHARS)
            temperature = gr.Slider(0, 2, value=0.7, step=0.05, label="Temperature", info="0 = greedy")
            top_p = gr.Slider(0.05, 1, value=0.8, step=0.05, label="Top-p")
            max_new_tokens = gr.Slider(1, MAX_NEW_TOKENS, value=512, step=1, label="Max new tokens")
    gr.Examples(EXAMPLES, inputs=[message])

    def chat(message: str, history: list[dict], system_prompt: str, model: str, temperature: float, top_p: float,
             max_new_tokens: int, request: gr.Request, progress=gr.Progress()
             ) -> Iterator[tuple[list[dict], str, str]]:
        """Send a message to a chat model and stream its answer.

        Args:
            message: the new user message.
            history: earlier turns, a list of {"role": "user"|"assistant", "content": text}; [] to start.
            system_prompt: instructions for the assistant ("" for the default).
            model: registry key, e.g. "chat/qwen2.5-0.5b-instruct".
            temperature: sampling temperature, 0-2 (0 = greedy).
            top_p: nucleus sampling mass, 0.01-1.
            max_new_tokens: most tokens in the answer, 1-2048.
        Returns:
            the conversation with the answer appended, an empty message box, and a status line.
        """
        yield from chat_reply(ctx, message, history, system_prompt, model, temperature, top_p, max_new_tokens,
                              progress, request)

    inputs = [message, chatbot, system_prompt, model, temperature, top_p, max_new_tokens]
    event = model_event(ctx, [send.click, message.submit], chat, inputs, [chatbot, message, status],
                        api_name="chat")

    def stop_chat(request: gr.Request) -> None:
        STOPS.stop(request, NAME)

    stop.click(stop_chat, None, None, cancels=[event], api_visibility="private")
    cleared = clear.click(lambda: ([], "", ""), None, [chatbot, message, status], cancels=[event],
                          api_visibility="private")
    code_panel(ctx, [model, chatbot, message, system_prompt, temperature, top_p, max_new_tokens], code_settings,
               watch=[model, message, system_prompt, temperature, top_p, max_new_tokens], after=[event, cleared])
