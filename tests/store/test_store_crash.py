"""Crash safety: SIGKILL a real ``vigie moderate --db`` in the middle of a large file, rerun it.

Three moments (a sixth, half and five sixths of the way). The rerun must finish the file with no
comment lost, none decided twice and no platform action applied twice; its output file must hold
every decision, each equal to the one stored, and **equal to the decision of an uninterrupted
run**: the pipeline's memory of earlier batches (the copy-paste window, the thread index) is
rebuilt from the store at start-up (:mod:`vigie.store.recall`), and the file has copy-paste
campaigns running across every kill point.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from crash_support import campaign_records, decided_count
from vigie.store.db import connect
from vigie.store.events import verify_chain
from vigie.store.schema import comments, decisions, events, outbox

pytestmark = pytest.mark.slow

N = 6000
VIGIE = [sys.executable, "-c", "from vigie.cli.app import main; main()"]


def _moderate(source: Path, db: str, out: Path, actions: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIE_")}
    return subprocess.Popen(
        [*VIGIE, "moderate", str(source), "--db", db, "--sink", f"jsonl:{actions}",
         "-o", str(out), "-q", "--batch-size", "200"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The input file: campaigns, spam, foreign-language and plain comments from 60 authors."""
    path = tmp_path_factory.mktemp("crash") / "comments.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n"
                            for r in campaign_records(N)), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def uninterrupted(source: Path, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The output of a run never killed (decision bodies hold no time: any database)."""
    where = tmp_path_factory.mktemp("whole")
    out = where / "decisions.jsonl"
    run = _moderate(source, f"sqlite:///{where / 'vigie.sqlite'}", out, where / "actions.jsonl")
    _, err = run.communicate(timeout=240)
    assert run.returncode == 0, err.decode()[-2000:]
    return out.read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize("moment", [1, 3, 5], ids=["early", "middle", "late"])
def test_sigkill_mid_file_then_rerun(source: Path, db_url: str, tmp_path: Path,
                                     moment: int, uninterrupted: list[str]) -> None:
    out, actions = tmp_path / "decisions.jsonl", tmp_path / "actions.jsonl"
    proc = _moderate(source, db_url, out, actions)
    deadline = time.monotonic() + 180
    threshold = N * moment // 6   # a sixth, half, five sixths of the file
    while (done := decided_count(db_url)) < threshold:
        assert proc.poll() is None, "the run ended before it could be killed"
        assert time.monotonic() < deadline, "the run made no progress"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    at_kill = decided_count(db_url)
    assert threshold <= at_kill < N, f"killed after {at_kill} decisions: not mid-file"
    del done

    rerun = _moderate(source, db_url, out, actions)
    _, err = rerun.communicate(timeout=240)
    assert rerun.returncode == 0, err.decode()[-2000:]

    engine = connect(db_url)
    try:
        with engine.connect() as conn:
            ids = [json.loads(line)["id"] for line in source.read_text().splitlines()]
            stored = Counter(conn.execute(select(comments.c.comment_id)
                                          .join(decisions, decisions.c.comment_pk ==
                                                comments.c.pk)).scalars())
            assert set(stored) == set(ids) and max(stored.values()) == 1   # none lost, once
            bodies = {row.comment_id: json.loads(row.body) for row in conn.execute(
                select(comments.c.comment_id, decisions.c.body)
                .join(decisions, decisions.c.comment_pk == comments.c.pk))}
            kinds = Counter(conn.execute(select(events.c.kind).where(
                events.c.kind.in_(["ingested", "decided"]))).scalars())
            assert kinds == {"ingested": N, "decided": N}                  # no double work
            planned = sorted(conn.execute(select(outbox.c.key)).scalars())
            statuses = set(conn.execute(select(outbox.c.status)).scalars())
            report = verify_chain(conn)
    finally:
        engine.dispose()
    assert report.ok, report.problems[:3]

    applied = [json.loads(line)["key"] for line in actions.read_text().splitlines()]
    assert len(applied) == len(set(applied)), "a platform action was applied twice"
    assert sorted(applied) == planned and statuses == {"applied"}     # none lost either
    kinds_planned = Counter(key.split(":", 1)[0] for key in planned)
    assert kinds_planned["remove_comment"] and kinds_planned["block_author"]

    # The rerun writes the complete output, in input order, each line the stored decision.
    written = [json.loads(line) for line in out.read_text().splitlines()]
    assert [d["comment_id"] for d in written] == ids
    assert all(d == bodies[d["comment_id"]] for d in written)
    # ... and every decision is the one an uninterrupted run takes.
    reference = [json.loads(line) for line in uninterrupted]
    differ = [a["comment_id"] for a, b in zip(written, reference, strict=True) if a != b]
    assert not differ, f"{len(differ)} decisions differ from an uninterrupted run: {differ[:3]}"
