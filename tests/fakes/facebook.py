"""A fake Facebook Page behind a fake Graph API, with the documented shapes.

Request and answer shapes follow the Graph API reference (page feed, object comments, comment
update/delete, page blocked) and its error envelope
``{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}``; an expired token
answers code 190 / subcode 463 with HTTP 400, as Graph does. Cursors are opaque strings that
point *after* an item, so a cursor taken at the end of a list still works once new comments
are appended, like Graph's.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from fakes.server import FakePlatform, Reply, Request, pick_fields

__all__ = ["FakeFacebook", "graph_error", "sign_body"]


def graph_error(status: int, code: int, message: str, *, subcode: int | None = None,
                kind: str = "OAuthException", headers: dict[str, str] | None = None) -> Reply:
    """A Graph API error answer."""
    error: dict[str, Any] = {"message": message, "type": kind, "code": code,
                             "fbtrace_id": "AbCdEfGh123"}
    if subcode is not None:
        error["error_subcode"] = subcode
    return Reply(status, {"error": error}, headers or {})


def sign_body(secret: str, body: bytes) -> str:
    """The ``X-Hub-Signature-256`` value Meta computes for ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _cursor(index: int) -> str:
    return base64.urlsafe_b64encode(f"after:{index}".encode()).decode()


def _index(cursor: str) -> int:
    return int(base64.urlsafe_b64decode(cursor.encode()).decode().split(":")[1])


def _time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


