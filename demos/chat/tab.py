"""Chat: a multi-turn conversation with a chat model, streamed, through the model's own chat template."""

from __future__ import annotations

from typing import Any, Iterator

import gradio as gr

from demos.ui.code_panel import code_panel
from demos.ui.common import (
    DemoContext,
    bind,
    check_model,
    check_text,
    clean_text,
    guarded,
    model_event,
    model_picker,
    model_queue,
    refresh_cards,
    status_line,
)
from demos.ui.generation_common import STOPS, check_number, stream_model
from models.registry.tasks import task_of_module

TAB = task_of_module(__name__)  # this tab's row in the task table
NAME, TASK = TAB.name, TAB.task
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


def chat(ctx: DemoContext, message: str, history: list[dict], system_prompt: str, model: str, temperature: float,
         top_p: float, max_new_tokens: int, request: gr.Request = None, progress=gr.Progress()
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
    message = check_text(message, "Message", ctx.settings.text.max_text_chars)
    earlier = check_history(history, ctx.settings.text.max_context_chars)
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


def max_new_tokens_for(ctx: DemoContext, spec) -> int:
    """The slider's maximum for a model: at most half the tokens it reads at once (the rest is the conversation),
    so the slider never offers what the model refuses (the tiny twin reads 1,024)."""
    window = int(spec.params.get("window_tokens", 4 * MAX_NEW_TOKENS))
    if ctx.manager.profile == "tiny" and spec.tiny is not None:
        window = min(window, int(spec.tiny.options.get("window", window)))
    return max(1, min(MAX_NEW_TOKENS, window // 2))


def code_settings(ctx: DemoContext, model: str, history: Any, message: str, system_prompt: str,
                  temperature: float, top_p: float, max_new_tokens: int) -> tuple[str, dict]:
    """The conversation behind the last answer, or, while a message is typed, the one Send would send."""
    turns = check_history(answered_turns(history), ctx.settings.text.max_context_chars)
    if (message or "").strip() or not turns:
        turns = [*turns, {"role": "user", "content": (message or "").strip()}]
    elif turns[-1]["role"] == "assistant":
        turns = turns[:-1]
    system = {"role": "system", "content": (system_prompt or "").strip() or DEFAULT_SYSTEM_PROMPT}
    return model, {"messages": [system, *turns], "temperature": temperature, "top_p": top_p,
                   "max_new_tokens": max_new_tokens}


NOT_ANSWERED = "⚠️ Not answered"  # the title that marks a failed turn in the conversation


def failed_turn(message: str, reason: str) -> list[dict]:
    """A turn that failed, as the conversation shows it: the message, then the reason in a marked bubble."""
    return [{"role": "user", "content": message},
            {"role": "assistant", "content": reason, "metadata": {"title": NOT_ANSWERED}}]


def answered_turns(history: Any) -> Any:
    """The conversation without its failed turns (a marked bubble and the message before it): they are shown, never
    sent to the model again."""
    if not isinstance(history, list):
        return history
    kept = []
    for item in history:
        metadata = item.get("metadata") if isinstance(item, dict) else None
        if isinstance(metadata, dict) and metadata.get("title") == NOT_ANSWERED:
            if kept and isinstance(kept[-1], dict) and kept[-1].get("role") == "user":
                kept.pop()
            continue
        kept.append(item)
    return kept


def last_turn_removed(history: Any, index: Any = None) -> tuple[list, str]:
    """The conversation before its last user message (or before message ``index``), and that message's text:
    what Retry sends again, and what Undo puts back in the message box."""
    history = list(history) if isinstance(history, list) else []
    if isinstance(index, (list, tuple)):
        index = index[0]
    users = [i for i, item in enumerate(history) if isinstance(item, dict) and item.get("role") == "user"]
    if isinstance(index, int) and 0 <= index < len(history):
        users = [i for i in users if i <= index]
    if not users:
        return history, ""
    return history[:users[-1]], message_text(history[users[-1]].get("content"))


def build(ctx: DemoContext) -> None:
    gr.Markdown("Talk with a chat model. The conversation is sent through the model's own chat template; "
                "the oldest turns are dropped if it grows longer than the model can read.")
    with gr.Row():
        with gr.Column(scale=3):
            chatbot = gr.Chatbot(label="Conversation", height=420, editable="user")
            message = gr.Textbox(label="Message", lines=1, max_lines=8, max_length=ctx.settings.text.max_text_chars,
                                 placeholder="Ask something… (Enter to send, Shift+Enter for a new line)")
            with gr.Row():
                send = gr.Button("Send", variant="primary")
                stop = gr.Button("Stop", variant="stop", visible=False)  # shown while an answer is written
                clear = gr.Button("Clear")
            status = status_line()
        with gr.Column(scale=2):
            model = model_picker(ctx, TASK)
            system_prompt = gr.Textbox(label="System prompt", value=DEFAULT_SYSTEM_PROMPT, lines=3,
                                       max_length=MAX_SYSTEM_CHARS)
            temperature = gr.Slider(0, 2, value=0.7, step=0.05, label="Temperature", info="0 = greedy")
            top_p = gr.Slider(0.05, 1, value=0.8, step=0.05, label="Top-p")
            most = max_new_tokens_for(ctx, ctx.specs(TASK)[0])
            max_new_tokens = gr.Slider(1, most, value=min(512, most), step=1, label="Max new tokens")
    gr.Examples(EXAMPLES, inputs=[message])

    def adapt_to_model(key: str):
        specs = {spec.key: spec for spec in ctx.specs(TASK)}
        if key not in specs:
            return gr.update()
        most = max_new_tokens_for(ctx, specs[key])
        return gr.update(maximum=most, value=min(512, most))

    model.change(adapt_to_model, model, max_new_tokens, api_visibility="private", queue=False)

    inputs = [message, chatbot, system_prompt, model, temperature, top_p, max_new_tokens]
    # the API and MCP endpoint: errors reach the caller as errors
    api_trigger = gr.Button(visible=False)
    model_event(ctx, [api_trigger.click], chat, inputs, [chatbot, message, status], api_name="chat")
    guarded_chat = guarded(ctx, bind(ctx, chat), "chat")

    def chat_in_page(message: str, history: list[dict], system_prompt: str, model: str, temperature: float,
                     top_p: float, max_new_tokens: int, request: gr.Request, progress=gr.Progress()):
        """The browser's turn: a failed turn stays in the conversation, marked with its reason, and is not sent
        again; a refused message (empty, too long) stays in the box. The status line says why."""
        earlier, last = answered_turns(history), None
        try:
            for last in guarded_chat(message, earlier, system_prompt, model, temperature, top_p, max_new_tokens,
                                     request, progress):
                yield last
        except gr.Error as exc:
            reason = str(exc.message)
            if last is None:
                yield earlier, gr.skip(), f"⚠️ {reason}"
            else:
                asked = last[0][-2]["content"]
                yield [*earlier, *failed_turn(asked, reason)], "", f"⚠️ {reason}"

    def running(busy: bool):
        return gr.Button(visible=not busy), gr.Button(visible=busy)

    def turn(trigger):
        """Answer the message in the box after ``trigger``: Stop shows while the answer is written."""
        answering = trigger.then(lambda: running(True), None, [send, stop], queue=False, api_visibility="private")
        event = answering.then(chat_in_page, inputs, [chatbot, message, status], api_visibility="private",
                               **model_queue(ctx))
        event.then(lambda: running(False), None, [send, stop], queue=False, api_visibility="private")
        refresh_cards(ctx, event, inputs)
        return event

    options = dict(queue=False, api_visibility="private")
    sent = turn(gr.on([send.click, message.submit], lambda: None, None, None, **options))
    retried = turn(chatbot.retry(last_turn_removed, chatbot, [chatbot, message], **options))
    edited = turn(chatbot.edit(lambda history, edit: last_turn_removed(history, edit.index)[:1] + (edit.value,),
                               [chatbot], [chatbot, message], **options))
    chatbot.undo(last_turn_removed, chatbot, [chatbot, message], **options)

    def stop_chat(request: gr.Request) -> None:
        STOPS.stop(request, NAME)  # the answer ends within a token, and its status line says "stopped"

    stop.click(stop_chat, None, None, **options)
    cleared = clear.click(lambda: ([], "", "", *running(False)), None, [chatbot, message, status, send, stop],
                          cancels=[sent, retried, edited], **options)
    code_panel(ctx, [model, chatbot, message, system_prompt, temperature, top_p, max_new_tokens], code_settings,
               watch=[model, message, system_prompt, temperature, top_p, max_new_tokens],
               after=[sent, retried, edited, cleared])
