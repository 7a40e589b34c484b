"""What the public forms share (questions, 8; appeals, 6.2 and 7): no account, so no session.

A form without a session is protected by a double-submit token bound to a random pre-form
cookie (as the login form is, :mod:`vigie.web.csrf`), and its rate limits count a keyed
digest of the client address (HMAC with the app's key), never the address itself.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request
from fastapi.responses import Response

from vigie.web.csrf import PRELOGIN_COOKIE, csrf_matches, csrf_token

__all__ = ["client_digest", "form_token", "keep_preform", "preform", "preform_ok"]


def client_digest(key: str, request: Request, purpose: str) -> str:
    """A keyed digest of the client address, per form (32 hex characters)."""
    address = request.client.host if request.client else "unknown"
    return hmac.new(key.encode(), f"{purpose}:{address}".encode(),
                    hashlib.sha256).hexdigest()[:32]


def preform(request: Request) -> str:
    """The pre-form cookie's value, or a new random one."""
    return request.cookies.get(PRELOGIN_COOKIE) or secrets.token_urlsafe(24)


def form_token(key: str, pre: str, purpose: str) -> str:
    """The token the form carries for the pre-form value ``pre`` (pure)."""
    return csrf_token(key, pre, purpose)


def preform_ok(request: Request, key: str, supplied: str, purpose: str) -> bool:
    """Whether the form's token matches this browser's pre-form cookie."""
    return csrf_matches(key, request.cookies.get(PRELOGIN_COOKIE), supplied, purpose)


def keep_preform(response: Response, pre: str, secure: bool) -> Response:
    """Set the pre-form cookie on ``response`` (an hour, HTTP only) and return it."""
    response.set_cookie(PRELOGIN_COOKIE, pre, max_age=3600, httponly=True, samesite="lax",
                        secure=secure, path="/")
    return response
