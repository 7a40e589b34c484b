"""After a restart, a pipeline's memory rebuilt from the comments the store has already decided.

A pipeline keeps state between batches: the thread index (a reply's parent, how often an author
posted in the last 24 h) and the copy-paste window of the coordination detector (the texts
other accounts posted in the last 72 h). A process that stops loses it, and the comments right
after the resume point would be judged on less evidence than an uninterrupted run had
(``tests/store/test_store_recall.py`` sees 141 of 1,200 decisions change without the rebuild).
Rather than keep a second copy of that state, it is rebuilt
from what the store holds anyway: every comment is stored before it is analysed, with its
whole record.

Which comments: those decided (on their current revision), in the order the pipeline first
analysed them, which is the store's key order (ingest stores a batch in input order, the
analysis takes it in that order, ``vigie run`` decides pending comments oldest key first); from
the first one within the pipeline's reach in comment time of the newest decided comment, or
among its last ``count`` comments, whichever starts earlier. Remembering them at once leaves
the state as the batches one by one left it (:meth:`vigie.pipeline.Pipeline.remember`).

Not rebuilt: what the store no longer holds. A purged or erased comment is forgotten (the law
asks for it), an edited comment is remembered with its latest text only, and a pending edit
not at all until it is decided again.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol, runtime_checkable

from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql import ColumnElement

from vigie.records import Comment
from vigie.store.schema import comments, decisions
from vigie.store.store import Store

__all__ = ["Recalling", "decided_within", "recall"]

_CHUNK = 2000  # comments read and remembered at a time: memory stays flat

# The stores each pipeline has recalled: a pipeline kept for a process's life (the dashboard's)
# serves many moderators and must remember the store's comments once, not once per moderator.
_RECALLED: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()


@runtime_checkable
class Recalling(Protocol):
    """A pipeline whose state can be rebuilt (:class:`vigie.pipeline.Pipeline` is one)."""

    def memory_reach(self) -> tuple[float, int]:
        """How far its state reaches back: (seconds of comment time, comments)."""
        ...

    def remember(self, comments: Sequence[Comment]) -> None:
        """Take comments decided earlier into its state, judging nothing."""
        ...


def _decided() -> ColumnElement[bool]:
    # A comment whose current revision is decided (a pending edit is analysed again later).
    return (decisions.c.comment_pk == comments.c.pk) & (
        decisions.c.revision >= comments.c.revision)


def _start(conn: Connection, seconds: float, count: int) -> int | None:
    """The key of the first comment to remember, or ``None`` when nothing is decided."""
    decided = select(comments.c.pk).join(decisions, _decided())
    newest = conn.execute(select(func.max(comments.c.created_at))
                          .join(decisions, _decided())).scalar()
    if newest is None:
        return None
    since = newest - dt.timedelta(seconds=seconds)
    by_time = conn.execute(select(func.min(comments.c.pk)).join(decisions, _decided())
                           .where(comments.c.created_at >= since)).scalar()
    by_count = conn.execute(decided.order_by(comments.c.pk.desc())
                            .offset(max(count, 1) - 1).limit(1)).scalar()
    if by_count is None:  # fewer decided comments than ``count``: all of them
        by_count = conn.execute(select(func.min(comments.c.pk))
                                .join(decisions, _decided())).scalar_one()
    return int(min(by_time, by_count))


def decided_within(conn: Connection, seconds: float, count: int) -> Iterator[list[Comment]]:
    """Yield, in chunks, the decided comments a pipeline reaching this far must remember.

    Args:
        conn: a read connection.
        seconds: reach in comment time, back from the newest decided comment.
        count: reach in comments, back from the last decided one.

    Yields:
        Lists of at most 2,000 comments, in key order (the order they were analysed); purged
        and erased ones (no record left) are skipped.
    """
    after = _start(conn, seconds, count)
    if after is None:
        return
    after -= 1
    while True:
        rows = conn.execute(select(comments.c.pk, comments.c.payload)
                            .join(decisions, _decided())
                            .where(comments.c.pk > after, comments.c.payload.is_not(None))
                            .order_by(comments.c.pk).limit(_CHUNK)).all()
        if not rows:
            return
        after = rows[-1].pk
        yield [Comment.model_validate_json(row.payload) for row in rows]


def recall(store: Store, pipeline: object, belongs: Callable[[Comment], bool]) -> int:
    """Rebuild ``pipeline``'s memory from ``store``, once per pipeline and store.

    Args:
        store: the store.
        pipeline: a pipeline; one without state to rebuild (not :class:`Recalling`, such as
            the canned analysers of tests and benchmarks) is left alone.
        belongs: whether a stored comment was analysed by this pipeline (judged by its policy:
            each policy in force has its own pipeline, and its own memory).

    Returns:
        How many comments it remembered (0 when it had already recalled this store).
    """
    if not isinstance(pipeline, Recalling):
        return 0
    done = _RECALLED.setdefault(pipeline, set())
    key = store.engine.url.render_as_string(hide_password=True)
    if key in done:
        return 0
    done.add(key)
    seconds, count = pipeline.memory_reach()
    remembered = 0
    with store.read() as conn:
        for chunk in decided_within(conn, seconds, count):
            mine = [c for c in chunk if belongs(c)]
            pipeline.remember(mine)
            remembered += len(mine)
    return remembered
