"""Password change by the account holder and reset by an administrator, on real databases
(SQLite and PostgreSQL) through the app's HTTP interface: sessions ended, API tokens kept,
throttling shared with the login, the forced change after a reset, and the audit log."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from vigie.store.events import verify_chain
from vigie.web.accounts import (
    TEMPORARY_PASSWORD_TTL_S,
    authenticate,
    create_api_token,
    reset_password,
    user_by_name,
)
from web_support import PASSWORDS, add_users, login, make_app

NEW = "a-brand-new-passphrase"


@pytest.fixture
def app(tmp_path: Path, db_url: str):  # type: ignore[no-untyped-def]
    app = make_app(tmp_path, db_url, login_max_failures=3)
    add_users(app)
    return app


def _pk(app: Any, username: str) -> int:
    ctx = app.state.vigie
    with ctx.store.begin() as conn:
        user = user_by_name(conn, username)
    assert user is not None
    return user.pk


def _token(app: Any, username: str) -> str:
    ctx = app.state.vigie
    with ctx.store.begin() as conn:
        owner = user_by_name(conn, username)
        assert owner is not None
        secret, _ = create_api_token(conn, owner, "integration", ctx.store.now())
    return secret


def _change(client: TestClient, csrf: str, current: str, new: str,
            confirm: str | None = None) -> Any:
    return client.post("/account/password", data={
        "csrf_token": csrf, "current_password": current, "new_password": new,
        "confirm_password": new if confirm is None else confirm}, follow_redirects=False)


def _try_login(app: Any, username: str, password: str) -> Any:
    client = TestClient(app)
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token.group(1)}, follow_redirects=False)


def _events(app: Any, kind: str) -> list[dict[str, Any]]:
    admin = TestClient(app)
    admin.headers["authorization"] = f"Bearer {_token(app, 'admin')}"
    events: list[dict[str, Any]] = admin.get(f"/api/v1/audit?kind={kind}").json()["events"]
    return events


def _audit_text(app: Any) -> str:
    with app.state.vigie.store.read() as conn:
        assert verify_chain(conn).ok
    admin = TestClient(app)
    admin.headers["authorization"] = f"Bearer {_token(app, 'admin')}"
    return json.dumps(admin.get("/api/v1/audit?limit=500").json())


# -- the holder changes their password -----------------------------------------------------

def test_change_ends_the_other_sessions_keeps_this_one_and_the_api_tokens(app) -> None:  # type: ignore[no-untyped-def]
    here, elsewhere = TestClient(app), TestClient(app)
    csrf = login(here, "moderator")
    login(elsewhere, "moderator")
    old_cookie = here.cookies.get("vigie_session")
    secret = _token(app, "admin")  # tokens belong to admins; one must survive its owner's change
    admin = TestClient(app)
    admin_csrf = login(admin, "admin")

    answer = _change(here, csrf, PASSWORDS["moderator"], NEW)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/account?msg=account.changed"
    assert here.cookies.get("vigie_session") not in (None, old_cookie)  # the session is rotated
    assert 'role="status">Mot de passe changé' in here.get(answer.headers["location"]).text
    assert here.get("/api/v1/me").json()["username"] == "moderator"
    assert elsewhere.get("/api/v1/me").status_code == 401
    replay = TestClient(app)
    replay.cookies.set("vigie_session", old_cookie or "")
    assert replay.get("/api/v1/me").status_code == 401
    assert _try_login(app, "moderator", PASSWORDS["moderator"]).status_code == 401
    assert _try_login(app, "moderator", NEW).status_code == 303

    assert _change(admin, admin_csrf, PASSWORDS["admin"], NEW).status_code == 303
    bearer = {"authorization": f"Bearer {secret}"}
    assert TestClient(app).get("/api/v1/me", headers=bearer).status_code == 200

    changed = {e["subject_id"]: e for e in _events(app, "password_changed")}
    assert (changed["moderator"]["actor"], changed["moderator"]["subject_type"]) == (
        "moderator", "account")
    assert changed["moderator"]["payload"] == {"sessions_ended": 2}
    assert changed["admin"]["payload"] == {"sessions_ended": 1}
    text = _audit_text(app)
    assert NEW not in text and PASSWORDS["moderator"] not in text


@pytest.mark.parametrize(("current", "new", "confirm", "message"), [
    ("", NEW, NEW, "Remplissez les trois champs"),
    (PASSWORDS["auditor"], "short-1", "short-1", "Le nouveau mot de passe doit compter au "
                                                 "moins 10 caractères"),
    (PASSWORDS["auditor"], NEW, NEW + "x", "Les deux saisies"),
    (PASSWORDS["auditor"], PASSWORDS["auditor"], PASSWORDS["auditor"],
     "Le nouveau mot de passe doit différer"),
])
def test_a_refused_new_password_changes_nothing(app, current: str, new: str, confirm: str,  # type: ignore[no-untyped-def]
                                                message: str) -> None:
    client = TestClient(app)
    csrf = login(client, "auditor")  # the read-only role may change its own password
    answer = _change(client, csrf, current, new, confirm)
    assert answer.status_code == 422
    assert f'role="alert">{message}' in answer.text
    assert client.get("/api/v1/me").status_code == 200  # the session goes on
    assert _try_login(app, "auditor", PASSWORDS["auditor"]).status_code == 303
    assert _events(app, "password_changed") == []


def test_wrong_current_passwords_are_throttled_like_logins(app) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(app)
    csrf = login(client, "moderator")
    for _ in range(3):
        wrong = _change(client, csrf, "not-my-password", NEW)
        assert wrong.status_code == 400
        assert 'role="alert">Mot de passe actuel incorrect' in wrong.text
    locked = _change(client, csrf, PASSWORDS["moderator"], NEW)
    assert locked.status_code == 429 and "Retry-After" in locked.headers
    # The same counter as the login: a stolen session cannot guess the password, nor can
    # anyone else for this account, until the window passes.
    assert _try_login(app, "moderator", PASSWORDS["moderator"]).status_code == 429
    assert _try_login(app, "auditor", PASSWORDS["auditor"]).status_code == 303
    assert client.get("/api/v1/me").status_code == 200  # nothing changed, nothing ended


def test_api_change_with_a_session_rotates_the_cookie(app) -> None:  # type: ignore[no-untyped-def]
    client, other = TestClient(app), TestClient(app)
    csrf = login(client, "community_manager")
    login(other, "community_manager")
    h = {"x-csrf-token": csrf}
    wrong = client.post("/api/v1/me/password", headers=h, json={
        "current_password": "nope", "new_password": NEW})
    assert wrong.status_code == 400 and wrong.json()["code"] == "wrong_password"
    weak = client.post("/api/v1/me/password", headers=h, json={
        "current_password": PASSWORDS["community_manager"], "new_password": "short"})
    assert weak.status_code == 422
    same = client.post("/api/v1/me/password", headers=h, json={
        "current_password": PASSWORDS["community_manager"],
        "new_password": PASSWORDS["community_manager"]})
    assert same.status_code == 422 and "differ" in same.json()["message"]
    done = client.post("/api/v1/me/password", headers=h, json={
        "current_password": PASSWORDS["community_manager"], "new_password": NEW})
    assert done.status_code == 204
    assert "vigie_session=" in done.headers["set-cookie"]
    assert client.get("/api/v1/me").status_code == 200
    assert other.get("/api/v1/me").status_code == 401


def test_api_change_with_a_token_ends_every_session_and_keeps_the_token(app) -> None:  # type: ignore[no-untyped-def]
    browser = TestClient(app)
    login(browser, "admin")
    bot = TestClient(app)
    bot.headers["authorization"] = f"Bearer {_token(app, 'admin')}"
    done = bot.post("/api/v1/me/password", json={"current_password": PASSWORDS["admin"],
                                                 "new_password": NEW})
    assert done.status_code == 204 and "set-cookie" not in done.headers
    assert browser.get("/api/v1/me").status_code == 401
    assert bot.get("/api/v1/me").json()["via"] == "token"
    assert _events(app, "password_changed")[-1]["actor"] == "admin (api token)"


# -- an administrator resets someone's password --------------------------------------------

def _temporary(page: str) -> str:
    found = re.search(r'id="temporary-password">[^<]*<code>([^<]+)</code>', page)
    assert found, page[:500]
    return found.group(1)


def test_reset_forces_a_new_password_at_the_next_sign_in(app) -> None:  # type: ignore[no-untyped-def]
    moderator = TestClient(app)
    login(moderator, "moderator")
    for _ in range(3):  # the holder locked themselves out before asking for a reset
        assert _try_login(app, "moderator", "forgotten-it").status_code == 401
    admin = TestClient(app)
    csrf = login(admin, "admin")
    answer = admin.post(f"/admin/users/{_pk(app, 'moderator')}/reset-password",
                        data={"csrf_token": csrf})
    assert answer.status_code == 200
    temporary = _temporary(answer.text)
    assert len(temporary) >= 10
    assert "changement de mot de passe attendu" in admin.get("/admin").text
    assert temporary not in admin.get("/admin").text  # shown once
    assert moderator.get("/api/v1/me").status_code == 401  # its sessions ended
    assert _try_login(app, "moderator", PASSWORDS["moderator"]).status_code == 401

    first = _try_login(app, "moderator", temporary)
    assert first.status_code == 303 and first.headers["location"] == "/account"
    client = TestClient(app)
    csrf = login(client, "moderator", temporary)
    for path in ("/queue", "/items/1", "/admin"):
        held = client.get(path, follow_redirects=False)
        assert (held.status_code, held.headers["location"]) == (303, "/account"), path
    api = client.get("/api/v1/queue")
    assert api.status_code == 403 and api.json()["code"] == "password_change_required"
    blocked = client.post("/queue/bulk", data={"csrf_token": csrf}, follow_redirects=False)
    assert blocked.headers["location"] == "/account"
    assert 'id="must-change"' in client.get("/account").text

    assert _change(client, csrf, temporary, temporary).status_code == 422  # not kept
    assert _change(client, csrf, temporary, NEW).status_code == 303
    assert client.get("/queue").status_code == 200
    assert 'id="must-change"' not in client.get("/account").text
    assert _try_login(app, "moderator", temporary).status_code == 401

    reset = _events(app, "password_reset")[-1]
    assert (reset["actor"], reset["subject_id"], reset["payload"]) == (
        "admin", "moderator", {"sessions_ended": 1})
    assert _events(app, "password_changed")[-1]["actor"] == "moderator"
    text = _audit_text(app)
    assert temporary not in text and NEW not in text


def test_reset_refusals(app) -> None:  # type: ignore[no-untyped-def]
    admin = TestClient(app)
    csrf = login(admin, "admin")
    self_reset = admin.post(f"/admin/users/{_pk(app, 'admin')}/reset-password",
                            data={"csrf_token": csrf})
    assert self_reset.status_code == 422
    assert "se change dans Mon compte, avec le mot de passe actuel" in self_reset.text
    assert 'id="temporary-password"' not in self_reset.text
    assert admin.post("/admin/users/999999/reset-password",
                      data={"csrf_token": csrf}).status_code == 404
    assert admin.get("/api/v1/me").status_code == 200  # still signed in, password unchanged
    assert _events(app, "password_reset") == []


def test_api_reset_returns_the_temporary_password_once(app) -> None:  # type: ignore[no-untyped-def]
    bot = TestClient(app)
    bot.headers["authorization"] = f"Bearer {_token(app, 'admin')}"
    answer = bot.post(f"/api/v1/users/{_pk(app, 'auditor')}/password-reset")
    assert answer.status_code == 200
    body = answer.json()
    assert body["username"] == "auditor" and body["must_change_password"] is True
    assert _try_login(app, "auditor", body["temporary_password"]).headers["location"] == (
        "/account")
    assert bot.post("/api/v1/users/999999/password-reset").status_code == 404
    own = bot.post(f"/api/v1/users/{_pk(app, 'admin')}/password-reset")
    assert own.status_code == 422
    assert _events(app, "password_reset")[-1]["actor"] == "admin (api token)"


def test_a_temporary_password_expires(app) -> None:  # type: ignore[no-untyped-def]
    ctx = app.state.vigie
    now = dt.datetime(2025, 3, 18, 12, 0, tzinfo=dt.UTC)
    with ctx.store.begin() as conn:
        user = user_by_name(conn, "moderator")
        assert user is not None
        reset = reset_password(conn, ctx.passwords, user, now, by="admin")
        life = dt.timedelta(seconds=TEMPORARY_PASSWORD_TTL_S)
        assert authenticate(conn, ctx.passwords, "moderator", reset.password,
                            now + life - dt.timedelta(minutes=1)) is not None
        assert authenticate(conn, ctx.passwords, "moderator", reset.password,
                            now + life + dt.timedelta(minutes=1)) is None
