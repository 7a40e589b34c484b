"""The outbox worker: idempotent application, retries with back-off, dead letters, sinks."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from vigie.errors import StoreError
from vigie.store.outbox import (
    ActionKind,
    ActionResult,
    BatchActionSink,
    JsonlSink,
    OutboxAction,
    RecordingSink,
    batches,
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
                                                       comment_factory: Any,
                                                       store_clock: Any) -> None:
    _plan(moderator, comment_factory, 2)
    sink = RecordingSink()

    class Dies(RecordingSink):
        def apply(self, action: OutboxAction) -> ActionResult:
            sink.apply(action)                   # the platform did it...
            raise KeyboardInterrupt              # ...and the worker died before the mark

    with pytest.raises(KeyboardInterrupt):
        run_outbox(store, Dies())
    assert _statuses(store) == [("sending", 1)] * 2        # claimed, the result never recorded
    assert run_outbox(store, sink).applied == 0            # the dead worker's lease still holds
    store_clock.advance(seconds=301)
    assert run_outbox(store, sink).applied == 2
    assert len(sink.calls) == 3 and len(sink.applied) == 2   # delivered again, applied once
    assert sink.calls[0].key == sink.calls[1].key
    with store.read() as conn:
        doubts = [json.loads(p).get("in_doubt") for p in conn.execute(
            select(events.c.payload).where(events.c.kind == "action_applied")).scalars()]
    assert doubts == [True, True]                           # the audit says why it was resent


class ConfirmingRecorder(RecordingSink):
    """Looks on the 'platform' (the recorder) before an action in doubt is sent again."""

    def __init__(self, platform: RecordingSink) -> None:
        super().__init__()
        self.platform = platform
        self.asked: list[str] = []

    def confirm(self, action: OutboxAction) -> bool | None:
        self.asked.append(action.key)
        return action.key in self.platform.applied

    def apply(self, action: OutboxAction) -> ActionResult:
        return self.platform.apply(action)


def test_an_action_in_doubt_is_confirmed_not_resent(store: Any, moderator: Any,
                                                    comment_factory: Any,
                                                    store_clock: Any) -> None:
    _plan(moderator, comment_factory, 3)
    platform = RecordingSink()
    seen = {"n": 0}

    class DiesAfterTwo(RecordingSink):
        def apply(self, action: OutboxAction) -> ActionResult:
            seen["n"] += 1
            if seen["n"] == 3:
                raise KeyboardInterrupt          # the third never reached the platform
            return platform.apply(action)

    with pytest.raises(KeyboardInterrupt):
        run_outbox(store, DiesAfterTwo())
    store_clock.advance(seconds=301)
    sink = ConfirmingRecorder(platform)
    assert run_outbox(store, sink).applied == 3
    assert len(sink.asked) == 3                             # all three were in doubt
    assert len(platform.calls) == 3 and len(platform.applied) == 3   # no call repeated


def test_results_are_recorded_per_group_and_no_transaction_spans_a_call(
        store: Any, moderator: Any, comment_factory: Any) -> None:
    _plan(moderator, comment_factory, 7)
    probes: list[int] = []

    class Probing(RecordingSink):
        def apply(self, action: OutboxAction) -> ActionResult:
            # A write to the very row being sent: it would wait on a lock (PostgreSQL) or on
            # the database (SQLite) if the worker held a transaction across this call.
            with store.begin() as conn:
                if store.dialect == "postgresql":
                    conn.exec_driver_sql("SET LOCAL lock_timeout = '2s'")
                conn.execute(outbox.update().where(outbox.c.key == action.key)
                             .values(last_error="probe"))
            with store.read() as conn:
                probes.append(len(list(conn.execute(select(outbox.c.key).where(
                    outbox.c.status == "applied")).scalars())))
            if len(self.calls) == 5:
                raise KeyboardInterrupt
            return super().apply(action)

    with pytest.raises(KeyboardInterrupt):
        run_outbox(store, Probing(), group_size=2)
    assert probes == [0, 0, 2, 2, 4, 4]      # each group of two recorded before the next is sent
    assert [s for s, _ in _statuses(store)].count("applied") == 4


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


class BatchRecordingSink(RecordingSink):
    """A recording sink with ``apply_many``; ``answer`` may replace a group's results."""

    def __init__(self, answer: Callable[[Sequence[OutboxAction]], list[ActionResult]] | None
                 = None) -> None:
        super().__init__()
        self.groups: list[list[OutboxAction]] = []
        self.answer = answer

    def apply_many(self, actions: Sequence[OutboxAction]) -> list[ActionResult]:
        self.groups.append(list(actions))
        if self.answer is not None:
            return self.answer(actions)
        return [self.apply(a) for a in actions]


def _action(kind: ActionKind, comment: str, author: str = "yt:u", platform: str = "youtube"
            ) -> OutboxAction:
    return OutboxAction(f"{kind.value}:{comment}:{author}", kind, platform, comment, author,
                        None, "test")


