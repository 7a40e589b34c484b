"""The facet projection: category and language of each decided comment, for queue filters.

The store keeps each decision as JSON (:class:`vigie.decision.Decision`), which a database
cannot filter through an index. This projection copies, for each decision, one row per
category reached (``''`` when none) with the comment's identified language, into
``web_facets``. It is rebuilt incrementally: :func:`sync_facets` reads the decisions whose
``pk`` is above the watermark, so calling it before each queue listing costs one indexed
look-up when nothing is new.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection

from vigie.store.schema import comments, decisions
from vigie.web.models import web_facet_watermark, web_facets

__all__ = ["language_of", "sync_facets"]

#: Below this confidence or length the language is recorded as undetermined.
_MIN_SCORE, _MIN_LETTERS = 0.5, 12


def language_of(texts: list[str]) -> list[str]:
    """An ISO 639 code per text, ``und`` when too short or unsure (loads the model once)."""
    from vigie.text.langid import identify

    return [g.lang if g.score >= _MIN_SCORE and g.letters >= _MIN_LETTERS else "und"
            for g in identify(texts)]


def _watermark(conn: Connection) -> int:
    value = conn.execute(select(web_facet_watermark.c.decision_pk)
                         .where(web_facet_watermark.c.id == 1)).scalar_one_or_none()
    if value is None:
        conn.execute(insert(web_facet_watermark).values(id=1, decision_pk=0))
        return 0
    return int(value)


def pending(conn: Connection) -> bool:
    """Whether decisions exist that the projection does not cover yet (one index look-up)."""
    newest = conn.execute(select(func.max(decisions.c.pk))).scalar_one_or_none() or 0
    mark = conn.execute(select(web_facet_watermark.c.decision_pk)
                        .where(web_facet_watermark.c.id == 1)).scalar_one_or_none() or 0
    return int(newest) > int(mark)


def sync_facets(conn: Connection, *, batch: int = 5000) -> int:
    """Project every decision above the watermark; returns how many decisions were added.

    Runs in the caller's transaction. Comments whose text was purged get language ``und``.
    """
    mark = _watermark(conn)
    done = 0
    while True:
        rows = conn.execute(
            select(decisions.c.pk, decisions.c.comment_pk, decisions.c.body, comments.c.text)
            .join(comments, comments.c.pk == decisions.c.comment_pk)
            .where(decisions.c.pk > mark).order_by(decisions.c.pk).limit(batch)
        ).all()
        if not rows:
            break
        langs = language_of([r.text or "" for r in rows])
        out: list[dict[str, Any]] = []
        for row, lang in zip(rows, langs, strict=True):
            body = json.loads(row.body)
            cats = body.get("categories") or []
            base = {"decision_pk": row.pk, "comment_pk": row.comment_pk, "language": lang}
            if not cats:
                out.append({**base, "category": "", "clause": "", "score": 0.0})
            for cat in cats:
                out.append({**base, "category": str(cat.get("slug", ""))[:64],
                            "clause": str(cat.get("clause", ""))[:32],
                            "score": float(cat.get("score", 0.0))})
        conn.execute(insert(web_facets), out)
        mark = int(rows[-1].pk)
        done += len(rows)
        if len(rows) < batch:
            break
    if done:
        conn.execute(update(web_facet_watermark).where(web_facet_watermark.c.id == 1)
                     .values(decision_pk=mark))
    return done
