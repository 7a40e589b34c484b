"""Strikes and blocks (directive section 7): who was removed, when, and who is blocked.

A strike is one removal counted against an author, dated by the *comment's* ``created_at`` so the
policy window (``blocking.window_days``) is measured in the author's time line, not the order in
which Vigie happened to read the comments. A restore voids the strike. A block is a record with
the reason and who decided it; lifting it keeps the record (with who lifted it and why).

Every event written here carries the row's key and the digest of its acting fields after the
write (:mod:`vigie.store.state_audit`), so a row edited outside Vigie no longer verifies.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.engine import Connection

from vigie.store.events import EventKind, NewEvent
from vigie.store.schema import blocks, strikes
from vigie.store.state_audit import ROW_DIGEST, block_digest, strike_digest

__all__ = ["StrikeBook", "active_blocks", "lift_blocks", "record_block", "record_strike",
           "strike_event", "void_strike"]

# Built once: expanding parameters keep them in SQLAlchemy's compiled cache (read per batch).
_STRIKES_IN = select(strikes.c.author_pk, strikes.c.at, strikes.c.comment_pk).where(
    strikes.c.author_pk.in_(bindparam("pks")), strikes.c.voided_at.is_(None),
    strikes.c.at >= bindparam("since"), strikes.c.at <= bindparam("until"))
_ACTIVE_BLOCKS = select(blocks.c.author_pk).where(
    blocks.c.author_pk.in_(bindparam("pks")), blocks.c.lifted_at.is_(None))


@dataclass(slots=True)
class StrikeBook:
    """Strike times per author, for counting within windows while a batch is decided.

    Load it once per batch (:meth:`load`), then :meth:`count` and :meth:`add` as comments are
    decided in order, so a second removal in the same batch sees the first.
    """

    times: dict[int, list[tuple[dt.datetime, int]]] = field(default_factory=dict)
    blocked: set[int] = field(default_factory=set)

    @classmethod
    def load(cls, conn: Connection, author_pks: Iterable[int], since: dt.datetime,
             until: dt.datetime) -> StrikeBook:
        """Read the unvoided strikes dated in ``[since, until]`` and the active blocks."""
        pks = sorted(set(author_pks))
        book = cls()
        if not pks:
            return book
        rows = conn.execute(_STRIKES_IN, {"pks": pks, "since": since, "until": until})
        for author_pk, at, comment_pk in rows:
            book.times.setdefault(author_pk, []).append((at, comment_pk))
        for entries in book.times.values():
            entries.sort()
        book.blocked = active_blocks(conn, pks)
        return book

    def count(self, author_pk: int, at: dt.datetime, window_days: int,
              exclude_comment: int | None = None) -> int:
        """Strikes of ``author_pk`` dated in ``(at - window, at]``, except ``exclude_comment``."""
        entries = self.times.get(author_pk, [])
        start = at - dt.timedelta(days=window_days)
        lo = bisect.bisect_right(entries, (start, 2**62))
        hi = bisect.bisect_right(entries, (at, 2**62))
        return sum(1 for _, pk in entries[lo:hi] if pk != exclude_comment)

    def count_all(self, author_pks: Iterable[int], at: dt.datetime, window_days: int,
                  exclude_comment: int | None = None) -> int:
        """:meth:`count` summed over one person's accounts (each loaded with :meth:`load`)."""
        return sum(self.count(pk, at, window_days, exclude_comment) for pk in author_pks)

    def add(self, author_pk: int, at: dt.datetime, comment_pk: int) -> None:
        """Count a new strike from now on."""
        bisect.insort(self.times.setdefault(author_pk, []), (at, comment_pk))


def active_blocks(conn: Connection, author_pks: Sequence[int]) -> set[int]:
    """Authors among ``author_pks`` with a block not lifted."""
    if not author_pks:
        return set()
    rows = conn.execute(_ACTIVE_BLOCKS, {"pks": list(author_pks)})
    return {int(r[0]) for r in rows}


def strike_event(kind: EventKind, comment_id: str, *, comment_pk: int, author_pk: int,
                 at: dt.datetime, clauses: str, voided: bool, actor: str,
                 details: Mapping[str, Any]) -> NewEvent:
    """The event of a strike written or voided, with the row's digest (pure).

    ``clauses`` is the row's JSON text; ``details`` the rest of the payload.
    """
    digest = strike_digest(comment_pk=comment_pk, author_pk=author_pk, at=at, clauses=clauses,
                           voided=voided)
    return NewEvent(kind, "comment", comment_id, {
        **details, "comment_pk": comment_pk, ROW_DIGEST: digest}, actor)


