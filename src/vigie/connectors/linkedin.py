"""LinkedIn connector (Community Management API, organization pages), by polling.

LinkedIn sends no comment webhooks to Vigie. Reads (Posts API, "Find Posts by Authors";
Comments API, "Get Comments on Shares" and "Get Comments on Comments":
https://learn.microsoft.com/linkedin/marketing/community-management/shares/posts-api and
.../shares/comments-api):

* ``GET /rest/posts?author={orgUrn}&q=author&count=N&sortBy=CREATED`` — the page's recent posts
  (``id`` is a ``urn:li:share:`` or ``urn:li:ugcPost:``, ``commentary`` in LinkedIn's "little"
  text format, ``content.article.source`` the linked article); ``GET /rest/posts/{postUrn}``;
* ``GET /rest/socialActions/{postUrn}/comments?start=&count=`` — the post's first-level comments,
  Rest.li paging (``paging.start``, ``count``, ``total``, ``links`` with ``rel: next``); each
  comment has ``commentUrn`` (``$URN`` in older versions) ``urn:li:comment:(thread,id)``,
  ``actor``, ``message.text``, ``created.time`` (ms since the epoch) and
  ``commentsSummary.totalFirstLevelComments``, its number of replies;
* ``GET /rest/socialActions/{commentUrn}/comments`` — the replies to one comment (each with
  ``parentComment``).

A comment carries no address of its own in the Comments API (no permalink field), so the
record's ``url`` stays empty and the dashboard offers no link to it.

Writes: ``DELETE /rest/socialActions/{thread}/comments/{commentId}?actor={orgUrn}`` → 204, the
thread and id being the two parts of the comment's URN; a reply as the organization is a nested
comment, ``POST /rest/socialActions/{commentUrn}/comments`` with ``{"actor": orgUrn, "object":
thread, "message": {"text"}, "parentComment": commentUrn}`` → 201 with the new comment (its URN
in the body, or its id in the ``x-restli-id`` header); it needs ``w_organization_social``
(``can_reply=False`` where the token lacks it). LinkedIn has no hide and no way for an
organization to block a member: the connector declares ``delete`` only, so ``hide`` goes to a
human and ``block`` degrades to the removal (:func:`~vigie.connectors.base.map_action`), and
``remove`` is an irreversible delete here.

Every request carries ``LinkedIn-Version: YYYYMM`` and ``X-Restli-Protocol-Version: 2.0.0``;
URNs are percent-encoded in paths and queries, as Rest.li 2.0 requires.

Errors (https://learn.microsoft.com/linkedin/shared/api-guide/concepts/error-handling) come as
``{"message", "serviceErrorCode", "status"}``. Rate limits
(https://learn.microsoft.com/linkedin/shared/api-guide/concepts/rate-limits) are daily, per
application and per member, and reset at midnight UTC; no ``Retry-After`` is documented (one
is honoured if sent). A 429 whose message names a ``DAY limit`` is a spent quota: the
connector stops calling until midnight UTC; any other 429 (infrastructure protection) is
retried with back-off.

How a poll resumes: the cursor keeps, per post and per comment with replies, the newest
``created.time`` seen (and the ids seen at that millisecond), and the reply counts. A round
lists the recent posts, reads every page of their first-level comments, and reads the replies
of the comments whose reply count changed. The order of the comments is not documented, so
nothing depends on it; each :meth:`LinkedInConnector.fetch` returns one page.
"""

from __future__ import annotations

import json
import logging
import random
import re
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx

from vigie.connectors._cursor import dump_state, load_state
from vigie.connectors._json import arr, obj
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
from vigie.records import Author, Comment, Platform, Post

__all__ = [
    "DEFAULT_LINKEDIN_URL",
    "DEFAULT_LINKEDIN_VERSION",
    "LinkedInConnector",
    "classify_linkedin_error",
    "comment_from_linkedin",
    "organization_urn",
    "parse_comment_urn",
    "plain_commentary",
    "post_from_linkedin",
]

