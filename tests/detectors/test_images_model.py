"""The real NudeNet model, offline, on the labeled benign set (needs the ``images`` extra).

What this measures is the side that can honestly be measured: no benign image is removed.
Explicit images cannot be shipped; their decision path is tested with a fake session in
``test_images.py``.
"""

from __future__ import annotations

import importlib.util
import io
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("onnxruntime", reason="needs the optional extra: pip install 'vigie[images]'")
pytest.importorskip("nudenet", reason="needs the optional extra: pip install 'vigie[images]'")
pytest.importorskip("PIL", reason="needs the optional extra: pip install 'vigie[images]'")

from PIL import Image

from vigie.bench.images_evalset import KINDS, eval_set, evaluate
from vigie.detectors.images import ImageDetector, ImageOptions, load_model
from vigie.media.decode import ImageDecodeError, decode_image
from vigie.media.nudity import NudityModel, load_session
from vigie.media.sources import MemorySource
from vigie.policy import load_policy


@pytest.fixture(scope="module")
def model() -> NudityModel:
    loaded, why = load_model()
    assert loaded is not None, why
    return loaded


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    attempts: list[Any] = []

    def refuse(self: socket.socket, address: Any) -> None:
        attempts.append(address)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    yield attempts


def test_model_loads_and_runs_offline(no_network: list[Any]) -> None:
    session = load_session()
    model = NudityModel(session)
    buffer = io.BytesIO()
    Image.new("RGB", (200, 100), (30, 120, 200)).save(buffer, "PNG")
    (analysis,) = model.analyse([buffer.getvalue()])
    assert not isinstance(analysis, Exception)
    assert (analysis.width, analysis.height) == (200, 100)
    assert no_network == []


@pytest.fixture(scope="module")
def results(model: NudityModel) -> list[Any]:
    items = eval_set(per_kind=6)
    source = MemorySource({f"mem://{it.name}": it.data for it in items})
    detector = ImageDetector(ImageOptions(), model, source)
    return evaluate(items, detector, load_policy())


def test_no_benign_image_is_removed(results: list[Any]) -> None:
    removed = [(r.name, r.signals) for r in results if r.action not in ("allow", "review")]
    assert removed == []


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_generated_images_get_an_acceptable_decision(results: list[Any], kind: str) -> None:
    mine = [r for r in results if r.kind == kind]
    assert len(mine) == 6
    assert [(r.name, r.action, r.signals) for r in mine if not r.correct] == []


def test_package_photographs_are_allowed(results: list[Any]) -> None:
    photos = [r for r in results if r.kind == "photo"]
    if not photos:
        pytest.skip("scikit-image (dev extra) is not installed: no package photographs")
    assert [(r.name, r.action, r.signals) for r in photos if r.action != "allow"] == []


def test_boxes_agree_with_nudenet_own_code() -> None:
    # Geometry check against NudeNet's reference implementation (OpenCV), on a photograph.
    cv2_spec = importlib.util.find_spec("cv2")
    skimage = importlib.util.find_spec("skimage")
    if cv2_spec is None or skimage is None or not skimage.submodule_search_locations:
        pytest.skip("needs OpenCV (installed with nudenet) and scikit-image (dev extra)")
    from nudenet import NudeDetector  # type: ignore[import-untyped]

    file = Path(next(iter(skimage.submodule_search_locations))) / "data" / "astronaut.png"
    reference = {d["class"]: d["box"] for d in NudeDetector().detect(str(file))}
    ours = {r.label: list(r.box) for r in NudityModel(load_session()).analyse(
        [file.read_bytes()])[0].regions}  # type: ignore[union-attr]
    assert set(ours) == set(reference) == {"FACE_FEMALE"}
    assert all(abs(a - b) <= 3 for a, b in zip(ours["FACE_FEMALE"], reference["FACE_FEMALE"],
                                               strict=True))


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "WEBP"])
def test_every_allowed_format_decodes(fmt: str) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), (200, 30, 30)).save(buffer, fmt)
    decoded = decode_image(buffer.getvalue())
    assert (decoded.width, decoded.height) == (120, 80) and decoded.image.mode == "RGB"


@pytest.mark.parametrize(("data", "reason"), [
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "could not be decoded"),
    (b"BM" + b"\x00" * 60, "could not be decoded"),
])
def test_undecodable_bytes(data: bytes, reason: str) -> None:
    with pytest.raises(ImageDecodeError, match=reason):
        decode_image(data)


def test_pixel_limit_is_checked_before_decoding() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300)).save(buffer, "PNG")
    with pytest.raises(ImageDecodeError, match="too large to decode"):
        decode_image(buffer.getvalue(), max_pixels=100_000)


def test_other_formats_are_refused() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20)).save(buffer, "BMP")
    with pytest.raises(ImageDecodeError, match="not a JPEG, PNG, GIF or WebP"):
        decode_image(buffer.getvalue())
