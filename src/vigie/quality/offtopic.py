"""Off-topic on comments nobody tuned for: public comments placed under the institution's posts.

The dev set's off-topic comments are the kinds of chatter the reference sentences were written
for; this measures the whole system (every detector of the policy) on comments that are
unrelated to the post by construction: real comments of the public sets, each under one of
the dev set's posts (:func:`vigie.detectors.offtopic_training.public_under_posts`), and, for
false alarms, the legitimate comments of the dev set's ``report`` half (never trained on).
With and without the learned relatedness of :mod:`vigie.models.relatedness`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from vigie.detectors.offtopic_training import FIT_PER_SOURCE, dev_rows, public_under_posts
from vigie.models.corpus import dev_split
from vigie.pipeline import Pipeline
from vigie.policy import Policy
from vigie.records import Comment, parse_comment

__all__ = ["offtopic_section", "without_learned_relatedness"]

_DETECTORS = ("vigie.offtopic.context.v1", "vigie.offtopic.unrelated.v1")


def without_learned_relatedness(policy: Policy) -> Policy:
    """The same policy with the off-topic detectors' learned relatedness switched off."""
    data = policy.model_dump(mode="json")
    for name in _DETECTORS:
        if name in data["detectors"]:
            data["detectors"][name] = {**(data["detectors"][name] or {}), "learned": False}
    return Policy.model_validate(data)


def _flagged(pipeline: Pipeline, comments: list[Comment]) -> float:
    decisions = pipeline.moderate(comments)
    hits = sum(any(v.slug == "off_topic" for v in d.categories) for d in decisions)
    return hits / max(len(comments), 1)


def offtopic_section(data: Path, policy: Policy, log: Callable[[str], None] = print,
                     per_source: int = 300) -> list[str]:
    """Markdown lines of the section."""
    runs = {"with learned relatedness": Pipeline.from_policy(policy),
            "reference sentences only": Pipeline.from_policy(without_learned_relatedness(policy))}
    out = ["## Off-topic on comments nobody tuned for", "",
           f"Real comments of the public sets (none labelled hateful, abusive or spam; up to "
           f"{per_source} per set, chosen by a hash of the text, none of those the relatedness "
           "model is fitted on), each placed under one of the "
           "dev set's posts: unrelated to it by construction. *flagged*: share whose decision "
           "cites `off_topic` (review or more), whole system. False alarms: the legitimate "
           "comments of the dev set's `report` half (no `off_topic` label; never trained on). "
           "The learned relatedness is fitted on other rows of the same public sets and on the "
           "`tune` half (`vigie train`, `vigie/data/offtopic/relatedness.json`).", "",
           "| comments | n | " + " | ".join(runs) + " |", "|---|---:|---:|---:|"]
    # Other rows than the ones the relatedness model is fitted on.
    for name, comments in public_under_posts(data, per_source, skip=FIT_PER_SOURCE).items():
        log(f"off-topic: {name}")
        cells = [f"{_flagged(p, comments):.1%}" for p in runs.values()]
        out.append(f"| {name} under the institution's posts | {len(comments)} | "
                   + " | ".join(cells) + " |")
    report = [parse_comment(r) for r in dev_rows(data)
              if dev_split(r["id"]) == "report" and "off_topic" not in r["labels"]]
    cells = [f"{_flagged(p, report):.1%}" for p in runs.values()]
    out.append(f"| dev `report` half without the `off_topic` label (false alarms) | "
               f"{len(report)} | "
               + " | ".join(cells) + " |")
    out.append("")
    return out
