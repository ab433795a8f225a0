"""Text to speech: text in, a playable and downloadable WAV out, with voice, speed and seed where the model
has them. Long text is read sentence by sentence, in batches, joined with short pauses. "Speak it back"
sends the audio to the speech recognition tab and opens it."""

from __future__ import annotations

import gradio as gr

from demos.ui.code_panel import code_panel
from demos.ui.common import (DemoContext, check_model, check_number, check_text, examples, model_event, model_picker,
                             run_model, status_line)
from demos.ui.layout import open_demo_js
from demos.ui.links import SpeechLink
from demos.ui.speech_common import limits_of, output_dir
from models.runtime.audio_io import format_duration, write_wav
from models.registry.tasks import task_of_module

TAB = task_of_module(__name__)  # this tab's row in the task table
NAME, TASK = TAB.name, TAB.task
SPEED_RANGE = (0.5, 2.0)
MAX_SEED = 2**31 - 1

ENGLISH_MODEL, BARK = "text-to-speech/mms-tts-eng", "text-to-speech/bark-small"
EXAMPLES = [  # text, model, voice: the default voice speaks English letters only, so Chinese is read by Bark
    ["Hello! This sentence was written as text and read aloud by a neural network.", ENGLISH_MODEL, ""],
    ["The Transformer is a deep learning architecture based on the attention mechanism. "
     "It was introduced in 2017. Today it reads, writes, listens and speaks.", ENGLISH_MODEL, ""],
    ["这部电影太好看了，我还想再看一遍。", BARK, "v2/zh_speaker_7"],
]


def voices_of(spec) -> tuple[str, ...]:
    return tuple(spec.params.get("voices", ()))


def synthesize_speech(ctx: DemoContext, text: str, model: str, speed: float = 1.0, seed: int = 0, voice: str = "",
                      progress=gr.Progress()) -> tuple[str, str]:
    """Read a text aloud.

    Args:
        text: what to say (the voice's language; characters it cannot speak are left out, with a notice).
        model: registry key of the voice, e.g. "text-to-speech/mms-tts-eng".
        speed: speaking rate, 0.5 to 2 (1 is natural); ignored by models without speed control.
        seed: random seed; the same seed gives the same audio.
        voice: a voice preset of the model (e.g. "v2/en_speaker_6" for Bark), or "" for its default.
    Returns:
        the speech as a WAV file, and a status line.
    """
    text = check_text(text, "Text", limits_of(ctx).max_tts_chars)
    spec = check_model(ctx, TASK, model)
    voices = voices_of(spec)
    if voice and voice not in voices:
        allowed = ", ".join(voices) if voices else "none (this model has one voice; leave it empty)"
        raise gr.Error(f"Unknown voice {str(voice)[:60]!r} for {spec.name}. Choose one of: {allowed}.")
    speed = check_number(speed, "Speed (1 is the voice's natural pace)", *SPEED_RANGE)
    seed = check_number(seed, "Seed", 0, MAX_SEED, integer=True)

    def report(done: int, total: int) -> None:
        if progress is not None and total:
            progress(done / total, desc=f"Speaking sentence {min(done + 1, total)} of {total}…")

    notes = []
    if speed != 1.0 and not spec.params.get("speed", True):
        notes.append(f"{spec.name} has no speed control: speed {speed:g} was ignored")
        speed = 1.0
    timed = run_model(ctx, spec, lambda runner: runner([text], speed=speed, seed=seed, voice=voice or None,
                                                       on_progress=report)[0], progress)
    speech = timed.result
    path = write_wav(output_dir() / "speech.wav", speech.samples, speech.rate)
    status = (f"{timed.status} · {format_duration(speech.seconds)} of audio at {speech.rate:,} Hz from "
              f"{speech.sentences} sentence{'s' if speech.sentences != 1 else ''}")
    if voice:
        status += f" · voice {voice}"
    if speech.dropped:
        notes.append(f"Left out characters this voice cannot speak: {' '.join(speech.dropped)}")
    for notice in notes:
        gr.Warning(notice)
        status += f"  \n⚠️ {notice}"
    return str(path), status


