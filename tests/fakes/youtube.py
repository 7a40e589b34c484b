"""A fake YouTube channel behind YouTube Data API v3 shapes, with a server-side daily quota.

``commentThreads.list`` (``allThreadsRelatedToChannelId``, ``moderationStatus``,
``order=time``, page tokens, two replies embedded), ``comments.list`` (``parentId`` or ``id``),
``videos.list`` and ``comments.setModerationStatus`` (≤ 50 ids, ``banAuthor`` only with
``rejected``, 204). Errors use Google's envelope; the quota costs 1 unit per list and 50 per
moderation call and answers 403 ``quotaExceeded`` once spent.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from fakes.server import FakePlatform, Reply, Request

__all__ = ["FakeYouTube", "google_error"]


def google_error(status: int, reason: str, message: str, *, domain: str = "youtube.api"
                 ) -> Reply:
    """A Google API error answer."""
    return Reply(status, {"error": {
        "code": status, "message": message,
        "errors": [{"message": message, "domain": domain, "reason": reason}],
    }})


class FakeYouTube(FakePlatform):
    """One channel's videos, threads and replies; moderation statuses and bans."""

    def __init__(self, channel_id: str = "UCpolymtl", token: str = "yt-token",
                 daily_quota: int = 10_000) -> None:
        super().__init__(token)
        self.channel_id = channel_id
        self.videos: dict[str, dict[str, str]] = {}
        self.threads: list[dict[str, Any]] = []  # oldest first
        self.comments: dict[str, dict[str, Any]] = {}  # id -> youtube#comment resource
        self.replies: dict[str, list[str]] = {}
        self.banned: set[str] = set()
        self.moderation_calls: list[dict[str, str]] = []
        #: Replies the channel posted: (parentId, textOriginal), in order.
        self.replies_posted: list[tuple[str, str]] = []
        self.daily_quota = daily_quota
        self.units = 0
        self._n = 0
        self._clock = datetime(2025, 3, 18, 14, 0, tzinfo=UTC)

    def add_video(self, title: str, description: str = "") -> str:
        with self.lock:
            self._n += 1
            vid = f"vid{self._n:08d}"
            self.videos[vid] = {"title": title, "description": description}
            return vid

    def add_comment(self, video_id: str, text: str, *, author: str = "UCauthor1",
                    name: str = "Alex", parent: str | None = None,
                    status: str = "published") -> str:
        with self.lock:
            self._n += 1
            self._clock += timedelta(minutes=1)
            cid = f"Ugw{self._n:06d}" if parent is None else f"{parent}.r{self._n:04d}"
            snippet: dict[str, Any] = {
                "authorDisplayName": name, "authorProfileImageUrl": "https://yt3.ggpht.com/a",
                "authorChannelUrl": f"http://www.youtube.com/@{name.lower()}",
                "authorChannelId": {"value": author}, "channelId": self.channel_id,
                "videoId": video_id, "textDisplay": text, "textOriginal": text,
                "canRate": True, "viewerRating": "none", "likeCount": 0,
                "moderationStatus": status,
                "publishedAt": self._clock.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "updatedAt": self._clock.strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
            if parent is not None:
                snippet["parentId"] = parent
            self.comments[cid] = {"kind": "youtube#comment", "etag": f"e{cid}", "id": cid,
                                  "snippet": snippet}
            if parent is None:
                self.threads.append({"id": cid, "videoId": video_id})
                self.replies[cid] = []
            else:
                self.replies[parent].append(cid)
            return cid

    def status_of(self, comment_id: str) -> str:
        return str(self.comments[comment_id]["snippet"]["moderationStatus"])

    def statuses(self) -> Counter[str]:
        return Counter(self.status_of(c) for c in self.comments)

    # -- API ---------------------------------------------------------------------------------

    def unauthorized(self, request: Request) -> Reply:
        return google_error(401, "authError", "Request had invalid authentication credentials. "
                            "Expected OAuth 2 access token.", domain="global")

    def _charge(self, units: int) -> Reply | None:
        if self.units + units > self.daily_quota:
            return google_error(403, "quotaExceeded", "The request cannot be completed because "
                                "you have exceeded your quota.", domain="youtube.quota")
        self.units += units
        return None

    def route(self, request: Request) -> Reply:
        path = request.path.removeprefix("/youtube/v3")
        insert = path == "/comments" and request.method == "POST"
        cost = 50 if path == "/comments/setModerationStatus" or insert else 1
        refused = self._charge(cost)
        if refused is not None:
            return refused
        q = request.query
        if path == "/commentThreads" and request.method == "GET":
            return self._threads(q)
        if path == "/comments" and request.method == "GET":
            if "parentId" in q:
                ids = [c for c in self.replies.get(q["parentId"], [])
                       if self.status_of(c) != "rejected"]
                return self._page("youtube#commentListResponse",
                                  [self.comments[c] for c in ids], q)
            wanted = [i for i in q.get("id", "").split(",") if i in self.comments]
            return Reply(200, {"kind": "youtube#commentListResponse",
                               "items": [{"kind": "youtube#comment", "id": i} for i in wanted]})
        if path == "/videos" and request.method == "GET":
            items = [{"kind": "youtube#video", "id": v, "snippet": self.videos[v]}
                     for v in q.get("id", "").split(",") if v in self.videos]
            return Reply(200, {"kind": "youtube#videoListResponse", "items": items})
        if path == "/comments/setModerationStatus" and request.method == "POST":
            return self._moderate(q)
        if insert:
            return self._insert(q, request.json())
        return google_error(404, "notFound", f"no route {request.method} {path}")

    def _page(self, kind: str, items: list[dict[str, Any]], q: dict[str, str]) -> Reply:
        start = int(q["pageToken"].removeprefix("tok")) if q.get("pageToken") else 0
        size = int(q.get("maxResults", 20))
        page = items[start:start + size]
        body: dict[str, Any] = {"kind": kind, "etag": "etag", "items": page,
                                "pageInfo": {"totalResults": len(items),
                                             "resultsPerPage": size}}
        if start + size < len(items):
            body["nextPageToken"] = f"tok{start + size}"
        return Reply(200, body)

    def _threads(self, q: dict[str, str]) -> Reply:
        if q.get("allThreadsRelatedToChannelId") != self.channel_id:
            return google_error(404, "channelNotFound", "The channel could not be found.")
        status = q.get("moderationStatus", "published")
        threads = [t for t in reversed(self.threads) if self.status_of(t["id"]) == status]
        items = []
        for thread in threads:
            replies = [self.comments[r] for r in self.replies[thread["id"]]
                       if self.status_of(r) != "rejected"]
            item: dict[str, Any] = {
                "kind": "youtube#commentThread", "etag": f"t{thread['id']}",
                "id": thread["id"],
                "snippet": {"channelId": self.channel_id, "videoId": thread["videoId"],
                            "topLevelComment": self.comments[thread["id"]], "canReply": True,
                            "totalReplyCount": len(replies), "isPublic": True},
            }
            if replies:
                item["replies"] = {"comments": replies[:2]}
            items.append(item)
        return self._page("youtube#commentThreadListResponse", items, q)

    def _insert(self, q: dict[str, str], body: Any) -> Reply:
        """``comments.insert``: a reply as the channel, under a top-level comment only."""
        snippet = body.get("snippet", {}) if isinstance(body, dict) else {}
        parent, text = snippet.get("parentId"), snippet.get("textOriginal")
        if q.get("part") != "snippet":
            return google_error(400, "invalidPart", "The part parameter must be snippet.")
        if not text:
            return google_error(400, "commentTextRequired", "The comment must have a text.")
        if not parent:
            return google_error(400, "parentIdMissing", "The comment must have a parent.")
        if parent not in self.replies:  # not a thread: gone, or a reply
            return google_error(404, "parentCommentNotFound", "The parent comment could not "
                                "be found.") if parent not in self.comments else google_error(
                400, "operationNotSupported", "Replies can only be made to top-level comments.")
        self.replies_posted.append((parent, text))
        video = self.comments[parent]["snippet"]["videoId"]
        reply_id = self.add_comment(video, text, author=self.channel_id, name="Polytechnique",
                                    parent=parent)
        return Reply(200, self.comments[reply_id])

    def _moderate(self, q: dict[str, str]) -> Reply:
        ids = [i for i in q.get("id", "").split(",") if i]
        status = q.get("moderationStatus", "")
        ban = q.get("banAuthor") == "true"
        if not ids or len(ids) > 50:
            return google_error(400, "invalidValue", "Between 1 and 50 ids are allowed.")
        if status not in ("heldForReview", "published", "rejected"):
            return google_error(400, "invalidModerationStatus", "Invalid moderation status.")
        if ban and status != "rejected":
            return google_error(400, "banWithoutReject", "The banAuthor parameter can only be "
                                "used if the moderationStatus parameter value is rejected.")
        missing = [i for i in ids if i not in self.comments]
        if missing:
            return google_error(404, "commentNotFound", "One or more comments could not be "
                                "found.")
        if status == "published" and any(self.status_of(i) == "rejected" for i in ids):
            return google_error(400, "processingFailure", "A rejected comment cannot be "
                                "published.")
        self.moderation_calls.append({"ids": ",".join(ids), "status": status,
                                      "ban": str(ban).lower()})
        for i in ids:
            self.comments[i]["snippet"]["moderationStatus"] = status
            if ban:
                self.banned.add(self.comments[i]["snippet"]["authorChannelId"]["value"])
        return Reply(204, None)
