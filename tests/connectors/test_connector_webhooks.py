"""Meta webhook handlers: handshake, signature, parsing, idempotent ingest."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence

import pytest

from fakes.facebook import sign_body
from vigie.connectors.http import Secret
from vigie.connectors.webhooks import (
    handle_facebook_webhook,
    handle_instagram_webhook,
    handle_verification,
    verify_signature,
)
from vigie.records import Comment, Post

SECRET = Secret("app-secret-123")


class MemoryIngest:
    """Idempotent on comment id, like the store."""

    def __init__(self) -> None:
        self.comments: dict[str, Comment] = {}
        self.calls = 0

    def __call__(self, comments: Sequence[Comment]) -> int:
        self.calls += 1
        new = [c for c in comments if c.id not in self.comments]
        self.comments.update((c.id, c) for c in new)
        return len(new)


def feed(verb: str = "add", comment_id: str = "111_222", parent: str = "1000_111",
         message: str = "Bravo!") -> bytes:
    value = {"from": {"id": "4242", "name": "Marie Roy"},
             "post": {"id": "1000_111", "status_type": "added_photos", "is_published": True},
             "message": message, "post_id": "1000_111", "comment_id": comment_id,
             "created_time": 1742306742, "item": "comment", "parent_id": parent, "verb": verb}
    body = {"object": "page",
            "entry": [{"id": "1000", "time": int(time.time()),
                       "changes": [{"field": "feed", "value": value}]}]}
    return json.dumps(body).encode()


@pytest.mark.parametrize(("params", "expected"), [
    ({"hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": "meaty"},
     (200, "1158201444")),
    ({"hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": "wrong"},
     (403, "forbidden")),
    ({"hub.mode": "unsubscribe", "hub.challenge": "1", "hub.verify_token": "meaty"},
     (403, "forbidden")),
    ({"hub.challenge": "1"}, (403, "forbidden")),
])
def test_verification_handshake(params: dict[str, str], expected: tuple[int, str]) -> None:
    assert handle_verification(params, Secret("meaty")) == expected


@pytest.mark.parametrize(("header", "ok"), [
    (sign_body("app-secret-123", b'{"a":1}'), True),
    (sign_body("another-secret", b'{"a":1}'), False),
    (sign_body("app-secret-123", b'{"a": 1}'), False),  # same JSON, other bytes
    ("sha1=" + sign_body("app-secret-123", b'{"a":1}')[7:], False),
    ("", False),
    (None, False),
    ("sha256=not-hex-at-all", False),
])
def test_verify_signature(header: str | None, ok: bool) -> None:
    assert verify_signature(SECRET, b'{"a":1}', header) is ok


def test_signed_comment_is_ingested_once_even_if_delivered_twice() -> None:
    ingest = MemoryIngest()
    body = feed()
    headers = {"X-Hub-Signature-256": sign_body("app-secret-123", body),
               "Content-Type": "application/json"}
    lookup = {"fb:1000_111": Post(id="fb:1000_111", text="Journée portes ouvertes")}
    for _ in range(2):
        assert handle_facebook_webhook(headers, body, app_secret=SECRET, ingest=ingest,
                                       post_lookup=lookup.get) == (200, "EVENT_RECEIVED")
    assert list(ingest.comments) == ["fb:111_222"] and ingest.calls == 2
    comment = ingest.comments["fb:111_222"]
    assert comment.author.id == "fb:4242" and comment.parent_id is None
    assert comment.post is not None and comment.post.text == "Journée portes ouvertes"
    assert comment.created_at.year == 2025


@pytest.mark.parametrize("headers", [
    {},  # unsigned
    {"x-hub-signature-256": sign_body("forged", feed())},
    {"X-Hub-Signature-256": "sha256=" + "0" * 64},
])
def test_forged_or_unsigned_delivery_is_rejected_and_logged(
        headers: dict[str, str], caplog: pytest.LogCaptureFixture) -> None:
    ingest = MemoryIngest()
    with caplog.at_level(logging.WARNING):
        status, _ = handle_facebook_webhook(headers, feed(), app_secret=SECRET, ingest=ingest)
    assert status == 403 and ingest.calls == 0
    assert "rejected" in caplog.text and "Bravo" not in caplog.text  # content never logged


def test_reply_removal_and_other_items() -> None:
    ingest = MemoryIngest()
    reply = feed(comment_id="111_333", parent="111_222")
    removal = feed(verb="remove", comment_id="111_444")
    for body in (reply, removal):
        handle_facebook_webhook({"X-Hub-Signature-256": sign_body("app-secret-123", body)},
                                body, app_secret=SECRET, ingest=ingest)
    assert list(ingest.comments) == ["fb:111_333"]
    assert ingest.comments["fb:111_333"].parent_id == "fb:111_222"


def test_signed_garbage_is_a_400() -> None:
    body = b"not json"
    status, _ = handle_facebook_webhook(
        {"X-Hub-Signature-256": sign_body("app-secret-123", body)}, body, app_secret=SECRET,
        ingest=MemoryIngest())
    assert status == 400


def test_failed_ingest_answers_500_so_meta_retries() -> None:
    def broken(comments: Sequence[Comment]) -> int:
        raise RuntimeError("database down")

    body = feed()
    status, _ = handle_facebook_webhook(
        {"X-Hub-Signature-256": sign_body("app-secret-123", body)}, body, app_secret=SECRET,
        ingest=broken)
    assert status == 500


def test_instagram_comment_webhook() -> None:
    payload = {"object": "instagram", "entry": [{"id": "17841400000000001",
                                                 "time": int(time.time()),
               "changes": [{"field": "comments", "value": {
                   "from": {"id": "2323", "username": "etu.poly"},
                   "media": {"id": "17900000000000001", "media_product_type": "FEED"},
                   "id": "17900000000000099", "parent_id": "17900000000000050",
                   "text": "On veut la date!"}}]}]}
    body = json.dumps(payload).encode()
    ingest = MemoryIngest()
    assert handle_instagram_webhook(
        {"X-Hub-Signature-256": sign_body("app-secret-123", body)}, body, app_secret=SECRET,
        ingest=ingest)[0] == 200
    comment = ingest.comments["ig:17900000000000099"]
    assert comment.author.handle == "etu.poly" and comment.parent_id == "ig:17900000000000050"
    assert comment.post is not None and comment.post.id == "ig:17900000000000001"
    forged = handle_instagram_webhook({"X-Hub-Signature-256": sign_body("x", body)}, body,
                                      app_secret=SECRET, ingest=ingest)
    assert forged[0] == 403
