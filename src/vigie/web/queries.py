"""Read-side queries for the dashboard and the API (no writes except the facet projection).

Every listing is paginated by key (``pk`` or ``seq``) and filtered through indexed columns:
``review_items.state`` (whose index is ordered by ``pk`` after the state, so "open items in
``pk`` order" is an index range scan with no sort), ``web_facets`` (category, language) and
the comments' unique (platform, id). ``tests/web/test_web_bench.py`` and
:func:`vigie.bench.web.queue_page_latency` hold the queue page to 200 ms at 100,000 comments.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.engine import Connection, Row

from vigie.records import stored_url
from vigie.store.schema import (
    authors,
    blocks,
    comments,
    decisions,
    escalations,
    events,
    posts,
    review_items,
    strikes,
)
from vigie.web.models import web_facets
from vigie.web.permalinks import platform_url
from vigie.web.render import Mark

__all__ = [
    "AGES",
    "COUNT_CAP",
    "AuditFilter",
    "QueueFilter",
    "QueuePage",
    "QueueRow",
    "attachments_of",
    "audit_page",
    "author_view",
    "item_view",
    "iter_audit",
    "iter_queue",
    "next_open_item",
    "queue_page",
]

#: The queue counts matching items up to this many, then says "more than".
COUNT_CAP = 10_000

#: Age filters: key → (newer than, older than), in hours.
AGES: dict[str, tuple[float | None, float | None]] = {
    "1h": (1, None), "24h": (24, None), "7d": (24 * 7, None), "older": (None, 24 * 7),
}


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """Filters of the review queue; empty strings mean "any".

    Attributes:
        state: ``open``, ``escalated`` or ``closed``.
        category: a category slug of the policy.
        platform: a platform name.
        language: an ISO 639 code (``und``: undetermined).
        post: the platform id of the official post the comments answer.
        age: a key of :data:`AGES`.
        order: ``oldest`` first (a fair queue) or ``newest`` first.
        after: keyset cursor, the last item ``pk`` of the previous page.
        limit: items per page.
        text: words the comment contains (case-insensitive substring).
        author: part of the author's name or handle, or their platform id.
        action: the decision's action (``review``, ``remove``...).
        since: comments written at or after this moment.
        until: comments written before this moment.
    """

    state: Literal["open", "escalated", "closed"] = "open"
    category: str = ""
    platform: str = ""
    language: str = ""
    post: str = ""
    age: str = ""
    order: Literal["oldest", "newest"] = "oldest"
    after: int | None = None
    limit: int = 50
    text: str = ""
    author: str = ""
    action: str = ""
    since: dt.datetime | None = None
    until: dt.datetime | None = None

    @property
    def searching(self) -> bool:
        """Whether a filter needs the author or decision tables (not only the comment)."""
        return bool(self.author or self.action)


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One item of the queue, with what the list shows."""

    item_pk: int
    state: str
    origin: str
    outcome: str | None
    opened_at: dt.datetime
    updated_at: dt.datetime
    last_actor: str | None
    comment_pk: int
    platform: str
    comment_id: str
    text: str | None
    created_at: dt.datetime
    author_pk: int
    author_name: str | None
    author_handle: str | None
    post_id: str | None
    action: str | None
    categories: tuple[dict[str, Any], ...]
    explanation: dict[str, str]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (pure)."""
        return {
            "item": self.item_pk, "state": self.state, "origin": self.origin,
            "outcome": self.outcome, "opened_at": self.opened_at.isoformat(),
            "updated_at": self.updated_at.isoformat(), "last_actor": self.last_actor,
            "comment": {"pk": self.comment_pk, "platform": self.platform, "id": self.comment_id,
                        "text": self.text, "created_at": self.created_at.isoformat(),
                        "post_id": self.post_id},
            "author": {"pk": self.author_pk, "name": self.author_name,
                       "handle": self.author_handle},
            "decision": {"action": self.action, "categories": list(self.categories),
                         "explanation": self.explanation},
        }


@dataclass(frozen=True, slots=True)
class QueuePage:
    """A page of the queue.

    Attributes:
        rows: the items.
        next_after: cursor of the next page, ``None`` on the last one.
        total: items matching the filters (all pages), at most ``COUNT_CAP + 1``.
        more_than: the count stopped at the cap (show "10,000+").
    """

    rows: tuple[QueueRow, ...]
    next_after: int | None
    total: int
    more_than: bool = False


def _queue_columns() -> list[Any]:
    return [
        review_items.c.pk.label("item_pk"), review_items.c.state, review_items.c.origin,
        review_items.c.outcome, review_items.c.opened_at, review_items.c.updated_at,
        review_items.c.last_actor, comments.c.pk.label("comment_pk"), comments.c.platform,
        comments.c.comment_id, comments.c.text, comments.c.created_at,
        authors.c.pk.label("author_pk"), authors.c.name.label("author_name"),
        authors.c.handle.label("author_handle"), posts.c.post_id,
        decisions.c.action, decisions.c.body,
    ]


def _queue_row(row: Row[Any]) -> QueueRow:
    body = json.loads(row.body) if row.body else {}
    cats = tuple(
        {"slug": c.get("slug"), "clause": c.get("clause"), "score": c.get("score"),
         "action": c.get("action"), "mitigated": c.get("mitigated", False)}
        for c in body.get("categories", ())
    )
    return QueueRow(
        row.item_pk, row.state, row.origin, row.outcome, row.opened_at, row.updated_at,
        row.last_actor, row.comment_pk, row.platform, row.comment_id, row.text,
        row.created_at, row.author_pk, row.author_name, row.author_handle, row.post_id,
        row.action, cats, dict(body.get("explanation") or {}),
    )


def _joined() -> Any:
    return (review_items.join(comments, comments.c.pk == review_items.c.comment_pk)
            .join(authors, authors.c.pk == comments.c.author_pk)
            .outerjoin(posts, posts.c.pk == comments.c.post_pk)
            .outerjoin(decisions, decisions.c.pk == review_items.c.decision_pk))


def text_and_author(text: str, author: str) -> list[Any]:
    """Conditions for "the comment contains ``text``" and "written by ``author``".

    Case-insensitive substrings (``%`` and ``_`` are searched as themselves); the author
    matches on name, handle, or the exact platform id. Needs comments and authors joined.
    """
    where: list[Any] = []
    if text:
        where.append(comments.c.text.icontains(text, autoescape=True))
    if author:
        where.append(or_(authors.c.name.icontains(author, autoescape=True),
                         authors.c.handle.icontains(author, autoescape=True),
                         authors.c.author_id == author))
    return where


def _conditions(f: QueueFilter, now: dt.datetime) -> list[Any]:
    where: list[Any] = [review_items.c.state == f.state]
    if f.platform:
        where.append(comments.c.platform == f.platform)
    if f.category:
        where.append(exists().where(web_facets.c.comment_pk == review_items.c.comment_pk,
                                    web_facets.c.category == f.category))
    if f.language:
        where.append(exists().where(web_facets.c.comment_pk == review_items.c.comment_pk,
                                    web_facets.c.language == f.language))
    if f.post:
        where.append(posts.c.post_id == f.post)
    where.extend(text_and_author(f.text, f.author))
    if f.action:
        where.append(decisions.c.action == f.action)
    if f.since is not None:
        where.append(comments.c.created_at >= f.since)
    if f.until is not None:
        where.append(comments.c.created_at < f.until)
    if f.age in AGES:
        newer, older = AGES[f.age]
        if newer is not None:
            where.append(review_items.c.opened_at >= now - dt.timedelta(hours=newer))
        if older is not None:
            where.append(review_items.c.opened_at < now - dt.timedelta(hours=older))
    return where


def queue_page(conn: Connection, f: QueueFilter, now: dt.datetime) -> QueuePage:
    """One page of review items matching ``f`` (keyset pagination on the item key)."""
    where = _conditions(f, now)
    query = select(*_queue_columns()).select_from(_joined()).where(*where)
    if f.order == "newest":
        if f.after is not None:
            query = query.where(review_items.c.pk < f.after)
        query = query.order_by(review_items.c.pk.desc())
    else:
        if f.after is not None:
            query = query.where(review_items.c.pk > f.after)
        query = query.order_by(review_items.c.pk)
    rows = conn.execute(query.limit(f.limit + 1)).all()
    more = len(rows) > f.limit
    rows = rows[: f.limit]
    count_from = review_items.join(comments, comments.c.pk == review_items.c.comment_pk)
    if f.searching:
        count_from = _joined()
    elif f.post:
        count_from = count_from.outerjoin(posts, posts.c.pk == comments.c.post_pk)
    # Counting stops at COUNT_CAP: an exact "37 412" costs a scan of every match on each page
    # view, and "10,000+" tells a reviewer the same thing.
    capped = select(review_items.c.pk).select_from(count_from).where(*where).limit(COUNT_CAP + 1)
    total = conn.execute(select(func.count()).select_from(capped.subquery())).scalar_one()
    return QueuePage(tuple(_queue_row(r) for r in rows),
                     int(rows[-1].item_pk) if more and rows else None, int(total),
                     int(total) > COUNT_CAP)


def next_open_item(conn: Connection, after: int) -> int | None:
    """The open item to review after ``after``: the next one by key, else the first (indexed)."""
    found = conn.execute(select(review_items.c.pk).where(
        review_items.c.state == "open", review_items.c.pk > after)
        .order_by(review_items.c.pk).limit(1)).scalar_one_or_none()
    if found is None:
        found = conn.execute(select(review_items.c.pk).where(
            review_items.c.state == "open", review_items.c.pk != after)
            .order_by(review_items.c.pk).limit(1)).scalar_one_or_none()
    return None if found is None else int(found)


def iter_queue(conn: Connection, f: QueueFilter, now: dt.datetime, cap: int = 100_000,
               page_size: int = 1000) -> Iterator[QueueRow]:
    """Every item matching ``f`` (all pages, at most ``cap``), read page by page (exports)."""
    after, seen = f.after, 0
    while seen < cap:
        page = queue_page(conn, replace(f, after=after, limit=page_size), now)
        yield from page.rows[: cap - seen]
        seen += len(page.rows)
        if page.next_after is None:
            return
        after = page.next_after


def queue_counts(conn: Connection) -> dict[str, int]:
    """Items per state (open, escalated, closed)."""
    rows = conn.execute(select(review_items.c.state, func.count())
                        .group_by(review_items.c.state))
    return {str(s): int(n) for s, n in rows}


def languages_seen(conn: Connection) -> list[str]:
    """Languages present in the facet projection (a scan of its index: cache the result)."""
    return [r[0] for r in conn.execute(select(web_facets.c.language).distinct()
                                       .order_by(web_facets.c.language))]


def filter_choices(conn: Connection, languages: list[str],
                   limit_posts: int = 50) -> dict[str, list[str]]:
    """Values offered in the queue's filter menus (platforms, languages, recent posts)."""
    from vigie.records import Platform

    recent = [r[0] for r in conn.execute(select(posts.c.post_id).order_by(posts.c.pk.desc())
                                         .limit(limit_posts))]
    return {"platforms": [p.value for p in Platform], "languages": languages, "posts": recent}