log = logging.getLogger(__name__)

DEFAULT_LINKEDIN_URL = "https://api.linkedin.com/rest"
#: LinkedIn sunsets a version about a year after its release: keep ``api_version`` recent.
DEFAULT_LINKEDIN_VERSION = "202609"
RESTLI_PROTOCOL = "2.0.0"
#: Comments whose reply counts are remembered, to notice late replies on recent comments.
_TRACKED_THREADS = 500

_ORG_URN = re.compile(r"^(?:urn:li:organization:)?([0-9]+)$")
_COMMENT_URN = re.compile(r"^urn:li:comment:\((urn:li:[A-Za-z]+:[^,()]+),([^,()]+)\)$")
_DAY_LIMIT = re.compile(r"\bday limit\b", re.IGNORECASE)
_HASHTAG = re.compile(r"\{hashtag\|\\?#\|([^}]*)\}")
_MENTION = re.compile(r"@\[((?:\\.|[^\]\\])*)\]\(urn:li:[^)]*\)")
_ESCAPED = re.compile(r"\\([\\|{}@\[\]()<>#*_~])")


def organization_urn(organization: str) -> str:
    """``urn:li:organization:<id>`` from a numeric id or the URN itself (pure).

    Raises:
        ValueError: neither a numeric id nor an organization URN.
    """
    match = _ORG_URN.match(organization.strip())
    if match is None:
        raise ValueError(f"{organization!r} is not a LinkedIn organization id "
                         "(digits, or urn:li:organization:<digits>)")
    return f"urn:li:organization:{match.group(1)}"


def parse_comment_urn(urn: str) -> tuple[str, str]:
    """Split ``urn:li:comment:(urn:li:activity:1,2)`` into its thread and comment id (pure).

    Raises:
        ValueError: not a comment URN.
    """
    match = _COMMENT_URN.match(urn)
    if match is None:
        raise ValueError(f"{urn!r} is not a LinkedIn comment URN")
    return match.group(1), match.group(2)


def plain_commentary(text: str) -> str:
    r"""A post's "little" text as plain text: hashtags, mention names, escapes undone (pure).

    ``{hashtag|\#|Genie}`` → ``#Genie``; ``@[Polytechnique](urn:li:organization:1)`` →
    ``Polytechnique``; ``\(`` → ``(``. The detectors read what a reader sees.
    """
    text = _HASHTAG.sub(lambda m: "#" + m.group(1), text)
    text = _MENTION.sub(lambda m: m.group(1), text)
    return _ESCAPED.sub(lambda m: m.group(1), text)


def classify_linkedin_error(response: httpx.Response, *, account: str,
                            now: Callable[[], datetime] = lambda: datetime.now(UTC)
                            ) -> ConnectorError:
    """Map a failed LinkedIn answer onto the connector error tree (pure apart from ``now``).

    A 429 naming a ``DAY limit`` is a spent daily quota (:class:`QuotaExhausted`, waiting until
    midnight UTC, when LinkedIn resets it); other 429s are :class:`RateLimited`.
    """
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = {}
    body = obj(body)
    status = response.status_code
    service = body.get("serviceErrorCode")
    code = body.get("code") or (str(service) if service is not None else None)
    text = str(body.get("message") or response.reason_phrase or "no message")
    detail = (f"linkedin/{account}: HTTP {status}" + (f" {code}" if code else "")
              + f": {text}")
    common: dict[str, Any] = {"platform": "linkedin", "account": account, "status": status,
                              "code": str(code) if code else None}
    if status == 401:
        return AuthExpired(detail + " — renew the OAuth access token", **common)
    if status == 429:
        if _DAY_LIMIT.search(text):
            current = now()
            midnight = datetime.combine(current.date() + timedelta(days=1),
                                        datetime.min.time(), tzinfo=UTC)
            return QuotaExhausted(detail + "; resumes at midnight UTC",
                                  retry_after=max(1.0, (midnight - current).total_seconds()),
                                  **common)
        return RateLimited(detail, **common)
    if status >= 500:
        return TransientError(detail, **common)
    if status == 404:
        return NotFound(detail, **common)
    if status == 403:
        return PermissionDenied(detail, **common)
    return ApiError(detail, **common)


