"""Image detector (6.4 e): findings and decisions, with a fake ONNX session.

No explicit image can be shipped, so the model is replaced by :class:`FakeSession`, which
records what it is given and answers crafted NudeNet outputs: the whole path after the model
(box decoding, scores, drawing check, findings, the policy's decision) is the real one. The
real model on real and generated benign images is in ``test_images_model.py``.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest

pytest.importorskip("PIL", reason="the image detector's tests need Pillow (vigie[images])")

from PIL import Image

from vigie.actions import Action
from vigie.detectors.images import ImageDetector, ImageOptions, create
from vigie.engine import decide
from vigie.errors import PolicyError
from vigie.findings import Finding
from vigie.media.nudity import LABELS, NudityModel
from vigie.media.sources import MemorySource
from vigie.pipeline import Pipeline
from vigie.policy import load_policy, parse_policy
from vigie.records import Attachment, Author, Comment, Platform, Post
from vigie.text.prepare import prepare_batch

Spec = tuple[str, float, tuple[float, float, float, float]]  # label, conf, (cx, cy, w, h)


@dataclass
class _Input:
    name: str = "images"


@dataclass
class FakeSession:
    """Answers NudeNet-shaped outputs: one list of boxes per image, in call order."""

    per_image: list[list[Spec]] = field(default_factory=list)
    calls: list[tuple[int, ...]] = field(default_factory=list)

    def get_inputs(self) -> Sequence[Any]:
        return [_Input()]

    def run(self, output_names: Sequence[str] | None,
            input_feed: Mapping[str, Any]) -> Sequence[Any]:
        batch = input_feed["images"]
        assert batch.dtype == np.float32 and batch.shape[1:] == (3, 320, 320)
        assert float(batch.min()) >= 0.0 and float(batch.max()) <= 1.0
        self.calls.append(tuple(batch.shape))
        out = np.zeros((batch.shape[0], 4 + len(LABELS), 2100), dtype=np.float32)
        for i in range(batch.shape[0]):
            specs = self.per_image.pop(0) if self.per_image else []
            for j, (label, conf, box) in enumerate(specs):
                out[i, :4, j] = box
                out[i, 4 + LABELS.index(label), j] = conf
        return [out]


def photo(width: int = 640, height: int = 480, seed: int = 1) -> bytes:
    """Noise: scores like a photograph on the drawing measure."""
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 255, (height, width, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(buffer, "PNG")
    return buffer.getvalue()


def drawing(width: int = 640, height: int = 480) -> bytes:
    """Flat fills and outlines: scores like a diagram."""
    image = Image.new("RGB", (width, height), (255, 255, 255))
    from PIL import ImageDraw

    draw = ImageDraw.Draw(image)
    draw.ellipse((200, 100, 440, 400), fill=(255, 230, 210), outline=(0, 0, 0), width=3)
    draw.line((100, 50, 300, 250), fill=(0, 0, 200), width=2)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def comment(cid: str, text: str = "", attachments: Sequence[Attachment] = ()) -> Comment:
    return Comment(id=cid, platform=Platform.FACEBOOK, text=text,
                   created_at=datetime(2025, 3, 1, tzinfo=UTC),
                   author=Author(id="fb:u1", name="Un usager"),
                   post=Post(id="fb:p1", text="Photos de la compétition de natation"),
                   attachments=tuple(attachments))


def image(url: str) -> Attachment:
    return Attachment(type="image", url=url)


def detector(session: FakeSession | None, images: dict[str, bytes],
             **options: Any) -> tuple[ImageDetector, MemorySource]:
    source = MemorySource(images)
    model = NudityModel(session) if session is not None else None
    return ImageDetector(ImageOptions(**options), model, source), source


def run(det: ImageDetector, comments: Sequence[Comment]) -> list[list[Finding]]:
    prepared = prepare_batch(comments)
    return det.detect(prepared, [[] for _ in prepared])


POLICY = load_policy()


def decided(c: Comment, findings: Sequence[Finding]) -> Action:
    return decide(POLICY, c, findings).action


# -- what the model sees becomes which signal ------------------------------------------------

CENTRE = (160.0, 160.0, 64.0, 64.0)  # in the model's 320 x 320 frame


@pytest.mark.parametrize(("specs", "picture", "signal", "score", "action"), [
    # Explicit photographs: removed under 6.4 e.
    ([("FEMALE_GENITALIA_EXPOSED", 0.9, CENTRE)], "photo", "sexual.image_explicit", 0.99,
     Action.REMOVE),
    ([("MALE_GENITALIA_EXPOSED", 0.65, CENTRE)], "photo", "sexual.image_explicit", 0.8775,
     Action.REMOVE),
    ([("ANUS_EXPOSED", 0.7, CENTRE)], "photo", "sexual.image_explicit", 0.91, Action.REMOVE),
    # One exposed breast alone counts its confidence: held for review...
    ([("FEMALE_BREAST_EXPOSED", 0.6, CENTRE)], "photo", "sexual.image_explicit", 0.6,
     Action.REVIEW),
    # ... two distinct ones add up (noisy-or): removed.
    ([("FEMALE_BREAST_EXPOSED", 0.65, (100.0, 160.0, 50.0, 50.0)),
      ("FEMALE_BREAST_EXPOSED", 0.65, (220.0, 160.0, 50.0, 50.0))], "photo",
     "sexual.image_explicit", 0.8775, Action.REMOVE),
    # The same parts in a drawing or diagram (anatomy, medical illustration): review at most.
    ([("FEMALE_GENITALIA_EXPOSED", 0.95, CENTRE)], "drawing", "sexual.image_drawing", 0.9975,
     Action.REVIEW),
    ([("FEMALE_BREAST_EXPOSED", 0.9, CENTRE)], "drawing", "sexual.image_drawing", 0.9,
     Action.REVIEW),
    # Swimwear, underwear: suggestive, review at most however sure the model is.
    ([("FEMALE_GENITALIA_COVERED", 0.97, CENTRE)], "photo", "sexual.image_suggestive", 0.97,
     Action.REVIEW),
    ([("BUTTOCKS_EXPOSED", 0.55, CENTRE)], "photo", "sexual.image_suggestive", 0.55,
     Action.REVIEW),
    ([("FEMALE_GENITALIA_COVERED", 0.4, CENTRE)], "photo", "sexual.image_suggestive", 0.4,
     Action.ALLOW),
])
def test_model_output_to_signal_and_decision(specs: list[Spec], picture: str, signal: str,
                                             score: float, action: Action) -> None:
    data = photo() if picture == "photo" else drawing()
    det, _ = detector(FakeSession([specs]), {"https://cdn.example/a.jpg": data})
    c = comment("fb:c1", "", [image("https://cdn.example/a.jpg")])
    (findings,) = run(det, [c])
    (finding,) = [f for f in findings if f.signal.startswith("sexual.")]
    assert finding.signal == signal
    assert finding.score == pytest.approx(score, abs=1e-3)
    assert finding.span is None and finding.detector == "vigie.images.nudenet.v1"
    assert decided(c, findings) is action


@pytest.mark.parametrize("specs", [
    [("FACE_FEMALE", 0.95, CENTRE)],
    [("MALE_BREAST_EXPOSED", 0.95, CENTRE)],  # swimmers, runners
    [("BELLY_EXPOSED", 0.9, CENTRE), ("FEET_EXPOSED", 0.9, (40.0, 300.0, 20.0, 20.0))],
    [("ARMPITS_EXPOSED", 0.9, CENTRE)],
    [("FEMALE_BREAST_COVERED", 0.9, CENTRE)],  # clothed women are not evidence
    [("BUTTOCKS_COVERED", 0.9, CENTRE)],
    [("FEMALE_GENITALIA_EXPOSED", 0.2, CENTRE)],  # below the model's floor
    [],
])
def test_body_parts_that_are_never_evidence(specs: list[Spec]) -> None:
    det, _ = detector(FakeSession([specs]), {"u": photo()})
    c = comment("fb:c1", "Bravo à l'équipe de natation!", [image("u")])
    assert run(det, [c]) == [[]]
    assert decided(c, []) is Action.ALLOW


def test_suggestive_regions_in_a_drawing_are_not_evidence() -> None:
    det, _ = detector(FakeSession([[("FEMALE_GENITALIA_COVERED", 0.9, CENTRE)]]),
                      {"u": drawing()})
    assert run(det, [comment("fb:c1", "", [image("u")])]) == [[]]


def test_region_is_given_in_original_pixels_as_evidence() -> None:
    # A 640 x 480 image is padded to 640 x 640 and scaled by 1/2: boxes scale back by 2.
    det, _ = detector(FakeSession([[("FEMALE_GENITALIA_EXPOSED", 0.9, CENTRE)]]),
                      {"u": photo(640, 480)})
    c = comment("fb:c1", "", [image("u")])
    (findings,) = run(det, [c])
    (finding,) = findings
    assert finding.data["regions"] == [
        {"label": "FEMALE_GENITALIA_EXPOSED", "score": 0.9, "box": [256, 256, 128, 128]}]
    assert finding.data["image_size"] == [640, 480]
    assert finding.data["attachment"] == 1 and finding.data["source"] == "memory"
    assert "exposed female genitalia (0.90) at 256,256 128x128 px" in finding.explanation
    decision = decide(POLICY, c, findings)
    assert decision.action is Action.REMOVE
    (verdict,) = decision.categories
    assert (verdict.slug, verdict.clause) == ("sexual", "6.4 e")
    assert verdict.evidence[0].data["regions"][0]["box"] == [256, 256, 128, 128]


def test_boxes_are_clipped_to_the_image_and_overlaps_suppressed() -> None:
    specs: list[Spec] = [("FEMALE_BREAST_EXPOSED", 0.8, (300.0, 200.0, 80.0, 80.0)),
                         ("FEMALE_BREAST_EXPOSED", 0.7, (302.0, 201.0, 80.0, 80.0))]
    det, _ = detector(FakeSession([specs]), {"u": photo(640, 480)})
    (findings,) = run(det, [comment("fb:c1", "", [image("u")])])
    (region,) = findings[0].data["regions"]  # the weaker, overlapping box is suppressed
    x, y, w, h = region["box"]
    assert (x, y) == (520, 320) and x + w <= 640 and y + h <= 480
    assert findings[0].score == pytest.approx(0.8)


# -- not analysed: a fact the policy turns into review --------------------------------------

def test_without_the_extra_images_are_reported_not_analysed() -> None:
    det, source = detector(None, {"u": photo()})
    c = comment("fb:c1", "", [image("u")])
    (findings,) = run(det, [c])
    (finding,) = findings
    assert (finding.signal, finding.score) == ("media.not_analysed", 1.0)
    assert "optional 'images' extra is not installed" in finding.explanation
    assert source.requested == []  # nothing fetched for nothing
    decision = decide(POLICY, c, findings)
    assert decision.action is Action.REVIEW
    assert "not analysed" in decision.explanation["en"]


@pytest.mark.parametrize(("attachment", "images", "reason"), [
    (image("https://cdn.example/gone.jpg"), {}, "fetch failed: HTTP 404"),
    (image("u"), {"u": b"\x89PNG\r\n\x1a\n" + b"garbage" * 10}, "could not be decoded"),
    (Attachment(type="image"), {}, "no image address"),
    (Attachment(type="video", url="https://cdn.example/v.mp4"), {}, "a video"),
    (Attachment(type="file", url="u", mime="image/png"), {"u": b"not an image"},
     "not a JPEG, PNG, GIF or WebP"),
])
def test_images_that_cannot_be_judged(attachment: Attachment, images: dict[str, bytes],
                                      reason: str) -> None:
    session = FakeSession()
    det, _ = detector(session, images)
    c = comment("fb:c1", "regardez", [attachment])
    (findings,) = run(det, [c])
    (finding,) = findings
    assert finding.signal == "media.not_analysed" and reason in finding.explanation
    assert decided(c, findings) is Action.REVIEW
    assert session.calls == []


def test_videos_can_be_left_to_the_preview_frame() -> None:
    det, _ = detector(FakeSession(), {}, report_videos=False)
    c = comment("fb:c1", "", [Attachment(type="video", url="https://cdn.example/v.mp4")])
    assert run(det, [c]) == [[]]


def test_only_max_images_are_judged() -> None:
    session = FakeSession()
    urls = [f"u{i}" for i in range(5)]
    det, _ = detector(session, {u: photo(64, 64, seed=i) for i, u in enumerate(urls)},
                      max_images=4)
    (findings,) = run(det, [comment("fb:c1", "", [image(u) for u in urls])])
    (finding,) = findings
    assert finding.data["attachment"] == 5 and "more than 4 images" in finding.explanation
    assert session.calls == [(4, 3, 320, 320)]


# -- cost: text-only comments and batching ------------------------------------------------------

def test_comments_without_images_cost_nothing() -> None:
    session = FakeSession()
    det, source = detector(session, {})
    comments = [comment("fb:c1", "Belle photo!"),
                comment("fb:c2", "lien", [Attachment(type="link", url="https://polymtl.ca",
                                                     title="Polytechnique Montréal")])]
    assert run(det, comments) == [[], []]
    assert session.calls == [] and source.requested == []


def test_one_model_pass_per_batch() -> None:
    session = FakeSession([[], [("FEMALE_GENITALIA_EXPOSED", 0.9, CENTRE)], []])
    det, _ = detector(session, {f"u{i}": photo(100, 80, seed=i) for i in range(3)})
    comments = [comment(f"fb:c{i}", "", [image(f"u{i}")]) for i in range(3)]
    results = run(det, comments)
    assert session.calls == [(3, 3, 320, 320)]
    assert [[f.signal for f in r] for r in results] == [[], ["sexual.image_explicit"], []]


def test_gif_is_judged_on_its_first_frame() -> None:
    frames = [Image.new("RGB", (64, 64), (i * 60, 0, 0)) for i in range(3)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:])
    det, _ = detector(FakeSession([[("FEMALE_GENITALIA_EXPOSED", 0.9, CENTRE)]]),
                      {"g": buffer.getvalue()})
    (findings,) = run(det, [comment("fb:c1", "", [Attachment(type="gif", url="g")])])
    assert findings[0].data["image_size"] == [64, 64]
    assert "first frame of an animation" in findings[0].explanation


# -- options and wiring ---------------------------------------------------------------------------

def test_unknown_options_are_refused() -> None:
    with pytest.raises(PolicyError, match=r"detectors\.vigie\.images\.nudenet\.v1\.threshold"):
        create({"threshold": 0.5}, POLICY)


MINIMAL_POLICY = """
vigie_policy: 1
id: images-test
institution: Test
title: {fr: Test, en: Test}
version: "1"
effective_date: 2025-01-01
approval: {reference: T-1}
allowed_languages: [fr, en]
detectors:
  vigie.images.nudenet.v1: {}
categories:
  - slug: sexual
    clause: "6.4 e"
    label: {fr: Pornographie, en: Pornography}
    description: {fr: Matériel pornographique, en: Pornographic material}
    signals:
      - {pattern: sexual.image_suggestive, max_action: review}
      - {pattern: media.not_analysed, max_action: review}
      - sexual.*
    action: remove
"""


def test_pipeline_removes_a_comment_whose_only_content_is_an_explicit_image() -> None:
    policy = parse_policy(MINIMAL_POLICY)
    det, _ = detector(FakeSession([[("MALE_GENITALIA_EXPOSED", 0.92, CENTRE)], []]),
                      {"x": photo(), "ok": photo(seed=2)})
    pipeline = Pipeline(policy, [det])
    explicit = comment("fb:c1", "", [image("x")])
    benign = comment("fb:c2", "", [image("ok")])
    first, second = pipeline.moderate([explicit, benign])
    assert first.action is Action.REMOVE and first.categories[0].clause == "6.4 e"
    assert first.categories[0].evidence[0].data["regions"][0]["label"] == "MALE_GENITALIA_EXPOSED"
    assert second.action is Action.ALLOW
