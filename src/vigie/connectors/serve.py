"""``vigie serve --webhooks``: a small HTTP endpoint for Meta's webhook deliveries.

Routes (mount the same handlers in any framework; these are standard-library only):

* ``GET  /webhooks/facebook`` and ``/webhooks/instagram`` — the subscription handshake;
* ``POST /webhooks/facebook`` and ``/webhooks/instagram`` — signed event deliveries;
* ``GET  /healthz`` — ``ok``.

One Meta app serves every page of an institution, so the endpoint accepts a delivery signed
with the app secret of any configured account of that platform. Put it behind the institution's
TLS reverse proxy: Meta only calls HTTPS endpoints.

Limits, checked before anything is read or parsed, so a hostile client costs bounded memory and
time and never a 5xx (Meta resends on 5xx):

* ``Content-Length`` must be a plain decimal (400 otherwise: ``-1``, ``abc``, two values); a POST
  without one, or chunked, is a 411; over :data:`MAX_BODY` (1 MiB; Meta batches at most 1,000
  changes per delivery, far below) a 413, answered without reading the body;
* a POST to a webhook without ``X-Hub-Signature-256`` is a 403 before its body is read;
* the body is read in chunks, never past ``Content-Length``, and within :data:`BODY_DEADLINE_S`
  in all; each socket read waits at most :data:`IDLE_TIMEOUT_S` (a slow-loris is cut off: 408);
* the signature is computed on at most :data:`MAX_BODY` bytes; too deep a body is a 400.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
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

__all__ = ["BODY_DEADLINE_S", "IDLE_TIMEOUT_S", "MAX_BODY", "WebhookEndpoint", "WebhookServer"]

log = logging.getLogger(__name__)

#: Largest body accepted, in bytes.
MAX_BODY = 1 << 20
#: Most seconds one socket read may wait (request line, headers, each body chunk).
IDLE_TIMEOUT_S = 10.0
#: Most seconds the whole body may take to arrive.
BODY_DEADLINE_S = 20.0
_CHUNK = 64 * 1024
_DIGITS = re.compile(r"[0-9]{1,12}")
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

    def precheck(self, method: str, path: str, headers: Mapping[str, str]
                 ) -> WebhookResult | None:
        """The answer owed before the body is read (unknown route, unsigned POST), or ``None``."""
        parts = [p for p in path.split("/") if p]
        if len(parts) == 2 and parts[0] == "webhooks" and parts[1] in _HANDLERS:
            if not self.app_secrets[parts[1]]:
                return 404, "not found"
            if method == "POST" and not any(k.lower() == "x-hub-signature-256"
                                            for k in headers):
                log.warning("%s webhook rejected: unsigned delivery (body not read)", parts[1])
                return 403, "missing signature"
        return None

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


def _handler_class(endpoint: Callable[..., WebhookResult], idle_timeout_s: float,
                   body_deadline_s: float) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "vigie-webhooks"
        timeout = idle_timeout_s  # each socket read, headers included (StreamRequestHandler)

        def _refuse(self, status: int, text: str) -> None:
            self._answer(status, text)
            self.close_connection = True  # the unread body must not be taken for a request

        def _length(self) -> int | None:
            """The body's length, or ``None`` once a refusal was answered."""
            values = self.headers.get_all("Content-Length") or []
            if self.headers.get("Transfer-Encoding"):
                self._refuse(411, "chunked bodies are not accepted: send Content-Length")
                return None
            if not values:
                if self.command == "POST":
                    self._refuse(411, "Content-Length required")
                    return None
                return 0
            if len(set(values)) != 1 or not _DIGITS.fullmatch(values[0].strip()):
                self._refuse(400, "bad Content-Length")
                return None
            length = int(values[0])
            if length > MAX_BODY:
                self._refuse(413, f"body over {MAX_BODY} bytes")
                return None
            return length

        def _body(self, length: int) -> bytes | None:
            """Read exactly ``length`` bytes within the deadline, or answer 408/400."""
            deadline = time.monotonic() + body_deadline_s
            chunks: list[bytes] = []
            got = 0
            while got < length:
                if time.monotonic() > deadline:
                    self._refuse(408, "body too slow")
                    return None
                try:
                    chunk = self.rfile.read1(min(_CHUNK, length - got))
                except TimeoutError:
                    self._refuse(408, "body too slow")
                    return None
                if not chunk:  # the client closed before sending it all
                    self.close_connection = True
                    return None
                chunks.append(chunk)
                got += len(chunk)
            return b"".join(chunks)

        def _serve(self) -> None:
            split = urlsplit(self.path)
            length = self._length()
            if length is None:
                return
            precheck = getattr(endpoint, "precheck", None)
            early = precheck(self.command, split.path, self.headers) if precheck else None
            if early is not None:
                self._refuse(*early)
                return
            body = self._body(length) if length else b""
            if body is None:
                return
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


class _BoundedServer(ThreadingHTTPServer):
    """A thread per connection, at most ``slots`` at once: more are closed at once."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler],
                 slots: int) -> None:
        super().__init__(address, handler)
        self._slots = threading.BoundedSemaphore(slots)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            log.warning("webhook connection refused: %s already open", MAX_CONNECTIONS)
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()


#: Most connections served at once (each holds a thread until it ends or times out).
MAX_CONNECTIONS = 64


class WebhookServer:
    """Serve a :class:`WebhookEndpoint` over HTTP (threaded, standard library)."""

    def __init__(self, endpoint: Callable[..., WebhookResult], host: str = "127.0.0.1",
                 port: int = 8080, *, idle_timeout_s: float = IDLE_TIMEOUT_S,
                 body_deadline_s: float = BODY_DEADLINE_S,
                 max_connections: int = MAX_CONNECTIONS) -> None:
        """Bind ``host:port`` (port 0: a free one).

        Args:
            endpoint: the routes.
            host: address to bind.
            port: port to bind.
            idle_timeout_s: most seconds one socket read waits.
            body_deadline_s: most seconds a whole body may take.
            max_connections: connections served at once; more are closed unanswered.
        """
        self._server = _BoundedServer(
            (host, port), _handler_class(endpoint, idle_timeout_s, body_deadline_s),
            max_connections)
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
