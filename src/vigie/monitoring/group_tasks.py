"""Blocked authors to remove from the institution's groups, by hand (directive 7).

Directive 7: the removal of litigious content includes the privilege of remaining a member of
a group. Where a platform let an application remove a group member, Vigie would do it as an
action through the outbox; none of the connected platforms does (``docs/monitoring.md``,
"Group membership", gives the reason per platform), so each block becomes a task for the
community manager instead.

:func:`open_group_tasks` looks for active blocks (``blocks`` rows not lifted, automatic or a
reviewer's, the strike threshold included) without their tasks, and writes one task per block
and **official group of the author's platform** in the registry (``monitor_registry`` rows of
kind ``group``): the member (the ``authors`` row), the group, the block's reason and its
grounds (the clauses, and the decisions that led to it: the author's standing strikes,
and the block's own decision), with a ``group_task_opened`` event each. It runs after each
``vigie run`` round, after each reviewer action and submission in the dashboard, and from
``vigie groups scan``; it is idempotent (a block and a group have one task, ever).

The community manager closes a task (:func:`close_task`) as ``done`` (the member was removed)
or ``not_needed`` (not a member...), with a note: ``group_task_closed``. The same sweep closes
an open task as ``not_needed`` by itself once its block is lifted (appeal, restore, unblock). Events
carry the task's number, the block's and author's numbers, the platform, the group's address
and the clauses; never a name nor a comment's text.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, insert, select, update
from sqlalchemy.engine import Connection

from vigie.errors import StoreError
from vigie.monitoring.registry import EntryKind, PageStatus, RegistryEntry, list_entries
from vigie.monitoring.tables import monitor_group_tasks
from vigie.notify.escalation import Notice, tell_community_manager
from vigie.store.events import EventKind, NewEvent, append_events, lock_chain
from vigie.store.schema import authors, blocks, comments, decisions, strikes
from vigie.store.store import Store

__all__ = ["OUTCOMES", "GroupTask", "GroupTaskError", "OpenReport", "close_task", "get_task",
           "list_tasks", "open_group_tasks"]

#: How a task is closed: the member was removed, or there was nothing to do.
OUTCOMES = ("done", "not_needed")
#: Decisions listed as the grounds of one block, newest first.
_GROUNDS = 20
MAX_NOTE = 2000


class GroupTaskError(StoreError):
    """A task step was refused; nothing was written.

    Attributes:
        key: ``unknown``, ``closed``, ``empty_note``, ``too_long`` or ``bad_outcome``: the
            edges word it (``grouptask.error_<key>``).
        fields: what the message names.
    """

    def __init__(self, key: str, message: str, **fields: Any) -> None:
        super().__init__(message)
        self.key = key
        self.fields = fields


@dataclass(frozen=True, slots=True)
class GroupTask:
    """One member to remove from one group, with the member's current name from ``authors``.

    Attributes:
        grounds: ``{"clauses": [...], "decisions": [{"comment_id", "decision", "clauses",
            "at"}]}``, newest decision first.
        member_name, member_handle, member_id: the author as the store knows them now
            (``None`` once erased).
        block_lifted: the block was lifted since (the task may no longer be needed).
    """

    pk: int
    created_at: dt.datetime
    block_pk: int
    author_pk: int
    platform: str
    group_url: str
    group_name: str
    reason: str
    grounds: dict[str, Any]
    status: str
    member_id: str
    member_name: str | None = None
    member_handle: str | None = None
    block_lifted: bool = False
    closed_by: str | None = None
    closed_at: dt.datetime | None = None
    note: str | None = None

    @property
    def clauses(self) -> list[str]:
        """The clauses behind the block, in order of first appearance."""
        return list(self.grounds.get("clauses", []))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (pure)."""
        return {"pk": self.pk, "created_at": self.created_at.isoformat(),
                "block_pk": self.block_pk, "author_pk": self.author_pk,
                "platform": self.platform, "group_url": self.group_url,
                "group_name": self.group_name, "reason": self.reason, "grounds": self.grounds,
                "status": self.status, "member_id": self.member_id,
                "member_name": self.member_name, "member_handle": self.member_handle,
                "block_lifted": self.block_lifted, "closed_by": self.closed_by,
                "closed_at": self.closed_at.isoformat() if self.closed_at else None,
                "note": self.note}


@dataclass(slots=True)
class OpenReport:
    """What :func:`open_group_tasks` did: tasks written, tasks closed, the notice's outcome.

    ``closed``: the open tasks whose block was lifted since, closed as ``not_needed``.
    """

    opened: list[GroupTask] = field(default_factory=list)
    closed: list[GroupTask] = field(default_factory=list)
    sent: int = 0
    errors: list[str] = field(default_factory=list)


