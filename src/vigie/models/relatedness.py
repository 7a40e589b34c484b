"""Learned relatedness of a comment to its post and thread (directive 6.4 j, "unrelated").

The off-topic detector's reference sentences (``data/offtopic/anchors.tsv``) recognise kinds
of chatter that someone thought of; a comment about anything else under a research post went
unnoticed (public comments placed under the institution's posts were flagged 1 to 3 % of the
time). This model reads how a comment's sentence embedding sits between its context and the
references, whatever its topic: similarity to the post or parent comment, to the closest
remarks that fit any university post, to the closest kinds of chatter, and how much the
comment says. Seven numbers, a logistic regression: little to overfit.

Trained by :mod:`vigie.detectors.offtopic_training` (``vigie train``) on public comments
placed under the institution's posts (unrelated by construction) against the dev set's
legitimate comments of its ``tune`` half; the weights, their provenance and the measured
threshold are in ``vigie/data/offtopic/relatedness.json``. Pure numpy.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from vigie.errors import DetectorError

__all__ = ["FEATURES", "Relatedness", "features", "load_relatedness"]

#: The features, in order (similarities are cosines of unit USE-m-v3 vectors).
FEATURES = ("context", "on_max", "on_top3", "off_max", "off_top3", "off_margin",
            "log_content_words")


def features(context: float, on_sims: npt.NDArray[np.float32],
             off_sims: npt.NDArray[np.float32], content_words: int) -> list[float]:
    """The feature vector of one comment (pure).

    Args:
        context: highest similarity to the post or the parent comment (-1 when neither).
        on_sims: similarities to the remarks that fit any university post.
        off_sims: similarities to the kinds of off-topic chatter.
        content_words: content words of the comment.
    """
    on = np.sort(on_sims)[::-1]
    off = np.sort(off_sims)[::-1]
    return [float(context), float(on[0]), float(on[:3].mean()), float(off[0]),
            float(off[:3].mean()), float(off[0] - max(context, on[0])),
            math.log(max(content_words, 1))]


@dataclass(frozen=True)
class Relatedness:
    """Standardised logistic regression over :data:`FEATURES`.

    Attributes:
        mean, scale: standardisation of each feature.
        coef, intercept: the regression.
        threshold: probability from which the comment is called unrelated (chosen at
            training so that the legitimate comments of the dev set's tune half stay below).
        meta: provenance and measurements.
    """

    mean: npt.NDArray[np.float64]
    scale: npt.NDArray[np.float64]
    coef: npt.NDArray[np.float64]
    intercept: float
    threshold: float
    meta: dict[str, Any]

    def probability(self, rows: Sequence[Sequence[float]]) -> npt.NDArray[np.float64]:
        """Probability that each comment is unrelated to its post and thread (pure)."""
        x = (np.asarray(rows, dtype=np.float64) - self.mean) / self.scale
        return 1.0 / (1.0 + np.exp(-np.clip(x @ self.coef + self.intercept, -40, 40)))

    def to_json(self) -> str:
        """The weights file's text."""
        return json.dumps({
            "features": list(FEATURES), "mean": self.mean.round(6).tolist(),
            "scale": self.scale.round(6).tolist(), "coef": self.coef.round(6).tolist(),
            "intercept": round(self.intercept, 6), "threshold": round(self.threshold, 4),
            "meta": self.meta}, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def bundled_path() -> Path:
    """Where the shipped weights live."""
    return Path(str(resources.files("vigie").joinpath("data", "offtopic", "relatedness.json")))


def load_relatedness(path: str | Path | None = None) -> Relatedness:
    """Load the weights (the shipped ones by default).

    Raises:
        DetectorError: the file is missing, unreadable or for other features.
    """
    file = Path(path) if path is not None else bundled_path()
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        if tuple(data["features"]) != FEATURES:
            raise ValueError(f"features {data['features']} are not {list(FEATURES)}")
        return Relatedness(np.array(data["mean"], dtype=np.float64),
                           np.array(data["scale"], dtype=np.float64),
                           np.array(data["coef"], dtype=np.float64), float(data["intercept"]),
                           float(data["threshold"]), dict(data.get("meta", {})))
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise DetectorError(f"{file}: cannot load the relatedness model: {error}; rebuild it "
                            "with `vigie train`") from None
