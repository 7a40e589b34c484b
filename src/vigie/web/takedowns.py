"""Read side of the "automatic actions" page: every comment Vigie hid, removed or blocked.

A takedown is a stored decision whose action takes the comment off the page (``hide``,
``remove``, ``block``: :data:`vigie.actions.REMOVING_ACTIONS`). Its current standing comes from
the comment's newest review item (an appeal or an undo opens one) and its outbox rows (what
the platform was asked, and what it did). Listing is keyset-paginated on the decision key,
newest first, through the ``ix_decisions_action`` index.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import and_, func, or_, select
from sqlalchemy.engine import Connection, Row

from vigie.actions import REMOVING_ACTIONS
from vigie.store.schema import authors, blocks, comments, decisions, outbox, posts, review_items
from vigie.web.queries import text_and_author
from vigie.web.reversal import Reversal, applied_operations, reversal_for

__all__ = ["STANDINGS", "Takedown", "TakedownFilter", "takedown", "takedown_page",
           "undone_comments"]

#: The standing of a takedown: still in force, under review (appeal or undo pending),
#: undone (restored or unblocked), or upheld by a reviewer.
STANDINGS = ("active", "review", "undone", "upheld")
Standing = Literal["", "active", "review", "undone", "upheld"]

_TAKEDOWN_KINDS = ("hide_comment", "remove_comment", "block_author")


@dataclass(frozen=True, slots=True)
class TakedownFilter:
    """Filters of the automatic-actions list; empty means "any".

    Attributes:
        action: ``hide``, ``remove`` or ``block``.
        platform: a platform name.
        standing: one of :data:`STANDINGS`.
        since: decided at or after this moment (the start of the reader's first day).
        until: decided before this moment (the end of the reader's last day).
        before: keyset cursor: the last decision ``pk`` of the previous page.
        limit: rows per page.
        text: words the comment contains (case-insensitive).
        author: part of the author's name or handle, or their platform id.
    """

    action: str = ""
    platform: str = ""
    standing: Standing = ""
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    before: int | None = None
    limit: int = 50
    text: str = ""
    author: str = ""


@dataclass(frozen=True, slots=True)
class Takedown:
    """One automatic action with its standing and what undoing it would do."""

    decision_pk: int
    action: str
    decided_at: dt.datetime
    comment_pk: int
    comment_id: str
    platform: str
    text: str | None
    author_pk: int
    author_name: str | None
    post_id: str | None
    item_pk: int | None
    item_state: str | None
    item_outcome: str | None
    item_origin: str | None
    standing: str
    taken_down: bool
    author_blocked: bool
    outbox: tuple[dict[str, Any], ...]
    restore: Reversal
    unblock: Reversal | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (pure)."""
        def rev(r: Reversal | None) -> dict[str, Any] | None:
            return None if r is None else {"on_platform": r.on_platform, "reason": r.reason,
                                           "operations": list(r.operations)}
        return {
            "decision": self.decision_pk, "action": self.action,
            "decided_at": self.decided_at.isoformat(),
            "comment": {"pk": self.comment_pk, "id": self.comment_id,
                        "platform": self.platform, "text": self.text, "post_id": self.post_id},
            "author": {"pk": self.author_pk, "name": self.author_name},
            "item": None if self.item_pk is None else {
                "pk": self.item_pk, "state": self.item_state, "outcome": self.item_outcome,
                "origin": self.item_origin},
            "standing": self.standing, "taken_down": self.taken_down,
            "author_blocked": self.author_blocked, "outbox": list(self.outbox),
            "restore": rev(self.restore), "unblock": rev(self.unblock),
        }


def _latest_items() -> Any:
    return (select(review_items.c.comment_pk, func.max(review_items.c.pk).label("item_pk"))
            .group_by(review_items.c.comment_pk).subquery("latest"))


def _columns(latest: Any) -> list[Any]:
    active_block = (select(func.count()).select_from(blocks)
                    .where(blocks.c.author_pk == comments.c.author_pk,
                           blocks.c.lifted_at.is_(None)).scalar_subquery())
    return [decisions.c.pk.label("decision_pk"), decisions.c.action, decisions.c.decided_at,
            comments.c.pk.label("comment_pk"), comments.c.comment_id, comments.c.platform,
            comments.c.text, authors.c.pk.label("author_pk"),
            authors.c.name.label("author_name"), posts.c.post_id,
            review_items.c.pk.label("item_pk"), review_items.c.state, review_items.c.outcome,
            review_items.c.origin, review_items.c.takedown,
            active_block.label("active_blocks")]


def _from(latest: Any) -> Any:
    return (decisions.join(comments, comments.c.pk == decisions.c.comment_pk)
            .join(authors, authors.c.pk == comments.c.author_pk)
            .outerjoin(posts, posts.c.pk == comments.c.post_pk)
            .outerjoin(latest, latest.c.comment_pk == comments.c.pk)
            .outerjoin(review_items, review_items.c.pk == latest.c.item_pk))


def _standing_condition(standing: str) -> Any:
    closed = review_items.c.state == "closed"
    undone = and_(closed, or_(review_items.c.takedown.is_(False),
                              review_items.c.outcome.in_(["restore", "unblock", "approve"])))
    if standing == "active":
        return review_items.c.pk.is_(None)
    if standing == "review":
        return review_items.c.state.in_(["open", "escalated"])
    if standing == "undone":
        return undone
    return and_(closed, ~undone)  # upheld


def _where(f: TakedownFilter) -> list[Any]:
    actions = sorted(a.value for a in REMOVING_ACTIONS)
    where: list[Any] = [decisions.c.action.in_([f.action] if f.action in actions else actions)]
    if f.platform:
        where.append(comments.c.platform == f.platform)
    if f.standing in STANDINGS:
        where.append(_standing_condition(f.standing))
    if f.since is not None:
        where.append(decisions.c.decided_at >= f.since)
    if f.until is not None:
        where.append(decisions.c.decided_at < f.until)
    where.extend(text_and_author(f.text, f.author))
    return where


def _standing(row: Row[Any]) -> str:
    if row.item_pk is None:
        return "active"
    if row.state in ("open", "escalated"):
        return "review"
    if not row.takedown or row.outcome in ("restore", "unblock", "approve"):
        return "undone"
    return "upheld"


def _outbox_rows(conn: Connection, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str],
                                                                            list[dict[str, Any]]]:
    out: dict[tuple[str, str], list[dict[str, Any]]] = {}
    if not keys:
        return out
    ids = sorted({cid for _p, cid in keys})
    rows = conn.execute(select(outbox.c.platform, outbox.c.comment_id, outbox.c.kind,
                               outbox.c.status, outbox.c.result, outbox.c.created_at)
                        .where(outbox.c.comment_id.in_(ids),
                               outbox.c.kind != "reply_comment")  # replies: the comment page
                        .order_by(outbox.c.pk))
    wanted = set(keys)
    for r in rows:
        key = (r.platform, r.comment_id)
        if key in wanted:
            out.setdefault(key, []).append({"kind": r.kind, "status": r.status,
                                            "result": r.result, "at": r.created_at})
    return out


def _takedown(row: Row[Any], planned: list[dict[str, Any]]) -> Takedown:
    applied: list[str] = []
    known = False
    for p in planned:
        if p["kind"] in _TAKEDOWN_KINDS and p["status"] == "applied":
            ops = applied_operations(p["result"])
            if ops is not None:
                known = True
                applied.extend(ops)
    ops = tuple(applied) if known else None
    taken_down = row.item_pk is None or bool(row.takedown)
    blocked = int(row.active_blocks or 0) > 0
    return Takedown(
        int(row.decision_pk), str(row.action), row.decided_at, int(row.comment_pk),
        str(row.comment_id), str(row.platform), row.text, int(row.author_pk), row.author_name,
        row.post_id, row.item_pk, row.state, row.outcome, row.origin, _standing(row),
        taken_down, blocked,
        tuple({"kind": p["kind"], "status": p["status"]} for p in planned),
        reversal_for(str(row.platform), str(row.action), "restore", ops),
        reversal_for(str(row.platform), str(row.action), "unblock", ops)
        if row.action == "block" else None)


def takedown_page(conn: Connection, f: TakedownFilter) -> tuple[list[Takedown], int | None]:
    """Newest automatic actions first; returns the page and the next page's cursor."""
    latest = _latest_items()
    query = select(*_columns(latest)).select_from(_from(latest)).where(*_where(f))
    if f.before is not None:
        query = query.where(decisions.c.pk < f.before)
    rows = conn.execute(query.order_by(decisions.c.pk.desc()).limit(f.limit + 1)).all()
    more = len(rows) > f.limit
    rows = rows[: f.limit]
    planned = _outbox_rows(conn, [(r.platform, r.comment_id) for r in rows])
    page = [_takedown(r, planned.get((r.platform, r.comment_id), [])) for r in rows]
    return page, (page[-1].decision_pk if more and page else None)


def takedown(conn: Connection, comment_pk: int) -> Takedown | None:
    """The automatic action on one comment, or ``None`` when Vigie took none."""
    latest = _latest_items()
    row = conn.execute(select(*_columns(latest)).select_from(_from(latest))
                       .where(*_where(TakedownFilter()), comments.c.pk == comment_pk)).first()
    if row is None:
        return None
    planned = _outbox_rows(conn, [(row.platform, row.comment_id)])
    return _takedown(row, planned.get((row.platform, row.comment_id), []))


def undone_comments() -> Any:
    """``SELECT comment_pk`` of the comments whose newest review item undid the takedown.

    The "undone" standing of this page, for the statistics' restored false removals, so both
    pages count the same comments. Pair it with a takedown action: it checks only the item.
    """
    latest = _latest_items()
    return (select(latest.c.comment_pk)
            .join(review_items, review_items.c.pk == latest.c.item_pk)
            .where(_standing_condition("undone")))
