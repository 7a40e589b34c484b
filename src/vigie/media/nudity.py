"""NudeNet's body-part detector, run offline on CPU through ONNX Runtime.

The weights are NudeNet 3.4.2's ``320n.onnx`` (a YOLOv8-nano detector, 320 × 320 input, 18
classes of exposed and covered body parts, faces and feet), read from the installed ``nudenet``
package: nothing is downloaded. NudeNet is AGPL-3.0 (its LICENSE file; its metadata says MIT),
so it is installed only with the optional ``images`` extra and imported only here, lazily.
Only the weights are used: decoding (Pillow), the letterbox and the box decoding and
non-maximum suppression (numpy) are Vigie's, written after NudeNet's own ``_read_image`` and
``_postprocess`` so that the boxes agree, without OpenCV and without a Python loop per box.

:class:`NudityModel` takes any object with ONNX Runtime's ``InferenceSession`` interface, so
tests pass a fake session that records its inputs and returns crafted outputs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from vigie.media.decode import ImageDecodeError, decode_image, drawing_score, letterbox

__all__ = [
    "LABELS",
    "MODEL_NAME",
    "ImageAnalysis",
    "NudityModel",
    "OnnxSession",
    "Region",
    "load_session",
]

#: The model's classes, in output order (NudeNet 3.4 ``__labels``).
LABELS = (
    "FEMALE_GENITALIA_COVERED", "FACE_FEMALE", "BUTTOCKS_EXPOSED", "FEMALE_BREAST_EXPOSED",
    "FEMALE_GENITALIA_EXPOSED", "MALE_BREAST_EXPOSED", "ANUS_EXPOSED", "FEET_EXPOSED",
    "BELLY_COVERED", "FEET_COVERED", "ARMPITS_COVERED", "ARMPITS_EXPOSED", "FACE_MALE",
    "BELLY_EXPOSED", "MALE_GENITALIA_EXPOSED", "ANUS_COVERED", "FEMALE_BREAST_COVERED",
    "BUTTOCKS_COVERED",
)
MODEL_NAME = "nudenet-3.4.2-320n"
_SIDE = 320
_BATCH = 8


class OnnxSession(Protocol):
    """The part of ``onnxruntime.InferenceSession`` the model uses."""

    def get_inputs(self) -> Sequence[Any]:
        """Input descriptions (each with a ``name``)."""
        ...

    def run(self, output_names: Sequence[str] | None,
            input_feed: Mapping[str, Any]) -> Sequence[Any]:
        """Run the graph on ``input_feed``; the first output is ``(batch, 22, boxes)``."""
        ...


@dataclass(frozen=True, slots=True)
class Region:
    """One body part found in an image.

    Attributes:
        label: a NudeNet class (``FEMALE_GENITALIA_EXPOSED``...).
        score: the model's confidence, in [0, 1] (not calibrated; see docs/images.md).
        box: ``(x, y, width, height)`` in pixels of the original image.
    """

    label: str
    score: float
    box: tuple[int, int, int, int]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (pure)."""
        return {"label": self.label, "score": round(self.score, 4), "box": list(self.box)}


@dataclass(frozen=True, slots=True)
class ImageAnalysis:
    """What the model saw in one image.

    Attributes:
        regions: body parts found, strongest first.
        width: original width, in pixels.
        height: original height, in pixels.
        drawing: :func:`~vigie.media.decode.drawing_score`, in [0, 1].
        animated: whether only the first frame of an animation was judged.
    """

    regions: tuple[Region, ...]
    width: int
    height: int
    drawing: float
    animated: bool


def load_session(threads: int = 1) -> OnnxSession:
    """Open NudeNet's bundled ``320n.onnx`` on the CPU (reads a 12 MB file; no network).

    Args:
        threads: intra-op threads (1: the benchmark's one core per worker).

    Raises:
        ImportError: the ``images`` extra (``onnxruntime``, ``nudenet``) is not installed.
        OSError: the weights file is missing from the installed package.
    """
    import onnxruntime  # type: ignore[import-untyped, unused-ignore]

    weights = resources.files("nudenet").joinpath("320n.onnx")
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    with resources.as_file(weights) as path:
        if not path.is_file():
            raise OSError(f"NudeNet weights not found at {path}")
        session: OnnxSession = onnxruntime.InferenceSession(
            str(path), options, providers=["CPUExecutionProvider"])
    return session


