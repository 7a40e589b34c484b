"""The webhook endpoint over real HTTP: handshake, signatures, idempotent ingest, limits."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx
import pytest

from fakes.facebook import sign_body
from vigie.connectors.config import Secrets, parse_config
from vigie.connectors.errors import ConfigError
from vigie.connectors.serve import MAX_BODY, WebhookEndpoint, WebhookServer
from vigie.records import Comment

CONFIG = """
version: 1
accounts:
  - name: page-a
    platform: facebook
    page_id: "1000"
    token: {env: TOKEN}
    app_secret: {env: SECRET_A}
    verify_token: {env: VERIFY}
  - name: page-b
    platform: facebook
    page_id: "2000"
    token: {env: TOKEN}
    app_secret: {env: SECRET_B}
    verify_token: {env: VERIFY}
"""
ENV = {"TOKEN": "t", "SECRET_A": "secret-a", "SECRET_B": "secret-b", "VERIFY": "hello"}


class Memory:
    def __init__(self) -> None:
        self.comments: dict[str, Comment] = {}

    def __call__(self, batch: Sequence[Comment]) -> int:
        new = [c for c in batch if c.id not in self.comments]
        self.comments.update((c.id, c) for c in new)
        return len(new)


@pytest.fixture
def served() -> Iterator[tuple[str, Memory]]:
    config = parse_config(CONFIG)
    memory = Memory()
    server = WebhookServer(WebhookEndpoint(config, Secrets(config, environ=ENV), memory),
                           port=0).start()
    host, port = server.address
    yield f"http://{host}:{port}", memory
    server.shutdown()


def body_for(comment_id: str) -> bytes:
    value = {"from": {"id": "7", "name": "A"}, "post_id": "2000_1", "comment_id": comment_id,
             "created_time": 1742306742, "item": "comment", "parent_id": "2000_1",
             "verb": "add", "message": "allo"}
    return json.dumps({"object": "page", "entry": [{"id": "2000", "time": int(time.time()),
                       "changes": [{"field": "feed", "value": value}]}]}).encode()


def test_handshake(served: tuple[str, Memory]) -> None:
    url, _ = served
    ok = httpx.get(f"{url}/webhooks/facebook", params={
        "hub.mode": "subscribe", "hub.challenge": "987", "hub.verify_token": "hello"})
    assert ok.status_code == 200 and ok.text == "987"
    bad = httpx.get(f"{url}/webhooks/facebook", params={
        "hub.mode": "subscribe", "hub.challenge": "987", "hub.verify_token": "nope"})
    assert bad.status_code == 403


def test_signed_by_either_app_ingested_once(served: tuple[str, Memory]) -> None:
    url, memory = served
    body = body_for("1_55")
    for _ in range(2):
        answer = httpx.post(f"{url}/webhooks/facebook", content=body,
                            headers={"X-Hub-Signature-256": sign_body("secret-b", body)})
        assert answer.status_code == 200 and answer.text == "EVENT_RECEIVED"
    assert list(memory.comments) == ["fb:1_55"]


@pytest.mark.parametrize("headers", [{}, {"X-Hub-Signature-256": "sha256=00"}])
def test_forged_rejected(served: tuple[str, Memory], headers: dict[str, str]) -> None:
    url, memory = served
    answer = httpx.post(f"{url}/webhooks/facebook", content=body_for("1_66"), headers=headers)
    assert answer.status_code == 403 and not memory.comments


def test_routes_and_limits(served: tuple[str, Memory]) -> None:
    url, _ = served
    assert httpx.get(f"{url}/healthz").text == "ok"
    assert httpx.get(f"{url}/webhooks/myspace").status_code == 404
    assert httpx.post(f"{url}/webhooks/instagram", content=b"{}").status_code == 404
    big = httpx.post(f"{url}/webhooks/facebook", content=b"x" * (MAX_BODY + 1))
    assert big.status_code == 413


def test_meta_accounts_need_webhook_secrets(tmp_path: Path) -> None:
    config = parse_config(CONFIG.replace("    app_secret: {env: SECRET_B}\n", ""))
    with pytest.raises(ConfigError, match=r"page-b.*app_secret"):
        WebhookEndpoint(config, Secrets(config, environ=ENV), Memory())


# -- hostile clients: bounded memory and time, never a 5xx -------------------------------------


def raw_request(url: str, head: bytes, body: bytes = b"", *, timeout: float = 10.0) -> bytes:
    """Send bytes as they are (httpx would fix a bad Content-Length) and read the answer."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(head + body)
        answer = b""
        while b"\r\n\r\n" not in answer:
            try:
                chunk = sock.recv(4096)
            except ConnectionResetError:  # closed unanswered
                break
            if not chunk:
                break
            answer += chunk
    return answer


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0


