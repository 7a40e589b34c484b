"""Recall and precision of the rule recognizers on the project's own recognizer corpus.

The corpus (``tests/data/recognizers/corpus.jsonl``, provenance in its README) holds short
comments written for this purpose, in French (Québec French included) and English: positives
of the privacy (6.4 a), confidential (6.4 d) and spam (6.4 k) categories, each tagged with the
kind of entity it carries (``phone``, ``iban``, ``password``, ``admin_phishing``...), and hard
negatives (``category: none``): ordinary comments with numbers, links, codes, public contact
lines, reactions and talk *about* passwords, exams or scams.

A row counts as flagged for a category when the policy's decision for it is ``review`` or
stronger (the same rule as ``vigie eval``). Each row also has a ``split``: ``tune`` rows were
looked at while writing the recognizers, ``holdout`` rows (a third of each group, fixed when
the corpus was written) were not, so the holdout figures tell how far the rules generalise.
Pure apart from :func:`read_corpus`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from vigie.actions import Action
from vigie.decision import Decision

__all__ = ["CATEGORIES", "SPLITS", "CorpusRow", "Tally", "flagged", "measure", "read_corpus",
           "render_markdown"]

#: The categories the corpus measures.
CATEGORIES = ("privacy", "confidential", "spam")
#: ``tune``: looked at while writing the recognizers; ``holdout``: a third of each group set
#: aside when the corpus was first written (measured blind once, then looked at);
#: ``blind``, ``blind2``, ``blind3``: written later, after the recognizers, each measured once
#: before its failures were looked at (figures in docs/detectors/recognizers.md).
SPLITS = ("tune", "holdout", "blind", "blind2", "blind3", "blind4")


@dataclass(frozen=True, slots=True)
class CorpusRow:
    """One comment of the corpus.

    Attributes:
        id: ``rc-0001``...
        lang: ``fr`` or ``en``.
        category: one of :data:`CATEGORIES`, or ``none`` for a hard negative.
        entity: what it carries (positives) or what makes it hard (negatives).
        split: ``tune`` or ``holdout``.
        text: the comment.
    """

    id: str
    lang: str
    category: str
    entity: str
    split: str
    text: str


def read_corpus(path: Path) -> list[CorpusRow]:
    """Read a corpus file (JSON lines).

    Raises:
        ValueError: a line is not a valid row; the message names the line and the valid values.
    """
    rows: list[CorpusRow] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        data = json.loads(line)
        row = CorpusRow(**data)
        if row.category not in (*CATEGORIES, "none"):
            raise ValueError(f"{path}:{number}: category {row.category!r}; valid: "
                             f"{', '.join((*CATEGORIES, 'none'))}")
        if row.split not in SPLITS:
            raise ValueError(f"{path}:{number}: split {row.split!r}; valid: {', '.join(SPLITS)}")
        rows.append(row)
    return rows


@dataclass
class Tally:
    """Counts for one cell of the report."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    negatives: int = 0

    @property
    def recall(self) -> float | None:
        """TP / positives, None without positives."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def precision(self) -> float | None:
        """TP / flagged, None when nothing was flagged."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None


def flagged(decision: Decision, slug: str) -> bool:
    """Whether ``decision`` holds ``slug`` at review or stronger (pure)."""
    return decision.action_for(slug).strength >= Action.REVIEW.strength


