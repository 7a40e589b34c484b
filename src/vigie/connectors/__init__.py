"""Platform connectors: fetch comments from official pages, apply moderation operations.

Modules (one concept each):

* :mod:`~vigie.connectors.base` — the :class:`Connector` protocol, :class:`Capabilities` and
  :func:`map_action` (the policy's action onto what a platform allows);
* :mod:`~vigie.connectors.errors` — the connector exception tree;
* :mod:`~vigie.connectors.http` — retries, back-off, ``Retry-After``, secrets that never print;
* :mod:`~vigie.connectors.oauth` — access-token refresh (YouTube, X, LinkedIn), rotated refresh
  tokens kept in a 0600 token file;
* :mod:`~vigie.connectors.facebook`, :mod:`~vigie.connectors.instagram`,
  :mod:`~vigie.connectors.youtube`, :mod:`~vigie.connectors.x`,
  :mod:`~vigie.connectors.linkedin`, :mod:`~vigie.connectors.wordpress`,
  :mod:`~vigie.connectors.bluesky`, :mod:`~vigie.connectors.threads` — the platform clients;
* :mod:`~vigie.connectors.importer` — JSONL/CSV import and in-memory replay;
* :mod:`~vigie.connectors.webhooks` — Meta webhook verification and parsing, as plain functions;
* :mod:`~vigie.connectors.config` and :mod:`~vigie.connectors.factory` — the connectors file;
* :mod:`~vigie.connectors.sink`, :mod:`~vigie.connectors.runner`,
  :mod:`~vigie.connectors.serve` — the store's outbox, ``vigie run``, the webhook endpoint.

Only the light, dependency-free parts are re-exported here; import the others by module.
"""

from vigie.connectors.base import (
    ActionMapping,
    ActionOutcome,
    Capabilities,
    Connector,
    FetchResult,
    Operation,
    PlatformAction,
    map_action,
)
from vigie.connectors.errors import (
    ApiError,
    AuthExpired,
    ConfigError,
    ConnectorError,
    NotFound,
    PermissionDenied,
    QuotaExhausted,
    RateLimited,
    TransientError,
)
from vigie.connectors.http import RetryPolicy, Secret

__all__ = [
    "ActionMapping",
    "ActionOutcome",
    "ApiError",
    "AuthExpired",
    "Capabilities",
    "ConfigError",
    "Connector",
    "ConnectorError",
    "FetchResult",
    "NotFound",
    "Operation",
    "PermissionDenied",
    "PlatformAction",
    "QuotaExhausted",
    "RateLimited",
    "RetryPolicy",
    "Secret",
    "TransientError",
    "map_action",
]
