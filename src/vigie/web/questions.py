"""Questions about the directive (section 8): a public page, and an inbox for the community manager.

Directive 8: questions about the directive go to the community manager. ``GET /questions`` is
public (French by default, English with the language switch): the directive in force — its
title, version, approval, every category with its clause, what is routed to the community
manager, the period in force if one is — and a form. ``POST /questions`` stores the question in
``web_questions`` for the community manager (``/questions/inbox``, who marks it answered).

Abuse is bounded without an account:

* a CSRF token bound to a pre-form cookie (as on the login page), and a honeypot field that
  people leave empty and form-filling robots do not;
* a rate limit per client: at most ``questions_max_per_client`` questions within
  ``questions_window_s`` (429 with ``Retry-After`` past it). The client is kept as a keyed
  digest of its address (HMAC with the app's key), never the address itself;
* the pipeline's spam signals: the question goes through the same detectors as a comment, and
  one whose ``spam.*`` findings reach the review threshold of the categories they count toward
  is kept with the status ``spam`` (out of the inbox's default view, never deleted). The
  visitor sees the same thanks either way: a spammer learns nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, insert, select, update

from vigie.policy import Policy, effective_policy
from vigie.records import Author, Comment, Platform
from vigie.web.auth import Resolver
from vigie.web.context import WebContext, web_context
from vigie.web.csrf import CSRF_FIELD
from vigie.web.i18n import translator
from vigie.web.models import web_questions
from vigie.web.public_forms import client_digest, form_token, keep_preform, preform, preform_ok
from vigie.web.templating import lang_of, render

__all__ = ["PUBLIC_QUESTION_ROUTES", "router", "spam_check"]

router = APIRouter(include_in_schema=False)

#: The public routes of this module (added to :data:`vigie.web.routes_auth.PUBLIC_ROUTES`).
PUBLIC_QUESTION_ROUTES = frozenset({("GET", "/questions"), ("POST", "/questions")})
_PURPOSE = "question"
MIN_CHARS, MAX_CHARS = 10, 2000


def spam_check(ctx: WebContext, text: str, now: dt.datetime
               ) -> tuple[float | None, list[str], bool]:
    """``(strongest spam score, spam signals, is spam)`` by the pipeline's detectors.

    ``None`` as the score when the app runs without a pipeline (the question is then kept as
    ``new``, unchecked).
    """
    if ctx.pipeline is None:
        return None, [], False
    question = Comment(id="question:0", platform=Platform.WORDPRESS, text=text, created_at=now,
                       author=Author(id="question:visitor"))
    with ctx.lock:  # the detectors are shared with the dashboard's request threads
        analysis = ctx.pipeline.analyse([question])[0]
    policy = ctx.policy
    spam = [f for f in analysis.findings if f.signal.startswith("spam.")]
    flagged = False
    for finding in spam:
        thresholds = [policy.thresholds(rule)[0] for rule in policy.categories_for(finding.signal)]
        if finding.score >= min(thresholds, default=policy.defaults.review_threshold):
            flagged = True
    score = max((f.score for f in spam), default=0.0)
    return score, sorted({f.signal for f in spam}), flagged


def _directive(policy: Policy, lang: str, now: dt.datetime) -> dict[str, Any]:
    def pick(text: Any) -> str:
        return str(text.fr if lang == "fr" else text.en)

    period = effective_policy(policy, now).active_period
    return {
        "title": pick(policy.title), "institution": policy.institution,
        "version": policy.version, "effective": policy.effective_date.isoformat(),
        "approval": policy.approval.reference,
        "categories": [{"clause": c.clause, "label": pick(c.label),
                        "description": pick(c.description)} for c in policy.categories],
        "escalations": [{"clause": e.clause, "label": pick(e.label),
                         "description": pick(e.description)} for e in policy.escalations],
        "period": {"label": pick(period.label), "description": pick(period.description)}
        if period is not None else None,
    }


def _page(request: Request, *, status_code: int = 200, sent: bool = False, error: str = "",
          form: dict[str, str] | None = None) -> Response:
    ctx = web_context(request)
    lang = lang_of(request)
    pre = preform(request)
    response = render(request, "questions.html", {
        "directive": _directive(ctx.policy, lang, ctx.store.now()), "sent": sent,
        "question_error": error, "form": form or {}, "csrf_field": CSRF_FIELD,
        "question_csrf": form_token(ctx.settings.key, pre, _PURPOSE),
        "min_chars": MIN_CHARS, "max_chars": MAX_CHARS,
    }, status_code=status_code)
    return keep_preform(response, pre, ctx.settings.secure_cookies)


@router.get("/questions")
def questions_page(request: Request, sent: bool = False) -> Response:
    """The directive in force and the question form (public)."""
    return _page(request, sent=sent)


@router.post("/questions")
def ask(
    request: Request,
    text: Annotated[str, Form(max_length=MAX_CHARS * 2)] = "",
    name: Annotated[str, Form(max_length=255)] = "",
    email: Annotated[str, Form(max_length=255)] = "",
    website: Annotated[str, Form(max_length=255)] = "",
    csrf_token_: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> Response:
    """Store a question for the community manager (rate-limited, spam-checked)."""
    ctx = web_context(request)
    lang = lang_of(request)
    t = translator(lang)
    form = {"text": text, "name": name, "email": email}
    if not preform_ok(request, ctx.settings.key, csrf_token_, _PURPOSE):
        return _page(request, status_code=403, error=t("questions.expired"), form=form)
    text = text.strip()
    if not MIN_CHARS <= len(text) <= MAX_CHARS:
        return _page(request, status_code=422, form=form,
                     error=t("questions.length", min=MIN_CHARS, max=MAX_CHARS))
    if email.strip() and ("@" not in email or " " in email.strip()):
        return _page(request, status_code=422, error=t("questions.bad_email"), form=form)
    now = ctx.store.now()
    client = client_digest(ctx.settings.key, request, _PURPOSE)
    s = ctx.settings
    since = now - dt.timedelta(seconds=s.questions_window_s)
    with ctx.store.begin() as conn:
        recent = conn.execute(select(func.count()).select_from(web_questions).where(
            web_questions.c.client == client, web_questions.c.asked_at >= since)).scalar_one()
        if recent >= s.questions_max_per_client:
            response = _page(request, status_code=429, error=t("questions.throttled"),
                             form=form)
            response.headers["Retry-After"] = str(s.questions_window_s)
            return response
    score: float | None
    if website.strip():  # the honeypot: people never see this field
        score, signals, flagged = 1.0, ["honeypot"], True
    else:
        score, signals, flagged = spam_check(ctx, text, now)
    with ctx.store.begin() as conn:
        conn.execute(insert(web_questions).values(
            asked_at=now, lang=lang, name=name.strip() or None, email=email.strip() or None,
            text=text, client=client, status="spam" if flagged else "new",
            spam_score=score, spam_signals=json.dumps(signals)))
    return RedirectResponse("/questions?sent=1", status_code=303)


@router.get("/questions/inbox")
def inbox(request: Request, _: Resolver,
          status: Annotated[str, Query(pattern=r"^(new|spam|answered|all)$")] = "new"
          ) -> Response:
    """The community manager's questions (``new`` by default; ``spam``, ``answered``, ``all``)."""
    query = select(web_questions).order_by(web_questions.c.pk.desc()).limit(500)
    if status != "all":
        query = query.where(web_questions.c.status == status)
    with web_context(request).read() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
    return render(request, "questions_inbox.html", {"rows": rows, "status": status})


@router.post("/questions/{pk}/answered")
def answered(request: Request, pk: int, me: Resolver) -> Response:
    """Mark a question answered (the answer itself goes by e-mail, outside Vigie)."""
    ctx = web_context(request)
    with ctx.store.begin() as conn:
        conn.execute(update(web_questions).where(web_questions.c.pk == pk).values(
            status="answered", answered_at=ctx.store.now(), answered_by=me.user.username))
    return RedirectResponse("/questions/inbox", status_code=303)
