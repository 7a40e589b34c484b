"""The monitoring commands end to end: vigie draft, vigie mentions, vigie registry."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from fakes.server import FakePlatform, FakeServer, Reply, Request

DATA = Path(__file__).parents[1] / "data" / "monitoring"
REGISTRY = ("platform,url,handle,name,unit,contact,status,notes\n"
            ",https://x.com/polymtl,,Polytechnique Montréal,Communications,comm@polymtl.ca,"
            "official,\n")
DRAFT = "Au nom de Polytechnique, je dénonce la décision du ministère."


def vigie(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "vigie", *args], capture_output=True,
                          text=True, timeout=180, cwd=cwd)


class _Pages(FakePlatform):
    def handle(self, request: Request) -> Reply:
        if request.path == "/article.html":
            return Reply(200, (DATA / "article_title_only.html").read_bytes(),
                         {"Content-Type": "text/html; charset=utf-8"})
        return Reply(500, b"down", {"Content-Type": "text/plain"})


@pytest.fixture
def pages() -> Iterator[str]:
    with FakeServer(_Pages()) as server:
        yield server.url


def test_draft_with_registry_file_flags_only_the_unmandated_author(tmp_path: Path) -> None:
    registry = tmp_path / "registry.csv"
    registry.write_text(REGISTRY, "utf-8")
    flagged = vigie("draft", DRAFT, "--as", "@jdoe", "--registry", str(registry), "--json")
    assert flagged.returncode == 3, flagged.stderr
    report = json.loads(flagged.stdout)
    assert report["clauses"] == ["6.1"] and report["findings"][0]["topic"] == "mandate"
    official = vigie("draft", DRAFT, "--as", "@polymtl", "--registry", str(registry))
    assert official.returncode == 0, official.stderr
    assert "ready to publish" in official.stdout


def test_registry_round_trip_and_mentions_poll(tmp_path: Path, pages: str) -> None:
    db = str(tmp_path / "vigie.sqlite")
    registry = tmp_path / "registry.csv"
    registry.write_text(REGISTRY, "utf-8")
    assert vigie("registry", "import", str(registry), "--db", db).returncode == 0
    exported = vigie("registry", "export", "--format", "json", "--db", db)
    assert json.loads(exported.stdout)[0]["handle"] == "polymtl"
    assert vigie("mentions", "add", f"{pages}/article.html", "--kind", "page", "--name",
                 "Le Quotidien", "--db", db).returncode == 0
    assert vigie("mentions", "add", f"{pages}/down.rss", "--db", db).returncode == 0
    polled = vigie("mentions", "poll", "--db", db)
    assert polled.returncode == 1  # one source failed; the other was polled all the same
    assert "Le Quotidien: updated" in polled.stdout
    listed = json.loads(vigie("mentions", "list", "--db", db, "--json").stdout)
    assert [m["tone_label"] for m in listed] == ["negative"]
    assert vigie("mentions", "add", "x", "--kind", "rss", "--db", db).returncode == 1


def test_mentions_eval_prints_the_published_figures() -> None:
    result = vigie("mentions", "eval", "--json")
    report = json.loads(result.stdout)
    assert report["about"]["n"] >= 200
    assert report["about"]["precision"] >= 0.9 and report["about"]["recall"] >= 0.95


def test_mentions_poll_reads_the_names_of_the_policy_given(tmp_path: Path, pages: str) -> None:
    # The article names Polytechnique Montréal: a mention under its policy, none under
    # another institution's (examples/policies/northfield.yaml).
    northfield = Path(__file__).parents[2] / "examples" / "policies" / "northfield.yaml"
    found = {}
    for name, policy in (("poly", []), ("north", ["--policy", str(northfield)])):
        db = str(tmp_path / f"{name}.sqlite")
        assert vigie("mentions", "add", f"{pages}/article.html", "--kind", "page",
                     "--db", db).returncode == 0
        polled = vigie("mentions", "poll", "--db", db, *policy)
        assert polled.returncode == 0, polled.stderr
        found[name] = json.loads(vigie("mentions", "list", "--db", db, "--doubtful",
                                       "--json").stdout)
    assert len(found["poly"]) == 1 and found["north"] == []
