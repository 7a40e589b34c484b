"""Monitoring pages and API: pre-publication check (6.1, 6.3), registry (6.1), mentions (7).

Reading the registry and the mentions needs ``read`` (every role). The draft check stores
nothing, like "try a text", so it needs ``check``: every role, the auditor included (it reads
the registry and the policy and writes nothing; see ``docs/dashboard.md``).

Asking a supervisor about a draft (6.3) writes a consultation, so it needs ``act``, as does
recording the answer; reading consultations needs ``read``. The draft is checked again on the
server when asked (the findings stored are the server's, not the form's). Each ask and answer
is an audit event under the caller's name (:mod:`vigie.monitoring.consultations`).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, HTTPException, Path, Query, Request, Response
from fastapi.responses import RedirectResponse

from vigie.errors import StoreError, VigieError
from vigie.policy import Policy
from vigie.records import Platform
from vigie.text.normalize import normalize
from vigie.web.auth import Actor, Checker, Reader
from vigie.web.context import web_context
from vigie.web.i18n import translator
from vigie.web.monitoring import TONES, check_draft, mentions_view, registry_view
from vigie.web.schemas import MAX_PK, ApiError, DraftIn
from vigie.web.templating import lang_of, render

__all__ = ["api_router", "router"]

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/v1", responses={
    401: {"model": ApiError, "description": "no or invalid credential"},
    403: {"model": ApiError, "description": "the role lacks the permission, or no CSRF token"},
    409: {"model": ApiError, "description": "this server runs without detectors"},
    422: {"model": ApiError, "description": "invalid or empty draft"},
})

PLATFORMS = tuple(p.value for p in Platform)


@api_router.post("/draft", tags=["monitoring"])
def draft_api(request: Request, body: DraftIn, _: Checker) -> dict[str, Any]:
    """Check a draft: mandate (6.1), confidential data (6.3), 6.4 categories; stores nothing."""
    return check_draft(web_context(request), body.text, body.speaker, body.platform.value)


def _examples(policy: Policy) -> dict[str, str]:
    """Placeholders of the draft form in the policy's names: its handle, an address at it."""
    handle = next((a for a in policy.aliases if a.startswith("@")), None)
    if handle is None:
        handle = "@" + re.sub(r"[^a-z0-9]", "", normalize(policy.institution).text)
    links = policy.detectors.get("vigie.links.v1") or {}
    privacy = policy.detectors.get("vigie.privacy.recognizers.v1") or {}
    domains = [*links.get("institution_domains", ()), *privacy.get("public_email_domains", ())]
    return {"speaker_example": handle,
            "supervisor_example": f"nom@{domains[0] if domains else 'example.org'}"}


def _draft_page(request: Request, text: str = "", speaker: str = "", platform: str = "facebook",
                report: dict[str, Any] | None = None, error: str = "",
                status_code: int = 200, supervisor: str = "", error_text: str = "") -> Response:
    return render(request, "draft.html", {
        "text": text, "speaker": speaker, "platform": platform, "platforms": PLATFORMS,
        "report": report, "error": error, "supervisor": supervisor, "error_text": error_text,
        **_examples(web_context(request).policy)},
        status_code=status_code)


def _refusal(request: Request, error: Any) -> str:
    # A refused consultation step, in the reader's language with what it names.
    return translator(lang_of(request))(f"consult.error_{error.key}", **error.fields)


@router.get("/draft")
def draft_form(request: Request, _: Checker) -> Response:
    """The pre-publication check form."""
    return _draft_page(request)


@router.post("/draft")
def draft_submit(request: Request, _: Checker,
                 text: Annotated[str, Form(max_length=20_000)] = "",
                 speaker: Annotated[str, Form(max_length=255)] = "",
                 platform: Annotated[str, Form(max_length=32)] = "facebook") -> Response:
    """Each finding with its clause and suggestion, or "ready to publish"."""
    platform = platform if platform in PLATFORMS else "facebook"
    if not text.strip() or not speaker.strip():
        return _draft_page(request, text, speaker, platform, error="draft.incomplete",
                           status_code=422)
    try:
        report = check_draft(web_context(request), text, speaker, platform)
    except (StoreError, VigieError) as error:
        return _draft_page(request, text, speaker, platform, error=str(error), status_code=422)
    return _draft_page(request, text, speaker, platform, report=report)


@router.get("/registry")
def registry(request: Request, _: Reader) -> Response:
    """Pages and accounts in the institution's name, mandates, impersonation suspects."""
    return render(request, "registry.html", registry_view(web_context(request)))


