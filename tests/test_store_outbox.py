"""The outbox worker: idempotent application, retries with back-off, dead letters, sinks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from vigie.errors import StoreError
from vigie.store.outbox import (
    ActionKind,
    ActionResult,
    JsonlSink,
    OutboxAction,
    RecordingSink,
    resolve_sink,
    run_outbox,
)
from vigie.store.schema import events, outbox


def _plan(moderator: Any, comment_factory: Any, n: int = 3) -> None:
    moderator.process([comment_factory(f"fb:c-{i}", "SPAM", author=f"fb:u-{i}")
                       for i in range(n)])


def _statuses(store: Any) -> list[tuple[str, int]]:
    with store.read() as conn:
        return [(r.status, r.attempts) for r in
                conn.execute(select(outbox.c.status, outbox.c.attempts).order_by(outbox.c.pk))]


def test_applies_each_action_once(store: Any, moderator: Any, comment_factory: Any) -> None:
    _plan(moderator, comment_factory)
    sink = RecordingSink()
    assert run_outbox(store, sink).applied == 3
    assert run_outbox(store, sink).applied == 0            # nothing due: nothing re-applied
    assert len(sink.calls) == 3 and _statuses(store) == [("applied", 1)] * 3
    assert {a.kind for a in sink.calls} == {ActionKind.REMOVE_COMMENT}
    with store.read() as conn:
        kinds = list(conn.execute(select(events.c.kind).where(
            events.c.kind == "action_applied")).scalars())
    assert len(kinds) == 3


def test_retries_with_backoff_then_gives_up(store: Any, moderator: Any, comment_factory: Any,
                                            store_clock: Any) -> None:
    _plan(moderator, comment_factory, 1)
    sink = RecordingSink(fail=lambda action: ActionResult("retry", "HTTP 503"))
    assert run_outbox(store, sink).retried == 1
    assert run_outbox(store, sink).retried == 0             # waiting for its back-off (60 s)
    store_clock.advance(seconds=61)
    assert run_outbox(store, sink).retried == 1             # 2nd attempt; next wait is 120 s
    store_clock.advance(seconds=61)
    assert run_outbox(store, sink).retried == 0
    store_clock.advance(seconds=60)
    run = run_outbox(store, sink)
    assert run.dead == 1 and _statuses(store) == [("dead", 3)]   # max 3 attempts
    assert [a.attempt for a in sink.calls] == [1, 2, 3]


def test_a_raising_sink_is_a_retry_and_a_refusal_is_final(store: Any, moderator: Any,
                                                          comment_factory: Any,
                                                          store_clock: Any) -> None:
    _plan(moderator, comment_factory, 2)

    def flaky(action: OutboxAction) -> ActionResult | None:
        if action.comment_id == "fb:c-0":
            raise ConnectionError("network down")
        return ActionResult("failed", "permission denied")

    run = run_outbox(store, RecordingSink(fail=flaky))
    assert (run.retried, run.dead) == (1, 1)
    assert "ConnectionError" in run.errors[0]
    store_clock.advance(seconds=61)
    healthy = RecordingSink()
    assert run_outbox(store, healthy).applied == 1
    assert _statuses(store) == [("applied", 2), ("dead", 1)]


def test_crash_after_apply_redelivers_with_the_same_key(store: Any, moderator: Any,
                                                       comment_factory: Any) -> None:
    _plan(moderator, comment_factory, 2)
    sink = RecordingSink()

    class Dies(RecordingSink):
        def apply(self, action: OutboxAction) -> ActionResult:
            sink.apply(action)                   # the platform did it...
            raise KeyboardInterrupt              # ...and the worker died before the mark

    with pytest.raises(KeyboardInterrupt):
        run_outbox(store, Dies())
    assert _statuses(store) == [("pending", 0)] * 2
    assert run_outbox(store, sink).applied == 2
    assert len(sink.calls) == 3 and len(sink.applied) == 2   # delivered again, applied once
    assert sink.calls[0].key == sink.calls[1].key


def test_jsonl_sink_never_repeats_an_effect(tmp_path: Path) -> None:
    path = tmp_path / "actions.jsonl"
    action = OutboxAction("remove_comment:fb:c-1:decision", ActionKind.REMOVE_COMMENT,
                          "facebook", "fb:c-1", "fb:u-1", None, "6.4 k")
    first = JsonlSink(path)
    assert first.apply(action).status == "applied"
    first.close()
    path.write_text(path.read_text() + '{"key": "torn', encoding="utf-8")  # a torn last line
    again = JsonlSink(path)                                  # a new process after a crash
    assert again.apply(action).detail.startswith("already applied")
    again.close()
    keys = [json.loads(line)["key"] for line in path.read_text().splitlines()
            if line.endswith("}")]
    assert keys == [action.key] and again.repeats == 1


def test_resolve_sink_lists_valid_names(tmp_path: Path) -> None:
    assert isinstance(resolve_sink(f"jsonl:{tmp_path / 'a.jsonl'}"), JsonlSink)
    with pytest.raises(StoreError, match=r"valid: .*jsonl"):
        resolve_sink("carrier-pigeon:x")
