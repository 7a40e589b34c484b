"""The labeled image set: benign images Vigie may ship, generated here or read from a package.

No explicit photograph can be shipped, so the set measures the side that can honestly be
measured: **images that must not be removed**. Each item is labeled with what a correct
decision is: ``allow`` (nothing to say) or ``review_ok`` (held for a human is acceptable,
removal is not: a swimsuit at a swim meet, an anatomical illustration).

Generated kinds (deterministic, seeded; Pillow drawings, so *renders*, not photographs):

* ``swimwear`` — a pool or beach scene with figures in swimsuits (skin-tone bodies, coloured
  suits), as a sports-event photo would frame them; ``review_ok``;
* ``medical`` — textbook-style anatomical diagrams: a body outline with organs, labels and
  arrows, a torso outline with examination circles; ``review_ok``;
* ``sports`` — a field or court, players, a ball; ``allow``;
* ``chart`` — bar and line charts with axes and text; ``allow``;
* ``text`` — an image of text (a meme, a notice); ``allow``;
* ``face`` — cartoon portraits (skin-tone face, hair, shoulders in clothes); ``allow``;
* ``skin`` — smooth skin-tone shapes and gradients, the hardest case for a nudity model
  (a close-up of an arm, a face, a baby); ``review_ok``.

Real photographs, when ``scikit-image`` is installed (the ``dev`` extra): the sample images
it ships (astronaut, camera man, cat, coffee, rocket, retina fundus, motorcycle, Hubble,
immunohistochemistry, coins, moon...; public domain, CC0 or CC-BY, see scikit-image's
``data/README.txt``); ``allow``. They are read where the package installed them, never copied.
"""

from __future__ import annotations

import importlib.util
import io
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

__all__ = ["KINDS", "EvalImage", "EvalResult", "eval_set", "evaluate", "generated_images",
           "package_photos"]

_SKIN = ((255, 224, 196), (241, 194, 161), (224, 172, 130), (198, 134, 94), (141, 85, 54),
         (92, 56, 38))
_SUITS = ((20, 40, 160), (200, 20, 30), (10, 10, 10), (230, 120, 0), (0, 130, 90))
# scikit-image's sample images: photographs, then graphics (drawn or synthetic images).
_PACKAGE_IMAGES = {
    "astronaut.png": "photo", "camera.png": "photo", "chelsea.png": "photo",
    "coffee.png": "photo", "rocket.jpg": "photo", "retina.jpg": "photo",
    "motorcycle_left.png": "photo", "hubble_deep_field.jpg": "photo", "ihc.png": "photo",
    "coins.png": "photo", "moon.png": "photo", "grass.png": "photo", "gravel.png": "photo",
    "brick.png": "photo", "page.png": "photo", "no_time_for_that_tiny.gif": "photo",
    "text.png": "graphic", "color.png": "graphic", "logo.png": "graphic",
    "horse.png": "graphic", "phantom.png": "graphic", "chessboard_RGB.png": "graphic",
}


@dataclass(frozen=True, slots=True)
class EvalImage:
    """One labeled image.

    Attributes:
        name: unique name (``swimwear-03``, ``photo-astronaut``).
        kind: the generator or ``photo``.
        expect: ``allow`` or ``review_ok`` (never ``remove``: see the module docstring).
        data: PNG or JPEG bytes.
    """

    name: str
    kind: str
    expect: str
    data: bytes


def _png(image: Image.Image, rng: random.Random) -> bytes:
    buffer = io.BytesIO()
    # Half the set goes through JPEG, as platform CDNs serve most images.
    if rng.random() < 0.5:
        image.convert("RGB").save(buffer, "JPEG", quality=rng.choice((70, 85, 92)))
    else:
        image.save(buffer, "PNG")
    return buffer.getvalue()


