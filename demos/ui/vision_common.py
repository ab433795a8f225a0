"""What the vision tabs share: reading an uploaded image safely, and the image input component.

``read_image`` turns whatever arrives (a file path from the browser or the API, a PIL image, a numpy array)
into an RGB PIL image that every processor accepts:
- refuses what is not an image, corrupt or truncated files, images under ``min_side`` pixels, and images
  above ``max_pixels`` (decompression bombs) before decoding them, saying the limit;
- applies the EXIF orientation, so phone photos are upright;
- converts any mode (RGBA and LA over white, P with transparency, L, 1, CMYK, 16-bit and float) to RGB;
- downscales photos whose long side exceeds ``max_side`` (the models resize to a few hundred pixels anyway)
  and says so.
PIL and numpy only: no torch here.
"""

from __future__ import annotations

import base64
import binascii
import functools
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from demos.ui.common import error_text
from models.runtime.decode_budget import DECODED, BudgetError, DecodeBudget
from models.settings import ImageLimits  # (DEMO_MAX_IMAGE_*; tabs take the app's from ctx.settings.image)
from models.runtime.temp_dirs import fresh_temp_dir

FORMATS = "JPEG, PNG, WebP, GIF, BMP or TIFF"
EXIF_ORIENTATION = 0x0112


@dataclass(frozen=True)
class PreparedImage:
    image: Image.Image            # RGB, upright, at most max_side on its long side
    original_size: tuple[int, int]  # (width, height) as uploaded, after EXIF rotation
    notes: tuple[str, ...]        # what was done to it, for the status line

    @property
    def scale(self) -> float:
        """Displayed size / original size (1.0 unless the image was downscaled)."""
        return self.image.width / self.original_size[0]


def read_image(value: Any, limits: ImageLimits | None = None, budget: DecodeBudget | None = None) -> PreparedImage:
    """An RGB PIL image ready for a model, or a gr.Error saying what is wrong and what is allowed.

    The pixels are decoded inside a reservation of the process-wide budget for decoded media
    (``models.runtime.decode_budget``), sized from the header before decoding: each image is bounded by ``max_pixels``,
    and all the images being decoded at once by the budget; a large one is decoded at a lower CPU priority
    (the budget's background lane). What comes back is at most ``max_side`` on its
    long side (12 MB at 2048 x 2048), whatever was uploaded."""
    limits = limits or ImageLimits()
    if value is None or (isinstance(value, str) and not value.strip()):
        raise gr.Error("No image: upload a photo, paste one, or take one with the webcam.")
    if isinstance(value, np.ndarray):
        value = _from_array(value, limits)
    if isinstance(value, Image.Image):
        _check_pixels(value.size, limits)
        image = value
    elif isinstance(value, (str, Path)):
        image = _open_file(Path(str(value)), limits)
    else:
        raise gr.Error(f"An image must be a file, not a {type(value).__name__}. Upload a {FORMATS} image.")
    try:
        return (budget or DECODED).decode(decoding_bytes(image), "the image",
                                          lambda: _prepared(image, limits, owned=image is not value))
    except BudgetError as exc:
        if image is not value:
            image.close()  # opened here, never decoded: let the file go now
        raise gr.Error(error_text(exc)) from None


def decoding_bytes(image: Image.Image) -> int:
    """Memory that decoding and preparing ``image`` may take at its peak, from its header: the decoded pixels,
    an upright copy, and the conversion to 8-bit RGB (float32 work arrays for 16-bit and float images)."""
    width, height = image.size
    bands = len(image.getbands())
    depth = 1 if image.mode in _EIGHT_BIT_MODES else 4
    return width * height * (2 * bands * depth + (4 if image.mode == "RGB" else 8))


_EIGHT_BIT_MODES = {"1", "L", "P", "RGB", "RGBA", "RGBa", "CMYK", "YCbCr", "LAB", "HSV", "LA", "La", "PA"}