def marks_of(body: dict[str, Any], text: str,
             describe: Callable[[dict[str, Any], dict[str, Any]], str] | None = None,
             ) -> list[Mark]:
    """Highlight marks from a decision body's evidence.

    Spans covering the whole text are left out: they say "this comment", not "these words".
    ``describe(category, finding)`` words each mark's tooltip (the reader's language); by
    default, the clause, slug and the detector's explanation.
    """
    out: list[Mark] = []
    for cat in body.get("categories", ()):
        for ev in cat.get("evidence", ()):
            span = ev.get("span")
            if not span or (span[0] == 0 and span[1] >= len(text)):
                continue
            label = (describe(cat, ev) if describe is not None else
                     f"{cat.get('clause')} {cat.get('slug')}: {ev.get('explanation')}")
            out.append(Mark(int(span[0]), int(span[1]), label,
                            f"cat-{cat.get('slug')}", str(cat.get("clause") or "")))
    return out


@dataclass(slots=True)
class ItemView:
    """Everything the item page shows."""

    row: QueueRow
    decision: dict[str, Any]
    marks: list[Mark]
    post_text: str | None
    thread: list[dict[str, Any]]
    events: list[dict[str, Any]]
    author: dict[str, Any] = field(default_factory=dict)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    #: The comment on its platform, where its address is known (:mod:`vigie.web.permalinks`).
    platform_url: str | None = None


