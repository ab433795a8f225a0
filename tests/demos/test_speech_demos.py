"""The speech tabs' handlers and runners on tiny twins: no server."""

import re

import gradio as gr
import numpy as np
import pytest
import soundfile

from demos.speech_recognition import tab as asr
from demos.text_to_speech import tab as tts
from demos.ui.common import DemoContext
from models.settings import Settings, SpeechLimits
from models.runtime.audio_io import Audio
from tests.models.runtime.test_speech_audio import parse_srt, tone

WHISPER = "automatic-speech-recognition/whisper-base"
TURBO = "automatic-speech-recognition/whisper-large-v3-turbo"
MOONSHINE = "automatic-speech-recognition/moonshine-tiny"
VOICE = "text-to-speech/mms-tts-eng"


@pytest.fixture(scope="module")
def sctx(tiny_manager):
    return DemoContext(tiny_manager, Settings(speech=SpeechLimits(max_audio_seconds=120, max_tts_chars=600)))


@pytest.fixture(scope="module")
def speech_file(tmp_path_factory):
    """Stereo 44.1 kHz 'speech': tone bursts with pauses, 4 s."""
    rate = 44_100
    wave = tone(220, 4.0, rate)
    wave[int(1.5 * rate):int(2.0 * rate)] = 0
    path = tmp_path_factory.mktemp("audio") / "speech sample.flac"
    soundfile.write(path, np.stack([wave, 0.5 * wave], axis=1), rate)
    return str(path)


@pytest.mark.parametrize("model", [WHISPER, TURBO, MOONSHINE])
def test_transcribe_returns_text_table_files_and_status(sctx, speech_file, model):
    text, table, files, status = asr.transcribe(sctx, speech_file, model, "auto", "transcribe", True)
    assert isinstance(text, str)
    for start, end, piece in table:
        assert 0 <= start <= end <= 4.0 + 1e-6 and piece
    srt, txt = files
    assert srt.endswith("speech-sample.srt") and txt.endswith("speech-sample.txt")
    cues = parse_srt(open(srt, encoding="utf-8").read()) if table else []
    assert len(cues) == len(table)
    assert open(txt, encoding="utf-8").read() == text + "\n"
    assert "4 s of audio in 1 piece" in status and model.split("/")[1] in status


def test_language_and_translation_reach_whisper(sctx, speech_file):
    _, _, _, status = asr.transcribe(sctx, speech_file, WHISPER, "zh", "translate", False)
    assert "whisper-base" in status


def test_a_long_recording_is_transcribed_in_pieces_that_cover_it(sctx, tiny_manager):
    """Moonshine gives no timestamps, so its segments are the pieces: they must tile the whole recording."""
    runner = tiny_manager.get(MOONSHINE)
    rate = 16_000
    recording = Audio(tone(200, 50.0, rate, amplitude=0.3), rate)
    calls = []
    (transcript,) = runner([recording], on_progress=lambda done, total: calls.append((done, total)))
    assert transcript.chunks == 3 and calls[0] == (0, 3) and calls[-1] == (3, 3)
    spans = [(s.start, s.end) for s in transcript.segments]
    assert spans[0][0] == 0 and spans[-1][1] == pytest.approx(50.0)
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))
    assert all(end - start <= 20 for start, end in spans)


def test_model_timestamps_are_shifted_to_the_recording_clock(tiny_manager):
    """Whisper's times are relative to its piece: they move by the piece's start and stay inside it."""
    runner = tiny_manager.get(WHISPER)
    rate = 16_000
    recording = Audio(tone(200, 70.0, rate, amplitude=0.3), rate)
    original = runner.pipe

    def fake_pipe(pieces, **kwargs):
        assert kwargs["return_timestamps"] is True
        return [{"text": "a b", "chunks": [{"timestamp": (1.0, 2.5), "text": "a"},
                                           {"timestamp": (2.5, None), "text": "b"}]} for _ in pieces]

    runner.pipe = fake_pipe
    try:
        (transcript,) = runner([recording])
    finally:
        runner.pipe = original
    assert transcript.chunks == 3
    starts = [s.start for s in transcript.segments[0::2]]
    piece_starts = [starts[0] - 1.0, starts[1] - 1.0, starts[2] - 1.0]
    assert piece_starts[0] == pytest.approx(0) and 25 <= piece_starts[1] <= 30 and 50 <= piece_starts[2] <= 60
    assert transcript.segments[-1].end == pytest.approx(70.0)  # open end -> end of the piece
    times = [t for s in transcript.segments for t in (s.start, s.end)]
    assert times == sorted(times)
    assert transcript.text == "a b a b a b"


def test_resampled_input_reaches_the_model_at_its_rate(tiny_manager):
    runner = tiny_manager.get(WHISPER)
    (transcript,) = runner([Audio(tone(440, 2.0, 8_000), 8_000)], timestamps=False)
    assert transcript.seconds == pytest.approx(2.0)


def write(tmp_path, name, samples, rate=16_000, **kwargs):
    path = tmp_path / name
    soundfile.write(path, samples, rate, **kwargs)
    return str(path)


