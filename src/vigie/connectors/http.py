"""HTTP plumbing shared by the platform clients: retries, back-off, ``Retry-After``.

Every platform client sends its requests through :class:`ApiClient`, which wraps an injected
:class:`httpx.Client` (tests inject one pointed at a loopback fake server; production injects
one with timeouts and TLS settings). The rules:

* 429 and 5xx answers, and network failures, are retried with exponential back-off and full
  jitter (AWS architecture blog, "Exponential Backoff And Jitter"), honouring ``Retry-After``
  (RFC 9110 §10.2.3: delay-seconds or an HTTP-date) when the platform sends one;
* a wait longer than ``RetryPolicy.max_wait`` is not slept through: the error goes up so the
  scheduler can park the connector instead of blocking a thread for an hour;
* a request that creates something (a reply: ``resend=False``) is retried only where the
  platform certainly did not act on it: a 429, or a connection that never opened. After a 5xx
  or a lost answer it may have been posted, so the error goes up and the outbox retries later,
  after the connector has looked for it on the platform (:mod:`vigie.connectors.replies`);
* everything else (400, 401, 403, 404) is classified by the platform's ``classify`` function
  into the :mod:`vigie.connectors.errors` tree and raised at once: retrying an expired token
  only burns quota;
* where the token comes from a :class:`TokenSource` (an OAuth refresher,
  :mod:`vigie.connectors.oauth`), it is asked for the token before each request (it refreshes
  one that is about to expire) and, after an :class:`~vigie.connectors.errors.AuthExpired`
  answer, asked once for a new one; the request is then sent once more. A second refusal is
  raised: a loop of refreshes would hide a revoked grant.

Access tokens travel in the ``Authorization`` header, never in the URL, because URLs end up in
logs (httpx logs each request line at INFO).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

import httpx

from vigie.connectors.errors import (
    AuthExpired,
    ConnectorError,
    QuotaExhausted,
    RateLimited,
    TransientError,
)

__all__ = [
    "ApiClient",
    "Classifier",
    "RetryPolicy",
    "Secret",
    "TokenSource",
    "parse_retry_after",
]

log = logging.getLogger(__name__)

#: Turns a non-2xx answer into the error to raise (pure; never returns ``None`` for non-2xx).
Classifier = Callable[[httpx.Response], ConnectorError]


class Secret:
    """A token or app secret that never prints itself.

    ``repr`` and ``str`` give ``Secret('***')``; call :meth:`reveal` where the value is really
    needed (building the ``Authorization`` header, computing an HMAC).
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """Return the secret value. Never log the result."""
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))