def post_from_linkedin(item: dict[str, Any]) -> Post:
    """Map a Posts API post onto a Vigie :class:`Post`: plain text and article link (pure).

    Raises:
        ValueError: the post has no id.
    """
    urn = item.get("id")
    if not isinstance(urn, str) or not urn:
        raise ValueError("LinkedIn post without an id")
    article = obj(obj(item.get("content")).get("article"))
    source = article.get("source")
    return Post(id=vigie_id(Platform.LINKEDIN, urn),
                text=plain_commentary(str(item.get("commentary") or "")),
                links=(source,) if isinstance(source, str) and source else ())


def _comment_urn(item: dict[str, Any]) -> str:
    for key in ("commentUrn", "$URN"):
        value = item.get(key)
        if isinstance(value, str) and value.startswith("urn:li:comment:"):
            return value
    thread, native = item.get("object"), item.get("id")
    if isinstance(thread, str) and thread and native:
        return f"urn:li:comment:({thread},{native})"
    raise ValueError("LinkedIn comment without commentUrn, $URN or object + id")


def comment_from_linkedin(item: dict[str, Any], post: Post | None,
                          parent_urn: str | None = None) -> Comment:
    """Map a Comments API comment onto a Vigie :class:`Comment` (pure).

    The id is ``li:`` + the comment URN (which names its thread: deleting needs it). The author
    is the ``actor`` URN (a member or an organization); LinkedIn gives no name with it, and
    omits it on some comments (``li:unknown`` then). ``parent_urn`` stands for a missing
    ``parentComment`` on a reply read from its parent's thread.

    Raises:
        ValueError: no URN, or no readable ``created.time``.
    """
    urn = _comment_urn(item)
    created = obj(item.get("created")).get("time")
    if not isinstance(created, int | float) or isinstance(created, bool):
        raise ValueError(f"LinkedIn comment {urn} without created.time")
    actor = item.get("actor")
    parent = item.get("parentComment") or parent_urn
    return Comment(
        id=vigie_id(Platform.LINKEDIN, urn),
        platform=Platform.LINKEDIN,
        text=str(obj(item.get("message")).get("text") or ""),
        created_at=datetime.fromtimestamp(created / 1000.0, UTC),
        author=Author(id=vigie_id(Platform.LINKEDIN, actor)
                      if isinstance(actor, str) and actor else "li:unknown"),
        post=post,
        parent_id=vigie_id(Platform.LINKEDIN, str(parent)) if parent else None,
    )


def _page(body: Any, start: int, requested: int) -> tuple[list[dict[str, Any]], bool]:
    """Split a Rest.li collection into ``(elements, has_next)`` (pure)."""
    body = obj(body)
    elements = [e for e in arr(body.get("elements")) if isinstance(e, dict)]
    paging = obj(body.get("paging"))
    if any(obj(link).get("rel") == "next" for link in arr(paging.get("links"))):
        return elements, True
    total = paging.get("total")
    if isinstance(total, int):
        return elements, bool(elements) and start + len(elements) < total
    return elements, len(elements) >= requested


def _new_mark(mark: list[Any], stamp: int, urn: str) -> list[Any]:
    """The newest ``[ms, [urns at that ms]]`` once ``urn`` at ``stamp`` is counted (pure)."""
    if stamp > mark[0]:
        return [stamp, [urn]]
    if stamp == mark[0] and urn not in mark[1]:
        return [stamp, [*mark[1], urn]]
    return mark