def test_bad_recordings_get_clear_errors_and_the_next_request_works(sctx, tmp_path, speech_file):
    (tmp_path / "empty.wav").write_bytes(b"")
    (tmp_path / "notes.mp3").write_text("not audio at all " * 50)
    nan = tone(440, 1.0, 16_000)
    nan[10:20] = np.inf
    cases = [
        (None, "No audio"),
        (str(tmp_path / "empty.wav"), "empty"),
        (write(tmp_path, "one.wav", np.zeros(1, np.float32)), "too short"),
        (str(tmp_path / "notes.mp3"), "allowed formats: wav, flac, ogg, mp3"),
        (write(tmp_path, "inf.wav", nan, subtype="FLOAT"), "NaN or infinite"),
        (write(tmp_path, "long.flac", tone(100, 121.0, 2_000), 2_000), "limit is 2 min 0 s"),
    ]
    for audio, message in cases:
        with pytest.raises(gr.Error, match=message):
            asr.transcribe(sctx, audio, WHISPER)
    with pytest.raises(gr.Error, match="only transcribes"):
        asr.transcribe(sctx, speech_file, MOONSHINE, "auto", "translate")
    with pytest.raises(gr.Error, match="Unknown language"):
        asr.transcribe(sctx, speech_file, WHISPER, "klingon")
    with pytest.raises(gr.Error, match="Unknown model"):
        asr.transcribe(sctx, speech_file, "text-to-speech/mms-tts-eng")
    with pytest.raises(gr.Error, match="only knows en"):
        asr.transcribe(sctx, speech_file, MOONSHINE, "fr")
    assert "1 piece" in asr.transcribe(sctx, speech_file, WHISPER)[3]


def test_silence_says_no_speech_was_found(sctx, tmp_path):
    path = write(tmp_path, "quiet.wav", np.zeros(16_000 * 2, np.float32))
    with pytest.warns(UserWarning, match="No speech was found"):
        text, table, files, status = asr.transcribe(sctx, path, WHISPER)
    assert (text, table, files) == ("", [], []) and "No speech was found" in status


def audio_of(path):
    samples, rate = soundfile.read(path, dtype="float32")
    return samples, rate


def test_speech_comes_at_the_model_rate_and_grows_with_the_text(sctx, tiny_manager):
    short_path, status = tts.synthesize_speech(sctx, "Hello there.", VOICE)
    long_path, long_status = tts.synthesize_speech(
        sctx, "Hello there. " + "This sentence is somewhat longer than that. " * 4, VOICE)
    short, rate = audio_of(short_path)
    long, long_rate = audio_of(long_path)
    assert rate == long_rate == tiny_manager.get(VOICE).sampling_rate == 16_000
    assert len(long) > 2 * len(short) > 0
    assert "1 sentence" in status and "5 sentences" in long_status
    assert np.isfinite(long).all() and np.abs(long).max() <= 1.0


def test_same_seed_same_audio_and_speed_changes_the_length(sctx):
    text = "Seeds make synthesis repeatable."
    first, _ = tts.synthesize_speech(sctx, text, VOICE, 1.0, 7)
    again, _ = tts.synthesize_speech(sctx, text, VOICE, 1.0, 7)
    other, _ = tts.synthesize_speech(sctx, text, VOICE, 1.0, 8)
    assert np.array_equal(audio_of(first)[0], audio_of(again)[0])
    assert not np.array_equal(audio_of(first)[0], audio_of(other)[0])
    slow, _ = tts.synthesize_speech(sctx, text, VOICE, 0.5, 7)
    fast, _ = tts.synthesize_speech(sctx, text, VOICE, 2.0, 7)
    assert len(audio_of(slow)[0]) > len(audio_of(fast)[0])


def test_characters_the_voice_cannot_speak_are_dropped_with_a_notice(sctx):
    with pytest.warns(UserWarning, match="cannot speak: 4 2 ü"):
        _, status = tts.synthesize_speech(sctx, "Call me 42 times, über friend!", VOICE)
    assert "Left out characters" in status
    with pytest.raises(gr.Error, match="cannot speak any of the text"):
        tts.synthesize_speech(sctx, "1234 5678 ###", VOICE)


@pytest.mark.parametrize("args, message", [
    (("", VOICE), "empty"),
    (("x" * 601, VOICE), "limit is 600"),
    (("Hello", "text-to-speech/nope"), "Unknown model"),
    (("Hello", VOICE, 9.0), "Speed .* must be a number between 0.5 and 2, not 9"),
    (("Hello", VOICE, 1.0, -1), "Seed must be a whole number between 0 and 2147483647, not -1"),
    (("Hello", VOICE, "fast"), "Speed .* must be a number"),
])
def test_bad_tts_input_gets_clear_errors(sctx, args, message):
    with pytest.raises(gr.Error, match=message):
        tts.synthesize_speech(sctx, *args)


def test_speak_it_back_round_trip(sctx):
    path, _ = tts.synthesize_speech(sctx, "Speak it back. Then read it again.", VOICE, 1.0, 1)
    text, table, files, status = asr.transcribe(sctx, path, WHISPER, "en", "transcribe", True)
    seconds = len(audio_of(path)[0]) / 16_000
    assert re.search(r"of audio in 1 piece", status)
    assert all(end <= seconds + 1e-6 for _, end, _ in table)


