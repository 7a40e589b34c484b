"""Golden cases: the bundled policy gives every case its expected decision."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from vigie.errors import InputError
from vigie.pipeline import Pipeline
from vigie.policy import default_policy_path, load_policy
from vigie.quality.golden import load_cases, run_cases

GOLDEN = Path(__file__).resolve().parents[2] / "golden"
CASES = load_cases(GOLDEN)
RESULTS = {r.case.id: r for r in run_cases(Pipeline.from_policy(load_policy()), CASES)}


@pytest.mark.parametrize("case_id", [c.id for c in CASES])
def test_golden_case(case_id: str) -> None:
    result = RESULTS[case_id]
    assert result.problems == (), f"{result.problems}: {result.decision.explanation['en']}"


def test_cases_cover_every_clause_and_hard_negatives() -> None:
    cited = {clause for r in RESULTS.values() for clause in r.decision.clauses}
    assert cited >= {f"6.4 {x}" for x in "abcdefghijk"}
    assert sum(r.decision.action.value == "allow" for r in RESULTS.values()) >= 10


def test_a_policy_change_shows_up_as_failed_cases(tmp_path: Path) -> None:
    # A policy owner who stops removing swears sees which cases change, and the run fails.
    text = default_policy_path().read_text("utf-8")
    lenient = tmp_path / "lenient.yaml"
    marker = "  - slug: abuse\n"
    head, tail = text.split(marker, 1)
    lenient.write_text(head + marker + tail.replace("    action: remove\n",
                                                    "    action: review\n", 1), encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "vigie", "golden", str(GOLDEN), "--policy",
                          str(lenient)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    assert "sacre-in-praise" in run.stdout and "expected at least remove" in run.stdout


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    case = "- id: a\n  text: x\n  expect: {action: allow}\n"
    (tmp_path / "one.yaml").write_text(case + case, encoding="utf-8")
    with pytest.raises(InputError, match="used twice"):
        load_cases(tmp_path)