def _nms(boxes: NDArray[np.float32], scores: NDArray[np.float32], iou: float) -> list[int]:
    """Greedy non-maximum suppression over ``(x1, y1, x2, y2)`` boxes, all classes (pure)."""
    order = np.argsort(-scores, kind="stable")
    areas = (boxes[:, 2] - boxes[:, 0]).clip(0) * (boxes[:, 3] - boxes[:, 1]).clip(0)
    keep: list[int] = []
    while order.size:
        i = int(order[0])
        keep.append(i)
        rest = order[1:]
        w = (np.minimum(boxes[i, 2], boxes[rest, 2]) - np.maximum(boxes[i, 0], boxes[rest, 0]))
        h = (np.minimum(boxes[i, 3], boxes[rest, 3]) - np.maximum(boxes[i, 1], boxes[rest, 1]))
        inter = w.clip(0) * h.clip(0)
        union = areas[i] + areas[rest] - inter
        overlap = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
        order = rest[overlap <= iou]
    return keep


class NudityModel:
    """Finds body parts in images, in batches. Load once; not thread-safe."""

    def __init__(self, session: OnnxSession, *, floor: float = 0.25, iou: float = 0.45,
                 max_pixels: int = 40_000_000) -> None:
        """Wrap an ONNX session.

        Args:
            session: ``onnxruntime.InferenceSession`` of ``320n.onnx`` (or a test fake).
            floor: boxes below this confidence are not regions (NudeNet's own NMS floor).
            iou: overlap above which a weaker box is suppressed (NudeNet's value).
            max_pixels: images with more pixels are refused before decoding.
        """
        self.session = session
        self.input_name = str(session.get_inputs()[0].name)
        self.floor = floor
        self.iou = iou
        self.max_pixels = max_pixels

    def analyse(self, images: Sequence[bytes]) -> list[ImageAnalysis | ImageDecodeError]:
        """Analyse each image; an image that cannot be decoded gets its error instead.

        Raises:
            Exception: whatever the ONNX session raises (the pipeline records it as a
                detector failure on the comments concerned).
        """
        out: list[ImageAnalysis | ImageDecodeError] = []
        for start in range(0, len(images), _BATCH):
            out.extend(self._batch(images[start:start + _BATCH]))
        return out

    def _batch(self, images: Sequence[bytes]) -> list[ImageAnalysis | ImageDecodeError]:
        results: list[ImageAnalysis | ImageDecodeError] = []
        inputs: list[NDArray[np.float32]] = []
        pending: list[tuple[int, int, int, float, bool]] = []  # index, w, h, drawing, animated
        for data in images:
            try:
                decoded = decode_image(data, max_pixels=self.max_pixels, side=_SIDE)
            except ImageDecodeError as error:
                results.append(error)
                continue
            pending.append((len(results), decoded.width, decoded.height,
                            drawing_score(decoded.image), decoded.animated))
            inputs.append(letterbox(decoded.image, _SIDE))
            results.append(ImageDecodeError("pending"))  # replaced below
        if not inputs:
            return results
        raw = np.asarray(self.session.run(None, {self.input_name: np.stack(inputs)})[0])
        for row, (index, width, height, drawing, animated) in enumerate(pending):
            regions = self._regions(raw[row], width, height)
            results[index] = ImageAnalysis(regions, width, height, drawing, animated)
        return results

    def _regions(self, output: NDArray[Any], width: int, height: int) -> tuple[Region, ...]:
        """Decode one image's ``(4 + classes, boxes)`` output into regions (pure)."""
        rows = np.asarray(output, dtype=np.float32).T
        classes = rows[:, 4:]
        best = classes.argmax(axis=1)
        conf = classes[np.arange(rows.shape[0]), best]
        keep = conf >= self.floor
        if not keep.any():
            return ()
        rows, best, conf = rows[keep], best[keep], conf[keep]
        # The model saw the image padded to a square of the long side, scaled to 320.
        factor = max(width, height) / _SIDE
        cx, cy, w, h = (rows[:, i] * factor for i in range(4))
        x1 = (cx - w / 2).clip(0, width)
        y1 = (cy - h / 2).clip(0, height)
        x2 = (cx + w / 2).clip(0, width)
        y2 = (cy + h / 2).clip(0, height)
        boxes = np.stack([x1, y1, x2, y2], axis=1)
        regions = []
        for i in _nms(boxes, conf, self.iou):
            label_index = int(best[i])
            label = LABELS[label_index] if label_index < len(LABELS) else f"CLASS_{label_index}"
            x, y = int(x1[i]), int(y1[i])
            regions.append(Region(label, float(conf[i]),
                                  (x, y, int(x2[i]) - x, int(y2[i]) - y)))
        return tuple(regions)
