"""Page requests (6.1) and group-membership tasks (7): their pages in the dashboard.

Asking for a page writes a request, so it needs ``act`` (moderator and up: the auditor never
writes); deciding one needs ``approve_page`` (community manager and admin), and nobody decides
their own request (:func:`vigie.monitoring.page_requests.decide_request` refuses it, whatever
the role). Closing a group-membership task is the community manager's handling, like an
escalation: ``resolve_escalation``. Reading either list needs ``read``. Every step is an audit
event under the caller's name; the community manager's channels are told of a new request and
the requester is e-mailed the decision where a relay and an address are known.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, HTTPException, Path, Query, Request, Response
from fastapi.responses import RedirectResponse

from vigie.web.auth import Actor, PageApprover, Principal, Reader, Resolver
from vigie.web.context import web_context
from vigie.web.explain import block_reason
from vigie.web.i18n import translator
from vigie.web.schemas import MAX_PK
from vigie.web.templating import lang_of, render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

PathPk = Annotated[int, Path(ge=1, le=MAX_PK)]
Text = Annotated[str, Form(max_length=5000)]
Short = Annotated[str, Form(max_length=2048)]
_FIELDS = ("platform", "kind", "name", "handle", "url", "purpose", "unit", "manager",
           "mandate", "reply_to")


def _refusal(request: Request, prefix: str, error: Any) -> str:
    # A refused step in the reader's language, naming the form's label of a field.
    t = translator(lang_of(request))
    fields = dict(error.fields)
    if "field" in fields and t.has(f"{prefix}.{fields['field']}"):
        fields["field"] = t(f"{prefix}.{fields['field']}")
    return t(f"{prefix}.error_{error.key}", **fields)


# -- page requests ---------------------------------------------------------------------------

@router.get("/page-requests")
def page_requests(request: Request, _: Reader,
                  status: Literal["pending", "approved", "refused", "all"] = "pending"
                  ) -> Response:
    """Requests to create a page in the institution's name, newest first."""
    from vigie.monitoring.page_requests import list_requests

    rows = list_requests(web_context(request).store, None if status == "all" else status)
    return render(request, "page_requests.html", {"rows": rows, "status": status})


def _form(request: Request, values: dict[str, str] | None = None, error_text: str = "",
          status_code: int = 200) -> Response:
    from vigie.monitoring.page_requests import PLATFORMS

    return render(request, "page_request_new.html", {
        "v": values or {**dict.fromkeys(_FIELDS, ""), "platform": "facebook", "kind": "page"},
        "platforms": PLATFORMS,
        "error_text": error_text}, status_code=status_code)


@router.get("/page-requests/new")
def page_request_form(request: Request, _: Actor) -> Response:
    """The form to ask for a page or a group in the institution's name."""
    return _form(request)


@router.post("/page-requests")
def page_request_submit(request: Request, me: Actor, platform: Short = "",
                        kind: Short = "page", name: Short = "", handle: Short = "",
                        url: Short = "", purpose: Text = "", unit: Short = "",
                        manager: Short = "", mandate: Text = "",
                        reply_to: Short = "") -> Response:
    """Store the request, tell the community manager, show it."""
    from vigie.monitoring.page_requests import RequestError, submit_request
    from vigie.notify.escalation import tell_community_manager
    from vigie.web.notices import page_request_notice

    values = dict(zip(_FIELDS, (platform, kind, name, handle, url, purpose, unit, manager,
                                mandate, reply_to), strict=True))
    ctx = web_context(request)
    try:
        asked = submit_request(ctx.store, requested_by=me.actor, **values)
    except RequestError as error:
        return _form(request, values, _refusal(request, "pagereq", error), 422)
    settings = ctx.store.settings.escalation
    sent, _errors = tell_community_manager(
        settings, lambda lang: page_request_notice(asked, lang, settings.dashboard_url))
    done = "done_submitted" if sent else "done_submitted_quiet"
    return RedirectResponse(f"/page-requests/{asked.pk}?msg=pagereq.{done}", status_code=303)


