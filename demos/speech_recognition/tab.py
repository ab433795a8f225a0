"""Speech recognition: a recording in (microphone or file, any rate, mono or stereo), its transcript out,
with a table of timed segments and .srt/.txt downloads. Long recordings run in pieces: the transcript and the
table grow as each piece is done, the bar follows the pieces, and Stop keeps what is done."""

from __future__ import annotations

from typing import Iterator

import gradio as gr

from demos.ui.code_panel import code_panel, file_name
from demos.ui.common import (DemoContext, bind, check_model, error_text, examples, guarded, model_picker, model_queue,
                             refresh_cards, shown, status_line)
from demos.examples import example_path
from demos.ui.failures import show_failures
from demos.ui.generation_common import STOPS, stream_model
from demos.ui.links import SpeechLink
from demos.ui.progress import MonotoneProgress, last
from demos.ui.speech_common import LANGUAGE_CODES, LANGUAGES, MODEL_RATE, limits_of, output_dir, safe_stem
from models.runtime.audio_io import FORMATS, AudioError, format_duration, is_silent, load_for_model
from models.runtime.decode_budget import BudgetError
from models.text.speech_text import to_srt
from models.registry.tasks import task_of_module

TAB = task_of_module(__name__)  # this tab's row in the task table
NAME, TASK = TAB.name, TAB.task
TABLE_HEADERS = ["start", "end", "text"]
TASKS = ("transcribe", "translate")
EXAMPLES = [  # short clips made with espeak-ng (demos/examples/ATTRIBUTION.md)
    [example_path("speech_en.flac"), "en"],
    [example_path("speech_zh.flac"), "zh"],
]


Outputs = tuple[str, list[list], list[str], str]   # transcript, segments table, files, status line


def transcribe_audio(ctx: DemoContext, audio: str, model: str, language: str = "auto", task: str = "transcribe",
                     timestamps: bool = True, request: gr.Request = None, progress=gr.Progress()) -> Iterator[Outputs]:
    """Transcribe speech to text, or translate it to English.

    Args:
        audio: a recording (wav, flac, ogg or mp3; any sample rate; mono or stereo).
        model: registry key of the model, e.g. "automatic-speech-recognition/whisper-base".
        language: a language code such as "en" or "zh", or "auto" to detect it.
        task: "transcribe", or "translate" (to English; Whisper models only).
        timestamps: whether to ask the model for segment times.
    Returns:
        the transcript, a table of segments (start, end, text), the .srt and .txt files, and a status line
        (the transcript and table so far come first, after each piece of a long recording).
    """
    spec = check_model(ctx, TASK, model)
    if not isinstance(language, str) or language not in LANGUAGE_CODES:
        raise gr.Error(f"Unknown language {shown(language, 40)}. Choose one of: "
                       f"{', '.join(code for _, code in LANGUAGES)}.")
    if not isinstance(task, str) or task not in TASKS:
        raise gr.Error(f"Unknown task {shown(task, 40)}. Choose transcribe or translate (to English).")
    if task == "translate" and not spec.params.get("translate", False):
        raise gr.Error(f"{spec.name} only transcribes. Pick a Whisper model to translate to English.")
    if not audio:
        raise gr.Error("No audio: record with the microphone or upload a file "
                       f"({', '.join(FORMATS)}).")
    limits = limits_of(ctx)
    try:
        recording = load_for_model(audio, MODEL_RATE, limits.max_audio_seconds)
    except (AudioError, BudgetError) as exc:
        raise gr.Error(error_text(exc)) from exc
    if is_silent(recording.samples):
        gr.Warning("No speech was found: the recording is silent.")
        yield "", [], [], (f"No speech was found: the {format_duration(recording.seconds)} recording is "
                           "silent. Record again closer to the microphone, or upload another file.")
        return
    options = dict(language=None if language == "auto" else language, task=task, timestamps=bool(timestamps))
    bar = MonotoneProgress(progress)
    transcript, status = None, ""
    with STOPS.running(request, NAME) as stop:
        for transcript, status in stream_model(ctx, spec, lambda runner: runner.stream(recording, stop, **options),
                                               bar):
            doing = f"Transcribing piece {transcript.done + 1} of {transcript.chunks}…" \
                if not transcript.complete else f"Transcribed {transcript.chunks} of {transcript.chunks} pieces"
            bar(transcript.done / transcript.chunks, desc=doing)
            if 0 < transcript.done < transcript.chunks:
                yield transcript.text, table_of(transcript), [], f"{status} · {pieces(transcript)}"
    if transcript is None:  # stopped before the first piece
        yield "", [], [], f"{status} · stopped before the first piece"
        return
    yield transcript.text, table_of(transcript), write_files(audio, transcript), final_status(transcript, status,
                                                                                              timestamps)


