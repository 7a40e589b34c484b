"""The FastAPI application factory: :func:`create_app`.

One app serves the REST API under ``/api/v1`` (OpenAPI at ``/api/openapi.json``) and the
dashboard (server-rendered pages) everywhere else. Nothing is fetched from the internet: the
styles, the script and the charts (inline SVG drawn on the server) ship in the package.

Errors are translated here and only here: authentication and permission failures, Vigie errors
and unknown records become ``{"code", "message"}`` JSON under ``/api`` and pages elsewhere.

Connectors' webhook receivers (``handle_facebook_webhook(headers, raw_body)`` and the like) are
mounted by passing routers in ``extra_routers``: they authenticate with the platform's
signature, not with an account, so each must be added to the public list of the role tests.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from functools import partial
from importlib import resources
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from vigie.errors import PolicyError, StoreError, VigieError
from vigie.policy import Policy, load_policy
from vigie.store.escalation_handling import EscalationError
from vigie.store.review import ReviewError
from vigie.store.store import Store, open_store
from vigie.version import __version__
from vigie.web.accounts import Passwords
from vigie.web.auth import Forbidden, NotAuthenticated, PasswordChangeRequired
from vigie.web.context import WebContext, ensure_web_schema
from vigie.web.settings import WebSettings
from vigie.web.templating import render

__all__ = ["create_app"]

log = logging.getLogger(__name__)

_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error(request: Request, status: int, code: str, message: str) -> Response:
    if _is_api(request):
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse({"code": code, "message": message}, status_code=status,
                            headers=headers)
    return render(request, "error.html", {"status": status, "code": code, "message": message},
                  status_code=status)


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotAuthenticated)
    async def _anonymous(request: Request, exc: NotAuthenticated) -> Response:
        if _is_api(request):
            return _error(request, 401, "not_authenticated", str(exc))
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> Response:
        return _error(request, 403, f"forbidden_{exc.reason}", str(exc))

    @app.exception_handler(PasswordChangeRequired)
    async def _change_first(request: Request, exc: PasswordChangeRequired) -> Response:
        if _is_api(request):
            return _error(request, 403, "password_change_required", str(exc))
        return RedirectResponse("/account", status_code=303)

    @app.exception_handler(ReviewError)
    async def _review(request: Request, exc: ReviewError) -> Response:
        return _error(request, 409, "invalid_review_action", str(exc))

    @app.exception_handler(EscalationError)
    async def _escalation(request: Request, exc: EscalationError) -> Response:
        return _error(request, 409, "invalid_escalation_step", str(exc))

    @app.exception_handler(PolicyError)
    async def _policy(request: Request, exc: PolicyError) -> Response:
        return _error(request, 422, "invalid_policy", str(exc))

    @app.exception_handler(StoreError)
    async def _store(request: Request, exc: StoreError) -> Response:
        return _error(request, 409, "refused", str(exc))

    @app.exception_handler(VigieError)
    async def _vigie(request: Request, exc: VigieError) -> Response:
        return _error(request, 422, type(exc).__name__.lower(), str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return _error(request, exc.status_code, code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        details = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}"
            for e in exc.errors()
        )
        return _error(request, 422, "invalid_request", details[:2000])


def _security_headers(app: FastAPI) -> None:
    @app.middleware("http")
    async def _headers(request: Request,
                       call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", _CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def build_context(settings: WebSettings, store: Store | None = None,
                  pipeline: Any = None) -> WebContext:
    """Open the store, migrate it and load the policy and pipeline (once, at start-up).

    Args:
        settings: validated settings.
        store: an already-open store (tests); default: opened from ``settings.database_url``.
        pipeline: an already-built pipeline (tests); default: built when ``load_pipeline``.

    Raises:
        StoreError: the database cannot be opened or migrated.
        PolicyError: the policy file is invalid.
    """
    store = store or open_store(settings.database_url)
    ensure_web_schema(store.engine)
    policy = load_policy(settings.policy_path)
    if pipeline is None and settings.load_pipeline:
        from vigie.pipeline import Pipeline

        pipeline = Pipeline.from_policy(policy)
    drafts = pipelines = None
    if pipeline is not None:
        from vigie.monitoring.draft import DraftChecker
        from vigie.monitoring.registry import load_book
        from vigie.routing import PolicyRouter

        pipelines = PolicyRouter(policy, partial(_pipeline_for, pipeline))

        # Built once, like the pipeline; the phrases are compiled here. The registry and the
        # mandates are re-read for each check (vigie.web.monitoring.check_draft).
        drafts = DraftChecker(pipeline, load_book(store), clock=store.now)
    return WebContext(settings=settings, store=store,
                      passwords=Passwords(fast=settings.fast_password_hashing),
                      policy=policy, pipeline=pipeline, pipelines=pipelines, drafts=drafts)


def _pipeline_for(built: Any, policy: Policy) -> Any:
    """``built`` for its own policy; for another (a period's, a stored version's), a new one."""
    if policy.digest == built.policy.digest:
        return built
    from vigie.pipeline import Pipeline

    return Pipeline.from_policy(policy)


def create_app(settings: WebSettings, *, store: Store | None = None, pipeline: Any = None,
               extra_routers: Sequence[APIRouter] = ()) -> FastAPI:
    """Build the web application.

    Args:
        settings: validated settings (see :func:`vigie.web.settings.load_web_settings`).
        store: an open store to use instead of opening ``settings.database_url``.
        pipeline: a pipeline to use instead of building one from the policy.
        extra_routers: routers mounted as they are (e.g. connectors' webhook receivers).

    Returns:
        The FastAPI app; its state is built immediately, so a bad database or policy fails
        here, at start-up, not at the first request.

    Raises:
        StoreError: the database cannot be opened or migrated.
        PolicyError: the policy file is invalid.
    """
    from vigie.web import (
        questions,
        routes_api,
        routes_appeals,
        routes_audit,
        routes_auth,
        routes_authors,
        routes_escalations,
        routes_export,
        routes_groups,
        routes_monitoring,
        routes_page_requests,
        routes_policy,
        routes_privacy,
        routes_replies,
        routes_stats,
        routes_ui,
        routes_undo,
    )

    context = build_context(settings, store, pipeline)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> Any:
        yield
        if store is None:  # we opened it, we close it
            context.store.dispose()

    app = FastAPI(
        title="Vigie", version=__version__, lifespan=lifespan,
        summary="Moderation of an institution's official social-media pages: decisions, "
                "review queue, audit log.",
        openapi_url="/api/openapi.json", docs_url=None, redoc_url=None,
    )
    app.state.vigie = context
    _install_handlers(app)
    _security_headers(app)
    static = resources.files("vigie.web").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    app.include_router(routes_auth.router)
    # Monitoring API first: the token test walks routes in order and revokes tokens last.
    app.include_router(routes_monitoring.api_router)
    app.include_router(routes_undo.api_router)
    app.include_router(routes_groups.api_router)
    app.include_router(routes_escalations.api_router)
    app.include_router(routes_replies.api_router)
    app.include_router(routes_stats.api_router)
    app.include_router(routes_api.router)
    app.include_router(routes_audit.router)
    app.include_router(routes_ui.router)
    app.include_router(routes_policy.router)
    app.include_router(routes_authors.router)
    app.include_router(routes_monitoring.router)
    app.include_router(routes_page_requests.router)
    app.include_router(routes_undo.router)
    app.include_router(routes_export.router)
    app.include_router(routes_stats.router)
    app.include_router(routes_groups.router)
    app.include_router(routes_escalations.router)
    app.include_router(routes_privacy.router)
    app.include_router(routes_replies.router)
    app.include_router(questions.router)
    app.include_router(routes_appeals.router)
    for router in extra_routers:
        app.include_router(router)
    return app


def iter_routes(app: FastAPI) -> list[tuple[str, str, Any]]:
    """Every ``(method, path, route)`` the app serves, included routers flattened.

    Used by the role tests so that a new route cannot escape them. Works with FastAPI's
    lazily included routers (0.16x) and with plain route lists.
    """
    out: list[tuple[str, str, Any]] = []

    def walk(routes: Sequence[Any]) -> None:
        for route in routes:
            if hasattr(route, "effective_candidates"):
                walk([getattr(c, "original_route", c) if not hasattr(c, "effective_candidates")
                      else c for c in route.effective_candidates()])
            elif getattr(route, "methods", None):
                for method in sorted(route.methods - {"HEAD"}):
                    out.append((method, route.path, route))

    walk(app.routes)
    return out
