"""Accounts, sessions, API tokens and login throttling, on the store's database.

Every function takes a SQLAlchemy :class:`~sqlalchemy.engine.Connection` inside the caller's
transaction and an explicit ``now`` (aware UTC), so the logic is testable without a clock.

Security choices (why):

* passwords are hashed with Argon2id (``argon2-cffi``, RFC 9106 parameters); a hash made with
  older parameters is upgraded at the next successful login;
* an unknown username costs the same Argon2 verification as a known one, so response time does
  not reveal which accounts exist;
* session and API tokens are 256-bit random strings stored only as SHA-256;
* throttling counts failures per username *and* per client address in a sliding window, so
  neither guessing one account's password nor spraying one password over many accounts scales;
  a wrong *current* password given to change one's password counts as a failed login, so a
  stolen session cannot be used to guess the password either;
* changing or resetting a password ends every session of the account (whoever holds a stolen
  cookie is out); API tokens are kept: they are integration credentials created by an
  administrator, listed and revoked on their own, and tying them to a person's password would
  break integrations at every routine change;
* a reset gives a random temporary password, shown once, that must be replaced at the next
  sign-in and stops working after :data:`TEMPORARY_PASSWORD_TTL_S`;
* every change and reset is appended to the hash-chained audit log (who, whose account, how many
  sessions ended), never with the password.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import and_, delete, func, insert, select, update
from sqlalchemy.engine import Connection

from vigie.errors import VigieError
from vigie.store.events import EventKind, NewEvent, append_events
from vigie.web.models import (
    web_api_tokens,
    web_login_attempts,
    web_sessions,
    web_users,
)
from vigie.web.roles import Role

__all__ = [
    "MIN_PASSWORD",
    "TEMPORARY_PASSWORD_TTL_S",
    "AccountError",
    "Passwords",
    "TemporaryPassword",
    "TooManyAttempts",
    "User",
    "WrongPassword",
    "authenticate",
    "change_password",
    "check_password_strength",
    "create_api_token",
    "create_session",
    "create_user",
    "end_session",
    "list_tokens",
    "list_users",
    "login_throttled",
    "record_login",
    "reset_password",
    "resolve_api_token",
    "resolve_session",
    "revoke_token",
    "sha256_hex",
    "user_by_name",
    "user_by_pk",
]

MIN_PASSWORD = 10
TOKEN_PREFIX = "vigie_"
#: How long a temporary password from a reset may be used to sign in (seconds, 3 days).
TEMPORARY_PASSWORD_TTL_S = 3 * 86400


class AccountError(VigieError):
    """An account operation was refused (duplicate name, weak password, unknown role)."""


class WrongPassword(AccountError):
    """The current password given to confirm a password change is wrong."""


class TooManyAttempts(AccountError):
    """Too many recent wrong passwords for this account or address; retry later.

    Attributes:
        retry_after_s: seconds until the throttling window has passed.
    """

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class Passwords:
    """Argon2id hashing with a fixed cost profile.

    Args:
        fast: cheap parameters for tests (never in production; the settings refuse it).
    """

    def __init__(self, *, fast: bool = False) -> None:
        self._hasher = (PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
                        if fast else PasswordHasher())
        # Verified against when the username is unknown, to equalise timing.
        self._dummy = self._hasher.hash(secrets.token_urlsafe(16))

    def hash(self, password: str) -> str:
        """Hash ``password`` (slow on purpose: ~50 ms with the default profile)."""
        return self._hasher.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        """Whether ``password`` matches ``stored``; ``None`` burns the same time and fails."""
        try:
            return self._hasher.verify(stored or self._dummy, password) and stored is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        """Whether ``stored`` was made with other parameters than the current ones."""
        return self._hasher.check_needs_rehash(stored)


@dataclass(frozen=True, slots=True)
class User:
    """An account as the web layer sees it (no password hash)."""

    pk: int
    username: str
    display_name: str
    role: Role
    active: bool
    must_change_password: bool = False


def sha256_hex(token: str) -> str:
    """SHA-256 of a token, as stored at rest (pure)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _user(row: object) -> User:
    return User(int(row.pk), str(row.username), str(row.display_name),  # type: ignore[attr-defined]
                Role(row.role), bool(row.active),  # type: ignore[attr-defined]
                bool(row.must_change_password))  # type: ignore[attr-defined]


