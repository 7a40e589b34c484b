"""Replies to comments: queued in the outbox by a person, posted later by ``vigie run``.

The community manager answers comments every day. A reply is an outbox action like a hide
(:attr:`~vigie.store.outbox.ActionKind.REPLY_COMMENT`): :func:`queue_reply` plans it in one
transaction with its text (``outbox.body``), the person who asked for it
(``outbox.requested_by``) and a ``reply_queued`` event on the comment's history; the outbox
worker then posts it through the platform's connector and records ``reply_sent`` (with the
platform's id of the new reply) or, once it gives up, ``reply_failed``.

Exactly once: the idempotency key is the comment and the text
(``reply:<comment id>:<sha256 of the text>``), so a form sent twice, or a command run again,
queues nothing new; and the connector looks for the reply on the platform before it posts
again an attempt whose answer was lost (:mod:`vigie.connectors.replies`).

Texts longer than the platform allows are refused here, before anything is queued, with the
limit in the message (:data:`REPLY_MAX_CHARS`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from vigie.errors import StoreError
from vigie.store.events import EventKind, NewEvent, append_events
from vigie.store.outbox import ActionKind, insert_planned, plan_action
from vigie.store.schema import PLATFORMS, authors, comments, events, outbox, posts
from vigie.store.store import Store

__all__ = [
    "REPLY_MAX_CHARS",
    "QueuedReply",
    "ReplyError",
    "ReplyView",
    "queue_reply",
    "replies_for",
    "reply_key",
]

#: The longest reply each platform accepts, in characters (Bluesky: 300 graphemes; X: 280
#: for an account without a subscription; Threads: 500; LinkedIn: 1,250; Instagram: 2,200;
#: Facebook: 8,000; YouTube: 10,000; WordPress: the ``comment`` column's 65,525 bytes).
REPLY_MAX_CHARS = {"x": 280, "bluesky": 300, "threads": 500, "linkedin": 1250,
                   "instagram": 2200, "facebook": 8000, "youtube": 10000, "wordpress": 65525}


class ReplyError(StoreError):
    """A reply that cannot be queued; ``key`` names the reason (``reply.*`` i18n key)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True, slots=True)
class QueuedReply:
    """What :func:`queue_reply` did.

    Attributes:
        key: the outbox action's idempotency key.
        comment_id: Vigie's id of the comment answered.
        platform: where the reply goes.
        new: ``False`` when the same text was already queued for this comment (nothing added).
    """

    key: str
    comment_id: str
    platform: str
    new: bool


@dataclass(frozen=True, slots=True)
class ReplyView:
    """One reply as the comment's page shows it.

    Attributes:
        key: the outbox key.
        text: the text posted (or to post).
        status: ``pending``, ``sending``, ``applied`` (posted) or ``dead`` (given up).
        requested_by: who asked for it.
        template: the template it started from, or ``None`` (free text).
        language: ``fr`` or ``en``, the template's language chosen.
        queued_at: when it was queued.
        sent_at: when the platform accepted it.
        reply_id: the platform's id of the posted reply (Vigie's form, ``fb:...``).
        error: the last failure, in the platform's words.
        attempts: calls made so far.
    """

    key: str
    text: str
    status: str
    requested_by: str
    template: str | None
    language: str | None
    queued_at: dt.datetime
    sent_at: dt.datetime | None
    reply_id: str | None
    error: str | None
    attempts: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (pure)."""
        return {"key": self.key, "text": self.text, "status": self.status,
                "requested_by": self.requested_by, "template": self.template,
                "language": self.language, "queued_at": self.queued_at.isoformat(),
                "sent_at": self.sent_at.isoformat() if self.sent_at else None,
                "reply_id": self.reply_id, "error": self.error, "attempts": self.attempts}


def reply_key(comment_id: str, text: str) -> str:
    """The idempotency key of replying ``text`` to ``comment_id`` (pure, ≤ 255 characters)."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
    key = f"reply:{comment_id}:{digest}"
    if len(key) <= 255:
        return key
    return "reply:sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def _comment(conn: Connection, comment: int | str) -> Any:
    query = (select(comments.c.pk, comments.c.comment_id, comments.c.platform,
                    authors.c.author_id, posts.c.post_id)
             .join(authors, authors.c.pk == comments.c.author_pk)
             .outerjoin(posts, posts.c.pk == comments.c.post_pk))
    if isinstance(comment, int):
        query = query.where(comments.c.pk == comment)
    else:
        query = query.where(comments.c.platform.in_(PLATFORMS),
                            comments.c.comment_id == comment)
    return conn.execute(query).first()


