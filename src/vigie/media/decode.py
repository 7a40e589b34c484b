"""Decoding an image for the model, and telling a drawing from a photograph.

Needs Pillow (the ``images`` extra). Decoding is bounded: the pixel count is checked from the
header before any pixel is decoded (a 100,000 × 100,000 PNG of a few kilobytes must not take
the server's memory), JPEGs are decoded at a reduced scale directly (``draft``), and a GIF is
judged on its first frame.

:func:`drawing_score` measures how much an image looks like a drawing, diagram or cartoon
rather than a photograph: drawings are made of flat areas of a few colours, photographs of
noisy gradients. The detector reports explicit regions found in a drawing as a separate
signal, so that the policy can hold anatomical and medical illustrations for a human instead
of removing them.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from vigie.errors import MediaError

__all__ = ["Decoded", "ImageDecodeError", "decode_image", "drawing_score", "letterbox"]

_FORMATS = frozenset({"JPEG", "PNG", "GIF", "WEBP"})
_STATS_SIDE = 96  # the drawing statistics are computed on a small copy


class ImageDecodeError(MediaError):
    """The bytes are not a decodable image within the limits (message: a few safe words)."""


@dataclass(frozen=True, slots=True)
class Decoded:
    """A decoded image.

    Attributes:
        image: RGB image, possibly decoded at a reduced scale (``scale`` below).
        width: width of the original image, in pixels.
        height: height of the original image, in pixels.
        animated: whether the file has more than one frame (only the first is judged).
    """

    image: Image.Image
    width: int
    height: int
    animated: bool


def decode_image(data: bytes, *, max_pixels: int = 40_000_000, side: int = 320) -> Decoded:
    """Decode ``data`` into an RGB image at least ``side`` pixels on its long side (pure).

    Raises:
        ImageDecodeError: not a JPEG, PNG, GIF or WebP; more than ``max_pixels`` pixels;
            truncated or corrupt.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in _FORMATS:
                raise ImageDecodeError("not a JPEG, PNG, GIF or WebP image")
            width, height = image.size
            if width < 1 or height < 1:
                raise ImageDecodeError("empty image")
            if width * height > max_pixels:
                raise ImageDecodeError(f"image too large to decode ({width}x{height} pixels)")
            animated = bool(getattr(image, "is_animated", False))
            if image.format == "JPEG":
                # Decode at 1/2, 1/4 or 1/8 scale when the image is much larger than needed.
                image.draft("RGB", (2 * side, 2 * side))
            rgb = image.convert("RGB")
    except ImageDecodeError:
        raise
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError) as error:
        raise ImageDecodeError(f"image could not be decoded ({type(error).__name__})") from None
    return Decoded(rgb, width, height, animated)


def letterbox(image: Image.Image, side: int = 320) -> NDArray[np.float32]:
    """The model's input: ``image`` scaled to fit ``side`` × ``side``, padded right and below.

    This is NudeNet's own preprocessing (pad to a square with black, resize, scale to [0, 1],
    channels first), done with Pillow instead of OpenCV; pure.

    Returns:
        Array of shape ``(3, side, side)``, values in [0, 1].
    """
    width, height = image.size
    scale = side / max(width, height)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    resized = image.resize(size, Image.Resampling.BILINEAR, reducing_gap=3.0)
    canvas = np.zeros((side, side, 3), dtype=np.float32)
    canvas[: size[1], : size[0]] = np.asarray(resized, dtype=np.float32) / 255.0
    return np.ascontiguousarray(canvas.transpose(2, 0, 1))


def drawing_score(image: Image.Image) -> float:
    """How much ``image`` looks like a drawing rather than a photograph, in [0, 1] (pure).

    The share of neighbouring pixel pairs, on a copy at most 96 pixels wide, whose colours
    are exactly equal. Drawings, diagrams and cartoons are made of flat fills and keep most
    pairs equal even after JPEG compression (0.65 to 0.98 on the generated set); the noise and
    texture of a photograph break them (0.01 to 0.31 on scikit-image's sample photographs,
    grey-scale ones included). A gradient chart or a photo of text scores like a photograph;
    see docs/images.md for the measured values.
    """
    small = image.copy()
    small.thumbnail((_STATS_SIDE, _STATS_SIDE), Image.Resampling.BILINEAR)
    pixels = np.asarray(small, dtype=np.uint8)
    if pixels.ndim != 3 or pixels.shape[0] < 2 or pixels.shape[1] < 2:
        return 0.0
    same_x = (pixels[:, 1:] == pixels[:, :-1]).all(axis=-1)
    same_y = (pixels[1:, :] == pixels[:-1, :]).all(axis=-1)
    return round(float(same_x.sum() + same_y.sum()) / float(same_x.size + same_y.size), 4)
