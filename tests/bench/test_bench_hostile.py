"""bench/hostile.py's payloads are what they claim: small on disk, large (or declared large) once decoded."""

from __future__ import annotations

import io

from PIL import Image

from bench.hostile import flac_silence, marked_png, png


def test_header_bomb_declares_ten_billion_pixels_in_a_few_hundred_bytes():
    data = png(100_000, 100_000, rows=1)
    assert len(data) < 1000
    Image.MAX_IMAGE_PIXELS, limit = None, Image.MAX_IMAGE_PIXELS  # read the header only, without PIL's guard
    try:
        assert Image.open(io.BytesIO(data)).size == (100_000, 100_000)
    finally:
        Image.MAX_IMAGE_PIXELS = limit


def test_pixel_bomb_decodes_to_its_full_size():
    data = png(2000, 1500)
    assert len(data) < 20_000  # 9 MB of pixels
    image = Image.open(io.BytesIO(data))
    image.load()
    assert image.size == (2000, 1500) and image.mode == "RGB" and image.getextrema() == ((0, 0),) * 3


def test_audio_bomb_header_says_what_decoding_would_cost(tmp_path):
    import soundfile

    path = tmp_path / "bomb.flac"
    flac_silence(path, 192_000, 8, 3)
    info = soundfile.info(path)
    assert (info.samplerate, info.channels, info.frames) == (192_000, 8, 576_000)
    assert path.stat().st_size < 0.01 * info.frames * info.channels * 2  # 1% of its 16-bit size


def test_door_images_are_unique_and_readable():
    first, second = marked_png(1, padding=100), marked_png(1, padding=100)
    assert first != second  # each request would write a new file
    assert Image.open(io.BytesIO(first)).size == (32, 32)