def check_password_strength(password: str) -> None:
    """Refuse a password too weak for an account (the one rule for creation and changes; pure).

    Raises:
        AccountError: the password is shorter than :data:`MIN_PASSWORD` characters.
    """
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"password: at least {MIN_PASSWORD} characters")


def create_user(conn: Connection, passwords: Passwords, username: str, password: str,
                role: Role | str, now: dt.datetime, display_name: str | None = None) -> User:
    """Create an account.

    Raises:
        AccountError: the username is taken or malformed, the role unknown, or the password
            shorter than 10 characters.
    """
    username = username.strip().lower()
    if not username or len(username) > 64 or not all(c.isalnum() or c in "._-@"
                                                      for c in username):
        raise AccountError("username: 1–64 letters, digits, '.', '_', '-' or '@'")
    try:
        role = Role(role)
    except ValueError:
        raise AccountError(f"unknown role {role!r}; valid: "
                           f"{', '.join(r.value for r in Role)}") from None
    check_password_strength(password)
    if conn.execute(select(web_users.c.pk).where(web_users.c.username == username)).first():
        raise AccountError(f"username {username!r} is taken")
    pk = conn.execute(insert(web_users).values(
        username=username, display_name=display_name or username, role=role.value,
        password_hash=passwords.hash(password), active=True, created_at=now,
        password_changed_at=now, must_change_password=False,
    )).inserted_primary_key
    assert pk is not None
    return User(int(pk[0]), username, display_name or username, role, True)


def user_by_name(conn: Connection, username: str) -> User | None:
    """The account named ``username`` (case-insensitive), or ``None``."""
    row = conn.execute(select(web_users).where(
        web_users.c.username == username.strip().lower())).first()
    return _user(row) if row else None


def user_by_pk(conn: Connection, pk: int) -> User | None:
    """The account with key ``pk``, or ``None``."""
    row = conn.execute(select(web_users).where(web_users.c.pk == pk)).first()
    return _user(row) if row else None


def list_users(conn: Connection) -> list[User]:
    """Every account, by username."""
    return [_user(r) for r in conn.execute(select(web_users).order_by(web_users.c.username))]


def count_users(conn: Connection) -> int:
    """How many accounts exist."""
    return int(conn.execute(select(func.count()).select_from(web_users)).scalar_one())


def set_active(conn: Connection, user_pk: int, active: bool) -> None:
    """Enable or disable an account; disabling ends its sessions and tokens at once."""
    conn.execute(update(web_users).where(web_users.c.pk == user_pk).values(active=active))
    if not active:
        conn.execute(delete(web_sessions).where(web_sessions.c.user_pk == user_pk))


def authenticate(conn: Connection, passwords: Passwords, username: str, password: str,
                 now: dt.datetime) -> User | None:
    """Check a username and password; ``None`` when wrong or the account is disabled.

    A temporary password (after a reset) older than :data:`TEMPORARY_PASSWORD_TTL_S` is
    refused like a wrong one. Upgrades the stored hash when its parameters are outdated. Does
    not record the attempt (see :func:`record_login`) nor check throttling (see
    :func:`login_throttled`).
    """
    row = conn.execute(select(web_users).where(
        web_users.c.username == username.strip().lower())).first()
    stored = str(row.password_hash) if row is not None else None
    if not passwords.verify(stored, password) or row is None or not row.active:
        return None
    temporary_life = dt.timedelta(seconds=TEMPORARY_PASSWORD_TTL_S)
    if row.must_change_password and now - row.password_changed_at > temporary_life:
        return None
    if passwords.needs_rehash(str(row.password_hash)):
        conn.execute(update(web_users).where(web_users.c.pk == row.pk).values(
            password_hash=passwords.hash(password)))
    conn.execute(update(web_users).where(web_users.c.pk == row.pk).values(last_login_at=now))
    return _user(row)


def _store_password(conn: Connection, passwords: Passwords, user_pk: int, password: str,
                    now: dt.datetime, *, must_change: bool) -> int:
    """Replace the account's password and end all its sessions; returns how many ended."""
    conn.execute(update(web_users).where(web_users.c.pk == user_pk).values(
        password_hash=passwords.hash(password), password_changed_at=now,
        must_change_password=must_change))
    ended = conn.execute(delete(web_sessions).where(web_sessions.c.user_pk == user_pk))
    return int(ended.rowcount or 0)


