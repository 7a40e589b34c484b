"""Page rendering: one Jinja2 environment, autoescaped, with the translator and the caller.

Every page gets ``t`` (the translator of the chosen language), ``lang``, ``me`` (the
:class:`~vigie.web.auth.Principal` or ``None``), ``csrf`` (the token for forms), ``path``, and
``period_banner``: the policy's period in force now, shown above every signed-in page.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape

from vigie.policy import Policy, effective_policy
from vigie.web.auth import current_principal
from vigie.web.explain import escalation_reason, evidence_text, summary
from vigie.web.formats import TZ_COOKIE, Formats, valid_zone
from vigie.web.i18n import LANG_COOKIE, LANGUAGES, translator

__all__ = ["environment", "formats_of", "lang_of", "remember_choices", "render", "zone_of"]


@pass_context
def _when(context: Any, value: dt.datetime | None) -> str:
    return str(context["fmt"].when(value))


@pass_context
def _num(context: Any, value: float | None, digits: int = 0) -> str:
    return str(context["fmt"].number(value, digits))


def _query(base: dict[str, Any], **changes: Any) -> str:
    merged = {k: v for k, v in {**base, **changes}.items() if v not in (None, "")}
    return urlencode(merged)


def _refusal(message: str, code: str = "") -> str:
    from vigie.web.messages import message_key

    key = message_key(message or "")
    if key == "err.refused" and code:
        by_code = {"invalid_policy": "err.invalid_policy", "invalid_request": "err.invalid_request",
                   "not_found": "err.not_found", "method_not_allowed": "err.method"}
        return by_code.get(code, "err.refused" if not code.startswith("forbidden") else
                           "err.forbidden")
    return key


@cache
def environment() -> Environment:
    """The Jinja2 environment (templates from the package; built once)."""
    folder = str(resources.files("vigie.web").joinpath("templates"))
    env = Environment(loader=FileSystemLoader(folder), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["when"] = _when
    env.filters["num"] = _num
    env.filters["tojson_pretty"] = lambda v: json.dumps(v, ensure_ascii=False, indent=2,
                                                        default=str)
    env.globals["query"] = _query
    env.globals["refusal"] = _refusal
    return env


def _account_choice(request: Request, name: str) -> str | None:
    """The signed-in account's own ``lang`` or ``timezone`` (``None``: anonymous or unset)."""
    me = current_principal(request)
    return getattr(me.user, name) if me is not None else None


def lang_of(request: Request) -> str:
    """The interface language: the ``vigie_lang`` cookie, else the account's, else the default.

    Signing in writes the account's choice into the cookie (:func:`remember_choices`), so the
    pages follow the account; the FR/EN switch rewrites only the cookie, for this browser
    until the next sign-in.
    """
    default = request.app.state.vigie.settings.default_locale
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen not in LANGUAGES:
        chosen = _account_choice(request, "lang")
    return translator(chosen, default).lang


def zone_of(request: Request) -> str:
    """The reader's time zone: the ``vigie_tz`` cookie, else the account's, else the default."""
    for chosen in (request.cookies.get(TZ_COOKIE), _account_choice(request, "timezone")):
        if chosen and valid_zone(chosen):
            return str(chosen)
    return str(request.app.state.vigie.settings.default_timezone)


def remember_choices(response: Response, secure: bool, *, lang: str | None = None,
                     zone: str | None = None) -> None:
    """Keep a language and/or a time zone in this browser's cookies (``None``: left as is)."""
    for name, value in ((LANG_COOKIE, lang), (TZ_COOKIE, zone)):
        if value:
            response.set_cookie(name, value, max_age=365 * 86400, samesite="lax",
                                secure=secure, path="/")


def formats_of(request: Request) -> Formats:
    """Date and number formats for the reader's language and time zone."""
    return Formats(lang_of(request), zone_of(request))


def _period_banner(policy: Policy, now: dt.datetime, lang: str, fmt: Formats
                   ) -> dict[str, str] | None:
    """The period in force now (name, description, first and last day), or ``None``."""
    period = effective_policy(policy, now).active_period
    if period is None:
        return None
    first, last = period.days(now)
    label, description = ((period.label.fr, period.description.fr) if lang == "fr"
                          else (period.label.en, period.description.en))
    return {"label": label, "description": description,
            "first": fmt.day(first), "last": fmt.day(last)}


def render(request: Request, template: str, context: dict[str, Any] | None = None,
           status_code: int = 200) -> HTMLResponse:
    """Render ``template`` with the common page variables."""
    t = translator(lang_of(request))
    fmt = formats_of(request)
    me = current_principal(request)
    ctx = request.app.state.vigie
    policy = ctx.policy
    labels = {c.slug: (c.label.fr if t.lang == "fr" else c.label.en)
              for c in (*policy.categories, *policy.escalations)}
    values = {
        "t": t, "lang": t.lang, "me": me, "csrf": me.csrf if me else "",
        "path": request.url.path, "ago": fmt.ago, "fmt": fmt, "cat_labels": labels,
        "evidence": lambda finding: evidence_text(finding, t),
        "explain": lambda decision: summary(decision, labels, t, fmt),
        "escalation_reason": lambda row: escalation_reason(row, policy, t, fmt),
        "request_query": request.url.query, "msg": "", "error": "", "error_text": "",
        # A period (6 December) changes how comments are judged: every page says so.
        "period_banner": _period_banner(policy, ctx.store.now(), t.lang, fmt) if me else None,
    }
    values.update(context or {})
    html = environment().get_template(template).render(**values)
    return HTMLResponse(html, status_code=status_code)
