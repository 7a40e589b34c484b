"""OAuth 2.0 access-token refresh for the platforms whose tokens expire: YouTube, X, LinkedIn.

The refresh grant of RFC 6749 §6: ``POST <token endpoint>`` with the form
``grant_type=refresh_token&refresh_token=…`` and the client's credentials; the answer
(§5.1) is ``{"access_token", "expires_in", "token_type", "scope"[, "refresh_token"]}``, a
refusal (§5.2) ``{"error": "invalid_grant", "error_description": …}`` with 400 (401 for
``invalid_client``). What each platform documents:

* **YouTube (Google)**: ``https://oauth2.googleapis.com/token``; ``client_id`` and
  ``client_secret`` in the form; access tokens last an hour; the refresh token is kept (not
  rotated) until revoked — or for 7 days when the Google app is left in "Testing".
* **X**: ``https://api.x.com/2/oauth2/token``; a confidential client authenticates with HTTP
  Basic (``client_id:client_secret``), a public one sends ``client_id`` in the form; access
  tokens last 2 hours; a refresh token needs the ``offline.access`` scope and is **rotated**:
  every refresh answers a new one and the old one stops working.
* **LinkedIn** (programmatic refresh tokens, approved partners only):
  ``https://www.linkedin.com/oauth/v2/accessToken``; ``client_id`` and ``client_secret`` in
  the form; access tokens last 60 days; the refresh token keeps its 365-day lifetime from the
  first authorization.

(Google: developers.google.com/identity/protocols/oauth2/web-server, "Refreshing an access
token"; X: docs.x.com/fundamentals/authentication/oauth-2-0/authorization-code, "Refresh
tokens", and .../user-access-token, "Working with confidential clients"; LinkedIn:
learn.microsoft.com/linkedin/shared/authentication/programmatic-refresh-tokens.)

How :class:`TokenRefresher` behaves, as the :class:`~vigie.connectors.http.TokenSource` of an
:class:`~vigie.connectors.http.ApiClient`:

* it refreshes *before* a request when less than :data:`REFRESH_MARGIN_S` of the announced
  ``expires_in`` is left (google-auth keeps a similar margin, 3 min 45 s), and once after the
  platform refuses the token (revoked early, or an old token given at start);
* a refresh token the answer replaces (X rotates it at every refresh, and then refuses the old
  one) is written to the account's :class:`RefreshTokenFile` **before** the new access token is
  used: a crash right after a refresh must not lose the only refresh token that still works;
* a refusal of the refresh (``invalid_grant``: revoked, expired, or the Google app left in
  "Testing", whose refresh tokens die after 7 days) raises
  :class:`~vigie.connectors.errors.AuthExpired` naming the fix, which stops that account with
  an alert; 429 and 5xx are retried like any call (:class:`~vigie.connectors.http.RetryPolicy`);
* tokens and the client secret are never logged nor put in an error: messages are built from
  the endpoint's ``error`` and ``error_description`` only.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import random
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import httpx

from vigie.connectors._files import read_private_text
from vigie.connectors._json import obj
from vigie.connectors.errors import (
    ApiError,
    AuthExpired,
    ConfigError,
    ConnectorError,
    RateLimited,
    TransientError,
)
from vigie.connectors.http import ApiClient, RetryPolicy, Secret

__all__ = [
    "GOOGLE_TOKEN_URL",
    "LINKEDIN_TOKEN_URL",
    "REFRESH_MARGIN_S",
    "X_TOKEN_URL",
    "ClientAuth",
    "RefreshTokenFile",
    "TokenRefresher",
    "classify_token_error",
]

log = logging.getLogger(__name__)

GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token"
X_TOKEN_URL = "https://api.x.com/2/oauth2/token"
LINKEDIN_TOKEN_URL = "https://www.linkedin.com/oauth/v2/accessToken"
#: Seconds before the announced expiry when a token is refreshed: covers a slow request and
#: some clock skew, and is small next to the shortest lifetime (Google's hour).
REFRESH_MARGIN_S = 300.0
_FILE_VERSION = 1


class ClientAuth(StrEnum):
    """How the client authenticates to the token endpoint (RFC 6749 §2.3.1; RFC 7591 names)."""

    #: ``client_id`` and ``client_secret`` in the form (Google, LinkedIn).
    POST = "client_secret_post"
    #: ``Authorization: Basic base64(id:secret)`` (X's confidential clients; X's public
    #: clients, without a secret, send only ``client_id`` in the form).
    BASIC = "client_secret_basic"


def _fix_for(code: str | None, where: str) -> str:
    if code == "invalid_client" or code == "unauthorized_client":
        return ("the token endpoint refused the client: check oauth.client_id and "
                "oauth.client_secret against the app's credentials")
    return ("the refresh token was revoked or has expired: authorize Vigie again with the "
            "page's account (offline access) and put the new refresh token in " + where)


def classify_token_error(response: httpx.Response, *, platform: str, account: str,
                         where: str) -> ConnectorError:
    """Map a refused refresh onto the connector error tree (pure).

    Args:
        response: the token endpoint's non-2xx answer.
        platform: platform name, for the message.
        account: account name, for the message.
        where: where the configured refresh token is read from, in words (the fix names it).

    Returns:
        :class:`RateLimited` (429), :class:`TransientError` (5xx), else :class:`AuthExpired`:
        without a token the account cannot work, a human must act.
    """
    try:
        body = obj(response.json())
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = {}
    code = body.get("error") if isinstance(body.get("error"), str) else None
    text = str(body.get("error_description") or body.get("message")
               or response.reason_phrase or "no description")
    status = response.status_code
    detail = (f"{platform}/{account}: token refresh refused, HTTP {status}"
              + (f" {code}" if code else "") + f": {text}")
    common: dict[str, Any] = {"platform": platform, "account": account, "status": status,
                              "code": code}
    if status == 429:
        return RateLimited(detail, **common)
    if status >= 500:
        return TransientError(detail, **common)
    return AuthExpired(f"{detail} — {_fix_for(code, where)}", **common)


def _fingerprint(secret: Secret) -> str:
    # Ties a saved token to the configured one it descends from; a digest of a random token
    # reveals nothing of it.
    return hashlib.sha256(secret.reveal().encode("utf-8")).hexdigest()[:16]


class RefreshTokenFile:
    """Where an account's rotated refresh token is kept between runs: a JSON file, mode 0600.

    Not in the database: the connectors documentation promises that secrets never go there
    (it is backed up, and read by the dashboard). The file records the newest refresh token and
    a digest of the *configured* one it descends from, so that an operator who authorizes
    again and configures a new refresh token is not overridden by a stale file.
    """

    def __init__(self, path: Path, *, account: str) -> None:
        """Check that ``path`` can be written (fail at start, not after a rotation).

        Raises:
            ConfigError: the directory is missing or not writable, or the file exists and is
                unreadable or not one of ours.
        """
        self.path = path
        self.account = account
        folder = path.parent
        if not folder.is_dir():
            raise ConfigError(f"account {account!r}, oauth.token_file: directory {folder} "
                              "does not exist")
        if not os.access(folder, os.W_OK):
            raise ConfigError(f"account {account!r}, oauth.token_file: directory {folder} is "
                              "not writable (a rotated refresh token could not be kept)")
        self._read()

    def _read(self) -> dict[str, Any] | None:
        try:
            text = read_private_text(self.path, "token file")
        except FileNotFoundError:
            return None
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            # The parser's message would quote the file: a token. Say where, not what.
            data = None
        if (not isinstance(data, dict) or data.get("v") != _FILE_VERSION
                or not isinstance(data.get("refresh_token"), str)):
            raise ConfigError(f"{self.path}: not a Vigie token file; delete it to start again "
                              "from the configured refresh token")
        return data

    def load(self, configured: Secret) -> Secret | None:
        """The saved refresh token, if it descends from ``configured``; else ``None``.

        Raises:
            ConfigError: the file is unreadable or not one of ours.
        """
        data = self._read()
        if data is None or data.get("origin") != _fingerprint(configured):
            return None
        return Secret(str(data["refresh_token"]))

    def save(self, token: Secret, *, configured: Secret) -> None:
        """Replace the saved token atomically (a new 0600 file renamed over the old one).

        Raises:
            OSError: the file could not be written (the old one is left as it was).
        """
        record = {"v": _FILE_VERSION, "account": self.account,
                  "origin": _fingerprint(configured), "refresh_token": token.reveal(),
                  "saved_at": datetime.now(UTC).isoformat(timespec="seconds")}
        temp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        temp.unlink(missing_ok=True)
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(json.dumps(record) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, self.path)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold an exclusive lock on ``<file>.lock`` (another ``vigie`` process may refresh)."""
        if sys.platform == "win32":  # pragma: no cover - no flock; run one process per account
            yield
            return
        import fcntl

        fd = os.open(self.path.with_name(self.path.name + ".lock"), os.O_RDWR | os.O_CREAT,
                     0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock


class TokenRefresher:
    """Keeps one account's access token fresh with the refresh grant; a ``TokenSource``.

    Not thread-safe (one connector, one thread); :meth:`RefreshTokenFile.locked` guards the
    refresh against other processes using the same account.
    """

    def __init__(
        self,
        client: httpx.Client,
        *,
        platform: str,
        account: str,
        token_url: str,
        client_id: str,
        client_secret: Secret | None,
        refresh_token: Secret,
        where: str,
        client_auth: ClientAuth = ClientAuth.POST,
        token_file: RefreshTokenFile | None = None,
        access_token: Secret | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
        margin_s: float = REFRESH_MARGIN_S,
    ) -> None:
        """Prepare to refresh (nothing is sent until a token is needed).

        Args:
            client: the injected HTTP client (the same one as the platform's API).
            platform: platform name, for messages and logs.
            account: account name, for messages and logs.
            token_url: the token endpoint.
            client_id: the OAuth client id (not a secret).
            client_secret: the client secret; ``None`` for a public client (X only).
            refresh_token: the configured refresh token.
            where: where ``refresh_token`` is configured, in words (for the fix in alerts).
            client_auth: how the client authenticates (:class:`ClientAuth`).
            token_file: where rotated refresh tokens are kept; its token, when it descends
                from ``refresh_token``, is used instead (read at each refresh).
            access_token: a token to start with, of unknown expiry (used until refused).
            retry: retry policy for 429/5xx/network failures of the token endpoint.
            sleep: waits between retries (tests inject a recorder).
            rng: jitter source.
            clock: monotonic seconds, for the expiry.
            margin_s: seconds before expiry when a token is refreshed.

        Raises:
            ValueError: ``client_auth`` is ``BASIC`` without a secret.
        """
        if client_auth is ClientAuth.BASIC and client_secret is None:
            raise ValueError("client_secret_basic needs a client secret")
        self.platform = platform
        self.account = account
        self.client_id = client_id
        self.where = where
        self._secret = client_secret
        self._client_auth = client_auth
        self._configured = refresh_token
        self._file = token_file
        # The token file, when set, is read at each refresh (another process may rotate).
        self._refresh = refresh_token
        self._access = access_token
        self._expires_at: float | None = None
        self._refresh_at: float | None = None
        self._clock = clock
        self.margin_s = margin_s
        basic = None
        if client_auth is ClientAuth.BASIC and client_secret is not None:
            pair = f"{quote_plus(client_id)}:{quote_plus(client_secret.reveal())}"
            basic = Secret(base64.b64encode(pair.encode("utf-8")).decode("ascii"))
        url = httpx.URL(token_url)
        self._path = url.raw_path.decode("ascii") or "/"
        self._endpoint = ApiClient(
            client, base_url=f"{url.scheme}://{url.netloc.decode('ascii')}", token=basic,
            auth_scheme="Basic",
            platform=platform, account=account, retry=retry, sleep=sleep, rng=rng,
            classify=lambda r: classify_token_error(r, platform=platform, account=account,
                                                    where=where),
        )
        #: Refreshes done (for tests and metrics).
        self.refreshes = 0

    def __repr__(self) -> str:
        return f"TokenRefresher({self.platform}/{self.account}, client_id={self.client_id!r})"

    @property
    def expires_in(self) -> float | None:
        """Seconds until the current token expires, or ``None`` when unknown or absent."""
        return None if self._expires_at is None else self._expires_at - self._clock()

    def token(self) -> Secret:
        """The access token to send now, refreshed first when missing or about to expire.

        Raises:
            AuthExpired: the refresh was refused (the message names the fix).
            RateLimited, TransientError: the token endpoint throttled or failed.
            ApiError: the token endpoint answered without an access token.
        """
        if self._access is None or (self._refresh_at is not None
                                    and self._clock() >= self._refresh_at):
            return self.refresh()
        return self._access

    def renew(self, rejected: Secret) -> Secret:
        """A new token after the platform refused ``rejected`` (see :meth:`token`)."""
        if self._access is not None and self._access != rejected:
            return self._access  # already replaced since that request was sent
        return self.refresh()

    def refresh(self) -> Secret:
        """Run the refresh grant now; keep (and save) a rotated refresh token.

        Raises:
            As :meth:`token`.
        """
        with self._file.locked() if self._file is not None else nullcontext():
            if self._file is not None:
                # Another process on this account may have rotated the token meanwhile.
                self._refresh = self._file.load(self._configured) or self._refresh
            form = {"grant_type": "refresh_token", "refresh_token": self._refresh.reveal(),
                    "client_id": self.client_id}
            if self._client_auth is ClientAuth.POST and self._secret is not None:
                form["client_secret"] = self._secret.reveal()
            body = obj(self._endpoint.request_json("POST", self._path, data=form))
            access = body.get("access_token")
            if not isinstance(access, str) or not access:
                raise ApiError(f"{self.platform}/{self.account}: the token endpoint answered "
                               "without an access_token", platform=self.platform,
                               account=self.account)
            rotated = body.get("refresh_token")
            if isinstance(rotated, str) and rotated and rotated != self._refresh.reveal():
                self._keep(Secret(rotated))
        self._access = Secret(access)
        expires = body.get("expires_in")
        try:
            seconds = float(expires) if expires is not None else None
        except (TypeError, ValueError):
            seconds = None
        now = self._clock()
        if seconds and seconds > 0:
            # Never refresh at every call when a lifetime is shorter than the margin.
            self._expires_at = now + seconds
            self._refresh_at = now + seconds - min(self.margin_s, seconds / 2)
        else:
            self._expires_at = self._refresh_at = None
        self.refreshes += 1
        log.info("%s/%s: access token refreshed (%s)", self.platform, self.account,
                 f"expires in {seconds:.0f}s" if seconds else "expiry not given")
        return self._access

    def _keep(self, rotated: Secret) -> None:
        self._refresh = rotated
        if self._file is None:
            log.warning("%s/%s: the refresh token was replaced but no oauth.token_file is set; "
                        "a restart will need a new authorization", self.platform, self.account)
            return
        try:
            self._file.save(rotated, configured=self._configured)
        except OSError as error:
            # The new token still works from memory; the next refresh tries to save again.
            log.error("%s/%s: cannot save the rotated refresh token to %s (%s); a restart "
                      "would need a new authorization", self.platform, self.account,
                      self._file.path, error.strerror or type(error).__name__)
        else:
            log.info("%s/%s: rotated refresh token saved to %s", self.platform, self.account,
                     self._file.path)
