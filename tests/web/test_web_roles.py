"""Every route refuses anonymous callers and enforces its permission for every role.

Routes are enumerated from the app's routes table (not listed by hand), so a route added later
is tested too: it must either declare exactly one permission with ``require(...)`` or be in the
explicit public list, else the first test fails.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from vigie.web.app import iter_routes
from vigie.web.auth import Requirement
from vigie.web.roles import Permission, can
from vigie.web.routes_auth import PUBLIC_ROUTES
from web_support import ROLES, add_users, login, make_app, seed

STATIC = ("GET", "/static")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    app = make_app(tmp_path_factory.mktemp("roles"))
    add_users(app)
    seed(app, 12)
    return app


def _requirement(route: object) -> Permission | None:
    found = [d.dependency.permission for d in getattr(route, "dependencies", [])
             if isinstance(d.dependency, Requirement)]
    dependant = getattr(route, "dependant", None)
    stack = list(getattr(dependant, "dependencies", []))
    while stack:
        dep = stack.pop()
        if isinstance(dep.call, Requirement):
            found.append(dep.call.permission)
        stack.extend(dep.dependencies)
    assert len(set(found)) <= 1, f"{route} declares several permissions: {found}"
    return found[0] if found else None


def _routes(app) -> list[tuple[str, str, Permission | None]]:  # type: ignore[no-untyped-def]
    return [(m, p, _requirement(r)) for m, p, r in iter_routes(app)]


def _url(path: str) -> str:
    # Real ids where they exist (item 1, author 1...), so allowed roles reach the handler.
    return re.sub(r"\{[^}]+\}", "1", path)


def test_every_route_is_public_on_purpose_or_declares_a_permission(app) -> None:  # type: ignore[no-untyped-def]
    routes = _routes(app)
    assert len(routes) > 40
    for method, path, permission in routes:
        if (method, path) in PUBLIC_ROUTES:
            assert permission is None, f"{method} {path} is public but declares {permission}"
        else:
            assert permission is not None, f"{method} {path} is neither public nor protected"


def test_auditor_can_never_change_anything(app) -> None:  # type: ignore[no-untyped-def]
    # Unsafe methods need a permission the auditor lacks, except judging a text (no write).
    for method, path, permission in _routes(app):
        if method == "GET" or (method, path) in PUBLIC_ROUTES or permission is None:
            continue
        if permission is Permission.CHECK:
            # Judging a text and checking a draft write nothing (stored nowhere).
            assert path.endswith(("/check", "/draft")), (
                f"{method} {path} uses the check permission")
            continue
        if permission is Permission.VERIFY_AUDIT:
            # Verifying the audit trail reads it, and appends only the event of its own run.
            assert path == "/audit/verify", f"{method} {path} uses the verify-audit permission"
            continue
        if permission is Permission.OWN_ACCOUNT:
            # Changing one's own password is every account's right, the auditor's included.
            assert path in {"/account/password", "/api/v1/me/password", "/account/zone",
                            "/account/preferences"}, (
                f"{method} {path} uses the own-account permission")
            continue
        assert not can("auditor", permission), f"auditor could {method} {path}"


def _call(client: TestClient, method: str, path: str, csrf: str | None):  # type: ignore[no-untyped-def]
    headers = {"x-csrf-token": csrf} if csrf else {}
    return client.request(method, _url(path), headers=headers, follow_redirects=False)


def test_anonymous_is_refused_everywhere_but_the_public_routes(app) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(app)
    checked = 0
    for method, path, _ in _routes(app):
        if (method, path) in PUBLIC_ROUTES:
            continue
        answer = _call(client, method, path, None)
        if path.startswith("/api/"):
            assert answer.status_code == 401, f"anonymous {method} {path}: {answer.status_code}"
            assert answer.json()["code"] == "not_authenticated"
            assert answer.headers["www-authenticate"] == "Bearer"
        else:
            assert answer.status_code == 303, f"anonymous {method} {path}: {answer.status_code}"
            assert answer.headers["location"].startswith("/login?next=")
        checked += 1
    assert checked > 40


def test_a_bad_bearer_token_or_forged_cookie_is_anonymous(app) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(app)
    assert client.get("/api/v1/me", headers={"authorization": "Bearer vigie_nope"}
                      ).status_code == 401
    assert client.get("/api/v1/me", headers={"authorization": "Basic YWRtaW46YWRtaW4="}
                      ).status_code == 401
    client.cookies.set("vigie_session", "forged.signature")
    assert client.get("/api/v1/me").status_code == 401


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_its_permissions(app, role: str) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(app)
    csrf = login(client, role)
    for method, path, permission in _routes(app):
        if (method, path) in PUBLIC_ROUTES or permission is None:
            continue
        if (method, path) == ("POST", "/logout"):
            continue
        answer = _call(client, method, path, csrf)
        if can(role, permission):
            assert answer.status_code not in (401, 403), (
                f"{role} refused on {method} {path} ({permission}): {answer.text[:200]}")
            assert answer.status_code < 500, f"{role} {method} {path}: {answer.text[:300]}"
        else:
            assert answer.status_code == 403, (
                f"{role} allowed on {method} {path} ({permission}): {answer.status_code}")


@pytest.mark.parametrize("role", ROLES)
def test_api_tokens_carry_their_role(app, role: str) -> None:  # type: ignore[no-untyped-def]
    from vigie.web.accounts import create_api_token, user_by_name

    ctx = app.state.vigie
    with ctx.store.begin() as conn:
        owner = user_by_name(conn, role)
        assert owner is not None
        secret, _ = create_api_token(conn, owner, f"{role}-integration", ctx.store.now())
    client = TestClient(app)
    headers = {"authorization": f"Bearer {secret}"}
    for method, path, permission in _routes(app):
        if not path.startswith("/api/") or permission is None:
            continue
        answer = client.request(method, _url(path), headers=headers)
        if can(role, permission):
            assert answer.status_code not in (401, 403), f"{role} token on {method} {path}"
        else:
            assert answer.status_code == 403, f"{role} token allowed on {method} {path}"


def test_state_changing_session_requests_need_the_csrf_token(app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(app)
    login(client, "admin")
    unsafe = [(m, p) for m, p, perm in _routes(app)
              if m != "GET" and perm is not None]
    assert unsafe
    for method, path in unsafe:
        answer = _call(client, method, path, None)
        assert answer.status_code == 403, f"{method} {path} without CSRF: {answer.status_code}"
        wrong = _call(client, method, path, "not-the-token")
        assert wrong.status_code == 403, f"{method} {path} with a wrong CSRF token"
# Pinned: changing who may call a route must be a deliberate edit of this table.
GOLDEN: dict[tuple[str, str], str | None] = {
    ("GET", "/api/openapi.json"): None,
    ("GET", "/login"): None,
    ("POST", "/login"): None,
    ("POST", "/logout"): None,
    ("GET", "/lang/{code}"): None,
    ("GET", "/healthz"): None,
    ("GET", "/api/v1/me"): "read",
    ("POST", "/api/v1/check"): "check",
    ("POST", "/api/v1/comments"): "submit",
    ("GET", "/api/v1/comments/{comment_pk}"): "read",
    ("GET", "/api/v1/decisions"): "read",
    ("GET", "/api/v1/queue"): "read",
    ("GET", "/api/v1/queue/{item_pk}"): "read",
    ("POST", "/api/v1/queue/{item_pk}/actions"): "act",
    ("POST", "/api/v1/queue/bulk"): "act",
    ("GET", "/api/v1/authors/{author_pk}"): "read",
    ("GET", "/api/v1/escalations"): "read",
    ("GET", "/api/v1/escalations/{escalation_pk}"): "read",
    ("POST", "/api/v1/escalations/{escalation_pk}/steps"): "resolve_escalation",
    ("GET", "/api/v1/comments/{comment_pk}/replies"): "read",
    ("POST", "/api/v1/comments/{comment_pk}/replies"): "reply",
    ("GET", "/api/v1/policy"): "read",
    ("GET", "/api/v1/policy/versions/{digest}"): "read",
    ("GET", "/api/v1/policy/diff"): "read",
    ("POST", "/api/v1/policy/versions"): "propose_policy",
    ("POST", "/api/v1/policy/versions/{digest}/approve"): "approve_policy",
    ("POST", "/api/v1/policy/versions/{digest}/refuse"): "approve_policy",
    ("GET", "/api/v1/pages"): "read",
    ("POST", "/api/v1/pages"): "manage",
    ("GET", "/api/v1/stats"): "read",
    ("GET", "/api/v1/audit"): "read",
    ("GET", "/api/v1/audit.csv"): "read",
    ("GET", "/api/v1/users"): "manage",
    ("POST", "/api/v1/users"): "manage",
    ("GET", "/api/v1/tokens"): "manage",
    ("POST", "/api/v1/tokens"): "manage",
    ("DELETE", "/api/v1/tokens/{token_pk}"): "manage",
    ("GET", "/"): "read",
    ("GET", "/queue"): "read",
    ("GET", "/items/{item_pk}"): "read",
    ("POST", "/items/{item_pk}/action"): "act",
    ("POST", "/queue/bulk"): "act",
    ("GET", "/authors/{author_pk}"): "read",
    ("POST", "/authors/{author_pk}/link"): "act",
    ("POST", "/authors/{author_pk}/unlink"): "act",
    ("GET", "/escalations"): "read",
    ("GET", "/escalations/{escalation_pk}"): "read",
    ("POST", "/escalations/{escalation_pk}/step"): "resolve_escalation",
    ("GET", "/comments/{comment_pk}"): "read",
    ("POST", "/comments/{comment_pk}/reply"): "reply",
    ("GET", "/stats"): "read",
    ("GET", "/stats.csv"): "read",
    ("GET", "/stats.json"): "read",
    ("GET", "/stats/charts/{name}.svg"): "read",
    ("GET", "/policy"): "read",
    ("GET", "/policy/diff"): "read",
    ("POST", "/policy/propose"): "propose_policy",
    ("POST", "/policy/{digest}/approve"): "approve_policy",
    ("GET", "/policy/edit"): "propose_policy",
    ("POST", "/policy/edit"): "propose_policy",
    ("POST", "/policy/{digest}/refuse"): "approve_policy",
    ("GET", "/audit"): "read",
    ("GET", "/audit.csv"): "read",
    ("GET", "/check"): "check",
    ("POST", "/check"): "check",
    ("GET", "/admin"): "manage",
    ("POST", "/admin/users"): "manage",
    ("POST", "/admin/tokens"): "manage",
    ("POST", "/admin/tokens/{token_pk}/revoke"): "manage",
    ("POST", "/admin/pages"): "manage",
    ("POST", "/api/v1/draft"): "check",
    ("GET", "/draft"): "check",
    ("POST", "/draft"): "check",
    ("GET", "/registry"): "read",
    ("GET", "/mentions"): "read",
    ("POST", "/api/v1/me/password"): "own_account",
    ("POST", "/api/v1/users/{user_pk}/password-reset"): "manage",
    ("GET", "/account"): "own_account",
    ("POST", "/account/password"): "own_account",
    ("POST", "/admin/users/{user_pk}/reset-password"): "manage",
    ("GET", "/api/v1/actions"): "read",
    ("POST", "/api/v1/actions/{comment_pk}/undo"): "act",
    ("POST", "/api/v1/actions/{comment_pk}/appeal"): "act",
    ("GET", "/actions"): "read",
    ("GET", "/api/v1/groups"): "read",
    ("GET", "/api/v1/groups/{item_pk}"): "read",
    ("POST", "/api/v1/groups/{item_pk}/actions"): "act",
    ("GET", "/groups/{item_pk}"): "read",
    ("POST", "/groups/{item_pk}/action"): "act",
    ("GET", "/queue.csv"): "read",
    ("GET", "/queue.json"): "read",
    ("GET", "/actions.csv"): "read",
    ("GET", "/actions.json"): "read",
    ("GET", "/audit.json"): "read",
    ("POST", "/account/zone"): "own_account",
    ("POST", "/account/preferences"): "own_account",
    ("POST", "/actions/{comment_pk}/undo"): "act",
    ("POST", "/actions/{comment_pk}/appeal"): "act",
    ("GET", "/questions"): None,
    ("POST", "/questions"): None,
    ("GET", "/appeal"): None,
    ("POST", "/appeal"): None,
    ("GET", "/questions/inbox"): "resolve_escalation",
    ("POST", "/questions/{pk}/answered"): "resolve_escalation",
    ("POST", "/draft/ask"): "act",
    ("GET", "/consultations"): "read",
    ("GET", "/consultations/{pk}"): "read",
    ("GET", "/privacy"): "privacy",
    ("GET", "/privacy/authors/{author_pk}"): "privacy",
    ("GET", "/privacy/authors/{author_pk}/export.json"): "privacy",
    ("GET", "/privacy/authors/{author_pk}/export.csv"): "privacy",
    ("POST", "/privacy/authors/{author_pk}/erase"): "privacy",
    ("POST", "/consultations/{pk}/answer"): "act",
    ("GET", "/page-requests"): "read",
    ("GET", "/page-requests/new"): "act",
    ("POST", "/page-requests"): "act",
    ("GET", "/page-requests/{pk}"): "read",
    ("POST", "/page-requests/{pk}/decide"): "approve_page",
    ("GET", "/group-tasks"): "read",
    ("POST", "/group-tasks/{pk}/close"): "resolve_escalation",
    ("GET", "/audit/verify"): "verify_audit",
    ("POST", "/audit/verify"): "verify_audit",
}


def test_route_permissions_match_the_pinned_table(app) -> None:  # type: ignore[no-untyped-def]
    actual = {(m, p): (perm.value if perm else None) for m, p, perm in _routes(app)}
    assert actual == GOLDEN