def record_strike(conn: Connection, *, author_pk: int, comment_pk: int, comment_id: str,
                  decision_pk: int | None, at: dt.datetime, clauses: Sequence[str],
                  actor: str = "vigie") -> list[NewEvent]:
    """Count a strike for a comment (re-arming a voided one); returns the events to append."""
    existing = conn.execute(select(strikes.c.pk, strikes.c.voided_at, strikes.c.author_pk,
                                   strikes.c.at).where(
        strikes.c.comment_pk == comment_pk)).first()
    if existing is not None and existing.voided_at is None:
        return []
    text = json.dumps(list(clauses))
    if existing is not None:
        conn.execute(update(strikes).where(strikes.c.pk == existing.pk).values(
            voided_at=None, voided_reason=None, clauses=text))
        author_pk, at = existing.author_pk, existing.at
    else:
        conn.execute(insert(strikes), {"author_pk": author_pk, "comment_pk": comment_pk,
                                       "decision_pk": decision_pk, "at": at,
                                       "clauses": text})
    return [strike_event(EventKind.STRIKE_RECORDED, comment_id, comment_pk=comment_pk,
                         author_pk=author_pk, at=at, clauses=text, voided=False, actor=actor,
                         details={"author_pk": author_pk, "clauses": list(clauses)})]


def void_strike(conn: Connection, *, comment_pk: int, comment_id: str, when: dt.datetime,
                reason: str, actor: str) -> list[NewEvent]:
    """Void the strike of a restored comment; returns the events to append (none if none)."""
    row = conn.execute(update(strikes).where(
        strikes.c.comment_pk == comment_pk, strikes.c.voided_at.is_(None)
    ).values(voided_at=when, voided_reason=reason).returning(
        strikes.c.author_pk, strikes.c.at, strikes.c.clauses)).first()
    if row is None:
        return []
    return [strike_event(EventKind.STRIKE_VOIDED, comment_id, comment_pk=comment_pk,
                         author_pk=row.author_pk, at=row.at, clauses=row.clauses, voided=True,
                         actor=actor, details={"reason": reason})]


def record_block(conn: Connection, *, author_pk: int, comment_pk: int | None,
                 decision_pk: int | None, when: dt.datetime, reason: str,
                 actor: str = "vigie") -> list[NewEvent]:
    """Block an author; returns the events to append."""
    pk = conn.execute(insert(blocks).returning(blocks.c.pk), {
        "author_pk": author_pk, "comment_pk": comment_pk, "decision_pk": decision_pk,
        "reason": reason, "blocked_at": when, "blocked_by": actor}).scalar_one()
    digest = block_digest(pk=pk, author_pk=author_pk, comment_pk=comment_pk, reason=reason,
                          blocked_by=actor, lifted=False)
    return [NewEvent(EventKind.BLOCKED, "author", str(author_pk), {
        "reason": reason, "comment_pk": comment_pk, "block_pk": pk, ROW_DIGEST: digest}, actor)]


def lift_blocks(conn: Connection, *, author_pk: int, when: dt.datetime, reason: str,
                actor: str, comment_pk: int | None = None) -> list[NewEvent]:
    """Lift every active block of an author; returns the events to append (none if none).

    ``comment_pk``: only the blocks that name that comment as their grounds (a restored
    comment's blocks on the person's other accounts, :mod:`vigie.store.persons`).
    """
    where = [blocks.c.author_pk == author_pk, blocks.c.lifted_at.is_(None)]
    if comment_pk is not None:
        where.append(blocks.c.comment_pk == comment_pk)
    rows = conn.execute(update(blocks).where(*where).values(
        lifted_at=when, lifted_by=actor, lift_reason=reason).returning(
        blocks.c.pk, blocks.c.comment_pk, blocks.c.reason, blocks.c.blocked_by)).all()
    if not rows:
        return []
    lifted = {str(r.pk): block_digest(pk=r.pk, author_pk=author_pk, comment_pk=r.comment_pk,
                                      reason=r.reason, blocked_by=r.blocked_by, lifted=True)
              for r in rows}
    return [NewEvent(EventKind.UNBLOCKED, "author", str(author_pk),
                     {"reason": reason, "blocks": lifted}, actor)]