class TokenSource(Protocol):
    """An access token that can be renewed (:class:`vigie.connectors.oauth.TokenRefresher`)."""

    def token(self) -> Secret:
        """The token to send now, refreshed first when it is about to expire.

        Raises:
            AuthExpired: no token can be had (the refresh token was revoked...).
            RateLimited, TransientError: the token endpoint is throttling or failing.
        """
        ...

    def renew(self, rejected: Secret) -> Secret:
        """A new token after the platform refused ``rejected``.

        Raises:
            AuthExpired, RateLimited, TransientError: as :meth:`token`.
        """
        ...


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard to retry a failed call.

    Attributes:
        max_attempts: total attempts, the first included (≥ 1).
        base_delay: seconds; the n-th retry waits up to ``base_delay * 2**n``.
        max_delay: seconds; cap on one computed back-off (not on ``Retry-After``).
        max_wait: seconds; a ``Retry-After`` longer than this is not slept through, the error
            is raised so the scheduler can park the connector.
    """

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_wait: float = 120.0

    def backoff(self, retry: int, rng: random.Random) -> float:
        """Seconds to wait before retry number ``retry`` (0-based), with full jitter."""
        ceiling = min(self.max_delay, self.base_delay * (2.0**retry))
        return rng.uniform(0.0, ceiling)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Parse a ``Retry-After`` header into seconds (pure apart from ``now``).

    Args:
        value: the header value: delay-seconds (``"120"``) or an HTTP-date.
        now: the current time for HTTP-dates (default: the clock).

    Returns:
        Seconds to wait (≥ 0), or ``None`` when absent or unreadable.
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return max(0.0, (when - now).total_seconds())


class ApiClient:
    """One platform account's door to the network: auth header, retries, error mapping.

    Not thread-safe (one connector, one thread), like the :class:`httpx.Client` it wraps.
    """

    def __init__(
        self,
        client: httpx.Client,
        *,
        base_url: str,
        token: Secret | TokenSource | None,
        classify: Classifier,
        platform: str,
        account: str,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        on_response: Callable[[httpx.Response], None] | None = None,
        auth_scheme: str = "Bearer",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Wrap ``client``.

        Args:
            client: the injected HTTP client (its own base URL is ignored).
            base_url: the platform's API root, e.g. ``https://graph.facebook.com/v21.0``.
            token: the access token, sent as ``Authorization: <auth_scheme> <token>``, or the
                :class:`TokenSource` that keeps one fresh.
            classify: maps a non-2xx answer to a :class:`ConnectorError`.
            platform: platform name, for error messages and logs.
            account: configured account name, for error messages and logs.
            retry: retry policy (default :class:`RetryPolicy`).
            sleep: called to wait between retries (tests inject a recorder).
            rng: random source for the jitter (tests inject a seeded one).
            on_response: called with every answer (usage headers, quota accounting).
            auth_scheme: ``Bearer`` for every platform Vigie speaks to.
            headers: sent with every request (LinkedIn's ``LinkedIn-Version`` and
                ``X-Restli-Protocol-Version``); never a secret: ``Authorization`` is built here.
        """
        self.client = client
        self.base_url = base_url.rstrip("/")
        self._source = None if token is None or isinstance(token, Secret) else token
        self._token = token if isinstance(token, Secret) else None
        self._classify = classify
        self.platform = platform
        self.account = account
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._on_response = on_response
        self._auth_scheme = auth_scheme
        self._headers = dict(headers or {})
        #: Requests sent, retries included (for tests and metrics).
        self.requests_sent = 0

    def url(self, path: str) -> str:
        """Absolute URL for ``path`` (which starts with ``/``) under the base URL."""
        return f"{self.base_url}{path}"

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        resend: bool = True,
    ) -> httpx.Response:
        """Send one request, retrying 429/5xx/network failures; return the 2xx answer.

        With ``resend=False`` (a call that creates something: it is not idempotent), a 5xx or
        a failure after the request may have reached the platform is raised at once, as a
        :class:`TransientError`, instead of being sent again.

        Raises:
            AuthExpired, PermissionDenied, NotFound, ApiError: from ``classify``, at once
                (an ``AuthExpired`` only after one renewal, where a token source is set).
            RateLimited: still throttled after the retries, or asked to wait past ``max_wait``.
            QuotaExhausted: a quota is spent (never retried: it resets on the platform's clock).
            TransientError: 5xx or network failures outlived the retries.
        """
        token = self._source.token() if self._source is not None else self._token
        headers = self._headers_with(token)
        renewed = False
        last: ConnectorError | None = None
        attempt = 0
        while attempt < self.retry.max_attempts:
            try:
                self.requests_sent += 1
                response = self.client.request(
                    method, self.url(path), params=params, json=json, data=data, headers=headers
                )
            except httpx.TransportError as error:
                # The message of a transport error can hold the URL, never the header: safe.
                last = TransientError(
                    f"{self.platform}/{self.account}: network failure on {method} {path}: "
                    f"{type(error).__name__}",
                    platform=self.platform, account=self.account,
                )
                if not resend and not isinstance(error, httpx.ConnectError | httpx.ConnectTimeout):
                    raise last from None  # it may have reached the platform
                delay = self.retry.backoff(attempt, self._rng)
            else:
                if self._on_response is not None:
                    self._on_response(response)
                if response.is_success:
                    return response
                last = self._classify(response)
                if isinstance(last, AuthExpired) and self._source is not None and token:
                    if renewed:
                        raise AuthExpired(
                            f"{last} (a freshly refreshed token was refused too: check the "
                            "scopes granted and that the refresh token is this account's)",
                            platform=last.platform, account=last.account, status=last.status,
                            code=last.code)
                    # Revoked early, or an old token given at start: one refresh, one more
                    # try, not counted as a failed attempt.
                    renewed = True
                    log.info("%s/%s: access token refused on %s %s; refreshing it",
                             self.platform, self.account, method, path)
                    token = self._source.renew(token)
                    headers = self._headers_with(token)
                    continue
                if isinstance(last, QuotaExhausted) or not isinstance(
                    last, RateLimited | TransientError
                ) or (not resend and isinstance(last, TransientError)):
                    raise last
                wait = last.retry_after if isinstance(last, RateLimited) else None
                if wait is None:
                    wait = parse_retry_after(response.headers.get("Retry-After"))
                if wait is not None and wait > self.retry.max_wait:
                    raise last
                delay = wait if wait is not None else self.retry.backoff(attempt, self._rng)
            attempt += 1
            if attempt < self.retry.max_attempts:
                log.info("%s/%s: %s %s failed (%s), retry %d in %.2fs", self.platform,
                         self.account, method, path, last, attempt, delay)
                self._sleep(delay)
        assert last is not None
        raise last

    def _headers_with(self, token: Secret | None) -> dict[str, str]:
        headers = {"Accept": "application/json", **self._headers}
        if token:
            headers["Authorization"] = f"{self._auth_scheme} {token.reveal()}"
        return headers

    def request_json(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        resend: bool = True,
    ) -> Any:
        """Send one request like :meth:`request` and return its decoded JSON body.

        Returns:
            The parsed body, or ``{}`` when the answer has no content (204, empty 200).

        Raises:
            ConnectorError: as :meth:`request`.
        """
        response = self.request(method, path, params=params, json=json, data=data,
                                resend=resend)
        return response.json() if response.content else {}
