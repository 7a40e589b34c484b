"""Public routes: log in, log out, choose the language, health. Nothing else is public."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse

from vigie.web.accounts import (
    authenticate,
    create_session,
    end_session,
    login_throttled,
    record_login,
)
from vigie.web.auth import cookie_name, current_principal, set_session_cookie
from vigie.web.context import web_context
from vigie.web.csrf import CSRF_FIELD, PRELOGIN_COOKIE, csrf_matches, csrf_token
from vigie.web.i18n import LANGUAGES
from vigie.web.templating import remember_choices, render

__all__ = ["PUBLIC_ROUTES", "router"]

router = APIRouter(include_in_schema=False)

#: (method, path) of every route reachable without an account; the role tests check that no
#: other route is.
PUBLIC_ROUTES = frozenset({
    ("GET", "/login"), ("POST", "/login"), ("POST", "/logout"), ("GET", "/lang/{code}"),
    ("GET", "/healthz"), ("GET", "/api/openapi.json"),
    ("GET", "/questions"), ("POST", "/questions"),  # directive 8: vigie.web.questions
    ("GET", "/appeal"), ("POST", "/appeal"),  # 6.2 and 7, authors: vigie.web.appeals
})


def safe_next(target: str | None) -> str:
    """A local path to go to after login; anything else (another site, ``//host``) → ``/``."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/queue"
    return target


def _login_page(request: Request, next_url: str, error: str = "",
                status_code: int = 200) -> Response:
    ctx = web_context(request)
    pre = request.cookies.get(PRELOGIN_COOKIE) or secrets.token_urlsafe(24)
    response = render(request, "login.html", {
        "next": next_url, "error": error,
        "login_csrf": csrf_token(ctx.settings.key, pre, "login"), "csrf_field": CSRF_FIELD,
    }, status_code=status_code)
    response.set_cookie(PRELOGIN_COOKIE, pre, max_age=3600, httponly=True, samesite="lax",
                        secure=ctx.settings.secure_cookies, path="/")
    return response


@router.get("/login")
def login_form(request: Request, next: str = "/queue") -> Response:
    """The login page (a logged-in visitor goes straight on)."""
    if current_principal(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_page(request, safe_next(next))


@router.post("/login")
def login(
    request: Request,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token_: Annotated[str, Form(alias=CSRF_FIELD)] = "",
    next: Annotated[str, Form()] = "/queue",
) -> Response:
    """Check the credentials (throttled), open a session and set its cookie."""
    from vigie.web.i18n import translator
    from vigie.web.templating import lang_of

    ctx = web_context(request)
    t = translator(lang_of(request))
    target = safe_next(next)
    if not csrf_matches(ctx.settings.key, request.cookies.get(PRELOGIN_COOKIE), csrf_token_,
                        "login"):
        return _login_page(request, target, t("login.expired"), 403)
    ip = request.client.host if request.client else "unknown"
    now = ctx.store.now()
    s = ctx.settings
    with ctx.store.begin() as conn:
        if login_throttled(conn, username, ip, now, window_s=s.login_window_s,
                           max_per_user=s.login_max_failures,
                           max_per_ip=s.login_max_failures_per_ip):
            response = _login_page(request, target, t("login.throttled"), 429)
            response.headers["Retry-After"] = str(s.login_window_s)
            return response
        user = authenticate(conn, ctx.passwords, username, password, now)
        record_login(conn, username, ip, user is not None, now)
        if user is None:
            return _login_page(request, target, t("login.failed"), 401)
        token = create_session(conn, user, now, s.session_ttl_s, ip,
                               request.headers.get("user-agent"))
    # After a reset, the temporary password is replaced before anything else.
    response = RedirectResponse("/account" if user.must_change_password else target,
                                status_code=303)
    set_session_cookie(response, s, token)
    response.delete_cookie(PRELOGIN_COOKIE, path="/")
    # The account's own language and time zone win over this browser's earlier choice.
    remember_choices(response, s.secure_cookies, lang=user.lang, zone=user.timezone)
    return response


@router.post("/logout")
def logout(request: Request,
           csrf_token_: Annotated[str, Form(alias=CSRF_FIELD)] = "") -> Response:
    """End the session (with a valid CSRF token) and go back to the login page.

    Without the token the request is refused (403) and the cookie kept: another site must not
    be able to sign the user out.
    """
    ctx = web_context(request)
    me = current_principal(request)
    if me is not None and me.session_token:
        if not csrf_matches(ctx.settings.key, me.session_token, csrf_token_):
            return PlainTextResponse("Jeton CSRF manquant ou invalide : rechargez la page. / "
                                     "Missing or invalid CSRF token: reload the page.",
                                     status_code=403)
        with ctx.store.begin() as conn:
            end_session(conn, me.session_token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(cookie_name(ctx.settings.secure_cookies), path="/")
    return response


@router.get("/lang/{code}")
def choose_language(request: Request, code: str, next: str = "/queue") -> Response:
    """Remember the interface language in a cookie and go back.

    Signed in, this overrides the account's language in this browser until the next sign-in;
    the account's own choice is changed on the account page (audited), not by a link.
    """
    response = RedirectResponse(safe_next(next), status_code=303)
    if code in LANGUAGES:
        remember_choices(response, web_context(request).settings.secure_cookies, lang=code)
    return response


@router.get("/healthz")
def health() -> Response:
    """Liveness probe: says nothing about the data."""
    return JSONResponse({"status": "ok"})
