"""Periods from the command line: a comment is judged by the rules in force when it was posted.

The bundled policy ships the 6 December period (1-10 December, Montréal days, every year):
stricter hate thresholds (removal from 0.7 instead of 0.85), and review held off view.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from vigie.policy import load_policy

# A death threat the lexicon scores 0.75: review under the ordinary thresholds, removal
# during the period.
THREAT = "Hopefully someone brings a gun to this debate and takes out the commie candidate"
PERIOD = "commemoration-6-decembre"
INSIDE, OUTSIDE = "2025-12-06T15:00:00Z", "2025-11-20T15:00:00Z"


def vigie(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "vigie", *args], capture_output=True,
                          text=True, timeout=180)


def record(cid: str, when: str, text: str = THREAT) -> str:
    return json.dumps({"id": cid, "platform": "facebook", "created_at": when,
                       "author": {"id": f"fb:{cid}"}, "text": text,
                       "post": {"id": "fb:p", "text": "Débat des candidats au rectorat"}})


def test_moderate_applies_the_period_by_each_comments_date(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join([record("fb:1", OUTSIDE), record("fb:2", INSIDE),
                                 record("fb:3", "2025-12-11T06:00:00Z"),  # 11 Dec in Montréal
                                 record("fb:4", INSIDE, "Bravo à toute l'équipe!")]) + "\n",
                      encoding="utf-8")
    out = tmp_path / "out.jsonl"
    run = vigie("moderate", str(source), "-o", str(out), "--quiet", "--batch-size", "2")
    assert run.returncode == 0, run.stderr
    decisions = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [d["comment_id"] for d in decisions] == ["fb:1", "fb:2", "fb:3", "fb:4"]
    assert [d["action"] for d in decisions] == ["review", "remove", "review", "allow"]
    assert [d["policy"].get("period") for d in decisions] == [None, PERIOD, None, PERIOD]
    assert {d["policy"]["digest"] for d in decisions} == {load_policy().digest}
    assert "période : Commémoration du 6 décembre" in decisions[1]["explanation"]["fr"]
    # Outside the period, the decision is the one a period-less policy gives.
    assert decisions[0] == decisions[2] | {"comment_id": "fb:1"}


def test_check_dates_the_comment_and_applies_the_period() -> None:
    during = vigie("check", THREAT, "--created-at", INSIDE, "--json")
    assert during.returncode == 0, during.stderr
    decision = json.loads(during.stdout)
    assert decision["action"] == "remove" and decision["policy"]["period"] == PERIOD
    before = vigie("check", THREAT, "--created-at", OUTSIDE)
    assert before.returncode == 0, before.stderr
    assert "Decision: review" in before.stdout and "period" not in before.stdout


def test_check_shows_the_period_in_force() -> None:
    run = vigie("check", THREAT, "--created-at", "2030-12-02T12:00:00-05:00")
    assert run.returncode == 0, run.stderr
    assert "Decision: remove" in run.stdout
    assert f"period {PERIOD} (6 December commemoration, 12-01 to 12-10)" in run.stdout


def test_check_refuses_a_date_without_time_zone() -> None:
    run = vigie("check", THREAT, "--created-at", "2025-12-06T15:00:00")
    assert run.returncode != 0
    assert "created_at" in run.stderr and "time zone" in run.stderr
    assert "Traceback" not in run.stderr
