"""Bad lines never stop ``vigie moderate --db``: each goes to the rejects file with its reason.

Invalid UTF-8, a record nested 100,000 deep, a lone surrogate, a NUL character (PostgreSQL
refuses it in text) and, on PostgreSQL, an id longer than its column: the run goes on, the good
comments after the bad line are stored and decided, and a rerun does not stop at the same line.
A Hypothesis fuzz test mixes good records with any bytes and checks the same promises.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from vigie.batch.reader import read_comments
from vigie.store.db import connect
from vigie.store.schema import comments, decisions
from vigie.store.workflow import moderate_stream_db


def good(i: int) -> bytes:
    return json.dumps({"id": f"fb:c-{i}", "platform": "facebook", "text": f"Merci {i}!",
                       "created_at": "2025-03-18T14:05:42Z",
                       "author": {"id": f"fb:u-{i % 7}", "name": "Jean"}}).encode()


BAD: dict[str, bytes] = {
    "not valid UTF-8": good(1001).replace(b"Merci", b"Caf\xe9"),
    "nested deeper": b'{"id": "fb:deep", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "lone surrogate": good(1002).replace(b"Merci", b"\\ud83d"),
    "NUL character": good(1003).replace(b"Merci", b"\\u0000"),
}


def vigie(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "vigie", *args], capture_output=True,
                          text=True, timeout=300)


def stored(url: str) -> tuple[set[str], int]:
    engine = connect(url)
    try:
        with engine.connect() as conn:
            ids = set(conn.execute(select(comments.c.comment_id)).scalars())
            n = conn.execute(select(func.count()).select_from(decisions)).scalar_one()
    finally:
        engine.dispose()
    return ids, int(n)


@pytest.mark.slow
def test_bad_lines_are_rejected_and_the_rest_is_stored(db_url: str, tmp_path: Path) -> None:
    lines = [good(i) for i in range(60)]
    positions = {}
    for n, (reason, raw) in enumerate(BAD.items()):
        positions[reason] = 10 + 10 * n
        lines[10 + 10 * n] = raw
    long_id = "fb:" + "9" * 300  # over the column's 255 characters: PostgreSQL refuses it
    lines[55] = good(55).replace(b"fb:c-55", long_id.encode())
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\n".join(lines) + b"\n")
    out = tmp_path / "out.jsonl"
    for _ in range(2):  # the rerun goes past the same lines too
        run = vigie("moderate", str(source), "--db", db_url, "-o", str(out), "-q",
                    "--batch-size", "8")
        assert run.returncode == 0, run.stderr[-2000:]
        assert "Traceback" not in run.stderr
        rejects = [json.loads(x) for x in
                   (tmp_path / "out.jsonl.rejects.jsonl").read_text("utf-8").splitlines()]
        by_line = {r["line"]: r["error"] for r in rejects}
        for reason, index in positions.items():
            assert reason in by_line[index + 1], (reason, by_line)
        ids, n_decided = stored(db_url)
        expected = {f"fb:c-{i}" for i in range(60) if i not in positions.values()} - {
            "fb:c-55"}
        if db_url.startswith("postgresql"):
            assert "the database refused it" in by_line[56]
            assert ids == expected and n_decided == len(expected)
        else:
            assert ids == expected | {long_id} and n_decided == len(expected) + 1
        decided = [json.loads(x)["comment_id"] for x in out.read_text("utf-8").splitlines()]
        assert set(decided) == ids and len(decided) == len(ids)


_LINE = st.one_of(
    st.integers(0, 10_000).map(good),
    st.binary(max_size=80),
    st.sampled_from(list(BAD.values())),
    st.text(max_size=40).map(lambda t: json.dumps({"id": t, "text": t}).encode()),
    st.integers(1, 2000).map(lambda d: b'{"id": "x", "a": ' + b"[" * d + b"]" * d + b"}"),
)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(lines=st.lists(_LINE, max_size=30))
def test_fuzzed_files_never_stop_the_run(lines: list[bytes], tmp_path: Path, store: Any,
                                         moderator: Any) -> None:
    source = tmp_path / f"fuzz-{abs(hash(tuple(lines)))}.jsonl"
    source.write_bytes(b"\n".join(line.replace(b"\n", b" ") for line in lines) + b"\n")
    rejects = io.StringIO()
    out = io.StringIO()
    stats = moderate_stream_db(moderator, read_comments(source), out, rejects, batch_size=4)
    records = [line for line in source.read_bytes().split(b"\n") if line.strip()]
    written = [json.loads(x) for x in rejects.getvalue().splitlines()]
    # Nothing lost: every non-blank line is decided or rejected, with a reason.
    assert stats.decided + stats.rejected == stats.read
    assert all(r["error"] for r in written) and len(written) == stats.rejected
    assert len(out.getvalue().splitlines()) == stats.decided
    assert stats.read <= len(records)
    with store.read() as conn:
        held = set(conn.execute(select(comments.c.comment_id)).scalars())
    assert {json.loads(x)["comment_id"] for x in out.getvalue().splitlines()} <= held
