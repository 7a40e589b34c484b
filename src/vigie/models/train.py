"""``vigie train``: rebuild the shipped linear heads from shared data and the project's examples.

Steps, all seeded (same data + same seed = same model, up to float rounding):

1. read the corpora (:mod:`vigie.models.corpus`); only ``train`` rows are used;
2. hash every text once with :func:`vigie.models.features.featurize` (the inference code);
3. per head, on the rows whose source labels that head: split 85 / 15 (by template group for
   the project's examples, so expansions of one template stay together), fit an L2 logistic
   regression on the 85 %, then fit Platt scaling (a one-feature logistic regression on the
   decision values) on the 15 %, so the shipped scores are calibrated probabilities;
4. store the weights as ``float16`` in a compressed ``.npz`` with the metadata and the
   calibration-split metrics per head and language.

Needs the ``train`` extra (scikit-learn, scipy); inference does not.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from vigie.models.corpus import HEADS, LICENCES, Example, load_all
from vigie.models.features import FEATURE_VERSION, featurize
from vigie.models.model import LinearModel, bundled_model_path
from vigie.text.normalize import normalize

__all__ = ["TrainConfig", "save_model", "train"]

#: Regularisation (inverse strength) per head, chosen on the calibration splits.
DEFAULT_C = {
    "hate": 2.0,
    "abuse": 2.0,
    "sexual": 4.0,
    "spam": 4.0,
    "political_support": 4.0,
    "org_announcement": 4.0,
}


class TrainConfig:
    """Training settings.

    Attributes:
        data_root: the ``shared/data/public`` folder.
        seed: seeds template expansion, splits and the solver.
        bits: hash width (``2**bits`` buckets per head).
        calibration_share: share of each head's rows kept for Platt scaling, in (0, 1).
        c: inverse L2 strength per head.
    """

    def __init__(self, data_root: Path, seed: int = 13, bits: int = 18,
                 calibration_share: float = 0.15, c: dict[str, float] | None = None) -> None:
        self.data_root = data_root
        self.seed = seed
        self.bits = bits
        self.calibration_share = calibration_share
        self.c = dict(DEFAULT_C if c is None else c)


def _csr(texts: Sequence[str], bits: int) -> Any:
    from scipy.sparse import csr_matrix  # type: ignore[import-untyped]

    batch_size = 2048
    parts = []
    for i in range(0, len(texts), batch_size):
        chunk = featurize([normalize(t).text for t in texts[i : i + batch_size]], bits)
        parts.append(csr_matrix((chunk.values.astype(np.float64), (chunk.rows, chunk.cols)),
                                shape=(chunk.n_rows, 2**bits)))
    from scipy.sparse import vstack

    matrix = vstack(parts, format="csr")
    matrix.sum_duplicates()
    return matrix


def _calibration_mask(examples: Sequence[Example], rows: npt.NDArray[np.int64], share: float,
                      seed: int) -> npt.NDArray[np.bool_]:
    rng = random.Random(seed)
    groups = sorted({examples[i].group or f"row{i}" for i in rows})
    rng.shuffle(groups)
    chosen = set(groups[: max(1, round(share * len(groups)))])
    return np.array([(examples[i].group or f"row{i}") in chosen for i in rows])


def _metrics(y: npt.NDArray[np.int64], p: npt.NDArray[np.float64]) -> dict[str, float]:
    pred = p >= 0.5
    tp = int(np.sum(pred & (y == 1)))
    fp = int(np.sum(pred & (y == 0)))
    fn = int(np.sum(~pred & (y == 1)))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    eps = 1e-9
    loss = float(-np.mean(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps)))
    return {"n": len(y), "positives": int(y.sum()), "precision": round(precision, 4),
            "recall": round(recall, 4), "f1": round(f1, 4), "log_loss": round(loss, 4)}


def _data_digest(examples: Sequence[Example]) -> str:
    digest = hashlib.sha256()
    for e in examples:
        digest.update(f"{e.source}\t{e.split}\t{sorted(e.labels.items())}\t{e.text}\n".encode())
    return "sha256:" + digest.hexdigest()


def train(config: TrainConfig, log: Callable[[str], None] = print) -> LinearModel:
    """Train every head and return the calibrated model (not saved).

    Raises:
        FileNotFoundError: a dataset of ``config.data_root`` is missing.
        ImportError: scikit-learn is not installed (``pip install 'vigie[train]'``).
    """
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

    started = time.perf_counter()
    examples = [e for e in load_all(config.data_root, config.seed) if e.split == "train"]
    log(f"{len(examples):,} training examples from "
        f"{len({e.source for e in examples})} sources")
    features = _csr([e.text for e in examples], config.bits)
    log(f"hashed into {features.nnz:,} non-zeros in {time.perf_counter() - started:.1f} s")
    n_buckets = 2**config.bits
    weights = np.zeros((n_buckets, len(HEADS)), dtype=np.float32)
    intercepts = np.zeros(len(HEADS))
    platt_a = np.ones(len(HEADS))
    platt_b = np.zeros(len(HEADS))
    head_meta: dict[str, Any] = {}
    for k, head in enumerate(HEADS):
        rows = np.array([i for i, e in enumerate(examples) if head in e.labels], dtype=np.int64)
        y = np.array([examples[i].labels[head] for i in rows], dtype=np.int64)
        w = np.array([examples[i].weight for i in rows])
        calib = _calibration_mask(examples, rows, config.calibration_share, config.seed + k)
        # Positives are rare for most heads: balance the classes in the fit; Platt scaling on
        # the untouched calibration split brings the scores back to probabilities.
        pos_w = w[~calib & (y == 0)].sum() / max(w[~calib & (y == 1)].sum(), 1e-9)
        fit_w = np.where(y == 1, w * min(pos_w, 50.0), w)
        clf = LogisticRegression(C=config.c[head], solver="liblinear", max_iter=200,
                                 random_state=config.seed)
        clf.fit(features[rows[~calib]], y[~calib], sample_weight=fit_w[~calib])
        z = clf.decision_function(features[rows[calib]])
        platt = LogisticRegression(C=1e4, solver="lbfgs")
        platt.fit(z.reshape(-1, 1), y[calib], sample_weight=w[calib])
        weights[:, k] = clf.coef_[0]
        intercepts[k] = float(clf.intercept_[0])
        platt_a[k] = float(platt.coef_[0][0])
        platt_b[k] = float(platt.intercept_[0])
        p = 1.0 / (1.0 + np.exp(-(platt_a[k] * z + platt_b[k])))
        langs = np.array([examples[i].lang.split("-")[0] for i in rows[calib]])
        per_lang = {lang: _metrics(y[calib][langs == lang], p[langs == lang])
                    for lang in sorted(set(langs))}
        sources = sorted({examples[i].source for i in rows})
        head_meta[head] = {
            "train_rows": int((~calib).sum()), "calibration_rows": int(calib.sum()),
            "positives": int(y.sum()), "C": config.c[head], "sources": sources,
            "calibration_metrics": {"all": _metrics(y[calib], p), **per_lang},
        }
        log(f"{head:>18}: {len(rows):,} rows ({int(y.sum()):,} positive), calibration F1 "
            f"{head_meta[head]['calibration_metrics']['all']['f1']:.3f}")
    used = sorted({e.source for e in examples})
    meta = {
        "name": "linear-v1",
        "feature_version": FEATURE_VERSION,
        "bits": config.bits,
        "heads": list(HEADS),
        "seed": config.seed,
        "trained_on": dt.date.today().isoformat(),
        "data_digest": _data_digest(examples),
        "sources": {s: LICENCES.get(s, "unknown") for s in used},
        "heads_meta": head_meta,
        "train_seconds": round(time.perf_counter() - started, 1),
    }
    # The shipped weights are float16: train and ship the same numbers.
    weights = weights.astype(np.float16).astype(np.float32)
    return LinearModel(HEADS, weights, intercepts, platt_a, platt_b, config.bits, meta)


def save_model(model: LinearModel, path: Path | None = None) -> Path:
    """Write ``model`` as a compressed ``.npz`` (default: the bundled model's path)."""
    target = path or bundled_model_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as handle:
        np.savez_compressed(
            handle,
            weights=model.weights.astype(np.float16),
            intercepts=model.intercepts,
            platt_a=model.platt_a,
            platt_b=model.platt_b,
            heads=np.array(model.heads),
            meta=np.array(json.dumps(model.meta, ensure_ascii=False, sort_keys=True)),
        )
    return target
