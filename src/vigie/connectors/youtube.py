"""YouTube connector (YouTube Data API v3). YouTube pushes no comment notifications: it polls.

Reads (https://developers.google.com/youtube/v3/docs/commentThreads/list and
https://developers.google.com/youtube/v3/docs/comments/list):

* ``GET /commentThreads?part=snippet,replies&allThreadsRelatedToChannelId=CH&moderationStatus=
  published|heldForReview|likelySpam&order=time&maxResults=100&textFormat=plainText&pageToken=``
  — every thread of the channel, newest first, one moderation status at a time;
* ``GET /comments?part=snippet&parentId=THREAD&maxResults=100`` — replies beyond the few that
  ``commentThreads`` embeds;
* ``GET /videos?part=snippet&id=a,b,...`` — video titles and descriptions, the "post" text.

Writes (https://developers.google.com/youtube/v3/docs/comments/setModerationStatus):
``POST /comments/setModerationStatus?id=a,b,...&moderationStatus=heldForReview|rejected|
published[&banAuthor=true]`` with up to 50 ids per call, answering 204. YouTube has no hide:
``hold`` (``heldForReview``) takes a comment off public view reversibly, ``reject`` removes it,
``reject`` + ``banAuthor`` also bans the author from the channel.

Replies (https://developers.google.com/youtube/v3/docs/comments/insert): ``POST /comments?
part=snippet`` with ``{"snippet": {"parentId": THREAD, "textOriginal": TEXT}}`` (50 units),
answering the new comment resource. ``parentId`` must be a top-level comment: a reply to a
reply (``THREAD.REPLY``) goes under its thread, as on YouTube itself.

Errors follow the Google envelope ``{"error": {"code", "message", "errors": [{"reason", ...}]}}``;
``quotaExceeded`` stops the connector until midnight Pacific time. Every call is charged to a
:class:`~vigie.connectors.quota.QuotaBudget` first (1 unit per list, 50 per moderation call),
so the connector stops cleanly *before* the platform refuses.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Sequence
from typing import Any

import httpx

from vigie.connectors._cursor import dump_state, load_state
from vigie.connectors._graph import parse_graph_time
from vigie.connectors._json import arr, obj
from vigie.connectors.base import (
    ActionOutcome,
    Capabilities,
    FetchResult,
    Operation,
    PlatformAction,
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
from vigie.connectors.quota import QuotaBudget
from vigie.connectors.replies import ReplyRequest, same_text
from vigie.records import Author, Comment, Platform, Post

__all__ = ["DEFAULT_YOUTUBE_URL", "STATUSES", "YouTubeConnector", "comment_from_youtube"]

log = logging.getLogger(__name__)

DEFAULT_YOUTUBE_URL = "https://www.googleapis.com/youtube/v3"
#: Moderation statuses a channel owner can list, in the order a round reads them.
STATUSES = ("published", "heldForReview", "likelySpam")
LIST_COST = 1
MODERATION_COST = 50
#: ``comments.insert`` (a reply): 50 units, like a moderation call.
REPLY_COST = 50
BATCH = 50
#: Threads whose reply counts are remembered, to notice late replies on recent threads.
_TRACKED_THREADS = 500

_QUOTA_REASONS = frozenset({"quotaExceeded", "dailyLimitExceeded"})
_RATE_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})


def classify_youtube_error(response: httpx.Response, *, account: str,
                           budget: QuotaBudget | None = None) -> ConnectorError:
    """Map a failed YouTube answer onto the connector error tree (pure apart from ``budget``)."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = {}
    error = obj(obj(body).get("error"))
    errors = arr(error.get("errors"))
    reasons = [e.get("reason", "") for e in errors if isinstance(e, dict)]
    reason = reasons[0] if reasons else None
    status = response.status_code
    detail = (f"youtube/{account}: HTTP {status}"
              + (f" {reason}" if reason else "")
              + f": {error.get('message') or response.reason_phrase or 'no message'}")
    common: dict[str, Any] = {"platform": "youtube", "account": account, "status": status,
                              "code": reason}
    if any(r in _QUOTA_REASONS for r in reasons):
        if budget is not None:
            budget.exhaust()
        return QuotaExhausted(detail, retry_after=budget.seconds_to_reset() if budget else None,
                              **common)
    if status == 401:
        return AuthExpired(detail + " — renew the OAuth access token", **common)
    if any(r in _RATE_REASONS for r in reasons) or status == 429:
        return RateLimited(detail, **common)
    if status >= 500:
        return TransientError(detail, **common)
    if status == 404:
        return NotFound(detail, **common)
    if status == 403:
        return PermissionDenied(detail, **common)
    return ApiError(detail, **common)


