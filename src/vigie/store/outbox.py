"""The outbox: platform actions planned in the database, applied later, exactly once in effect.

A decision never calls a platform. It *plans* actions (hide, remove, restore a comment; block,
unblock an author) as outbox rows, in the same transaction as the decision, so a crash can lose
neither. A worker (:func:`run_outbox`) then applies due actions through an :class:`ActionSink`,
records the result as an event, and retries failures with exponential back-off until
``outbox_max_attempts`` is reached (then the action is ``dead`` and an ``action_failed`` event
says so).

Exactly-once effects: the worker is at-least-once (a crash between a platform call and the
``applied`` mark repeats the call on the next run), so every action carries an idempotency
``key`` and a sink must not repeat the effect of a key it has already applied. Hiding or deleting
an already-hidden comment is naturally idempotent on every platform; a sink for a call that is
not keeps a record of the keys it applied (see :class:`JsonlSink`).

Batches: a sink that also has ``apply_many`` (:class:`BatchActionSink`) receives the due actions
in groups of one platform and one kind, so a platform that moderates many comments per call
(YouTube: 50 ids for 50 quota units) is called once per group rather than once per action. The
results, the events and the retries stay per action.

The platform connectors' sink is :class:`vigie.connectors.sink.ConnectorSink`. Other sinks are
found by name through the ``vigie.sinks`` entry-point group: ``name = "package.module:factory"``
where ``factory(argument: str) -> ActionSink``. On PostgreSQL due rows are locked while applied
(``FOR UPDATE SKIP LOCKED``), so concurrent workers never share an action.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from importlib.metadata import entry_points
from pathlib import Path
from typing import IO, Any, Literal, Protocol, runtime_checkable

from sqlalchemy import and_, select, update
from sqlalchemy.engine import Connection

from vigie.errors import StoreError
from vigie.store._bulk import bulk_insert
from vigie.store.events import EventKind, NewEvent, append_events, lock_chain
from vigie.store.schema import outbox
from vigie.store.store import Store

__all__ = [
    "ActionKind",
    "ActionResult",
    "ActionSink",
    "BatchActionSink",
    "JsonlSink",
    "OutboxAction",
    "OutboxRun",
    "RecordingSink",
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
    """

    key: str
    kind: ActionKind
    platform: str
    comment_id: str | None
    author_id: str | None
    post_id: str | None
    reason: str
    attempt: int = 1


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


def plan_action(kind: ActionKind, *, key: str, platform: str, comment_id: str | None,
                author_id: str | None, post_id: str | None, reason: str,
                when: dt.datetime, rows: list[dict[str, Any]], events: list[NewEvent],
                actor: str = "vigie") -> None:
    """Add one outbox row and its ``action_planned`` event to the caller's lists (pure).

    The caller inserts ``rows`` with :func:`insert_planned` and appends ``events`` in the same
    transaction as the decision that caused them.
    """
    rows.append({"key": key, "kind": kind.value, "platform": platform,
                 "comment_id": comment_id, "author_id": author_id, "post_id": post_id,
                 "reason": reason[:1000], "status": "pending", "attempts": 0,
                 "next_attempt_at": when, "created_at": when})
    events.append(NewEvent(EventKind.ACTION_PLANNED, "action", key,
                           {"kind": kind.value, "platform": platform}, actor))


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


def _due(store: Store, conn: Connection, limit: int) -> list[OutboxAction]:
    query = (select(outbox).where(outbox.c.status == "pending",
                                  outbox.c.next_attempt_at <= store.now())
             .order_by(outbox.c.pk).limit(limit))
    if store.dialect == "postgresql":
        # Row locks held until the results are recorded: another worker skips these rows,
        # and a crashed worker's locks vanish with its connection (no lease to expire).
        query = query.with_for_update(skip_locked=True)
    return [OutboxAction(r.key, ActionKind(r.kind), r.platform, r.comment_id, r.author_id,
                         r.post_id, r.reason, r.attempts + 1) for r in conn.execute(query)]


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


def _apply(sink: ActionSink, actions: Sequence[OutboxAction]
           ) -> list[tuple[OutboxAction, ActionResult]]:
    if isinstance(sink, BatchActionSink):
        results: dict[str, ActionResult] = {}
        for group in batches(actions):
            results.update(zip((a.key for a in group), _apply_group(sink, group),
                               strict=True))
        # Back in outbox order, so the events read as they would one action at a time.
        return [(action, results[action.key]) for action in actions]
    outcomes = []
    for action in actions:
        try:
            result = sink.apply(action)
        except Exception as error:  # a sink failure is a retry, never a crash
            result = _failure(error)
        outcomes.append((action, result))
    return outcomes


def _record(store: Store, conn: Connection,
            outcomes: Sequence[tuple[OutboxAction, ActionResult]], run: OutboxRun) -> None:
    now = store.now()
    max_attempts = store.settings.outbox_max_attempts
    events: list[NewEvent] = []
    for action, result in outcomes:
        where = and_(outbox.c.key == action.key, outbox.c.status == "pending")
        payload: dict[str, Any] = {"kind": action.kind.value, "attempt": action.attempt,
                                   "detail": result.detail[:300]}
        if result.status == "applied":
            conn.execute(update(outbox).where(where).values(
                status="applied", attempts=action.attempt, applied_at=now,
                result=json.dumps(asdict(result))))
            if result.platform_ref:
                payload["platform_ref"] = result.platform_ref
            events.append(NewEvent(EventKind.ACTION_APPLIED, "action", action.key, payload))
            run.applied += 1
            continue
        final = result.status == "failed" or action.attempt >= max_attempts
        conn.execute(update(outbox).where(where).values(
            status="dead" if final else "pending", attempts=action.attempt,
            next_attempt_at=now + _backoff(store, action.attempt),
            last_error=result.detail[:1000]))
        payload["final"] = final
        events.append(NewEvent(EventKind.ACTION_FAILED, "action", action.key, payload))
        run.errors.append(f"{action.key}: {result.detail}")
        if final:
            run.dead += 1
        else:
            run.retried += 1
    append_events(conn, events, now)


def run_outbox(store: Store, sink: ActionSink, *, limit: int = 1000) -> OutboxRun:
    """Apply the due pending actions through ``sink`` (one pass, not a daemon).

    A :class:`BatchActionSink` gets them in groups of one platform and one kind
    (:func:`batches`); any other sink one at a time. Results are recorded per action either
    way. On PostgreSQL the due rows are locked (``FOR UPDATE SKIP LOCKED``) while they are applied,
    so concurrent workers never apply the same action at once. On SQLite (one machine, one
    worker) they are read, applied, then marked. Either way, a crash between a platform call
    and its mark makes the next pass deliver the action again, with the same idempotency key:
    at-least-once delivery, exactly-once effect.

    Args:
        store: the store.
        sink: where to apply them.
        limit: most actions handled in this pass.

    Returns:
        Counts of applied, retried and dead actions.
    """
    run = OutboxRun()
    if store.dialect == "postgresql":
        with store.begin() as conn:
            actions = _due(store, conn, limit)
            if actions:
                _record(store, conn, _apply(sink, actions), run)
        return run
    with store.read() as conn:
        actions = _due(store, conn, limit)
    if actions:
        outcomes = _apply(sink, actions)
        with store.begin() as conn:
            lock_chain(conn)
            _record(store, conn, outcomes, run)
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
