"""X connector (X API v2). Replies are polled; X sends no webhook for them on most plans.

Reads (https://docs.x.com/x-api/posts/search/introduction, "Conversation ID" guide):

* ``GET /2/users/{id}/tweets?tweet.fields=created_at,conversation_id`` — the account's recent
  posts, each the root of a conversation;
* ``GET /2/tweets/search/recent?query=conversation_id:{id}&since_id=&next_token=
  &tweet.fields=author_id,conversation_id,created_at,in_reply_to_user_id,referenced_tweets,
  attachments,entities&expansions=author_id,attachments.media_keys&user.fields=created_at,name,
  username,verified,profile_image_url,public_metrics&media.fields=media_key,type,url,
  preview_image_url,width,height`` — the replies of the last seven days, newest first, with
  their attached media and link previews.

Writes:

* hide / unhide a reply: ``PUT /2/tweets/{id}/hidden`` with ``{"hidden": true|false}`` →
  ``{"data": {"hidden": true}}`` (https://docs.x.com/x-api/posts/hide-replies), 50 requests per
  15 minutes per user: the connector counts its own calls and refuses the 51st locally with the
  wait, rather than burn a 429;
* block: ``POST /2/users/{id}/blocking`` with ``{"target_user_id"}`` — only where the plan
  allows it (``plan_allows_blocking``); on most plans X refuses it, so ``block`` degrades to
  ``hide`` (recorded on the decision);
* reply as the account: ``POST /2/tweets`` with ``{"text", "reply": {"in_reply_to_tweet_id"}}``
  → 201 ``{"data": {"id", "text"}}`` (https://docs.x.com/x-api/posts/manage-tweets, needs
  ``tweet.write``; ``can_reply=False`` where the token lacks it). Read back from the account's
  own timeline, ``GET /2/users/{id}/tweets?tweet.fields=referenced_tweets``: a post whose
  ``replied_to`` is the comment and whose text is the reply's (X shortens links: compared
  without them).

Errors: X answers problems as ``{"title", "detail", "type", "status"}`` (or ``{"errors": [...]}``)
and rate limits with ``x-rate-limit-reset`` (epoch seconds); a 429 titled ``UsageCapExceeded``
is the monthly cap (quota exhausted).
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

import httpx

from vigie.connectors._cursor import dump_state, load_state, pass_state
from vigie.connectors._graph import parse_graph_time
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
from vigie.connectors.errors import (
    ApiError,
    AuthExpired,
    ConnectorError,
    NotFound,
    PermissionDenied,
    QuotaExhausted,
    RateLimited,
    TransientError,
)
from vigie.connectors.http import ApiClient, RetryPolicy, Secret, TokenSource
from vigie.connectors.replies import ReplyRequest, same_text
from vigie.media.attachments import x_attachments
from vigie.records import Author, Comment, Platform, Post

__all__ = ["DEFAULT_X_URL", "XConnector", "classify_x_error", "comment_from_x"]

log = logging.getLogger(__name__)

DEFAULT_X_URL = "https://api.x.com/2"
TWEET_FIELDS = ("author_id,conversation_id,created_at,in_reply_to_user_id,referenced_tweets,"
                "attachments,entities")
# Attached photos, GIFs and videos (expansion attachments.media_keys), for the image detector.
MEDIA_FIELDS = "media_key,type,url,preview_image_url,width,height"
USER_FIELDS = "created_at,name,username,verified,profile_image_url,public_metrics"
HIDE_LIMIT = 50
HIDE_WINDOW_S = 15 * 60.0


def classify_x_error(response: httpx.Response, *, account: str,
                     now: Callable[[], float] = time.time) -> ConnectorError:
    """Map a failed X API answer onto the connector error tree (pure apart from ``now``)."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = {}
    body = body if isinstance(body, dict) else {}
    errors = body.get("errors") if isinstance(body.get("errors"), list) else []
    first = errors[0] if errors and isinstance(errors[0], dict) else {}
    title = str(body.get("title") or first.get("title") or "")
    text = str(body.get("detail") or first.get("detail") or first.get("message")
               or response.reason_phrase or "no detail")
    status = response.status_code
    detail = f"x/{account}: HTTP {status} {title}: {text}".replace("  ", " ")
    common: dict[str, Any] = {"platform": "x", "account": account, "status": status,
                              "code": title or None}
    if status == 401:
        return AuthExpired(detail + " — renew the user access token", **common)
    if status == 429:
        reset = response.headers.get("x-rate-limit-reset")
        wait = max(0.0, float(reset) - now()) if reset and reset.isdigit() else None
        if title == "UsageCapExceeded":
            return QuotaExhausted(detail, retry_after=wait, **common)
        return RateLimited(detail, retry_after=wait, **common)
    if status >= 500:
        return TransientError(detail, **common)
    if status == 404 or "resource-not-found" in str(body.get("type") or first.get("type")):
        return NotFound(detail, **common)
    if status == 403:
        return PermissionDenied(detail, **common)
    return ApiError(detail, **common)