def comment_from_youtube(resource: dict[str, Any], post: Post | None) -> Comment:
    """Map a ``youtube#comment`` resource onto a Vigie :class:`Comment` (pure).

    Raises:
        ValueError, KeyError: the resource lacks an id, a snippet or ``publishedAt``.
    """
    snippet = resource["snippet"]
    channel = obj(snippet.get("authorChannelId"))
    channel_url = str(snippet.get("authorChannelUrl") or "")
    handle = channel_url.rsplit("/@", 1)[1] if "/@" in channel_url else None
    author_channel = channel.get("value")
    return Comment(
        id=vigie_id(Platform.YOUTUBE, str(resource["id"])),
        platform=Platform.YOUTUBE,
        text=str(snippet.get("textOriginal") or snippet.get("textDisplay") or ""),
        created_at=parse_graph_time(snippet["publishedAt"]),
        author=Author(
            id=vigie_id(Platform.YOUTUBE, str(author_channel)) if author_channel
            else "yt:unknown",
            name=str(snippet.get("authorDisplayName") or ""), handle=handle,
        ),
        post=post,
        parent_id=vigie_id(Platform.YOUTUBE, snippet["parentId"]) if snippet.get("parentId")
        else None,
    )


def _status_call(operations: tuple[Operation, ...]) -> tuple[str, bool] | None:
    ops = set(operations)
    if ops == {Operation.REJECT, Operation.BLOCK_AUTHOR}:
        return "rejected", True
    if ops == {Operation.REJECT}:
        return "rejected", False
    if ops == {Operation.HOLD}:
        return "heldForReview", False
    if ops == {Operation.PUBLISH}:
        return "published", False
    return None


