r"""The audit trail: an append-only, hash-chained event log.

Every change the store makes is explained by an event appended in the same transaction. Each
event row stores ``prev_hash`` (the hash of the event before it) and
``hash = sha256(prev_hash + "\n" + header + "\n" + payload)``, where ``header`` is the canonical
JSON of ``[seq, at, kind, subject_type, subject_id, actor]`` and ``payload`` the canonical JSON
stored in the row. Editing, deleting, inserting or reordering a row breaks the chain at that row,
and :func:`verify_chain` names it.

Appends are serialised: the single ``chain_head`` row is read ``FOR UPDATE`` (PostgreSQL) or
under ``BEGIN IMMEDIATE`` (SQLite), so concurrent writers cannot fork the chain.

Events never hold a comment's text or an author's name: the retention rules purge those from
their tables while the chain, which cannot be edited, stays verifiable.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from vigie.store._bulk import insert_tuples
from vigie.store.schema import chain_head, comments, decisions, events

__all__ = [
    "GENESIS",
    "ChainProblem",
    "ChainReport",
    "EventKind",
    "NewEvent",
    "StoredEvent",
    "append_events",
    "canonical_json",
    "event_hash",
    "iter_events",
    "lock_chain",
    "verify_chain",
]

#: ``prev_hash`` of the first event.
GENESIS = "0" * 64


class EventKind(StrEnum):
    """What happened. The set is closed: a new kind is a deliberate change."""

    INGESTED = "ingested"
    EDITED = "edited"
    DECIDED = "decided"
    ACTION_PLANNED = "action_planned"
    ACTION_APPLIED = "action_applied"
    ACTION_FAILED = "action_failed"
    REVIEW_OPENED = "review_opened"
    REVIEWED = "reviewed"
    APPEALED = "appealed"
    RESTORED = "restored"
    ESCALATED = "escalated"
    ESCALATION_SENT = "escalation_sent"
    # The community manager's handling of an escalation (subject ``escalation``, its number).
    ESCALATION_ASSIGNED = "escalation_assigned"
    ESCALATION_COMMENTED = "escalation_commented"
    ESCALATION_CLOSED = "escalation_closed"
    ESCALATION_REOPENED = "escalation_reopened"
    STRIKE_RECORDED = "strike_recorded"
    STRIKE_VOIDED = "strike_voided"
    BLOCKED = "blocked"
    UNBLOCKED = "unblocked"
    POLICY_PROPOSED = "policy_proposed"
    POLICY_APPROVED = "policy_approved"
    POLICY_RECORDED = "policy_recorded"
    # A proposed version refused by a second person, with their note (section 9).
    POLICY_REFUSED = "policy_refused"
    PURGED = "purged"
    EXPORTED = "exported"
    # Law 25 erasure (subject ``author``, then each ``comment`` whose decision was redacted,
    # with the new body's SHA-256): who erased whom, never what was erased.
    ERASED = "erased"
    # The dashboard's privacy page opened a person's file (subject ``author``): who looked at
    # whose data, as Law 25 asks (an export is ``exported``, an erasure ``erased``).
    PERSON_VIEWED = "person_viewed"
    # Platform accounts of ``vigie run`` (subject ``connector``, the account's configured
    # name): when and why one stopped acting, and when it acted again; never a token.
    CONNECTOR_STOPPED = "connector_stopped"
    CONNECTOR_PARKED = "connector_parked"
    CONNECTOR_RESUMED = "connector_resumed"
    # Dashboard accounts (subject ``account``, the username); never the password itself.
    PASSWORD_CHANGED = "password_changed"
    PASSWORD_RESET = "password_reset"
    # An account's own language and time zone (subject ``account``; the new values).
    PREFERENCES_CHANGED = "preferences_changed"
    # A member of staff reminded of directive 6.1 (subject ``comment``: their reply).
    STAFF_REMINDED = "staff_reminded"
    # A draft put to a supervisor (6.3, "in case of doubt"), then their answer (subject
    # ``consultation``, its number); never the draft's text nor the answer's.
    SUPERVISOR_ASKED = "supervisor_asked"
    SUPERVISOR_ANSWERED = "supervisor_answered"
    # A reply to a comment (subject ``comment``: the comment answered), queued by someone
    # from the dashboard or the CLI, then posted or refused by the platform; the actor is who
    # asked for it. The text is in the outbox row (``action`` key in the payload).
    REPLY_QUEUED = "reply_queued"
    REPLY_SENT = "reply_sent"
    REPLY_FAILED = "reply_failed"
    # A request to create a page in the institution's name (6.1), then the community
    # manager's decision (subject ``page_request``, its number).
    PAGE_REQUESTED = "page_requested"
    PAGE_REQUEST_APPROVED = "page_request_approved"
    PAGE_REQUEST_REFUSED = "page_request_refused"
    # A blocked member to remove from an institution group by hand (7), then its closing
    # (subject ``group_task``, its number); never the member's name.
    GROUP_TASK_OPENED = "group_task_opened"
    GROUP_TASK_CLOSED = "group_task_closed"
    # One person's accounts on several platforms linked by an operator, or one taken out
    # (subject ``person``, its random id): author numbers and platforms, never ids or names (7).
    PERSON_LINKED = "person_linked"
    PERSON_UNLINKED = "person_unlinked"
    # Someone ran the audit trail's verification from the dashboard (subject ``audit``,
    # ``trail``): the head verified, whether it passed, how many problems; never the rows.
    AUDIT_VERIFIED = "audit_verified"


# One encoder for the process: json.dumps with options builds a new encoder on every call.
_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


#: How the canonical encoder writes a string (``ensure_ascii=False``): quotes and escapes.
_string = json.encoder.encode_basestring


def canonical_json(value: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 kept (pure)."""
    return _ENCODER.encode(value)


