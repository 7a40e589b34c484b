"""``vigie serve`` (dashboard and API) and ``vigie users`` (accounts) for the CLI.

``vigie users reset-password NAME --by WHO`` is also the way back in for an administrator who
lost their password: it needs access to the database, not to an account.

Registered on the main app by :mod:`vigie.cli.app`; ``vigie demo --db`` fills a database through
:func:`fill_demo_database`.

``vigie serve`` needs no set-up: SQLite in ``./vigie.sqlite``, loopback only, a secret key kept
next to the database file (mode 0600) so sessions survive a restart. On an empty account table
it creates ``admin`` with a random password and prints it once. ``--demo`` first fills an empty
database with the demo sample and one account per role.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Annotated, Any

import typer

from vigie.cli.options import err_console, out_console

__all__ = ["fill_demo_database", "serve", "users_app"]

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8000


def _sqlite_path(url: str) -> Path | None:
    prefix = "sqlite:///"
    return Path(url[len(prefix):]) if url.startswith(prefix) else None


def _persistent_key(url: str) -> str | None:
    """A secret kept next to an SQLite database (created once, mode 0600); ``None`` otherwise."""
    path = _sqlite_path(url)
    if path is None:
        return None
    key_file = path.with_name(path.name + ".secret")
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip()
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    return key


def fill_demo_database(db: str | None, policy_file: Path | None = None) -> tuple[str, Any]:
    """Fill the database ``db`` (default ``./vigie.sqlite``) with the demo sample.

    Returns:
        ``(database URL, DemoReport)``.

    Raises:
        StoreError: the database cannot be opened or migrated.
    """
    from vigie.pipeline import Pipeline
    from vigie.policy import load_policy
    from vigie.store.settings import database_url
    from vigie.store.store import open_store
    from vigie.web.accounts import Passwords
    from vigie.web.context import ensure_web_schema
    from vigie.web.demo import fill_demo

    url = database_url(db)
    store = open_store(url)
    try:
        ensure_web_schema(store.engine)
        policy = load_policy(policy_file)
        report = fill_demo(store, policy, Pipeline.from_policy(policy), Passwords())
    finally:
        store.dispose()
    return url, report


def serve(
    db: Annotated[str | None, typer.Option(
        "--db", help="Database: SQLite file or URL (default ./vigie.sqlite).")] = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = DEFAULT_HOST,
    port: Annotated[int, typer.Option(min=1, max=65535)] = DEFAULT_PORT,
    mode: Annotated[str, typer.Option(
        help="dev (loopback, HTTP), demo, or production (HTTPS, VIGIE_SECRET_KEY).")] = "",
    demo: Annotated[bool, typer.Option(
        "--demo", help="Fill an empty database with the demo sample first.")] = False,
    policy_file: Annotated[Path | None, typer.Option(
        "--policy", "-p", envvar="VIGIE_POLICY", help="Policy file.")] = None,
) -> None:
    """Start the dashboard and REST API (SQLite by default, nothing to set up)."""
    import uvicorn

    from vigie.store.settings import database_url, is_loopback
    from vigie.web import WebSettingsError, create_app, load_web_settings
    from vigie.web.accounts import count_users, create_user

    mode = mode or os.environ.get("VIGIE_WEB_MODE") or ("demo" if demo else "dev")
    if mode in ("dev", "demo") and not is_loopback(host):
        raise WebSettingsError(f"--mode {mode} listens on the loopback only (cookies "
                               "travel over plain HTTP); use --mode production behind "
                               f"HTTPS to listen on {host}")
    url = database_url(db)
    if demo:
        _, report = fill_demo_database(url, policy_file)
        if not report.skipped:
            out_console.print(f"demo: {report.comments} comments, {report.reviewed} "
                              "reviews")
            for username, password, role in report.accounts:
                out_console.print(f"  account [bold]{username}[/] / {password} ({role})")
    key = os.environ.get("VIGIE_SECRET_KEY") or (
        _persistent_key(url) if mode in ("dev", "demo") else None)
    settings = load_web_settings(mode=mode, database_url=url, secret_key=key,
                                 policy_path=policy_file)
    web = create_app(settings)
    ctx = web.state.vigie
    with ctx.store.begin() as conn:
        if not count_users(conn):
            password = secrets.token_urlsafe(12)
            create_user(conn, ctx.passwords, "admin", password, "admin", ctx.store.now(),
                        "Administrator")
            out_console.print(f"created account [bold]admin[/] with password "
                              f"[bold]{password}[/] (shown once; change it at /account)")
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    out_console.print(f"Vigie dashboard: [bold]http://{shown}:{port}[/]  (API: "
                      f"/api/v1, OpenAPI: /api/openapi.json) · database {url}")
    uvicorn.run(web, host=host, port=port, log_level="warning", proxy_headers=False)

users_app = typer.Typer(help="Dashboard accounts.", no_args_is_help=True)


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Option(
        help="auditor, moderator, community_manager, admin or privacy_officer.")] = "moderator",
    db: Annotated[str | None, typer.Option("--db", help="Database.")] = None,
) -> None:
    """Create an account; the password is asked twice (or read from VIGIE_NEW_PASSWORD)."""
    from vigie.store.settings import database_url
    from vigie.store.store import open_store
    from vigie.web.accounts import AccountError, Passwords, create_user
    from vigie.web.context import ensure_web_schema

    password = os.environ.get("VIGIE_NEW_PASSWORD") or typer.prompt(
        "Password", hide_input=True, confirmation_prompt=True)
    store = open_store(database_url(db))
    try:
        ensure_web_schema(store.engine)
        with store.begin() as conn:
            user = create_user(conn, Passwords(), username, password, role, store.now())
    except AccountError as error:
        err_console.print(f"[red]error:[/] {error}")
        raise typer.Exit(2) from None
    finally:
        store.dispose()
    out_console.print(f"created {user.username} ({user.role.value})")


@users_app.command("reset-password")
def users_reset_password(
    username: Annotated[str, typer.Argument(help="Login name of the account to reset.")],
    by: Annotated[str, typer.Option("--by", help="Who resets it (recorded in the audit).")],
    db: Annotated[str | None, typer.Option("--db", help="Database.")] = None,
) -> None:
    """Give an account a random temporary password, printed once.

    The holder must choose a new password at the next sign-in; the temporary one expires
    after three days. The account's sessions end at once; its API tokens stay valid
    (revoke them in the dashboard's Administration page).
    """
    from vigie.store.settings import database_url
    from vigie.store.store import open_store
    from vigie.web.accounts import AccountError, Passwords, reset_password, user_by_name
    from vigie.web.context import ensure_web_schema

    store = open_store(database_url(db))
    try:
        ensure_web_schema(store.engine)
        with store.begin() as conn:
            user = user_by_name(conn, username)
            if user is None:
                raise AccountError(f"no account named {username.strip().lower()!r}")
            reset = reset_password(conn, Passwords(), user, store.now(), by=by)
    except AccountError as error:
        err_console.print(f"[red]error:[/] {error}")
        raise typer.Exit(2) from None
    finally:
        store.dispose()
    out_console.print(f"temporary password for {reset.user.username}: "
                      f"[bold]{reset.password}[/] (shown once; to be changed at the next "
                      f"sign-in; {reset.sessions_ended} session(s) ended)")


@users_app.command("list")
def users_list(db: Annotated[str | None, typer.Option("--db", help="Database.")] = None
               ) -> None:
    """List the accounts."""
    from vigie.store.settings import database_url
    from vigie.store.store import open_store
    from vigie.web.accounts import list_users
    from vigie.web.context import ensure_web_schema

    store = open_store(database_url(db))
    try:
        ensure_web_schema(store.engine)
        with store.read() as conn:
            for user in list_users(conn):
                state = "" if user.active else " (disabled)"
                out_console.print(f"{user.username}\t{user.role.value}{state}")
    finally:
        store.dispose()