def code_settings(ctx: DemoContext, model: str, text: str, speed: float, seed: int, voice: str) -> tuple[str, dict]:
    return model, {"text": text, "speed": float(speed), "seed": int(seed), "voice": voice or None}


def voice_choices(ctx: DemoContext, model: str, current: str | None = None) -> gr.Dropdown:
    """The voice dropdown for a model: its presets (the current voice kept if the model has it, as when an
    example sets both), or a single fixed voice."""
    try:
        voices = voices_of(check_model(ctx, TASK, model))
    except gr.Error:
        voices = ()
    if not voices:
        return gr.Dropdown(choices=[("the model's only voice", "")], value="", interactive=False)
    return gr.Dropdown(choices=list(voices), value=current if current in voices else voices[0], interactive=True)


def build(ctx: DemoContext) -> None:
    limits = limits_of(ctx)
    gr.Markdown(f"Text to speech: type up to {limits.max_tts_chars:,} characters and listen. "
                "The same seed gives the same audio.")
    with gr.Row():
        with gr.Column():
            model = model_picker(ctx, TASK)
            text = gr.Textbox(label="Text", lines=5, max_length=limits.max_tts_chars,
                              placeholder="Type or paste what the voice should say…")
            first_voices = voices_of(ctx.specs(TASK)[0])
            voice = gr.Dropdown(choices=list(first_voices) or [("the model's only voice", "")],
                                value=first_voices[0] if first_voices else "", label="Voice",
                                interactive=bool(first_voices),
                                # choices change with the model; API callers may send any model's voice,
                                # which synthesize_speech() checks against that model's list
                                allow_custom_value=True)
            with gr.Row():
                speed = gr.Slider(*SPEED_RANGE, value=1.0, step=0.05, label="Speed (where the model has it)")
                seed = gr.Number(value=0, precision=0, minimum=0, maximum=MAX_SEED, label="Seed")
            button = gr.Button("Speak", variant="primary")
        with gr.Column():
            audio = gr.Audio(type="filepath", label="Speech (WAV)", interactive=False)
            status = status_line()
            # shown once the speech recognition tab is known to be in the app (speak_it_back)
            back = gr.Button("Speak it back: transcribe this in the Speech recognition tab", visible=False)
    table = examples(EXAMPLES, inputs=[text, model, voice])

    def follow_model(key: str, current: str) -> gr.Dropdown:
        return voice_choices(ctx, key, current)

    model.change(follow_model, [model, voice], voice, api_visibility="private")
    # an example whose model is the one already chosen changes no model: its voice list follows all the same
    table.load_input_event.then(follow_model, [model, voice], voice, api_visibility="private", queue=False,
                                show_progress="hidden")

    model_event(ctx, [button.click, text.submit], synthesize_speech, [text, model, speed, seed, voice],
                [audio, status], api_name="synthesize_speech")
    code_panel(ctx, [model, text, speed, seed, voice], code_settings)
    ctx.links.on_ready(lambda: speak_it_back(ctx.links.speech, back, audio))


def speak_it_back(speech: SpeechLink | None, back: gr.Button, audio: gr.Audio) -> None:
    """Wire "Speak it back" to the speech recognition tab, once every tab is built: the button shows when that
    tab is in the app, and sends this tab's audio to its input, transcribes it there and opens that tab."""
    if speech is None:
        return
    back.visible = back.constructor_args["visible"] = True  # (gradio builds a session's copy from the latter)
    handed = back.click(hand_over, audio, speech.audio, api_visibility="private")
    handed.success(**speech.event, api_visibility="private")
    handed.success(None, js=open_demo_js("asr"), api_visibility="private")  # and the user goes there


def hand_over(path: str | None) -> str:
    """This tab's audio, for the speech recognition tab's input."""
    if not path:
        raise gr.Error("Nothing to speak back yet: select Speak first.")
    gr.Info("Sent to the Speech recognition tab; its transcript is there.")
    return path
