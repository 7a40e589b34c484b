"""Connector errors: what can go wrong between Vigie and a platform.

Every class derives from :class:`vigie.errors.VigieError`, so the CLI and the web edge translate
them in one place. The tree::

    VigieError
    └── ConnectorError            a platform call failed (carries platform, account, status)
        ├── ConfigError           the connectors file or a secret is missing or invalid
        ├── AuthExpired           the token is expired or revoked (Graph code 190, HTTP 401):
        │                         that connector stops, the others go on, a human is alerted
        ├── PermissionDenied      the token lacks a permission, or the action is not allowed
        ├── NotFound              the object no longer exists (deleted by its author)
        ├── RateLimited           429 / throttling; ``retry_after`` in seconds when known
        │   └── QuotaExhausted    a daily quota is spent (YouTube 10,000 units): stop until reset
        ├── TransientError        5xx or a network failure that outlived its retries
        └── ApiError              any other answer the platform refused (400 and the like)

A forged or unsigned webhook delivery is not an exception: the webhook handlers answer it with
a 403 and log it (:mod:`vigie.connectors.webhooks`).

Errors never carry access tokens or app secrets: messages are built from the platform's error
envelope (message, code, type, trace id), never from the request.
"""

from __future__ import annotations

from vigie.errors import VigieError

__all__ = [
    "ApiError",
    "AuthExpired",
    "ConfigError",
    "ConnectorError",
    "NotFound",
    "PermissionDenied",
    "QuotaExhausted",
    "RateLimited",
    "TransientError",
]


class ConnectorError(VigieError):
    """A call to a platform failed.

    Attributes:
        platform: platform name (``facebook``, ``youtube``...), or ``""`` when not known.
        account: the configured account name, or ``""``.
        status: the HTTP status of the answer, or ``None`` (network failure, config).
        code: the platform's own error code or reason (Graph ``190``, YouTube
            ``quotaExceeded``...), as a string, or ``None``.
    """

    def __init__(
        self,
        message: str,
        *,
        platform: str = "",
        account: str = "",
        status: int | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.platform = platform
        self.account = account
        self.status = status
        self.code = code


class ConfigError(ConnectorError):
    """The connectors configuration or one of its secrets is missing or invalid."""


class AuthExpired(ConnectorError):
    """The access token is expired, revoked or invalid: a human must renew it."""


class PermissionDenied(ConnectorError):
    """The token lacks a permission, or the platform forbids this action on this object."""


class NotFound(ConnectorError):
    """The object does not exist any more (often: its author deleted it)."""


class RateLimited(ConnectorError):
    """The platform throttled us.

    Attributes:
        retry_after: seconds to wait before the next call, when the platform said so.
    """

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.retry_after = retry_after


class QuotaExhausted(RateLimited):
    """A quota is spent for the period (YouTube's daily units): stop until it resets."""


class TransientError(ConnectorError):
    """A 5xx answer or a network failure that outlived its retries."""


class ApiError(ConnectorError):
    """Any other refusal by the platform (a 400 that is not about auth, quota or existence)."""

