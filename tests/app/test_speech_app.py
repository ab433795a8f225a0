"""The speech tabs in the running app (tiny profile), called through gradio_client: bad input, then good."""

import os
import shutil
import subprocess

import numpy as np
import pytest
import soundfile

from tests.server import running_app
from tests.models.runtime.test_speech_audio import tone


@pytest.fixture(scope="module")
def server():
    with running_app("--demos", "asr,tts", env={"DEMO_MAX_AUDIO_SECONDS": "60"}) as url:
        yield url


@pytest.fixture(scope="module")
def client(server):
    from gradio_client import Client

    return Client(server, verbose=False)


@pytest.fixture(scope="module")
def recording(tmp_path_factory):
    """Real speech from espeak-ng when it is installed, else a stereo 44.1 kHz tone."""
    folder = tmp_path_factory.mktemp("speech")
    if shutil.which("espeak-ng"):
        path = folder / "hello.wav"
        subprocess.run(["espeak-ng", "-w", str(path), "Hello world. This is a test."], check=True, timeout=30)
        return str(path)
    path = folder / "tone.ogg"
    soundfile.write(path, np.stack([tone(440, 3.0, 44_100)] * 2, axis=1), 44_100)
    return str(path)


def test_both_tabs_have_named_endpoints(client):
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert {"/transcribe_audio", "/synthesize_speech"} <= set(endpoints)


def test_speech_recognition_bad_input_then_good(client, recording, tmp_path):
    from gradio_client import handle_file
    from gradio_client.exceptions import AppError

    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"RIFF" + os.urandom(400))
    with pytest.raises(AppError, match="not a readable audio file"):
        client.predict(handle_file(str(junk)), "automatic-speech-recognition/whisper-base", "auto", "transcribe",
                       True, api_name="/transcribe_audio")
    too_long = tmp_path / "long.flac"
    soundfile.write(too_long, tone(100, 61.0, 4_000), 4_000)
    with pytest.raises(AppError, match="the limit is 1 min 0 s"):
        client.predict(handle_file(str(too_long)), "automatic-speech-recognition/whisper-base", "auto",
                       "transcribe", True, api_name="/transcribe_audio")
    text, table, files, status = client.predict(
        handle_file(recording), "automatic-speech-recognition/whisper-base", "en", "transcribe", True,
        api_name="/transcribe_audio")
    assert isinstance(text, str) and "whisper-base" in status and "1 piece" in status
    assert [os.path.splitext(f)[1] for f in files] == [".srt", ".txt"]
    assert open(files[1], encoding="utf-8").read() == text + "\n"
    assert table["headers"] == ["start", "end", "text"]


def test_text_to_speech_bad_input_then_good_and_speak_it_back(client):
    from gradio_client import handle_file
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="empty"):
        client.predict("   ", "text-to-speech/mms-tts-eng", 1.0, 0, "", api_name="/synthesize_speech")
    with pytest.raises(AppError, match="maximum value 2.0|out of range"):  # the slider checks first
        client.predict("Hello", "text-to-speech/mms-tts-eng", 5.0, 0, "", api_name="/synthesize_speech")
    with pytest.raises(AppError, match="Unknown voice"):
        client.predict("Hello", "text-to-speech/bark-small", 1.0, 0, "v2/xx_speaker_1", api_name="/synthesize_speech")
    wav, status = client.predict("Hello there. How are you today?", "text-to-speech/mms-tts-eng", 1.0, 3, "",
                                 api_name="/synthesize_speech")
    info = soundfile.info(wav)
    assert info.samplerate == 16_000 and info.channels == 1 and info.frames > 0
    assert "2 sentences" in status
    # speak it back: the synthesized WAV goes to the speech recognition endpoint
    text, table, files, asr_status = client.predict(
        handle_file(wav), "automatic-speech-recognition/moonshine-tiny", "auto", "transcribe", False,
        api_name="/transcribe_audio")
    assert "moonshine-tiny" in asr_status and text


def test_bark_through_the_api(client):
    wav, status = client.predict("Hello there.", "text-to-speech/bark-small", 1.0, 1, "v2/en_speaker_8",
                                 api_name="/synthesize_speech")
    assert soundfile.info(wav).samplerate == 24_000 and "voice v2/en_speaker_8" in status


def test_speak_it_back_button_fills_the_recognition_tab_then_transcribes(tiny_manager):
    import app

    blocks = app.build_app(app.parse_args(["--profile", "tiny", "--demos", "asr,tts"]), tiny_manager)
    assert_speaks_back(blocks)
    # without the recognition tab there is no button to wire
    alone = app.build_app(app.parse_args(["--profile", "tiny", "--demos", "tts"]), tiny_manager)
    assert not any(fn.name == "hand_over" for fn in alone.fns.values())
    assert not speak_it_back_button(alone).visible


def test_speak_it_back_does_not_depend_on_the_order_the_tabs_are_built_in(tiny_manager):
    """The link is wired once every tab is built: text to speech, built before the tab it sends its audio to,
    still gets its button."""
    import gradio as gr

    from demos.speech_recognition import tab as speech_recognition
    from demos.text_to_speech import tab as text_to_speech
    from demos.ui.common import DemoContext

    ctx = DemoContext(tiny_manager)
    with gr.Blocks() as blocks:
        text_to_speech.build(ctx)
        speech_recognition.build(ctx)
        ctx.links.ready()
    assert_speaks_back(blocks)


def speak_it_back_button(blocks):
    import gradio as gr

    from demos.ui import i18n

    english = "Speak it back: transcribe this in the Speech recognition tab"
    shown = (english, str(i18n.I18N(i18n.control_key(english))))  # as built, or translatable (i18n)
    return next(block for block in blocks.blocks.values() if isinstance(block, gr.Button) and str(block.value) in shown)


def assert_speaks_back(blocks) -> None:
    import gradio as gr

    fns = list(blocks.fns.values())
    transcribe = next(fn for fn in fns if fn.api_name == "transcribe_audio")
    synthesize = next(fn for fn in fns if fn.api_name == "synthesize_speech")
    hand_over = next(fn for fn in fns if fn.name == "hand_over")
    follow_up = next(fn for fn in fns if fn.trigger_after == hand_over._id)
    assert hand_over.inputs == [synthesize.outputs[0]]          # the TTS audio...
    assert hand_over.outputs == [transcribe.inputs[0]]          # ...goes into the ASR audio input
    assert follow_up.fn is transcribe.fn and follow_up.trigger_only_on_success
    # and the browser goes to the recognition tab (tests/app/test_browser_person.py follows it there)
    go = [fn for fn in fns if fn.trigger_after == hand_over._id and fn.fn is None]
    assert len(go) == 1 and "open('asr')" in go[0].js and go[0].trigger_only_on_success
    assert hand_over.fn("/tmp/x.wav") == "/tmp/x.wav"
    with pytest.raises(gr.Error, match="Nothing to speak back"):
        hand_over.fn(None)
    button = speak_it_back_button(blocks)
    assert button.visible and hand_over.targets == [(button._id, "click")]
