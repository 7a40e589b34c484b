"""A real HTTP server on loopback that a fake platform plugs into.

Each fake platform (``FakeFacebook``, ``FakeYouTube``...) subclasses :class:`FakePlatform` and
implements ``route``; :class:`FakeServer` serves it on ``127.0.0.1`` on a free port from a
thread (standard library only). Fakes keep state (comments, hidden, deleted, blocked), log every
request, check the bearer token, and can be told to fail the next calls with any status, body
and headers (``fail_next``), which is how tests exercise 400/401/403/429/500 and quotas; with
``after=True`` the request is served first and only its answer is replaced: a platform that
acted but whose answer was lost (a 502 from a proxy after the post went up).
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = ["FakePlatform", "FakeServer", "Reply", "Request", "pick_fields"]


def pick_fields(item: dict[str, Any], fields: str | None) -> dict[str, Any]:
    """``item`` cut to the top-level ``fields`` asked for, all of it when none are named.

    Graph's ``fields`` and WordPress's ``_fields`` work so: a field the client stops asking for
    stops coming back, and the connector tests see it.
    """
    if not fields:
        return item
    wanted = {f.split("{", 1)[0].strip() for f in fields.split(",")} | {"id"}
    return {k: v for k, v in item.items() if k in wanted}


@dataclass
class Request:
    """One request as the fake received it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def form(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(self.body.decode("utf-8")).items()}

    @property
    def params(self) -> dict[str, str]:
        """Query and form parameters together (Graph accepts both)."""
        merged = dict(self.query)
        if self.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            merged.update(self.form())
        return merged


@dataclass
class Reply:
    """What the fake answers."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    def encode(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body).encode("utf-8")


@dataclass
class _Fault:
    match: Callable[[Request], bool]
    reply: Reply
    times: int
    after: bool = False


class FakePlatform:
    """Base class of the fakes: request log, token check, fault injection. Thread-safe."""

    def __init__(self, token: str = "test-token") -> None:
        self.lock = threading.RLock()
        self.valid_tokens = {token}
        self.requests: list[Request] = []
        self._faults: list[_Fault] = []

    # -- test controls ------------------------------------------------------------------

    def fail_next(
        self, reply: Reply, *, times: int = 1, when: Callable[[Request], bool] | None = None,
        after: bool = False,
    ) -> None:
        """Answer the next ``times`` matching requests with ``reply`` instead of serving them.

        With ``after``, each is served first (its effect happens) and ``reply`` replaces only
        the answer.
        """
        with self.lock:
            self._faults.append(_Fault(when or (lambda r: True), reply, times, after))

    def expire_token(self) -> None:
        """Every token stops working (the platform's expired-token answer from now on)."""
        with self.lock:
            self.valid_tokens.clear()

    def calls(self, method: str | None = None, path_part: str = "") -> list[Request]:
        with self.lock:
            return [r for r in self.requests
                    if (method is None or r.method == method) and path_part in r.path]

    # -- to implement --------------------------------------------------------------------

    def route(self, request: Request) -> Reply:  # pragma: no cover - abstract
        raise NotImplementedError

    def unauthorized(self, request: Request) -> Reply:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- plumbing --------------------------------------------------------------------------

    def handle(self, request: Request) -> Reply:
        with self.lock:
            self.requests.append(request)
            for fault in self._faults:
                if fault.times > 0 and fault.match(request):
                    fault.times -= 1
                    if fault.after and self.authorized(request):
                        self.route(request)
                    return fault.reply
            if not self.authorized(request):
                return self.unauthorized(request)
            return self.route(request)

    def authorized(self, request: Request) -> bool:
        """Whether the request's bearer token is valid (an OAuth token endpoint overrides it)."""
        auth = request.headers.get("authorization", "")
        token = auth.split(" ", 1)[1] if " " in auth else ""
        return token in self.valid_tokens

    def bearer(self, request: Request) -> str:
        """The bearer token a request carried ("" when none)."""
        auth = request.headers.get("authorization", "")
        return auth.split(" ", 1)[1] if auth.lower().startswith("bearer ") else ""


class _Handler(BaseHTTPRequestHandler):
    platform: FakePlatform  # set on the subclass built by FakeServer
    protocol_version = "HTTP/1.1"

    def _serve(self) -> None:
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = Request(
            method=self.command,
            path=split.path,
            query={k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()},
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        try:
            reply = self.platform.handle(request)
        except Exception as error:  # a bug in a fake must show, not hang the client
            reply = Reply(599, {"fake_error": repr(error)})
        payload = reply.encode()
        self.send_response(reply.status)
        headers = {"Content-Type": "application/json; charset=UTF-8", **reply.headers}
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if payload:
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = _serve

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes: without this, Nagle's algorithm meets the
        # client's delayed ACK and every answer waits 40 ms.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass


class FakeServer:
    """Serve a :class:`FakePlatform` on ``127.0.0.1:<free port>`` from a daemon thread."""

    def __init__(self, platform: FakePlatform) -> None:
        self.platform = platform
        handler = type("Handler", (_Handler,), {"platform": platform})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,),
                                        daemon=True,
                                        name=f"fake-{type(platform).__name__}")

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