@router.get("/mentions")
def mentions(request: Request, _: Reader,
             tone: Literal["", "negative", "neutral", "positive"] = "",
             doubtful: Annotated[bool, Query()] = False) -> Response:
    """Recent mentions of the institution on the web, with their tone and source."""
    rows = mentions_view(web_context(request), tone, doubtful)
    return render(request, "mentions.html", {"rows": rows, "tone": tone, "tones": TONES,
                                             "doubtful": doubtful})


# -- asking a supervisor (6.3) -----------------------------------------------------------------

PathPk = Annotated[int, Path(ge=1, le=MAX_PK)]


@router.post("/draft/ask")
def draft_ask(request: Request, me: Actor,
              text: Annotated[str, Form(max_length=20_000)] = "",
              speaker: Annotated[str, Form(max_length=255)] = "",
              platform: Annotated[str, Form(max_length=32)] = "facebook",
              supervisor: Annotated[str, Form(max_length=255)] = "") -> Response:
    """Check the draft again, store it with its findings for the supervisor, e-mail them."""
    from vigie.monitoring.consultations import (
        ConsultationError,
        ask_supervisor,
        notify_supervisor,
        supervisor_lang,
        valid_email,
    )
    from vigie.web.notices import consultation_notice

    platform = platform if platform in PLATFORMS else "facebook"
    if not text.strip() or not speaker.strip():
        return _draft_page(request, text, speaker, platform, error="draft.incomplete",
                           status_code=422, supervisor=supervisor)
    ctx = web_context(request)
    try:
        report = check_draft(ctx, text, speaker, platform)
    except (StoreError, VigieError) as error:
        return _draft_page(request, text, speaker, platform, error=str(error), status_code=422,
                           supervisor=supervisor)
    if not valid_email(supervisor):
        text_of = translator(lang_of(request))
        return _draft_page(request, text, speaker, platform, report=report, status_code=422,
                           error_text=text_of("consult.error_bad_email", email=supervisor),
                           supervisor=supervisor)
    try:
        asked = ask_supervisor(ctx.store, text, report["findings"], supervisor=supervisor,
                               asked_by=me.actor, speaker=speaker.strip())
    except ConsultationError as error:
        return _draft_page(request, text, speaker, platform, report=report, status_code=422,
                           error_text=_refusal(request, error), supervisor=supervisor)
    settings = ctx.store.settings.escalation
    notify_supervisor(ctx.store, asked, consultation_notice(
        asked, supervisor_lang(settings), settings.dashboard_url), settings)
    return RedirectResponse(f"/consultations/{asked.pk}?msg=consult.done_asked",
                            status_code=303)


@router.get("/consultations")
def consultations(request: Request, _: Reader,
                  status: Literal["asked", "answered", "all"] = "all") -> Response:
    """Drafts put to a supervisor, newest first, with their status."""
    from vigie.monitoring.consultations import list_consultations

    rows = list_consultations(web_context(request).store, None if status == "all" else status)
    return render(request, "consultations.html", {"rows": rows, "status": status})


def _consultation_page(request: Request, pk: int, msg: str = "", error_text: str = "",
                       status_code: int = 200) -> Response:
    from vigie.monitoring.consultations import ConsultationError, get_consultation

    try:
        item = get_consultation(web_context(request).store, pk)
    except ConsultationError:
        raise HTTPException(404, "no such consultation") from None
    return render(request, "consultation.html", {"c": item, "msg": msg,
                                                 "error_text": error_text},
                  status_code=status_code)


@router.get("/consultations/{pk}")
def consultation(request: Request, pk: PathPk, _: Reader,
                 msg: Annotated[str, Query(max_length=64,
                                           pattern=r"^(consult\.[a-z_]+)?$")] = "") -> Response:
    """One consultation: the draft, its findings, the supervisor, the answer or its form."""
    return _consultation_page(request, pk, msg=msg)


@router.post("/consultations/{pk}/answer")
def consultation_answer(request: Request, pk: PathPk, me: Actor,
                        answer: Annotated[str, Form(max_length=20_000)] = "",
                        answered_by: Annotated[str, Form(max_length=255)] = "") -> Response:
    """Record the supervisor's answer (once); the recording account is the audit's actor."""
    from vigie.monitoring.consultations import ConsultationError, answer_consultation

    try:
        answer_consultation(web_context(request).store, pk, answer, answered_by=answered_by,
                            actor=me.actor)
    except ConsultationError as error:
        if error.key == "unknown":
            raise HTTPException(404, "no such consultation") from None
        return _consultation_page(request, pk, error_text=_refusal(request, error),
                                  status_code=409 if error.key == "answered" else 422)
    return RedirectResponse(f"/consultations/{pk}?msg=consult.done_answered", status_code=303)
