"""Bluesky connector: replies to the institution's posts over the AT Protocol (XRPC over HTTP).

All calls go to the account's PDS (``https://bsky.social`` for accounts hosted by Bluesky),
which answers ``com.atproto.*`` itself and proxies ``app.bsky.*`` to the AppView. Lexicons
(github.com/bluesky-social/atproto, ``lexicons/``; docs.bsky.app):

* sign-in: ``com.atproto.server.createSession`` ``{"identifier", "password"}`` (an app
  password) → ``{"accessJwt", "refreshJwt", "handle", "did"}``; the access token lasts about
  two hours, then calls answer 400 ``ExpiredToken``; ``com.atproto.server.refreshSession``,
  with the refresh token as bearer, gives a new pair (:class:`BlueskySession`);
* read: ``app.bsky.feed.getAuthorFeed?actor=&filter=posts_no_replies&limit=`` → ``{"feed":
  [{"post": PostView, "reason"?}], "cursor"}``; ``app.bsky.feed.getPostThread?uri=&depth=
  &parentHeight=0`` → ``{"thread": threadViewPost}``, a tree of ``{"post": PostView,
  "replies": [threadViewPost | notFoundPost | blockedPost]}``; a PostView is ``{"uri", "cid",
  "author": {"did", "handle", "displayName", "avatar", "createdAt"}, "record": {"text",
  "createdAt", "reply": {"root", "parent"}}, "embed", "replyCount", "indexedAt"}``. A post's
  ``replyCount`` counts its direct replies only, so every watched thread is read each round
  (a reply to a reply changes no count on the root);
* hide: the thread's ``app.bsky.feed.threadgate`` record (same rkey as the root post, in the
  institution's own repository) lists up to 300 ``hiddenReplies`` (at-uris); read with
  ``com.atproto.repo.getRecord`` and written with ``com.atproto.repo.putRecord`` and
  ``swapRecord`` (compare-and-swap on the record's CID, so a concurrent edit by the app is not
  lost). A threadgate created here has no ``allow`` field: who may reply is left unchanged;
* block: an ``app.bsky.graph.block`` record ``{"subject": did, "createdAt"}``
  (``com.atproto.repo.createRecord``; undone by ``deleteRecord``), found through
  ``app.bsky.actor.getProfile`` → ``viewer.blocking``; or, where the account prefers a private
  measure, ``app.bsky.graph.muteActor`` / ``unmuteActor`` ``{"actor"}``;
* report: ``com.atproto.moderation.createReport`` ``{"reasonType":
  "com.atproto.moderation.defs#reasonRude"..., "reason", "subject": {"$type":
  "com.atproto.repo.strongRef", "uri", "cid"}}``, sent through the PDS to the labeler named in
  the ``atproto-proxy`` header (``<labeler did>#atproto_labeler``). A page cannot delete a
  reply on Bluesky; reporting it to the moderation service is the only way to have it taken
  down network-wide.

* reply: an ``app.bsky.feed.post`` record ``{"text", "createdAt", "reply": {"root", "parent"}}``
  (strong references ``{"uri", "cid"}``: the parent is the comment, the root its thread's
  root, read from the comment's own ``record.reply``), created with
  ``com.atproto.repo.createRecord`` under a record key derived from the outbox key
  (:func:`~vigie.connectors.replies.record_key`), so ``getRecord`` tells whether an attempt
  whose answer was lost posted it.

Errors are ``{"error", "message"}``; 429 carries ``ratelimit-reset`` (epoch seconds).
"""

from __future__ import annotations

import base64
import json
import logging
import random
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import httpx

from vigie.connectors._cursor import dump_state, load_state, pass_state
from vigie.connectors._graph import parse_graph_time
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
    RateLimited,
    TransientError,
)
from vigie.connectors.http import ApiClient, RetryPolicy, Secret
from vigie.connectors.replies import ReplyRequest, record_key, same_text
from vigie.records import Attachment, Author, Comment, Platform, Post

__all__ = [
    "DEFAULT_LABELER",
    "DEFAULT_PDS_URL",
    "BlueskyConnector",
    "BlueskySession",
    "classify_atproto_error",
    "comment_from_bluesky",
]

log = logging.getLogger(__name__)

