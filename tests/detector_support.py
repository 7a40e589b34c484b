"""Helpers shared by the rule-detector tests (privacy, confidential): levels, speed, dev set.

Levels read against a category's thresholds in the bundled policy: ``remove`` (at or above the
remove threshold), ``review`` (between review and remove), ``hit`` (at least review), ``low``
(emitted below review: weak evidence), ``none`` (below review or nothing at all).
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence

from factories import DEV_SET, comment
from vigie.detectors.base import Detector
from vigie.records import parse_comment
from vigie.text.prepare import prepare_batch


def check_level(level: str, score: float, review: float, remove: float) -> None:
    """Assert that ``score`` stands at ``level`` against the ``review``/``remove`` thresholds."""
    if level == "remove":
        assert score >= remove, score
    elif level == "review":
        assert review <= score < remove, score
    elif level == "hit":
        assert score >= review, score
    elif level == "low":
        assert 0.0 < score < review, score
    else:
        assert score < review, score


def comments_per_cpu_second(detector: Detector, texts: Sequence[str]) -> float:
    """Comments of ``texts`` that ``detector`` handles per CPU second, after one warm-up pass."""
    batch = prepare_batch([comment(t, cid=f"fb:c-{i}") for i, t in enumerate(texts)])
    detector.detect(batch, [[] for _ in batch])
    start = time.process_time()
    detector.detect(batch, [[] for _ in batch])
    return len(batch) / max(time.process_time() - start, 1e-9)


def cpu_seconds_on(detector: Detector, text: str) -> float:
    """CPU seconds ``detector`` spends on one comment of ``text`` (preparation not counted)."""
    batch = prepare_batch([comment(text)])
    start = time.process_time()
    detector.detect(batch, [[]])
    return time.process_time() - start


def dev_set_acceptable_scores(detector: Detector) -> list[float]:
    """``detector``'s highest score on each acceptable (label-free) comment of the dev set."""
    rows = [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines()]
    prepared = prepare_batch([parse_comment(r) for r in rows])
    results = detector.detect(prepared, [[] for _ in prepared])
    return [max((f.score for f in found), default=0.0)
            for row, found in zip(rows, results, strict=True) if not row["labels"]]
