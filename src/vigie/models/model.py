"""Inference for the linear heads: hashed features, dot products, Platt calibration, in numpy.

A model file is a compressed ``.npz`` written by :mod:`vigie.models.train`:

* ``weights``: ``float16`` array of shape ``(2**bits, n_heads)``;
* ``intercepts``, ``platt_a``, ``platt_b``: ``float64`` arrays of shape ``(n_heads,)``;
* ``heads``: head names (``hate``, ``abuse``...);
* ``meta``: a JSON string (feature version, hash width, training date, data digest, metrics).

The calibrated probability of head ``k`` is ``sigmoid(a_k * (w_k · x + c_k) + b_k)``, where
``x`` are the features of :func:`vigie.models.features.featurize`. Loading needs numpy only, and
a model is loaded once per process (:func:`load_bundled`).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from vigie.errors import DetectorError
from vigie.models.features import FEATURE_VERSION, SparseBatch, canonical_text, featurize

__all__ = ["LinearModel", "ModelError", "bundled_model_path", "load_bundled", "load_model"]

#: Name of the model shipped in ``vigie/data/models/``.
BUNDLED = "linear-v1"


class ModelError(DetectorError):
    """A model file is missing, unreadable or was built for other features."""


@dataclass(frozen=True)
class LinearModel:
    """Linear heads over hashed features, with Platt calibration per head.

    Attributes:
        heads: head names, in column order.
        weights: ``float32`` array ``(2**bits, len(heads))``.
        intercepts: per head, added to the dot product.
        platt_a: per head, Platt slope.
        platt_b: per head, Platt offset.
        bits: hash width of the features.
        meta: the model's metadata (provenance, metrics).
    """

    heads: tuple[str, ...]
    weights: npt.NDArray[np.float32]
    intercepts: npt.NDArray[np.float64]
    platt_a: npt.NDArray[np.float64]
    platt_b: npt.NDArray[np.float64]
    bits: int
    meta: dict[str, Any] = field(default_factory=dict)

    def logits(self, features: SparseBatch) -> npt.NDArray[np.float64]:
        """Raw decision values ``w · x + c``, shape ``(n_rows, n_heads)`` (pure).

        Raises:
            ModelError: the features were hashed with another width.
        """
        if features.bits != self.bits:
            raise ModelError(f"features have {features.bits} bits, the model {self.bits}")
        out = np.empty((features.n_rows, len(self.heads)), dtype=np.float64)
        gathered = self.weights[features.cols]  # (entries, heads)
        for k in range(len(self.heads)):
            out[:, k] = np.bincount(
                features.rows, weights=gathered[:, k] * features.values, minlength=features.n_rows
            )
        return out + self.intercepts

    def calibrate(self, logits: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Map decision values to calibrated probabilities in [0, 1] (pure)."""
        z = np.clip(self.platt_a * logits + self.platt_b, -40.0, 40.0)
        return 1.0 / (1.0 + np.exp(-z))

    def predict_proba(self, folded_texts: Sequence[str]) -> npt.NDArray[np.float64]:
        """Calibrated probability of each head for each folded text, ``(n, n_heads)`` (pure)."""
        return self.calibrate(self.logits(featurize(folded_texts, self.bits)))

    def cues(self, folded_texts: Sequence[str], limit: int = 3) -> list[dict[str, list[str]]]:
        """Per text and head, its words that push the head up the most, strongest first (pure).

        Used to explain findings in words; only words with a positive weight are returned.
        Every distinct word of the batch is scored once, in one vectorised pass.
        """
        per_text = [
            [t for t in dict.fromkeys(canonical_text(text).split()) if t.isalnum()]
            for text in folded_texts
        ]
        vocabulary = list(dict.fromkeys(t for tokens in per_text for t in tokens))
        if not vocabulary:
            return [{h: [] for h in self.heads} for _ in folded_texts]
        index = {t: i for i, t in enumerate(vocabulary)}
        batch = featurize(vocabulary, self.bits)
        gathered = self.weights[batch.cols]
        contribution = np.stack([
            np.bincount(batch.rows, weights=gathered[:, k] * batch.values,
                        minlength=len(vocabulary))
            for k in range(len(self.heads))
        ], axis=1)
        out = []
        for tokens in per_text:
            rows = np.array([index[t] for t in tokens], dtype=np.int64)
            found: dict[str, list[str]] = {}
            for k, head in enumerate(self.heads):
                if not len(rows):
                    found[head] = []
                    continue
                scores = contribution[rows, k]
                order = np.argsort(-scores, kind="stable")[:limit]
                found[head] = [tokens[i] for i in order if scores[i] > 0.0]
            out.append(found)
        return out


def load_model(path: str | Path) -> LinearModel:
    """Load a model file written by :func:`vigie.models.train.save_model`.

    Raises:
        ModelError: the file is missing or unreadable, or its feature version differs from
            this code's (the model must be rebuilt with ``vigie train``).
    """
    try:
        with np.load(Path(path), allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            heads = tuple(str(h) for h in data["heads"])
            weights = data["weights"].astype(np.float32)
            intercepts = data["intercepts"].astype(np.float64)
            platt_a = data["platt_a"].astype(np.float64)
            platt_b = data["platt_b"].astype(np.float64)
    except (OSError, KeyError, ValueError) as error:
        raise ModelError(f"{path}: cannot load model: {error}") from None
    if meta.get("feature_version") != FEATURE_VERSION:
        raise ModelError(
            f"{path}: built for features {meta.get('feature_version')!r}, this code hashes "
            f"{FEATURE_VERSION!r}; rebuild it with `vigie train`"
        )
    bits = int(meta["bits"])
    if weights.shape != (2**bits, len(heads)):
        raise ModelError(f"{path}: weights have shape {weights.shape}, expected "
                         f"({2**bits}, {len(heads)})")
    return LinearModel(heads, weights, intercepts, platt_a, platt_b, bits, meta)


def bundled_model_path(name: str = BUNDLED) -> Path:
    """Path of a model shipped in ``vigie/data/models/`` (it may not exist)."""
    return Path(str(resources.files("vigie").joinpath("data", "models", f"{name}.npz")))


_CACHE: dict[str, LinearModel] = {}
_LOCK = threading.Lock()


def load_bundled(name: str = BUNDLED) -> LinearModel:
    """Load a shipped model once per process (thread-safe).

    Raises:
        ModelError: see :func:`load_model`.
    """
    with _LOCK:
        if name not in _CACHE:
            _CACHE[name] = load_model(bundled_model_path(name))
        return _CACHE[name]