class FakeFacebook(FakePlatform):
    """One page, its posts and their comments; records every moderation call."""

    def __init__(self, page_id: str = "1000", token: str = "page-token") -> None:
        super().__init__(token)
        self.page_id = page_id
        self.posts: list[dict[str, Any]] = []  # newest first, like /{page-id}/posts
        self.comments: dict[str, list[dict[str, Any]]] = {}  # post id -> chronological
        self.by_id: dict[str, dict[str, Any]] = {}
        self.deleted: set[str] = set()
        self.blocked: set[str] = set()
        self.moderation_calls: Counter[tuple[str, str]] = Counter()  # (op, comment id)
        #: Replies the page posted: (comment replied to, message), in order.
        self.replies_posted: list[tuple[str, str]] = []
        self.post_of: dict[str, str] = {}
        self.usage_percent = 1
        self._next = 1

    # -- seeding --------------------------------------------------------------------------

    def add_post(self, message: str) -> str:
        with self.lock:
            post_id = f"{self.page_id}_{self._next}"
            self._next += 1
            self.posts.insert(0, {"id": post_id, "message": message,
                                  "created_time": "2025-03-18T12:00:00+0000",
                                  "permalink_url": f"https://www.facebook.com/{post_id}"})
            self.comments[post_id] = []
            return post_id

    def add_comment(self, post_id: str, message: str, *, from_id: str = "2001",
                    from_name: str = "Jean Tremblay", created: datetime | None = None,
                    parent: str | None = None) -> str:
        with self.lock:
            comment_id = f"{post_id.split('_')[1]}_{self._next}"
            self._next += 1
            item: dict[str, Any] = {
                "id": comment_id, "message": message,
                "from": {"id": from_id, "name": from_name},
                "created_time": _time(created or datetime(2025, 3, 18, 14, 0, tzinfo=UTC)),
                "is_hidden": False, "can_hide": True,
                "permalink_url": f"https://www.facebook.com/{post_id}?comment_id={comment_id}",
            }
            if parent is not None:
                item["parent"] = {"id": parent, "message": self.by_id[parent]["message"]}
            self.comments[post_id].append(item)
            self.by_id[comment_id] = item
            self.post_of[comment_id] = post_id
            return comment_id

    # -- assertions -----------------------------------------------------------------------

    @property
    def hidden(self) -> set[str]:
        with self.lock:
            return {cid for cid, c in self.by_id.items() if c["is_hidden"]}

    # -- Graph API ------------------------------------------------------------------------

    def unauthorized(self, request: Request) -> Reply:
        return graph_error(400, 190, "Error validating access token: Session has expired on "
                           "Tuesday, 18-Mar-25 15:00:00 PDT.", subcode=463)

    def route(self, request: Request) -> Reply:
        parts = [p for p in request.path.split("/") if p]
        if parts and parts[0].startswith("v") and "." in parts[0]:
            parts = parts[1:]
        usage = {self.page_id: [{"type": "pages", "call_count": self.usage_percent,
                                 "total_cputime": 1, "total_time": 1,
                                 "estimated_time_to_regain_access": 0}]}
        reply = self._route(request, parts)
        reply.headers.setdefault("X-Business-Use-Case-Usage", json.dumps(usage))
        return reply

    def _route(self, request: Request, parts: list[str]) -> Reply:
        method, params = request.method, request.params
        if parts == [self.page_id, "posts"] and method == "GET":
            limit = int(params.get("limit", 25))
            return Reply(200, {"data": self.posts[:limit]})
        if len(parts) == 2 and parts[1] == "comments" and parts[0] in self.by_id:
            return self._replies(request, parts[0], params)
        if len(parts) == 2 and parts[1] == "comments" and method == "GET":
            return self._list_comments(parts[0], params)
        if parts == [self.page_id, "blocked"]:
            user = params.get("user", "")
            if not user:
                return graph_error(400, 100, "(#100) The parameter user is required",
                                   kind="GraphMethodException")
            self.moderation_calls[(f"{method.lower()}_block", user)] += 1
            if method == "POST":
                self.blocked.add(user)
                return Reply(200, {user: True})
            if method == "DELETE":
                self.blocked.discard(user)
                return Reply(200, {"success": True})
        if len(parts) == 1:
            return self._object(request, parts[0], params)
        return graph_error(400, 100, f"Unknown path components: /{'/'.join(parts)}",
                           kind="OAuthException")

    def _gone(self, object_id: str) -> Reply:
        return graph_error(400, 100, f"Unsupported get request. Object with ID '{object_id}' "
                           "does not exist, cannot be loaded due to missing permissions, or does "
                           "not support this operation.", subcode=33,
                           kind="GraphMethodException")

    def _list_comments(self, post_id: str, params: dict[str, str]) -> Reply:
        if post_id not in self.comments:
            return self._gone(post_id)
        items = [c for c in self.comments[post_id] if c["id"] not in self.deleted]
        if params.get("filter") != "stream":
            items = [c for c in items if "parent" not in c]
        start = _index(params["after"]) if params.get("after") else 0
        limit = min(int(params.get("limit", 25)), 100)
        page = [pick_fields(c, params.get("fields")) for c in items[start:start + limit]]
        if not page:
            return Reply(200, {"data": []})
        end = start + len(page)
        body: dict[str, Any] = {
            "data": page,
            "paging": {"cursors": {"before": _cursor(start), "after": _cursor(end)}},
        }
        if end < len(items):
            body["paging"]["next"] = (f"https://graph.facebook.com/v21.0/{post_id}/comments"
                                      f"?limit={limit}&after={_cursor(end)}")
        return Reply(200, body)

    def _replies(self, request: Request, comment_id: str, params: dict[str, str]) -> Reply:
        """``/{comment-id}/comments``: read its replies, or reply as the page (``message``)."""
        if comment_id in self.deleted:
            return self._gone(comment_id)
        if request.method == "GET":
            post = self.post_of[comment_id]
            items = [c for c in self.comments[post]
                     if c.get("parent", {}).get("id") == comment_id and c["id"] not in self.deleted]
            return Reply(200, {"data": items[:int(params.get("limit", 25))]})
        message = params.get("message", "")
        if request.method != "POST" or not message:
            return graph_error(400, 100, "(#100) Missing message or attachment",
                               kind="GraphMethodException")
        self.replies_posted.append((comment_id, message))
        reply_id = self.add_comment(self.post_of[comment_id], message, from_id=self.page_id,
                                    from_name="Polytechnique Montréal", parent=comment_id)
        return Reply(200, {"id": reply_id})

    def _object(self, request: Request, object_id: str, params: dict[str, str]) -> Reply:
        post = next((p for p in self.posts if p["id"] == object_id), None)
        if post is not None and request.method == "GET":
            return Reply(200, post)
        comment = self.by_id.get(object_id)
        if comment is None or object_id in self.deleted:
            return self._gone(object_id)
        if request.method == "POST" and "is_hidden" in params:
            if not comment["can_hide"]:
                return graph_error(400, 100, "(#100) This comment cannot be hidden",
                                   kind="GraphMethodException")
            hidden = params["is_hidden"] == "true"
            self.moderation_calls[("hide" if hidden else "unhide", object_id)] += 1
            comment["is_hidden"] = hidden
            return Reply(200, {"success": True})
        if request.method == "DELETE":
            self.moderation_calls[("delete", object_id)] += 1
            self.deleted.add(object_id)
            return Reply(200, {"success": True})
        if request.method == "GET":
            return Reply(200, comment)
        return graph_error(400, 100, "(#100) Invalid parameter", kind="GraphMethodException")