BARK = "text-to-speech/bark-small"


def test_bark_speaks_at_24k_with_a_chosen_voice_and_a_seed(sctx, tiny_manager):
    runner = tiny_manager.get(BARK)
    assert runner.sampling_rate == 24_000 and "v2/zh_speaker_7" in runner.voices
    first, status = tts.synthesize_speech(sctx, "这部电影太好看了。我还想再看一遍。", BARK, 1.0, 5, "v2/zh_speaker_7")
    again, _ = tts.synthesize_speech(sctx, "这部电影太好看了。我还想再看一遍。", BARK, 1.0, 5, "v2/zh_speaker_7")
    samples, rate = audio_of(first)
    assert rate == 24_000 and len(samples) > 0
    assert np.array_equal(samples, audio_of(again)[0])
    assert "2 sentences" in status and "voice v2/zh_speaker_7" in status
    assert "Left out" not in status  # the tokenizer knows these characters


def test_bark_refuses_unknown_voices_and_says_speed_is_ignored(sctx):
    with pytest.raises(gr.Error, match="Unknown voice 'v2/xx_speaker_0'.*v2/en_speaker_6"):
        tts.synthesize_speech(sctx, "Hello", BARK, 1.0, 0, "v2/xx_speaker_0")
    with pytest.raises(gr.Error, match="has one voice"):
        tts.synthesize_speech(sctx, "Hello", VOICE, 1.0, 0, "v2/en_speaker_6")
    with pytest.warns(UserWarning, match="no speed control"):
        _, status = tts.synthesize_speech(sctx, "Hello there.", BARK, 1.5, 0, "v2/en_speaker_6")
    assert "speed 1.5 was ignored" in status


def test_voice_dropdown_follows_the_model(sctx):
    bark = tts.voice_choices(sctx, BARK)
    assert bark.interactive and bark.value == "v2/en_speaker_6"
    vits = tts.voice_choices(sctx, VOICE)
    assert not vits.interactive and vits.value == ""


# --- a long recording as it goes: each piece's text as soon as it is done, a bar that only grows, Stop ----------

class Request:
    def __init__(self, session_hash):
        self.session_hash = session_hash


@pytest.fixture
def counted_pieces(sctx, tiny_manager, tmp_path, monkeypatch):
    """A 50 s recording (three pieces for Moonshine) and a model that says which piece it heard."""
    runner = tiny_manager.get(MOONSHINE)
    heard = []

    def pipe(pieces, **kwargs):
        heard.append(len(pieces))
        return [{"text": f"piece {len(heard)} said this."} for _ in pieces]

    monkeypatch.setattr(runner, "pipe", pipe)
    return write(tmp_path, "long.wav", tone(200, 50.0, 16_000, amplitude=0.3)), heard


def test_a_long_transcript_streams_each_finished_piece_and_the_bar_only_grows(sctx, counted_pieces):
    from tests.progress_log import ProgressLog, assert_grows

    path, heard = counted_pieces
    progress = ProgressLog()
    outputs = list(asr.transcribe_audio(sctx, path, MOONSHINE, progress=progress))
    assert heard == [1, 1, 1]  # on CPU one piece at a time, so each shows when it is done
    texts = [text for text, _, _, _ in outputs]
    assert texts == ["piece 1 said this.", "piece 1 said this. piece 2 said this.",
                     "piece 1 said this. piece 2 said this. piece 3 said this."]
    assert_grows(texts)
    tables = [table for _, table, _, _ in outputs]
    assert [len(table) for table in tables] == [1, 2, 3] and all(b[:len(a)] == a for a, b in zip(tables, tables[1:]))
    assert [files for _, _, files, _ in outputs[:-1]] == [[], []] and len(outputs[-1][2]) == 2
    assert [status.rsplit(" · ", 1)[-1] for _, _, _, status in outputs[:-1]] == \
        ["1 of 3 pieces transcribed", "2 of 3 pieces transcribed"]
    assert "50 s of audio in 3 pieces" in outputs[-1][3]
    progress.assert_monotone(end=1.0)
    assert [value for value, desc in progress.reports if desc.startswith("Transcrib")] == [0, 1 / 3, 2 / 3, 1.0]


def test_stop_keeps_the_pieces_already_transcribed(sctx, counted_pieces):
    from demos.ui.generation_common import STOPS

    path, heard = counted_pieces
    request, outputs = Request("stopping-listener"), []
    for output in asr.transcribe_audio(sctx, path, MOONSHINE, request=request):
        outputs.append(output)
        if len(outputs) == 1:
            assert STOPS.stop(request, asr.NAME)
    text, table, files, status = outputs[-1]
    assert heard == [1] and text == "piece 1 said this." and len(table) == 1
    assert "stopped: 1 of 3 pieces transcribed" in status
    assert open(files[1], encoding="utf-8").read() == "piece 1 said this.\n"
    assert not STOPS.stop(request, asr.NAME)
