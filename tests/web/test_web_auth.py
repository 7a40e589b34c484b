"""Accounts, sessions, CSRF, throttling, API tokens and the settings' refusals."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from vigie.web.accounts import (
    AccountError,
    Passwords,
    authenticate,
    create_api_token,
    create_user,
    resolve_api_token,
    user_by_name,
)
from vigie.web.models import web_api_tokens, web_sessions, web_users
from vigie.web.roles import Role
from vigie.web.routes_auth import safe_next
from vigie.web.settings import WebSettingsError, load_web_settings
from web_support import PASSWORDS, add_users, login, make_app

NOW = dt.datetime(2025, 3, 18, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def app(tmp_path: Path):  # type: ignore[no-untyped-def]
    app = make_app(tmp_path, login_max_failures=3)
    add_users(app)
    return app


# -- settings ------------------------------------------------------------------------------

@pytest.mark.parametrize(("options", "message"), [
    ({"mode": "production"}, "secret_key"),                                  # no key at all
    ({"mode": "production", "secret_key": "changethis"}, "secret_key"),     # placeholder
    ({"mode": "production", "secret_key": "x" * 20}, "secret_key"),          # too short
    ({"mode": "production", "secret_key": "k" * 40, "cookie_secure": False}, "cookie_secure"),
    ({"mode": "dev", "fast_password_hashing": True}, "fast_password_hashing"),
    ({"mode": "staging"}, "mode"),
])
def test_unsafe_settings_are_refused(options: dict[str, object], message: str) -> None:
    with pytest.raises(WebSettingsError, match=message):
        load_web_settings(env={}, database_url="x.sqlite", **options)


@pytest.mark.parametrize(("options", "secure"), [
    ({"mode": "production", "secret_key": "k" * 40}, True),
    ({"mode": "dev"}, False),                       # loopback HTTP: a random key is drawn
    ({"mode": "demo", "cookie_secure": True}, True),
])
def test_safe_settings_are_accepted(options: dict[str, object], secure: bool) -> None:
    settings = load_web_settings(env={}, database_url="x.sqlite", **options)
    assert settings.secure_cookies is secure
    assert len(settings.key) >= 32


def test_dev_mode_draws_a_different_random_key_each_time() -> None:
    a = load_web_settings(env={}, mode="dev", database_url="x.sqlite")
    b = load_web_settings(env={}, mode="dev", database_url="x.sqlite")
    assert a.key != b.key


def test_settings_read_the_environment() -> None:
    env = {"VIGIE_WEB_MODE": "production", "VIGIE_SECRET_KEY": "s" * 48,
           "VIGIE_DEFAULT_LOCALE": "en", "VIGIE_DATABASE_URL": "/tmp/x.sqlite"}
    settings = load_web_settings(env=env)
    assert (settings.mode, settings.default_locale) == ("production", "en")
    assert settings.database_url == "sqlite:////tmp/x.sqlite"


# -- passwords and accounts ----------------------------------------------------------------

def test_passwords_are_argon2id_and_salted() -> None:
    hasher = Passwords(fast=True)
    one, two = hasher.hash("correct horse"), hasher.hash("correct horse")
    assert one.startswith("$argon2id$") and one != two
    assert hasher.verify(one, "correct horse")
    assert not hasher.verify(one, "correct horsf")
    assert not hasher.verify(None, "correct horse")  # unknown user: same work, no match
    assert not hasher.verify("not-a-hash", "x")


def test_default_profile_is_rfc9106_strength() -> None:
    stored = Passwords().hash("a long passphrase")
    assert "m=65536,t=3,p=4" in stored


@pytest.mark.parametrize(("username", "password", "role", "message"), [
    ("bob", "short", "moderator", "at least 10"),
    ("bob", "long-enough-1", "overlord", "unknown role"),
    ("bob smith", "long-enough-1", "moderator", "username"),
    ("", "long-enough-1", "moderator", "username"),
    ("admin", "long-enough-1", "moderator", "taken"),  # exists already (case-insensitive)
    ("ADMIN", "long-enough-1", "moderator", "taken"),
])
def test_bad_accounts_are_refused(app, username: str, password: str, role: str,  # type: ignore[no-untyped-def]
                                  message: str) -> None:
    ctx = app.state.vigie
    with ctx.store.begin() as conn, pytest.raises(AccountError, match=message):
        create_user(conn, ctx.passwords, username, password, role, NOW)


def test_password_hash_is_never_the_password(app) -> None:  # type: ignore[no-untyped-def]
    ctx = app.state.vigie
    with ctx.store.begin() as conn:
        stored = conn.execute(select(web_users.c.password_hash)).scalars().all()
        assert all(PASSWORDS["admin"] not in h for h in stored)
        assert authenticate(conn, ctx.passwords, "Admin", PASSWORDS["admin"], NOW) is not None
        assert authenticate(conn, ctx.passwords, "admin", "wrong-password", NOW) is None


# -- login, sessions, logout ---------------------------------------------------------------

def test_login_sets_a_hardened_cookie_and_logout_ends_the_session(app) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(app)
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    answer = client.post("/login", data={"username": "moderator", "password":
                                         PASSWORDS["moderator"], "csrf_token": token},
                         follow_redirects=False)
    assert answer.status_code == 303
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    raw = client.cookies.get("vigie_session")
    assert raw is not None
    ctx = app.state.vigie
    with ctx.store.begin() as conn:  # the raw token is not what the database holds
        stored = conn.execute(select(web_sessions.c.token_sha256)).scalars().all()
    assert raw.split(".")[0] not in stored and len(stored) == 1
    assert client.get("/api/v1/me").json()["role"] == "moderator"
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/queue").text).group(1)  # type: ignore[union-attr]
    # Another site's form cannot sign the user out: no token, no logout, the cookie stays.
    forged = client.post("/logout", follow_redirects=False)
    assert forged.status_code == 403 and "set-cookie" not in forged.headers
    assert client.get("/api/v1/me").json()["role"] == "moderator"
    client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    replay = TestClient(app)
    replay.cookies.set("vigie_session", raw)  # a stolen cookie dies with the session
    assert replay.get("/api/v1/me").status_code == 401


def test_production_cookie_is_secure_and_host_prefixed(tmp_path: Path) -> None:
    app = make_app(tmp_path, mode="production", secret_key="p" * 48,
                   fast_password_hashing=False)
    ctx = app.state.vigie
    with ctx.store.begin() as conn:
        create_user(conn, ctx.passwords, "admin", "admin-password-1", "admin", NOW)
    client = TestClient(app, base_url="https://testserver")
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    answer = client.post("/login", data={"username": "admin", "password": "admin-password-1",
                                         "csrf_token": token}, follow_redirects=False)
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("__Host-vigie_session=") and "Secure" in cookie
    assert answer.headers["content-security-policy"].startswith("default-src 'self'")


def test_login_without_its_csrf_token_is_refused(app) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(app)
    client.get("/login")
    answer = client.post("/login", data={"username": "admin", "password": PASSWORDS["admin"],
                                         "csrf_token": "forged"}, follow_redirects=False)
    assert answer.status_code == 403
    assert client.get("/api/v1/me").status_code == 401


def test_login_is_throttled_after_repeated_failures(app) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(app)
    for _ in range(3):
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        bad = client.post("/login", data={"username": "admin", "password": "guess-guess",
                                          "csrf_token": token})
        assert bad.status_code == 401
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    locked = client.post("/login", data={"username": "admin", "password": PASSWORDS["admin"],
                                         "csrf_token": token})
    assert locked.status_code == 429  # even the right password, until the window passes
    assert "Retry-After" in locked.headers
    login(client, "moderator")  # another account is not locked by admin's failures


@pytest.mark.parametrize(("target", "expected"), [
    ("/items/3", "/items/3"),
    ("/queue?state=closed", "/queue?state=closed"),
    ("https://evil.example/", "/queue"),
    ("//evil.example/", "/queue"),
    ("/\\evil.example", "/queue"),
    ("", "/queue"),
])
def test_login_never_redirects_off_site(target: str, expected: str) -> None:
    assert safe_next(target) == expected


# -- API tokens ----------------------------------------------------------------------------

def test_api_tokens_are_hashed_revocable_and_bounded_by_their_owner(app) -> None:  # type: ignore[no-untyped-def]
    ctx = app.state.vigie
    with ctx.store.begin() as conn:
        moderator = user_by_name(conn, "moderator")
        assert moderator is not None
        with pytest.raises(AccountError, match="more rights"):
            create_api_token(conn, moderator, "x", NOW, Role.ADMIN)
        secret, meta = create_api_token(conn, moderator, "webhook", NOW, Role.AUDITOR)
        stored = conn.execute(select(web_api_tokens.c.token_sha256)).scalar_one()
        assert secret not in stored and secret.startswith("vigie_")
        found = resolve_api_token(conn, secret, NOW)
        assert found is not None and found[1] is Role.AUDITOR
    client = TestClient(app)
    headers = {"authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/me", headers=headers).json()["role"] == "auditor"
    admin = TestClient(app)
    csrf = login(admin, "admin")
    assert admin.delete(f"/api/v1/tokens/{meta.pk}", headers={"x-csrf-token": csrf}
                        ).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_no_token_runs_the_audit_verification(app) -> None:  # type: ignore[no-untyped-def]
    # An auditor's act in the dashboard, under a person's name: an auditor or admin token
    # reads the audit log but is refused the verification (no CSRF to bypass either).
    ctx = app.state.vigie
    client = TestClient(app)
    for owner_name in ("auditor", "admin"):
        with ctx.store.begin() as conn:
            owner = user_by_name(conn, owner_name)
            assert owner is not None
            secret, _ = create_api_token(conn, owner, f"{owner_name}-ci", NOW)
        headers = {"authorization": f"Bearer {secret}"}
        assert client.get("/api/v1/audit", headers=headers).status_code == 200
        refused = client.post("/audit/verify", headers=headers)
        assert refused.status_code == 403, refused.text
        assert "verify_audit" in refused.text


def test_expired_token_is_refused(app) -> None:  # type: ignore[no-untyped-def]
    ctx = app.state.vigie
    with ctx.store.begin() as conn:
        owner = user_by_name(conn, "admin")
        assert owner is not None
        secret, _ = create_api_token(conn, owner, "old", NOW,
                                     expires_at=NOW + dt.timedelta(days=1))
        assert resolve_api_token(conn, secret, NOW) is not None
        assert resolve_api_token(conn, secret, NOW + dt.timedelta(days=2)) is None
