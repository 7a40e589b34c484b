"""The author page, and linking one person's accounts on several platforms (directive 7).

Reading needs ``read``. Linking or unlinking needs ``act``, like a block: it changes what the
person's next strike does (their strikes count together, and a block reaches every linked
account). Both are recorded in the audit chain under the caller's name
(:mod:`vigie.store.persons`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Path, Query, Request, Response
from fastapi.responses import RedirectResponse

from vigie.errors import StoreError
from vigie.store.persons import describe, link_accounts, unlink_account
from vigie.web.auth import Actor, Reader
from vigie.web.context import web_context
from vigie.web.explain import block_reason
from vigie.web.i18n import translator
from vigie.web.queries import author_view
from vigie.web.schemas import MAX_PK
from vigie.web.templating import lang_of, render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

PathPk = Annotated[int, Path(ge=1, le=MAX_PK)]
Reason = Annotated[str, Form(max_length=500)]


def _page(request: Request, author_pk: int, *, msg: str = "", error: str = "",
          status_code: int = 200) -> Response:
    with web_context(request).read() as conn:
        view = author_view(conn, author_pk)
        person = describe(conn, author_pk) if view is not None else []
    if view is None:
        raise HTTPException(404, "no such author")
    others = [a for a in person if a["pk"] != author_pk]
    t = translator(lang_of(request))
    for block in view["blocks"]:  # the store's English reason, in the reader's words
        block["reason"] = block_reason(block["reason"], t)
    return render(request, "author.html", {"author": view, "others": others, "msg": msg,
                                           "error": error}, status_code=status_code)


@router.get("/authors/{author_pk}")
def author(request: Request, author_pk: PathPk, _: Reader,
           msg: Annotated[str, Query(max_length=64)] = "") -> Response:
    """An author's comments, decisions, strikes and blocks, and their linked accounts."""
    return _page(request, author_pk, msg=msg)


def _label(request: Request, author_pk: int) -> str:
    with web_context(request).read() as conn:
        view = author_view(conn, author_pk, comment_limit=0)
    if view is None:
        raise HTTPException(404, "no such author")
    return f"{view['platform']}/{view['author_id']}"


@router.post("/authors/{author_pk}/link")
def link(request: Request, author_pk: PathPk, me: Actor,
         account: Annotated[str, Form(max_length=300)] = "", reason: Reason = "") -> Response:
    """Link another account to this author's person; back to the page with what was done."""
    this = _label(request, author_pk)
    if not reason.strip():
        return _page(request, author_pk, error="person.reason_required", status_code=422)
    try:
        link_accounts(web_context(request).store, [this, account], actor=me.actor,
                      reason=reason)
    except StoreError as error:
        return _page(request, author_pk, error=str(error), status_code=409)
    return RedirectResponse(f"/authors/{author_pk}?msg=person.linked", status_code=303)


@router.post("/authors/{author_pk}/unlink")
def unlink(request: Request, author_pk: PathPk, me: Actor,
           account_pk: Annotated[int, Form(ge=1, le=MAX_PK)], reason: Reason = "") -> Response:
    """Take one account (this one or another of the person's) out of the person."""
    with web_context(request).read() as conn:
        person = {a["pk"] for a in describe(conn, author_pk)}
    if account_pk not in person or len(person) < 2:
        return _page(request, author_pk, error="err.not_linked", status_code=409)
    if not reason.strip():
        return _page(request, author_pk, error="person.reason_required", status_code=422)
    unlink_account(web_context(request).store, _label(request, account_pk), actor=me.actor,
                   reason=reason)
    return RedirectResponse(f"/authors/{author_pk}?msg=person.unlinked", status_code=303)
