"""Facebook Pages connector (Graph API).

Reads, following the Graph API reference:

* ``GET /{page-id}/posts?fields=id,message,created_time,permalink_url`` — the page's recent
  posts (https://developers.facebook.com/docs/graph-api/reference/page/feed);
* ``GET /{post-id}/comments?filter=stream&order=chronological&limit=N&after=CURSOR&fields=id,
  message,from,created_time,parent,is_hidden,can_hide,permalink_url`` — every comment of a post,
  replies included (``filter=stream`` flattens threads; ``parent`` names the comment replied to),
  with cursor paging (https://developers.facebook.com/docs/graph-api/reference/object/comments).

Writes (https://developers.facebook.com/docs/graph-api/reference/comment, "Updating" and
"Deleting"; https://developers.facebook.com/docs/graph-api/reference/page/blocked):

* hide / unhide: ``POST /{comment-id}`` with ``is_hidden=true|false`` → ``{"success": true}``;
* delete: ``DELETE /{comment-id}`` → ``{"success": true}``;
* block / unblock the author: ``POST /{page-id}/blocked`` with ``user=<id>`` →
  ``{"<id>": true}``; ``DELETE /{page-id}/blocked?user=<id>`` → ``{"success": true}``;
* reply as the page: ``POST /{comment-id}/comments`` with ``message`` → ``{"id"}``
  (https://developers.facebook.com/docs/graph-api/reference/object/comments, "Publishing");
  read back with ``GET /{comment-id}/comments?fields=id,message,from`` (the page's own replies
  come ``from`` the page id).

Rate limits are read from ``X-Business-Use-Case-Usage`` (see :mod:`vigie.connectors._graph`);
near 100 % the connector pauses itself rather than get the page throttled for hours.

How a poll resumes: the cursor keeps, per post, the ``after`` cursor of the last page read.
A *round* lists the recent posts once, then reads each post's new comments page by page; each
:meth:`FacebookConnector.fetch` returns one page, so the caller can ingest it and save the
cursor before asking for the next one: a crash loses nothing and re-reads at most one page,
which the store's idempotent ingest absorbs.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Sequence
from typing import Any

import httpx

from vigie.connectors._cursor import dump_state, load_state
from vigie.connectors._graph import GraphConnector, graph_page, parse_graph_time
from vigie.connectors._json import obj
from vigie.connectors.base import (
    FetchResult,
    Operation,
    PlatformAction,
    native_id,
    vigie_id,
)
from vigie.connectors.errors import NotFound
from vigie.connectors.http import RetryPolicy, Secret
from vigie.media.attachments import graph_attachments
from vigie.records import Author, Comment, Platform, Post, web_address

__all__ = ["COMMENT_FIELDS", "DEFAULT_GRAPH_URL", "FacebookConnector", "comment_from_graph"]

log = logging.getLogger(__name__)

DEFAULT_GRAPH_URL = "https://graph.facebook.com/v21.0"
COMMENT_FIELDS = "id,message,from,created_time,parent,is_hidden,can_hide,permalink_url,attachment"
POST_FIELDS = "id,message,created_time,permalink_url"
#: Pause before Meta does: past this share of the allowance, stop calling until it falls.
USAGE_PAUSE_PERCENT = 95.0


def comment_from_graph(item: dict[str, Any], post: Post | None) -> Comment:
    """Map a Graph comment object onto a Vigie :class:`Comment` (pure).

    Graph gives the author's id and name only (``from``); it is absent when the commenter's
    privacy settings hide it from the app, and the author is then ``fb:unknown``. The
    comment's ``permalink_url`` becomes the record's ``url`` (the dashboard's and the
    escalation notices' link to it).

    Raises:
        ValueError: the object lacks an id or a readable ``created_time``.
    """
    native = item.get("id")
    if not isinstance(native, str) or not native:
        raise ValueError("Graph comment without an id")
    sender = obj(item.get("from"))
    author = Author(
        id=vigie_id(Platform.FACEBOOK, str(sender["id"])) if sender.get("id") else "fb:unknown",
        name=str(sender.get("name") or ""),
    )
    parent = obj(item.get("parent"))
    attachment = item.get("attachment")
    # Photo, sticker, GIF, link preview (+ its thumbnail), video: see vigie.media.attachments.
    attachments = graph_attachments(attachment) if isinstance(attachment, dict) else ()
    return Comment(
        id=vigie_id(Platform.FACEBOOK, native),
        platform=Platform.FACEBOOK,
        text=str(item.get("message") or ""),
        created_at=parse_graph_time(item.get("created_time")),
        author=author,
        post=post,
        parent_id=vigie_id(Platform.FACEBOOK, str(parent["id"])) if parent.get("id") else None,
        url=web_address(item.get("permalink_url")),
        attachments=attachments,
    )


class FacebookConnector(GraphConnector):
    """One Facebook Page: poll its posts' comments, hide/delete them, block their authors."""

    platform = Platform.FACEBOOK
    hide_field = "is_hidden"
    hidden_field = "is_hidden"
    reply_edge = "comments"
    reply_text_field = "message"
    usage_pause_percent = USAGE_PAUSE_PERCENT

    def __init__(
        self,
        name: str,
        page_id: str,
        client: httpx.Client,
        token: Secret,
        *,
        base_url: str = DEFAULT_GRAPH_URL,
        remove_as: Operation = Operation.HIDE,
        post_ids: Sequence[str] = (),
        max_posts: int = 25,
        page_size: int = 100,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        """Build the connector.

        Args:
            name: the account's name in the configuration (cursors are stored under it).
            page_id: the Page's Graph id.
            client: injected HTTP client.
            token: a Page access token with ``pages_read_user_content`` and
                ``pages_manage_engagement``.
            base_url: Graph root with its version.
            remove_as: what the policy's ``remove`` means here: ``hide`` (default: reversible
                when an appeal succeeds) or ``delete``.
            post_ids: poll only these posts; empty: the page's ``max_posts`` most recent posts.
            max_posts: how many recent posts a round covers (older ones are left to webhooks).
            page_size: comments per request (Graph's ``limit``, at most 100 here).
            retry: retry policy for 429/5xx/network failures.
            sleep: waits between retries (tests inject a recorder).
            rng: jitter source (tests inject a seeded one).
        """
        self._connect(
            name, client, token, base_url=base_url, remove_as=remove_as, retry=retry,
            sleep=sleep, rng=rng,
            operations={Operation.HIDE, Operation.UNHIDE, Operation.DELETE,
                        Operation.BLOCK_AUTHOR, Operation.UNBLOCK_AUTHOR, Operation.REPLY},
        )
        self.page_id = self.own_id = page_id
        self.post_ids = tuple(post_ids)
        self.max_posts = max_posts
        self.page_size = min(max(page_size, 1), 100)
        self._posts: dict[str, Post] = {}

    # -- low-level calls ------------------------------------------------------------------

    def list_posts(self) -> list[Post]:
        """The page's ``max_posts`` most recent posts (one request)."""
        body = self._call("GET", f"/{self.page_id}/posts",
                          params={"fields": POST_FIELDS, "limit": self.max_posts})
        items, _, _ = graph_page(body)
        posts = []
        for item in items:
            if isinstance(item.get("id"), str):
                post = Post(id=vigie_id(Platform.FACEBOOK, item["id"]),
                            text=str(item.get("message") or ""))
                self._posts[item["id"]] = post
                posts.append(post)
        return posts

    def get_post(self, post_id: str) -> Post:
        """One post (cached; one request the first time)."""
        if post_id not in self._posts:
            body = self._call("GET", f"/{post_id}", params={"fields": POST_FIELDS})
            self._posts[post_id] = Post(id=vigie_id(Platform.FACEBOOK, post_id),
                                        text=str(body.get("message") or ""))
        return self._posts[post_id]

    def list_comments(
        self, post_id: str, after: str | None = None, limit: int | None = None
    ) -> tuple[list[dict[str, Any]], str | None, bool]:
        """One page of a post's comments, oldest first: ``(items, after_cursor, has_next)``."""
        params: dict[str, Any] = {
            "filter": "stream", "order": "chronological", "fields": COMMENT_FIELDS,
            "limit": limit or self.page_size,
        }
        if after:
            params["after"] = after
        return graph_page(self._call("GET", f"/{post_id}/comments", params=params))

    def block_user(self, user_id: str) -> None:
        """Block a person from the page."""
        self._call("POST", f"/{self.page_id}/blocked", data={"user": user_id})

    def unblock_user(self, user_id: str) -> None:
        """Lift a block."""
        self._call("DELETE", f"/{self.page_id}/blocked", params={"user": user_id})

    # -- Connector protocol -----------------------------------------------------------------

    def fetch(self, cursor: str | None) -> FetchResult:
        """Return one page of new comments and the cursor to store once they are ingested.

        Raises:
            ConnectorError: from the Graph API (see :mod:`vigie.connectors.errors`).
        """
        state = load_state(cursor, connector=self.name)
        after: dict[str, str] = dict(state.get("after", {}))
        queue: list[str] = list(state.get("queue", []))
        if not queue:
            post_ids = list(self.post_ids) or [
                native_id(Platform.FACEBOOK, p.id) for p in self.list_posts()]
            # Old posts drop out of the window: their cursors go, webhooks cover them.
            after = {p: c for p, c in after.items() if p in post_ids}
            queue = post_ids
            if not queue:
                return FetchResult((), dump_state({"after": after, "queue": []}), False)
        post_id = queue[0]
        try:
            post = self.get_post(post_id)
            items, next_after, has_next = self.list_comments(post_id, after.get(post_id))
        except NotFound:
            # A post deleted since the listing must not block the queue behind it.
            log.info("facebook/%s: post %s is gone; skipped", self.name, post_id)
            after.pop(post_id, None)
            queue = queue[1:]
            return FetchResult((), dump_state({"after": after, "queue": queue}), bool(queue))
        comments = []
        for item in items:
            try:
                comments.append(comment_from_graph(item, post))
            except ValueError as error:
                log.warning("facebook/%s: skipped a malformed comment on %s: %s",
                            self.name, post_id, error)
        if next_after:
            after[post_id] = next_after
        if not has_next:
            queue = queue[1:]
        return FetchResult(tuple(comments), dump_state({"after": after, "queue": queue}),
                           bool(queue))

    def _perform_more(self, op: Operation, action: PlatformAction) -> str | None:
        """Block or unblock the comment's author; Graph hides who posted now and then."""
        if op not in (Operation.BLOCK_AUTHOR, Operation.UNBLOCK_AUTHOR):
            return "not supported on Facebook"
        if not action.author_id or action.author_id == "fb:unknown":
            return "author unknown: Graph did not disclose who posted"
        user = native_id(Platform.FACEBOOK, action.author_id)
        if op is Operation.BLOCK_AUTHOR:
            self.block_user(user)
        else:
            self.unblock_user(user)
        return None


