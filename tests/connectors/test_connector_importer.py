"""JSONL/CSV import and replay connectors: batches, resumable cursors, simulated platform."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from connector_support import drain
from factories import comment
from vigie.connectors.base import Operation, PlatformAction
from vigie.connectors.importer import FileImportConnector, ReplayConnector


def write_jsonl(path: Path, n: int, *, bad_at: int | None = None) -> None:
    lines = []
    for i in range(n):
        if i == bad_at:
            lines.append("{not json")
            continue
        lines.append(json.dumps({
            "id": f"fb:c-{i}", "platform": "facebook", "text": f"commentaire {i}",
            "created_at": "2025-03-18T14:05:42Z", "author": {"id": f"fb:u-{i % 3}"}}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")



def test_import_in_batches_skipping_bad_records(tmp_path: Path) -> None:
    path = tmp_path / "comments.jsonl"
    write_jsonl(path, 10, bad_at=4)
    conn = FileImportConnector("demo", path, batch_size=3)
    ids, _ = drain(conn)
    assert ids == [f"fb:c-{i}" for i in range(10) if i != 4]
    assert [r.line for r in conn.rejected] == [5]


def test_import_resumes_after_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "comments.jsonl"
    write_jsonl(path, 10)
    first = FileImportConnector("demo", path, batch_size=4)
    batch = first.fetch(None)
    assert len(batch.comments) == 4 and batch.more
    restarted = FileImportConnector("demo", path, batch_size=4)
    rest, cursor = drain(restarted, batch.cursor)
    assert rest == [f"fb:c-{i}" for i in range(4, 10)]
    with path.open("a", encoding="utf-8") as handle:  # the file grows: only the new line
        handle.write(json.dumps({"id": "fb:c-new", "platform": "facebook", "text": "x",
                                 "created_at": "2025-03-18T15:00:00Z",
                                 "author": {"id": "fb:u-9"}}) + "\n")
    assert drain(FileImportConnector("demo", path), cursor)[0] == ["fb:c-new"]


def test_import_actions_log(tmp_path: Path) -> None:
    path = tmp_path / "comments.jsonl"
    write_jsonl(path, 1)
    log = tmp_path / "actions.jsonl"
    conn = FileImportConnector("demo", path, actions_log=log)
    conn.apply(PlatformAction("fb:c-0", (Operation.HIDE, Operation.BLOCK_AUTHOR),
                              author_id="fb:u-0"))
    record = json.loads(log.read_text(encoding="utf-8"))
    assert record["operations"] == ["hide", "block_author"] and record["comment_id"] == "fb:c-0"
    assert conn.state.hidden == {"fb:c-0"} and conn.state.blocked == {"fb:u-0"}


def test_replay_in_time_order_with_a_clock() -> None:
    start = datetime(2025, 3, 18, 14, 0, tzinfo=UTC)
    comments = [comment(f"c{i}", cid=f"fb:c-{i}").model_copy(
        update={"created_at": start + timedelta(minutes=10 - i)}) for i in range(5)]
    now = [start + timedelta(minutes=7)]
    replay = ReplayConnector("replay", comments, batch_size=2, clock=lambda: now[0])
    ids, cursor = drain(replay)
    assert ids == ["fb:c-4", "fb:c-3"]  # oldest first, none from the future
    now[0] += timedelta(hours=1)
    assert drain(replay, cursor)[0] == ["fb:c-2", "fb:c-1", "fb:c-0"]


def test_replay_state_is_idempotent() -> None:
    replay = ReplayConnector("replay", [comment("x")])
    action = PlatformAction("fb:c-1", (Operation.REJECT, Operation.BLOCK_AUTHOR),
                            author_id="fb:u-1")
    replay.apply(action)
    replay.apply(action)
    assert replay.state.rejected == {"fb:c-1"} and replay.state.blocked == {"fb:u-1"}
    assert replay.state.taken_down == {"fb:c-1"}
    replay.apply(PlatformAction("fb:c-1", (Operation.BLOCK_AUTHOR,)))  # no author: skipped
    assert len(replay.state.log) == 4


def test_csv_import(tmp_path: Path) -> None:
    path = tmp_path / "comments.csv"
    path.write_text(
        "id,platform,text,created_at,author_id,post_id,post_text\n"
        'yt:c-1,youtube,"Super, merci!",2025-03-18T14:05:42Z,yt:u-1,yt:p-1,Vidéo\n'
        "x:c-2,x,Bravo,2025-03-18T14:06:00Z,x:u-2,,\n", encoding="utf-8")
    ids, cursor = drain(FileImportConnector("csv", path))
    assert ids == ["yt:c-1", "x:c-2"]
    assert drain(FileImportConnector("csv", path), cursor)[0] == []
