"""Threads connector (Threads API, ``graph.threads.net``): replies are polled, then hidden.

Reads (developers.facebook.com/docs/threads, "Retrieve replies and conversations"):

* ``GET /{threads-user-id}/threads?fields=id,text,timestamp,permalink&limit=`` — the
  profile's posts;
* ``GET /{threads-media-id}/conversation?fields=id,text,timestamp,username,permalink,
  replied_to,root_post,hide_status,is_reply_owned_by_me&reverse=false&limit=&after=`` — every
  reply of a post, top-level and nested, flattened, oldest first with ``reverse=false``, paged
  by ``paging.cursors.after``. Threads gives a reply's ``username``, not its author's id, and
  its ``permalink`` (omitted for media flagged for copyright), the record's ``url``.

Writes ("Reply management"):

* ``POST /{threads-reply-id}/manage_reply`` with ``hide=true|false`` → ``{"success": true}``.
  Only top-level replies can be targeted; hiding one hides its nested replies with it. A nested
  reply is therefore not hidden (that would hide its whole branch): the action is skipped with
  the reason, for a human. The reply is read first (``hide_status``, ``replied_to``,
  ``root_post``) so an already hidden reply is not hidden twice;
* reply as the profile ("Create Replies"): ``POST /{threads-user-id}/threads`` with
  ``media_type=TEXT``, ``text`` and ``reply_to_id`` → ``{"id"}`` (a container), then
  ``POST /{threads-user-id}/threads_publish`` with ``creation_id`` → ``{"id"}`` (the reply).
  Possible on the profile's own threads (``threads_content_publish``,
  ``threads_manage_replies``). Read back from the profile's own replies,
  ``GET /{threads-user-id}/replies?fields=id,text,replied_to``. A container left by a failed
  publish is never published; it expires on Meta's side.

Tokens: long-lived user tokens last 60 days and are renewed with
``GET /refresh_access_token?grant_type=th_refresh_token`` → ``{"access_token", "token_type",
"expires_in"}`` (possible once the token is a day old). :class:`ThreadsToken` refreshes once at
start and again a week before expiry, keeps the newest token in a 0600 file for the next run,
and after a refusal first looks in that file (another process may have refreshed it). The token
travels in the ``Authorization`` header, as on the other Graph APIs.

Errors use the Graph envelope (:func:`vigie.connectors._graph.classify_graph_error`): code 190
is an expired token, 4/17/32/613 throttling.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Sequence
from typing import Any

import httpx

from vigie.connectors._cursor import dump_state, load_state, pass_state
from vigie.connectors._graph import classify_graph_error, graph_page, parse_graph_time
from vigie.connectors._json import obj
from vigie.connectors.base import (
    ActionOutcome,
    Capabilities,
    FetchResult,
    OneCallPerAction,
    Operation,
    PlatformAction,
    apply_in_turn,
    native_id,
    vigie_id,
)
from vigie.connectors.errors import ApiError, AuthExpired, PermissionDenied
from vigie.connectors.http import ApiClient, RetryPolicy, Secret
from vigie.connectors.oauth import RefreshTokenFile
from vigie.connectors.replies import ReplyRequest, same_text
from vigie.records import Author, Comment, Platform, Post, web_address

__all__ = [
    "DEFAULT_THREADS_REFRESH_URL",
    "DEFAULT_THREADS_URL",
    "ThreadsConnector",
    "ThreadsToken",
    "comment_from_threads",
]

log = logging.getLogger(__name__)

DEFAULT_THREADS_URL = "https://graph.threads.net/v1.0"
DEFAULT_THREADS_REFRESH_URL = "https://graph.threads.net/refresh_access_token"
REPLY_FIELDS = ("id,text,timestamp,username,permalink,replied_to,root_post,hide_status,"
                "is_reply_owned_by_me")
_MARGIN_S = 7 * 86_400.0
_RETRY_REFRESH_S = 86_400.0


class ThreadsToken:
    """A long-lived Threads token that renews itself; a ``TokenSource``."""

    def __init__(self, client: httpx.Client, configured: Secret, *, account: str,
                 refresh_url: str = DEFAULT_THREADS_REFRESH_URL,
                 token_file: RefreshTokenFile | None = None,
                 retry: RetryPolicy | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 rng: random.Random | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        """Start from the saved token when it descends from ``configured``, else from it."""
        self._client = client
        self._configured = configured
        self._account = account
        self._url = refresh_url
        self._file = token_file
        self._retry, self._sleep, self._rng, self._clock = retry, sleep, rng, clock
        saved = token_file.load(configured) if token_file is not None else None
        self._current = saved or configured
        self._expires_at: float | None = None
        self._next_try: float | None = None  # unknown expiry: refresh once, now
        self.refreshes = 0

    def __repr__(self) -> str:
        return f"ThreadsToken({self._account})"

    def _due(self) -> bool:
        now = self._clock()
        if self._expires_at is not None:
            return self._expires_at - now < _MARGIN_S
        return self._next_try is None or now >= self._next_try

    def refresh(self) -> Secret:
        """Exchange the current token for a new one (60 days), saved to the token file.

        Raises:
            AuthExpired: the token is expired or revoked (a human must sign in again).
            ApiError, PermissionDenied: refused for another reason (a token under a day old).
        """
        account = self._account
        api = ApiClient(self._client, base_url=self._url, token=self._current,
                        platform="threads", account=account, retry=self._retry,
                        sleep=self._sleep, rng=self._rng,
                        classify=lambda r: classify_graph_error(r, platform="threads",
                                                                account=account))
        try:
            body = obj(api.request_json("GET", "", params={"grant_type": "th_refresh_token"}))
        except AuthExpired as error:
            raise AuthExpired(f"{error}: sign in to Threads again, generate a long-lived "
                              "token and put it where token points", platform="threads",
                              account=account, status=error.status, code=error.code) from None
        token = body.get("access_token")
        if not isinstance(token, str) or not token:
            raise ApiError(f"threads/{account}: the refresh answer has no access_token",
                           platform="threads", account=account)
        self._current = Secret(token)
        lifetime = body.get("expires_in")
        self._expires_at = (self._clock() + float(lifetime)
                            if isinstance(lifetime, int | float) else None)
        self._next_try = self._clock() + _RETRY_REFRESH_S
        self.refreshes += 1
        if self._file is not None:
            self._file.save(self._current, configured=self._configured)
        return self._current

    def token(self) -> Secret:
        """The token to send now, refreshed first when due."""
        if self._due():
            try:
                return self.refresh()
            except (ApiError, PermissionDenied) as error:
                # Too young to refresh, most likely: keep it, try again tomorrow.
                log.info("threads/%s: token not refreshed (%s); using it as is",
                         self._account, error)
                self._next_try = self._clock() + _RETRY_REFRESH_S
        return self._current

    def renew(self, rejected: Secret) -> Secret:
        """After a refusal: the token file's newer token, else a refresh."""
        saved = self._file.load(self._configured) if self._file is not None else None
        if saved is not None and saved != rejected:
            self._current = saved
            return saved
        return self.refresh()