class YouTubeConnector:
    """One YouTube channel: poll its comment threads, hold, reject and ban through the API."""

    platform = Platform.YOUTUBE

    def __init__(
        self,
        name: str,
        channel_id: str,
        client: httpx.Client,
        token: Secret | TokenSource,
        *,
        base_url: str = DEFAULT_YOUTUBE_URL,
        budget: QuotaBudget | None = None,
        statuses: Sequence[str] = STATUSES,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        """Build the connector.

        Args:
            name: the account's name in the configuration.
            channel_id: the channel whose threads are read (``UC...``).
            client: injected HTTP client.
            token: OAuth 2.0 access token with the ``youtube.force-ssl`` scope, or the
                :class:`~vigie.connectors.oauth.TokenRefresher` that renews it (hourly).
            base_url: API root.
            budget: the daily quota budget (default: 10,000 units, 1,000 kept for moderation).
            statuses: moderation statuses read each round, among :data:`STATUSES`.
            retry: retry policy for 429/5xx/network failures.
            sleep: waits between retries (tests inject a recorder).
            rng: jitter source (tests inject a seeded one).

        Raises:
            ValueError: an unknown status.
        """
        unknown = set(statuses) - set(STATUSES)
        if unknown or not statuses:
            raise ValueError(f"statuses must be among {STATUSES}, got {list(statuses)}")
        self.name = name
        self.channel_id = channel_id
        self.capabilities = Capabilities(
            operations=frozenset({Operation.HOLD, Operation.PUBLISH, Operation.REJECT,
                                  Operation.BLOCK_AUTHOR, Operation.REPLY}),
            remove_as=Operation.REJECT, push=False, batch_size=BATCH, standalone_block=False,
        )
        self.budget = budget or QuotaBudget(account=name)
        self.statuses = tuple(statuses)
        self.api = ApiClient(
            client, base_url=base_url, token=token, platform="youtube", account=name,
            classify=lambda r: classify_youtube_error(r, account=name, budget=self.budget),
            retry=retry, sleep=sleep, rng=rng,
        )
        self._videos: dict[str, Post] = {}

    def _call(self, method: str, path: str, cost: int, *, moderation: bool = False,
              params: dict[str, Any] | None = None) -> Any:
        self.budget.spend(cost, moderation=moderation)
        response = self.api.request(method, path, params=params)
        return response.json() if response.content else None

    # -- low-level calls ------------------------------------------------------------------

    def list_threads(self, status: str, page_token: str | None = None) -> dict[str, Any]:
        """One page of the channel's threads in ``status``, newest first (1 unit)."""
        params: dict[str, Any] = {
            "part": "snippet,replies", "allThreadsRelatedToChannelId": self.channel_id,
            "moderationStatus": status, "order": "time", "maxResults": 100,
            "textFormat": "plainText",
        }
        if page_token:
            params["pageToken"] = page_token
        body = self._call("GET", "/commentThreads", LIST_COST, params=params)
        return body if isinstance(body, dict) else {}

    def list_replies(self, parent_id: str) -> list[dict[str, Any]]:
        """Every reply to a thread (1 unit per page of 100)."""
        replies: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            params: dict[str, Any] = {"part": "snippet", "parentId": parent_id,
                                      "maxResults": 100, "textFormat": "plainText"}
            if token:
                params["pageToken"] = token
            body = self._call("GET", "/comments", LIST_COST, params=params) or {}
            replies.extend(i for i in body.get("items", []) if isinstance(i, dict))
            token = body.get("nextPageToken")
            if not token:
                return replies

    def existing(self, comment_ids: Sequence[str], *, moderation: bool = False) -> set[str]:
        """Which of these comment ids still exist (1 unit per 50 ids).

        Args:
            comment_ids: native comment ids.
            moderation: the check serves a moderation call, so it may use the units reserved
                for moderation (polling may have spent the rest).
        """
        found: set[str] = set()
        for start in range(0, len(comment_ids), BATCH):
            chunk = comment_ids[start:start + BATCH]
            body = self._call("GET", "/comments", LIST_COST, moderation=moderation,
                              params={"part": "id", "id": ",".join(chunk)}) or {}
            found.update(str(i.get("id")) for i in body.get("items", []) if isinstance(i, dict))
        return found

    def _video_posts(self, video_ids: set[str]) -> None:
        missing = sorted(v for v in video_ids if v not in self._videos)
        for start in range(0, len(missing), BATCH):
            chunk = missing[start:start + BATCH]
            body = self._call("GET", "/videos", LIST_COST,
                              params={"part": "snippet", "id": ",".join(chunk)}) or {}
            for item in body.get("items", []):
                snippet = item.get("snippet", {})
                text = "\n".join(t for t in (snippet.get("title"), snippet.get("description"))
                                 if t)
                self._videos[item["id"]] = Post(id=vigie_id(Platform.YOUTUBE, item["id"]),
                                                text=text)
            for video in chunk:  # a private or deleted video: no text, but a post id
                self._videos.setdefault(video, Post(id=vigie_id(Platform.YOUTUBE, video)))

    def set_moderation_status(self, comment_ids: Sequence[str], status: str,
                              ban_author: bool = False) -> None:
        """One ``setModerationStatus`` call for up to 50 ids (50 units).

        Raises:
            ValueError: more than 50 ids, or a ban without ``rejected`` (YouTube refuses it).
        """
        if not 0 < len(comment_ids) <= BATCH:
            raise ValueError(f"1 to {BATCH} ids per call, got {len(comment_ids)}")
        if ban_author and status != "rejected":
            raise ValueError("banAuthor is only valid with moderationStatus=rejected")
        params: dict[str, Any] = {"id": ",".join(comment_ids), "moderationStatus": status}
        if ban_author:
            params["banAuthor"] = "true"
        self._call("POST", "/comments/setModerationStatus", MODERATION_COST, moderation=True,
                   params=params)

    def reply(self, request: ReplyRequest) -> str:
        """Post a reply as the channel under the comment's thread (50 units, sent once).

        Raises:
            ConnectorError: as the API answers (``parentCommentIsPrivate``,
                ``operationNotSupported``...), or :class:`QuotaExhausted` before the call.
        """
        thread = native_id(Platform.YOUTUBE, request.comment_id).split(".", 1)[0]
        self.budget.spend(REPLY_COST, moderation=True)
        body = self.api.request_json(
            "POST", "/comments", params={"part": "snippet"}, resend=False,
            json={"snippet": {"parentId": thread, "textOriginal": request.text}})
        reply_id = body.get("id") if isinstance(body, dict) else None
        if not isinstance(reply_id, str) or not reply_id:
            raise ApiError(f"youtube/{self.name}: the reply was answered without an id",
                           platform="youtube", account=self.name)
        return vigie_id(Platform.YOUTUBE, reply_id)

    def find_reply(self, request: ReplyRequest) -> str | None:
        """The channel's reply with this text in the comment's thread (1 unit per 100)."""
        thread = native_id(Platform.YOUTUBE, request.comment_id).split(".", 1)[0]
        for item in self.list_replies(thread):
            snippet = obj(item.get("snippet"))
            author = obj(snippet.get("authorChannelId")).get("value")
            text = str(snippet.get("textOriginal") or snippet.get("textDisplay") or "")
            if author == self.channel_id and same_text(text, request.text):
                return vigie_id(Platform.YOUTUBE, str(item.get("id")))
        return None

    # -- Connector protocol -----------------------------------------------------------------

    def fetch(self, cursor: str | None) -> FetchResult:
        """Return one page of threads (with their replies) newer than the last round's.

        Each status keeps a high-water mark (newest ``publishedAt`` seen, with the ids seen at
        that second); a round pages back until it meets it. Reply counts of the most recent
        threads are remembered, so a late reply on a recent thread is fetched too.

        Raises:
            QuotaExhausted: the day's read budget is spent (the cursor is unchanged).
            ConnectorError: other API failures.
        """
        state = load_state(cursor, connector=self.name)
        per: dict[str, dict[str, Any]] = {s: dict(v) for s, v in state.get("s", {}).items()}
        queue: list[str] = list(state.get("queue", [])) or list(self.statuses)
        replies_seen: dict[str, list[Any]] = dict(state.get("replies", {}))
        status = queue[0]
        mine = per.setdefault(status, {})
        floor, at_floor = mine.get("hwm", ["", []])
        body = self.list_threads(status, mine.get("page"))
        threads = [t for t in body.get("items", []) if isinstance(t, dict)]
        self._video_posts({str(t.get("snippet", {}).get("videoId")) for t in threads
                           if t.get("snippet", {}).get("videoId")})
        comments: list[Comment] = []
        reached_floor = False
        top_mark, top_ids = mine.get("round", ["", []])
        for thread in threads:
            snippet = thread.get("snippet", {})
            top = snippet.get("topLevelComment", {})
            post = self._videos.get(str(snippet.get("videoId")))
            try:
                stamp = str(top["snippet"]["publishedAt"])
                fresh = stamp > floor or (stamp == floor and top["id"] not in at_floor)
                if fresh:
                    comments.append(comment_from_youtube(top, post))
                    if stamp > top_mark:
                        top_mark, top_ids = stamp, []
                    if stamp == top_mark:
                        top_ids = [*top_ids, top["id"]]
                elif floor:
                    reached_floor = True
                comments.extend(self._new_replies(thread, post, replies_seen))
            except (KeyError, ValueError, TypeError) as error:
                log.warning("youtube/%s: skipped a malformed thread: %s", self.name, error)
        next_page = body.get("nextPageToken")
        if next_page and not reached_floor:
            mine["page"], mine["round"] = next_page, [top_mark, top_ids]
        else:
            mine.pop("page", None)
            mine.pop("round", None)
            if top_mark and top_mark >= floor:
                mine["hwm"] = [top_mark, top_ids] if top_mark > floor else [
                    floor, sorted({*at_floor, *top_ids})]
            queue = queue[1:]
        if len(replies_seen) > _TRACKED_THREADS:
            replies_seen = dict(list(replies_seen.items())[-_TRACKED_THREADS:])
        new_state = {"s": per, "queue": queue, "replies": replies_seen}
        return FetchResult(tuple(comments), dump_state(new_state), bool(queue))

    def _new_replies(self, thread: dict[str, Any], post: Post | None,
                     seen: dict[str, list[Any]]) -> list[Comment]:
        total = int(thread.get("snippet", {}).get("totalReplyCount") or 0)
        thread_id = str(thread.get("id"))
        known_count, mark, at_mark = seen.get(thread_id, [0, "", []])
        if total <= known_count:
            return []
        embedded = thread.get("replies", {}).get("comments", [])
        resources = embedded if len(embedded) >= total else self.list_replies(thread_id)
        fresh = []
        for resource in resources:
            stamp = str(resource["snippet"]["publishedAt"])
            if stamp > mark or (stamp == mark and resource["id"] not in at_mark):
                fresh.append(resource)
        for resource in fresh:
            stamp = str(resource["snippet"]["publishedAt"])
            if stamp > mark:
                mark, at_mark = stamp, []
            if stamp == mark:
                at_mark = [*at_mark, resource["id"]]
        seen.pop(thread_id, None)  # re-inserted last: the most recently active are kept
        seen[thread_id] = [total, mark, at_mark]
        return [comment_from_youtube(r, post) for r in fresh]

    def apply(self, action: PlatformAction) -> ActionOutcome:
        """Apply one action (one 50-unit call); prefer :meth:`apply_many`."""
        return self.apply_many([action])[0]

    def apply_many(self, actions: Sequence[PlatformAction]) -> list[ActionOutcome]:
        """Group actions by target status and send them 50 ids per call.

        ``setModerationStatus`` succeeds or fails as a whole (its 404 ``commentNotFound`` and
        403 ``forbidden`` concern "one or more comments"), so a refused call is sorted out id
        by id: comments deleted meanwhile are found with one ``comments.list`` (1 unit) and
        the call is sent again without them; a refusal among comments that all exist (a
        rejected comment cannot be published) is narrowed down (:meth:`_isolate`), so the
        other comments of the call are still moderated. Refused ids are reported in
        ``skipped`` (``"refused: <the API's error>"``), never raised.

        Raises:
            QuotaExhausted: not enough units; outcomes already obtained are lost to the caller,
                which retries the whole set (the calls are idempotent).
            AuthExpired, RateLimited, TransientError: retry later.
        """
        outcomes: dict[int, ActionOutcome] = {}
        # target status -> native id -> the actions on it (an id twice in a call is sent once)
        groups: dict[tuple[str, bool], dict[str, list[int]]] = {}
        for index, action in enumerate(actions):
            call = _status_call(action.operations)
            try:
                native = native_id(Platform.YOUTUBE, action.comment_id)
            except ValueError as error:
                outcomes[index] = ActionOutcome(action.comment_id, (), {
                    op.value: str(error) for op in action.operations} or {"none": str(error)})
                continue
            if call is None:
                outcomes[index] = ActionOutcome(action.comment_id, (), {
                    op.value: "no YouTube equivalent" for op in action.operations} or {
                    "none": "no operation"})
            else:
                groups.setdefault(call, {}).setdefault(native, []).append(index)
        for (status, ban), by_id in groups.items():
            ids = list(by_id)
            for start in range(0, len(ids), BATCH):
                chunk = ids[start:start + BATCH]
                refused = self._moderate_chunk(chunk, status, ban)
                for native in chunk:
                    for i in by_id[native]:
                        action = actions[i]
                        why = refused.get(native)
                        outcomes[i] = (ActionOutcome(action.comment_id, (), {
                            op.value: why for op in action.operations}) if why is not None
                            else ActionOutcome(action.comment_id, action.operations))
        return [outcomes[i] for i in range(len(actions))]

    def _attempt(self, ids: list[str], status: str, ban: bool) -> ConnectorError | None:
        """One moderation call; the refusal that may concern some ids only, or ``None``."""
        try:
            self.set_moderation_status(ids, status, ban)
        except (NotFound, PermissionDenied, ApiError) as error:
            return error
        return None

    def _moderate_chunk(self, ids: list[str], status: str, ban: bool) -> dict[str, str]:
        """Moderate up to 50 ids; return those not moderated, with the reason."""
        refusal = self._attempt(ids, status, ban)
        if refusal is None:
            return {}
        alive = self.existing(ids, moderation=True)
        refused = {i: "comment no longer exists" for i in ids if i not in alive}
        remaining = [i for i in ids if i in alive]
        if refused and remaining:  # the gone comments may explain it: the others again
            refusal = self._attempt(remaining, status, ban)
        if refusal is not None and remaining:
            refused.update(self._isolate(remaining, status, ban, refusal))
        return refused

    def _isolate(self, ids: list[str], status: str, ban: bool, refusal: ConnectorError
                 ) -> dict[str, str]:
        """Find which of ``ids`` (all existing, refused together) the platform refuses.

        Halving while only one half is refused isolates one refused id among 50 in at most
        12 more calls instead of 50. Once both halves are refused (several culprits, or a
        refusal of the call itself) it goes one id per call: never much dearer than no
        batching.
        """
        if len(ids) == 1:
            return {ids[0]: f"refused: {refusal}"}
        half = len(ids) // 2
        parts = (ids[:half], ids[half:])
        refusals = [self._attempt(part, status, ban) for part in parts]
        refused: dict[str, str] = {}
        both = all(r is not None for r in refusals)
        for part, error in zip(parts, refusals, strict=True):
            if error is None:
                continue
            if not both or len(part) == 1:
                refused.update(self._isolate(part, status, ban, error))
                continue
            for native in part:
                alone = self._attempt([native], status, ban)
                if alone is not None:
                    refused[native] = f"refused: {alone}"
        return refused

    def close(self) -> None:
        """Close the HTTP client."""
        self.api.client.close()