def _figure(draw: ImageDraw.ImageDraw, x: float, y: float, s: float, skin: tuple[int, int, int],
            suit: tuple[int, int, int], two_piece: bool) -> None:
    """A standing figure in a swimsuit, top at ``(x, y)``, height ``8 * s`` (pure drawing)."""
    draw.ellipse((x - s * 0.6, y, x + s * 0.6, y + s * 1.3), fill=skin)  # head
    draw.rectangle((x - s * 0.25, y + s * 1.2, x + s * 0.25, y + s * 1.6), fill=skin)  # neck
    draw.rounded_rectangle((x - s, y + s * 1.5, x + s, y + s * 4.4), s * 0.4, fill=skin)
    for side in (-1, 1):  # arms and legs
        draw.line((x + side * s, y + s * 1.8, x + side * s * 1.5, y + s * 4.2), fill=skin,
                  width=max(2, int(s * 0.45)))
        draw.line((x + side * s * 0.5, y + s * 4.3, x + side * s * 0.6, y + s * 8), fill=skin,
                  width=max(2, int(s * 0.6)))
    if two_piece:
        draw.rectangle((x - s * 0.95, y + s * 2.0, x + s * 0.95, y + s * 2.7), fill=suit)
        draw.rectangle((x - s, y + s * 3.8, x + s, y + s * 4.5), fill=suit)
    else:
        draw.rounded_rectangle((x - s, y + s * 2.0, x + s, y + s * 4.5), s * 0.3, fill=suit)


def _swimwear(rng: random.Random) -> Image.Image:
    w, h = rng.choice(((640, 480), (800, 600), (600, 800)))
    pool = rng.random() < 0.5
    image = Image.new("RGB", (w, h), (40, 140, 200) if pool else (120, 180, 230))
    draw = ImageDraw.Draw(image)
    if pool:
        for lane in range(1, 6):
            y = h * lane / 6
            draw.line((0, y, w, y), fill=(230, 30, 30), width=4)
    else:
        draw.rectangle((0, h * 0.55, w, h), fill=(230, 210, 160))  # sand
        draw.rectangle((0, h * 0.4, w, h * 0.55), fill=(30, 110, 170))  # sea
    for _ in range(rng.randint(1, 4)):
        s = rng.uniform(h / 30, h / 12)
        _figure(draw, rng.uniform(s * 2, w - s * 2), rng.uniform(0, h - s * 8.5), s,
                rng.choice(_SKIN), rng.choice(_SUITS), rng.random() < 0.5)
    return image


