"""The webhook endpoint over real HTTP: handshake, signatures, idempotent ingest, limits."""

from __future__ import annotations

import json
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
    return json.dumps({"object": "page", "entry": [{"id": "2000", "time": 1742306743,
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
