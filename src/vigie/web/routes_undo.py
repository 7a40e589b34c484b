"""Automatic actions: the list of what Vigie hid, removed or blocked; undo and appeal.

Reading needs ``read``; undoing and filing an appeal need ``act`` (moderator and up), like any
reviewer action, and an escalated item is still resolved only by the community manager.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Path, Query, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import Field

from vigie.errors import StoreError
from vigie.records import Platform
from vigie.store.review import ReviewError
from vigie.web.auth import Actor, Forbidden, Reader
from vigie.web.context import web_context
from vigie.web.schemas import MAX_PK, _In, error_responses
from vigie.web.takedowns import STANDINGS, TakedownFilter, takedown_page
from vigie.web.templating import formats_of, render
from vigie.web.undo import UndoRefused, file_appeal, undo_takedown

__all__ = ["Filters", "api_router", "router", "takedown_filter"]

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/v1", responses=error_responses(
    e409="refused: already undone, under review..."))

PathPk = Annotated[int, Path(ge=1, le=MAX_PK)]
ActionName = Literal["", "hide", "remove", "block"]
StandingName = Literal["", "active", "review", "undone", "upheld"]
PLATFORMS = tuple(p.value for p in Platform)


def _day(value: str) -> dt.date | None:
    """A ``YYYY-MM-DD`` from a date field; an empty or malformed one means "no bound"."""
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def takedown_filter(request: Request, action: str, platform: str, standing: str, since: str,
                    until: str, q: str, author: str, before: int | None,
                    limit: int) -> TakedownFilter:
    """The filter, with the date fields read as days in the reader's time zone."""
    fmt = formats_of(request)
    first, last = _day(since), _day(until)
    return TakedownFilter(action, platform if platform in PLATFORMS else "",
                          standing if standing in STANDINGS else "",  # type: ignore[arg-type]
                          fmt.local_midnight(first) if first else None,
                          fmt.local_midnight(last + dt.timedelta(days=1)) if last else None,
                          before, limit, q.strip(), author.strip())


# -- API -----------------------------------------------------------------------------------

class UndoIn(_In):
    """Undo an automatic action: ``restore`` the comment (and lift its block) or ``unblock``."""

    kind: Literal["restore", "unblock"] = "restore"
    reason: str = Field(min_length=1, max_length=2000)


class AppealIn(_In):
    """An appeal filed on the author's behalf."""

    reason: str = Field(min_length=1, max_length=2000)
    author: str = Field(default="", max_length=255)


def _refused(error: StoreError) -> JSONResponse:
    code = error.key.removeprefix("undo.") if isinstance(error, UndoRefused) else "refused"
    return JSONResponse({"code": code, "message": str(error)}, status_code=409)


def _filters(
    action: ActionName = "", platform: Annotated[str, Query(max_length=32)] = "",
    standing: StandingName = "", since: Annotated[str, Query(max_length=10)] = "",
    until: Annotated[str, Query(max_length=10)] = "",
    q: Annotated[str, Query(max_length=200)] = "",
    author: Annotated[str, Query(max_length=255)] = "",
) -> dict[str, str]:
    return {"action": action, "platform": platform, "standing": standing, "since": since,
            "until": until, "q": q, "author": author}


Filters = Annotated[dict[str, str], Depends(_filters)]
Before = Annotated[int | None, Query(ge=1, le=MAX_PK)]


@api_router.get("/actions", tags=["review"])
def actions_api(request: Request, _: Reader, filters: Filters, before: Before = None,
                limit: Annotated[int, Query(ge=1, le=500)] = 100) -> dict[str, Any]:
    """Automatic actions (hide, remove, block), newest first, with what undoing each does."""
    f = takedown_filter(request, **filters, before=before, limit=limit)
    with web_context(request).read() as conn:
        rows, next_before = takedown_page(conn, f)
    return {"actions": [r.to_dict() for r in rows], "next_before": next_before}