@pytest.mark.parametrize(("length", "status"), [
    (b"abc", 400), (b"-1", 400), (b"+5", 400), (b"1e3", 400), (b"209715200", 413)])
def test_content_length_is_checked_before_reading(served: tuple[str, Memory], length: bytes,
                                                  status: int) -> None:
    url, memory = served
    body = body_for("2000_99")
    head = (b"POST /webhooks/facebook HTTP/1.1\r\nHost: x\r\nContent-Length: " + length
            + b"\r\nX-Hub-Signature-256: " + sign_body("secret-a", body).encode() + b"\r\n\r\n")
    # 200 MB announced, 64 KiB sent: the answer comes without the server waiting for the rest.
    assert status_of(raw_request(url, head, b"x" * 65536)) == status
    assert not memory.comments


def test_post_without_length_or_chunked_is_a_411(served: tuple[str, Memory]) -> None:
    url, _ = served
    for extra in (b"", b"Transfer-Encoding: chunked\r\n"):
        head = (b"POST /webhooks/facebook HTTP/1.1\r\nHost: x\r\n" + extra
                + b"X-Hub-Signature-256: sha256=00\r\n\r\n")
        assert status_of(raw_request(url, head)) == 411


def test_unsigned_body_is_refused_unread(served: tuple[str, Memory]) -> None:
    url, _ = served
    head = (b"POST /webhooks/facebook HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n")
    started = time.monotonic()
    assert status_of(raw_request(url, head, b"{")) == 403  # 1 byte of a megabyte: not awaited
    assert time.monotonic() - started < 5


def test_deep_or_stale_signed_bodies_are_400_not_500(served: tuple[str, Memory]) -> None:
    url, memory = served
    deep = b'{"object": "page", "entry": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    stale = body_for("2000_98").replace(str(int(time.time())).encode(), b"1742306743")
    future = body_for("2000_97").replace(str(int(time.time())).encode(),
                                         str(int(time.time()) + 3600).encode())
    for body in (deep, stale, future):
        answer = httpx.post(f"{url}/webhooks/facebook", content=body,
                            headers={"X-Hub-Signature-256": sign_body("secret-a", body)})
        assert answer.status_code == 400, answer.text
    assert not memory.comments


def test_slow_loris_is_cut_off() -> None:
    config = parse_config(CONFIG)
    memory = Memory()
    server = WebhookServer(WebhookEndpoint(config, Secrets(config, environ=ENV), memory),
                           port=0, idle_timeout_s=0.5, body_deadline_s=1.5,
                           max_connections=4).start()
    host, port = server.address
    try:
        body = body_for("2000_96")
        head = (b"POST /webhooks/facebook HTTP/1.1\r\nHost: x\r\nContent-Length: "
                + str(len(body)).encode() + b"\r\nX-Hub-Signature-256: "
                + sign_body("secret-a", body).encode() + b"\r\n\r\n")
        with socket.create_connection((host, port), timeout=10) as sock:
            sock.sendall(head)
            started = time.monotonic()
            answer = b""
            for byte in body:  # one byte every 0.2 s: never idle 0.5 s, but 1.5 s in all
                try:
                    sock.sendall(bytes([byte]))
                except OSError:
                    break
                time.sleep(0.2)
                sock.setblocking(False)
                try:
                    answer += sock.recv(4096)
                except BlockingIOError:
                    pass
                finally:
                    sock.setblocking(True)
                if answer:
                    break
            assert status_of(answer) == 408
            assert time.monotonic() - started < 5
        assert not memory.comments
    finally:
        server.shutdown()


def test_connections_beyond_the_cap_are_closed_until_slots_free_up() -> None:
    config = parse_config(CONFIG)
    server = WebhookServer(WebhookEndpoint(config, Secrets(config, environ=ENV), Memory()),
                           port=0, idle_timeout_s=3.0, max_connections=2).start()
    host, port = server.address
    try:
        idle = [socket.create_connection((host, port), timeout=10) for _ in range(2)]
        time.sleep(0.3)  # both accepted: their threads wait for a request line
        refused = raw_request(f"http://{host}:{port}", b"GET /healthz HTTP/1.1\r\n\r\n")
        assert refused == b""  # closed unanswered: no third thread
        for sock in idle:
            sock.close()
        time.sleep(0.3)
        assert httpx.get(f"http://{host}:{port}/healthz", timeout=5).text == "ok"
    finally:
        server.shutdown()
