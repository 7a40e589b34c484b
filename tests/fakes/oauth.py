"""A fake OAuth 2.0 token endpoint (refresh grant, RFC 6749 §6): Google, X or LinkedIn dialect.

It mints access tokens that the platform fake it serves (``api``) accepts, and can expire them
all (the hour has passed) or revoke the refresh tokens (the owner removed the app's access):

* ``google`` — ``POST /token``, form ``client_id``, ``client_secret``, ``refresh_token``,
  ``grant_type``; answers ``{"access_token", "expires_in": 3599, "scope", "token_type":
  "Bearer"}``; the refresh token is kept; a bad one answers 400 ``invalid_grant`` "Token has
  been expired or revoked.";
* ``x`` — ``POST /2/oauth2/token``; a confidential client authenticates with HTTP Basic, a
  public one sends ``client_id`` in the form; answers ``{"token_type": "bearer",
  "expires_in": 7200, "access_token", "scope", "refresh_token"}`` with a **new** refresh token
  each time, the old one refused from then on (400 ``invalid_request`` "Value passed for the
  token was invalid.");
* ``linkedin`` — ``POST /oauth/v2/accessToken``, form with ``client_id`` and
  ``client_secret``; answers ``{"access_token", "expires_in": 5184000, "refresh_token"`` (the
  same one) ``, "refresh_token_expires_in", "scope"}``.

A wrong client answers 401 ``invalid_client``.
"""

from __future__ import annotations

import base64
from typing import Any, Literal

from fakes.server import FakePlatform, Reply, Request

__all__ = ["FakeTokenEndpoint"]

Dialect = Literal["google", "x", "linkedin"]

_PATHS = {"google": "/token", "x": "/2/oauth2/token", "linkedin": "/oauth/v2/accessToken"}
_LIFETIMES = {"google": 3599, "x": 7200, "linkedin": 5_184_000}
_SCOPES = {
    "google": "https://www.googleapis.com/auth/youtube.force-ssl",
    "x": "tweet.read users.read tweet.moderate.write offline.access",
    "linkedin": "r_organization_social r_organization_social_feed w_organization_social_feed",
}
_BAD_TOKEN = {
    "google": ("invalid_grant", "Token has been expired or revoked."),
    "x": ("invalid_request", "Value passed for the token was invalid."),
    "linkedin": ("invalid_grant", "The provided authorization grant or refresh token is "
                                  "invalid, expired or revoked."),
}


def oauth_error(status: int, error: str, description: str) -> Reply:
    """An RFC 6749 §5.2 error answer."""
    return Reply(status, {"error": error, "error_description": description})


class FakeTokenEndpoint(FakePlatform):
    """One app's token endpoint; refresh tokens it accepts, access tokens it minted."""

    def __init__(self, api: FakePlatform, dialect: Dialect, *, client_id: str = "client-1",
                 client_secret: str | None = "client-s3cret",
                 refresh_token: str = "refresh-0") -> None:
        super().__init__(token="")
        self.api = api
        self.dialect = dialect
        self.path = _PATHS[dialect]
        self.client_id = client_id
        self.client_secret = client_secret
        self.refresh_tokens = {refresh_token}  # the ones that work now
        self.issued: list[str] = []  # access tokens minted, oldest first
        self.issued_refresh: list[str] = []  # refresh tokens minted by rotation
        self.expires_in = _LIFETIMES[dialect]

    # -- test controls ---------------------------------------------------------------------

    def expire_access_tokens(self) -> None:
        """Every access token minted so far stops working (their lifetime ran out)."""
        with self.api.lock:
            self.api.valid_tokens.difference_update(self.issued)

    def revoke(self) -> None:
        """The page owner removed the app's access: no refresh token works any more."""
        with self.lock:
            self.refresh_tokens.clear()

    def grant(self, refresh_token: str) -> None:
        """A new authorization gave this refresh token (the operator consented again)."""
        with self.lock:
            self.refresh_tokens.add(refresh_token)

    def refreshes(self) -> list[Request]:
        return self.calls("POST", self.path)

    # -- the endpoint -------------------------------------------------------------------------

    def authorized(self, request: Request) -> bool:
        return True  # the client authenticates in the form or with Basic, checked in route

    def route(self, request: Request) -> Reply:
        if request.method != "POST" or request.path != self.path:
            return Reply(404, {"error": "not_found"})
        if not request.headers.get("content-type", "").startswith(
                "application/x-www-form-urlencoded"):
            return oauth_error(400, "invalid_request", "form body expected")
        form = request.form()
        if not self._client_ok(request, form):
            return oauth_error(401, "invalid_client", "Client authentication failed.")
        if form.get("grant_type") != "refresh_token":
            return oauth_error(400, "unsupported_grant_type", "Invalid grant_type.")
        if form.get("refresh_token") not in self.refresh_tokens:
            return oauth_error(400, *_BAD_TOKEN[self.dialect])
        access = f"{self.dialect}-access-{len(self.issued) + 1}"
        self.issued.append(access)
        with self.api.lock:
            self.api.valid_tokens.add(access)
        body: dict[str, Any] = {"access_token": access, "expires_in": self.expires_in,
                                "scope": _SCOPES[self.dialect]}
        if self.dialect == "google":
            body["token_type"] = "Bearer"
        elif self.dialect == "x":
            rotated = f"x-refresh-{len(self.issued_refresh) + 1}"
            self.issued_refresh.append(rotated)
            self.refresh_tokens = {rotated}  # the old one is refused from now on
            body.update(token_type="bearer", refresh_token=rotated)
        else:
            body.update(refresh_token=form["refresh_token"],
                        refresh_token_expires_in=31_000_000)
        return Reply(200, body)

    def _client_ok(self, request: Request, form: dict[str, str]) -> bool:
        if self.dialect == "x" and self.client_secret is not None:
            auth = request.headers.get("authorization", "")
            expected = base64.b64encode(
                f"{self.client_id}:{self.client_secret}".encode()).decode()
            return auth == f"Basic {expected}" and "client_secret" not in form
        if form.get("client_id") != self.client_id:
            return False
        return self.client_secret is None or form.get("client_secret") == self.client_secret