_TASKS = (select(monitor_group_tasks, authors.c.author_id, authors.c.name.label("member_name"),
                 authors.c.handle.label("member_handle"), blocks.c.lifted_at)
          .select_from(monitor_group_tasks
                       .join(authors, authors.c.pk == monitor_group_tasks.c.author_pk)
                       .join(blocks, blocks.c.pk == monitor_group_tasks.c.block_pk)))


def _row(row: Any) -> GroupTask:
    return GroupTask(int(row.pk), row.created_at, int(row.block_pk), int(row.author_pk),
                     row.platform, row.group_url, row.group_name, row.reason,
                     json.loads(row.grounds), row.status, row.author_id, row.member_name,
                     row.member_handle, row.lifted_at is not None, row.closed_by,
                     row.closed_at, row.note)


def _fetch(conn: Connection, pk: int) -> GroupTask | None:
    row = conn.execute(_TASKS.where(monitor_group_tasks.c.pk == pk)).one_or_none()
    return _row(row) if row is not None else None


def get_task(store: Store, pk: int) -> GroupTask:
    """Task ``pk``.

    Raises:
        GroupTaskError: no such task (``unknown``).
    """
    with store.read() as conn:
        found = _fetch(conn, pk)
    if found is None:
        raise GroupTaskError("unknown", f"no group task {pk}", pk=pk)
    return found


def list_tasks(store: Store, status: str | None = "open", limit: int = 200) -> list[GroupTask]:
    """Tasks, newest first: ``open`` ones (default), ``done``, ``not_needed`` or all (``None``)."""
    query = _TASKS.order_by(monitor_group_tasks.c.pk.desc()).limit(limit)
    if status is not None:
        query = query.where(monitor_group_tasks.c.status == status)
    with store.read() as conn:
        return [_row(r) for r in conn.execute(query).all()]


def _grounds(conn: Connection, block: Any) -> dict[str, Any]:
    """The clauses and decisions behind one block: the author's standing strikes, its own."""
    rows = conn.execute(
        select(comments.c.comment_id, strikes.c.decision_pk, strikes.c.clauses, strikes.c.at)
        .select_from(strikes.join(comments, comments.c.pk == strikes.c.comment_pk))
        .where(strikes.c.author_pk == block.author_pk, strikes.c.voided_at.is_(None))
        .order_by(strikes.c.at.desc()).limit(_GROUNDS)).all()
    listed = [{"comment_id": r.comment_id, "decision": r.decision_pk,
               "clauses": json.loads(r.clauses), "at": r.at.isoformat()} for r in rows]
    if block.comment_pk is not None:
        own = conn.execute(select(comments.c.comment_id, comments.c.created_at,
                                  decisions.c.body)
                           .select_from(comments.outerjoin(
                               decisions, decisions.c.comment_pk == comments.c.pk))
                           .where(comments.c.pk == block.comment_pk)).first()
        if own is not None and own.comment_id not in {d["comment_id"] for d in listed}:
            clauses = json.loads(own.body).get("clauses", []) if own.body else []
            listed.insert(0, {"comment_id": own.comment_id, "decision": block.decision_pk,
                              "clauses": clauses, "at": own.created_at.isoformat()})
    every = [c for d in listed for c in d["clauses"]]
    return {"clauses": list(dict.fromkeys(every)), "decisions": listed}


def _groups_by_platform(store: Store) -> dict[str, list[RegistryEntry]]:
    out: dict[str, list[RegistryEntry]] = {}
    for group in list_entries(store, PageStatus.OFFICIAL, EntryKind.GROUP):
        out.setdefault(group.platform, []).append(group)
    return out


def open_group_tasks(store: Store, *, compose: Callable[[Sequence[GroupTask], str], Notice]
                     | None = None, limit: int = 500) -> OpenReport:
    """Write the tasks of active blocks that lack them; tell the community manager.

    Args:
        store: the store.
        compose: words the community manager's notice about the new tasks in a language
            (:func:`vigie.web.notices.group_tasks_notice`); ``None``: tell nobody.
        limit: the most blocks looked at per group and call (the rest wait for the next).

    Returns:
        The tasks written (none when the registry lists no official group) and the notice's
        outcome.
    """
    report = OpenReport()
    groups = _groups_by_platform(store)
    if not groups:
        return report
    now = store.now()
    with store.begin() as conn:
        head = lock_chain(conn)  # first: two sweeps at once write each task once
        closed = _close_lifted(conn, now)
        new: list[NewEvent] = [event for _, event in closed]
        pks: list[int] = []
        grounds: dict[int, dict[str, Any]] = {}
        for group in (g for listed in groups.values() for g in listed):
            # Per group: a group registered later still gets the blocks before it.
            found = conn.execute(
                select(blocks.c.pk, blocks.c.author_pk, blocks.c.comment_pk,
                       blocks.c.decision_pk, blocks.c.reason)
                .select_from(blocks.join(authors, authors.c.pk == blocks.c.author_pk))
                .where(blocks.c.lifted_at.is_(None), authors.c.platform == group.platform)
                .where(~select(monitor_group_tasks.c.pk).where(and_(
                    monitor_group_tasks.c.block_pk == blocks.c.pk,
                    monitor_group_tasks.c.group_url == group.url)).exists())
                .order_by(blocks.c.pk).limit(limit)).all()
            for block in found:
                why = grounds.get(block.pk) or grounds.setdefault(block.pk,
                                                                  _grounds(conn, block))
                pk = int(conn.execute(insert(monitor_group_tasks).values(
                    created_at=now, block_pk=block.pk, author_pk=block.author_pk,
                    platform=group.platform, group_url=group.url, group_name=group.name,
                    reason=block.reason, grounds=json.dumps(why, ensure_ascii=False),
                    status="open").returning(monitor_group_tasks.c.pk)).scalar_one())
                pks.append(pk)
                new.append(NewEvent(EventKind.GROUP_TASK_OPENED, "group_task", str(pk), {
                    "block": int(block.pk), "author_pk": int(block.author_pk),
                    "platform": group.platform, "group": group.url,
                    "clauses": why["clauses"]}))
        if new:
            append_events(conn, new, now, head)
        report.opened = [t for t in (_fetch(conn, pk) for pk in pks) if t is not None]
        report.closed = [t for t in (_fetch(conn, pk) for pk, _ in closed) if t is not None]
    if report.opened and compose is not None:
        opened = report.opened
        report.sent, report.errors = tell_community_manager(
            store.settings.escalation, lambda lang: compose(opened, lang))
    return report