@api_router.post("/actions/{comment_pk}/undo", tags=["review"])
def undo_api(request: Request, comment_pk: PathPk, body: UndoIn, me: Actor) -> Response:
    """Restore a comment taken down automatically, or unblock its author.

    The answer's ``on_platform`` says whether the platform applies it (through the outbox);
    where it cannot (a YouTube rejection, a LinkedIn deletion), the decision is still reversed
    in Vigie and ``reason`` names why the comment stays down there.
    """
    try:
        done = undo_takedown(web_context(request), comment_pk, body.kind, me, body.reason)
    except StoreError as error:
        return _refused(error)
    return JSONResponse({"item": done.item_pk, "kind": body.kind,
                         "on_platform": done.reversal.on_platform,
                         "reason": done.reversal.reason})


@api_router.post("/actions/{comment_pk}/appeal", tags=["review"], status_code=201)
def appeal_api(request: Request, comment_pk: PathPk, body: AppealIn, me: Actor) -> Response:
    """File an appeal against an automatic action; the item lands in the review queue."""
    try:
        item = file_appeal(web_context(request), comment_pk, me, body.reason, body.author)
    except StoreError as error:
        return _refused(error)
    return JSONResponse({"item": item}, status_code=201)


# -- pages ---------------------------------------------------------------------------------

def _page(request: Request, filters: dict[str, Any], before: int | None, msg: str = "",
          note: str = "", error: str = "", status_code: int = 200) -> Response:
    ctx = web_context(request)
    f = takedown_filter(request, **filters, before=before, limit=ctx.settings.page_size)
    with ctx.read() as conn:
        rows, next_before = takedown_page(conn, f)
    return render(request, "actions.html", {
        "rows": rows, "next_before": next_before, "filters": filters,
        "platforms": PLATFORMS, "standings": STANDINGS, "msg": msg, "note": note,
        "error": error}, status_code=status_code)


@router.get("/actions")
def actions(
    request: Request, _: Reader, filters: Filters, before: Before = None,
    msg: Annotated[str, Query(max_length=64, pattern=r"^(undo\.[a-z_]+)?$")] = "",
    note: Annotated[str, Query(max_length=64, pattern=r"^(undo\.[a-z_]+)?$")] = "",
) -> Response:
    """Every automatic action with filters; undo and appeal forms per row."""
    return _page(request, filters, before, msg=msg, note=note)


def _back(back: str) -> str:
    return back if back.startswith("/actions") and not back.startswith("//") else "/actions"


def _redirect(back: str, **params: str) -> Response:
    from urllib.parse import urlencode

    target = _back(back)
    sep = "&" if "?" in target else "?"
    return RedirectResponse(f"{target}{sep}{urlencode(params)}", status_code=303)


def _refused_page(request: Request, error: Exception) -> Response:
    key = error.key if isinstance(error, UndoRefused) else (
        "undo.forbidden" if isinstance(error, Forbidden) else "undo.refused")
    empty = {"action": "", "platform": "", "standing": "", "since": "", "until": "", "q": "",
             "author": ""}
    return _page(request, empty, None, error=key,
                 status_code=403 if isinstance(error, Forbidden) else 409)


@router.post("/actions/{comment_pk}/undo")
def undo_form(request: Request, comment_pk: PathPk, me: Actor,
              kind: Annotated[Literal["restore", "unblock"], Form()] = "restore",
              reason: Annotated[str, Form(max_length=2000)] = "",
              back: Annotated[str, Form(max_length=2000)] = "/actions") -> Response:
    """Undo from the list; the message says whether the platform applies it."""
    try:
        done = undo_takedown(web_context(request), comment_pk, kind, me, reason)
    except (StoreError, ReviewError, Forbidden) as error:
        return _refused_page(request, error)
    msg = f"undo.done_{kind}" if done.reversal.on_platform else f"undo.done_{kind}_vigie"
    return _redirect(back, msg=msg, note="" if done.reversal.on_platform
                     else done.reversal.reason)


@router.post("/actions/{comment_pk}/appeal")
def appeal_form(request: Request, comment_pk: PathPk, me: Actor,
                reason: Annotated[str, Form(max_length=2000)] = "",
                author: Annotated[str, Form(max_length=255)] = "") -> Response:
    """File an appeal on the author's behalf, then open the review item."""
    try:
        item = file_appeal(web_context(request), comment_pk, me, reason, author)
    except (StoreError, Forbidden) as error:
        return _refused_page(request, error)
    return RedirectResponse(f"/items/{item}?msg=undo.appealed", status_code=303)

