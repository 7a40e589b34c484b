"""Recognizers on third-party public sets: spam recall/precision, false flags on ordinary text.

Usage: ``PYTHONPATH=src python scripts/recognizer_public_checks.py`` (reads ``../shared/data``;
exits with a message where it is absent). Whole pipeline of the bundled policy, built-in
detectors only. Prints, per set: spam recall and precision on UCI SMS and YouTube spam (the
learned model was trained partly on them: a regression check, not a blind measure), and how
many ordinary messages (SMS ham, YouTube ham, Davidson "neither", French superset non-hate)
are held for privacy or confidential review.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Sequence
from pathlib import Path

from vigie.actions import Action
from vigie.decision import Decision
from vigie.detectors.builtin import register_builtins
from vigie.detectors.registry import Registry
from vigie.pipeline import Pipeline
from vigie.policy import load_policy
from vigie.records import parse_comment

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "public"


def _decide(pipeline: Pipeline, texts: Sequence[str]) -> list[Decision]:
    comments = [parse_comment({
        "id": f"yt:c{i}", "platform": "youtube", "text": t or ".",
        "created_at": "2026-11-18T14:05:42Z", "author": {"id": f"yt:u{i}", "name": "A"},
        "post": {"id": "yt:p", "text": "Une publication", "links": []},
    }) for i, t in enumerate(texts)]
    out: list[Decision] = []
    for k in range(0, len(comments), 500):
        out.extend(pipeline.moderate(comments[k:k + 500]))
    return out


def _held(decision: Decision, slug: str) -> bool:
    return decision.action_for(slug).strength >= Action.REVIEW.strength


def main() -> int:
    if not DATA.exists():
        print(f"shared data absent: {DATA}")
        return 0
    registry = Registry()
    register_builtins(registry)
    pipeline = Pipeline.from_policy(load_policy(), registry)
    sms = [r for r in csv.reader((DATA / "sms_spam_uci" / "SMSSpamCollection").open(
        encoding="utf-8"), delimiter="\t") if r and r[0] in ("ham", "spam")]
    youtube = [r for f in sorted((DATA / "youtube_spam_uci").glob("*.csv"))
               for r in csv.DictReader(f.open(encoding="utf-8", errors="replace"))]
    labelled = {"sms_spam_uci": [(r[1], r[0] == "spam") for r in sms],
                "youtube_spam_uci": [(r["CONTENT"], r["CLASS"] == "1") for r in youtube]}
    for name, rows in labelled.items():
        decisions = _decide(pipeline, [t for t, _ in rows])
        tp = sum(g and _held(d, "spam") for (_, g), d in zip(rows, decisions, strict=True))
        fp = sum(not g and _held(d, "spam") for (_, g), d in zip(rows, decisions, strict=True))
        pos = sum(g for _, g in rows)
        print(f"{name}: spam recall {tp / pos:.3f} precision {tp / max(1, tp + fp):.3f} "
              f"(tp {tp}, fp {fp}, positives {pos})")
    davidson = list(csv.DictReader((DATA / "davidson" / "labeled_data.csv").open(
        encoding="utf-8", errors="replace")))
    french = list(csv.DictReader((DATA / "fr_hate_superset" / "test_2000.csv").open(
        encoding="utf-8", errors="replace")))
    text_col = "text_fixed" if "text_fixed" in french[0] else "text"
    ordinary = {
        "sms_ham": [t for t, g in labelled["sms_spam_uci"] if not g],
        "youtube_ham": [t for t, g in labelled["youtube_spam_uci"] if not g],
        "davidson_neither": [r["tweet"] for r in davidson if r["class"] == "2"],
        "fr_superset_test_nonhate": [r[text_col] for r in french
                                     if str(r.get("label")) in ("0", "0.0")],
    }
    for name, texts in ordinary.items():
        decisions = _decide(pipeline, texts)
        counts = {s: sum(_held(d, s) for d in decisions) for s in ("privacy", "confidential")}
        print(f"{name} ({len(texts)}): " + ", ".join(
            f"{s} {n} ({n / len(texts):.2%})" for s, n in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