def test_a_batch_sink_gets_one_group_per_platform_and_kind(
        store: Any, moderator: Any, comment_factory: Any) -> None:
    moderator.process(
        [comment_factory(f"fb:c-{i}", "SPAM", author=f"fb:u-{i}") for i in range(3)]
        + [comment_factory(f"yt:c-{i}", "SPAM", author=f"yt:u-{i}", platform="youtube",
                           post="yt:v-1") for i in range(4)]
        + [comment_factory("yt:c-9", "THREAT", author="yt:u-9", platform="youtube",
                           post="yt:v-1")])
    sink = BatchRecordingSink()
    assert isinstance(sink, BatchActionSink)
    run = run_outbox(store, sink)
    assert run.applied == 9 and not sink.applied.keys() ^ {a.key for a in sink.calls}
    shapes = [(g[0].platform, g[0].kind.value, len(g)) for g in sink.groups]
    assert shapes == [("facebook", "remove_comment", 3), ("youtube", "remove_comment", 5),
                      ("youtube", "block_author", 1)]
    assert _statuses(store) == [("applied", 1)] * 9
    with store.read() as conn:   # one event per action, in outbox order, as without batches
        applied = list(conn.execute(select(events.c.subject_id).where(
            events.c.kind == "action_applied").order_by(events.c.seq)).scalars())
        planned = list(conn.execute(select(outbox.c.key).order_by(outbox.c.pk)).scalars())
    assert applied == planned
    assert run_outbox(store, sink).applied == 0 and len(sink.groups) == 3


def test_batches_keep_the_order_of_actions_on_one_comment_or_author() -> None:
    remove, restore = ActionKind.REMOVE_COMMENT, ActionKind.RESTORE_COMMENT
    block, unblock = ActionKind.BLOCK_AUTHOR, ActionKind.UNBLOCK_AUTHOR
    due = [_action(remove, "yt:1"), _action(remove, "yt:2"), _action(restore, "yt:1"),
           _action(remove, "yt:3")]
    assert [[a.comment_id for a in g] for g in batches(due)] == [
        ["yt:1", "yt:2"], ["yt:1"], ["yt:3"]]   # the restore after the removal it undoes
    # A block is the removal plus a ban: the two need no order, so no split.
    due = [_action(remove, "yt:1", "yt:a"), _action(block, "yt:1", "yt:a"),
           _action(remove, "yt:2", "yt:b")]
    assert [len(g) for g in batches(due)] == [2, 1]
    # An unblock after a block of the same author, even through another comment.
    due = [_action(block, "yt:1", "yt:a"), _action(unblock, "yt:2", "yt:a"),
           _action(block, "yt:3", "yt:b")]
    assert [[a.kind for a in g] for g in batches(due)] == [[block], [unblock], [block]]
    due = [_action(ActionKind.HIDE_COMMENT, "fb:1", platform="facebook"),
           _action(remove, "fb:1", platform="facebook")]
    assert len(list(batches(due))) == 2  # hold then reject is not reject then hold


def test_a_batch_is_recorded_per_action(store: Any, moderator: Any, comment_factory: Any,
                                        store_clock: Any) -> None:
    _plan(moderator, comment_factory, 3)

    def mixed(actions: Sequence[OutboxAction]) -> list[ActionResult]:
        return [ActionResult("applied", "done", "p-0"), ActionResult("retry", "HTTP 503"),
                ActionResult("failed", "refused: processingFailure")]

    run = run_outbox(store, BatchRecordingSink(mixed))
    assert (run.applied, run.retried, run.dead) == (1, 1, 1)
    assert _statuses(store) == [("applied", 1), ("pending", 1), ("dead", 1)]
    with store.read() as conn:
        rows = conn.execute(select(events.c.kind, events.c.subject_id, events.c.payload).where(
            events.c.kind.in_(["action_applied", "action_failed"])).order_by(events.c.seq))
        recorded = [(r.kind, r.subject_id, json.loads(r.payload)) for r in rows]
    assert [(k, p.get("final"), p.get("platform_ref")) for k, _, p in recorded] == [
        ("action_applied", None, "p-0"), ("action_failed", False, None),
        ("action_failed", True, None)]
    assert recorded[2][2]["detail"] == "refused: processingFailure"
    store_clock.advance(seconds=61)              # the retry's back-off is over
    again = BatchRecordingSink()
    assert run_outbox(store, again).applied == 1
    assert [[a.comment_id for a in g] for g in again.groups] == [["fb:c-1"]]
    assert again.calls[0].attempt == 2


@pytest.mark.parametrize("answer", [
    pytest.param(lambda actions: 1 / 0, id="raises"),
    pytest.param(lambda actions: [ActionResult("applied")], id="too-few-results"),
])
def test_a_broken_batch_is_a_retry_of_each_action(
        store: Any, moderator: Any, comment_factory: Any,
        answer: Callable[[Sequence[OutboxAction]], list[ActionResult]]) -> None:
    _plan(moderator, comment_factory, 3)
    run = run_outbox(store, BatchRecordingSink(answer))
    assert (run.applied, run.retried) == (0, 3)  # no result trusted to the wrong action
    assert _statuses(store) == [("pending", 1)] * 3


def test_a_status_reset_by_hand_does_not_apply_an_action_again(store: Any, moderator: Any,
                                                                comment_factory: Any) -> None:
    _plan(moderator, comment_factory, 2)
    sink = RecordingSink()
    assert run_outbox(store, sink).applied == 2
    with store.engine.begin() as conn:  # someone with write access "replays" the actions
        conn.execute(outbox.update().values(status="pending", attempts=0))
    run = run_outbox(store, sink)
    assert run.applied == 0 and len(sink.calls) == 2            # nothing sent again
    assert len(run.errors) == 2 and "reset outside Vigie" in run.errors[0]
    assert _statuses(store) == [("applied", 0)] * 2