def change_password(conn: Connection, passwords: Passwords, user: User, current: str,
                    new: str, now: dt.datetime, *, actor: str) -> bool:
    """Change ``user``'s own password, proven by the current one.

    Ends every session of the account (the caller opens a fresh one for itself), clears a
    pending reset, and appends a ``password_changed`` event by ``actor``. API tokens are kept.
    Does not check or record throttling (the caller does, see :func:`login_throttled`).

    Returns:
        ``False`` when ``current`` is wrong (nothing changed), ``True`` once changed.

    Raises:
        AccountError: ``new`` is too weak or equal to the current password.
    """
    check_password_strength(new)
    stored = conn.execute(select(web_users.c.password_hash)
                          .where(web_users.c.pk == user.pk)).scalar_one_or_none()
    if not passwords.verify(None if stored is None else str(stored), current):
        return False
    if new == current:
        raise AccountError("the new password must differ from the current one")
    ended = _store_password(conn, passwords, user.pk, new, now, must_change=False)
    append_events(conn, [NewEvent(EventKind.PASSWORD_CHANGED, "account", user.username,
                                  {"sessions_ended": ended}, actor)], now)
    return True


@dataclass(frozen=True, slots=True)
class TemporaryPassword:
    """The outcome of a reset: the password is shown once, then only its hash remains."""

    user: User
    password: str
    sessions_ended: int


def reset_password(conn: Connection, passwords: Passwords, user: User, now: dt.datetime, *,
                   by: str, by_user_pk: int | None = None) -> TemporaryPassword:
    """Give ``user`` a random temporary password to replace at the next sign-in.

    Ends every session of the account, clears its recent login failures (the holder may have
    locked it out while trying to remember), and appends a ``password_reset`` event by ``by``.
    API tokens are kept (an administrator revokes them on their own).

    Args:
        conn: a connection inside a transaction.
        passwords: the hasher.
        user: the account to reset.
        now: current time.
        by: who resets it (recorded in the audit log).
        by_user_pk: the resetting account, if any: it may not reset itself (it changes its
            password with the current one instead); ``None`` from the command line.

    Raises:
        AccountError: an account tried to reset its own password.
    """
    if by_user_pk == user.pk:
        raise AccountError("an administrator cannot reset their own password; change it on "
                           "the account page, with the current password")
    temporary = secrets.token_urlsafe(12)  # 16 characters, 96 random bits
    ended = _store_password(conn, passwords, user.pk, temporary, now, must_change=True)
    conn.execute(delete(web_login_attempts).where(
        web_login_attempts.c.username == user.username,
        web_login_attempts.c.success.is_(False)))
    append_events(conn, [NewEvent(EventKind.PASSWORD_RESET, "account", user.username,
                                  {"sessions_ended": ended}, by)], now)
    return TemporaryPassword(user, temporary, ended)


def login_throttled(conn: Connection, username: str, ip: str, now: dt.datetime, *,
                    window_s: int, max_per_user: int, max_per_ip: int) -> bool:
    """Whether a new login attempt must be refused (too many recent failures).

    Args:
        conn: a connection.
        username: the name tried (case-insensitive).
        ip: the client address.
        now: current time.
        window_s: sliding window in seconds.
        max_per_user: failures allowed per username in the window.
        max_per_ip: failures allowed per address in the window.
    """
    since = now - dt.timedelta(seconds=window_s)
    fails = and_(web_login_attempts.c.success.is_(False), web_login_attempts.c.at >= since)
    per_user = conn.execute(select(func.count()).select_from(web_login_attempts).where(
        fails, web_login_attempts.c.username == username.strip().lower()[:64])).scalar_one()
    if per_user >= max_per_user:
        return True
    per_ip = conn.execute(select(func.count()).select_from(web_login_attempts).where(
        fails, web_login_attempts.c.ip == ip[:64])).scalar_one()
    return bool(per_ip >= max_per_ip)


def record_login(conn: Connection, username: str, ip: str, success: bool,
                 now: dt.datetime) -> None:
    """Record a login attempt; a success clears that username's earlier failures."""
    name = username.strip().lower()[:64]
    if success:
        conn.execute(delete(web_login_attempts).where(
            web_login_attempts.c.username == name, web_login_attempts.c.success.is_(False)))
    conn.execute(insert(web_login_attempts).values(username=name, ip=ip[:64], at=now,
                                                   success=success))


def create_session(conn: Connection, user: User, now: dt.datetime, ttl_s: int,
                   ip: str | None = None, user_agent: str | None = None) -> str:
    """Open a session; returns the raw token (to put in the signed cookie, never stored)."""
    token = secrets.token_urlsafe(32)
    conn.execute(insert(web_sessions).values(
        token_sha256=sha256_hex(token), user_pk=user.pk, created_at=now,
        expires_at=now + dt.timedelta(seconds=ttl_s), ip=(ip or "")[:64],
        user_agent=(user_agent or "")[:255],
    ))
    return token