def queue_reply(store: Store, comment: int | str, text: str, *, actor: str,
                template: str | None = None, language: str | None = None) -> QueuedReply:
    """Queue ``text`` as a public reply to ``comment`` (by store number or Vigie id).

    One transaction: the outbox row and the ``action_planned`` and ``reply_queued`` events.
    Queuing the same text for the same comment again adds nothing (``new`` is ``False``).

    Args:
        store: the store.
        comment: the comment's number in the store (``comments.pk``) or its Vigie id.
        text: what to post, as edited (surrounding blanks are dropped).
        actor: who asks for it (recorded on the action and its events).
        template: the template's slug it started from, for the audit trail.
        language: the template language chosen (``fr``, ``en``).

    Raises:
        ReplyError: empty text, text over the platform's limit, or no such comment.
    """
    text = text.strip()
    if not text:
        raise ReplyError("reply.empty", "the reply is empty")
    with store.begin() as conn:
        row = _comment(conn, comment)
        if row is None:
            raise ReplyError("reply.no_comment", f"no comment {comment!r} in the store")
        limit = REPLY_MAX_CHARS.get(row.platform)
        if limit is not None and len(text) > limit:
            raise ReplyError("reply.too_long", f"the reply has {len(text)} characters; "
                             f"{row.platform} accepts at most {limit}")
        key = reply_key(row.comment_id, text)
        if conn.execute(select(outbox.c.pk).where(outbox.c.key == key)).first() is not None:
            return QueuedReply(key, row.comment_id, row.platform, False)
        now = store.now()
        rows: list[dict[str, Any]] = []
        planned: list[NewEvent] = []
        plan_action(ActionKind.REPLY_COMMENT, key=key, platform=row.platform,
                    comment_id=row.comment_id, author_id=row.author_id, post_id=row.post_id,
                    reason=f"reply by {actor}" + (f" ({template})" if template else ""),
                    when=now, rows=rows, events=planned, actor=actor, body=text)
        insert_planned(conn, rows)
        planned.append(NewEvent(EventKind.REPLY_QUEUED, "comment", row.comment_id, {
            "action": key, "platform": row.platform, "template": template,
            "language": language, "chars": len(text)}, actor))
        append_events(conn, planned, now)
    return QueuedReply(key, row.comment_id, row.platform, True)


def _queued_details(conn: Connection, keys: Sequence[str], comment_id: str
                    ) -> dict[str, dict[str, Any]]:
    rows = conn.execute(select(events.c.payload).where(
        events.c.subject_type == "comment", events.c.subject_id == comment_id,
        events.c.kind == EventKind.REPLY_QUEUED.value))
    wanted = set(keys)
    out: dict[str, dict[str, Any]] = {}
    for (payload,) in rows:
        details = json.loads(payload)
        if details.get("action") in wanted:
            out[details["action"]] = details
    return out


def replies_for(conn: Connection, comment_id: str) -> list[ReplyView]:
    """The replies queued for one comment, oldest first, with their status."""
    rows = conn.execute(select(outbox).where(
        outbox.c.kind == ActionKind.REPLY_COMMENT.value, outbox.c.comment_id == comment_id)
        .order_by(outbox.c.pk)).all()
    details = _queued_details(conn, [r.key for r in rows], comment_id)
    views = []
    for r in rows:
        result = json.loads(r.result) if r.result else {}
        queued = details.get(r.key, {})
        views.append(ReplyView(
            r.key, r.body or "", r.status, r.requested_by or "", queued.get("template"),
            queued.get("language"), r.created_at, r.applied_at,
            result.get("platform_ref"), r.last_error if r.status != "applied" else None,
            int(r.attempts)))
    return views