#: The note of a task closed by Vigie because its block was lifted (appeal, restore, unblock).
LIFTED_NOTE = "block lifted: the member need not be removed"


def _close_lifted(conn: Connection, now: dt.datetime) -> list[tuple[int, NewEvent]]:
    """Close, as ``not_needed``, the open tasks whose block has been lifted since.

    A lifted block (an appeal upheld, a restored comment, a reviewer's unblock) leaves no
    reason to remove the member: the task would otherwise wait in the community manager's
    list. Runs in the sweep's transaction, after its chain lock; returns each task closed and
    its ``group_task_closed`` event (by ``vigie``, with the reason) to append.
    """
    lifted = conn.execute(
        select(monitor_group_tasks.c.pk, monitor_group_tasks.c.block_pk,
               monitor_group_tasks.c.group_url)
        .join(blocks, blocks.c.pk == monitor_group_tasks.c.block_pk)
        .where(monitor_group_tasks.c.status == "open", blocks.c.lifted_at.is_not(None))
        .order_by(monitor_group_tasks.c.pk)).all()
    if lifted:
        conn.execute(update(monitor_group_tasks)
                     .where(monitor_group_tasks.c.pk.in_([r.pk for r in lifted]))
                     .values(status="not_needed", closed_by="vigie", closed_at=now,
                             note=LIFTED_NOTE))
    return [(int(r.pk), NewEvent(EventKind.GROUP_TASK_CLOSED, "group_task", str(r.pk), {
        "outcome": "not_needed", "block": int(r.block_pk), "group": r.group_url,
        "why": "block_lifted"}, actor="vigie")) for r in lifted]


def close_task(store: Store, pk: int, outcome: str, *, closed_by: str, note: str) -> GroupTask:
    """Close task ``pk`` as ``done`` or ``not_needed`` with a note; append ``group_task_closed``.

    Raises:
        GroupTaskError: no such task (``unknown``), already closed (``closed``), an outcome
            other than :data:`OUTCOMES` (``bad_outcome``), an empty or too long note;
            nothing is written.
    """
    note = note.strip()
    if outcome not in OUTCOMES:
        raise GroupTaskError("bad_outcome", f"unknown outcome {outcome!r}; valid: "
                             f"{', '.join(OUTCOMES)}", outcome=outcome)
    if not note:
        raise GroupTaskError("empty_note", "closing a task needs a note")
    if len(note) > MAX_NOTE:
        raise GroupTaskError("too_long", f"the note is over {MAX_NOTE} characters", n=MAX_NOTE)
    by = closed_by.strip()[:255] or "?"
    now = store.now()
    with store.begin() as conn:
        head = lock_chain(conn)
        found = _fetch(conn, pk)
        if found is None:
            raise GroupTaskError("unknown", f"no group task {pk}", pk=pk)
        if found.status != "open":
            raise GroupTaskError("closed", f"group task {pk} was already closed by "
                                 f"{found.closed_by}", pk=pk, by=found.closed_by)
        conn.execute(update(monitor_group_tasks).where(monitor_group_tasks.c.pk == pk)
                     .values(status=outcome, closed_by=by, closed_at=now, note=note))
        append_events(conn, [NewEvent(EventKind.GROUP_TASK_CLOSED, "group_task", str(pk), {
            "outcome": outcome, "block": found.block_pk, "group": found.group_url},
            actor=by)], now, head)
        done = _fetch(conn, pk)
    assert done is not None
    return done
