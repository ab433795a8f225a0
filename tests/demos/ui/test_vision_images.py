"""Reading uploaded images: every mode to RGB, EXIF rotation, size limits, and clear errors for bad files."""

import struct
import zlib

import gradio as gr
import numpy as np
import pytest
from PIL import Image

from demos.ui.vision_common import ImageLimits, read_image, to_rgb

LIMITS = ImageLimits(max_pixels=1_000_000, max_side=512, max_bytes=2 * 1024 * 1024)


def save(image: Image.Image, path, **kwargs) -> str:
    image.save(path, **kwargs)
    return str(path)


@pytest.mark.parametrize("mode", ["RGBA", "LA", "L", "1", "P", "CMYK", "I;16", "I", "F", "YCbCr"])
def test_every_mode_becomes_rgb(mode):
    base = Image.linear_gradient("L").resize((40, 30))
    image = base.convert(mode) if mode not in ("I;16", "I", "F") else Image.fromarray(
        (np.asarray(base, dtype=np.float32) * 200).astype({"I;16": np.uint16, "I": np.int32, "F": np.float32}[mode]))
    prepared = read_image(image, LIMITS)
    assert prepared.image.mode == "RGB" and prepared.image.size == (40, 30)
    assert any("converted from" in note for note in prepared.notes)


def test_transparent_pixels_become_white_not_black():
    image = Image.new("RGBA", (20, 20), (255, 0, 0, 0))
    image.paste((0, 0, 255, 255), (0, 0, 10, 20))
    rgb = to_rgb(image)
    assert rgb.getpixel((15, 5)) == (255, 255, 255) and rgb.getpixel((5, 5)) == (0, 0, 255)
    palette = image.convert("P")  # a palette image with a transparent index
    palette.info["transparency"] = palette.getpixel((15, 5))
    assert to_rgb(palette).getpixel((15, 5)) == (255, 255, 255)


def test_16_bit_grayscale_is_stretched_not_clipped():
    array = np.linspace(0, 65535, 64 * 16, dtype=np.uint16).reshape(16, 64)
    rgb = read_image(array, LIMITS).image
    assert rgb.getpixel((0, 0))[0] == 0 and rgb.getpixel((63, 15))[0] == 255


def test_exif_orientation_is_applied(tmp_path):
    image = Image.new("RGB", (60, 20), (200, 0, 0))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to view
    path = save(image, tmp_path / "phone.jpg", exif=exif)
    prepared = read_image(path, LIMITS)
    assert prepared.image.size == (20, 60) and prepared.original_size == (20, 60)
    assert "rotated upright (EXIF orientation)" in prepared.notes


def test_large_photos_are_downscaled_with_a_note(tmp_path):
    path = save(Image.new("RGB", (1000, 400), (10, 20, 30)), tmp_path / "wide.png")
    prepared = read_image(path, LIMITS)
    assert prepared.image.size == (512, 205) and prepared.scale == pytest.approx(0.512)
    assert "downscaled from 1000×400 to 512×205" in prepared.notes


def test_pixel_limit_is_stated(tmp_path):
    path = save(Image.new("L", (1200, 1000)), tmp_path / "big.png")
    with pytest.raises(gr.Error, match=r"1200×1000 = 1 megapixels; the limit is 1 megapixels"):
        read_image(path, LIMITS)


def png_header_only(path, width: int, height: int) -> str:
    """A PNG that claims to be width×height but carries almost no data: a decompression bomb's header."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 10))
                     + chunk(b"IEND", b""))
    return str(path)


def test_decompression_bomb_is_refused_before_decoding(tmp_path):
    # 60000² = 3.6 gigapixels: PIL itself refuses it at open; our limit is named in the message
    with pytest.raises(gr.Error, match="limit is 50 megapixels"):
        read_image(png_header_only(tmp_path / "bomb.png", 60_000, 60_000), ImageLimits(max_pixels=50_000_000))
    # 9000² = 81 megapixels: under PIL's own guard, refused by ours
    with pytest.raises(gr.Error, match="9000×9000 = 81 megapixels; the limit is 50"):
        read_image(png_header_only(tmp_path / "bomb2.png", 9_000, 9_000), ImageLimits(max_pixels=50_000_000))


@pytest.mark.parametrize("content, message", [
    (b"this is a text file, not an image", "not an image"),
    (b"", "empty"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "not an image"),
])
def test_files_that_are_not_images_get_a_clear_error(tmp_path, content, message):
    path = tmp_path / "upload.png"
    path.write_bytes(content)
    with pytest.raises(gr.Error, match=message):
        read_image(str(path), LIMITS)


def test_truncated_file_is_reported_as_corrupt(tmp_path):
    full = tmp_path / "full.jpg"
    Image.effect_noise((200, 200), 60).convert("RGB").save(full, quality=90)
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    with pytest.raises(gr.Error, match="corrupt or truncated"):
        read_image(str(cut), LIMITS)


def test_tiny_images_and_missing_input_are_refused(tmp_path):
    with pytest.raises(gr.Error, match=r"1×1 pixels: too small"):
        read_image(save(Image.new("RGB", (1, 1)), tmp_path / "dot.png"), LIMITS)
    with pytest.raises(gr.Error, match="No image"):
        read_image(None, LIMITS)
    with pytest.raises(gr.Error, match="could not be found"):
        read_image(str(tmp_path / "gone.png"), LIMITS)
    with pytest.raises(gr.Error, match="shape"):
        read_image(np.zeros((4, 4, 4, 4)), LIMITS)


def test_file_size_limit(tmp_path):
    path = tmp_path / "huge.bmp"
    Image.effect_noise((1000, 800), 50).convert("RGB").save(path)  # 2.4 MB uncompressed
    with pytest.raises(gr.Error, match=r"2\.3 MB; the limit is 2 MB"):
        read_image(str(path), LIMITS)


def test_example_photos_read_as_rgb():
    from demos.examples import example_path

    for name, size in [("china.jpg", (640, 427)), ("flower.jpg", (640, 427)), ("road_scene.png", (640, 400))]:
        prepared = read_image(example_path(name), ImageLimits())
        assert prepared.image.mode == "RGB" and prepared.image.size == size
