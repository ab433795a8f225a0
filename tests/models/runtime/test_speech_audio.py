"""Audio decoding, resampling, chunking, SRT and sentence splitting: pure functions, no model."""

import re

import numpy as np
import pytest
import soundfile

from models.runtime.audio_io import (AudioError, chunk_bounds, decode, is_silent, load_for_model, prepare, resample,
                                     to_mono_float, write_wav)
from models.text.speech_text import Segment, join_segments, split_sentences, srt_timestamp, to_srt


def tone(freq: float, seconds: float, rate: int, channels: int = 1, amplitude: float = 0.5) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    wave = (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    return np.stack([wave] * channels, axis=1) if channels > 1 else wave


def dominant_frequency(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / rate)[np.argmax(spectrum)])


@pytest.mark.parametrize("fmt, subtype", [("wav", "PCM_16"), ("flac", "PCM_16"), ("ogg", "VORBIS"),
                                          ("mp3", "MPEG_LAYER_III"), ("wav", "FLOAT")])
def test_a_stereo_44k_tone_becomes_16k_mono_with_the_same_duration_and_pitch(tmp_path, fmt, subtype):
    path = tmp_path / f"tone.{fmt}"
    soundfile.write(path, tone(440, 2.0, 44_100, channels=2), 44_100, subtype=subtype)
    audio = load_for_model(path, 16_000, max_seconds=60)
    assert audio.rate == 16_000 and audio.samples.ndim == 1 and audio.samples.dtype == np.float32
    assert audio.seconds == pytest.approx(2.0, abs=0.06)  # mp3 pads a frame or so
    assert dominant_frequency(audio.samples, 16_000) == pytest.approx(440, abs=2)
    assert 0.4 < np.abs(audio.samples).max() <= 1.0


def test_integer_samples_are_normalized_and_channels_averaged():
    stereo = np.array([[32767, -32768], [16384, 16384]], dtype=np.int16)
    mono = to_mono_float(stereo)
    assert mono.dtype == np.float32
    assert mono == pytest.approx([(32767 / 32768 - 1) / 2, 0.5], abs=1e-4)
    assert to_mono_float(np.array([0, 128, 255], dtype=np.uint8)) == pytest.approx([-1, 0, 127 / 128])
    assert np.abs(to_mono_float(np.array([0.0, 3.0, -6.0], dtype=np.float64))).max() == pytest.approx(1.0)


def test_resampling_keeps_duration_and_is_a_no_op_at_the_same_rate():
    wave = tone(1000, 1.0, 48_000)
    assert resample(wave, 48_000, 48_000) is not None and len(resample(wave, 48_000, 48_000)) == 48_000
    down = resample(wave, 48_000, 16_000)
    assert len(down) == 16_000 and dominant_frequency(down, 16_000) == pytest.approx(1000, abs=2)


@pytest.mark.parametrize("content, message", [
    (b"", "empty"),
    (b"RIFF\x00\x00\x00\x00WAVEfmt garbage that is not audio", "not a readable audio file"),
    (b"\x89PNG\r\n\x1a\n" + bytes(200), "allowed formats: wav, flac, ogg, mp3"),
    ("just some text, not audio\n".encode() * 20, "not a readable audio file"),
])
def test_bad_files_get_clear_errors(tmp_path, content, message):
    path = tmp_path / "upload.wav"
    path.write_bytes(content)
    with pytest.raises(AudioError, match=message):
        load_for_model(path, 16_000, 60)


def test_empty_short_long_and_nan_recordings_are_refused(tmp_path):
    with pytest.raises(AudioError, match="empty"):
        prepare(np.zeros((0, 1), np.float32), 16_000, 16_000, 60)
    with pytest.raises(AudioError, match=r"too short \(1 samples"):
        prepare(np.zeros((1, 1), np.float32), 16_000, 16_000, 60)
    with pytest.raises(AudioError, match="limit is 1 min 0 s"):
        prepare(np.zeros((16_000 * 61, 1), np.float32), 16_000, 16_000, 60)
    bad = tone(440, 1.0, 16_000)
    bad[100] = np.nan
    path = write_float(tmp_path / "nan.wav", bad)
    with pytest.raises(AudioError, match="NaN or infinite"):
        load_for_model(path, 16_000, 60)
    with pytest.raises(AudioError, match="does not exist"):
        decode(tmp_path / "missing.wav")


def write_float(path, samples, rate=16_000):
    soundfile.write(path, samples, rate, subtype="FLOAT")
    return path


def test_silence_is_recognized():
    assert is_silent(np.zeros(16_000, np.float32))
    assert is_silent(np.full(16_000, 1e-4, np.float32))
    assert not is_silent(tone(440, 0.5, 16_000))


def test_written_wav_reads_back_at_its_rate(tmp_path):
    path = write_wav(tmp_path / "out.wav", tone(440, 0.5, 22_050) * 3, 22_050)  # clipped, not wrapped
    info = soundfile.info(path)
    assert (info.samplerate, info.channels, info.subtype, info.frames) == (22_050, 1, "PCM_16", 11_025)


