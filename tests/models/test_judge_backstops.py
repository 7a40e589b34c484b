"""The judge's second backstop set (``judge/backstops_2.jsonl``, confidential and privacy heads).

Checks that the committed file is what ``scripts/judge_backstop_examples.py`` writes, that no
row copies a sentence of an evaluation set (the recognizers' corpus, the functional suite),
and that the three kinds and both languages are there in useful proportions.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

from vigie.models.judge.corpus import judge_authored

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "judge_backstop_examples.py"
DATA = Path(str(resources.files("vigie").joinpath("data", "training", "judge",
                                                  "backstops_2.jsonl")))
EVALUATION = [*sorted((ROOT / "tests" / "data" / "recognizers").iterdir()),
              Path(str(resources.files("vigie").joinpath("data", "training", "judge_suite")))]


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def _rows() -> list[dict[str, Any]]:
    return [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _evaluation_texts() -> list[str]:
    """Every string of the evaluation files (a JSON line's values, else the line itself)."""
    files = [f for p in EVALUATION for f in ([p] if p.is_file() else sorted(p.rglob("*")))
             if f.is_file()]
    out = []
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                out += _strings(json.loads(line))
            except ValueError:
                out.append(line)
    return [_norm(t) for t in out if t.strip()]


def test_the_file_is_what_the_script_writes() -> None:
    run = subprocess.run([sys.executable, str(SCRIPT), "--check"], cwd=ROOT,
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout + run.stderr


def test_no_row_copies_an_evaluation_sentence() -> None:
    evaluation = _evaluation_texts()
    assert len(evaluation) > 100  # the files were read
    exact = set(evaluation)
    blob = "\n".join(evaluation)
    for row in _rows():
        text = _norm(row["text"])
        assert text not in exact, row["text"]
        # A long row inside a longer evaluation sentence is a copy too.
        if len(text.split()) >= 8:
            assert text not in blob, row["text"]


def test_kinds_languages_and_labels() -> None:
    rows = _rows()
    kinds = Counter(r["function"] for r in rows)
    assert kinds["confidential"] >= 600
    assert kinds["privacy"] >= 400
    assert kinds["hard_negative"] >= 800
    assert set(kinds) == {"confidential", "privacy", "hard_negative"}
    for kind in kinds:
        langs = Counter(r["lang"] for r in rows if r["function"] == kind)
        assert set(langs) == {"fr", "en"}
        assert 0.4 <= langs["fr"] / kinds[kind] <= 0.6, (kind, langs)
    expected = {"confidential": ["confidential"], "privacy": ["privacy"], "hard_negative": []}
    assert all(r["labels"] == expected[r["function"]] for r in rows)
    assert len({_norm(r["text"]) for r in rows}) == len(rows)
    # The head must work for any institution, not learn one name.
    assert sum("polytechnique" in r["text"].casefold() for r in rows) <= 0.2 * len(rows)


def test_the_judge_reads_the_file_for_the_backstop_heads_only() -> None:
    texts = {r["text"] for r in _rows()}
    read = [e for e in judge_authored() if e.text in texts and e.group.count("/") == 2]
    assert len(read) == len(_rows())
    # One fold group per written frame, and labels for the two backstop heads only: the
    # file says nothing of hate, abuse or spam.
    assert len({e.group for e in read}) < len(read) / 2
    assert all(set(e.labels) == {"confidential", "privacy"} for e in read)
    negative = [e for e in read if e.extra["function"] == "hard_negative"]
    assert negative and all(not any(e.labels.values()) for e in negative)
    assert all(e.labels["confidential"] for e in read if e.extra["function"] == "confidential")
