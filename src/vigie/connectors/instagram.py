"""Instagram connector (Instagram Graph API, professional accounts).

Reads, following "Comment Moderation"
(https://developers.facebook.com/docs/instagram-platform/comment-moderation) and the IG Media,
IG Comment and IG Comment Replies references:

* ``GET /{ig-user-id}/media?fields=id,caption,timestamp,comments_count`` — recent media;
* ``GET /{ig-media-id}/comments?fields=id,text,timestamp,username,from,hidden,parent_id,
  replies{...}`` — top-level comments with their first replies, cursor paging;
* ``GET /{ig-comment-id}/replies`` — the rest of a comment's replies.

An IG Comment has no address of its own (its fields: ``from``, ``hidden``, ``id``,
``like_count``, ``media``, ``parent_id``, ``replies``, ``text``, ``timestamp``, ``username``...,
no ``permalink``); the media's ``permalink`` is the post's, not the comment's, so the record's
``url`` stays empty and the dashboard offers no link rather than one to the wrong place.

Writes: hide / unhide ``POST /{ig-comment-id}`` with ``hide=true|false`` and delete
``DELETE /{ig-comment-id}``, both answering ``{"success": true}``; reply as the account with
``POST /{ig-comment-id}/replies`` and ``message`` → ``{"id"}`` (IG Comment Replies reference:
only top-level comments take replies, a reply to a reply lands under its top-level comment,
and a hidden comment cannot be replied to: Instagram's refusal is recorded as a failed reply).
Instagram offers no API to block or restrict an account, so ``block`` degrades to the removal
(recorded as such).

Polling strategy: Meta recommends webhooks for Instagram comments (the ``comments`` field, see
:mod:`vigie.connectors.webhooks`); polling is the safety net. A round lists recent media with
their ``comments_count`` and re-reads only media whose count changed, emitting comments not
older than the newest one already seen on that media (the store's idempotent ingest absorbs
the overlap). The order of ``/comments`` is not documented, so nothing here depends on it.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import Any

import httpx

from vigie.connectors._cursor import dump_state, load_state
from vigie.connectors._graph import GraphConnector, graph_page, parse_graph_time
from vigie.connectors._json import obj
from vigie.connectors.base import (
    FetchResult,
    Operation,
    vigie_id,
)
from vigie.connectors.errors import NotFound
from vigie.connectors.http import RetryPolicy, Secret
from vigie.records import Author, Comment, Platform, Post

__all__ = ["DEFAULT_IG_URL", "InstagramConnector", "comment_from_instagram"]

log = logging.getLogger(__name__)

DEFAULT_IG_URL = "https://graph.facebook.com/v21.0"
_BASE_FIELDS = "id,text,timestamp,username,from,hidden,parent_id,like_count"
COMMENT_FIELDS = f"{_BASE_FIELDS},replies{{{_BASE_FIELDS}}}"
MEDIA_FIELDS = "id,caption,timestamp,comments_count,permalink"
USAGE_PAUSE_PERCENT = 95.0


def comment_from_instagram(item: dict[str, Any], post: Post | None,
                           parent_id: str | None = None) -> Comment:
    """Map an IG Comment onto a Vigie :class:`Comment` (pure).

    Instagram gives the author's IGSID and username (``from``, since 2021) and the username
    alone on older objects; the author id is then ``ig:@<username>``.

    Raises:
        ValueError: no id or no readable ``timestamp``.
    """
    native = item.get("id")
    if not isinstance(native, str) or not native:
        raise ValueError("IG comment without an id")
    sender = obj(item.get("from"))
    username = str(sender.get("username") or item.get("username") or "")
    if sender.get("id"):
        author_id = vigie_id(Platform.INSTAGRAM, str(sender["id"]))
    else:
        author_id = vigie_id(Platform.INSTAGRAM, f"@{username or 'unknown'}")
    parent = item.get("parent_id") or parent_id
    return Comment(
        id=vigie_id(Platform.INSTAGRAM, native),
        platform=Platform.INSTAGRAM,
        text=str(item.get("text") or ""),
        created_at=parse_graph_time(item.get("timestamp")),
        author=Author(id=author_id, name=username, handle=username or None),
        post=post,
        parent_id=vigie_id(Platform.INSTAGRAM, str(parent)) if parent else None,
    )


class InstagramConnector(GraphConnector):
    """One Instagram professional account: poll comments on its media, hide or delete them."""

    platform = Platform.INSTAGRAM
    hide_field = "hide"
    hidden_field = "hidden"
    reply_edge = "replies"
    reply_text_field = "text"
    usage_pause_percent = USAGE_PAUSE_PERCENT

    def __init__(
        self,
        name: str,
        ig_user_id: str,
        client: httpx.Client,
        token: Secret,
        *,
        base_url: str = DEFAULT_IG_URL,
        remove_as: Operation = Operation.HIDE,
        max_media: int = 25,
        page_size: int = 50,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        """Build the connector.

        Args:
            name: the account's name in the configuration.
            ig_user_id: the IG professional account's id.
            client: injected HTTP client.
            token: access token with ``instagram_basic`` and ``instagram_manage_comments``.
            base_url: ``https://graph.facebook.com/vXX`` (Facebook Login) or
                ``https://graph.instagram.com/vXX`` (Instagram Login).
            remove_as: ``hide`` (default, reversible) or ``delete``.
            max_media: how many recent media a round covers.
            page_size: comments per request.
            retry: retry policy for 429/5xx/network failures.
            sleep: waits between retries (tests inject a recorder).
            rng: jitter source (tests inject a seeded one).
        """
        self._connect(
            name, client, token, base_url=base_url, remove_as=remove_as, retry=retry,
            sleep=sleep, rng=rng,
            operations={Operation.HIDE, Operation.UNHIDE, Operation.DELETE, Operation.REPLY},
        )
        self.ig_user_id = self.own_id = ig_user_id
        self.max_media = max_media
        self.page_size = min(max(page_size, 1), 100)
        self._media: dict[str, Post] = {}

    # -- low-level calls ------------------------------------------------------------------

    def list_media(self) -> list[dict[str, Any]]:
        """Recent media with their ``comments_count`` (one request)."""
        body = self._call("GET", f"/{self.ig_user_id}/media",
                          params={"fields": MEDIA_FIELDS, "limit": self.max_media})
        items, _, _ = graph_page(body)
        for item in items:
            if isinstance(item.get("id"), str):
                self._media[item["id"]] = Post(id=vigie_id(Platform.INSTAGRAM, item["id"]),
                                               text=str(item.get("caption") or ""))
        return items

    def _post(self, media_id: str) -> Post:
        if media_id not in self._media:
            body = self._call("GET", f"/{media_id}", params={"fields": MEDIA_FIELDS})
            self._media[media_id] = Post(id=vigie_id(Platform.INSTAGRAM, media_id),
                                         text=str(body.get("caption") or ""))
        return self._media[media_id]

    def list_comments(self, media_id: str, after: str | None = None
                      ) -> tuple[list[dict[str, Any]], str | None, bool]:
        """One page of a media's top-level comments, with their first replies nested."""
        params: dict[str, Any] = {"fields": COMMENT_FIELDS, "limit": self.page_size}
        if after:
            params["after"] = after
        return graph_page(self._call("GET", f"/{media_id}/comments", params=params))

    def list_replies(self, comment_id: str) -> list[dict[str, Any]]:
        """Every reply to a comment (all pages)."""
        replies: list[dict[str, Any]] = []
        after: str | None = None
        while True:
            params: dict[str, Any] = {"fields": _BASE_FIELDS, "limit": self.page_size}
            if after:
                params["after"] = after
            items, after, has_next = graph_page(
                self._call("GET", f"/{comment_id}/replies", params=params))
            replies.extend(items)
            if not has_next or not after:
                return replies

    # -- Connector protocol -----------------------------------------------------------------

    def _expand(self, item: dict[str, Any], post: Post) -> list[Comment]:
        out = [comment_from_instagram(item, post)]
        nested = item.get("replies")
        replies, _, has_more = graph_page(nested) if isinstance(nested, dict) else ([], None,
                                                                                   False)
        if has_more:
            replies = self.list_replies(item["id"])
        out.extend(comment_from_instagram(r, post, parent_id=item["id"]) for r in replies)
        return out

    def fetch(self, cursor: str | None) -> FetchResult:
        """Return one page of comments of a media whose comment count changed.

        Raises:
            ConnectorError: from the Graph API.
        """
        state = load_state(cursor, connector=self.name)
        counts: dict[str, int] = dict(state.get("counts", {}))
        newest: dict[str, list[Any]] = dict(state.get("newest", {}))
        queue: list[list[Any]] = [list(q) for q in state.get("queue", [])]  # [media, count]
        after: str | None = state.get("after")
        if not queue:
            media = self.list_media()
            listed = {m["id"]: int(m.get("comments_count") or 0) for m in media
                      if isinstance(m.get("id"), str)}
            counts = {k: v for k, v in counts.items() if k in listed}
            newest = {k: v for k, v in newest.items() if k in listed}
            queue = [[m, n] for m, n in listed.items() if counts.get(m) != n and n > 0]
            after = None
            if not queue:
                return FetchResult((), dump_state({"counts": counts, "newest": newest,
                                                   "queue": []}), False)
        media_id, count = str(queue[0][0]), int(queue[0][1])
        try:
            post = self._post(media_id)
            items, next_after, has_next = self.list_comments(media_id, after)
        except NotFound:
            # A media deleted since the listing must not block the queue behind it.
            log.info("instagram/%s: media %s is gone; skipped", self.name, media_id)
            counts.pop(media_id, None)
            newest.pop(media_id, None)
            queue = queue[1:]
            return FetchResult((), dump_state({"counts": counts, "newest": newest,
                                               "queue": queue, "after": None}), bool(queue))
        # The newest timestamp seen on this media, and the ids seen at that very second.
        floor, at_floor = newest.get(media_id, ["", []])
        comments: list[Comment] = []
        for item in items:
            try:
                comments.extend(self._expand(item, post))
            except (ValueError, KeyError) as error:
                log.warning("instagram/%s: skipped a malformed comment: %s", self.name, error)
        comments = [c for c in comments if (stamp := c.created_at.isoformat()) > floor
                    or (stamp == floor and c.id not in at_floor)]
        for c in comments:
            stamp = c.created_at.isoformat()
            if stamp > floor:
                floor, at_floor = stamp, []
            if stamp == floor:
                at_floor = [*at_floor, c.id]
        if floor:
            newest[media_id] = [floor, at_floor]
        if has_next and next_after:
            after = next_after
        else:
            counts[media_id] = count
            queue, after = queue[1:], None
        return FetchResult(tuple(comments), dump_state(
            {"counts": counts, "newest": newest, "queue": queue, "after": after}), bool(queue))