def test_chunks_tile_a_long_recording_and_cut_in_the_quiet_gaps():
    rate = 1000
    speech = tone(50, 75.0, rate)
    for gap in (27.0, 52.5):                       # quiet moments inside the search windows
        speech[int(gap * rate):int((gap + 0.3) * rate)] = 0
    bounds = chunk_bounds(speech, rate, max_seconds=30, search_seconds=5)
    assert bounds[0][0] == 0 and bounds[-1][1] == len(speech)
    assert all(a_end == b_start for (_, a_end), (b_start, _) in zip(bounds, bounds[1:]))
    assert all(0 < end - start <= 30 * rate for start, end in bounds)
    cuts = [end / rate for _, end in bounds[:-1]]
    assert len(cuts) == 2 and 27.0 <= cuts[0] <= 27.3 and 52.5 <= cuts[1] <= 52.8


def test_a_short_recording_is_one_chunk_and_a_silent_long_one_is_cut_at_the_limit():
    assert chunk_bounds(np.ones(100, np.float32), 10, 30) == [(0, 100)]
    bounds = chunk_bounds(np.zeros(1000, np.float32), 10, 30)
    assert 290 <= bounds[0][1] <= 300 and all(end - start <= 300 for start, end in bounds)  # cut near the limit
    assert sum(end - start for start, end in bounds) == 1000


SRT_CUE = re.compile(r"^(\d+)\n(\d{2}):(\d{2}):(\d{2}),(\d{3}) --> (\d{2}):(\d{2}):(\d{2}),(\d{3})\n(.+)\n$")


def parse_srt(text: str) -> list[tuple[int, float, float, str]]:
    cues = []
    for block in text.split("\n\n"):
        match = SRT_CUE.match(block if block.endswith("\n") else block + "\n")
        assert match, f"not an SRT cue: {block!r}"
        g = [int(x) if x.isdigit() else x for x in match.groups()]
        start = g[1] * 3600 + g[2] * 60 + g[3] + g[4] / 1000
        end = g[5] * 3600 + g[6] * 60 + g[7] + g[8] / 1000
        cues.append((g[0], start, end, g[9]))
    return cues


def test_srt_is_valid_numbered_and_in_order():
    segments = [Segment(0, 1.25, "Hello"), Segment(1.25, 1.25, " "), Segment(61.5, 3725.4, "world 你好")]
    cues = parse_srt(to_srt(segments))
    assert [c[0] for c in cues] == [1, 2]
    assert cues[0][1:] == (0, 1.25, "Hello") and cues[1][1:] == (61.5, 3725.4, "world 你好")
    assert srt_timestamp(3725.4) == "01:02:05,400"


def test_joined_transcript_spaces_words_but_not_chinese():
    assert join_segments([Segment(0, 1, " Hello"), Segment(1, 2, "world. ")]) == "Hello world."
    assert join_segments([Segment(0, 1, "你好"), Segment(1, 2, "世界")]) == "你好世界"
    assert join_segments([Segment(0, 1, "こんにちは。"), Segment(1, 2, "元気です")]) == "こんにちは。元気です"


def test_korean_segments_keep_the_space_between_them():
    # Hangul separates words with spaces: it was joined like Chinese ("안녕하세요반갑습니다")
    assert join_segments([Segment(0, 1, "안녕하세요"), Segment(1, 2, "반갑습니다")]) == "안녕하세요 반갑습니다"
    assert join_segments([Segment(0, 1, "ㅋㅋ"), Segment(1, 2, "좋아요")]) == "ㅋㅋ 좋아요"


def test_sentences_split_on_ends_and_long_ones_at_commas_then_spaces():
    assert split_sentences("Hi there. How are you?\nFine!  这是一句。这是二句！", 200) == \
        ["Hi there.", "How are you?", "Fine!", "这是一句。", "这是二句！"]
    long = "one, two, three, four, five, six, seven, eight, nine, ten " * 3
    pieces = split_sentences(long, 40)
    assert all(len(p) <= 40 for p in pieces) and " ".join(pieces).split() == long.split()
    assert split_sentences("x" * 95, 40) == ["x" * 40, "x" * 40, "x" * 15]
    assert split_sentences("  \n ", 40) == []


def test_an_over_long_file_is_refused_from_its_header_before_decoding(tmp_path, monkeypatch):
    path = tmp_path / "long.wav"
    soundfile.write(path, np.zeros(16_000 * 5, np.float32), 16_000)

    def no_decoding(*args, **kwargs):
        raise AssertionError("samples were read")

    monkeypatch.setattr(soundfile.SoundFile, "read", no_decoding)
    with pytest.raises(AudioError, match="^the recording is 5 s long; the limit is 3 s"):
        load_for_model(path, 16_000, max_seconds=3)


def test_old_output_folders_are_cleaned_up(tmp_path, monkeypatch):
    import os
    import tempfile

    from demos.ui.speech_common import output_dir

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    old, recent = output_dir(), output_dir()
    os.utime(old, (0, 0))
    fresh = output_dir(max_age_s=60)
    assert not old.exists() and recent.exists() and fresh.exists() and fresh.parent == tmp_path
