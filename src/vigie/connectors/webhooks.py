"""Meta webhooks (Facebook Page ``feed``, Instagram ``comments``) as plain functions.

Follows "Getting Started" (https://developers.facebook.com/docs/graph-api/webhooks/
getting-started):

* **verification**: Meta sends ``GET ?hub.mode=subscribe&hub.challenge=N&hub.verify_token=T``;
  the endpoint answers the challenge when the token is ours, 403 otherwise;
* **event notifications**: ``POST`` with a JSON body and ``X-Hub-Signature-256: sha256=<hex>``,
  the HMAC-SHA256 of the *raw* body keyed with the app secret. The signature is checked in
  constant time (:func:`hmac.compare_digest`) before the body is even parsed; anything unsigned
  or wrongly signed is rejected (403) and logged, without its content;
* **freshness**: a signature never expires, so a captured delivery could be replayed for ever.
  Every entry's ``time`` (Unix seconds) must be at most :data:`MAX_AGE_S` old (Meta retries a
  failed delivery for up to 36 hours) and not more than 5 minutes ahead; otherwise 400;
* **bad input is a 4xx, never a 5xx** (Meta resends on 5xx): a signed body that is not JSON, not
  an object, or nested deeper than the parser allows is a 400.

The handlers take ``(headers, raw_body)`` and return ``(status, body)``, so any web framework
(the dashboard's FastAPI app, ``vigie serve``'s http.server) can mount them. They hand parsed
comments to an ``ingest`` callable — the store's idempotent ingest, so a delivery Meta repeats
is ingested once. When ingest fails the handler answers 500 so that Meta delivers again: a
comment is never acknowledged before it is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from vigie.connectors._graph import parse_graph_time
from vigie.connectors.base import vigie_id
from vigie.connectors.http import Secret
from vigie.errors import VigieError
from vigie.records import Author, Comment, Platform, Post

__all__ = [
    "MAX_AGE_S",
    "Ingest",
    "PostLookup",
    "WebhookResult",
    "handle_facebook_webhook",
    "handle_instagram_webhook",
    "handle_verification",
    "parse_facebook_feed",
    "parse_instagram_comments",
    "sign",
    "verify_signature",
]

log = logging.getLogger(__name__)

#: Stores comments; returns how many were new (already-known ids are skipped, not an error).
Ingest = Callable[[Sequence[Comment]], int]
#: Finds the post a comment answers (text for the detectors), or ``None``.
PostLookup = Callable[[str], Post | None]
#: ``(HTTP status, response body)``.
WebhookResult = tuple[int, str]

_SIGNATURE_HEADER = "x-hub-signature-256"
#: Oldest delivery accepted, in seconds: Meta retries for 36 hours, so 48 hours.
MAX_AGE_S = 48 * 3600.0
#: Clock skew tolerated for a delivery dated in the future, in seconds.
MAX_SKEW_S = 300.0


def sign(secret: Secret, raw_body: bytes) -> str:
    """The ``X-Hub-Signature-256`` value for ``raw_body`` (pure)."""
    digest = hmac.new(secret.reveal().encode("utf-8"), raw_body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_signature(secret: Secret, raw_body: bytes, header: str | None) -> bool:
    """Whether ``header`` is the HMAC-SHA256 of ``raw_body`` under ``secret`` (pure).

    The comparison is constant-time; a missing header, another algorithm or an empty secret
    is a failure.
    """
    if not header or not secret or not header.startswith("sha256="):
        return False
    return hmac.compare_digest(sign(secret, raw_body).encode("ascii"),
                               header.strip().encode("ascii", "replace"))


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def handle_verification(params: Mapping[str, str], verify_token: Secret) -> WebhookResult:
    """Answer Meta's subscription handshake (pure).

    Returns:
        ``(200, challenge)`` when ``hub.mode`` is ``subscribe`` and ``hub.verify_token`` is
        ours; ``(403, "forbidden")`` otherwise.
    """
    mode = params.get("hub.mode")
    token = params.get("hub.verify_token") or ""
    challenge = params.get("hub.challenge") or ""
    if mode == "subscribe" and verify_token and hmac.compare_digest(
            token.encode("utf-8"), verify_token.reveal().encode("utf-8")):
        return 200, challenge
    log.warning("webhook verification refused (mode %r, token %s)", mode,
                "absent" if not token else "wrong")
    return 403, "forbidden"


def _fresh(payload: dict[str, Any], now: float, max_age_s: float | None) -> bool:
    """Whether every entry is dated within ``[now - max_age_s, now + MAX_SKEW_S]`` (pure)."""
    if max_age_s is None:
        return True
    entries = payload.get("entry")
    if not isinstance(entries, list):
        return True  # nothing to ingest in it
    for entry in entries:
        when = entry.get("time") if isinstance(entry, dict) else None
        if isinstance(when, bool) or not isinstance(when, int | float):
            return False
        seconds = when / 1000 if when > 1e11 else when  # some deliveries are in milliseconds
        if not now - max_age_s <= seconds <= now + MAX_SKEW_S:
            return False
    return True


def _authenticated(headers: Mapping[str, str], raw_body: bytes, secret: Secret, source: str,
                   now: float, max_age_s: float | None) -> dict[str, Any] | WebhookResult:
    signature = _header(headers, _SIGNATURE_HEADER)
    if signature is None:
        log.warning("%s webhook rejected: unsigned delivery (%d bytes)", source, len(raw_body))
        return 403, "missing signature"
    if not verify_signature(secret, raw_body, signature):
        log.warning("%s webhook rejected: wrong X-Hub-Signature-256 (%d bytes)", source,
                    len(raw_body))
        return 403, "bad signature"
    try:
        payload = json.loads(raw_body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        log.warning("%s webhook rejected: signed body is not JSON", source)
        return 400, "not json"
    except RecursionError:
        log.warning("%s webhook rejected: signed body nested too deeply", source)
        return 400, "nested too deeply"
    if not isinstance(payload, dict):
        return 400, "not an object"
    if not _fresh(payload, now, max_age_s):
        log.warning("%s webhook rejected: entry time missing or outside the last %.0f hours "
                    "(a replay?)", source, (max_age_s or 0) / 3600)
        return 400, "stale or undated delivery"
    return payload


def _changes(payload: dict[str, Any], field: str) -> list[tuple[dict[str, Any], Any]]:
    out = []
    for entry in payload.get("entry", []) if isinstance(payload.get("entry"), list) else []:
        if not isinstance(entry, dict):
            continue
        for change in entry.get("changes", []) if isinstance(entry.get("changes"), list) else []:
            if isinstance(change, dict) and change.get("field") == field and isinstance(
                    change.get("value"), dict):
                out.append((entry, change["value"]))
    return out


def parse_facebook_feed(payload: dict[str, Any], post_lookup: PostLookup | None = None
                        ) -> list[Comment]:
    """Comments added or edited in a Page ``feed`` notification (pure apart from the lookup).

    A ``feed`` value for a comment carries ``item: "comment"``, ``verb`` (``add``,
    ``edited``, ``remove``...), ``comment_id``, ``post_id``, ``parent_id`` (the post for a
    top-level comment), ``from``, ``message`` and ``created_time`` (Unix seconds). Removals and
    other items (reactions, posts) are ignored here.
    """
    if payload.get("object") != "page":
        return []
    comments = []
    for entry, value in _changes(payload, "feed"):
        if value.get("item") != "comment" or value.get("verb") not in ("add", "edited"):
            continue
        try:
            post_native = str(value["post_id"])
            post_id = vigie_id(Platform.FACEBOOK, post_native)
            post = (post_lookup(post_id) if post_lookup else None) or Post(id=post_id)
            sender = value.get("from") if isinstance(value.get("from"), dict) else {}
            parent = value.get("parent_id")
            when = value.get("created_time") or entry.get("time")
            comments.append(Comment(
                id=vigie_id(Platform.FACEBOOK, str(value["comment_id"])),
                platform=Platform.FACEBOOK,
                text=str(value.get("message") or ""),
                created_at=parse_graph_time(when) if when else datetime.now(UTC),
                author=Author(
                    id=vigie_id(Platform.FACEBOOK, str(sender["id"])) if sender.get("id")
                    else "fb:unknown", name=str(sender.get("name") or "")),
                post=post,
                parent_id=vigie_id(Platform.FACEBOOK, str(parent))
                if parent and str(parent) != post_native else None,
            ))
        except (KeyError, ValueError, VigieError) as error:
            log.warning("facebook webhook: skipped a malformed comment change: %s", error)
    return comments


def parse_instagram_comments(payload: dict[str, Any], post_lookup: PostLookup | None = None
                             ) -> list[Comment]:
    """Comments in an Instagram ``comments`` notification (pure apart from the lookup).

    The value carries ``id``, ``text``, ``from {id, username}``, ``media {id}`` and, for a
    reply, ``parent_id``; the time is the entry's ``time``.
    """
    if payload.get("object") != "instagram":
        return []
    comments = []
    for entry, value in _changes(payload, "comments"):
        try:
            media = value.get("media") if isinstance(value.get("media"), dict) else {}
            post = None
            if media.get("id"):
                post_id = vigie_id(Platform.INSTAGRAM, str(media["id"]))
                post = (post_lookup(post_id) if post_lookup else None) or Post(id=post_id)
            sender = value.get("from") if isinstance(value.get("from"), dict) else {}
            username = str(sender.get("username") or "")
            when = entry.get("time")
            comments.append(Comment(
                id=vigie_id(Platform.INSTAGRAM, str(value["id"])),
                platform=Platform.INSTAGRAM,
                text=str(value.get("text") or ""),
                created_at=parse_graph_time(when) if when else datetime.now(UTC),
                author=Author(
                    id=vigie_id(Platform.INSTAGRAM, str(sender["id"])) if sender.get("id")
                    else vigie_id(Platform.INSTAGRAM, f"@{username or 'unknown'}"),
                    name=username, handle=username or None),
                post=post,
                parent_id=vigie_id(Platform.INSTAGRAM, str(value["parent_id"]))
                if value.get("parent_id") else None,
            ))
        except (KeyError, ValueError, VigieError) as error:
            log.warning("instagram webhook: skipped a malformed comment change: %s", error)
    return comments


def _deliver(comments: list[Comment], ingest: Ingest, source: str) -> WebhookResult:
    if not comments:
        return 200, "EVENT_RECEIVED"
    try:
        new = ingest(comments)
    except Exception:
        log.exception("%s webhook: ingest failed; answering 500 so Meta retries", source)
        return 500, "ingest failed"
    log.info("%s webhook: %d comment(s), %d new", source, len(comments), new)
    return 200, "EVENT_RECEIVED"


def handle_facebook_webhook(
    headers: Mapping[str, str], raw_body: bytes, *, app_secret: Secret, ingest: Ingest,
    post_lookup: PostLookup | None = None, max_age_s: float | None = MAX_AGE_S,
    now: Callable[[], float] = time.time,
) -> WebhookResult:
    """Authenticate and ingest one Facebook Page webhook delivery.

    Args:
        headers: the request headers (any case).
        raw_body: the body exactly as received (the signature covers these bytes).
        app_secret: the Meta app secret.
        ingest: stores comments idempotently; returns how many were new.
        post_lookup: finds a known post's text for the detectors.
        max_age_s: oldest entry ``time`` accepted, in seconds (``None``: no freshness check).
        now: the clock, Unix seconds.

    Returns:
        ``(200, "EVENT_RECEIVED")``, ``(403, ...)`` for an unsigned or forged delivery,
        ``(400, ...)`` for a signed body that is not a JSON object, too deeply nested, or
        stale, ``(500, ...)`` when ingest failed.
    """
    checked = _authenticated(headers, raw_body, app_secret, "facebook", now(), max_age_s)
    if isinstance(checked, tuple):
        return checked
    return _deliver(parse_facebook_feed(checked, post_lookup), ingest, "facebook")


def handle_instagram_webhook(
    headers: Mapping[str, str], raw_body: bytes, *, app_secret: Secret, ingest: Ingest,
    post_lookup: PostLookup | None = None, max_age_s: float | None = MAX_AGE_S,
    now: Callable[[], float] = time.time,
) -> WebhookResult:
    """Authenticate and ingest one Instagram webhook delivery (same contract as Facebook's)."""
    checked = _authenticated(headers, raw_body, app_secret, "instagram", now(), max_age_s)
    if isinstance(checked, tuple):
        return checked
    return _deliver(parse_instagram_comments(checked, post_lookup), ingest, "instagram")