def resolve_session(conn: Connection, token: str, now: dt.datetime) -> User | None:
    """The active account behind a session token, or ``None`` (expired, ended, disabled)."""
    row = conn.execute(
        select(web_users).join(web_sessions, web_sessions.c.user_pk == web_users.c.pk)
        .where(web_sessions.c.token_sha256 == sha256_hex(token),
               web_sessions.c.expires_at > now, web_users.c.active.is_(True))
    ).first()
    return _user(row) if row else None


def end_session(conn: Connection, token: str) -> None:
    """End a session (logout); unknown tokens are ignored."""
    conn.execute(delete(web_sessions).where(web_sessions.c.token_sha256 == sha256_hex(token)))


@dataclass(frozen=True, slots=True)
class ApiToken:
    """An API token's metadata (the secret itself is shown once, at creation)."""

    pk: int
    user_pk: int
    name: str
    prefix: str
    role: Role
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


def create_api_token(conn: Connection, owner: User, name: str, now: dt.datetime,
                     role: Role | None = None,
                     expires_at: dt.datetime | None = None) -> tuple[str, ApiToken]:
    """Create an API token for an integration, acting as ``owner``.

    Args:
        conn: a connection inside a transaction.
        owner: the account the token acts for (its actions are recorded under it).
        name: what the token is for, e.g. ``facebook-webhook``.
        now: current time.
        role: the token's role, at most the owner's (default: the owner's).
        expires_at: optional expiry.

    Returns:
        ``(secret, metadata)``: the secret is returned once and stored only as SHA-256.

    Raises:
        AccountError: the role exceeds the owner's, or the name is empty.
    """
    role = role or owner.role
    if not role.within(owner.role):
        raise AccountError(f"a token cannot have more rights ({role.value}) than its owner "
                           f"({owner.role.value})")
    if not name.strip():
        raise AccountError("a token needs a name saying what it is for")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    values = {"user_pk": owner.pk, "name": name.strip()[:255], "prefix": secret[:12],
              "token_sha256": sha256_hex(secret), "role": role.value, "created_at": now,
              "expires_at": expires_at}
    pk = conn.execute(insert(web_api_tokens).values(**values)).inserted_primary_key
    assert pk is not None
    return secret, ApiToken(int(pk[0]), owner.pk, name.strip()[:255], secret[:12], role, now,
                            expires_at, None, None)


def resolve_api_token(conn: Connection, secret: str, now: dt.datetime) -> tuple[User, Role] | None:
    """The owner and role behind an API token, or ``None`` (unknown, revoked, expired)."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    row = conn.execute(
        select(web_users, web_api_tokens.c.pk.label("token_pk"),
               web_api_tokens.c.role.label("token_role"),
               web_api_tokens.c.expires_at.label("token_expires"))
        .join(web_api_tokens, web_api_tokens.c.user_pk == web_users.c.pk)
        .where(web_api_tokens.c.token_sha256 == sha256_hex(secret),
               web_api_tokens.c.revoked_at.is_(None), web_users.c.active.is_(True))
    ).first()
    if row is None or (row.token_expires is not None and row.token_expires <= now):
        return None
    conn.execute(update(web_api_tokens).where(web_api_tokens.c.pk == row.token_pk)
                 .values(last_used_at=now))
    user = _user(row)
    role = Role(row.token_role)
    # A token never outranks its owner, even if the owner was demoted after it was made.
    return user, role if role.within(user.role) else user.role


def list_tokens(conn: Connection) -> list[ApiToken]:
    """Every API token's metadata, newest first."""
    rows = conn.execute(select(web_api_tokens).order_by(web_api_tokens.c.pk.desc()))
    return [ApiToken(int(r.pk), int(r.user_pk), r.name, r.prefix, Role(r.role), r.created_at,
                     r.expires_at, r.last_used_at, r.revoked_at) for r in rows]


def revoke_token(conn: Connection, token_pk: int, now: dt.datetime) -> bool:
    """Revoke a token; ``False`` when there is no such live token."""
    done = conn.execute(update(web_api_tokens).where(
        web_api_tokens.c.pk == token_pk, web_api_tokens.c.revoked_at.is_(None))
        .values(revoked_at=now))
    return bool(done.rowcount)
