"""Escalations (directive 6.1): the community manager's inbox, one escalation's page, its steps.

Reading needs ``read``; assigning, commenting, closing and reopening need
``resolve_escalation`` (community manager and admin). Every step lands in the audit trail under
the caller's name (:mod:`vigie.web.escalations`). The pages warn when no mail or webhook
channel is configured: notices would then wait unseen.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, HTTPException, Path, Query, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import RedirectResponse
from pydantic import Field

from vigie.errors import StoreError
from vigie.web.auth import Reader, Resolver
from vigie.web.context import WebContext, web_context
from vigie.web.escalations import assignable_accounts, escalation_view, take_step
from vigie.web.explain import escalation_grounds
from vigie.web.i18n import translator
from vigie.web.queries import escalation_rows
from vigie.web.schemas import MAX_PK, _In, error_responses
from vigie.web.templating import formats_of, lang_of, render

__all__ = ["api_router", "router"]

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/v1", responses=error_responses(
    e409="refused: the step is not valid in the escalation's state"))

PathPk = Annotated[int, Path(ge=1, le=MAX_PK)]
StepName = Literal["assign", "comment", "close", "reopen"]


def _no_channel(ctx: WebContext) -> bool:
    return not ctx.store.settings.escalation.configured


# -- API -----------------------------------------------------------------------------------

class EscalationStepIn(_In):
    """One handling step of an escalation.

    ``assign`` (to ``assignee``, or to nobody), ``comment``, ``close`` or ``reopen``; every
    step but ``assign`` needs a ``note``.
    """

    step: StepName
    note: str = Field("", max_length=2000)
    assignee: str | None = Field(None, max_length=64)


@api_router.get("/escalations/{escalation_pk}", tags=["review"])
def escalation_api(request: Request, escalation_pk: PathPk, _: Reader) -> dict[str, Any]:
    """One escalation: its comment, decision, handling (state, assignee) and every step."""
    with web_context(request).read() as conn:
        view = escalation_view(conn, escalation_pk)
    if view is None:
        raise HTTPException(404, "no such escalation")
    out: dict[str, Any] = jsonable_encoder(view.to_dict())
    return out


@api_router.post("/escalations/{escalation_pk}/steps", tags=["review"])
def escalation_step_api(request: Request, escalation_pk: PathPk, body: EscalationStepIn,
                        me: Resolver) -> dict[str, Any]:
    """Assign, comment on, close or reopen an escalation; the step is in the audit trail."""
    ctx = web_context(request)
    with ctx.read() as conn:
        if escalation_view(conn, escalation_pk) is None:
            raise HTTPException(404, "no such escalation")
    done = take_step(ctx, escalation_pk, body.step, me, body.note, body.assignee)
    return {"escalation": done.pk, "step": body.step, "state": done.state.value,
            "assignee": done.assignee, "by": me.actor, "event": done.event_seq}


# -- pages ---------------------------------------------------------------------------------

@router.get("/escalations")
def escalations(request: Request, _: Reader,
                before: Annotated[int | None, Query(ge=1, le=MAX_PK)] = None,
                state: Literal["open", "closed", "all"] = "open") -> Response:
    """The community manager's inbox: open escalations (or closed, or all), newest first."""
    ctx = web_context(request)
    size = ctx.settings.page_size
    with ctx.read() as conn:
        rows = escalation_rows(conn, size + 1, before, None if state == "all" else state)
    next_before = rows[size - 1]["escalation_pk"] if len(rows) > size else None
    return render(request, "escalations.html", {
        "rows": rows[:size], "no_channel": _no_channel(ctx), "next_before": next_before,
        "state": state})


def _page(request: Request, escalation_pk: int, msg: str = "", error: str = "",
          status_code: int = 200) -> Response:
    ctx = web_context(request)
    with ctx.read() as conn:
        view = escalation_view(conn, escalation_pk)
        accounts = assignable_accounts(conn)
    if view is None:
        raise HTTPException(404, "no such escalation")
    grounds = escalation_grounds(view.decision, ctx.policy, translator(lang_of(request)),
                                 formats_of(request))
    return render(request, "escalation.html", {
        "view": view, "e": view.row, "grounds": grounds, "accounts": accounts,
        "no_channel": _no_channel(ctx), "msg": msg, "error": error}, status_code=status_code)


@router.get("/escalations/{escalation_pk}")
def escalation(request: Request, escalation_pk: PathPk, _: Reader,
               msg: Annotated[str, Query(max_length=64,
                                         pattern=r"^(escalation\.[a-z_]+)?$")] = "") -> Response:
    """One escalation: the comment, the reason and evidence, its steps, and the step forms."""
    return _page(request, escalation_pk, msg=msg)


@router.post("/escalations/{escalation_pk}/step")
def escalation_step(request: Request, escalation_pk: PathPk, me: Resolver,
                    step: Annotated[StepName, Form()],
                    note: Annotated[str, Form(max_length=2000)] = "",
                    assignee: Annotated[str, Form(max_length=64)] = "") -> Response:
    """Take a step from the escalation's page, then show the page again with the result."""
    ctx = web_context(request)
    with ctx.read() as conn:
        if escalation_view(conn, escalation_pk) is None:
            raise HTTPException(404, "no such escalation")
    if step != "assign" and not note.strip():
        return _page(request, escalation_pk, error="escalation.note_required", status_code=422)
    try:
        take_step(ctx, escalation_pk, step, me, note, assignee)
    except StoreError as error:
        return _page(request, escalation_pk, error=str(error), status_code=409)
    return RedirectResponse(f"/escalations/{escalation_pk}?msg=escalation.done_{step}",
                            status_code=303)