def _prepared(image: Image.Image, limits: ImageLimits, owned: bool) -> PreparedImage:
    """Decode (if not yet), turn upright, convert to RGB and downscale; ``owned``: ours to change in place."""
    _load(image)
    notes = []
    upright = image
    try:
        if image.getexif().get(EXIF_ORIENTATION, 1) != 1:
            upright = ImageOps.exif_transpose(image)
            notes.append("rotated upright (EXIF orientation)")
    except Exception:  # a broken EXIF block: keep the pixels as they are
        upright = image
    width, height = upright.size
    if min(width, height) < limits.min_side:
        raise gr.Error(f"The image is {width}×{height} pixels: too small to see anything. "
                       f"Use an image at least {limits.min_side}×{limits.min_side} pixels.")
    rgb = to_rgb(upright)
    if rgb.mode != upright.mode:
        notes.append(f"converted from {upright.mode} to RGB")
    if max(width, height) > limits.max_side:
        if rgb is image and not owned:
            rgb = rgb.copy()  # the caller's image: shrink a copy
        rgb.thumbnail((limits.max_side, limits.max_side), Image.Resampling.LANCZOS)
        notes.append(f"downscaled from {width}×{height} to {rgb.width}×{rgb.height}")
    return PreparedImage(rgb, (width, height), tuple(notes))


def _open_file(path: Path, limits: ImageLimits) -> Image.Image:
    """The image at ``path``, opened (its header read), not decoded yet."""
    try:
        size = path.stat().st_size
    except OSError:
        raise gr.Error("The uploaded image could not be found on the server; upload it again.") from None
    if size > limits.max_bytes:
        raise gr.Error(f"The file is {size / 2**20:.1f} MB; the limit is {limits.max_bytes / 2**20:.0f} MB. "
                       "Use a smaller or more compressed image.")
    if size == 0:
        raise gr.Error(f"The file is empty. Upload a {FORMATS} image.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # we apply our own limit below
            image = Image.open(path)
    except Image.DecompressionBombError:
        raise gr.Error(f"The image has too many pixels; the limit is {limits.max_pixels / 1e6:.0f} megapixels. "
                       "It may be a decompression bomb; otherwise downscale it first.") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise gr.Error(f"This file is not an image that can be read. Upload a {FORMATS} image.") from None
    _check_pixels(image.size, limits)
    return image


def _load(image: Image.Image) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image.load()
    except Exception:
        raise gr.Error(f"The image file is corrupt or truncated ({image.format or 'unknown'} "
                       f"{image.width}×{image.height}). Upload a complete {FORMATS} image.") from None


def _check_pixels(size: tuple[int, int], limits: ImageLimits) -> None:
    width, height = size
    if width * height > limits.max_pixels:
        raise gr.Error(f"The image is {width}×{height} = {width * height / 1e6:.0f} megapixels; the limit is "
                       f"{limits.max_pixels / 1e6:.0f} megapixels (a guard against decompression bombs). "
                       "Downscale it and try again.")


def _from_array(array: np.ndarray, limits: ImageLimits) -> Image.Image:
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (1, 3, 4)):
        raise gr.Error(f"An image array must be height×width, ×3 (RGB) or ×4 (RGBA); got shape {array.shape}.")
    if array.dtype.kind not in "biuf":
        raise gr.Error(f"An image array must hold numbers (8-bit, 16-bit or float), not {array.dtype.name} values.")
    _check_pixels((array.shape[1], array.shape[0]), limits)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.dtype != np.uint8:
        array = _to_uint8(array)
    return Image.fromarray(array)


def _to_uint8(values: np.ndarray) -> np.ndarray:
    """Stretch any numeric range (16-bit, 32-bit, float) to 0-255, in one float32 work array."""
    if values.dtype.kind == "f":
        finite = np.isfinite(values)
        if not finite.any():
            return np.zeros(values.shape, dtype=np.uint8)
        low = float(values.min(where=finite, initial=np.inf))
        high = float(values.max(where=finite, initial=-np.inf))
    else:
        low, high = (float(values.min()), float(values.max())) if values.size else (0.0, 0.0)
    if high <= low:
        return np.zeros(values.shape, dtype=np.uint8)
    scaled = np.array(values, dtype=np.float32)  # one work array, changed in place (no float64 copies)
    scaled -= low
    scaled *= 255.0 / (high - low)
    np.nan_to_num(scaled, copy=False, nan=0.0, posinf=255.0, neginf=0.0)
    np.clip(scaled, 0, 255, out=scaled)
    return np.rint(scaled, out=scaled).astype(np.uint8)