def measure(rows: Sequence[CorpusRow], decisions: Sequence[Decision],
            splits: Iterable[str] = SPLITS) -> dict[str, dict[tuple[str, ...], Tally]]:
    """Tally recall and precision (pure).

    Returns:
        ``by_category[(category, lang)]``, ``by_entity[(category, entity, lang)]`` (recall of
        positives; false-positive counts of negatives in ``fp`` over ``negatives``), and
        ``by_split[(category, split)]``.
    """
    wanted = set(splits)
    by_category: dict[tuple[str, ...], Tally] = defaultdict(Tally)
    by_entity: dict[tuple[str, ...], Tally] = defaultdict(Tally)
    by_split: dict[tuple[str, ...], Tally] = defaultdict(Tally)
    for row, decision in zip(rows, decisions, strict=True):
        if row.split not in wanted:
            continue
        for slug in CATEGORIES:
            hit = flagged(decision, slug)
            cells = [by_category[(slug, row.lang)], by_category[(slug, "all")],
                     by_split[(slug, row.split)]]
            for cell in cells:
                if row.category == slug:
                    cell.tp += hit
                    cell.fn += not hit
                else:
                    cell.fp += hit
                    cell.negatives += 1
        entity = by_entity[(row.category, row.entity, row.lang)]
        if row.category == "none":
            entity.negatives += 1
            entity.fp += any(flagged(decision, s) for s in CATEGORIES)
        else:
            hit = flagged(decision, row.category)
            entity.tp += hit
            entity.fn += not hit
    return {"by_category": dict(by_category), "by_entity": dict(by_entity),
            "by_split": dict(by_split)}


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def render_markdown(result: dict[str, dict[tuple[str, ...], Tally]], policy_digest: str,
                    rows: Sequence[CorpusRow], decisions: Sequence[Decision]) -> str:
    """The figures as a Markdown page (pure)."""
    out = [
        "# Recognizer quality on the recognizer corpus",
        "",
        "Generated by `python scripts/recognizer_report.py` (do not edit by hand) from "
        "`tests/data/recognizers/corpus.jsonl` with the bundled policy "
        f"(`{policy_digest}`). A row is flagged for a category when the decision holds it at "
        "review or stronger. `tune` rows were looked at while writing the recognizers; "
        "`holdout` rows were set aside when the corpus was written and `blind*` rows were "
        "written after the recognizers: each was measured blind once, then its failures "
        "were looked at, so the figures below are no longer blind. The blind measurements are "
        "in `docs/detectors/recognizers.md`.",
        "",
        "## Per category and language",
        "",
        "| category | language | recall | precision | TP | FN | FP | negatives |",
        "|---|---|---|---|---|---|---|---|",
    ]
    cats = result["by_category"]
    for slug in CATEGORIES:
        for lang in ("fr", "en", "all"):
            t = cats.get((slug, lang), Tally())
            out.append(f"| {slug} | {lang} | {_fmt(t.recall)} | {_fmt(t.precision)} | {t.tp} "
                       f"| {t.fn} | {t.fp} | {t.negatives} |")
    out += ["", "## Per split (generalisation)", "",
            "| category | split | recall | precision | TP | FN | FP |",
            "|---|---|---|---|---|---|---|"]
    for slug in CATEGORIES:
        for split in SPLITS:
            t = result["by_split"].get((slug, split), Tally())
            out.append(f"| {slug} | {split} | {_fmt(t.recall)} | {_fmt(t.precision)} | {t.tp} "
                       f"| {t.fn} | {t.fp} |")
    out += ["", "## Recall per entity type", "",
            "| category | entity | fr | en |", "|---|---|---|---|"]
    ents = result["by_entity"]
    keys = sorted({(c, e) for c, e, _ in ents if c != "none"},
                  key=lambda k: (CATEGORIES.index(k[0]), k[1]))
    for cat, ent in keys:
        cells = []
        for lang in ("fr", "en"):
            cell = ents.get((cat, ent, lang))
            cells.append("—" if cell is None else
                         f"{_fmt(cell.recall)} ({cell.tp}/{cell.tp + cell.fn})")
        out.append(f"| {cat} | {ent} | {cells[0]} | {cells[1]} |")
    out += ["", "## False positives on ordinary comments (hard negatives)", "",
            "Share of negatives flagged as privacy, confidential or spam.", "",
            "| kind | fr | en |", "|---|---|---|"]
    for ent in sorted({e for c, e, _ in ents if c == "none"}):
        cells = []
        for lang in ("fr", "en"):
            cell = ents.get(("none", ent, lang))
            cells.append("—" if cell is None else f"{cell.fp}/{cell.negatives}")
        out.append(f"| {ent} | {cells[0]} | {cells[1]} |")
    misses = []
    for row, decision in zip(rows, decisions, strict=True):
        wrong = [s for s in CATEGORIES if flagged(decision, s) != (row.category == s)]
        if wrong:
            misses.append(f"| {row.id} | {row.split} | {row.lang} | {row.category} | "
                          f"{row.entity} | {', '.join(wrong)} |")
    out += ["", "## Rows wrong for one of the three categories", "",
            "Texts are in the corpus file (not repeated here).", "",
            "| id | split | lang | category | entity | wrong for |", "|---|---|---|---|---|---|",
            *misses, ""]
    return "\n".join(out)
