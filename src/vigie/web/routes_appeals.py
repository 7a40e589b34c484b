"""The public appeal page (6.2, 7): an author contests the takedown of their comment.

``GET /appeal`` needs no account (French by default, English with the language switch); the
removal notice's link fills the code in (``/appeal?code=…``). ``POST /appeal`` takes the code,
the author's name or handle and their reason (:mod:`vigie.web.appeals`); the author gets a
reference (``AP-…``) on the confirmation page, which the audit trail names too.

Abuse is bounded as on the questions page (:mod:`vigie.web.questions`): a CSRF token bound
to a pre-form cookie, a honeypot field, length caps, and rate limits kept in the store (no
Redis needed): at most ``appeals_max_per_client`` attempts per client and
``appeals_max_per_code`` per code within ``appeals_window_s`` (429 with ``Retry-After``).
A code and a name that do not match get one message, whichever is wrong.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from vigie.web.appeals import MAX_CHARS, MIN_CHARS, code_digest, file_public_appeal, throttled
from vigie.web.context import web_context
from vigie.web.csrf import CSRF_FIELD
from vigie.web.i18n import translator
from vigie.web.public_forms import client_digest, form_token, keep_preform, preform, preform_ok
from vigie.web.templating import lang_of, render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_PURPOSE = "appeal"
_AUTHOR_MAX = 255


def _page(request: Request, *, status_code: int = 200, sent: str = "", error: str = "",
          form: dict[str, str] | None = None) -> Response:
    ctx = web_context(request)
    pre = preform(request)
    response = render(request, "appeal.html", {
        "sent": sent, "problem": error, "form": form or {}, "csrf_field": CSRF_FIELD,
        "appeal_csrf": form_token(ctx.settings.key, pre, _PURPOSE),
        "min_chars": MIN_CHARS, "max_chars": MAX_CHARS, "author_max": _AUTHOR_MAX,
    }, status_code=status_code)
    return keep_preform(response, pre, ctx.settings.secure_cookies)


@router.get("/appeal")
def appeal_page(request: Request, code: Annotated[str, Query(max_length=64)] = "",
                sent: Annotated[str, Query(max_length=16, pattern=r"^(AP-[0-9A-F]{8})?$")] = ""
                ) -> Response:
    """The appeal form (public); ``code`` comes from the removal notice's link."""
    return _page(request, sent=sent, form={"code": code})


@router.post("/appeal")
def contest(
    request: Request,
    code: Annotated[str, Form(max_length=256)] = "",
    author: Annotated[str, Form(max_length=_AUTHOR_MAX * 2)] = "",
    reason: Annotated[str, Form(max_length=MAX_CHARS * 2)] = "",
    website: Annotated[str, Form(max_length=255)] = "",
    csrf_token_: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> Response:
    """Record an appeal; one whose code and name match lands in the review queue."""
    ctx = web_context(request)
    lang = lang_of(request)
    t = translator(lang)
    form = {"code": code, "author": author, "reason": reason}
    if not preform_ok(request, ctx.settings.key, csrf_token_, _PURPOSE):
        return _page(request, status_code=403, error=t("appeal.expired"), form=form)
    code, author, reason = code.strip(), author.strip(), reason.strip()
    if not code or not author:
        return _page(request, status_code=422, error=t("appeal.missing"), form=form)
    if len(author) > _AUTHOR_MAX:
        return _page(request, status_code=422, form=form,
                     error=t("appeal.author_length", max=_AUTHOR_MAX))
    if not MIN_CHARS <= len(reason) <= MAX_CHARS:
        return _page(request, status_code=422, form=form,
                     error=t("appeal.length", min=MIN_CHARS, max=MAX_CHARS))
    s = ctx.settings
    client = client_digest(s.key, request, _PURPOSE)
    with ctx.read() as conn:
        refused = throttled(conn, client, code_digest(s.key, code), ctx.store.now(),
                            window_s=s.appeals_window_s, max_per_client=s.appeals_max_per_client,
                            max_per_code=s.appeals_max_per_code)
    if refused:
        response = _page(request, status_code=429, error=t("appeal.throttled"), form=form)
        response.headers["Retry-After"] = str(s.appeals_window_s)
        return response
    outcome = file_public_appeal(ctx, code=code, author=author, reason=reason, lang=lang,
                                 client=client, robot=bool(website.strip()))
    if outcome.status == "unmatched":
        return _page(request, status_code=422, error=t("appeal.unmatched"), form=form)
    if outcome.status == "nothing":
        return _page(request, status_code=409, error=t("appeal.nothing"), form=form)
    return RedirectResponse(f"/appeal?sent={outcome.reference}", status_code=303)