DEFAULT_PDS_URL = "https://bsky.social"
#: Bluesky's own moderation service (the default labeler of the app).
DEFAULT_LABELER = "did:plc:ar7c4by46qjdydhdevvrndac"
#: ``app.bsky.feed.threadgate`` ``hiddenReplies`` maxLength.
MAX_HIDDEN = 300
THREADGATE = "app.bsky.feed.threadgate"
BLOCK = "app.bsky.graph.block"
POST = "app.bsky.feed.post"
_AUTH_ERRORS = frozenset({"ExpiredToken", "InvalidToken", "AuthenticationRequired",
                          "AuthMissing"})
_GONE_ERRORS = frozenset({"NotFound", "RecordNotFound"})
REASONS = ("spam", "violation", "misleading", "sexual", "rude", "other")
_REFRESH_MARGIN_S = 300.0


def classify_atproto_error(response: httpx.Response, *, account: str,
                           now: Callable[[], float] = time.time) -> ConnectorError:
    """Map a failed XRPC answer onto the connector error tree (pure apart from ``now``)."""
    try:
        body = obj(response.json())
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = {}
    code = str(body.get("error") or "") or None
    text = str(body.get("message") or response.reason_phrase or "no message")
    status = response.status_code
    detail = f"bluesky/{account}: HTTP {status}" + (f" {code}" if code else "") + f": {text}"
    common: dict[str, Any] = {"platform": "bluesky", "account": account, "status": status,
                              "code": code}
    if status == 401 or code in _AUTH_ERRORS:
        return AuthExpired(detail, **common)
    if status == 429:
        reset = response.headers.get("ratelimit-reset", "")
        wait = max(0.0, float(reset) - now()) if reset.isdigit() else None
        return RateLimited(detail, retry_after=wait, **common)
    if status >= 500:
        return TransientError(detail, **common)
    if code in _GONE_ERRORS or status == 404 or "could not locate record" in text.lower():
        return NotFound(detail, **common)
    if status == 403:
        return PermissionDenied(detail, **common)
    return ApiError(detail, **common)


def _jwt_expiry(token: str) -> float | None:
    # The session's own token: its ``exp`` claim says when to refresh (no signature check is
    # needed to read our own token's expiry; the PDS checks it).
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError, UnicodeDecodeError):
        return None
    exp = claims.get("exp") if isinstance(claims, dict) else None
    return float(exp) if isinstance(exp, int | float) else None