def comment_from_x(tweet: dict[str, Any], users: dict[str, dict[str, Any]], post: Post | None,
                   media: dict[str, dict[str, Any]] | None = None) -> Comment:
    """Map an X post (a reply) and the expanded users onto a Vigie :class:`Comment` (pure).

    ``media`` is ``includes.media`` by ``media_key``: attached photos, GIFs and videos, and
    link previews from ``entities.urls``, become attachments (:mod:`vigie.media.attachments`).

    Raises:
        KeyError, ValueError: missing id, text or ``created_at``.
    """
    author_id = str(tweet.get("author_id") or "")
    user = users.get(author_id, {})
    metrics = obj(user.get("public_metrics"))
    created = user.get("created_at")
    image = str(user.get("profile_image_url") or "")
    replied = next((r.get("id") for r in tweet.get("referenced_tweets", [])
                    if isinstance(r, dict) and r.get("type") == "replied_to"), None)
    conversation = tweet.get("conversation_id")
    return Comment(
        id=vigie_id(Platform.X, str(tweet["id"])),
        platform=Platform.X,
        text=str(tweet["text"]),
        created_at=parse_graph_time(tweet["created_at"]),
        author=Author(
            id=vigie_id(Platform.X, author_id) if author_id else "x:unknown",
            name=str(user.get("name") or ""),
            handle=user.get("username"),
            created_at=parse_graph_time(created) if created else None,
            verified=bool(user.get("verified")),
            default_avatar="default_profile_images" in image,
            followers=metrics.get("followers_count"),
        ),
        post=post,
        parent_id=vigie_id(Platform.X, str(replied))
        if replied and replied != conversation else None,
        attachments=x_attachments(tweet, media or {}),
    )


