"""Who is calling, and may they: the authentication and authorisation dependencies.

Two credentials are accepted on every protected route:

* a **session cookie** (the dashboard): a signed random token naming a server-side session;
  ``HttpOnly``, ``SameSite=Lax``, ``Secure`` (and the ``__Host-`` prefix) in production;
  state-changing requests must also carry the CSRF token (:mod:`vigie.web.csrf`);
* an **API token** (integrations): ``Authorization: Bearer vigie_...``.

Each route declares the one :class:`~vigie.web.roles.Permission` it needs with
:func:`require`; the dependency raises :class:`NotAuthenticated` (no or bad credential) or
:class:`Forbidden` (the role lacks the permission, or the CSRF token is missing), which the app
turns into ``401``/``403`` JSON for ``/api`` and into a redirect to the login page or a ``403``
page for the dashboard.

A session whose account must change its password (after an administrator's reset) may only use
the routes that need :attr:`~vigie.web.roles.Permission.OWN_ACCOUNT`; every other one raises
:class:`PasswordChangeRequired` (a redirect to ``/account``, or ``403`` under ``/api``).
API tokens are not held back: they are integration credentials, not the person's sign-in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Response
from itsdangerous import BadSignature, Signer

from vigie.errors import VigieError
from vigie.web.accounts import User, resolve_api_token, resolve_session
from vigie.web.context import web_context
from vigie.web.csrf import CSRF_FIELD, CSRF_HEADER, csrf_matches, csrf_token
from vigie.web.roles import SESSION_ONLY, Permission, Role, can
from vigie.web.settings import WebSettings

__all__ = [
    "Forbidden",
    "NotAuthenticated",
    "PasswordChangeRequired",
    "Principal",
    "Requirement",
    "cookie_name",
    "current_principal",
    "require",
    "set_session_cookie",
    "sign_session",
]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class NotAuthenticated(VigieError):
    """No valid credential came with the request."""


class Forbidden(VigieError):
    """The caller is known but may not do this.

    Attributes:
        reason: ``role`` (the role lacks the permission) or ``csrf`` (missing/wrong token).
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class PasswordChangeRequired(Forbidden):
    """The session's account must choose a new password before doing anything else."""

    def __init__(self) -> None:
        super().__init__("password_change", "choose a new password first (your password was "
                         "reset by an administrator): /account")


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller.

    Attributes:
        user: the account.
        role: the effective role (a token's role, at most its owner's).
        via: ``session`` or ``token``.
        session_token: the raw session token (sessions only), to derive the CSRF token.
        csrf: the CSRF token to embed in forms (empty for API tokens).
    """

    user: User
    role: Role
    via: str
    session_token: str | None = None
    csrf: str = ""

    @property
    def actor(self) -> str:
        """The name recorded in the audit log for this caller's actions."""
        suffix = "" if self.via == "session" else " (api token)"
        return f"{self.user.username}{suffix}"

    def can(self, permission: Permission | str) -> bool:
        """Whether this caller holds ``permission`` (never a session-only one by token)."""
        wanted = Permission(permission)
        return can(self.role, wanted) and not (self.via == "token" and wanted in SESSION_ONLY)


def cookie_name(secure: bool) -> str:
    """The session cookie's name: ``__Host-`` prefixed when Secure.

    Browsers then refuse the cookie from a sub-domain or over plain HTTP.
    """
    return "__Host-vigie_session" if secure else "vigie_session"


def _signer(secret: str) -> Signer:
    return Signer(secret, salt="vigie.session")


def sign_session(secret: str, token: str) -> str:
    """The cookie value for a session token (pure)."""
    return _signer(secret).sign(token).decode()


def set_session_cookie(response: Response, settings: WebSettings, token: str) -> None:
    """Put the signed session token in the session cookie (hardened as the module says)."""
    response.set_cookie(cookie_name(settings.secure_cookies), sign_session(settings.key, token),
                        max_age=settings.session_ttl_s, httponly=True, samesite="lax",
                        secure=settings.secure_cookies, path="/")


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _resolve(request: Request) -> Principal | None:
    ctx = web_context(request)
    auth = request.headers.get("authorization", "")
    if auth:
        scheme, _, secret = auth.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            return None
        with ctx.store.begin() as conn:
            found = resolve_api_token(conn, secret.strip(), ctx.store.now())
        if found is None:
            return None
        return Principal(found[0], found[1], "token")
    raw = request.cookies.get(cookie_name(ctx.settings.secure_cookies))
    if not raw:
        return None
    try:
        token = _signer(ctx.settings.key).unsign(raw).decode()
    except BadSignature:
        return None
    with ctx.read() as conn:
        user = resolve_session(conn, token, ctx.store.now())
    if user is None:
        return None
    return Principal(user, user.role, "session", token, csrf_token(ctx.settings.key, token))


def current_principal(request: Request) -> Principal | None:
    """The caller, or ``None`` when anonymous (cached on the request)."""
    if not hasattr(request.state, "principal"):
        request.state.principal = _resolve(request)
    principal: Principal | None = request.state.principal
    return principal


class Requirement:
    """A route dependency demanding one permission (and CSRF on unsafe session requests).

    The permission is kept as an attribute so the role tests can read, from the routes table,
    what each route demands.
    """

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    async def __call__(self, request: Request) -> Principal:
        """Return the caller, or raise :class:`NotAuthenticated` / :class:`Forbidden`."""
        principal = current_principal(request)
        if principal is None:
            raise NotAuthenticated("authentication required")
        if (principal.via == "session" and principal.user.must_change_password
                and self.permission is not Permission.OWN_ACCOUNT):
            raise PasswordChangeRequired
        if not principal.can(self.permission):
            raise Forbidden("role", f"the {principal.role.value} role may not do this "
                            f"(needs the {self.permission.value} permission)")
        if request.method not in SAFE_METHODS and principal.via == "session":
            supplied = request.headers.get(CSRF_HEADER)
            if supplied is None and request.headers.get("content-type", "").startswith(
                    ("application/x-www-form-urlencoded", "multipart/form-data")):
                form = await request.form()
                value = form.get(CSRF_FIELD)
                supplied = value if isinstance(value, str) else None
            if not csrf_matches(web_context(request).settings.key, principal.session_token,
                                supplied):
                raise Forbidden("csrf", "missing or invalid CSRF token; reload the page")
        return principal


def require(permission: Permission) -> Requirement:
    """The dependency for a route that needs ``permission``."""
    return Requirement(permission)


# Annotated aliases, one per permission, for endpoint signatures.
Reader = Annotated[Principal, Depends(require(Permission.READ))]
Checker = Annotated[Principal, Depends(require(Permission.CHECK))]
Actor = Annotated[Principal, Depends(require(Permission.ACT))]
Resolver = Annotated[Principal, Depends(require(Permission.RESOLVE_ESCALATION))]
ReplySender = Annotated[Principal, Depends(require(Permission.REPLY))]
Submitter = Annotated[Principal, Depends(require(Permission.SUBMIT))]
Proposer = Annotated[Principal, Depends(require(Permission.PROPOSE_POLICY))]
Approver = Annotated[Principal, Depends(require(Permission.APPROVE_POLICY))]
PageApprover = Annotated[Principal, Depends(require(Permission.APPROVE_PAGE))]
Manager = Annotated[Principal, Depends(require(Permission.MANAGE))]
AccountHolder = Annotated[Principal, Depends(require(Permission.OWN_ACCOUNT))]
PrivacyOfficer = Annotated[Principal, Depends(require(Permission.PRIVACY))]
AuditVerifier = Annotated[Principal, Depends(require(Permission.VERIFY_AUDIT))]
