"""A fake Instagram professional account behind the Instagram Graph API shapes.

``/{ig-user-id}/media`` lists media with ``comments_count``; ``/{media-id}/comments`` lists
top-level comments (newest first) with a nested ``replies`` edge holding the first two replies
and a ``paging.next`` when there are more; ``/{comment-id}/replies`` pages through replies;
``POST /{comment-id}`` with ``hide`` and ``DELETE /{comment-id}`` moderate;
``POST /{comment-id}/replies`` with ``message`` replies as the account (on a reply, the new
reply lands under its top-level comment; a hidden comment refuses replies, as Instagram's
reference says). Errors use the Graph
envelope; an expired token answers code 190.
"""

from __future__ import annotations

import base64
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from fakes.facebook import graph_error
from fakes.server import FakePlatform, Reply, Request

__all__ = ["FakeInstagram"]

_NESTED_REPLIES = 2


def _cursor(i: int) -> str:
    return base64.urlsafe_b64encode(f"ig:{i}".encode()).decode()


def _index(cursor: str) -> int:
    return int(base64.urlsafe_b64decode(cursor.encode()).decode().split(":")[1])


class FakeInstagram(FakePlatform):
    """Media, comments and replies; records hide and delete calls."""

    def __init__(self, ig_user_id: str = "17841400000000001", token: str = "ig-token") -> None:
        super().__init__(token)
        self.ig_user_id = ig_user_id
        self.media: list[dict[str, Any]] = []  # newest first
        self.top: dict[str, list[dict[str, Any]]] = {}  # media id -> top-level, oldest first
        self.replies: dict[str, list[dict[str, Any]]] = {}
        self.by_id: dict[str, dict[str, Any]] = {}
        self.deleted: set[str] = set()
        self.moderation_calls: Counter[tuple[str, str]] = Counter()
        #: Replies the account posted: (comment replied to, message), in order.
        self.replies_posted: list[tuple[str, str]] = []
        self._next = 17900000000000000
        self._clock = datetime(2025, 3, 18, 14, 0, tzinfo=UTC)

    def _id(self) -> str:
        self._next += 1
        return str(self._next)

    def add_media(self, caption: str) -> str:
        with self.lock:
            media_id = self._id()
            self.media.insert(0, {"id": media_id, "caption": caption,
                                  "timestamp": "2025-03-18T12:00:00+0000"})
            self.top[media_id] = []
            return media_id

    def add_comment(self, media_id: str, text: str, *, username: str = "etudiant.poly",
                    user_id: str = "9001", parent: str | None = None) -> str:
        with self.lock:
            cid = self._id()
            self._clock += timedelta(seconds=30)
            item = {"id": cid, "text": text, "username": username,
                    "from": {"id": user_id, "username": username},
                    "timestamp": self._clock.strftime("%Y-%m-%dT%H:%M:%S+0000"),
                    "hidden": False, "like_count": 0, "media": {"id": media_id}}
            if parent is None:
                self.top[media_id].append(item)
                self.replies[cid] = []
            else:
                item["parent_id"] = parent
                self.replies[parent].append(item)
            self.by_id[cid] = item
            return cid

    @property
    def hidden(self) -> set[str]:
        return {cid for cid, c in self.by_id.items() if c["hidden"]}

    def _count(self, media_id: str) -> int:
        live = [c for c in self.top[media_id] if c["id"] not in self.deleted]
        return len(live) + sum(
            1 for c in live for r in self.replies[c["id"]] if r["id"] not in self.deleted)

    def unauthorized(self, request: Request) -> Reply:
        return graph_error(400, 190, "Error validating access token: The session has been "
                           "invalidated because the user changed their password.", subcode=460)

    def route(self, request: Request) -> Reply:
        parts = [p for p in request.path.split("/") if p]
        if parts and parts[0].startswith("v"):
            parts = parts[1:]
        params, method = request.params, request.method
        if parts == [self.ig_user_id, "media"]:
            data = [{**m, "comments_count": self._count(m["id"])} for m in self.media]
            return Reply(200, {"data": data[: int(params.get("limit", 25))]})
        if len(parts) == 2 and parts[1] == "comments" and parts[0] in self.top:
            items = [c for c in reversed(self.top[parts[0]]) if c["id"] not in self.deleted]
            return Reply(200, self._page(items, params, nested=True))
        if (len(parts) == 2 and parts[1] == "replies" and parts[0] in self.by_id
                and method == "POST" and parts[0] not in self.deleted):
            return self._reply(parts[0], params.get("message", ""))
        if len(parts) == 2 and parts[1] == "replies" and parts[0] in self.replies:
            items = [r for r in self.replies[parts[0]] if r["id"] not in self.deleted]
            return Reply(200, self._page(items, params, nested=False))
        if len(parts) == 2 and parts[1] in ("comments", "replies"):
            return graph_error(400, 100, f"Unsupported get request. Object with ID "
                               f"'{parts[0]}' does not exist", subcode=33,
                               kind="GraphMethodException")
        if len(parts) == 1:
            target = self.by_id.get(parts[0])
            media = next((m for m in self.media if m["id"] == parts[0]), None)
            if media is not None and method == "GET":
                return Reply(200, {**media, "comments_count": self._count(media["id"])})
            if target is None or parts[0] in self.deleted:
                return graph_error(400, 100, f"Unsupported request. Object with ID "
                                   f"'{parts[0]}' does not exist", subcode=33,
                                   kind="GraphMethodException")
            if method == "POST" and "hide" in params:
                target["hidden"] = params["hide"] == "true"
                self.moderation_calls[("hide" if target["hidden"] else "unhide",
                                       parts[0])] += 1
                return Reply(200, {"success": True})
            if method == "DELETE":
                self.deleted.add(parts[0])
                self.moderation_calls[("delete", parts[0])] += 1
                return Reply(200, {"success": True})
            if method == "GET":  # GET /{ig-comment-id}?fields=hidden,...
                return Reply(200, target)
        return graph_error(400, 100, "Unsupported request", kind="GraphMethodException")

    def _reply(self, comment_id: str, message: str) -> Reply:
        target = self.by_id[comment_id]
        if not message:
            return graph_error(400, 100, "(#100) The parameter message is required",
                               kind="GraphMethodException")
        if target["hidden"]:
            return graph_error(400, 100, "(#100) Cannot reply to a hidden comment",
                               kind="GraphMethodException")
        top = target.get("parent_id") or comment_id
        self.replies_posted.append((comment_id, message))
        reply_id = self.add_comment(target["media"]["id"], message, username="polymtl",
                                    user_id=self.ig_user_id, parent=top)
        return Reply(200, {"id": reply_id})

    def _page(self, items: list[dict[str, Any]], params: dict[str, str], *, nested: bool
              ) -> dict[str, Any]:
        start = _index(params["after"]) if params.get("after") else 0
        limit = int(params.get("limit", 25))
        page = items[start:start + limit]
        data = []
        for item in page:
            out = {k: v for k, v in item.items() if k != "media"}
            if nested:
                replies = [r for r in self.replies[item["id"]] if r["id"] not in self.deleted]
                edge: dict[str, Any] = {"data": replies[:_NESTED_REPLIES]}
                if len(replies) > _NESTED_REPLIES:
                    edge["paging"] = {"cursors": {"after": _cursor(_NESTED_REPLIES)},
                                      "next": "https://graph.facebook.com/replies?after=x"}
                if replies:
                    out["replies"] = edge
            data.append(out)
        body: dict[str, Any] = {"data": data}
        if page:
            end = start + len(page)
            body["paging"] = {"cursors": {"before": _cursor(start), "after": _cursor(end)}}
            if end < len(items):
                body["paging"]["next"] = f"https://graph.facebook.com/next?after={_cursor(end)}"
        return body
