"""What a policy change would change: stored comments judged again by two policies.

Before a new version of the directive is proposed, the comments already stored (the latest
``limit``, or those posted in a date range) are run through the pipeline and the engine under
the policy in force and under the draft, and the decisions are compared. The engine is pure,
so the only difference between the two runs is the policy; each run starts from fresh state
(thread index, copy-paste window), so a replay never changes what the live pipeline
remembers.

Not replayed: the author's history. Blocks after repeated strikes depend on the order in which
decisions were taken and reviewed; the replay compares each comment's own action, with no
history (as ``vigie check`` does). Purged or erased comments are not there to replay.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Connection

from vigie.decision import Decision
from vigie.records import Comment
from vigie.store.schema import comments

__all__ = ["Change", "Replay", "compare", "stored_comments"]

#: The most comments one replay reads.
MAX_COMMENTS = 5000

Moderate = Callable[[Sequence[Comment]], Sequence[Decision]]


@dataclass(frozen=True, slots=True)
class Change:
    """One comment whose decision differs between the two policies."""

    comment_pk: int
    comment_id: str
    created_at: dt.datetime
    excerpt: str
    before: str
    after: str
    #: Categories whose verdict differs (reached by one policy only, or another action).
    categories: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Replay:
    """The comparison: how many comments were judged and which changed."""

    total: int
    changes: tuple[Change, ...]
    #: Per category slug, how many changed comments it concerns.
    per_category: dict[str, int]
    #: Per ``before → after`` pair of actions, how many comments.
    per_transition: dict[str, int]


def stored_comments(conn: Connection, *, limit: int = 500, since: dt.datetime | None = None,
                    until: dt.datetime | None = None) -> list[tuple[int, Comment]]:
    """The latest stored comments (at most ``limit``), oldest first, with their keys.

    ``since`` and ``until`` bound ``created_at`` (``until`` excluded). Purged comments are left
    out: their text is gone.
    """
    query = select(comments.c.pk, comments.c.payload).where(comments.c.payload.is_not(None))
    if since is not None:
        query = query.where(comments.c.created_at >= since)
    if until is not None:
        query = query.where(comments.c.created_at < until)
    rows = conn.execute(query.order_by(comments.c.created_at.desc(), comments.c.pk.desc())
                        .limit(max(1, min(limit, MAX_COMMENTS)))).all()
    return [(int(r.pk), Comment.model_validate_json(r.payload)) for r in reversed(rows)]


def _verdicts(decision: Decision) -> dict[str, str]:
    return {c.slug: c.action.value for c in decision.categories}


def compare(items: Sequence[tuple[int, Comment]], before: Moderate, after: Moderate) -> Replay:
    """Judge ``items`` by both moderators and list the comments whose action changed.

    Args:
        items: ``(comment key, comment)`` pairs, oldest first (:func:`stored_comments`).
        before: decides a batch under the policy in force.
        after: decides a batch under the draft.
    """
    batch = [c for _, c in items]
    olds, news = before(batch), after(batch)
    changes: list[Change] = []
    per_category: dict[str, int] = {}
    per_transition: dict[str, int] = {}
    for (pk, comment), old, new in zip(items, olds, news, strict=True):
        if old.action == new.action:
            continue
        a, b = _verdicts(old), _verdicts(new)
        slugs = tuple(s for s in dict.fromkeys([*a, *b]) if a.get(s) != b.get(s))
        for slug in slugs:
            per_category[slug] = per_category.get(slug, 0) + 1
        key = f"{old.action.value} → {new.action.value}"
        per_transition[key] = per_transition.get(key, 0) + 1
        changes.append(Change(pk, comment.id, comment.created_at, (comment.text or "")[:160],
                              old.action.value, new.action.value, slugs))
    return Replay(len(items), tuple(changes), per_category, per_transition)
