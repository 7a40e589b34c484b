"""WordPress connector: the comments of an institution's own sites, through the core REST API.

Endpoints (WordPress REST API handbook, "Comments" reference,
https://developer.wordpress.org/rest-api/reference/comments/):

* list: ``GET /wp-json/wp/v2/comments?context=edit&status=<approve|hold>&orderby=id
  &order=desc&per_page=100&page=<n>`` — an array of comments ``{"id", "post", "parent",
  "author", "author_name", "author_url", "author_email" (edit context), "date_gmt",
  "content": {"raw" (edit context), "rendered"}, "status": "approved|hold|spam|trash",
  "link"}``, with the page count in the ``X-WP-TotalPages`` header;
* moderate: ``POST /wp-json/wp/v2/comments/<id>`` with ``{"status": "hold"|"approved"|"spam"}``
  (the controller's ``handle_status_param``), and ``DELETE /wp-json/wp/v2/comments/<id>``
  which moves the comment to the trash (``force=true`` would delete it for good: never sent,
  a trashed comment can be restored); trashing a trashed comment answers 410
  ``rest_already_trashed``, counted as done;
* posts, for the text a comment answers: ``GET /wp-json/wp/v2/posts/<id>?_fields=id,title,link``.

Authentication: an application password (WordPress 5.6+, "Application Passwords" integration
guide), sent as HTTP Basic ``base64(username:password)``; the account needs the
``moderate_comments`` capability (an Editor). Application passwords do not expire, but an
administrator may revoke and rotate one: after a 401, the connector reads its secret again
(:class:`ReloadingCredential`) and sends the request once more with the new password.

Errors come as ``{"code", "message", "data": {"status"}}``; ``rest_comment_invalid_id`` is a
comment that is gone. WordPress itself has no rate limit, but hosts and firewalls answer 429
or 503 with ``Retry-After``: retried by :class:`~vigie.connectors.http.ApiClient`.

Replies: ``POST /wp-json/wp/v2/comments`` with ``{"post", "parent", "content"}`` → 201 and the
new comment, posted as the account's user (approved at once for an Editor). WordPress refuses
the same text twice from one user with 409 ``comment_duplicate``: that refusal means the reply
is already there, and the connector looks it up. Read back with ``GET /comments?parent=<id>
&author=<the account's user id>&context=edit`` (the user from ``GET /users/me``).

Mapping: ``hide`` is ``hold`` (off the public page, back in WordPress's moderation queue,
reversible), ``unhide``/``publish`` is ``approved``, ``delete`` is the trash and ``reject`` is
spam (the site's anti-spam plugin learns from it). WordPress core has no API to block a
commenter: a block degrades to the removal alone, recorded on the decision.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import logging
import random
import re
import time
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

import httpx

from vigie.connectors._cursor import dump_state, load_state
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
    RateLimited,
    TransientError,
)
from vigie.connectors.http import ApiClient, RetryPolicy, Secret
from vigie.connectors.replies import ReplyRequest, same_text
from vigie.records import Author, Comment, Platform, Post, web_address

__all__ = [
    "ReloadingCredential",
    "WordPressConnector",
    "basic_credential",
    "classify_wordpress_error",
    "comment_from_wordpress",
]

log = logging.getLogger(__name__)

#: Statuses a list call may ask for (``approve`` is the public one, ``hold`` the queue).
LIST_STATUSES = ("approve", "hold")
_STATUS_FOR = {Operation.HIDE: "hold", Operation.HOLD: "hold", Operation.UNHIDE: "approved",
               Operation.PUBLISH: "approved", Operation.REJECT: "spam"}
_TAGS = re.compile(r"<[^>]+>")


def basic_credential(username: str, password: Secret) -> Secret:
    """The HTTP Basic credential ``base64(username:password)`` (pure); spaces are kept.

    WordPress shows application passwords in groups of four with spaces; it accepts them with
    or without the spaces.
    """
    raw = f"{username}:{password.reveal()}".encode()
    return Secret(base64.b64encode(raw).decode("ascii"))


class ReloadingCredential:
    """A ``TokenSource`` for a credential that does not expire but can be rotated.

    ``token`` returns the current credential; ``renew`` (after a 401) reads the secret again
    and returns it if it changed. An unchanged secret means the password was revoked without
    a replacement: :class:`AuthExpired`, with the fix.
    """

    def __init__(self, load: Callable[[], Secret], *, platform: str, account: str,
                 fix: str) -> None:
        """Read the credential once now.

        Args:
            load: reads the secret (and builds the credential) from where it is configured.
            platform: for messages.
            account: for messages.
            fix: what a human must do, appended to the error.
        """
        self._load = load
        self._current = load()
        self._platform = platform
        self._account = account
        self._fix = fix

    def __repr__(self) -> str:
        return f"ReloadingCredential({self._platform}/{self._account})"

    def token(self) -> Secret:
        """The credential to send now."""
        return self._current

    def renew(self, rejected: Secret) -> Secret:
        """Read the secret again after the platform refused ``rejected``.

        Raises:
            AuthExpired: the secret has not changed (or cannot be read any more).
        """
        try:
            fresh = self._load()
        except ConnectorError as error:
            raise AuthExpired(f"{self._platform}/{self._account}: credential refused, and "
                              f"reading it again failed: {error}", platform=self._platform,
                              account=self._account) from None
        if fresh == rejected:
            raise AuthExpired(f"{self._platform}/{self._account}: credential refused — "
                              f"{self._fix}", platform=self._platform, account=self._account)
        log.info("%s/%s: the credential was rotated; using the new one", self._platform,
                 self._account)
        self._current = fresh
        return fresh


def classify_wordpress_error(response: httpx.Response, *, account: str) -> ConnectorError:
    """Map a failed WordPress REST answer onto the connector error tree (pure)."""
    try:
        body = obj(response.json())
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = {}
    code = str(body.get("code") or "") or None
    text = str(body.get("message") or response.reason_phrase or "no message")
    status = response.status_code
    detail = f"wordpress/{account}: HTTP {status}" + (f" {code}" if code else "") + f": {text}"
    common: dict[str, Any] = {"platform": "wordpress", "account": account, "status": status,
                              "code": code}
    if status == 401:
        return AuthExpired(detail + " — create a new application password for the account "
                           "and put it where app_password points", **common)
    if status == 429:
        return RateLimited(detail, **common)
    if status >= 500:
        return TransientError(detail, **common)
    if status in (404, 410) or code in ("rest_comment_invalid_id", "rest_post_invalid_id"):
        return NotFound(detail, **common)
    if status == 403:
        return PermissionDenied(detail + " — the account needs the moderate_comments "
                                "capability (Editor role)", **common)
    return ApiError(detail, **common)


def _text(content: Any) -> str:
    content = obj(content)
    raw = content.get("raw")
    if isinstance(raw, str):
        return raw
    return html.unescape(_TAGS.sub("", str(content.get("rendered") or ""))).strip()


def _author_id(site: str, item: dict[str, Any]) -> str:
    user = item.get("author")
    if isinstance(user, int) and user > 0:
        return vigie_id(Platform.WORDPRESS, f"{site}/user/{user}")
    # A guest has no account: a digest of the e-mail (edit context) keeps the same guest the
    # same author for strikes, without storing the address.
    key = str(item.get("author_email") or item.get("author_name") or "").strip().lower()
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
    return vigie_id(Platform.WORDPRESS, f"{site}/guest/{digest}")


def comment_from_wordpress(item: dict[str, Any], site: str, post: Post | None) -> Comment:
    """Map a WordPress comment (edit context) onto a Vigie :class:`Comment` (pure).

    Ids carry the site's host (``wp:www.polymtl.ca/123``): comment ids are per site. The
    comment's ``link`` (its post's page with ``#comment-123``) becomes the record's ``url``.

    Raises:
        KeyError, ValueError: missing id or ``date_gmt``.
    """
    parent = item.get("parent")
    return Comment(
        id=vigie_id(Platform.WORDPRESS, f"{site}/{int(item['id'])}"),
        platform=Platform.WORDPRESS,
        text=_text(item.get("content")),
        # ``date_gmt`` is UTC without an offset (``2026-12-06T14:05:42``).
        created_at=parse_graph_time(str(item["date_gmt"])),
        author=Author(id=_author_id(site, item), name=str(item.get("author_name") or ""),
                      handle=str(item.get("author_url") or "") or None),
        post=post,
        parent_id=vigie_id(Platform.WORDPRESS, f"{site}/{parent}")
        if isinstance(parent, int) and parent > 0 else None,
        url=web_address(item.get("link")),
    )


class WordPressConnector(OneCallPerAction):
    """One WordPress site: poll its comments, hold, approve, trash or mark them as spam."""

    platform = Platform.WORDPRESS

    def __init__(
        self,
        name: str,
        site_url: str,
        client: httpx.Client,
        credential: Secret | ReloadingCredential,
        *,
        remove_as: Operation = Operation.DELETE,
        statuses: Sequence[str] = LIST_STATUSES,
        page_size: int = 100,
        base_url: str | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        """Build the connector.

        Args:
            name: the account's name in the configuration.
            site_url: the site's root, ``https://www.polymtl.ca``.
            client: injected HTTP client.
            credential: the Basic credential (:func:`basic_credential`) or its reloader.
            remove_as: what ``remove`` means here: ``delete`` (the trash) or ``reject`` (spam).
            statuses: which comments to read (``approve``, ``hold``).
            page_size: comments per list call (1-100).
            base_url: the REST root (default ``<site_url>/wp-json/wp/v2``; tests, proxies).
            retry: retry policy for 429/5xx/network failures.
            sleep: waits between retries (tests inject a recorder).
            rng: jitter source (tests inject a seeded one).

        Raises:
            ValueError: an invalid ``remove_as``, status or page size.
        """
        if remove_as not in (Operation.DELETE, Operation.REJECT):
            raise ValueError(f"remove_as must be delete (trash) or reject (spam), got {remove_as}")
        unknown = sorted(set(statuses) - set(LIST_STATUSES))
        if unknown or not statuses:
            raise ValueError(f"statuses must be among {LIST_STATUSES}, got {list(statuses)}")
        if not 1 <= page_size <= 100:
            raise ValueError("page_size must be between 1 and 100")
        self.name = name
        self.site = urlsplit(site_url).netloc or site_url
        self.capabilities = Capabilities(
            operations=frozenset({Operation.HIDE, Operation.UNHIDE, Operation.HOLD,
                                  Operation.PUBLISH, Operation.DELETE, Operation.REJECT,
                                  Operation.REPLY}),
            remove_as=remove_as)
        self.api = ApiClient(
            client, base_url=base_url or site_url.rstrip("/") + "/wp-json/wp/v2", token=credential,
            classify=lambda r: classify_wordpress_error(r, account=name),
            platform="wordpress", account=name, retry=retry, sleep=sleep, rng=rng,
            auth_scheme="Basic",
        )
        self.statuses = tuple(statuses)
        self.page_size = page_size
        self._posts: dict[int, Post] = {}
        self._me: int | None = None

    # -- low-level calls ------------------------------------------------------------------

    def list_comments(self, status: str, page: int) -> tuple[list[dict[str, Any]], int]:
        """One page of comments of ``status``, newest id first; and the number of pages."""
        response = self.api.request("GET", "/comments", params={
            "context": "edit", "status": status, "orderby": "id", "order": "desc",
            "per_page": self.page_size, "page": page})
        body = response.json() if response.content else []
        pages = response.headers.get("X-WP-TotalPages", "1")
        items = [c for c in body if isinstance(c, dict)] if isinstance(body, list) else []
        return items, int(pages) if pages.isdigit() else 1

    def post_for(self, post_id: int) -> Post:
        """The post a comment answers (cached; a post that cannot be read is an id alone)."""
        if post_id not in self._posts:
            pid = vigie_id(Platform.WORDPRESS, f"{self.site}/post/{post_id}")
            try:
                body = obj(self.api.request_json("GET", f"/posts/{post_id}",
                                                 params={"_fields": "id,title,link"}))
            except (NotFound, PermissionDenied):
                self._posts[post_id] = Post(id=pid)  # a page, or a private post
            else:
                title = _text(body.get("title"))
                link = str(body.get("link") or "")
                self._posts[post_id] = Post(id=pid, text=title,
                                            links=(link,) if link else ())
        return self._posts[post_id]

    def set_status(self, comment_id: int, status: str) -> None:
        """Set a comment's status (``hold``, ``approved``, ``spam``); idempotent."""
        self.api.request_json("POST", f"/comments/{comment_id}", json={"status": status})

    def trash(self, comment_id: int) -> None:
        """Move a comment to the trash; one already there counts as trashed."""
        try:
            self.api.request_json("DELETE", f"/comments/{comment_id}")
        except NotFound as error:
            if error.code != "rest_already_trashed":
                raise

    def _number(self, comment_id: str) -> int:
        native = native_id(Platform.WORDPRESS, comment_id)
        site, _, number = native.rpartition("/")
        if site != self.site or not number.isdigit():
            raise PermissionDenied(f"wordpress/{self.name}: {comment_id} is not a "
                                   f"comment of {self.site}", platform="wordpress",
                                   account=self.name)
        return int(number)

    def reply(self, request: ReplyRequest) -> str:
        """Post a reply as the account's user under the comment (sent once).

        Raises:
            NotFound: the comment is gone.
            ConnectorError: as the site answers.
        """
        parent = self._number(request.comment_id)
        post = obj(self.api.request_json("GET", f"/comments/{parent}",
                                         params={"context": "edit", "_fields": "id,post"}))
        try:
            created = obj(self.api.request_json("POST", "/comments", resend=False, json={
                "post": post.get("post"), "parent": parent, "content": request.text}))
        except ApiError as error:
            found = self.find_reply(request) if error.code == "comment_duplicate" else None
            if found is None:
                raise
            return found
        if not isinstance(created.get("id"), int):
            raise ApiError(f"wordpress/{self.name}: the reply was answered without an id",
                           platform="wordpress", account=self.name)
        return vigie_id(Platform.WORDPRESS, f"{self.site}/{created['id']}")

    def find_reply(self, request: ReplyRequest) -> str | None:
        """The account's reply with this text under the comment, if posted."""
        parent = self._number(request.comment_id)
        if self._me is None:
            me = obj(self.api.request_json("GET", "/users/me", params={"_fields": "id"}))
            self._me = int(me.get("id") or 0)
        items = self.api.request_json("GET", "/comments", params={
            "parent": parent, "author": self._me, "context": "edit", "per_page": 100,
            "status": "all"})
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and same_text(_text(item.get("content")), request.text):
                return vigie_id(Platform.WORDPRESS, f"{self.site}/{int(item['id'])}")
        return None

    # -- Connector protocol -----------------------------------------------------------------

    def fetch(self, cursor: str | None) -> FetchResult:
        """Return one page of new comments of one status.

        Per status, the cursor keeps ``since`` (the highest id of the last complete pass) and,
        mid-pass, the next page and the pass's highest id. Pages go newest first and a pass
        stops at the first id already seen, so a poll reads only what is new.

        Raises:
            ConnectorError: API failures.
        """
        state = load_state(cursor, connector=self.name)
        per: dict[str, dict[str, int]] = {k: dict(v) for k, v in state.get("s", {}).items()}
        queue: list[str] = [s for s in state.get("queue", []) if s in self.statuses]
        if not queue:
            queue = list(self.statuses)
        status = queue[0]
        mine = per.setdefault(status, {})
        since = mine.get("since", 0)
        page = mine.get("page", 1)
        items, pages = self.list_comments(status, page)
        comments: list[Comment] = []
        reached = False
        for item in items:
            cid = item.get("id")
            if not isinstance(cid, int):
                continue
            if cid <= since:
                reached = True
                break
            mine["pending"] = max(mine.get("pending", 0), cid)
            try:
                post = self.post_for(int(item.get("post") or 0)) if item.get("post") else None
                comments.append(comment_from_wordpress(item, self.site, post))
            except (KeyError, ValueError, TypeError) as error:
                log.warning("wordpress/%s: skipped a malformed comment: %s", self.name, error)
        if reached or page >= pages or not items:
            mine.pop("page", None)
            if "pending" in mine:
                mine["since"] = mine.pop("pending")
            queue = queue[1:]
        else:
            mine["page"] = page + 1
        comments.reverse()  # oldest first
        return FetchResult(tuple(comments), dump_state({"s": per, "queue": queue}), bool(queue))

    def apply(self, action: PlatformAction) -> ActionOutcome:
        """Hold, approve, trash or mark as spam; a comment already gone is reported."""
        target = self._number(action.comment_id)

        def perform(op: Operation) -> str | None:
            if op is Operation.DELETE:
                self.trash(target)
            elif op in _STATUS_FOR:
                self.set_status(target, _STATUS_FOR[op])
            else:
                return "WordPress has no API to block a commenter"
            return None

        return apply_in_turn(action, perform, gone="comment no longer exists")
