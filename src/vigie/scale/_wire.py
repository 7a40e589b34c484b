"""How a context batch travels from the sequencer to a worker: compact, and cheap to make.

The sequencer is the one sequential step of a Ray run, so every microsecond it spends per
comment caps the run. Pickling the parsed comments (pydantic models: a dict, an author, a post
and two datetimes each) cost it about as much as its thread-context step. A good JSONL record
travels instead as the line it was read from, which the worker parses again with the reader's
own code (about what unpickling the comment cost it); a thread context names the comments of
its own batch by position. Comments without a line (CSV, Parquet) and comments of earlier
batches (a parent, an author's earlier comments) travel as themselves.
"""

from __future__ import annotations

import json
import pickle
from collections.abc import Mapping
from typing import Any

from vigie.records import Comment, parse_comment
from vigie.scale.context import ContextBatch
from vigie.text.thread import ThreadContext

__all__ = ["decode_batch", "encode_batch"]

# A comment of the batch: its JSON line, or the comment itself.
_Item = str | Comment
# A reference to a comment: its position in the batch, or the comment itself (earlier batches).
_Ref = int | Comment


def encode_batch(batch: ContextBatch, lines: dict[int, str]) -> bytes:
    """Serialise ``batch`` for :func:`decode_batch`.

    Args:
        batch: a batch from :class:`~vigie.scale.context.ContextSequencer`.
        lines: JSON lines of comments waiting to be sent, by ``id()`` of the parsed comment;
            this batch's are removed (comments without one travel as objects).
    """
    position = {id(c): i for i, c in enumerate(batch.comments)}

    def ref(comment: Comment) -> _Ref:
        found = position.get(id(comment))
        return found if found is not None else comment

    items: list[_Item] = []
    for comment in batch.comments:
        line = lines.pop(id(comment), None)
        items.append(comment if line is None else line)
    contexts = [
        (None if ctx.parent is None else ref(ctx.parent),
         tuple(ref(c) for c in ctx.author_recent), ctx.author_posts)
        for ctx in batch.contexts
    ]
    return pickle.dumps(
        (batch.seq, batch.first, items, contexts, dict(batch.replays), batch.rejects),
        protocol=pickle.HIGHEST_PROTOCOL)


def decode_batch(payload: bytes) -> ContextBatch:
    """The batch :func:`encode_batch` serialised (its comments equal to the sequencer's)."""
    seq, first, items, contexts, replays, rejects = pickle.loads(payload)
    comments = tuple(parse_comment(json.loads(item)) if isinstance(item, str) else item
                     for item in items)

    def resolve(reference: _Ref) -> Comment:
        return comments[reference] if isinstance(reference, int) else reference

    threads = tuple(
        ThreadContext(None if parent is None else resolve(parent),
                      tuple(resolve(r) for r in recent), posts)
        for parent, recent, posts in contexts
    )
    replay_map: Mapping[str, Any] = replays
    return ContextBatch(seq, first, comments, threads, replay_map, rejects)