def to_rgb(image: Image.Image, background: tuple[int, int, int] = (255, 255, 255)) -> Image.Image:
    """Any PIL mode to RGB; transparent pixels become ``background`` rather than black."""
    if image.mode == "RGB":
        return image
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        return Image.fromarray(_to_uint8(np.asarray(image))).convert("RGB")
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    if image.mode in ("RGBA", "LA", "PA", "La", "RGBa"):
        rgba = image.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, background)
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        return canvas
    return image.convert("RGB")  # L, 1, CMYK, YCbCr, LAB, HSV


# --- the input component ----------------------------------------------------------------------

CHECKED_UPLOAD = "checked-image-upload"  # the CSS class that marks an image input whose uploads read_image checks


def image_input(label: str = "Image") -> gr.Image:
    """A ``gr.Image`` (upload, paste, webcam) that hands the uploaded file's path to the handler unopened.

    gr.Image opens every upload with PIL before the handler runs, so a non-image file or a decompression bomb
    would fail there with a bare error. For inputs made here (marked with the ``CHECKED_UPLOAD`` class), its
    ``preprocess`` passes the path through and ``read_image`` checks the file and answers with a clear message.
    The change is made on the class, keyed by that mark: gradio replaces a session's component with a fresh copy
    built from its constructor arguments when an event updates its props (selecting an example does), and the
    copy keeps the mark but not anything set on the instance. (A subclass would make gradio write a ``.pyi`` stub
    beside this module at import time.)
    """
    _check_uploads_of_marked_images()
    return gr.Image(label=label, type="filepath", sources=["upload", "clipboard", "webcam"], height=360,
                    elem_classes=[CHECKED_UPLOAD])


def _check_uploads_of_marked_images() -> None:
    original = gr.Image.preprocess
    if getattr(original, "checks_marked_uploads", False):
        return

    @functools.wraps(original)
    def preprocess(self, payload):
        classes = self.elem_classes or []
        if CHECKED_UPLOAD not in (classes.split() if isinstance(classes, str) else classes):
            return original(self, payload)
        if payload is not None and (payload.url or "").startswith("data:"):
            return data_url_file(payload.url)  # gradio would decode it whole, outside every limit
        if payload is not None and payload.path:
            return str(payload.path)
        try:
            return original(self, payload)
        except Exception:
            raise gr.Error(f"The upload could not be read as an image. Upload a {FORMATS} image.",
                           print_exception=False) from None

    preprocess.checks_marked_uploads = True
    gr.Image.preprocess = preprocess


def data_url_file(url: str) -> str:
    """The bytes of a ``data:`` URL (an image sent inline through the API) saved as a file, undecoded, so that
    ``read_image`` applies its limits and the decoded-media budget to it as to any upload."""
    head, _, body = url.partition(",")
    if ";base64" not in head:
        raise gr.Error(f"An inline image must be a base64 data: URL of a {FORMATS} image.")
    try:
        data = base64.b64decode(body, validate=False)
    except (ValueError, binascii.Error):
        raise gr.Error(f"The inline image is not valid base64. Send a {FORMATS} image.") from None
    path = fresh_temp_dir(INLINE_PREFIX, INLINE_MAX_AGE_S) / "inline-image"
    path.write_bytes(data)
    return str(path)


INLINE_PREFIX = "demo-inline-image-"
INLINE_MAX_AGE_S = 3600


def describe_notes(prepared: PreparedImage) -> str:
    return f" · image {'; '.join(prepared.notes)}" if prepared.notes else ""
