"""The outbox: platform actions planned in the database, applied later, exactly once in effect.

A decision never calls a platform. It *plans* actions (hide, remove, restore a comment; block,
unblock an author) as outbox rows, in the same transaction as the decision, so a crash can lose
neither. A worker (:func:`run_outbox`) then applies due actions through an :class:`ActionSink`,
records the result as an event, and retries failures with exponential back-off until
``outbox_max_attempts`` is reached (then the action is ``dead`` and an ``action_failed`` event
says so).

Exactly-once effects: every action carries an idempotency ``key``, and the worker never holds a
transaction across a platform call. It *claims* a small group of due actions (status
``sending``, with its name: :mod:`vigie.store.outbox_claims`) in one short transaction, sends
them, and records their results in another, group after group, so a crash leaves at most one
group whose fate is unknown. Such an action is *in doubt* once its worker is seen dead (same
machine) or its lease has run out (``outbox_lease_s``); the next worker takes it over and, if
the sink can look (:class:`ConfirmingSink`), asks the platform whether the effect is already
there before sending anything. A sink that cannot look gets the
action again with the same key and must not repeat its effect: hiding or deleting an
already-hidden comment is naturally idempotent on every platform; a sink for a call that is
not keeps a record of the keys it applied (see :class:`JsonlSink`).

Batches: a sink that also has ``apply_many`` (:class:`BatchActionSink`) receives the due actions
in groups of one platform and one kind, so a platform that moderates many comments per call
(YouTube: 50 ids for 50 quota units) is called once per group rather than once per action. The
results, the events and the retries stay per action.

The platform connectors' sink is :class:`vigie.connectors.sink.ConnectorSink`. Other sinks are
found by name through the ``vigie.sinks`` entry-point group: ``name = "package.module:factory"``
where ``factory(argument: str) -> ActionSink``. Rows are locked (on PostgreSQL as on SQLite)
only for the instant of a claim, so concurrent workers never share an action and no lock is
held while a platform answers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from importlib.metadata import entry_points
from pathlib import Path
from typing import IO, Any, Literal, Protocol, runtime_checkable

from sqlalchemy import Row, and_, select, update
from sqlalchemy.engine import Connection

from vigie.errors import StoreError
from vigie.store._bulk import bulk_insert
from vigie.store.events import EventKind, NewEvent, append_events, lock_chain
from vigie.store.outbox_claims import SENDING, WORKER, claim, due_rows
from vigie.store.schema import events, outbox
from vigie.store.state_audit import ROW_DIGEST, action_digest
from vigie.store.store import Store

__all__ = [
    "ActionKind",
    "ActionResult",
    "ActionSink",
    "BatchActionSink",
    "ConfirmingSink",
    "JsonlSink",
    "OutboxAction",
    "OutboxRun",
    "RecordingSink",
    "action_key",
    "batches",
    "insert_planned",
    "plan_action",
    "resolve_sink",
    "run_outbox",
]


class ActionKind(StrEnum):
    """What a platform is asked to do."""

    HIDE_COMMENT = "hide_comment"
    REMOVE_COMMENT = "remove_comment"
    RESTORE_COMMENT = "restore_comment"
    BLOCK_AUTHOR = "block_author"
    UNBLOCK_AUTHOR = "unblock_author"
    #: Post ``body`` as a public reply under the comment (:mod:`vigie.store.replies`).
    REPLY_COMMENT = "reply_comment"


@dataclass(frozen=True, slots=True)
class OutboxAction:
    """One action for a platform connector.

    Attributes:
        key: idempotency key, unique per intended effect; a sink must not repeat the effect of
            a key it already applied.
        kind: what to do.
        platform: ``facebook``, ``youtube``...
        comment_id: the platform's comment id (comment actions).
        author_id: the platform's author id (author actions, and comment actions for context).
        post_id: the post the comment answers, when known.
        reason: the clauses and a short explanation, for the platform's moderation log.
        attempt: 1 for the first try.
        body: the text to post (a reply), exactly as it was queued.
        requested_by: who asked for it (a reply), for the audit trail.
        planned_at: when it was planned (a reply's stable creation time).
    """

    key: str
    kind: ActionKind
    platform: str
    comment_id: str | None
    author_id: str | None
    post_id: str | None
    reason: str
    attempt: int = 1
    body: str | None = None
    requested_by: str | None = None
    planned_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class ActionResult:
    """What a sink says about one action.

    Attributes:
        status: ``applied`` (done, or already done for this key), ``retry`` (a transient
            failure: try again later) or ``failed`` (permanent: do not retry).
        detail: a short message for the audit trail.
        platform_ref: the platform's id for the operation, if any.
    """

    status: Literal["applied", "retry", "failed"]
    detail: str = ""
    platform_ref: str | None = None


@runtime_checkable
class ActionSink(Protocol):
    """Where planned actions are applied: a platform connector, or a recorder.

    ``apply`` must be idempotent on ``action.key``; it may raise, which counts as ``retry``.
    """

    def apply(self, action: OutboxAction) -> ActionResult:
        """Apply one action and say how it went."""
        ...


@runtime_checkable
class BatchActionSink(ActionSink, Protocol):
    """A sink that can apply several actions with fewer platform calls (YouTube: 50 per call).

    :func:`run_outbox` hands it groups of actions of one platform and one kind, in outbox
    order. ``apply_many`` returns one result per action, in the same order and with the same
    meaning as ``apply``'s, and must be idempotent on each ``action.key``. It may raise, which
    counts as ``retry`` for every action of the call; a list of the wrong length does too.
    """

    def apply_many(self, actions: Sequence[OutboxAction]) -> list[ActionResult]:
        """Apply several actions and say how each went, in order."""
        ...


@runtime_checkable
class ConfirmingSink(ActionSink, Protocol):
    """A sink that can tell whether an action's effect is already on the platform.

    :func:`run_outbox` asks it about actions *in doubt* (sent by a worker that died before
    recording the answer) before sending them again, so a crash repeats no platform call.
    """

    def confirm(self, action: OutboxAction) -> bool | ActionResult | None:
        """``True``: the effect is there; ``False``: it is not; ``None``: cannot tell.

        An :class:`ActionResult` is taken as the action's result without sending it: ``applied``
        with the platform's reference (a reply found already posted), or ``retry`` where
        sending again could repeat an effect that cannot be read back now. May raise, which
        counts as ``None`` (the action is then sent again, with its key).
        """
        ...


def action_key(kind: ActionKind, target: str, cause: str) -> str:
    """The idempotency key of an outbox action (pure, at most 255 characters)."""
    key = f"{kind.value}:{target}:{cause}"
    if len(key) <= 255:
        return key
    return f"{kind.value}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"


def plan_action(kind: ActionKind, *, key: str, platform: str, comment_id: str | None,
                author_id: str | None, post_id: str | None, reason: str,
                when: dt.datetime, rows: list[dict[str, Any]], events: list[NewEvent],
                actor: str = "vigie", body: str | None = None) -> None:
    """Add one outbox row and its ``action_planned`` event to the caller's lists (pure).

    The caller inserts ``rows`` with :func:`insert_planned` and appends ``events`` in the same
    transaction as the decision that caused them. ``body`` is a reply's text; a reply also
    keeps ``actor`` as the person who asked for it.
    """
    row = {"key": key, "kind": kind.value, "platform": platform,
           "comment_id": comment_id, "author_id": author_id, "post_id": post_id,
           "reason": reason[:1000], "status": "pending", "attempts": 0,
           "next_attempt_at": when, "created_at": when, "body": body,
           "requested_by": actor if body is not None else None}
    rows.append(row)
    # The digest lets `vigie audit verify` see a waiting action edited outside Vigie.
    events.append(NewEvent(EventKind.ACTION_PLANNED, "action", key,
                           {"kind": kind.value, "platform": platform,
                            ROW_DIGEST: action_digest(row)}, actor))


def insert_planned(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert planned outbox rows (keys already present are skipped: planning is idempotent)."""
    if not rows:
        return
    keys = [r["key"] for r in rows]
    present = set(conn.execute(select(outbox.c.key).where(outbox.c.key.in_(keys))).scalars())
    fresh = [r for r in rows if r["key"] not in present]
    if fresh:
        bulk_insert(conn, outbox, fresh)


@dataclass(slots=True)
class OutboxRun:
    """Counts for one pass of the worker."""

    applied: int = 0
    retried: int = 0
    dead: int = 0
    errors: list[str] = field(default_factory=list)


def _backoff(store: Store, attempts: int) -> dt.timedelta:
    seconds = min(store.settings.outbox_backoff_s * (2 ** max(attempts - 1, 0)), 3600.0)
    return dt.timedelta(seconds=seconds)


def _action(row: Row[Any]) -> OutboxAction:
    return OutboxAction(row.key, ActionKind(row.kind), row.platform, row.comment_id,
                        row.author_id, row.post_id, row.reason, row.attempts + 1,
                        body=row.body, requested_by=row.requested_by,
                        planned_at=row.created_at)


def _failure(error: Exception) -> ActionResult:
    return ActionResult("retry", f"{type(error).__name__}: {error}"[:300])


#: Kinds whose order on one comment does not matter: a block is the removal plus a ban (or a
#: ban alone), so either order ends with the comment down and the author blocked.
_COMMUTING = frozenset({ActionKind.REMOVE_COMMENT, ActionKind.BLOCK_AUTHOR})
_AUTHOR_KINDS = frozenset({ActionKind.BLOCK_AUTHOR, ActionKind.UNBLOCK_AUTHOR})


def _targets(action: OutboxAction) -> set[str]:
    targets = {f"comment:{action.comment_id}"} if action.comment_id else set()
    if action.kind in _AUTHOR_KINDS and action.author_id:
        targets.add(f"author:{action.author_id}")
    return targets


def batches(actions: Sequence[OutboxAction]) -> Iterator[list[OutboxAction]]:
    """Split due actions into groups of one platform and one kind (pure).

    Groups keep outbox order inside, and come out in the order of their first action. Actions
    on one comment or author keep their relative order: an action whose comment or author is
    already in an open group of another kind (a restore after a removal of the same comment,
    an unblock after a block) first closes every open group, which is then applied before it.

    Args:
        actions: due actions, in outbox order.

    Yields:
        Non-empty lists of actions sharing ``platform`` and ``kind``.
    """
    groups: dict[tuple[str, ActionKind], list[OutboxAction]] = {}
    kinds_on: dict[str, set[ActionKind]] = {}  # target -> kinds of the open groups touching it
    for action in actions:
        targets = _targets(action)
        if any(kind is not action.kind and {kind, action.kind} != _COMMUTING
               for target in targets for kind in kinds_on.get(target, ())):
            yield from groups.values()
            groups, kinds_on = {}, {}
        groups.setdefault((action.platform, action.kind), []).append(action)
        for target in targets:
            kinds_on.setdefault(target, set()).add(action.kind)
    yield from groups.values()


def _apply_group(sink: BatchActionSink, group: list[OutboxAction]) -> list[ActionResult]:
    try:
        results = sink.apply_many(group)
    except Exception as error:  # a sink failure is a retry of the whole group, never a crash
        return [_failure(error)] * len(group)
    if len(results) != len(group):  # a sink bug: no result can be trusted to its action
        return [ActionResult("retry", f"the sink answered {len(results)} results for "
                             f"{len(group)} actions")] * len(group)
    return list(results)


def _groups(sink: ActionSink, actions: Sequence[OutboxAction], size: int
            ) -> Iterator[list[OutboxAction]]:
    """The small groups claimed, sent and recorded together, in an order that keeps meaning."""
    groups = batches(actions) if isinstance(sink, BatchActionSink) else iter([list(actions)])
    for group in groups:
        for start in range(0, len(group), size):
            yield group[start:start + size]


def _confirmed(sink: ActionSink, action: OutboxAction) -> ActionResult | None:
    """The result of an action in doubt without sending it, or ``None`` (send it)."""
    if not isinstance(sink, ConfirmingSink):
        return None
    try:
        answer = sink.confirm(action)
    except Exception:  # cannot tell: send it again, with its key
        return None
    if isinstance(answer, ActionResult):
        return answer
    if answer is True:
        return ActionResult("applied", "already on the platform (an interrupted run sent it)")
    return None


def _apply(sink: ActionSink, group: Sequence[OutboxAction], doubt: set[str]
           ) -> list[tuple[OutboxAction, ActionResult]]:
    results: dict[str, ActionResult] = {}
    for action in group:
        if action.key in doubt and (found := _confirmed(sink, action)) is not None:
            results[action.key] = found
    to_send = [a for a in group if a.key not in results]
    if isinstance(sink, BatchActionSink) and to_send:
        results.update(zip((a.key for a in to_send), _apply_group(sink, to_send), strict=True))
    else:
        for action in to_send:
            try:
                results[action.key] = sink.apply(action)
            except Exception as error:  # a sink failure is a retry, never a crash
                results[action.key] = _failure(error)
    return [(action, results[action.key]) for action in group]


def _record(store: Store, conn: Connection,
            outcomes: Sequence[tuple[OutboxAction, ActionResult]], run: OutboxRun,
            doubt: set[str]) -> None:
    now = store.now()
    max_attempts = store.settings.outbox_max_attempts
    events: list[NewEvent] = []
    for action, result in outcomes:
        # Only the claim this worker holds: a row another worker took over is no longer ours.
        where = and_(outbox.c.key == action.key, outbox.c.status == SENDING,
                     outbox.c.claimed_by == WORKER)
        payload: dict[str, Any] = {"kind": action.kind.value, "attempt": action.attempt,
                                   "detail": result.detail[:300]}
        if action.key in doubt:
            payload["in_doubt"] = True
        if result.status == "applied":
            conn.execute(update(outbox).where(where).values(
                status="applied", attempts=action.attempt, applied_at=now, claimed_by=None,
                result=json.dumps(asdict(result))))
            if result.platform_ref:
                payload["platform_ref"] = result.platform_ref
            events.append(NewEvent(EventKind.ACTION_APPLIED, "action", action.key, payload))
            events.extend(_reply_event(action, result, final=True))
            run.applied += 1
            continue
        final = result.status == "failed" or action.attempt >= max_attempts
        conn.execute(update(outbox).where(where).values(
            status="dead" if final else "pending", attempts=action.attempt, claimed_by=None,
            next_attempt_at=now + _backoff(store, action.attempt),
            last_error=result.detail[:1000]))
        payload["final"] = final
        events.append(NewEvent(EventKind.ACTION_FAILED, "action", action.key, payload))
        events.extend(_reply_event(action, result, final=final))
        run.errors.append(f"{action.key}: {result.detail}")
        if final:
            run.dead += 1
        else:
            run.retried += 1
    append_events(conn, events, now)


def _reply_event(action: OutboxAction, result: ActionResult, *, final: bool
                 ) -> list[NewEvent]:
    """A reply's ``reply_sent`` / ``reply_failed`` on its comment's history (pure).

    A failure that will be retried is no event of the reply's own (the ``action_failed``
    event records each attempt); the actor is who asked for the reply.
    """
    if action.kind is not ActionKind.REPLY_COMMENT or not action.comment_id or not final:
        return []
    payload: dict[str, Any] = {"action": action.key, "platform": action.platform,
                               "attempt": action.attempt}
    if result.status == "applied":
        payload["reply_id"] = result.platform_ref
        kind = EventKind.REPLY_SENT
    else:
        payload["detail"] = result.detail[:300]
        kind = EventKind.REPLY_FAILED
    return [NewEvent(kind, "comment", action.comment_id, payload,
                     action.requested_by or "vigie")]


def _applied_in_chain(conn: Connection, keys: Sequence[str]) -> set[str]:
    """Keys among ``keys`` with an ``action_applied`` event: applied, whatever the row says."""
    if not keys:
        return set()
    return set(conn.execute(select(events.c.subject_id).where(
        events.c.subject_type == "action", events.c.kind == EventKind.ACTION_APPLIED.value,
        events.c.subject_id.in_(list(keys)))).scalars())


#: Actions claimed, sent and recorded together: at most this many are in doubt after a crash.
GROUP_SIZE = 50


def run_outbox(store: Store, sink: ActionSink, *, limit: int = 1000,
               group_size: int = GROUP_SIZE) -> OutboxRun:
    """Apply the due pending actions through ``sink`` (one pass, not a daemon).

    Group after group (one platform and one kind for a :class:`BatchActionSink`, see
    :func:`batches`; at most ``group_size`` actions): claim the group (committed), send it with
    no transaction open, record each result (committed). Actions in doubt (claimed by a worker
    seen dead, or whose lease ran out) are first confirmed with a :class:`ConfirmingSink`;
    otherwise they are sent again with the same idempotency key.

    Args:
        store: the store.
        sink: where to apply them.
        limit: most actions handled in this pass.
        group_size: most actions claimed and recorded together (≥ 1).

    Returns:
        Counts of applied, retried and dead actions.

    Raises:
        StoreError: the store refused a claim or a record.
    """
    run = OutboxRun()
    lease = dt.timedelta(seconds=store.settings.outbox_lease_s)
    with store.read() as conn:
        rows = due_rows(conn, store.now(), lease, limit)
        done = _applied_in_chain(conn, [row.key for row in rows])
    if done:
        # The chain says these were applied: a status reset by hand must not apply them again.
        with store.begin() as conn:
            conn.execute(update(outbox).where(outbox.c.key.in_(sorted(done))).values(
                status="applied", claimed_by=None))
        run.errors.extend(f"{key}: already applied according to the audit chain; its status "
                          "was reset outside Vigie (restored to applied, not sent)"
                          for key in sorted(done))
        rows = [row for row in rows if row.key not in done]
    doubt = {row.key for row in rows if row.status == SENDING}
    by_key = {row.key: row for row in rows}
    for group in _groups(sink, [_action(row) for row in rows], max(1, group_size)):
        with store.begin() as conn:
            won = claim(conn, [by_key[a.key] for a in group], store.now())
        mine = [a for a in group if a.key in won]  # another worker may have taken some
        if not mine:
            continue
        outcomes = _apply(sink, mine, doubt)
        with store.begin() as conn:
            lock_chain(conn)
            _record(store, conn, outcomes, run, doubt)
    return run


class RecordingSink:
    """A sink that records actions in memory (tests, dry runs); idempotent on the key.

    Attributes:
        calls: every action received, repeats included.
        applied: the actions whose effect was applied, each key once.
        fail: optional ``action -> ActionResult | None`` hook to simulate platform errors.
    """

    def __init__(self, fail: Callable[[OutboxAction], ActionResult | None] | None = None
                 ) -> None:
        self.calls: list[OutboxAction] = []
        self.applied: dict[str, OutboxAction] = {}
        self.fail = fail

    def apply(self, action: OutboxAction) -> ActionResult:
        """Record the action; apply its effect once per key."""
        self.calls.append(action)
        if self.fail is not None and (result := self.fail(action)) is not None:
            return result
        if action.key in self.applied:
            return ActionResult("applied", "already applied")
        self.applied[action.key] = action
        return ActionResult("applied", "recorded")


class JsonlSink:
    """A sink that appends each applied effect to a JSON-lines file, once per key.

    Used for dry runs (``vigie moderate --db --sink jsonl:actions.jsonl``) and by the crash
    test: keys already in the file are loaded at start, so a repeated delivery after a crash is
    answered ``applied`` without writing the effect again. Each line is flushed before the
    result is returned, so an effect acknowledged is an effect on disk (across a process crash).
    Repeated deliveries are counted in :attr:`repeats`.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.keys: set[str] = set()
        self.repeats = 0
        if self.path.exists():
            with self.path.open(encoding="utf-8") as handle:
                for line in handle:
                    if line.strip():
                        try:
                            self.keys.add(json.loads(line)["key"])
                        except (ValueError, KeyError):
                            continue  # a line torn by a crash: its key was never acknowledged
        self._handle: IO[str] = self.path.open("a", encoding="utf-8")

    def apply(self, action: OutboxAction) -> ActionResult:
        """Write the effect unless its key was already written."""
        if action.key in self.keys:
            self.repeats += 1
            return ActionResult("applied", "already applied (idempotency key)")
        record = {"key": action.key, "kind": action.kind.value, "platform": action.platform,
                  "comment_id": action.comment_id, "author_id": action.author_id}
        self._handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._handle.flush()
        self.keys.add(action.key)
        return ActionResult("applied", "written")

    def close(self) -> None:
        """Close the file."""
        self._handle.close()


def _builtin_sinks() -> Mapping[str, Callable[[str], ActionSink]]:
    return {"jsonl": JsonlSink}


def resolve_sink(spec: str) -> ActionSink:
    """Build a sink from ``NAME:ARGUMENT`` (``jsonl:actions.jsonl``, ``facebook:page-id``...).

    Raises:
        StoreError: unknown sink name (the message lists the valid ones).
    """
    name, _, argument = spec.partition(":")
    factories: dict[str, Callable[[str], Any]] = dict(_builtin_sinks())
    for point in entry_points(group="vigie.sinks"):
        factories.setdefault(point.name, point.load())
    if name not in factories:
        raise StoreError(f"unknown action sink {name!r}; valid: {', '.join(sorted(factories))} "
                         "(as NAME:ARGUMENT, e.g. jsonl:actions.jsonl)")
    sink = factories[name](argument)
    if not isinstance(sink, ActionSink):
        raise StoreError(f"sink {name!r} does not implement apply(action)")
    return sink
