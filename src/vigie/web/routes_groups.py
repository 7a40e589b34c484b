"""Groups of repeated comments (coordination): one page per group, one decision for all.

Reading needs ``read``; deciding needs ``act``, like a bulk action, and each member is
resolved on its own through the store (an escalated member still needs the community manager).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, HTTPException, Path, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import Field

from vigie.web.auth import Actor, Reader
from vigie.web.context import web_context
from vigie.web.groups import Group, group_of, groups_in, related
from vigie.web.i18n import translator
from vigie.web.presets import presets_for
from vigie.web.queries import QueueRow, item_view
from vigie.web.schemas import MAX_PK, BulkActionOut, _In, error_responses
from vigie.web.service import bulk_review
from vigie.web.templating import lang_of, render

__all__ = ["api_router", "router"]

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/v1",
                       responses=error_responses(e404="the item is in no group"))

PathPk = Annotated[int, Path(ge=1, le=MAX_PK)]
GroupVerb = Literal["approve", "remove", "block", "escalate", "restore", "unblock", "comment"]


class GroupActionIn(_In):
    """One action, with its reason, for every member of a group."""

    action: GroupVerb
    reason: str = Field(min_length=1, max_length=2000)


def _group(request: Request, item_pk: int) -> Group:
    with web_context(request).read() as conn:
        found = group_of(conn, item_pk)
    if found is None:
        raise HTTPException(404, "no such review item in a group")
    return found


def _members(request: Request, group: Group) -> list[QueueRow]:
    with web_context(request).read() as conn:
        views = [item_view(conn, pk, thread_limit=0) for pk in group.items]
    return [v.row for v in views if v is not None]


@api_router.get("/groups", tags=["review"])
def groups_api(request: Request, _: Reader,
               state: Literal["open", "escalated", "closed"] = "open") -> dict[str, Any]:
    """Groups of repeated comments among the items of ``state``, with their members."""
    with web_context(request).read() as conn:
        found = groups_in(conn, state)
    return {"groups": [{"lead": g.lead, "items": list(g.items),
                        "comment_ids": list(g.comment_ids)} for g in found]}


@api_router.get("/groups/{item_pk}", tags=["review"])
def group_api(request: Request, item_pk: PathPk, _: Reader) -> dict[str, Any]:
    """The group holding an item: its members, as queue items."""
    group = _group(request, item_pk)
    return {"lead": group.lead, "items": [r.to_dict() for r in _members(request, group)]}


@api_router.post("/groups/{item_pk}/actions", tags=["review"], response_model=BulkActionOut)
def group_action_api(request: Request, item_pk: PathPk, body: GroupActionIn,
                     me: Actor) -> BulkActionOut:
    """Decide every member of the group at once; each is applied or refused on its own."""
    group = _group(request, item_pk)
    done, refused = bulk_review(web_context(request), group.items, body.action, me,
                                body.reason)
    return BulkActionOut(done=done, refused={str(k): v for k, v in refused.items()})


@router.get("/groups/{item_pk}")
def group_page(request: Request, item_pk: PathPk, _: Reader) -> Response:
    """The members of a group, linked, with one form to decide them together."""
    group = _group(request, item_pk)
    ctx = web_context(request)
    with ctx.read() as conn:
        lead = item_view(conn, group.lead, thread_limit=0)
    assert lead is not None
    presets = presets_for(ctx.policy, lead.decision.get("categories", []),
                          translator(lang_of(request)))
    with ctx.read() as conn:
        outside = related(conn, lead.decision, exclude=group.comment_ids)
    return render(request, "group.html", {"group": group, "members": _members(request, group),
                                          "lead": lead, "presets": presets,
                                          "related": outside})


@router.post("/groups/{item_pk}/action")
def group_action(request: Request, item_pk: PathPk, me: Actor,
                 action: Annotated[GroupVerb, Form()],
                 reason: Annotated[str, Form(max_length=2000)] = "") -> Response:
    """Apply one action to every member; back to the queue with what was done."""
    group = _group(request, item_pk)
    if not reason.strip():
        return RedirectResponse(f"/groups/{item_pk}?msg=item.reason_required", status_code=303)
    _done, refused = bulk_review(web_context(request), group.items, action, me, reason.strip())
    key = "group.done" if not refused else "queue.bulk_partial"
    return RedirectResponse(f"/queue?msg={key}", status_code=303)
