"""Exports of the dashboard's lists with the page's own filters: CSV (BOM) and JSON.

CSV is UTF-8 with a byte-order mark, for Excel. Every matching row is exported, all pages
together (capped at 100,000 rows).

Column headers are in the reader's language, dates in the reader's time zone (ISO 8601 with
the offset, which a spreadsheet sorts and a script parses).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Request, Response

from vigie.web.auth import Reader
from vigie.web.context import web_context
from vigie.web.export import csv_response, json_response
from vigie.web.i18n import translator
from vigie.web.queries import QueueRow, iter_audit, iter_queue
from vigie.web.routes_undo import Filters, takedown_filter
from vigie.web.search import AuditSearch, QueueSearch
from vigie.web.takedowns import Takedown, takedown_page
from vigie.web.templating import formats_of, lang_of

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

#: Rows per export at most (a larger one: narrow the filters, or use the API's pages).
CAP = 100_000

_QUEUE = ("item", "state", "opened_at", "platform", "comment_id", "created_at", "author",
          "post_id", "action", "clauses", "text")
_ACTIONS = ("decision", "decided_at", "action", "standing", "platform", "comment_id", "author",
            "post_id", "taken_down", "author_blocked", "undo_on_platform", "text")


def _header(request: Request, columns: tuple[str, ...]) -> list[str]:
    t = translator(lang_of(request))
    return [t(f"export.{c}") for c in columns]


def _queue_rows(request: Request, search: Any) -> Iterator[QueueRow]:
    ctx = web_context(request)
    with ctx.read() as conn:
        yield from iter_queue(conn, search.filter, ctx.store.now(), CAP)


@router.get("/queue.csv")
def queue_csv(request: Request, _: Reader, search: QueueSearch) -> Response:
    """The queue's matching items as CSV."""
    local = formats_of(request).tz

    def rows() -> Iterator[list[Any]]:
        for r in _queue_rows(request, search):
            yield [r.item_pk, r.state, r.opened_at.astimezone(local).isoformat(), r.platform,
                   r.comment_id, r.created_at.astimezone(local).isoformat(),
                   r.author_name or r.author_handle, r.post_id, r.action,
                   " ".join(str(c["clause"]) for c in r.categories), r.text]

    return csv_response("vigie-file.csv", _header(request, _QUEUE), rows)


@router.get("/queue.json")
def queue_json(request: Request, _: Reader, search: QueueSearch) -> Response:
    """The queue's matching items as JSON (the API's item shape)."""
    return json_response("vigie-file.json", "items",
                         lambda: (r.to_dict() for r in _queue_rows(request, search)))


def _takedowns(request: Request, filters: dict[str, str]) -> Iterator[Takedown]:
    ctx = web_context(request)
    before, seen = None, 0
    with ctx.read() as conn:
        while seen < CAP:
            page, before = takedown_page(conn, takedown_filter(request, **filters,
                                                              before=before, limit=1000))
            yield from page[: CAP - seen]
            seen += len(page)
            if before is None:
                return


@router.get("/actions.csv")
def actions_csv(request: Request, _: Reader, filters: Filters) -> Response:
    """The automatic actions matching the page's filters, as CSV."""
    local = formats_of(request).tz

    def rows() -> Iterator[list[Any]]:
        for r in _takedowns(request, filters):
            yield [r.decision_pk, r.decided_at.astimezone(local).isoformat(), r.action,
                   r.standing, r.platform, r.comment_id, r.author_name, r.post_id,
                   r.taken_down, r.author_blocked, r.restore.on_platform, r.text]

    return csv_response("vigie-actions.csv", _header(request, _ACTIONS), rows)


@router.get("/actions.json")
def actions_json(request: Request, _: Reader, filters: Filters) -> Response:
    """The automatic actions matching the page's filters, as JSON."""
    return json_response("vigie-actions.json", "actions",
                         lambda: (r.to_dict() for r in _takedowns(request, filters)))


@router.get("/audit.json")
def audit_json(request: Request, _: Reader, f: AuditSearch) -> Response:
    """The matching audit events as JSON (every page, oldest first)."""
    ctx = web_context(request)
    every = replace(f, before=None)

    def rows() -> Iterator[dict[str, Any]]:
        with ctx.read() as conn:
            for e in iter_audit(conn, every):
                yield {**e, "at": e["at"].isoformat()}

    return json_response("vigie-audit.json", "events", rows)