def _medical(rng: random.Random) -> Image.Image:
    w, h = 600, 800
    image = Image.new("RGB", (w, h), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    ink = (40, 40, 40)
    cx = w / 2
    draw.ellipse((cx - 50, 40, cx + 50, 160), outline=ink, width=3)
    draw.line((cx - 140, 200, cx + 140, 200), fill=ink, width=3)
    draw.polygon(((cx - 140, 200), (cx - 110, 520), (cx + 110, 520), (cx + 140, 200)),
                 outline=ink, fill=rng.choice(((255, 235, 220), (250, 250, 250))))
    if rng.random() < 0.5:  # organs
        draw.ellipse((cx - 100, 230, cx - 15, 380), fill=(240, 160, 170), outline=ink)
        draw.ellipse((cx + 15, 230, cx + 100, 380), fill=(240, 160, 170), outline=ink)
        draw.ellipse((cx - 30, 300, cx + 30, 370), fill=(200, 40, 50), outline=ink)
    else:  # examination diagram: circles and arrows on the chest
        for side in (-1, 1):
            ox = cx + side * 60
            for r in (15, 35, 55):
                draw.ellipse((ox - r, 300 - r, ox + r, 300 + r), outline=(0, 90, 200), width=2)
            draw.line((ox + side * 70, 240, ox + side * 20, 290), fill=(0, 90, 200), width=2)
    for k, label in enumerate(("Fig. 2", "anatomie", "dépistage", "lungs", "heart")):
        y = 560 + 40 * k
        draw.text((40, y), label, fill=ink)
        draw.line((120, y + 6, cx - 20, 260 + 20 * k), fill=(120, 120, 120), width=1)
    return image


def _sports(rng: random.Random) -> Image.Image:
    w, h = 800, 500
    image = Image.new("RGB", (w, h), rng.choice(((40, 150, 60), (200, 120, 60), (60, 90, 170))))
    draw = ImageDraw.Draw(image)
    draw.rectangle((30, 30, w - 30, h - 30), outline=(255, 255, 255), width=4)
    draw.line((w / 2, 30, w / 2, h - 30), fill=(255, 255, 255), width=4)
    draw.ellipse((w / 2 - 60, h / 2 - 60, w / 2 + 60, h / 2 + 60), outline=(255, 255, 255),
                 width=4)
    for team in ((220, 30, 30), (30, 30, 220)):
        for _ in range(rng.randint(3, 7)):
            x, y, s = rng.uniform(60, w - 60), rng.uniform(60, h - 100), rng.uniform(6, 12)
            draw.ellipse((x - s, y - s * 2.4, x + s, y - s * 0.4), fill=rng.choice(_SKIN))
            draw.rectangle((x - s * 1.1, y - s * 0.5, x + s * 1.1, y + s * 2), fill=team)
            draw.line((x - s * 0.5, y + s * 2, x - s * 0.6, y + s * 4), fill=(20, 20, 20),
                      width=3)
            draw.line((x + s * 0.5, y + s * 2, x + s * 0.6, y + s * 4), fill=(20, 20, 20),
                      width=3)
    bx, by = rng.uniform(100, w - 100), rng.uniform(100, h - 100)
    draw.ellipse((bx - 8, by - 8, bx + 8, by + 8), fill=(250, 250, 250), outline=(0, 0, 0))
    return image


def _chart(rng: random.Random) -> Image.Image:
    w, h = 640, 420
    image = Image.new("RGB", (w, h), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.line((60, 20, 60, h - 40), fill=(0, 0, 0), width=2)
    draw.line((60, h - 40, w - 20, h - 40), fill=(0, 0, 0), width=2)
    values = [rng.uniform(0.1, 1.0) for _ in range(rng.randint(4, 10))]
    step = (w - 100) / len(values)
    if rng.random() < 0.5:
        for i, v in enumerate(values):
            x = 70 + i * step
            draw.rectangle((x, h - 40 - v * (h - 80), x + step * 0.7, h - 40),
                           fill=rng.choice(_SUITS))
    else:
        points = [(70 + i * step, h - 40 - v * (h - 80)) for i, v in enumerate(values)]
        draw.line(points, fill=(200, 30, 30), width=3)
    draw.text((w / 2 - 60, 5), "Inscriptions 2012-2024", fill=(0, 0, 0))
    return image


def _text(rng: random.Random) -> Image.Image:
    w, h = 600, 300
    image = Image.new("RGB", (w, h), rng.choice(((255, 255, 255), (250, 240, 200), (20, 20, 20))))
    draw = ImageDraw.Draw(image)
    ink = (0, 0, 0) if image.getpixel((0, 0)) != (20, 20, 20) else (255, 255, 255)
    lines = ("Bravo aux finissants!", "Portes ouvertes samedi 10 h", "Go Carabins go!",
             "Félicitations à toute l'équipe", "Local A-416, pavillon principal")
    for k in range(rng.randint(2, 5)):
        draw.text((30, 30 + 45 * k), rng.choice(lines), fill=ink)
    return image


def _face(rng: random.Random) -> Image.Image:
    w, h = 400, 500
    image = Image.new("RGB", (w, h), rng.choice(((200, 210, 230), (240, 240, 240), (90, 120, 90))))
    draw = ImageDraw.Draw(image)
    skin = rng.choice(_SKIN)
    draw.rectangle((60, 380, 340, 500), fill=rng.choice(_SUITS))  # shoulders, clothed
    draw.rectangle((170, 300, 230, 390), fill=skin)
    draw.ellipse((110, 100, 290, 330), fill=skin)
    draw.chord((100, 70, 300, 250), 180, 360, fill=rng.choice(((40, 30, 20), (200, 160, 80))))
    for ex in (160, 240):
        draw.ellipse((ex - 12, 195, ex + 12, 215), fill=(255, 255, 255))
        draw.ellipse((ex - 5, 200, ex + 5, 210), fill=(30, 30, 30))
    draw.arc((160, 240, 240, 290), 20, 160, fill=(150, 40, 40), width=4)
    return image


def _skin(rng: random.Random) -> Image.Image:
    w, h = 512, 512
    base = np.array(rng.choice(_SKIN), dtype=np.float32)
    background = rng.choice(((250, 250, 250), (60, 60, 70), tuple(int(c) for c in base)))
    cx, cy = rng.uniform(150, 350), rng.uniform(150, 350)
    rx, ry = rng.uniform(120, 240), rng.uniform(80, 240)
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    d = ((xs - cx) / rx) ** 2 + ((ys - cy) / ry) ** 2
    shade = 0.75 + 0.25 * np.cos(np.minimum(d, 1.0) * math.pi / 2)
    pixels = np.empty((h, w, 3), dtype=np.float32)
    pixels[:] = background
    inside = d < 1.0
    pixels[inside] = base * shade[inside, None]
    return Image.fromarray(pixels.clip(0, 255).astype(np.uint8), "RGB")


KINDS: dict[str, tuple[Callable[[random.Random], Image.Image], str]] = {
    "swimwear": (_swimwear, "review_ok"),
    "medical": (_medical, "review_ok"),
    "sports": (_sports, "allow"),
    "chart": (_chart, "allow"),
    "text": (_text, "allow"),
    "face": (_face, "allow"),
    "skin": (_skin, "review_ok"),
}


def generated_images(per_kind: int = 12, seed: int = 6_4) -> Iterator[EvalImage]:
    """Yield ``per_kind`` generated images of each kind (deterministic for a seed)."""
    for kind, (make, expect) in KINDS.items():
        rng = random.Random(f"{seed}-{kind}")
        for i in range(per_kind):
            yield EvalImage(f"{kind}-{i:02d}", kind, expect, _png(make(rng), rng))


def package_photos() -> Iterator[EvalImage]:
    """Yield scikit-image's sample images, when it is installed (else nothing).

    Kind ``photo`` for photographs (the retina fundus and the cell slide are medical images),
    ``graphic`` for drawings and synthetic images (a colour wheel, a logo, a silhouette).
    """
    spec = importlib.util.find_spec("skimage")
    if spec is None or not spec.submodule_search_locations:
        return
    folder = Path(next(iter(spec.submodule_search_locations))) / "data"
    for name, kind in _PACKAGE_IMAGES.items():
        file = folder / name
        if file.is_file():
            yield EvalImage(f"{kind}-{file.stem}", kind, "allow", file.read_bytes())


def eval_set(per_kind: int = 12) -> list[EvalImage]:
    """The whole labeled set: generated images, then package photographs."""
    return [*generated_images(per_kind), *package_photos()]


@dataclass(frozen=True, slots=True)
class EvalResult:
    """What the policy decided for one labeled image.

    Attributes:
        name: the image's name.
        kind: its kind.
        expect: ``allow`` or ``review_ok``.
        action: the decision's action value (``allow``, ``review``, ``remove``...).
        signals: signals found, with their scores.
    """

    name: str
    kind: str
    expect: str
    action: str
    signals: tuple[tuple[str, float], ...]

    @property
    def correct(self) -> bool:
        """Whether the decision is acceptable for the label (pure)."""
        if self.expect == "allow":
            return self.action == "allow"
        return self.action in ("allow", "review")


def evaluate(items: list[EvalImage], detector: Any, policy: Any, batch: int = 16
             ) -> list[EvalResult]:
    """Run ``detector`` and the policy on each image, alone in an otherwise empty comment.

    Args:
        items: the labeled images.
        detector: an image detector whose source serves ``mem://<name>`` (see
            :class:`~vigie.media.sources.MemorySource`).
        policy: the policy that decides.
        batch: comments per detector call.
    """
    from datetime import UTC, datetime

    from vigie.engine import decide
    from vigie.records import Attachment, Author, Comment, Platform
    from vigie.text.prepare import prepare_batch

    results: list[EvalResult] = []
    for start in range(0, len(items), batch):
        chunk = items[start:start + batch]
        comments = [Comment(id=f"eval:{it.name}", platform=Platform.FACEBOOK, text="",
                            created_at=datetime(2025, 1, 1, tzinfo=UTC),
                            author=Author(id="eval:author"),
                            attachments=(Attachment(type="image", url=f"mem://{it.name}"),))
                    for it in chunk]
        prepared = prepare_batch(comments)
        found = detector.detect(prepared, [[] for _ in prepared])
        for item, comment, findings in zip(chunk, comments, found, strict=True):
            action = decide(policy, comment, findings).action.value
            results.append(EvalResult(item.name, item.kind, item.expect, action,
                                      tuple((f.signal, round(f.score, 3)) for f in findings)))
    return results