def _iso(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def event_hash(prev_hash: str, seq: int, at: dt.datetime, kind: str, subject_type: str,
               subject_id: str, actor: str, payload: str) -> str:
    """The hash of one event (pure).

    Args:
        prev_hash: hash of the previous event (:data:`GENESIS` for the first).
        seq: 1-based position in the chain.
        at: aware time of the event (microsecond precision).
        kind: the event kind.
        subject_type: ``comment``, ``author``, ``review``, ``action``, ``policy``...
        subject_id: the subject's identifier.
        actor: who caused it (``vigie`` for the system, a reviewer's name otherwise).
        payload: the canonical JSON payload, exactly as stored.

    Returns:
        64 lowercase hex digits.
    """
    return _hash(prev_hash, seq, _iso(at), kind, subject_type, subject_id, actor, payload)


def _hash(prev_hash: str, seq: int, at_iso: str, kind: str, subject_type: str,
          subject_id: str, actor: str, payload: str) -> str:
    # The header is canonical_json([seq, at_iso, kind, subject_type, subject_id, actor]),
    # assembled from the encoder's own string escaping: the same text, without building an
    # encoder per call (appends hash thousands of events a second).
    header = (f"[{int(seq)},{_string(at_iso)},{_string(kind)},{_string(subject_type)},"
              f"{_string(subject_id)},{_string(actor)}]")
    return hashlib.sha256(f"{prev_hash}\n{header}\n{payload}".encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event to append.

    Attributes:
        kind: what happened.
        subject_type: what it happened to (``comment``, ``author``, ``review``...).
        subject_id: the subject's identifier (platform id, review item number, digest).
        payload: small JSON-ready details; never a comment's text or an author's name.
        actor: who caused it; ``vigie`` for automatic steps.
    """

    kind: EventKind
    subject_type: str
    subject_id: str
    payload: Mapping[str, Any] = field(default_factory=dict)
    actor: str = "vigie"


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event as read back from the log."""

    seq: int
    at: dt.datetime
    kind: str
    subject_type: str
    subject_id: str
    actor: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str
    payload_text: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (pure)."""
        return {"seq": self.seq, "at": _iso(self.at), "kind": self.kind,
                "subject_type": self.subject_type, "subject_id": self.subject_id,
                "actor": self.actor, "payload": self.payload, "prev_hash": self.prev_hash,
                "hash": self.hash}


_EVENT_COLUMNS = ("seq", "at", "kind", "subject_type", "subject_id", "actor", "payload",
                  "prev_hash", "hash")


def lock_chain(conn: Connection) -> tuple[int, str]:
    """Lock the chain head for the rest of the transaction; return its ``(seq, hash)``.

    Writers take this lock first, before reading what they are about to change, so concurrent
    writers on PostgreSQL are serialised (SQLite's ``BEGIN IMMEDIATE`` already is).
    """
    head = conn.execute(
        select(chain_head.c.seq, chain_head.c.hash).where(chain_head.c.id == 1).with_for_update()
    ).one()
    return int(head.seq), str(head.hash)


def append_events(conn: Connection, new: Sequence[NewEvent], at: dt.datetime,
                  head: tuple[int, str] | None = None) -> int:
    """Append ``new`` to the chain inside the caller's transaction.

    Locks the chain head until the transaction ends, so call it once per transaction, after
    the rows the events describe are written (the lock is then held only briefly).

    Args:
        conn: a connection inside a transaction.
        new: events, in order.
        at: aware time stamped on every event of the call.
        head: what :func:`lock_chain` returned earlier in this transaction, if it was called
            and no event was appended since (saves a query).

    Returns:
        The sequence number of the last event appended (that of the head if ``new`` is empty).
    """
    seq, prev = head if head is not None else lock_chain(conn)
    if not new:
        return seq
    at = at.astimezone(dt.UTC)
    at_iso = _iso(at)
    rows = []
    for event in new:
        seq += 1
        kind = event.kind.value
        payload = _ENCODER.encode(event.payload)
        digest = _hash(prev, seq, at_iso, kind, event.subject_type, event.subject_id,
                       event.actor, payload)
        rows.append((seq, at, kind, event.subject_type, event.subject_id, event.actor, payload,
                     prev, digest))
        prev = digest
    insert_tuples(conn, events, _EVENT_COLUMNS, rows)
    conn.execute(update(chain_head).where(chain_head.c.id == 1).values(seq=seq, hash=prev))
    return seq


def iter_events(conn: Connection, *, subject_type: str | None = None,
                subject_id: str | None = None, page: int = 5000) -> Iterator[StoredEvent]:
    """Events in chain order, optionally for one subject, read page by page."""
    last = 0
    while True:
        query = select(events).where(events.c.seq > last).order_by(events.c.seq).limit(page)
        if subject_type is not None:
            query = query.where(events.c.subject_type == subject_type)
        if subject_id is not None:
            query = query.where(events.c.subject_id == subject_id)
        rows = conn.execute(query).all()
        for row in rows:
            yield StoredEvent(row.seq, row.at, row.kind, row.subject_type, row.subject_id,
                              row.actor, json.loads(row.payload), row.prev_hash, row.hash,
                              row.payload)
        if len(rows) < page:
            return
        last = rows[-1].seq


@dataclass(frozen=True, slots=True)
class ChainProblem:
    """One place where the audit trail does not verify.

    Attributes:
        seq: the event row (``seq``) at fault, or the decision's comment id for a decision row.
        table: ``events``, ``chain_head``, ``decisions``, or (``verify_trail``) ``strikes``,
            ``blocks``, ``outbox``.
        message: what is wrong, in English words.
        code: what is wrong, for a translated message: ``missing_events``, ``bad_link``,
            ``bad_hash``, ``head``, ``edited``, ``unrecorded`` (no event records the row),
            ``deleted`` (the row an event records is gone) or ``status`` (voided, lifted or an
            action's status other than the events say).
        event: the event the row disagrees with, when there is one.
    """

    table: str
    seq: int | str
    message: str
    code: str = ""
    event: int | None = None

    def __str__(self) -> str:
        return f"{self.table} row {self.seq}: {self.message}"


@dataclass(slots=True)
class ChainReport:
    """Result of :func:`verify_chain` (and of ``vigie.store.state_audit.verify_trail``).

    Attributes:
        events, decisions: rows checked.
        strikes, blocks, actions: rows of ``strikes``, ``blocks`` and ``outbox`` checked
            against the events (``verify_trail`` only; 0 otherwise).
        problems: every problem found, up to the limit.
    """

    events: int = 0
    decisions: int = 0
    problems: list[ChainProblem] = field(default_factory=list)
    strikes: int = 0
    blocks: int = 0
    actions: int = 0

    def add(self, problem: ChainProblem, limit: int) -> None:
        """Record ``problem`` unless ``limit`` problems are already recorded."""
        if len(self.problems) < limit:
            self.problems.append(problem)

    @property
    def ok(self) -> bool:
        """Whether the whole trail verifies."""
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (pure)."""
        return {"ok": self.ok, "events": self.events, "decisions": self.decisions,
                "strikes": self.strikes, "blocks": self.blocks, "actions": self.actions,
                "problems": [{"table": p.table, "row": p.seq, "message": p.message,
                              "code": p.code, "event": p.event} for p in self.problems]}


def verify_chain(conn: Connection, *, page: int = 5000, max_problems: int = 100,
                 observe: Callable[[StoredEvent], None] | None = None) -> ChainReport:
    """Recompute every hash of the event log and check the decision rows against it.

    Checks, for each event in ``seq`` order: no gap in ``seq`` (a deleted row), ``prev_hash``
    equal to the previous row's ``hash`` (an inserted or reordered row), and ``hash`` equal to
    the recomputed hash (an edited row). Then that the chain head points at the last event (rows
    deleted at the end), and that each decision row's body still has the SHA-256 recorded in its
    ``decided`` event (an edited decision).

    Args:
        conn: a connection (read only).
        page: rows read per query.
        max_problems: stop collecting after this many problems.
        observe: called with each event, in chain order (the state checks replay the chain
            in the same pass).

    Returns:
        A report naming each faulty row; ``report.ok`` when none.
    """
    report = ChainReport()
    prev, expected = GENESIS, 1
    decided: dict[str, str] = {}

    def problem(table: str, seq: int | str, message: str, code: str) -> None:
        report.add(ChainProblem(table, seq, message, code), max_problems)

    for event in iter_events(conn, page=page):
        report.events += 1
        if observe is not None:
            observe(event)
        if event.seq != expected:
            problem("events", event.seq, f"expected event #{expected} next: events "
                    f"#{expected}..#{event.seq - 1} are missing (deleted?)", "missing_events")
        if event.prev_hash != prev:
            problem("events", event.seq, "prev_hash does not match the hash of the event "
                    "before it (row inserted, deleted or reordered)", "bad_link")
        # The stored bytes are hashed, not a re-serialisation: any edit shows.
        recomputed = event_hash(event.prev_hash, event.seq, event.at, event.kind,
                                event.subject_type, event.subject_id, event.actor,
                                event.payload_text)
        if recomputed != event.hash:
            problem("events", event.seq, f"{event.kind} event on {event.subject_type} "
                    f"{event.subject_id!r}: content does not match its hash (edited?)", "bad_hash")
        if event.kind in (EventKind.DECIDED, EventKind.ERASED) and "body_sha256" in event.payload:
            decided[event.subject_id] = str(event.payload["body_sha256"])
        prev, expected = event.hash, event.seq + 1

    head = conn.execute(select(chain_head.c.seq, chain_head.c.hash)).one_or_none()
    if head is None:
        problem("chain_head", 1, "the chain head row is missing", "head")
    elif head.seq != expected - 1 or head.hash != prev:
        problem("chain_head", 1, f"the head points at event #{head.seq} but the log ends at "
                f"event #{expected - 1} (events deleted at the end, or head edited)", "head")

    rows = conn.execute(
        select(comments.c.platform, comments.c.comment_id, decisions.c.body,
               decisions.c.body_sha256).join(comments, comments.c.pk == decisions.c.comment_pk)
    )
    for row in rows:
        report.decisions += 1
        key = str(row.comment_id)
        actual = hashlib.sha256(row.body.encode("utf-8")).hexdigest()
        if actual != row.body_sha256 or decided.get(key, actual) != actual:
            problem("decisions", key, "the decision body does not match the SHA-256 recorded "
                    "in its 'decided' event (edited?)", "edited")
        elif key not in decided:
            problem("decisions", key, "no 'decided' event records this decision",
                    "unrecorded")
    return report