class BlueskySession:
    """An AT Protocol session (a ``TokenSource``): sign in, refresh, sign in again.

    The access token is refreshed five minutes before its ``exp``; a refused one is refreshed
    once; a refused refresh token (expired, or revoked by another sign-in) falls back to a new
    ``createSession`` with the app password. A refused app password is :class:`AuthExpired`.
    """

    def __init__(self, client: httpx.Client, *, pds_url: str, identifier: str,
                 password: Secret, account: str, retry: RetryPolicy | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 rng: random.Random | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        """Prepare a session (nothing is sent before the first :meth:`token`)."""
        self._client = client
        self._base = pds_url.rstrip("/") + "/xrpc"
        self._identifier = identifier
        self._password = password
        self._account = account
        self._retry = retry
        self._sleep = sleep
        self._rng = rng
        self._clock = clock
        self._access: Secret | None = None
        self._refresh: Secret | None = None
        self.did: str | None = identifier if identifier.startswith("did:") else None
        self.sessions_created = 0

    def __repr__(self) -> str:
        return f"BlueskySession({self._account})"

    def _api(self, token: Secret | None) -> ApiClient:
        account = self._account
        return ApiClient(self._client, base_url=self._base, token=token, platform="bluesky",
                         account=account, retry=self._retry, sleep=self._sleep, rng=self._rng,
                         classify=lambda r: classify_atproto_error(r, account=account,
                                                                   now=self._clock))

    def _keep(self, body: Any) -> Secret:
        body = obj(body)
        access, refresh = body.get("accessJwt"), body.get("refreshJwt")
        if not isinstance(access, str) or not isinstance(refresh, str):
            raise ApiError(f"bluesky/{self._account}: the session answer has no tokens",
                           platform="bluesky", account=self._account)
        self._access, self._refresh = Secret(access), Secret(refresh)
        if isinstance(body.get("did"), str):
            self.did = body["did"]
        return self._access

    def sign_in(self) -> Secret:
        """``createSession`` with the app password.

        Raises:
            AuthExpired: the identifier or app password was refused (the fix is named).
        """
        try:
            body = self._api(None).request_json("POST", "/com.atproto.server.createSession",
                                                json={"identifier": self._identifier,
                                                      "password": self._password.reveal()})
        except AuthExpired as error:
            raise AuthExpired(f"{error} — create a new app password (Settings → Privacy and "
                              "security → App passwords) and put it where app_password "
                              "points", platform="bluesky", account=self._account,
                              status=error.status, code=error.code) from None
        self.sessions_created += 1
        return self._keep(body)

    def _refreshed(self) -> Secret:
        if self._refresh is None:
            return self.sign_in()
        try:
            body = self._api(self._refresh).request_json(
                "POST", "/com.atproto.server.refreshSession")
        except AuthExpired:
            log.info("bluesky/%s: refresh token refused; signing in again", self._account)
            return self.sign_in()
        return self._keep(body)

    def token(self) -> Secret:
        """The access token, refreshed first when it expires within five minutes."""
        if self._access is None:
            return self.sign_in()
        exp = _jwt_expiry(self._access.reveal())
        if exp is not None and exp - self._clock() < _REFRESH_MARGIN_S:
            return self._refreshed()
        return self._access

    def renew(self, rejected: Secret) -> Secret:
        """A new access token after the PDS refused ``rejected``."""
        if self._access is not None and self._access != rejected:
            return self._access  # already renewed by another call
        return self._refreshed()


def _when(value: Any) -> datetime:
    return parse_graph_time(str(value))


def _attachments(embed: Any) -> tuple[Attachment, ...]:
    embed = obj(embed)
    kind = str(embed.get("$type") or "")
    if kind == "app.bsky.embed.recordWithMedia#view":
        return _attachments(embed.get("media"))
    if kind == "app.bsky.embed.images#view":
        return tuple(Attachment(type="image", url=str(i.get("fullsize") or i.get("thumb")),
                                description=str(i.get("alt") or "") or None)
                     for i in arr(embed.get("images")) if isinstance(i, dict))
    if kind == "app.bsky.embed.external#view":
        ext = obj(embed.get("external"))
        return (Attachment(type="link", url=str(ext.get("uri") or ""),
                           title=str(ext.get("title") or "") or None,
                           description=str(ext.get("description") or "") or None),)
    if kind == "app.bsky.embed.video#view":
        return (Attachment(type="video", url=str(embed.get("thumbnail") or "") or None),)
    return ()


def comment_from_bluesky(view: dict[str, Any], post: Post | None) -> Comment:
    """Map a reply's PostView onto a Vigie :class:`Comment` (pure).

    Raises:
        KeyError, ValueError: missing uri, author or timestamps.
    """
    record = obj(view.get("record"))
    author = obj(view["author"])
    reply = obj(record.get("reply"))
    parent = obj(reply.get("parent")).get("uri")
    root = obj(reply.get("root")).get("uri")
    created = author.get("createdAt")
    return Comment(
        id=vigie_id(Platform.BLUESKY, str(view["uri"])),
        platform=Platform.BLUESKY,
        text=str(record.get("text") or ""),
        created_at=_when(record.get("createdAt") or view["indexedAt"]),
        author=Author(id=vigie_id(Platform.BLUESKY, str(author["did"])),
                      name=str(author.get("displayName") or ""), handle=author.get("handle"),
                      created_at=_when(created) if created else None,
                      default_avatar=not author.get("avatar")),
        post=post,
        parent_id=vigie_id(Platform.BLUESKY, str(parent)) if parent and parent != root else None,
        attachments=_attachments(view.get("embed")),
    )


def _replies(node: Any) -> Iterator[dict[str, Any]]:
    """Every reply PostView under a threadViewPost, depth first (pure)."""
    for child in arr(obj(node).get("replies")):
        child = obj(child)
        if child.get("$type", "app.bsky.feed.defs#threadViewPost") != (
                "app.bsky.feed.defs#threadViewPost") or "post" not in child:
            continue  # notFoundPost, blockedPost
        yield obj(child["post"])
        yield from _replies(child)


def _rkey(uri: str) -> str:
    return uri.rsplit("/", 1)[-1]


def _repo(uri: str) -> str:
    return uri.removeprefix("at://").split("/", 1)[0]


class BlueskyConnector(OneCallPerAction):
    """One Bluesky account: poll replies to its posts; hide, block or mute, report."""

    platform = Platform.BLUESKY

    def __init__(
        self,
        name: str,
        session: BlueskySession,
        client: httpx.Client,
        *,
        pds_url: str = DEFAULT_PDS_URL,
        post_uris: Sequence[str] = (),
        max_posts: int = 20,
        thread_depth: int = 100,
        block_as: str = "block",
        report_blocked: bool = False,
        report_reason: str = "rude",
        labeler_did: str = DEFAULT_LABELER,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        """Build the connector.

        Args:
            name: the account's name in the configuration.
            session: the signed-in session (its DID is the repository written to).
            client: injected HTTP client.
            pds_url: the account's PDS.
            post_uris: watch only these posts; empty: the ``max_posts`` most recent ones.
            max_posts: posts a round covers.
            thread_depth: reply depth read per thread (``getPostThread`` ``depth``).
            block_as: ``block`` (a public block record) or ``mute`` (private to the account).
            report_blocked: also report to the labeler the reply whose author is blocked.
            report_reason: the ``reasonType`` of reports (``rude``, ``spam``, ``violation``...).
            labeler_did: the moderation service reports go to.
            retry: retry policy for 429/5xx/network failures.
            sleep: waits between retries (tests inject a recorder).
            rng: jitter source (tests inject a seeded one).
            wall_clock: epoch clock, to read ``ratelimit-reset``.

        Raises:
            ValueError: an unknown ``block_as`` or ``report_reason``.
        """
        if block_as not in ("block", "mute"):
            raise ValueError(f"block_as must be block or mute, got {block_as!r}")
        if report_reason not in REASONS:
            raise ValueError(f"report_reason must be one of {', '.join(REASONS)}")
        self.name = name
        self.session = session
        self.capabilities = Capabilities(
            operations=frozenset({Operation.HIDE, Operation.UNHIDE, Operation.BLOCK_AUTHOR,
                                  Operation.UNBLOCK_AUTHOR, Operation.REPORT, Operation.REPLY}),
            remove_as=Operation.HIDE)
        base = pds_url.rstrip("/") + "/xrpc"

        def classify(r: httpx.Response) -> ConnectorError:
            return classify_atproto_error(r, account=name, now=wall_clock)

        self.api = ApiClient(client, base_url=base, token=session, classify=classify,
                             platform="bluesky", account=name, retry=retry, sleep=sleep, rng=rng)
        # Reports go through the PDS to the labeler named in the atproto-proxy header.
        self.reports = ApiClient(client, base_url=base, token=session, classify=classify,
                                 platform="bluesky", account=name, retry=retry, sleep=sleep,
                                 rng=rng, headers={"atproto-proxy":
                                                   f"{labeler_did}#atproto_labeler"})
        self.post_uris = tuple(post_uris)
        self.max_posts = max_posts
        self.thread_depth = thread_depth
        self.block_as = block_as
        self.report_blocked = report_blocked
        self.report_reason = report_reason
        self._roots: dict[str, Post] = {}

    @property
    def did(self) -> str:
        """The account's DID (signs in first if the configuration gave a handle)."""
        if self.session.did is None:
            self.session.token()
        assert self.session.did is not None
        return self.session.did

    def _get(self, method: str, **params: Any) -> dict[str, Any]:
        return obj(self.api.request_json("GET", f"/{method}", params=params))

    def _post(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        return obj(self.api.request_json("POST", f"/{method}", json=body))

    # -- reads --------------------------------------------------------------------------

    def own_posts(self) -> list[str]:
        """The at-uris of the posts to watch (reposts and others' posts left out)."""
        if self.post_uris:
            return list(self.post_uris)
        body = self._get("app.bsky.feed.getAuthorFeed", actor=self.did,
                         filter="posts_no_replies", limit=self.max_posts)
        posts = []
        for item in arr(body.get("feed")):
            item = obj(item)
            view = obj(item.get("post"))
            if item.get("reason") or obj(view.get("author")).get("did") != self.did:
                continue
            uri = str(view.get("uri") or "")
            if uri:
                self._roots[uri] = Post(id=vigie_id(Platform.BLUESKY, uri),
                                        text=str(obj(view.get("record")).get("text") or ""))
                posts.append(uri)
        return posts

    def thread(self, uri: str) -> dict[str, Any]:
        """The thread under ``uri`` (``getPostThread``, no parents)."""
        return obj(self._get("app.bsky.feed.getPostThread", uri=uri, depth=self.thread_depth,
                             parentHeight=0).get("thread"))

    def post_view(self, uri: str) -> dict[str, Any]:
        """One post's view (``getPosts``).

        Raises:
            NotFound: the post is gone.
        """
        posts = arr(self._get("app.bsky.feed.getPosts", uris=uri).get("posts"))
        if not posts:
            raise NotFound(f"bluesky/{self.name}: post {uri} not found", platform="bluesky",
                           account=self.name, code="NotFound")
        return obj(posts[0])

    # -- writes -------------------------------------------------------------------------

    def set_hidden(self, reply_uri: str, root_uri: str, hidden: bool) -> str | None:
        """Add or remove ``reply_uri`` in the root's threadgate ``hiddenReplies``.

        Returns:
            ``None`` once in effect, or why it cannot be (not this account's thread, full).
        """
        if _repo(root_uri) != self.did:
            return "not a thread of this account: only the root's author can hide replies"
        for _ in range(3):  # compare-and-swap: read again if the app edited it meanwhile
            try:
                current = self._get("com.atproto.repo.getRecord", repo=self.did,
                                    collection=THREADGATE, rkey=_rkey(root_uri))
            except NotFound:
                current = {}
            record = dict(obj(current.get("value"))) or {
                "$type": THREADGATE, "post": root_uri,
                "createdAt": datetime.now(UTC).isoformat().replace("+00:00", "Z")}
            listed = [str(u) for u in arr(record.get("hiddenReplies"))]
            if (reply_uri in listed) == hidden:
                return None  # already in effect: nothing written
            if hidden and len(listed) >= MAX_HIDDEN:
                return f"this thread already hides {MAX_HIDDEN} replies, the most it can"
            record["hiddenReplies"] = ([*listed, reply_uri] if hidden
                                       else [u for u in listed if u != reply_uri])
            try:
                self._post("com.atproto.repo.putRecord", {
                    "repo": self.did, "collection": THREADGATE, "rkey": _rkey(root_uri),
                    "record": record, "swapRecord": current.get("cid")})
            except ApiError as error:
                if error.code == "InvalidSwap":
                    continue
                raise
            return None
        raise TransientError(f"bluesky/{self.name}: the threadgate of {root_uri} kept "
                             "changing; try again", platform="bluesky", account=self.name)

    def set_blocked(self, did: str, blocked: bool) -> None:
        """Block (a block record) or mute the author, or undo it; idempotent."""
        if self.block_as == "mute":
            method = "app.bsky.graph.muteActor" if blocked else "app.bsky.graph.unmuteActor"
            self._post(method, {"actor": did})
            return
        viewer = obj(self._get("app.bsky.actor.getProfile", actor=did).get("viewer"))
        existing = viewer.get("blocking")
        if blocked and not existing:
            self._post("com.atproto.repo.createRecord", {
                "repo": self.did, "collection": BLOCK,
                "record": {"$type": BLOCK, "subject": did,
                           "createdAt": datetime.now(UTC).isoformat().replace("+00:00", "Z")}})
        elif not blocked and isinstance(existing, str):
            self._post("com.atproto.repo.deleteRecord", {
                "repo": self.did, "collection": BLOCK, "rkey": _rkey(existing)})

    def report(self, uri: str, reason: str = "") -> None:
        """Report a post to the labeler (``createReport`` with a strong reference)."""
        cid = str(self.post_view(uri).get("cid") or "")
        self.reports.request_json("POST", "/com.atproto.moderation.createReport", json={
            "reasonType": f"com.atproto.moderation.defs#reason{self.report_reason.title()}",
            "reason": reason[:2000],
            "subject": {"$type": "com.atproto.repo.strongRef", "uri": uri, "cid": cid}})

    def _reply_key(self, request: ReplyRequest) -> str:
        return record_key(request.key, request.planned_at or datetime.now(UTC))

    def reply(self, request: ReplyRequest) -> str:
        """Post a reply as the account under the comment (``createRecord``, sent once).

        Raises:
            NotFound: the comment is gone.
            ConnectorError: as the PDS answers.
        """
        uri = native_id(Platform.BLUESKY, request.comment_id)
        parent = self.post_view(uri)
        parent_ref = {"uri": uri, "cid": str(parent.get("cid") or "")}
        root = obj(obj(obj(parent.get("record")).get("reply")).get("root"))
        root_ref = ({"uri": str(root["uri"]), "cid": str(root.get("cid") or "")}
                    if root.get("uri") else parent_ref)
        when = request.planned_at or datetime.now(UTC)
        created = obj(self.api.request_json("POST", "/com.atproto.repo.createRecord", json={
            "repo": self.did, "collection": POST, "rkey": self._reply_key(request),
            "record": {"$type": POST, "text": request.text,
                       "createdAt": when.astimezone(UTC).isoformat().replace("+00:00", "Z"),
                       "reply": {"root": root_ref, "parent": parent_ref}}}, resend=False))
        if not created.get("uri"):
            raise ApiError(f"bluesky/{self.name}: the reply was answered without a uri",
                           platform="bluesky", account=self.name)
        return vigie_id(Platform.BLUESKY, str(created["uri"]))

    def find_reply(self, request: ReplyRequest) -> str | None:
        """The reply's record, if an earlier attempt created it (``getRecord`` on its key)."""
        try:
            found = self._get("com.atproto.repo.getRecord", repo=self.did, collection=POST,
                              rkey=self._reply_key(request))
        except NotFound:
            return None
        value = obj(found.get("value"))
        parent = obj(obj(value.get("reply")).get("parent")).get("uri")
        if (not found.get("uri") or parent != native_id(Platform.BLUESKY, request.comment_id)
                or not same_text(str(value.get("text") or ""), request.text)):
            return None
        return vigie_id(Platform.BLUESKY, str(found["uri"]))

    # -- Connector protocol ---------------------------------------------------------------

    def fetch(self, cursor: str | None) -> FetchResult:
        """Return the new replies of one thread.

        Per post, the cursor keeps a watermark: the newest ``indexedAt`` returned, with the
        replies at exactly that instant (so a reply indexed in the same millisecond as the
        last one seen is not lost).

        Raises:
            ConnectorError: API failures.
        """
        state = load_state(cursor, connector=self.name)
        seen, queue = pass_state(state, "p", self.own_posts)
        if not queue:
            return FetchResult((), dump_state({"p": seen, "queue": []}), False)
        uri = queue[0]
        mine = seen.setdefault(uri, {})
        try:
            root = self.thread(uri)
        except NotFound:
            log.info("bluesky/%s: post %s is gone; skipped", self.name, uri)
            seen.pop(uri, None)
            return FetchResult((), dump_state({"p": seen, "queue": queue[1:]}),
                               len(queue) > 1)
        view = obj(root.get("post"))
        post = self._roots.get(uri) or Post(id=vigie_id(Platform.BLUESKY, uri), text=str(
            obj(view.get("record")).get("text") or ""))
        mark, at = str(mine.get("t") or ""), set(mine.get("at", []))
        comments, newest, newest_at = [], mark, set(at)
        for reply in _replies(root):
            when = str(reply.get("indexedAt") or "")
            ruri = str(reply.get("uri") or "")
            if when < mark or (when == mark and ruri in at):
                continue
            try:
                comments.append(comment_from_bluesky(reply, post))
            except (KeyError, ValueError) as error:
                log.warning("bluesky/%s: skipped a malformed reply: %s", self.name, error)
                continue
            if when > newest:
                newest, newest_at = when, {ruri}
            elif when == newest:
                newest_at.add(ruri)
        mine.update({"t": newest, "at": sorted(newest_at)})
        comments.sort(key=lambda c: c.created_at)
        return FetchResult(tuple(comments), dump_state({"p": seen, "queue": queue[1:]}),
                           len(queue) > 1)

    def apply(self, action: PlatformAction) -> ActionOutcome:
        """Hide/unhide through the threadgate, block or mute the author, report the reply."""
        uri = native_id(Platform.BLUESKY, action.comment_id)
        operations = action.operations
        if (self.report_blocked and Operation.BLOCK_AUTHOR in operations
                and Operation.REPORT not in operations):
            action = PlatformAction(action.comment_id, (*operations, Operation.REPORT),
                                    action.author_id, action.post_id)

        def root_of() -> str:
            if action.post_id:
                return native_id(Platform.BLUESKY, action.post_id)
            reply = obj(obj(self.post_view(uri).get("record")).get("reply"))
            return str(obj(reply.get("root")).get("uri") or uri)

        def perform(op: Operation) -> str | None:
            if op in (Operation.HIDE, Operation.UNHIDE):
                return self.set_hidden(uri, root_of(), op is Operation.HIDE)
            if op in (Operation.BLOCK_AUTHOR, Operation.UNBLOCK_AUTHOR):
                author = (native_id(Platform.BLUESKY, action.author_id)
                          if action.author_id else _repo(uri))
                self.set_blocked(author, op is Operation.BLOCK_AUTHOR)
                return None
            if op is Operation.REPORT:
                self.report(uri, "Reported by the page's moderation (Vigie)")
                return None
            return "not offered by the AT Protocol to a thread's author"

        return apply_in_turn(action, perform, gone="post no longer exists")
