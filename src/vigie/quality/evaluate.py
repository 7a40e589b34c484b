"""Quality measurement: per-category precision, recall and F1 against labeled comments.

A category counts as predicted when the decision's action for it is ``review`` or stronger.
The false-removal rate is the share of acceptable comments (no label) whose decision takes
them down (hide, remove or block): under directive 6.2 that is as serious as a miss.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from vigie.actions import REMOVING_ACTIONS, Action
from vigie.decision import Decision
from vigie.records import Comment

__all__ = ["CategoryScore", "Report", "evaluate"]


@dataclass(frozen=True, slots=True)
class CategoryScore:
    """Counts and scores for one category."""

    tp: int
    fp: int
    fn: int

    @property
    def support(self) -> int:
        """Labeled positives."""
        return self.tp + self.fn

    @property
    def precision(self) -> float:
        """TP / (TP + FP); 0 when nothing was predicted."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        """TP / (TP + FN); 0 when there is no positive."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class Report:
    """The result of an evaluation run."""

    per_category: dict[str, CategoryScore]
    n: int
    acceptable: int
    false_removals: int
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def macro_f1(self) -> float:
        """Mean F1 over categories that have support."""
        scored = [s.f1 for s in self.per_category.values() if s.support]
        return sum(scored) / len(scored) if scored else 0.0

    @property
    def micro_f1(self) -> float:
        """F1 over all category decisions pooled."""
        tp = sum(s.tp for s in self.per_category.values())
        fp = sum(s.fp for s in self.per_category.values())
        fn = sum(s.fn for s in self.per_category.values())
        return 2 * tp / (2 * tp + fp + fn) if tp else 0.0

    @property
    def false_removal_rate(self) -> float:
        """Share of acceptable comments taken down."""
        return self.false_removals / self.acceptable if self.acceptable else 0.0

    def to_dict(self) -> dict[str, Any]:
        """The ``vigie eval --json`` object."""
        return {
            "per_category": {
                slug: {
                    "precision": round(s.precision, 4),
                    "recall": round(s.recall, 4),
                    "f1": round(s.f1, 4),
                    "support": s.support,
                }
                for slug, s in self.per_category.items()
            },
            "macro_f1": round(self.macro_f1, 4),
            "micro_f1": round(self.micro_f1, 4),
            "false_removal_rate": round(self.false_removal_rate, 4),
            "n": self.n,
        }


def evaluate(
    slugs: Sequence[str], pairs: Iterable[tuple[Comment, Decision]], keep_errors: bool = False
) -> Report:
    """Score decisions against the comments' labels (pure).

    Args:
        slugs: the policy's categories, in order.
        pairs: each labeled comment with the decision taken on it.
        keep_errors: also list every false positive and false negative (for error analysis).
    """
    counts = {s: [0, 0, 0] for s in slugs}
    n = acceptable = false_removals = 0
    errors: list[dict[str, Any]] = []
    for comment, decision in pairs:
        n += 1
        gold = set(comment.labels)
        predicted = {
            s for s in slugs if decision.action_for(s).strength >= Action.REVIEW.strength
        }
        for slug in slugs:
            if slug in predicted and slug in gold:
                counts[slug][0] += 1
            elif slug in predicted:
                counts[slug][1] += 1
            elif slug in gold:
                counts[slug][2] += 1
        if not gold:
            acceptable += 1
            if decision.action in REMOVING_ACTIONS:
                false_removals += 1
        if keep_errors and gold != predicted:
            errors.append({
                "id": comment.id, "text": comment.text, "gold": sorted(gold),
                "predicted": sorted(predicted), "action": decision.action.value,
                "missed": sorted(gold - predicted), "extra": sorted(predicted - gold),
            })
    per = {s: CategoryScore(*counts[s]) for s in slugs}
    return Report(per, n, acceptable, false_removals, errors)
