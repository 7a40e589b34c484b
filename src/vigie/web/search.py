"""The queue's search: one set of query parameters for the page, its exports and the API.

Text, author, page (post), platform, category, language, decision action and a date range of
the comments, read from the query string once (:func:`queue_search`), so the page, the CSV and
JSON exports and ``GET /api/v1/queue`` filter exactly alike. Dates are calendar days in the
reader's time zone; an empty or malformed date means "no bound".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import Depends, Query, Request

from vigie.web.queries import AuditFilter, QueueFilter
from vigie.web.schemas import MAX_PK
from vigie.web.templating import formats_of

__all__ = ["DECISION_ACTIONS", "AuditSearch", "QueueSearch", "Search", "audit_search", "day",
           "queue_search"]

DECISION_ACTIONS = ("allow", "escalate", "review", "hide", "remove", "block")


def day(value: str) -> dt.date | None:
    """A ``YYYY-MM-DD`` from a date field; empty or malformed → ``None``."""
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Search:
    """The parsed search and the raw values (to fill the form and build links again)."""

    filter: QueueFilter
    raw: dict[str, str]


def queue_search(
    request: Request,
    state: Literal["open", "escalated", "closed"] = "open",
    category: Annotated[str, Query(max_length=64)] = "",
    platform: Annotated[str, Query(max_length=32)] = "",
    language: Annotated[str, Query(max_length=16)] = "",
    post: Annotated[str, Query(max_length=255)] = "",
    age: Literal["", "1h", "24h", "7d", "older"] = "",
    order: Literal["oldest", "newest"] = "oldest",
    after: Annotated[int | None, Query(ge=0, le=MAX_PK)] = None,
    q: Annotated[str, Query(max_length=200)] = "",
    author: Annotated[str, Query(max_length=255)] = "",
    action: Literal["", "allow", "escalate", "review", "hide", "remove", "block"] = "",
    since: Annotated[str, Query(max_length=10)] = "",
    until: Annotated[str, Query(max_length=10)] = "",
    limit: Annotated[int | None, Query(ge=1, le=200)] = None,
    grouped: Literal["1", "0"] = "1",
) -> Search:
    """Read the queue's filters from the query string (a FastAPI dependency).

    ``grouped`` (default ``1``) shows each group of repeated comments once, in the page only.
    """
    fmt = formats_of(request)
    first, last = day(since), day(until)
    f = QueueFilter(
        state, category, platform, language, post, age, order, after,
        limit or request.app.state.vigie.settings.page_size, q.strip(), author.strip(), action,
        fmt.local_midnight(first) if first else None,
        fmt.local_midnight(last + dt.timedelta(days=1)) if last else None)
    raw: dict[str, Any] = {"state": state, "category": category, "platform": platform,
                           "language": language, "post": post, "age": age, "order": order,
                           "q": q, "author": author, "action": action, "since": since,
                           "until": until, "grouped": grouped}
    return Search(f, raw)


QueueSearch = Annotated[Search, Depends(queue_search)]


def audit_search(
    actor: Annotated[str, Query(max_length=255)] = "",
    kind: Annotated[str, Query(max_length=32)] = "",
    subject: Annotated[str, Query(max_length=255)] = "",
    before: Annotated[int | None, Query(ge=1, le=MAX_PK)] = None,
) -> AuditFilter:
    """Read the audit log's search from the query string (a FastAPI dependency)."""
    return AuditFilter(actor, kind, subject, before, 100)


AuditSearch = Annotated[AuditFilter, Depends(audit_search)]
