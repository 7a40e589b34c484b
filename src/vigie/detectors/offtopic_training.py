"""Fit the off-topic detector's learned relatedness (``vigie train``; needs the ``train`` extra).

Unrelated comments by construction: real comments from the public sets of
``shared/data/public`` (tweets, YouTube comments, text messages, forum posts; none labelled
hateful, abusive or spam) placed under the institution's posts (the dev set's posts, each
comment under one chosen by a hash of its text). Related comments: the dev set's comments
whose label is not ``off_topic``, from its ``tune`` half only; the ``report`` half measures
(``vigie quality-report``). The dev set's ``off_topic`` comments of the tune half are
positives too.

Only the comments that stage 1 leaves open reach the model (a shared word with the post, a
word about the institution, a reaction or a very short comment settle the others), exactly as
at inference: features come from :meth:`OffTopicDetector.measure`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from vigie.detectors.offtopic import OffTopicDetector, OffTopicOptions
from vigie.models.corpus import Example, dev_split, public_examples
from vigie.models.relatedness import Relatedness, bundled_path
from vigie.records import Comment, parse_comment
from vigie.text.prepare import prepare_batch

__all__ = ["FIT_PER_SOURCE", "PUBLIC_SOURCES", "dev_rows", "public_under_posts",
           "train_relatedness", "write_relatedness"]

#: Public sets whose texts are comments or messages, with their licence (model provenance).
PUBLIC_SOURCES = {
    "olid_en": "research use (OffensEval 2019)",
    "davidson": "MIT",
    "mlma_en": "MIT", "mlma_fr": "MIT",
    "fr_hate_superset": "mixed (see docs/models/judge-v1.md)",
    "youtube_spam_uci": "CC BY 4.0",
    "sms_spam_uci": "CC BY 4.0", "sms_spam_mt_fr": "CC BY 4.0 (machine translation)",
    "political_tweets_fr_en": "tweet text, licence unstated",
}
#: Legitimate comments of the tune half allowed above the threshold.
MAX_FALSE_SHARE = 0.01


def _source(example: Example) -> str:
    return example.source.split(":")[0].split("/")[0]


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def dev_rows(shared: Path) -> list[dict[str, Any]]:
    """The dev set's rows that have a post.

    Raises:
        FileNotFoundError: the dev set is missing.
    """
    path = shared / "dev" / "comments.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [r for r in rows if r.get("post")]


#: Comments per public set the model is fitted on (the first ones by hash of the text).
FIT_PER_SOURCE = 400


def public_under_posts(shared: Path, per_source: int = FIT_PER_SOURCE, skip: int = 0
                       ) -> dict[str, list[Comment]]:
    """Benign public comments, each under one of the dev set's posts, per source set.

    Each set's distinct texts are ordered by a hash; ``skip`` of them are passed over (the
    quality report skips the ones the model is fitted on), the next ``per_source`` are taken.

    Raises:
        FileNotFoundError: a data set is missing.
    """
    posts = sorted({r["post"]["id"]: r["post"] for r in dev_rows(shared)}.items())
    by_source: dict[str, list[str]] = {}
    for example in public_examples(shared / "public"):
        name = _source(example)
        if name in PUBLIC_SOURCES and not any(example.labels.values()):
            by_source.setdefault(name, []).append(example.text)
    out: dict[str, list[Comment]] = {}
    for name, texts in sorted(by_source.items()):
        chosen = sorted(set(texts), key=_digest)[skip : skip + per_source]
        out[name] = [parse_comment({
            "id": f"fb:c-{name}-{i}", "platform": "facebook", "text": text,
            "created_at": "2025-03-18T14:05:42Z",
            "author": {"id": f"fb:u-{name}-{i}", "name": f"P{i}"},
            "post": posts[_digest(text) % len(posts)][1]}) for i, text in enumerate(chosen)]
    return out


@dataclass(frozen=True)
class _Rows:
    x: list[list[float]]
    n: int  # comments, stage 1's decided ones included


def _features(detector: OffTopicDetector, comments: Sequence[Comment]) -> _Rows:
    prepared = prepare_batch(list(comments))
    gibberish = [detector.unintelligible(p) is not None for p in prepared]
    open_rows, contents = detector.open_questions(prepared, gibberish)
    if not open_rows:
        return _Rows([], len(comments))
    _, vectors = detector.measure([prepared[i] for i in open_rows], contents)
    return _Rows(vectors, len(comments))


def train_relatedness(shared: Path, log: Callable[[str], None] = print) -> Relatedness:
    """Fit the relatedness model (not saved).

    Raises:
        FileNotFoundError: ``shared`` lacks the dev set or a public set.
        ImportError: scikit-learn is not installed (``pip install 'vigie[train]'``).
    """
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

    detector = OffTopicDetector(OffTopicOptions(learned=False))
    positives: list[list[float]] = []
    counts: dict[str, int] = {}
    for name, comments in public_under_posts(shared).items():
        rows = _features(detector, comments)
        positives += rows.x
        counts[name] = len(rows.x)
    tune = [r for r in dev_rows(shared) if dev_split(r["id"]) == "tune"]
    legit = _features(detector, [parse_comment(r) for r in tune
                                 if "off_topic" not in r["labels"]])
    off = _features(detector, [parse_comment(r) for r in tune if "off_topic" in r["labels"]])
    x = np.array(positives + off.x + legit.x, dtype=np.float64)
    y = np.r_[np.ones(len(positives) + len(off.x)), np.zeros(len(legit.x))]
    # The public comments weigh, together, twice the legitimate ones: balanced, not drowned.
    weights = np.r_[np.full(len(positives), 2 * len(legit.x) / max(len(positives), 1)),
                    np.ones(len(off.x) + len(legit.x))]
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    model = LogisticRegression(C=10.0, solver="lbfgs", max_iter=1000)
    model.fit((x - mean) / scale, y, sample_weight=weights)
    fitted = Relatedness(mean, scale, model.coef_[0].astype(np.float64),
                         float(model.intercept_[0]), 1.0, {})
    # Threshold: legitimate comments of the tune half scoring above it stay within
    # MAX_FALSE_SHARE of all of them (those stage 1 settles never reach the model).
    scores = np.sort(fitted.probability(legit.x))[::-1] if legit.x else np.zeros(0)
    allowed = int(MAX_FALSE_SHARE * legit.n)
    threshold = float(scores[allowed]) + 1e-4 if len(scores) > allowed else 0.5
    threshold = min(max(threshold, 0.5), 0.99)
    recall = float(np.mean(fitted.probability(positives) >= threshold)) if positives else 0.0
    meta = {
        "trained_on": dt.date.today().isoformat(),
        "sources": {name: PUBLIC_SOURCES[name] for name in counts},
        "rows": {"public_unrelated": counts, "dev_tune_off_topic": len(off.x),
                 "dev_tune_legit": len(legit.x), "dev_tune_legit_all": legit.n},
        "threshold_rule": f"legitimate tune-half comments above it ≤ {MAX_FALSE_SHARE:.0%} "
                          "of all of them, at least 0.5",
        "fit_recall_public": round(recall, 4),
    }
    log(f"relatedness: {len(positives):,} public + {len(off.x)} off-topic against "
        f"{len(legit.x)} legitimate comments; threshold {threshold:.3f}, public recall on the "
        f"fitted rows {recall:.2f}")
    return Relatedness(mean, scale, fitted.coef, fitted.intercept, threshold, meta)


def write_relatedness(model: Relatedness, path: Path | None = None) -> Path:
    """Write the weights file (default: the bundled one)."""
    target = path or bundled_path()
    target.write_text(model.to_json(), encoding="utf-8")
    return target
