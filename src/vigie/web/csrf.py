"""CSRF protection for the cookie-authenticated dashboard.

A synchroniser token bound to the session: ``HMAC-SHA256(secret, "csrf:" + session token)``.
It is put in every form (``csrf_token`` field) and in a ``<meta>`` tag for scripts, which send
it back in the ``X-CSRF-Token`` header. A page from another site cannot read it, so it cannot
forge a state-changing request; and it needs no storage. Requests authenticated with an API
token (``Authorization: Bearer``) carry no ambient credential and are exempt.

Before login there is no session, so the login form is protected by a double-submit variant:
a random ``vigie_prelogin`` cookie and a form field holding its HMAC.

``SameSite=Lax`` session cookies are a second, independent line of defence.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

__all__ = ["CSRF_FIELD", "CSRF_HEADER", "PRELOGIN_COOKIE", "csrf_matches", "csrf_token"]

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
PRELOGIN_COOKIE = "vigie_prelogin"


def csrf_token(secret: str, bound_to: str, purpose: str = "csrf") -> str:
    """The CSRF token for a session (or pre-login) token (pure).

    Args:
        secret: the application's secret key.
        bound_to: the raw session token (or the pre-login cookie value).
        purpose: separates the session and login uses of the same key.
    """
    mac = hmac.new(secret.encode(), f"{purpose}:{bound_to}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def csrf_matches(secret: str, bound_to: str | None, supplied: str | None,
                 purpose: str = "csrf") -> bool:
    """Whether ``supplied`` is the token for ``bound_to`` (constant-time; pure)."""
    if not bound_to or not supplied:
        return False
    return hmac.compare_digest(csrf_token(secret, bound_to, purpose), supplied)