#: Evidence that makes the item page blur an attachment until a reviewer reveals it.
_BLUR_SIGNALS = ("sexual.image_", "sexual.link_adult", "media.not_analysed")
_IMAGE_TYPES = frozenset({"image", "gif", "sticker", "photo", "animated_gif"})


def attachments_of(payload: str | None, decision: dict[str, Any]) -> list[dict[str, Any]]:
    """The comment's attachments for the item page, with what the decision says of each (pure).

    An attachment is ``flagged`` (blurred until revealed) when the decision has a
    ``sexual.image_*``, ``sexual.link_adult`` or ``media.not_analysed`` finding for its
    number (``data.attachment``, 1-based); an image finding without a number flags every
    image. ``regions`` are the findings' boxes (label, confidence, ``[x, y, w, h]`` px).

    Args:
        payload: the stored record (``Comment`` JSON), ``None`` once purged.
        decision: the stored decision's body.
    """
    try:
        raw = json.loads(payload) if payload else {}
    except ValueError:
        return []
    items = raw.get("attachments") if isinstance(raw, dict) else None
    if not isinstance(items, list):
        return []
    flagged: set[int | None] = set()
    regions: dict[int, list[dict[str, Any]]] = {}
    sizes: dict[int, list[int]] = {}
    for category in decision.get("categories", []):
        for finding in category.get("evidence", []):
            signal = str(finding.get("signal", ""))
            if not signal.startswith(_BLUR_SIGNALS):
                continue
            data = finding.get("data") or {}
            number = data.get("attachment") if isinstance(data, dict) else None
            number = number if isinstance(number, int) else None
            flagged.add(number)
            size = data.get("image_size") if isinstance(data, dict) else None
            if number is not None and isinstance(size, list) and len(size) == 2 \
                    and all(isinstance(v, int) and v > 0 for v in size):
                sizes[number] = size
            if number is not None and isinstance(data.get("regions"), list):
                regions.setdefault(number, []).extend(
                    r for r in data["regions"] if isinstance(r, dict))
    out = []
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            continue
        kind = str(item.get("type") or "")
        image = kind in _IMAGE_TYPES
        out.append({"n": n, "type": kind, "image": image, "url": item.get("url") or "",
                    "title": item.get("title") or "",
                    "flagged": n in flagged or (image and None in flagged),
                    "regions": regions.get(n, []), "size": sizes.get(n)})
    return out


