"""The state that acts, checked against the audit chain: strikes, blocks and outbox rows.

The hash chain proves the events were not edited; it says nothing of the tables the system
acts from. A strike counts towards a block, a block row keeps an author blocked, and an outbox
row's ``status`` decides whether a platform action is sent (again). Someone with write access
to the database could edit those rows and leave the chain intact, so each event that writes
one of them carries ``row_sha256``, the digest of the row's acting fields *after* the write
(:func:`strike_digest`, :func:`block_digest`, :func:`action_digest`), and the key of the row
(``comment_pk`` of a strike, ``block_pk`` of a block, the action's key). Replaying the chain
(:class:`StateLedger`) gives each row's expected state; :func:`verify_trail` then reads each
table once and names every row that disagrees: inserted with no event, edited, deleted, or an
action's status reset (a dead or applied action put back to ``pending`` is sent again).

Events written before ``row_sha256`` existed still say which rows exist and whether a strike is
voided, a block lifted, an action applied or dead: those rows are checked on that alone.

An outbox row is checked on its acting fields (what to do, to whom, the text of a reply) only
while it is still to be sent; once applied or dead only its status acts, and the Law 25 erasure
rewrites the author id and text of finished rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.engine import Connection

from vigie.store.events import (
    ChainProblem,
    ChainReport,
    EventKind,
    StoredEvent,
    canonical_json,
    verify_chain,
)
from vigie.store.outbox_claims import PENDING, SENDING
from vigie.store.schema import blocks, comments, outbox, strikes

__all__ = ["ROW_DIGEST", "StateLedger", "action_digest", "block_digest", "strike_digest",
           "verify_trail"]

#: The payload key of the digest of a row after the event's write.
ROW_DIGEST = "row_sha256"


def _digest(kind: str, values: list[Any]) -> str:
    return hashlib.sha256(canonical_json([kind, *values]).encode("utf-8")).hexdigest()


def _iso(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def strike_digest(*, comment_pk: int, author_pk: int, at: dt.datetime, clauses: str,
                  voided: bool) -> str:
    """Digest of a strike's acting fields (pure): whose, which comment, its date, voided.

    ``clauses`` is the column's JSON text exactly as stored.
    """
    return _digest("strike", [int(comment_pk), int(author_pk), _iso(at), clauses, bool(voided)])


def block_digest(*, pk: int, author_pk: int, comment_pk: int | None, reason: str,
                 blocked_by: str, lifted: bool) -> str:
    """Digest of a block's acting fields (pure): who is blocked, why, by whom, lifted."""
    return _digest("block", [int(pk), int(author_pk), comment_pk, reason, blocked_by,
                             bool(lifted)])


def action_digest(row: Mapping[str, Any]) -> str:
    """Digest of what an outbox row asks a platform to do (pure; ``row``: its columns)."""
    return _digest("action", [row["key"], row["kind"], row["platform"], row["comment_id"],
                              row["author_id"], row["post_id"], row["reason"], row["body"]])


@dataclass(slots=True)
class _Expect:
    """What the chain says of one row: its digest (``None``: an older event) and more."""

    seq: int
    digest: str | None
    flag: str  # strikes: voided/active; blocks: lifted/active; actions: their status


class _Problem(Protocol):
    def __call__(self, table: str, row: int | str, message: str, code: str,
                 expect: _Expect | None = None) -> None: ...


def _strike_row(row: Any, voided: bool) -> str:
    return strike_digest(comment_pk=row.comment_pk, author_pk=row.author_pk, at=row.at,
                         clauses=row.clauses, voided=voided)


def _block_row(row: Any, lifted: bool) -> str:
    return block_digest(pk=row.pk, author_pk=row.author_pk, comment_pk=row.comment_pk,
                        reason=row.reason, blocked_by=row.blocked_by, lifted=lifted)


def _against(known: _Expect | None, digest: Callable[[Any, bool], str], row: Any,
             flag: bool) -> str:
    """How a row compares with its event's digest (pure).

    ``ok``: the same; ``status``: only its flag (voided, lifted) differs, which the caller
    words; ``edited``: its other fields differ; ``unknown``: the event has no digest.
    """
    if known is None or known.digest is None:
        return "unknown"
    if digest(row, flag) == known.digest:
        return "ok"
    return "status" if digest(row, not flag) == known.digest else "edited"


