"""A comment's page and replies to it (the community manager answers comments every day).

Reading needs ``read``; sending a reply needs ``reply`` (community manager and admin: a reply
speaks in the institution's name). A reply is queued in the outbox with its text and the
sender's name, and posted by ``vigie run`` through the platform's API; the page shows it with
its status (queued, sending, sent with the platform's id, failed with the platform's words),
and the comment's history shows ``reply_queued``, ``reply_sent`` or ``reply_failed``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, HTTPException, Path, Query, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import Field

from vigie.store.replies import ReplyError
from vigie.web.appeals import appeal_code, appeal_path
from vigie.web.auth import Reader, ReplySender
from vigie.web.context import web_context
from vigie.web.permalinks import dashboard_url
from vigie.web.replies import author_language, comment_view, reply_choices, send_reply
from vigie.web.schemas import MAX_PK, _In, error_responses
from vigie.web.templating import lang_of, render

__all__ = ["api_router", "router"]

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/v1", responses=error_responses(
    e409="refused: empty, too long for the platform, or an unknown template"))

PathPk = Annotated[int, Path(ge=1, le=MAX_PK)]
Lang = Literal["fr", "en"]


class ReplyIn(_In):
    """A reply to post under the comment, as edited; ``template`` is the slug it started from."""

    text: str = Field(min_length=1, max_length=70_000)
    template: str | None = Field(None, max_length=64)
    language: Lang | None = None


def _refused(error: ReplyError) -> JSONResponse:
    return JSONResponse({"code": error.key.removeprefix("reply."), "message": str(error)},
                        status_code=404 if error.key == "reply.no_comment" else 409)


@api_router.get("/comments/{comment_pk}/replies", tags=["replies"])
def replies_api(request: Request, comment_pk: PathPk, _: Reader) -> dict[str, Any]:
    """The replies queued for a comment, with their status and the platform's reply id."""
    with web_context(request).read() as conn:
        view = comment_view(conn, comment_pk)
    if view is None:
        raise HTTPException(404, "no such comment")
    return {"comment": view.comment_id, "replies": [r.to_dict() for r in view.replies]}


@api_router.post("/comments/{comment_pk}/replies", tags=["replies"], status_code=202)
def reply_api(request: Request, comment_pk: PathPk, body: ReplyIn, me: ReplySender
              ) -> Response:
    """Queue a reply; ``vigie run`` posts it (202). The same text twice queues it once."""
    try:
        queued = send_reply(web_context(request), comment_pk, me, body.text,
                            template=body.template, language=body.language)
    except ReplyError as error:
        return _refused(error)
    return JSONResponse({"key": queued.key, "comment": queued.comment_id,
                         "platform": queued.platform, "new": queued.new}, status_code=202)


def _page(request: Request, comment_pk: int, *, template: str = "", lang: str = "",
          text: str | None = None, msg: str = "", error: str = "", error_text: str = "",
          status_code: int = 200) -> Response:
    ctx = web_context(request)
    with ctx.read() as conn:
        view = comment_view(conn, comment_pk)
    if view is None:
        raise HTTPException(404, "no such comment")
    code = appeal_code(ctx.settings.key, comment_pk)
    appeal_url = dashboard_url(ctx.store.settings.escalation.dashboard_url,
                               appeal_path(ctx.settings.key, comment_pk))
    choices, suggested = reply_choices(ctx.policy, view, lang_of(request), appeal_code=code,
                                       appeal_url=appeal_url)
    chosen = next((c for c in choices if c.slug == template), None) or next(
        (c for c in choices if c.slug == suggested), None)
    reply_lang = lang if lang in ("fr", "en") else author_language(view, lang_of(request))
    if text is None:
        text = (chosen.en if reply_lang == "en" else chosen.fr) if chosen else ""
    return render(request, "comment.html", {
        "view": view, "choices": choices, "chosen": chosen.slug if chosen else "",
        "suggested": suggested, "reply_lang": reply_lang, "reply_text": text, "msg": msg,
        "error": error, "error_text": error_text, "appeal_code": code,
        "appeal_url": appeal_url}, status_code=status_code)


@router.get("/comments/{comment_pk}")
def comment_page(request: Request, comment_pk: PathPk, _: Reader,
                 template: Annotated[str, Query(max_length=64)] = "",
                 lang: Annotated[str, Query(max_length=2)] = "",
                 msg: Annotated[str, Query(max_length=64, pattern=r"^(reply\.[a-z_]+)?$")] = ""
                 ) -> Response:
    """The comment, its decision, its replies and history, and the reply form."""
    return _page(request, comment_pk, template=template, lang=lang, msg=msg)


@router.post("/comments/{comment_pk}/reply")
def reply_form(request: Request, comment_pk: PathPk, me: ReplySender,
               text: Annotated[str, Form(max_length=70_000)] = "",
               template: Annotated[str, Form(max_length=64)] = "",
               language: Annotated[str, Form(max_length=2)] = "") -> Response:
    """Queue the reply, then show the page again with it (queued, then sent by ``vigie run``)."""
    lang = language if language in ("fr", "en") else None
    try:
        queued = send_reply(web_context(request), comment_pk, me, text, template=template,
                            language=lang)
    except ReplyError as error:
        return _page(request, comment_pk, template=template, lang=language, text=text,
                     error=error.key, error_text=str(error),
                     status_code=404 if error.key == "reply.no_comment" else 409)
    msg = "reply.queued" if queued.new else "reply.already_queued"
    return RedirectResponse(f"/comments/{comment_pk}?msg={msg}#replies", status_code=303)
