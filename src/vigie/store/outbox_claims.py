"""Claims on outbox rows: which worker is sending an action, since when, and whether it lives.

Exactly-once effects need the outbox to know, after a crash, which actions may have reached the
platform without their result being recorded. A worker therefore *claims* the few actions it is
about to send (``status = 'sending'``, ``next_attempt_at`` = the time of the claim,
``claimed_by`` = the worker's ``host:pid:nonce``) in a short transaction of its own, sends them
with no transaction open, and records each result in another short transaction.

A row still ``sending`` is *in doubt* when its worker died between the claim and the record:
either the claimer ran on this machine and its process is gone, or the lease
(``outbox_lease_s``, for claimers on other machines or stuck ones) has run out since the claim.
The next worker takes it over and, where the sink can, asks the platform whether the effect is
already there before sending anything again (:class:`vigie.store.outbox.ConfirmingSink`).

Claims are compare-and-set updates (a pending row still due; a sending row still held by the
claimer that was seen dead): two workers racing for one row cannot both win it, on SQLite or
PostgreSQL, and no row lock outlives the claim's transaction.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import socket
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, and_, or_, select, update
from sqlalchemy.engine import Connection

from vigie.store.schema import outbox

__all__ = ["PENDING", "SENDING", "WORKER", "claim", "due_rows", "in_doubt"]

PENDING = "pending"
#: Claimed by a worker that is sending it (or died while sending it).
SENDING = "sending"
_HOST = socket.gethostname()
#: This process as a claimer: ``host:pid:nonce`` (the nonce tells a reused pid apart).
WORKER = f"{_HOST}:{os.getpid()}:{secrets.token_hex(4)}"


def _alive(claimer: str | None) -> bool:
    """Whether a claimer may still be sending: on another host we cannot tell, so yes."""
    host, _, rest = (claimer or "").partition(":")
    pid_text = rest.partition(":")[0]
    if host != _HOST or not pid_text.isdigit() or claimer == WORKER:
        return host != _HOST or claimer == WORKER
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def in_doubt(row: Row[Any], now: dt.datetime, lease: dt.timedelta) -> bool:
    """Whether a ``sending`` row's worker is gone: dead on this host, or its lease run out."""
    if row.status != SENDING:
        return False
    return row.next_attempt_at <= now - lease or not _alive(row.claimed_by)


def due_rows(conn: Connection, now: dt.datetime, lease: dt.timedelta,
             limit: int) -> list[Row[Any]]:
    """Rows a worker may claim now, in outbox order: pending and due, or in doubt.

    Args:
        conn: a connection (no lock is taken: :func:`claim` decides who wins).
        now: the store's time.
        lease: how long a claim by a live (or unknown) worker holds.
        limit: most rows returned.
    """
    query = (select(outbox)
             .where(or_(and_(outbox.c.status == PENDING, outbox.c.next_attempt_at <= now),
                        outbox.c.status == SENDING))
             .order_by(outbox.c.pk).limit(limit))
    return [row for row in conn.execute(query)
            if row.status == PENDING or in_doubt(row, now, lease)]


def claim(conn: Connection, rows: Sequence[Row[Any]], now: dt.datetime) -> set[str]:
    """Claim ``rows`` (from :func:`due_rows`) unless another worker changed them; keys won.

    Call it in a transaction of its own, committed before anything is sent: the claim must be
    on disk before the platform can see the action.

    Args:
        conn: a connection in a transaction.
        rows: what :func:`due_rows` returned (their status and claimer are compared).
        now: the store's time.
    """
    won: set[str] = set()
    fresh = [row.key for row in rows if row.status == PENDING]
    taken: dict[str | None, list[str]] = {}
    for row in rows:
        if row.status == SENDING:
            taken.setdefault(row.claimed_by, []).append(row.key)
    values = {"status": SENDING, "next_attempt_at": now, "claimed_by": WORKER,
              "attempts": outbox.c.attempts + 1}
    if fresh:
        won |= set(conn.execute(
            update(outbox).where(outbox.c.key.in_(fresh), outbox.c.status == PENDING,
                                 outbox.c.next_attempt_at <= now)
            .values(**values).returning(outbox.c.key)).scalars())
    for claimer, keys in taken.items():
        same = (outbox.c.claimed_by.is_(None) if claimer is None
                else outbox.c.claimed_by == claimer)
        won |= set(conn.execute(
            update(outbox).where(outbox.c.key.in_(keys), outbox.c.status == SENDING, same)
            .values(**values).returning(outbox.c.key)).scalars())
    return won
