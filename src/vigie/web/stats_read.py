"""Read the statistics' facts from the store, under the page's filters.

Two scans, both bounded by the query's days: the comments written in the range (with their
automatic decision, post and categories), and the review items Vigie opened that a reviewer
closed in the range. :func:`vigie.web.stats.aggregate` counts them; the counting is pure and
tested on its own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from vigie.store.schema import comments, decisions, posts, review_items
from vigie.web.models import web_facets
from vigie.web.stats import CommentFact, ReviewFact, StatsQuery, StatsTable, aggregate
from vigie.web.takedowns import undone_comments

__all__ = ["compute_stats"]


def _filters(q: StatsQuery) -> list[Any]:
    where: list[Any] = []
    if q.platform:
        where.append(comments.c.platform == q.platform)
    if q.post:
        where.append(posts.c.post_id == q.post)
    if q.category:
        where.append(comments.c.pk.in_(select(web_facets.c.comment_pk)
                                       .where(web_facets.c.category == q.category)))
    return where


def _categories(conn: Connection, source: Any, where: list[Any]) -> dict[int, tuple[str, ...]]:
    found: dict[int, list[str]] = defaultdict(list)
    query = (select(web_facets.c.comment_pk, web_facets.c.category)
             .select_from(source.join(web_facets, web_facets.c.comment_pk == comments.c.pk))
             .where(*where, web_facets.c.category != "")
             .order_by(web_facets.c.comment_pk, web_facets.c.category))
    for pk, category in conn.execute(query):
        found[int(pk)].append(str(category))
    return {pk: tuple(sorted(set(c))) for pk, c in found.items()}


def _comment_facts(conn: Connection, q: StatsQuery) -> Iterator[CommentFact]:
    start, end = q.bounds()
    source = (comments.outerjoin(decisions, decisions.c.comment_pk == comments.c.pk)
              .outerjoin(posts, posts.c.pk == comments.c.post_pk))
    where = [comments.c.created_at >= start, comments.c.created_at < end, *_filters(q)]
    categories = _categories(conn, source, where)
    query = select(comments.c.pk, comments.c.created_at, comments.c.platform, posts.c.post_id,
                   decisions.c.action,
                   comments.c.pk.in_(undone_comments()).label("undone")
                   ).select_from(source).where(*where)
    for row in conn.execute(query):
        yield CommentFact(row.created_at, str(row.platform), str(row.post_id or ""),
                          categories.get(int(row.pk), ()), str(row.action or ""),
                          bool(row.undone))


def _review_facts(conn: Connection, q: StatsQuery) -> list[ReviewFact]:
    start, end = q.bounds()
    source = (review_items.join(comments, comments.c.pk == review_items.c.comment_pk)
              .outerjoin(posts, posts.c.pk == comments.c.post_pk))
    where = [review_items.c.state == "closed", review_items.c.origin == "decision",
             review_items.c.updated_at >= start, review_items.c.updated_at < end,
             *_filters(q)]
    categories = _categories(conn, source, where)
    query = select(comments.c.pk, comments.c.ingested_at, review_items.c.updated_at,
                   comments.c.platform, posts.c.post_id).select_from(source).where(*where)
    return [ReviewFact(row.ingested_at, row.updated_at, str(row.platform),
                       str(row.post_id or ""), categories.get(int(row.pk), ()))
            for row in conn.execute(query)]


def compute_stats(conn: Connection, q: StatsQuery) -> StatsTable:
    """The statistics' table for ``q`` (reads only)."""
    return aggregate(q, _comment_facts(conn, q), _review_facts(conn, q))
