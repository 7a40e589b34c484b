"""Measuring mention scoring: name disambiguation and tone on a labeled set.

The set is ``vigie/data/mentions/labeled.jsonl`` (230 mentions written by the project, half of
them homonyms); ``vigie mentions eval`` prints :func:`evaluate_mentions`'s report. Pure
functions, except :func:`load_labeled` which reads the file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from vigie.errors import VigieError
from vigie.monitoring.mentions import ABOUT_THRESHOLD, assess
from vigie.monitoring.names import NameMatcher
from vigie.quality.evaluate import CategoryScore
from vigie.text.tone import ToneLabel, ToneLexicon

__all__ = ["LabeledMention", "MentionReport", "Scores", "evaluate_mentions", "load_labeled"]


@dataclass(frozen=True, slots=True)
class LabeledMention:
    """One row of the labeled set.

    Attributes:
        id: row id (``m-i001`` about the institution, ``m-h001`` a homonym).
        lang: ``fr`` or ``en``.
        text: the mention.
        about: whether it is about the institution.
        tone: its tone when it is (``None`` for homonyms).
        kind: ``institution`` or ``homonym:<which>``.
        split: ``tune`` (looked at while writing cues) or ``test`` (not looked at).
    """

    id: str
    lang: str
    text: str
    about: bool
    tone: ToneLabel | None
    kind: str
    split: str


def load_labeled(path: str | Path | None = None) -> list[LabeledMention]:
    """Read a labeled set (the bundled one when ``path`` is None).

    Raises:
        VigieError: a line is not valid JSON or misses a field (line number named).
    """
    if path is None:
        text = resources.files("vigie").joinpath("data", "mentions", "labeled.jsonl").read_text(
            "utf-8")
        source = "vigie:data/mentions/labeled.jsonl"
    else:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise VigieError(f"{path}: cannot read labeled mentions: {error}") from None
        source = str(path)
    rows = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            data: Any = json.loads(line)
            rows.append(LabeledMention(
                id=str(data["id"]), lang=str(data.get("lang", "")), text=str(data["text"]),
                about=bool(data["about"]), tone=data.get("tone"),
                kind=str(data.get("kind", "")), split=str(data.get("split", "test"))))
        except (ValueError, KeyError, TypeError) as error:
            raise VigieError(f"{source}: line {number}: {type(error).__name__}: {error}") from None
    return rows


@dataclass(frozen=True, slots=True)
class Scores(CategoryScore):
    """Precision and recall of one binary decision: the counts of a category score, plus TN.

    Precision, recall and F1 are :class:`~vigie.quality.evaluate.CategoryScore`'s.
    """

    tn: int

    @property
    def n(self) -> int:
        """Rows counted."""
        return self.tp + self.fp + self.fn + self.tn

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready counts and scores (pure)."""
        return {"n": self.n, "tp": self.tp, "fp": self.fp, "fn": self.fn, "tn": self.tn,
                "precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "f1": round(self.f1, 4)}


def _scores(pairs: Iterable[tuple[bool, bool]]) -> Scores:
    tp = fp = fn = tn = 0
    for truth, predicted in pairs:
        if truth and predicted:
            tp += 1
        elif predicted:
            fp += 1
        elif truth:
            fn += 1
        else:
            tn += 1
    return Scores(tp, fp, fn, tn)


@dataclass(frozen=True)
class MentionReport:
    """The evaluation of name disambiguation and tone on a labeled set.

    Attributes:
        about: is the mention about the institution, over every row.
        about_by_group: the same per split (``tune``/``test``) and per language.
        negative: is a mention of the institution negative (rows about it only): what the
            alerts act on.
        tone_accuracy: share of rows about the institution whose three-way tone is right.
        errors: misjudged rows (id, truth, prediction, explanation).
        threshold: the ``about`` threshold used.
    """

    about: Scores
    about_by_group: dict[str, Scores]
    negative: Scores
    tone_accuracy: float
    errors: list[dict[str, Any]] = field(default_factory=list)
    threshold: float = ABOUT_THRESHOLD

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready report (pure)."""
        return {"threshold": self.threshold, "about": self.about.to_dict(),
                "about_by_group": {k: v.to_dict() for k, v in self.about_by_group.items()},
                "negative": self.negative.to_dict(),
                "tone_accuracy": round(self.tone_accuracy, 4), "errors": self.errors}


def evaluate_mentions(rows: Sequence[LabeledMention], *, threshold: float = ABOUT_THRESHOLD,
                      matcher: NameMatcher | None = None,
                      lexicon: ToneLexicon | None = None) -> MentionReport:
    """Measure name disambiguation and tone on ``rows`` (pure).

    Args:
        rows: labeled mentions.
        threshold: probability from which a row counts as about the institution.
        matcher: names matcher (default: the default policy's).
        lexicon: tone lexicon (default: bundled).
    """
    results = [(row, assess(row.text, matcher=matcher, lexicon=lexicon)) for row in rows]
    about_pairs = [(row.about, a.about >= threshold) for row, a in results]
    groups: dict[str, list[tuple[bool, bool]]] = {}
    for (row, _), pair in zip(results, about_pairs, strict=True):
        groups.setdefault(f"split:{row.split}", []).append(pair)
        groups.setdefault(f"lang:{row.lang}", []).append(pair)
    toned = [(row, a) for row, a in results if row.about and row.tone is not None]
    negative = _scores((row.tone == "negative", a.label == "negative") for row, a in toned)
    right = sum(1 for row, a in toned if row.tone == a.label)
    errors = []
    for row, a in results:
        about_wrong = row.about != (a.about >= threshold)
        tone_wrong = row.about and row.tone is not None and row.tone != a.label
        if about_wrong or tone_wrong:
            errors.append({"id": row.id, "split": row.split, "text": row.text,
                           "about": row.about, "predicted_about": round(a.about, 4),
                           "tone": row.tone, "predicted_tone": a.label,
                           "explanation": a.explanation})
    return MentionReport(
        about=_scores(about_pairs),
        about_by_group={k: _scores(v) for k, v in sorted(groups.items())},
        negative=negative,
        tone_accuracy=right / len(toned) if toned else 0.0,
        errors=errors,
        threshold=threshold,
    )