def _judge(problem: _Problem, table: str, pk: int, where: str, found: str,
           expect: _Expect | None, flag_word: str, flag: bool, fields: str) -> None:
    """Report a strike or block row unless it agrees with ``expect`` (its latest event)."""
    if found == "ok":
        return
    if expect is None:
        problem(table, pk, f"{where}: no event records it (inserted?)", "unrecorded")
    elif found == "edited":
        problem(table, pk, f"{where}: {fields} differ from event #{expect.seq} (edited?)",
                "edited", expect)
    elif (expect.flag == flag_word) != flag:
        problem(table, pk, f"{where}: {flag_word if flag else 'active'} but event "
                f"#{expect.seq} says {expect.flag} (edited?)", "status", expect)


@dataclass(slots=True)
class StateLedger:
    """The acting state that the chain's events describe, built event by event (pure).

    Feed it every event in chain order (:meth:`observe`), then :meth:`check` the tables.
    """

    strikes: dict[int, _Expect] = field(default_factory=dict)
    old_strikes: dict[str, _Expect] = field(default_factory=dict)
    blocks: dict[int, _Expect] = field(default_factory=dict)
    old_blocks: dict[str, list[_Expect]] = field(default_factory=dict)
    actions: dict[str, _Expect] = field(default_factory=dict)

    def observe(self, event: StoredEvent) -> None:
        """Apply one event's effect on the expected rows."""
        kind, p = event.kind, event.payload
        if kind in (EventKind.STRIKE_RECORDED, EventKind.STRIKE_VOIDED):
            flag = "voided" if kind == EventKind.STRIKE_VOIDED else "active"
            expect = _Expect(event.seq, p.get(ROW_DIGEST), flag)
            if "comment_pk" in p:
                self.strikes[int(p["comment_pk"])] = expect
                self.old_strikes.pop(event.subject_id, None)
            else:
                self.old_strikes[event.subject_id] = expect
        elif kind == EventKind.BLOCKED:
            expect = _Expect(event.seq, p.get(ROW_DIGEST), "active")
            if "block_pk" in p:
                self.blocks[int(p["block_pk"])] = expect
            else:
                self.old_blocks.setdefault(event.subject_id, []).append(expect)
        elif kind == EventKind.UNBLOCKED:
            self._unblocked(event)
        elif event.subject_type == "action" or (kind == EventKind.REPLY_FAILED
                                                and "action" in p):
            self._action(event)

    def _unblocked(self, event: StoredEvent) -> None:
        older = [e for e in self.old_blocks.get(event.subject_id, []) if e.flag == "active"]
        lifted = event.payload.get("blocks")
        if not isinstance(lifted, dict):  # an older event: every active block was lifted
            for expect in older:
                expect.flag, expect.seq = "lifted", event.seq
            return
        for pk, digest in lifted.items():
            if int(pk) not in self.blocks and older:
                # A block from before the digests: from now on known by its pk.
                self.old_blocks[event.subject_id].remove(older.pop(0))
            self.blocks[int(pk)] = _Expect(event.seq, str(digest), "lifted")

    def _action(self, event: StoredEvent) -> None:
        kind, p, key = event.kind, event.payload, event.subject_id
        if kind == EventKind.ACTION_PLANNED:
            if key not in self.actions:  # a second plan of a key inserts nothing
                self.actions[key] = _Expect(event.seq, p.get(ROW_DIGEST), PENDING)
            return
        if kind == EventKind.ACTION_APPLIED:
            status = "applied"
        elif kind == EventKind.ACTION_FAILED:
            status = "dead" if p.get("final") else PENDING
        elif kind == EventKind.REPLY_FAILED:  # also the Law 25 erasure of a waiting reply
            status, key = "dead", str(p["action"])
        else:
            return
        known = self.actions.setdefault(key, _Expect(event.seq, None, status))
        known.flag, known.seq = status, event.seq

    def check(self, conn: Connection, report: ChainReport, limit: int = 100) -> None:
        """Read ``strikes``, ``blocks`` and ``outbox`` once; report each row the chain denies."""

        def problem(table: str, row: int | str, message: str, code: str,
                    expect: _Expect | None = None) -> None:
            report.add(ChainProblem(table, row, message, code,
                                    expect.seq if expect else None), limit)

        self._check_strikes(conn, report, problem)
        self._check_blocks(conn, report, problem)
        self._check_actions(conn, report, problem)

    def _check_strikes(self, conn: Connection, report: ChainReport, problem: _Problem) -> None:
        rows = conn.execute(select(
            strikes.c.pk, strikes.c.comment_pk, strikes.c.author_pk, strikes.c.at,
            strikes.c.clauses, strikes.c.voided_at, comments.c.comment_id,
        ).join(comments, comments.c.pk == strikes.c.comment_pk, isouter=True))
        for row in rows:
            report.strikes += 1
            voided = row.voided_at is not None
            known = self.strikes.pop(int(row.comment_pk), None)
            older = self.old_strikes.pop(str(row.comment_id), None)
            where = f"strike on comment {row.comment_id!r} (comment_pk {row.comment_pk})"
            _judge(problem, "strikes", row.pk, where, _against(known, _strike_row, row, voided),
                   known or older, "voided", voided, "its author, date or clauses")
        for pk, expect in self.strikes.items():
            problem("strikes", f"comment_pk {pk}", f"the strike recorded by event "
                    f"#{expect.seq} is gone (deleted?)", "deleted", expect)
        for cid, expect in self.old_strikes.items():
            problem("strikes", f"comment {cid}", f"the strike recorded by event "
                    f"#{expect.seq} is gone (deleted?)", "deleted", expect)

    def _check_blocks(self, conn: Connection, report: ChainReport, problem: _Problem) -> None:
        rows = conn.execute(select(
            blocks.c.pk, blocks.c.author_pk, blocks.c.comment_pk, blocks.c.reason,
            blocks.c.blocked_by, blocks.c.lifted_at).order_by(blocks.c.pk))
        for row in rows:
            report.blocks += 1
            lifted = row.lifted_at is not None
            where = f"block of author_pk {row.author_pk}"
            known = self.blocks.pop(int(row.pk), None)
            expect = known
            if known is None:
                # Before the digests: the author's n-th block row is that of its n-th event.
                older = self.old_blocks.get(str(row.author_pk))
                expect = older.pop(0) if older else None
            _judge(problem, "blocks", row.pk, where, _against(known, _block_row, row, lifted),
                   expect, "lifted", lifted, "who is blocked, why or by whom")
        for pk, expect in self.blocks.items():
            problem("blocks", pk, f"the block recorded by event #{expect.seq} is gone "
                    "(deleted?)", "deleted", expect)
        for author_pk, left in self.old_blocks.items():
            for expect in left:
                problem("blocks", f"author_pk {author_pk}", f"the block recorded by event "
                        f"#{expect.seq} is gone (deleted?)", "deleted", expect)

    def _check_actions(self, conn: Connection, report: ChainReport, problem: _Problem) -> None:
        rows = conn.execute(select(
            outbox.c.key, outbox.c.kind, outbox.c.platform, outbox.c.comment_id,
            outbox.c.author_id, outbox.c.post_id, outbox.c.reason, outbox.c.body,
            outbox.c.status))
        for row in rows:
            report.actions += 1
            expect = self.actions.pop(row.key, None)
            if expect is None:
                problem("outbox", row.key, "no 'action_planned' event records this action "
                        "(inserted?)", "unrecorded")
                continue
            status = PENDING if row.status == SENDING else row.status
            if status != expect.flag:
                problem("outbox", row.key, f"status {row.status!r} but event #{expect.seq} "
                        f"left it {expect.flag!r} (reset outside Vigie?)", "status", expect)
            elif (status == PENDING and expect.digest is not None
                  and action_digest(dict(row._mapping)) != expect.digest):
                problem("outbox", row.key, f"what the action does differs from event "
                        f"#{expect.seq} (edited?)", "edited", expect)
        for key, expect in self.actions.items():
            problem("outbox", key, f"the action planned by event #{expect.seq} is gone "
                    "(deleted?)", "deleted", expect)


def verify_trail(conn: Connection, *, page: int = 5000, max_problems: int = 100
                 ) -> ChainReport:
    """:func:`~vigie.store.events.verify_chain`, and the acting tables checked against it.

    One pass over the events builds the expected strikes, blocks and outbox rows
    (:class:`StateLedger`); each table is then read once. Problems name the table and the row
    (a strike's or block's ``pk``, an action's key; the key the events give for a row gone).

    Args:
        conn: a connection (read only); on PostgreSQL, in a ``REPEATABLE READ`` transaction
            if writers run meanwhile, so the events and the rows are one snapshot.
        page: events read per query.
        max_problems: stop collecting after this many problems.
    """
    ledger = StateLedger()
    report = verify_chain(conn, page=page, max_problems=max_problems, observe=ledger.observe)
    ledger.check(conn, report, max_problems)
    return report
