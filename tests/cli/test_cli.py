"""The command line, run as a real process: what a user types is what is tested."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from factories import DEV_SET, SHARED_DATA, needs_dev_set
from vigie.policy import load_policy

SPANISH = "Me encanta este proyecto, felicidades a todo el equipo de investigación"


def vigie(*args: str, stdin: str | None = None,
          timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "vigie", *args], capture_output=True,
                          text=True, input=stdin, timeout=timeout)


def test_check_spanish_under_french_post_cites_6_4_h_with_digest() -> None:
    run = vigie("check", SPANISH, "--post", "Bravo à nos chercheurs en génie!", "--json")
    assert run.returncode == 0, run.stderr
    decision = json.loads(run.stdout)
    assert "6.4 h" in decision["clauses"]
    assert decision["action"] in ("review", "hide", "remove")
    assert decision["policy"]["digest"] == load_policy().digest
    [verdict] = [c for c in decision["categories"] if c["slug"] == "language"]
    evidence = verdict["evidence"][0]
    assert evidence["signal"] == "language.foreign" and evidence["span"] == [0, len(SPANISH)]
    assert "es" in evidence["explanation"]


def test_check_human_output_shows_clause_and_evidence() -> None:
    run = vigie("check", SPANISH)
    assert run.returncode == 0, run.stderr
    assert "6.4 h" in run.stdout and "language.foreign" in run.stdout
    assert "sha256:" in run.stdout


def test_moderate_with_broken_lines_finishes_and_loses_nothing(tmp_path: Path) -> None:
    good = {"platform": "x", "created_at": "2025-01-01T00:00:00Z", "author": {"id": "x:u"},
            "text": "Bravo!"}
    lines = [json.dumps({**good, "id": f"x:{i}"}) for i in range(700)]
    lines[10] = '{"id": "x:10", "text": '            # truncated JSON
    lines[500] = json.dumps({"id": "x:500"})          # missing fields
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    run = vigie("moderate", str(source), "-o", str(out), "--quiet")
    assert run.returncode == 0, run.stderr
    assert "line 11" in run.stderr and "line 501" in run.stderr
    decided = [json.loads(x)["comment_id"] for x in out.read_text("utf-8").splitlines()]
    assert decided == [f"x:{i}" for i in range(700) if i not in (10, 500)]
    rejects = [json.loads(x) for x in
               (tmp_path / "out.jsonl.rejects.jsonl").read_text("utf-8").splitlines()]
    assert [r["line"] for r in rejects] == [11, 501]
    assert rejects[0]["raw"] == lines[10]
    assert "698 decided, 2 rejected" in run.stderr


def test_moderate_reads_stdin_and_writes_stdout() -> None:
    record = {"id": "x:1", "platform": "x", "created_at": "2025-01-01T00:00:00Z",
              "author": {"id": "x:u"}, "text": SPANISH}
    run = vigie("moderate", "-", stdin=json.dumps(record) + "\n")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["clauses"] == ["6.4 h"]


def test_moderate_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    run = vigie("moderate", str(tmp_path / "nope.jsonl"))
    assert run.returncode == 4
    assert "cannot open" in run.stderr


def test_policy_validate_and_show() -> None:
    run = vigie("policy", "validate", "policies/polytechnique.yaml")
    assert run.returncode == 0, run.stderr
    assert "valid" in run.stdout and load_policy().digest in run.stdout
    run = vigie("policy", "show")
    assert run.returncode == 0, run.stderr
    assert "ADD-550-487" in run.stdout and "6.4 k" in run.stdout
    run = vigie("policy", "show", "--json")
    data = json.loads(run.stdout)
    assert data["approval"]["reference"] == "ADD-550-487"
    assert [c["clause"] for c in data["categories"]][7] == "6.4 h"


def test_policy_validate_broken_file_exits_3_with_location(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    text = Path("policies/polytechnique.yaml").read_text("utf-8")
    broken.write_text(text.replace("action: hide", "action: vaporise", 1), encoding="utf-8")
    run = vigie("policy", "validate", str(broken))
    assert run.returncode == 3
    assert "broken.yaml" in run.stderr and "action" in run.stderr and "'remove'" in run.stderr


def test_policy_validate_reads_the_monitoring_names_file(tmp_path: Path) -> None:
    broken = tmp_path / "names.yaml"
    text = Path("policies/polytechnique.yaml").read_text("utf-8")
    broken.write_text(text.replace("vigie:policies/polytechnique-names.yaml",
                                   str(tmp_path / "missing-names.yaml")), encoding="utf-8")
    run = vigie("policy", "validate", str(broken))
    assert run.returncode != 0 and "Traceback" not in run.stderr
    assert "missing-names.yaml: cannot read names file" in run.stderr.replace("\n", "")


def test_demo_runs_on_bundled_data() -> None:
    run = vigie("demo", "--json")
    assert run.returncode == 0, run.stderr
    decisions = [json.loads(x) for x in run.stdout.splitlines()]
    assert len(decisions) >= 20
    assert any(d["action"] != "allow" for d in decisions)
    assert any(d["action"] == "allow" for d in decisions)


@needs_dev_set
def test_eval_json_has_the_documented_keys() -> None:
    run = vigie("eval", str(DEV_SET), "--json")
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert set(report) >= {"per_category", "macro_f1", "micro_f1", "false_removal_rate", "n"}
    assert report["n"] == 360
    assert set(report["per_category"]) == set(load_policy().slugs)
    for scores in report["per_category"].values():
        assert set(scores) == {"precision", "recall", "f1", "support"}
    assert report["per_category"]["language"]["f1"] > 0.8
    assert report["false_removal_rate"] < 0.02


@pytest.mark.slow
@needs_dev_set
def test_bench_json_keys_headline_from_real_public_comments() -> None:
    run = vigie("bench", "--json", "--n", "300", "--latency-n", "30",
                "--public", str(SHARED_DATA / "public"), "--dev", str(DEV_SET), timeout=400)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    for key in ("comments_per_s_1core", "comments_per_s_all", "p50_ms", "p99_ms",
                "peak_rss_mb", "cold_start_s"):
        assert result[key] > 0
    assert result["corpus"] == "public"
    assert result["comments_per_s_1core"] == result["public"]["comments_per_s_1core"]
    assert {"public", "synthetic", "dev_repeated"} <= set(result)
    assert result["public"]["n"] == 300


@needs_dev_set
def test_public_bench_corpus_mixes_every_real_comment_set_in_turns() -> None:
    from vigie.bench.run import PUBLIC_COMMENT_SETS, public_records

    records = public_records(SHARED_DATA / "public", 2 * len(PUBLIC_COMMENT_SETS))
    assert len(records) == 2 * len(PUBLIC_COMMENT_SETS)
    assert len({r["id"] for r in records}) == len(records)
    assert [r["platform"] for r in records[:2]] == ["youtube", "x"]
    assert records == public_records(SHARED_DATA / "public", 2 * len(PUBLIC_COMMENT_SETS))


@pytest.mark.parametrize("args", [(), ("queue",), ("policy",), ("mentions",), ("registry",),
                                  ("audit",), ("privacy",)])
def test_bare_command_or_group_prints_help_not_a_traceback(args: tuple[str, ...]) -> None:
    run = vigie(*args)
    assert "Traceback" not in run.stderr + run.stdout
    assert "Usage:" in run.stdout + run.stderr
    assert run.returncode in (0, 2)


def test_every_command_is_registered_once() -> None:
    from vigie.cli.app import build_app

    app = build_app()
    names = [c.name for c in app.registered_commands] + [g.name for g in app.registered_groups]
    assert len(names) == len(set(names))
    assert {"check", "moderate", "eval", "demo", "serve", "run", "draft", "purge"} <= set(names)
    assert {"policy", "queue", "audit", "outbox", "users", "connectors", "mentions"} <= set(names)


def test_policy_validate_checks_each_period(tmp_path: Path) -> None:
    text = Path("policies/polytechnique.yaml").read_text("utf-8")
    run = vigie("policy", "validate", "policies/polytechnique.yaml")
    assert "period commemoration-6-decembre: 12-01 to 12-10 every year" in run.stdout
    broken = tmp_path / "period.yaml"
    broken.write_text(text.replace("    terms_max_action: review\n", "    terms_max_action: "
                                   "review\n    detectors:\n      vigie.links.adult.v1: "
                                   "{extra_domainz: [x.example]}\n"), encoding="utf-8")
    run = vigie("policy", "validate", str(broken))
    assert run.returncode == 3 and "extra_domainz" in run.stderr
