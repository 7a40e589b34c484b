"""Print and save recognizer recall and precision on the recognizer corpus.

Usage: ``python scripts/recognizer_report.py [--policy FILE] [--out PAGE] [--split tune|holdout]
[--show-errors]`` (PAGE: docs/detectors/recognizer-quality.md by default). Runs the whole
pipeline of the policy (bundled Polytechnique policy by default) on
``tests/data/recognizers/corpus.jsonl``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from vigie.detectors.builtin import register_builtins
from vigie.detectors.registry import Registry
from vigie.pipeline import Pipeline
from vigie.policy import load_policy
from vigie.quality.recognizers import (
    CATEGORIES,
    SPLITS,
    flagged,
    measure,
    read_corpus,
    render_markdown,
)
from vigie.records import parse_comment

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "data" / "recognizers" / "corpus.jsonl"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--policy", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "detectors" /
                        "recognizer-quality.md")
    parser.add_argument("--show-errors", action="store_true")
    parser.add_argument("--split", choices=(*SPLITS, "all"), default="all")
    args = parser.parse_args()
    policy = load_policy(args.policy)
    # The built-ins only: an installed plugin (or another checkout's editable install) must
    # not change the figures.
    registry = Registry()
    register_builtins(registry)
    pipeline = Pipeline.from_policy(policy, registry)
    rows = read_corpus(CORPUS)
    comments = [parse_comment({
        "id": f"fb:{r.id}", "platform": "facebook", "text": r.text,
        "created_at": "2026-11-18T14:05:42Z", "author": {"id": f"fb:u-{i}", "name": "Alex"},
        "post": {"id": "fb:p-1", "text": "Une publication", "links": []},
    }) for i, r in enumerate(rows)]
    decisions = pipeline.moderate(comments)
    splits = SPLITS if args.split == "all" else (args.split,)
    result = measure(rows, decisions, splits)
    page = render_markdown(result, policy.short_digest, rows, decisions)
    if str(args.out) not in ("", ".") and args.split == "all":
        args.out.write_text(page, encoding="utf-8")
    for (slug, lang), t in sorted(result["by_category"].items()):
        rec = "—" if t.recall is None else f"{t.recall:.2f}"
        pre = "—" if t.precision is None else f"{t.precision:.2f}"
        print(f"{slug:13} {lang:3} recall {rec} precision {pre} (tp {t.tp} fn {t.fn} fp {t.fp})")
    if args.show_errors:
        for row, decision in zip(rows, decisions, strict=True):
            if row.split not in splits:
                continue
            wrong = [s for s in CATEGORIES if flagged(decision, s) != (row.category == s)]
            if wrong:
                print(f"{row.id} {row.split} {row.category}/{row.entity} wrong:{wrong} "
                      f"scores={ {k: round(v, 2) for k, v in decision.scores.items()} } "
                      f":: {row.text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