def transcribe(ctx: DemoContext, audio: str | None, model: str, language: str = "auto", task: str = "transcribe",
               timestamps: bool = True, progress: gr.Progress | None = None) -> Outputs:
    """The finished transcript of ``transcribe_audio`` (what an API caller gets)."""
    return last(transcribe_audio(ctx, audio, model, language, task, timestamps, progress=progress))


def pieces(transcript) -> str:
    return f"{transcript.done} of {transcript.chunks} piece{'s' if transcript.chunks != 1 else ''} transcribed"


def table_of(transcript) -> list[list]:
    return [[round(s.start, 2), round(s.end, 2), s.text] for s in transcript.segments]


def write_files(audio: str, transcript) -> list[str]:
    folder = output_dir()
    stem = safe_stem(audio)
    srt_path, txt_path = folder / f"{stem}.srt", folder / f"{stem}.txt"
    srt_path.write_text(to_srt(transcript.segments), encoding="utf-8")
    txt_path.write_text(transcript.text + "\n", encoding="utf-8")
    return [str(srt_path), str(txt_path)]


def final_status(transcript, status: str, timestamps: bool) -> str:
    if not transcript.complete:
        status += f" · stopped: {pieces(transcript)}"
    status += (f" · {format_duration(transcript.seconds)} of audio in {transcript.chunks} "
               f"piece{'s' if transcript.chunks != 1 else ''}")
    if timestamps and not transcript.timestamps:
        status += " · this model gives no timestamps: segment times are the pieces' bounds"
    if not transcript.text:
        status += " · no speech was recognized"
    return status


def code_settings(ctx: DemoContext, model: str, audio, language: str, task: str, timestamps: bool
                  ) -> tuple[str, dict]:
    return model, {"audio": file_name(audio), "language": None if language == "auto" else language, "task": task,
                   "timestamps": bool(timestamps)}


def build(ctx: DemoContext) -> None:
    limits = limits_of(ctx)
    gr.Markdown("Speech to text: record or upload speech (wav, flac, ogg, mp3; any sample rate), get the "
                f"transcript with timed segments. Up to {format_duration(limits.max_audio_seconds)} per "
                "recording; long ones are transcribed in pieces.")
    with gr.Row():
        with gr.Column():
            model = model_picker(ctx, TASK)
            # upload first: it works everywhere, a microphone only where there is one (and the page may use it)
            audio = gr.Audio(sources=["upload", "microphone"], type="filepath", label="Speech")
            with gr.Row():
                language = gr.Dropdown(choices=LANGUAGES, value="auto", label="Language")
                task = gr.Radio(choices=[("Transcribe", "transcribe"), ("Translate to English", "translate")],
                                value="transcribe", label="Task")
            timestamps = gr.Checkbox(value=True, label="Timestamps (segment times from the model)")
            with gr.Row():
                button = gr.Button("Transcribe", variant="primary")
                stop = gr.Button("Stop", variant="stop")
        with gr.Column():
            text = gr.Textbox(label="Transcript", lines=8, buttons=["copy"])
            files = gr.File(label="Downloads (.srt subtitles, .txt)", file_count="multiple")
            status = status_line()
    table = gr.Dataframe(headers=TABLE_HEADERS, label="Segments (seconds)", interactive=False, wrap=True)
    examples(EXAMPLES, inputs=[audio, language])

    event = dict(fn=guarded(ctx, bind(ctx, transcribe_audio), "transcribe_audio"),
                 inputs=[audio, model, language, task, timestamps],
                 outputs=[text, table, files, status], **model_queue(ctx))
    clicked = button.click(**event, api_name="transcribe_audio")
    show_failures(clicked, "transcribe_audio", event["outputs"])  # the reason stays in the status line
    refresh_cards(ctx, clicked, event["inputs"])
    code_panel(ctx, [model, audio, language, task, timestamps], code_settings)

    def stop_transcription(request: gr.Request) -> None:
        STOPS.stop(request, NAME)  # ends between two pieces; what is done stays, with its files

    stop.click(stop_transcription, None, None, api_visibility="private")
    ctx.links.speech = SpeechLink(audio, event)  # for "Speak it back" in the text to speech tab