def _events_for(conn: Connection, subjects: list[tuple[str, str]],
                limit: int = 200) -> list[dict[str, Any]]:
    if not subjects:
        return []
    cond = or_(*(and_(events.c.subject_type == t, events.c.subject_id == i) for t, i in subjects))
    rows = conn.execute(select(events).where(cond).order_by(events.c.seq).limit(limit))
    return [{"seq": r.seq, "at": r.at, "kind": r.kind, "subject_type": r.subject_type,
             "subject_id": r.subject_id, "actor": r.actor, "payload": json.loads(r.payload)}
            for r in rows]


def item_view(conn: Connection, item_pk: int, thread_limit: int = 30) -> ItemView | None:
    """The item page's data, or ``None`` when there is no such item."""
    row = conn.execute(select(*_queue_columns()).select_from(_joined())
                       .where(review_items.c.pk == item_pk)).first()
    if row is None:
        return None
    q = _queue_row(row)
    body = json.loads(row.body) if row.body else {}
    post = conn.execute(select(posts.c.text, posts.c.pk).select_from(
        comments.join(posts, posts.c.pk == comments.c.post_pk))
        .where(comments.c.pk == q.comment_pk)).first()
    thread: list[dict[str, Any]] = []
    if post is not None:
        around = conn.execute(
            select(comments.c.pk, comments.c.comment_id, comments.c.parent_id, comments.c.text,
                   comments.c.created_at, authors.c.name, decisions.c.action)
            .join(authors, authors.c.pk == comments.c.author_pk)
            .outerjoin(decisions, decisions.c.comment_pk == comments.c.pk)
            .where(comments.c.post_pk == post.pk)
            .order_by(func.abs(comments.c.pk - q.comment_pk)).limit(thread_limit)
        ).all()
        thread = sorted(({"pk": r.pk, "id": r.comment_id, "parent_id": r.parent_id,
                          "text": r.text, "created_at": r.created_at, "author": r.name,
                          "action": r.action, "self": r.pk == q.comment_pk} for r in around),
                        key=lambda d: (d["created_at"], d["pk"]))
    history = _events_for(conn, [("review", str(item_pk)), ("comment", q.comment_id)])
    payload = conn.execute(select(comments.c.payload)
                           .where(comments.c.pk == q.comment_pk)).scalar_one_or_none()
    return ItemView(q, body, marks_of(body, q.text or ""), post.text if post else None,
                    thread, history, author_view(conn, q.author_pk, comment_limit=10) or {},
                    attachments_of(payload, body),
                    platform_url(q.platform, q.comment_id, q.post_id, stored_url(payload)))


