"""``vigie serve --webhooks``: a small HTTP endpoint for Meta's webhook deliveries.

Routes (mount the same handlers in any framework; these are standard-library only):

* ``GET  /webhooks/facebook`` and ``/webhooks/instagram`` — the subscription handshake;
* ``POST /webhooks/facebook`` and ``/webhooks/instagram`` — signed event deliveries;
* ``GET  /healthz`` — ``ok``.

One Meta app serves every page of an institution, so the endpoint accepts a delivery signed
with the app secret of any configured account of that platform. Bodies over 1 MiB are refused
(Meta batches at most 1,000 changes per delivery, far below). Put it behind the institution's
TLS reverse proxy: Meta only calls HTTPS endpoints.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from vigie.connectors.config import (
    ConnectorsConfig,
    FacebookAccount,
    InstagramAccount,
    Secrets,
)
from vigie.connectors.errors import ConfigError
from vigie.connectors.http import Secret
from vigie.connectors.webhooks import (
    Ingest,
    PostLookup,
    WebhookResult,
    handle_facebook_webhook,
    handle_instagram_webhook,
    handle_verification,
    verify_signature,
)

__all__ = ["MAX_BODY", "WebhookEndpoint", "WebhookServer"]

log = logging.getLogger(__name__)

MAX_BODY = 1 << 20
_HANDLERS = {"facebook": handle_facebook_webhook, "instagram": handle_instagram_webhook}


class WebhookEndpoint:
    """The webhook routes as a plain function of (method, path, query, headers, body)."""

    def __init__(self, config: ConnectorsConfig, secrets: Secrets, ingest: Ingest,
                 post_lookup: PostLookup | None = None) -> None:
        """Read the app secrets and verify tokens of the Meta accounts now.

        Raises:
            ConfigError: a Meta account lacks its ``app_secret`` or ``verify_token``, or one
                of them cannot be read; or no Facebook/Instagram account is configured.
        """
        self.app_secrets: dict[str, list[Secret]] = {"facebook": [], "instagram": []}
        self.verify_tokens: dict[str, list[Secret]] = {"facebook": [], "instagram": []}
        for account in config.accounts:
            if not isinstance(account, FacebookAccount | InstagramAccount) or not account.enabled:
                continue
            if account.app_secret is None or account.verify_token is None:
                raise ConfigError(f"account {account.name!r}: webhooks need app_secret and "
                                  "verify_token")
            self.app_secrets[account.platform].append(
                secrets.resolve(account.app_secret, account=account.name, field="app_secret"))
            self.verify_tokens[account.platform].append(
                secrets.resolve(account.verify_token, account=account.name,
                                field="verify_token"))
        if not any(self.app_secrets.values()):
            raise ConfigError("no Facebook or Instagram account: nothing can push webhooks")
        self.ingest = ingest
        self.post_lookup = post_lookup

    def __call__(self, method: str, path: str, query: dict[str, str],
                 headers: dict[str, str], body: bytes) -> WebhookResult:
        """Route one request; returns ``(status, body)``."""
        if path == "/healthz" and method == "GET":
            return 200, "ok"
        parts = [p for p in path.split("/") if p]
        if len(parts) != 2 or parts[0] != "webhooks" or parts[1] not in _HANDLERS:
            return 404, "not found"
        platform = parts[1]
        if method == "GET":
            for token in self.verify_tokens[platform]:
                status, answer = handle_verification(query, token)
                if status == 200:
                    return status, answer
            return 403, "forbidden"
        if method != "POST":
            return 405, "method not allowed"
        secrets = self.app_secrets[platform]
        if not secrets:
            return 404, "not found"
        header = next((v for k, v in headers.items() if k.lower() == "x-hub-signature-256"),
                      None)
        # Several apps may be configured: use the secret that signed it (or the first, which
        # rejects and logs the delivery).
        secret = next((s for s in secrets if verify_signature(s, body, header)), secrets[0])
        return _HANDLERS[platform](headers, body, app_secret=secret, ingest=self.ingest,
                                   post_lookup=self.post_lookup)


def _handler_class(endpoint: Callable[..., WebhookResult]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "vigie-webhooks"

        def _serve(self) -> None:
            split = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self._answer(413, "too large")
                self.close_connection = True
                return
            body = self.rfile.read(length) if length else b""
            query = {k: v[-1] for k, v in parse_qs(split.query).items()}
            try:
                status, text = endpoint(self.command, split.path, query,
                                        dict(self.headers.items()), body)
            except Exception:
                log.exception("webhook handler failed")
                status, text = 500, "error"
            self._answer(status, text)

        def _answer(self, status: int, text: str) -> None:
            payload = text.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:
            # The request line may carry hub.verify_token: never log query strings.
            log.debug("webhook %s %s", self.command, urlsplit(self.path).path)

    return Handler


class WebhookServer:
    """Serve a :class:`WebhookEndpoint` over HTTP (threaded, standard library)."""

    def __init__(self, endpoint: Callable[..., WebhookResult], host: str = "127.0.0.1",
                 port: int = 8080) -> None:
        """Bind ``host:port`` (port 0: a free one)."""
        self._server = ThreadingHTTPServer((host, port), _handler_class(endpoint))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> tuple[str, int]:
        """``(host, port)`` actually bound."""
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    def serve_forever(self) -> None:
        """Serve until :meth:`shutdown` (blocks)."""
        self._server.serve_forever(poll_interval=0.2)

    def start(self) -> WebhookServer:
        """Serve from a daemon thread."""
        self._thread = threading.Thread(target=self.serve_forever, daemon=True,
                                        name="vigie-webhooks")
        self._thread.start()
        return self

    def shutdown(self) -> None:
        """Stop serving and release the port."""
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)


def accounts_with_webhooks(config: ConnectorsConfig) -> Sequence[str]:
    """Names of the accounts whose platform pushes webhooks (pure)."""
    return [a.name for a in config.accounts
            if isinstance(a, FacebookAccount | InstagramAccount) and a.enabled]
