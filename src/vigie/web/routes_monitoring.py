"""Monitoring pages and API: pre-publication check (6.1, 6.3), registry (6.1), mentions (7).

Reading the registry and the mentions needs ``read`` (every role). The draft check stores
nothing, like "try a text", so it needs ``check``: every role, the auditor included (it reads
the registry and the policy and writes nothing; see ``docs/dashboard.md``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Query, Request, Response

from vigie.errors import StoreError, VigieError
from vigie.records import Platform
from vigie.web.auth import Checker, Reader
from vigie.web.context import web_context
from vigie.web.monitoring import TONES, check_draft, mentions_view, registry_view
from vigie.web.schemas import ApiError, DraftIn
from vigie.web.templating import render

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


def _draft_page(request: Request, text: str = "", speaker: str = "", platform: str = "facebook",
                report: dict[str, Any] | None = None, error: str = "",
                status_code: int = 200) -> Response:
    return render(request, "draft.html", {
        "text": text, "speaker": speaker, "platform": platform, "platforms": PLATFORMS,
        "report": report, "error": error}, status_code=status_code)


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