def author_view(conn: Connection, author_pk: int, comment_limit: int = 50) -> dict[str, Any] | None:
    """An author's history: recent comments with their decisions, strikes and blocks."""
    author = conn.execute(select(authors).where(authors.c.pk == author_pk)).first()
    if author is None:
        return None
    recent = conn.execute(
        select(comments.c.pk, comments.c.comment_id, comments.c.text, comments.c.created_at,
               decisions.c.action, review_items.c.pk.label("item_pk"), review_items.c.state,
               review_items.c.outcome)
        .outerjoin(decisions, decisions.c.comment_pk == comments.c.pk)
        .outerjoin(review_items, review_items.c.comment_pk == comments.c.pk)
        .where(comments.c.author_pk == author_pk)
        .order_by(comments.c.created_at.desc()).limit(comment_limit)
    ).all()
    strike_rows = conn.execute(select(strikes).where(strikes.c.author_pk == author_pk)
                               .order_by(strikes.c.at.desc())).all()
    block_rows = conn.execute(select(blocks).where(blocks.c.author_pk == author_pk)
                              .order_by(blocks.c.blocked_at.desc())).all()
    total = conn.execute(select(func.count()).select_from(comments)
                         .where(comments.c.author_pk == author_pk)).scalar_one()
    return {
        "pk": author.pk, "platform": author.platform, "author_id": author.author_id,
        "name": author.name, "handle": author.handle, "first_seen": author.first_seen,
        "comments_total": int(total),
        "comments": [dict(r._mapping) for r in recent],
        "strikes": [{"at": s.at, "comment_pk": s.comment_pk,
                     "clauses": json.loads(s.clauses or "[]"), "voided_at": s.voided_at,
                     "voided_reason": s.voided_reason} for s in strike_rows],
        "active_strikes": sum(1 for s in strike_rows if s.voided_at is None),
        "blocks": [{"blocked_at": b.blocked_at, "blocked_by": b.blocked_by,
                    "reason": b.reason, "lifted_at": b.lifted_at, "lifted_by": b.lifted_by}
                   for b in block_rows],
        "blocked": any(b.lifted_at is None for b in block_rows),
    }