def _request_page(request: Request, pk: int, me: Principal, msg: str = "",
                  error_text: str = "", status_code: int = 200) -> Response:
    from vigie.monitoring.page_requests import RequestError, get_request, same_person

    try:
        item = get_request(web_context(request).store, pk)
    except RequestError:
        raise HTTPException(404, "no such page request") from None
    return render(request, "page_request.html", {
        "r": item, "msg": msg, "error_text": error_text,
        "own": same_person(me.actor, item.requested_by)},
                  status_code=status_code)


@router.get("/page-requests/{pk}")
def page_request(request: Request, pk: PathPk, me: Reader,
                 msg: Annotated[str, Query(max_length=64,
                                           pattern=r"^(pagereq\.[a-z_]+)?$")] = "") -> Response:
    """One request: what is asked, by whom, the decision or its form."""
    return _request_page(request, pk, me, msg=msg)


@router.post("/page-requests/{pk}/decide")
def page_request_decide(request: Request, pk: PathPk, me: PageApprover,
                        decision: Annotated[Literal["approve", "refuse"], Form()],
                        note: Annotated[str, Form(max_length=5000)] = "") -> Response:
    """Approve (the page is listed in the registry) or refuse, with a note; never one's own."""
    from vigie.monitoring.page_requests import RequestError, decide_request, notify_requester
    from vigie.notify.escalation import mail_lang
    from vigie.web.notices import page_decision_notice

    ctx = web_context(request)
    try:
        done = decide_request(ctx.store, pk, decision == "approve", decided_by=me.actor,
                              note=note)
    except RequestError as error:
        if error.key == "unknown":
            raise HTTPException(404, "no such page request") from None
        code = 422 if error.key in ("empty_note", "too_long") else 409
        return _request_page(request, pk, me, error_text=_refusal(request, "pagereq", error),
                             status_code=code)
    settings = ctx.store.settings.escalation
    notify_requester(ctx.store, done, page_decision_notice(
        done, mail_lang(settings), settings.dashboard_url), settings)
    return RedirectResponse(f"/page-requests/{pk}?msg=pagereq.done_{done.status}",
                            status_code=303)


# -- group-membership tasks ------------------------------------------------------------------

def _tasks_page(request: Request, status: str, msg: str = "", error_text: str = "",
                status_code: int = 200) -> Response:
    from vigie.monitoring.group_tasks import LIFTED_NOTE, list_tasks
    from vigie.monitoring.registry import EntryKind, PageStatus, list_entries

    store = web_context(request).store
    rows = list_tasks(store, None if status == "all" else status)
    groups = list_entries(store, PageStatus.OFFICIAL, EntryKind.GROUP)
    t = translator(lang_of(request))
    return render(request, "group_tasks.html", {
        "rows": rows, "status": status, "groups": groups, "msg": msg,
        "reasons": {g.pk: block_reason(g.reason, t) for g in rows},
        "lifted_note": LIFTED_NOTE, "error_text": error_text}, status_code=status_code)


@router.get("/group-tasks")
def group_tasks(request: Request, _: Reader,
                status: Literal["open", "done", "not_needed", "all"] = "open",
                msg: Annotated[str, Query(max_length=64,
                                          pattern=r"^(grouptask\.[a-z_]+)?$")] = ""
                ) -> Response:
    """Blocked members to remove from the institution's groups, with why."""
    return _tasks_page(request, status, msg=msg)


@router.post("/group-tasks/{pk}/close")
def group_task_close(request: Request, pk: PathPk, me: Resolver,
                     outcome: Annotated[Literal["done", "not_needed"], Form()],
                     note: Annotated[str, Form(max_length=2000)] = "") -> Response:
    """Close a task: the member was removed, or there was nothing to do; with a note."""
    from vigie.monitoring.group_tasks import GroupTaskError, close_task

    try:
        close_task(web_context(request).store, pk, outcome, closed_by=me.actor, note=note)
    except GroupTaskError as error:
        if error.key == "unknown":
            raise HTTPException(404, "no such group task") from None
        return _tasks_page(request, "open", error_text=_refusal(request, "grouptask", error),
                           status_code=409 if error.key == "closed" else 422)
    return RedirectResponse(f"/group-tasks?status={outcome}&msg=grouptask.done_{outcome}",
                            status_code=303)
