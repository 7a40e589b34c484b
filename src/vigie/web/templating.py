"""Page rendering: one Jinja2 environment, autoescaped, with the translator and the caller.

Every page gets ``t`` (the translator of the chosen language), ``lang``, ``me`` (the
:class:`~vigie.web.auth.Principal` or ``None``), ``csrf`` (the token for forms) and ``path``.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from vigie.web.auth import current_principal
from vigie.web.i18n import LANG_COOKIE, Translator, translator

__all__ = ["environment", "lang_of", "render"]


def _when(value: dt.datetime | None) -> str:
    if value is None:
        return "—"
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _ago(value: dt.datetime | None, t: Translator) -> str:
    if value is None:
        return "—"
    seconds = max(0, int((dt.datetime.now(dt.UTC) - value).total_seconds()))
    if seconds < 3600:
        return t("age.minutes", n=seconds // 60)
    if seconds < 86400:
        return t("age.hours", n=seconds // 3600)
    return t("age.days", n=seconds // 86400)


def _query(base: dict[str, Any], **changes: Any) -> str:
    merged = {k: v for k, v in {**base, **changes}.items() if v not in (None, "")}
    return urlencode(merged)


@cache
def environment() -> Environment:
    """The Jinja2 environment (templates from the package; built once)."""
    folder = str(resources.files("vigie.web").joinpath("templates"))
    env = Environment(loader=FileSystemLoader(folder), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["when"] = _when
    env.filters["tojson_pretty"] = lambda v: json.dumps(v, ensure_ascii=False, indent=2,
                                                        default=str)
    env.globals["query"] = _query
    return env


def lang_of(request: Request) -> str:
    """The interface language: the ``vigie_lang`` cookie, else the settings' default."""
    default = request.app.state.vigie.settings.default_locale
    return translator(request.cookies.get(LANG_COOKIE), default).lang


def render(request: Request, template: str, context: dict[str, Any] | None = None,
           status_code: int = 200) -> HTMLResponse:
    """Render ``template`` with the common page variables."""
    t = translator(lang_of(request))
    me = current_principal(request)
    values = {
        "t": t, "lang": t.lang, "me": me, "csrf": me.csrf if me else "",
        "path": request.url.path, "ago": lambda v: _ago(v, t),
        "request_query": request.url.query, "msg": "", "error": "",
    }
    values.update(context or {})
    html = environment().get_template(template).render(**values)
    return HTMLResponse(html, status_code=status_code)