def escalation_rows(conn: Connection, limit: int = 200, before: int | None = None,
                    handling: str | None = None) -> list[dict[str, Any]]:
    """Escalations, newest first, with their notification status and handling.

    Both kinds: the engine's (a category whose action is ``escalate``) and the reviewers' (an
    item escalated to the community manager, with the review item's state). ``handling``
    (``open`` or ``closed``) keeps only the escalations in that state.
    """
    where = [escalations.c.pk < before if before is not None else escalations.c.pk > 0]
    if handling:
        where.append(escalations.c.state == handling)
    rows = conn.execute(
        select(escalations.c.pk.label("escalation_pk"), escalations.c.reason,
               escalations.c.status.label("notified"), escalations.c.created_at,
               escalations.c.state.label("handling"), escalations.c.assignee,
               escalations.c.updated_at,
               escalations.c.review_pk, review_items.c.state, review_items.c.outcome,
               review_items.c.last_actor, comments.c.pk.label("comment_pk"),
               comments.c.platform, comments.c.comment_id, comments.c.text,
               authors.c.pk.label("author_pk"), authors.c.name.label("author_name"),
               decisions.c.body.label("decision_body"))
        .select_from(escalations.join(comments, comments.c.pk == escalations.c.comment_pk)
                     .join(authors, authors.c.pk == comments.c.author_pk)
                     .outerjoin(decisions, decisions.c.pk == escalations.c.decision_pk)
                     .outerjoin(review_items, review_items.c.pk == escalations.c.review_pk))
        .where(*where)
        .order_by(escalations.c.pk.desc()).limit(limit)
    ).all()
    return [dict(r._mapping) for r in rows]


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Audit log search: substring of actor, kind, subject (id or type) and page cursor."""

    actor: str = ""
    kind: str = ""
    subject: str = ""
    before: int | None = None
    limit: int = 100


def _audit_where(f: AuditFilter) -> list[Any]:
    where: list[Any] = []
    if f.actor:
        where.append(events.c.actor.contains(f.actor, autoescape=True))
    if f.kind:
        where.append(events.c.kind == f.kind)
    if f.subject:
        where.append(or_(events.c.subject_id.contains(f.subject, autoescape=True),
                         events.c.subject_type == f.subject))
    return where


def _event_dict(r: Row[Any]) -> dict[str, Any]:
    return {"seq": r.seq, "at": r.at, "kind": r.kind, "subject_type": r.subject_type,
            "subject_id": r.subject_id, "actor": r.actor, "payload": json.loads(r.payload),
            "hash": r.hash}


def audit_page(conn: Connection, f: AuditFilter) -> tuple[list[dict[str, Any]], int | None]:
    """Newest events first; returns the page and the cursor of the next (older) page."""
    query = select(events).where(*_audit_where(f))
    if f.before is not None:
        query = query.where(events.c.seq < f.before)
    rows = conn.execute(query.order_by(events.c.seq.desc()).limit(f.limit + 1)).all()
    more = len(rows) > f.limit
    rows = rows[: f.limit]
    return [_event_dict(r) for r in rows], (int(rows[-1].seq) if more and rows else None)


def iter_audit(conn: Connection, f: AuditFilter, page: int = 2000) -> Iterator[dict[str, Any]]:
    """Every matching event, oldest first, read page by page (for CSV export)."""
    last = 0
    while True:
        rows = conn.execute(select(events).where(*_audit_where(f), events.c.seq > last)
                            .order_by(events.c.seq).limit(page)).all()
        for r in rows:
            yield _event_dict(r)
        if len(rows) < page:
            return
        last = int(rows[-1].seq)


def event_kinds(conn: Connection) -> list[str]:
    """Kinds present in the log (for the audit filter menu)."""
    return [r[0] for r in conn.execute(select(events.c.kind).distinct().order_by(events.c.kind))]