class XConnector(OneCallPerAction):
    """One X account: poll replies to its posts, hide them, block where the plan allows."""

    platform = Platform.X

    def __init__(
        self,
        name: str,
        user_id: str,
        client: httpx.Client,
        token: Secret | TokenSource,
        *,
        base_url: str = DEFAULT_X_URL,
        conversation_ids: Sequence[str] = (),
        max_conversations: int = 20,
        plan_allows_blocking: bool = False,
        can_reply: bool = True,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        """Build the connector.

        Args:
            name: the account's name in the configuration.
            user_id: the account's numeric id.
            client: injected HTTP client.
            token: OAuth 2.0 user token with ``tweet.read``, ``users.read``,
                ``tweet.moderate.write`` (and ``block.write`` where blocking is allowed),
                or the :class:`~vigie.connectors.oauth.TokenRefresher` that renews it.
            base_url: API root (``https://api.x.com/2``).
            conversation_ids: watch only these conversations; empty: the account's
                ``max_conversations`` most recent posts.
            max_conversations: posts a round covers.
            plan_allows_blocking: the account's plan includes the blocks endpoints.
            can_reply: the token has ``tweet.write`` (replies are posted as the account).
            retry: retry policy for 429/5xx/network failures.
            sleep: waits between retries (tests inject a recorder).
            rng: jitter source (tests inject a seeded one).
            clock: monotonic clock for the hide-replies window.
            wall_clock: epoch clock, to read ``x-rate-limit-reset``.
        """
        self.name = name
        self.user_id = user_id
        ops = {Operation.HIDE, Operation.UNHIDE}
        if plan_allows_blocking:
            ops |= {Operation.BLOCK_AUTHOR, Operation.UNBLOCK_AUTHOR}
        if can_reply:
            ops.add(Operation.REPLY)
        self.capabilities = Capabilities(operations=frozenset(ops), remove_as=Operation.HIDE)
        self.api = ApiClient(
            client, base_url=base_url, token=token, platform="x", account=name,
            classify=lambda r: classify_x_error(r, account=name, now=wall_clock),
            retry=retry, sleep=sleep, rng=rng,
        )
        self.conversation_ids = tuple(conversation_ids)
        self.max_conversations = min(max(max_conversations, 5), 100)
        self._clock = clock
        self._hides: deque[float] = deque()
        self._roots: dict[str, Post] = {}

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.api.request_json(method, path, **kwargs)

    # -- low-level calls ------------------------------------------------------------------

    def list_own_posts(self) -> list[Post]:
        """The account's most recent posts (conversation roots)."""
        body = self._call("GET", f"/users/{self.user_id}/tweets", params={
            "max_results": self.max_conversations,
            "tweet.fields": "created_at,conversation_id"})
        posts = []
        for tweet in body.get("data", []):
            if tweet.get("conversation_id", tweet.get("id")) != tweet.get("id"):
                continue  # the account's own replies are not conversation roots
            post = Post(id=vigie_id(Platform.X, tweet["id"]), text=str(tweet.get("text") or ""))
            self._roots[tweet["id"]] = post
            posts.append(post)
        return posts

    def search_replies(self, conversation_id: str, since_id: str | None = None,
                       next_token: str | None = None) -> dict[str, Any]:
        """One page of recent replies in a conversation, newest first."""
        params: dict[str, Any] = {
            "query": f"conversation_id:{conversation_id}", "max_results": 100,
            "tweet.fields": TWEET_FIELDS, "expansions": "author_id,attachments.media_keys",
            "user.fields": USER_FIELDS, "media.fields": MEDIA_FIELDS,
        }
        if since_id:
            params["since_id"] = since_id
        if next_token:
            params["next_token"] = next_token
        body = self._call("GET", "/tweets/search/recent", params=params)
        return body if isinstance(body, dict) else {}

    def set_hidden(self, tweet_id: str, hidden: bool) -> None:
        """Hide or unhide a reply, within the 50-per-15-minutes window.

        Raises:
            RateLimited: the window is full; ``retry_after`` says when a slot frees.
        """
        now = self._clock()
        while self._hides and now - self._hides[0] >= HIDE_WINDOW_S:
            self._hides.popleft()
        if len(self._hides) >= HIDE_LIMIT:
            wait = HIDE_WINDOW_S - (now - self._hides[0])
            raise RateLimited(f"x/{self.name}: {HIDE_LIMIT} hide calls in 15 minutes; next "
                              f"slot in {wait:.0f}s", retry_after=wait, platform="x",
                              account=self.name)
        self._hides.append(now)
        body = self._call("PUT", f"/tweets/{tweet_id}/hidden", json={"hidden": hidden})
        if not isinstance(body.get("data"), dict) and body.get("errors"):
            raise NotFound(f"x/{self.name}: {body['errors'][0].get('detail', 'not found')}",
                           platform="x", account=self.name)

    def block(self, target_user_id: str, blocked: bool = True) -> None:
        """Block or unblock a user (plans with the blocks endpoints only)."""
        if blocked:
            self._call("POST", f"/users/{self.user_id}/blocking",
                       json={"target_user_id": target_user_id})
        else:
            self._call("DELETE", f"/users/{self.user_id}/blocking/{target_user_id}")

    def reply(self, request: ReplyRequest) -> str:
        """Post a reply as the account (``POST /2/tweets``, sent once).

        Raises:
            ConnectorError: as X answers (a reply to a deleted post is a 403 or 400).
        """
        target = native_id(Platform.X, request.comment_id)
        body = self._call("POST", "/tweets", resend=False, json={
            "text": request.text, "reply": {"in_reply_to_tweet_id": target}})
        reply_id = obj(obj(body).get("data")).get("id")
        if not isinstance(reply_id, str) or not reply_id:
            raise ApiError(f"x/{self.name}: the reply was answered without an id",
                           platform="x", account=self.name)
        return vigie_id(Platform.X, reply_id)

    def find_reply(self, request: ReplyRequest) -> str | None:
        """The account's recent post replying to the comment with this text, if any."""
        target = native_id(Platform.X, request.comment_id)
        body = obj(self._call("GET", f"/users/{self.user_id}/tweets", params={
            "max_results": 100, "tweet.fields": "referenced_tweets,conversation_id"}))
        for tweet in body.get("data", []):
            tweet = obj(tweet)
            replied = any(obj(ref).get("type") == "replied_to" and obj(ref).get("id") == target
                          for ref in tweet.get("referenced_tweets") or [])
            if replied and same_text(str(tweet.get("text") or ""), request.text):
                return vigie_id(Platform.X, str(tweet.get("id")))
        return None

    # -- Connector protocol -----------------------------------------------------------------

    def fetch(self, cursor: str | None) -> FetchResult:
        """Return one page of new replies in one conversation.

        Per conversation, the cursor keeps ``since_id`` (the newest reply of the last complete
        pass) and, mid-pass, the ``next_token`` and the newest id of the pass.

        Raises:
            ConnectorError: API failures.
        """
        state = load_state(cursor, connector=self.name)
        convs, queue = pass_state(state, "c", lambda: list(self.conversation_ids) or [
            native_id(Platform.X, p.id) for p in self.list_own_posts()])
        if not queue:
            return FetchResult((), dump_state({"c": convs, "queue": []}), False)
        cid = queue[0]
        mine = convs.setdefault(cid, {})
        body = self.search_replies(cid, mine.get("since"), mine.get("next"))
        users = {u["id"]: u for u in body.get("includes", {}).get("users", [])
                 if isinstance(u, dict) and "id" in u}
        media = {str(m["media_key"]): m for m in body.get("includes", {}).get("media", [])
                 if isinstance(m, dict) and "media_key" in m}
        post = self._roots.get(cid) or Post(id=vigie_id(Platform.X, cid))
        comments = []
        for tweet in body.get("data", []):
            if not isinstance(tweet, dict) or tweet.get("id") == cid:
                continue
            try:
                comments.append(comment_from_x(tweet, users, post, media))
            except (KeyError, ValueError) as error:
                log.warning("x/%s: skipped a malformed reply: %s", self.name, error)
        meta = body.get("meta", {})
        if meta.get("newest_id") and "pending" not in mine:
            mine["pending"] = meta["newest_id"]  # the first page of a pass holds the newest
        if meta.get("next_token"):
            mine["next"] = meta["next_token"]
        else:
            mine.pop("next", None)
            if "pending" in mine:
                mine["since"] = mine.pop("pending")
            queue = queue[1:]
        return FetchResult(tuple(comments), dump_state({"c": convs, "queue": queue}),
                           bool(queue))

    def apply(self, action: PlatformAction) -> ActionOutcome:
        """Hide/unhide the reply; block/unblock its author where the plan allows."""
        target = native_id(Platform.X, action.comment_id)

        def perform(op: Operation) -> str | None:
            if op in (Operation.HIDE, Operation.UNHIDE):
                self.set_hidden(target, op is Operation.HIDE)
            elif op in (Operation.BLOCK_AUTHOR, Operation.UNBLOCK_AUTHOR) and (
                    op in self.capabilities.operations):
                if not action.author_id or action.author_id == "x:unknown":
                    return "author unknown"
                self.block(native_id(Platform.X, action.author_id),
                           op is Operation.BLOCK_AUTHOR)
            else:
                return "not allowed by this account's X plan or API"
            return None

        return apply_in_turn(action, perform, gone="post no longer exists")

