"""Groups: coordinated and repeated comments shown and decided as one item.

A copy-paste campaign fills the queue with the same text from many accounts; each copy's
decision carries a ``coordination.duplicate`` finding whose ``data.matches`` names the
comments it copies. Items of one state linked that way, directly or through each other, form a
group (a union-find over the comment ids): the queue shows the group once, its page lists the
members with their links, and one decision applies to every member, each recorded in the audit
log as its own review.

The queue page and a group's page only follow the links from the items they show
(:func:`groups_around`: a few indexed look-ups, whatever the size of the queue); the list of
every group (:func:`groups_in`) reads the newest ``cap`` items of a state with such a finding.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from vigie.store.schema import PLATFORMS, comments, decisions, review_items

__all__ = ["GROUP_SIGNALS", "Group", "group_of", "groups_around", "groups_in", "related"]

#: Signals whose ``data.matches`` link a comment to the comments it repeats.
GROUP_SIGNALS = ("coordination.duplicate",)
#: How far (in item keys) around the shown items copies are looked for.
_NEAR = 2000


@dataclass(frozen=True, slots=True)
class Group:
    """Items of one state that repeat each other.

    Attributes:
        lead: the representative item (the oldest), shown in the queue.
        items: every member item, oldest first (the lead included).
        comment_ids: the members' platform comment ids, in the same order.
    """

    lead: int
    items: tuple[int, ...]
    comment_ids: tuple[str, ...]

    @property
    def size(self) -> int:
        """How many items the group holds."""
        return len(self.items)


def _matches(body: dict[str, Any]) -> set[str]:
    out: set[str] = set()
    for cat in body.get("categories", ()):
        for ev in cat.get("evidence", ()):
            if ev.get("signal") in GROUP_SIGNALS:
                data = ev.get("data") or {}
                found = data.get("matches") if isinstance(data, dict) else None
                if isinstance(found, list):
                    out.update(str(m) for m in found)
    return out


def groups_in(conn: Connection, state: str = "open", cap: int = 5000) -> list[Group]:
    """The groups of two or more items among the ``state`` items (newest ``cap`` read)."""
    rows = conn.execute(
        _select().where(review_items.c.state == state,
                        decisions.c.body.contains("coordination."))
        .order_by(review_items.c.pk.desc()).limit(cap)).all()
    return _union(list(rows))


def _union(rows: list[Any]) -> list[Group]:
    """Groups of two or more among ``rows`` (``pk``, ``comment_id``, ``body``; pure)."""
    item_of = {str(r.comment_id): int(r.pk) for r in rows}
    parent = {pk: pk for pk in item_of.values()}

    def root(pk: int) -> int:
        while parent[pk] != pk:
            parent[pk] = parent[parent[pk]]
            pk = parent[pk]
        return pk

    for r in rows:
        for other in _matches(json.loads(r.body)):
            if other in item_of:
                a, b = root(int(r.pk)), root(item_of[other])
                if a != b:
                    parent[max(a, b)] = min(a, b)
    members: dict[int, list[int]] = {}
    for pk in parent:
        members.setdefault(root(pk), []).append(pk)
    ids = {pk: cid for cid, pk in item_of.items()}
    out = []
    for items in members.values():
        if len(items) > 1:
            items.sort()
            out.append(Group(items[0], tuple(items), tuple(ids[i] for i in items)))
    return sorted(out, key=lambda g: g.lead)


def _select() -> Any:
    return (select(review_items.c.pk, comments.c.comment_id, decisions.c.body)
            .join(comments, comments.c.pk == review_items.c.comment_pk)
            .join(decisions, decisions.c.pk == review_items.c.decision_pk))


def groups_around(conn: Connection, item_pks: list[int], state: str,
                  limit: int = 1000) -> list[Group]:
    """The groups reached from ``item_pks`` by following matches (at most ``limit`` items).

    Each step is an indexed look-up of the matched comments (platform, id) among the items
    of ``state``; nothing else of the queue is read.
    """
    rows = {int(r.pk): r for r in conn.execute(_select().where(
        review_items.c.pk.in_(item_pks), review_items.c.state == state))}
    if not any(_matches(json.loads(r.body)) for r in rows.values()):
        return []  # the common case: no copy among the shown items, nothing more to read
    # Links go from a copy to the copies seen before it, so the first copy of a campaign
    # names nobody: the copies near the shown items (by key, an index range of the state)
    # are read too, and every link among them counts both ways.
    low, high = min(rows) - _NEAR, max(rows) + _NEAR
    for r in conn.execute(_select().where(
            review_items.c.state == state, review_items.c.pk.between(low, high),
            decisions.c.body.contains("coordination.")).limit(limit)):
        rows.setdefault(int(r.pk), r)
    frontier = {m for r in rows.values() for m in _matches(json.loads(r.body))}
    seen = {str(r.comment_id) for r in rows.values()}
    while frontier and len(rows) < limit:
        wanted = sorted(frontier - seen)[: limit - len(rows)]
        seen.update(wanted)
        if not wanted:
            break
        found = conn.execute(_select().where(
            comments.c.platform.in_(PLATFORMS), comments.c.comment_id.in_(wanted),
            review_items.c.state == state)).all()
        frontier = set()
        for r in found:
            if int(r.pk) not in rows:
                rows[int(r.pk)] = r
                frontier |= _matches(json.loads(r.body))
    return _union(list(rows.values()))


def group_of(conn: Connection, item_pk: int) -> Group | None:
    """The group holding ``item_pk`` among the items of its state, or ``None``."""
    state = conn.execute(select(review_items.c.state)
                         .where(review_items.c.pk == item_pk)).scalar_one_or_none()
    if state is None:
        return None
    return next((g for g in groups_around(conn, [item_pk], str(state)) if item_pk in g.items),
                None)


def related(conn: Connection, body: dict[str, Any],
            exclude: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """The other copies a decision's coordination finding names, in the queue or not.

    Each with its own decision's action and its newest review item, if any.
    """
    from vigie.store.schema import authors

    wanted = sorted(_matches(body) - set(exclude))
    if not wanted:
        return []
    latest = (select(review_items.c.comment_pk, func.max(review_items.c.pk).label("item_pk"))
              .group_by(review_items.c.comment_pk).subquery())
    rows = conn.execute(
        select(comments.c.comment_id, comments.c.platform, comments.c.text,
               comments.c.created_at, authors.c.pk.label("author_pk"),
               authors.c.name.label("author_name"), decisions.c.action, latest.c.item_pk)
        .join(authors, authors.c.pk == comments.c.author_pk)
        .outerjoin(decisions, decisions.c.comment_pk == comments.c.pk)
        .outerjoin(latest, latest.c.comment_pk == comments.c.pk)
        .where(comments.c.platform.in_(PLATFORMS), comments.c.comment_id.in_(wanted))
        .order_by(comments.c.created_at)).all()
    return [dict(r._mapping) for r in rows]