def comment_from_threads(item: dict[str, Any], post: Post) -> Comment:
    """Map a Threads reply onto a Vigie :class:`Comment` (pure).

    Raises:
        KeyError, ValueError: missing id or timestamp.
    """
    parent = obj(item.get("replied_to")).get("id")
    root = obj(item.get("root_post")).get("id")
    username = str(item.get("username") or "")
    return Comment(
        id=vigie_id(Platform.THREADS, str(item["id"])),
        platform=Platform.THREADS,
        text=str(item.get("text") or ""),
        created_at=parse_graph_time(item["timestamp"]),
        author=Author(id=vigie_id(Platform.THREADS, f"@{username}" if username else "unknown"),
                      handle=username or None),
        post=post,
        parent_id=vigie_id(Platform.THREADS, str(parent)) if parent and parent != root else None,
        url=web_address(item.get("permalink")),
    )


class ThreadsConnector(OneCallPerAction):
    """One Threads profile: poll replies to its posts, hide or unhide top-level replies."""

    platform = Platform.THREADS

    def __init__(
        self,
        name: str,
        user_id: str,
        client: httpx.Client,
        token: Secret | ThreadsToken,
        *,
        base_url: str = DEFAULT_THREADS_URL,
        post_ids: Sequence[str] = (),
        max_posts: int = 25,
        page_size: int = 100,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        """Build the connector.

        Args:
            name: the account's name in the configuration.
            user_id: the Threads user id (``me`` for the token's own profile).
            client: injected HTTP client.
            token: the long-lived token (``threads_basic``, ``threads_read_replies``,
                ``threads_manage_replies``), or the :class:`ThreadsToken` that renews it.
            base_url: API root.
            post_ids: watch only these posts; empty: the ``max_posts`` most recent.
            max_posts: posts a round covers.
            page_size: replies per call.
            retry: retry policy for 429/5xx/network failures.
            sleep: waits between retries (tests inject a recorder).
            rng: jitter source (tests inject a seeded one).
        """
        self.name = name
        self.user_id = user_id
        self.capabilities = Capabilities(operations=frozenset({Operation.HIDE,
                                                               Operation.UNHIDE,
                                                               Operation.REPLY}),
                                         remove_as=Operation.HIDE)
        self.api = ApiClient(
            client, base_url=base_url, token=token, platform="threads", account=name,
            classify=lambda r: classify_graph_error(r, platform="threads", account=name),
            retry=retry, sleep=sleep, rng=rng)
        self.post_ids = tuple(post_ids)
        self.max_posts = max_posts
        self.page_size = page_size
        self._roots: dict[str, Post] = {}

    def _get(self, path: str, **params: Any) -> Any:
        return self.api.request_json("GET", path, params=params)

    def own_posts(self) -> list[str]:
        """Ids of the posts to watch."""
        if self.post_ids:
            return list(self.post_ids)
        items, _, _ = graph_page(self._get(f"/{self.user_id}/threads",
                                           fields="id,text,timestamp,permalink",
                                           limit=self.max_posts))
        ids = []
        for item in items:
            pid = str(item.get("id") or "")
            if pid:
                link = str(item.get("permalink") or "")
                self._roots[pid] = Post(id=vigie_id(Platform.THREADS, pid),
                                        text=str(item.get("text") or ""),
                                        links=(link,) if link else ())
                ids.append(pid)
        return ids

    def set_hidden(self, reply_id: str, hidden: bool) -> str | None:
        """Hide or unhide a top-level reply; the reason when it cannot be."""
        reply = obj(self._get(f"/{reply_id}", fields="id,hide_status,replied_to,root_post"))
        parent = obj(reply.get("replied_to")).get("id")
        root = obj(reply.get("root_post")).get("id")
        if parent and root and parent != root:
            return ("Threads hides top-level replies only (hiding its parent would hide the "
                    "whole branch): a human must decide")
        if (reply.get("hide_status") == "HIDDEN") == hidden:
            return None  # already in effect
        body = obj(self.api.request_json("POST", f"/{reply_id}/manage_reply",
                                         data={"hide": "true" if hidden else "false"}))
        if body.get("success") is not True:
            raise ApiError(f"threads/{self.name}: manage_reply did not succeed",
                           platform="threads", account=self.name)
        return None

    def reply(self, request: ReplyRequest) -> str:
        """Create a reply container, then publish it (each call sent once).

        Raises:
            ConnectorError: as the Threads API answers.
        """
        target = native_id(Platform.THREADS, request.comment_id)
        container = obj(self.api.request_json("POST", f"/{self.user_id}/threads", data={
            "media_type": "TEXT", "text": request.text, "reply_to_id": target}, resend=False))
        published = obj(self.api.request_json(
            "POST", f"/{self.user_id}/threads_publish",
            data={"creation_id": str(container.get("id") or "")}, resend=False))
        reply_id = published.get("id")
        if not container.get("id") or not isinstance(reply_id, str) or not reply_id:
            raise ApiError(f"threads/{self.name}: the reply was answered without an id",
                           platform="threads", account=self.name)
        return vigie_id(Platform.THREADS, reply_id)

    def find_reply(self, request: ReplyRequest) -> str | None:
        """The profile's recent reply to the comment with this text, if published."""
        target = native_id(Platform.THREADS, request.comment_id)
        items, _, _ = graph_page(self._get(f"/{self.user_id}/replies",
                                           fields="id,text,replied_to", limit=100))
        for item in items:
            if (obj(item.get("replied_to")).get("id") == target
                    and same_text(str(item.get("text") or ""), request.text)):
                return vigie_id(Platform.THREADS, str(item.get("id")))
        return None

    def fetch(self, cursor: str | None) -> FetchResult:
        """Return one page of new replies of one post.

        Per post, the cursor keeps a watermark (the newest ``timestamp`` returned, and the
        reply ids at exactly that second) and, mid-pass, the paging cursor.

        Raises:
            ConnectorError: API failures.
        """
        state = load_state(cursor, connector=self.name)
        seen, queue = pass_state(state, "p", self.own_posts)
        if not queue:
            return FetchResult((), dump_state({"p": seen, "queue": []}), False)
        pid = queue[0]
        mine = seen.setdefault(pid, {})
        params: dict[str, Any] = {"fields": REPLY_FIELDS, "reverse": "false",
                                  "limit": self.page_size}
        if mine.get("after"):
            params["after"] = mine["after"]
        items, after, more = graph_page(self._get(f"/{pid}/conversation", **params))
        post = self._roots.get(pid) or Post(id=vigie_id(Platform.THREADS, pid))
        mark, at = float(mine.get("t", 0.0)), set(mine.get("at", []))
        newest, newest_at = float(mine.get("nt", mark)), set(mine.get("nat", sorted(at)))
        comments = []
        for item in items:
            try:
                comment = comment_from_threads(item, post)
            except (KeyError, ValueError) as error:
                log.warning("threads/%s: skipped a malformed reply: %s", self.name, error)
                continue
            when, rid = comment.created_at.timestamp(), str(item["id"])
            if when < mark or (when == mark and rid in at):
                continue
            comments.append(comment)
            if when > newest:
                newest, newest_at = when, {rid}
            elif when == newest:
                newest_at.add(rid)
        if more and after:
            mine.update({"after": after, "nt": newest, "nat": sorted(newest_at)})
        else:
            for key in ("after", "nt", "nat"):
                mine.pop(key, None)
            mine.update({"t": newest, "at": sorted(newest_at)})
            queue = queue[1:]
        return FetchResult(tuple(comments), dump_state({"p": seen, "queue": queue}),
                           bool(queue))

    def apply(self, action: PlatformAction) -> ActionOutcome:
        """Hide or unhide the reply; anything else is not offered by the Threads API."""
        target = native_id(Platform.THREADS, action.comment_id)

        def perform(op: Operation) -> str | None:
            if op in (Operation.HIDE, Operation.UNHIDE):
                return self.set_hidden(target, op is Operation.HIDE)
            return "not offered by the Threads API"

        return apply_in_turn(action, perform, gone="reply no longer exists")