class LinkedInConnector(OneCallPerAction):
    """One LinkedIn organization page: poll comments on its posts, delete them."""

    platform = Platform.LINKEDIN

    def __init__(
        self,
        name: str,
        organization: str,
        client: httpx.Client,
        token: Secret | TokenSource,
        *,
        base_url: str = DEFAULT_LINKEDIN_URL,
        api_version: str = DEFAULT_LINKEDIN_VERSION,
        post_urns: Sequence[str] = (),
        max_posts: int = 20,
        page_size: int = 50,
        can_reply: bool = True,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """Build the connector.

        Args:
            name: the account's name in the configuration (cursors are stored under it).
            organization: the page's organization id, or its ``urn:li:organization:`` URN.
            client: injected HTTP client.
            token: a 3-legged OAuth token of a page administrator with
                ``r_organization_social`` and the comment permissions
                (``r_organization_social_feed``, ``w_organization_social_feed``), or the
                :class:`~vigie.connectors.oauth.TokenRefresher` that renews it.
            base_url: API root (``https://api.linkedin.com/rest``).
            api_version: the ``LinkedIn-Version`` header, ``YYYYMM``.
            post_urns: poll only these posts; empty: the page's ``max_posts`` most recent.
            max_posts: how many recent posts a round covers.
            page_size: comments per request (``count``, 1 to 100).
            can_reply: the token has ``w_organization_social`` (replies as the page).
            retry: retry policy for 429/5xx/network failures.
            sleep: waits between retries (tests inject a recorder).
            rng: jitter source (tests inject a seeded one).
            wall_clock: aware UTC clock, for the daily quota's reset.

        Raises:
            ValueError: an invalid organization or ``api_version``.
        """
        if not re.fullmatch(r"20[0-9]{2}(0[1-9]|1[0-2])", api_version):
            raise ValueError(f"api_version must be YYYYMM, got {api_version!r}")
        self.name = name
        self.organization = organization_urn(organization)
        ops = {Operation.DELETE, Operation.REPLY} if can_reply else {Operation.DELETE}
        self.capabilities = Capabilities(operations=frozenset(ops), remove_as=Operation.DELETE)
        self._now = wall_clock
        self.api = ApiClient(
            client, base_url=base_url, token=token, platform="linkedin", account=name,
            classify=lambda r: classify_linkedin_error(r, account=name, now=wall_clock),
            retry=retry, sleep=sleep, rng=rng,
            headers={"LinkedIn-Version": api_version,
                     "X-Restli-Protocol-Version": RESTLI_PROTOCOL},
        )
        self.post_urns = tuple(post_urns)
        self.max_posts = min(max(max_posts, 1), 100)
        self.page_size = min(max(page_size, 1), 100)
        self._posts: dict[str, Post] = {}
        self._quota_until: datetime | None = None

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._send(method, path, **kwargs)
        return response.json() if response.content else {}

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        # After a daily-limit 429, every call until midnight UTC would be refused as well.
        now = self._now()
        if self._quota_until is not None and now < self._quota_until:
            raise QuotaExhausted(
                f"linkedin/{self.name}: daily rate limit reached; resumes at midnight UTC",
                retry_after=(self._quota_until - now).total_seconds(), platform="linkedin",
                account=self.name)
        try:
            return self.api.request(method, path, **kwargs)
        except QuotaExhausted as error:
            self._quota_until = now + timedelta(seconds=error.retry_after or 3600.0)
            raise

    # -- low-level calls ------------------------------------------------------------------

    def list_posts(self) -> list[Post]:
        """The page's ``max_posts`` most recently created posts (one request)."""
        body = self._call("GET", "/posts", params={
            "author": self.organization, "q": "author", "count": self.max_posts,
            "sortBy": "CREATED"})
        posts = []
        for item in arr(obj(body).get("elements")):
            try:
                post = post_from_linkedin(obj(item))
            except ValueError as error:
                log.warning("linkedin/%s: skipped a malformed post: %s", self.name, error)
                continue
            self._posts[native_id(Platform.LINKEDIN, post.id)] = post
            posts.append(post)
        return posts

    def get_post(self, post_urn: str) -> Post:
        """One post (cached; one request the first time)."""
        if post_urn not in self._posts:
            body = self._call("GET", f"/posts/{quote(post_urn, safe='')}")
            self._posts[post_urn] = post_from_linkedin({**obj(body), "id": post_urn})
        return self._posts[post_urn]

    def list_comments(self, target: str, start: int = 0) -> tuple[list[dict[str, Any]], bool]:
        """One page of the comments on ``target`` (a post, or a comment for its replies)."""
        body = self._call("GET", f"/socialActions/{quote(target, safe='')}/comments",
                          params={"start": start, "count": self.page_size})
        return _page(body, start, self.page_size)

    def delete_comment(self, comment_urn: str) -> None:
        """Delete a comment as the organization; a comment already gone counts as deleted.

        Raises:
            ValueError: not a comment URN.
        """
        thread, comment = parse_comment_urn(comment_urn)
        try:
            self._call("DELETE", f"/socialActions/{quote(thread, safe='')}/comments/"
                                 f"{quote(comment, safe='')}",
                       params={"actor": self.organization})
        except NotFound:
            log.info("linkedin/%s: comment %s already gone", self.name, comment_urn)

    def reply(self, request: ReplyRequest) -> str:
        """Post a nested comment as the organization under the comment (sent once).

        Raises:
            ConnectorError: as LinkedIn answers; ``ApiError`` for an id that is no comment URN.
        """
        target = native_id(Platform.LINKEDIN, request.comment_id)
        try:
            thread, _ = parse_comment_urn(target)
        except ValueError as error:
            raise ApiError(f"linkedin/{self.name}: {error}", platform="linkedin",
                           account=self.name) from None
        response = self._send("POST", f"/socialActions/{quote(target, safe='')}/comments",
                              resend=False, json={"actor": self.organization, "object": thread,
                                    "message": {"text": request.text},
                                    "parentComment": target})
        body = obj(response.json()) if response.content else {}
        try:
            return vigie_id(Platform.LINKEDIN, _comment_urn({"object": thread, **body}))
        except ValueError:
            created = response.headers.get("x-restli-id") or response.headers.get(
                "x-linkedin-id")
            if not created:
                raise ApiError(f"linkedin/{self.name}: the reply was answered without an id",
                               platform="linkedin", account=self.name) from None
            return vigie_id(Platform.LINKEDIN, f"urn:li:comment:({thread},{created})")

    def find_reply(self, request: ReplyRequest) -> str | None:
        """The organization's reply with this text under the comment (first page read)."""
        target = native_id(Platform.LINKEDIN, request.comment_id)
        items, _ = self.list_comments(target)
        for item in items:
            text = str(obj(item.get("message")).get("text") or "")
            if item.get("actor") == self.organization and same_text(text, request.text):
                try:
                    return vigie_id(Platform.LINKEDIN, _comment_urn(item))
                except ValueError:
                    continue
        return None

    # -- Connector protocol -----------------------------------------------------------------

    def fetch(self, cursor: str | None) -> FetchResult:
        """Return one page of new comments and the cursor to store once they are ingested.

        The cursor keeps the round's queue of targets (posts, then comments with new replies)
        and, per target, the newest ``created.time`` of the last complete pass (``hwm``), the
        paging offset mid-pass, and the reply count it was queued for.

        Raises:
            ConnectorError: from the LinkedIn API (see :mod:`vigie.connectors.errors`).
        """
        state = load_state(cursor, connector=self.name)
        posts: dict[str, dict[str, Any]] = {k: dict(v) for k, v in state.get("p", {}).items()}
        threads: dict[str, dict[str, Any]] = {k: dict(v)
                                              for k, v in state.get("t", {}).items()}
        queue: list[str] = list(state.get("queue", []))
        if not queue:
            urns = list(self.post_urns) or [native_id(Platform.LINKEDIN, p.id)
                                            for p in self.list_posts()]
            # Old posts drop out of the window, and with them their comments' reply counts.
            posts = {u: posts.get(u, {}) for u in urns}
            threads = {k: v for k, v in threads.items() if v.get("post") in posts}
            queue = urns
            if not queue:
                return FetchResult((), dump_state({"p": posts, "t": threads, "queue": []}),
                                   False)
        target = queue[0]
        is_thread = target.startswith("urn:li:comment:")
        entry = (threads if is_thread else posts).setdefault(target, {})
        post_urn = str(entry.get("post", "")) if is_thread else target
        start = int(entry.get("start", 0))
        try:
            post = self.get_post(post_urn)
            items, has_next = self.list_comments(target, start)
        except NotFound:
            # A post (or comment) deleted since the listing must not block the queue behind it.
            log.info("linkedin/%s: %s is gone; skipped", self.name, target)
            (threads if is_thread else posts).pop(target, None)
            queue = queue[1:]
            return FetchResult((), dump_state({"p": posts, "t": threads, "queue": queue}),
                               bool(queue))
        floor: list[Any] = list(entry.get("hwm", [0, []]))
        mark: list[Any] = list(entry.get("round", [0, []]))
        comments: list[Comment] = []
        for item in items:
            try:
                comment = comment_from_linkedin(item, post, target if is_thread else None)
            except ValueError as error:
                log.warning("linkedin/%s: skipped a malformed comment on %s: %s", self.name,
                            target, error)
                continue
            urn = native_id(Platform.LINKEDIN, comment.id)
            stamp = int(obj(item.get("created"))["time"])
            if stamp > floor[0] or (stamp == floor[0] and urn not in floor[1]):
                comments.append(comment)
                mark = _new_mark(mark, stamp, urn)
            replies = obj(item.get("commentsSummary")).get("totalFirstLevelComments")
            known = threads.get(urn, {})
            # Any change is followed, a drop included: once a deleted reply lowers the known
            # count, the next reply raises it again and is noticed.
            if isinstance(replies, int) and replies > 0 and replies != known.get("n"):
                threads.pop(urn, None)  # re-inserted last: the most recently active are kept
                threads[urn] = {**known, "n": replies, "post": post_urn}
                if urn not in queue:
                    queue.append(urn)
        if has_next and items:
            entry["start"], entry["round"] = start + len(items), mark
        else:
            entry.pop("start", None)
            entry.pop("round", None)
            if mark[0] > floor[0]:
                entry["hwm"] = mark
            elif mark[0] == floor[0] and mark[1]:
                entry["hwm"] = [floor[0], sorted({*floor[1], *mark[1]})]
            queue = queue[1:]
        if len(threads) > _TRACKED_THREADS:
            queued = set(queue)
            excess = len(threads) - _TRACKED_THREADS
            for old in [k for k in threads if k not in queued][:excess]:
                del threads[old]
        return FetchResult(tuple(comments),
                           dump_state({"p": posts, "t": threads, "queue": queue}), bool(queue))

    def apply(self, action: PlatformAction) -> ActionOutcome:
        """Delete the comment; LinkedIn offers organizations no hide and no block.

        Raises:
            AuthExpired, RateLimited, TransientError: retry later; nothing was half-recorded.
        """
        target = native_id(Platform.LINKEDIN, action.comment_id)

        def perform(op: Operation) -> str | None:
            if op is not Operation.DELETE:
                return ("not supported by the LinkedIn API (an organization can only delete "
                        "comments)")
            try:
                self.delete_comment(target)
            except ValueError as error:
                return str(error)
            return None

        return apply_in_turn(action, perform, gone="comment no longer exists")
