"""A fake LinkedIn organization page behind the Community Management API's shapes.

Posts (``GET /rest/posts?q=author&author=``, ``GET /rest/posts/{urn}``), comments and replies
(``GET /rest/socialActions/{postUrn|activityUrn|commentUrn}/comments`` with ``start``/``count``
and Rest.li ``paging`` — ``start``, ``count``, ``total``, ``links`` with ``rel: next``), and
deletion (``DELETE /rest/socialActions/{target}/comments/{id}?actor=``, 204). URNs arrive
percent-encoded in paths and queries, as Rest.li 2.0 wants. Every request must carry
``LinkedIn-Version`` and ``X-Restli-Protocol-Version: 2.0.0``. Errors use LinkedIn's
``{"message", "serviceErrorCode", "status"}``; an invalid token answers 401 / 65600. The order
of comments is not documented: the fake serves them oldest first, or newest first with
``newest_first``.
"""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import unquote

from fakes.server import FakePlatform, Reply, Request

__all__ = ["DAY_LIMIT", "FakeLinkedIn", "li_error"]

#: LinkedIn's answer once an application's daily allowance for a resource is spent.
DAY_LIMIT = "Resource level throttle APPLICATION DAY limit for calls to this resource is reached."


def li_error(status: int, message: str, *, service_code: int | None = None,
             code: str | None = None, headers: dict[str, str] | None = None) -> Reply:
    """A LinkedIn API error answer."""
    body: dict[str, Any] = {"status": status, "message": message}
    if service_code is not None:
        body["serviceErrorCode"] = service_code
    if code is not None:
        body["code"] = code
    return Reply(status, body, headers or {})


class FakeLinkedIn(FakePlatform):
    """One organization's posts, their comments and replies; records every deletion."""

    def __init__(self, organization_id: str = "2414183", token: str = "li-token") -> None:
        super().__init__(token)
        self.org = f"urn:li:organization:{organization_id}"
        self.posts: list[dict[str, Any]] = []  # newest first
        self.activity: dict[str, str] = {}  # post URN -> its activity (the comments' thread)
        self.comments: dict[str, dict[str, Any]] = {}  # comment URN -> comment, oldest first
        self.deleted: set[str] = set()
        self.delete_calls: Counter[str] = Counter()
        #: Replies the organization posted: (parent comment URN, text), in order.
        self.replies_posted: list[tuple[str, str]] = []
        self.newest_first = False
        self.admin = True  # the token's member administers the page (may delete comments)
        self._n = 7_100_000_000_000_000_000
        self._ms = 1_742_306_400_000  # 2025-03-18 14:00 UTC

    def _id(self) -> str:
        self._n += 1
        return str(self._n)

    # -- seeding --------------------------------------------------------------------------

    def add_post(self, commentary: str, *, article: str | None = None,
                 kind: str = "share") -> str:
        with self.lock:
            urn = f"urn:li:{kind}:{self._id()}"
            self._ms += 60_000
            post: dict[str, Any] = {
                "id": urn, "author": self.org, "commentary": commentary,
                "createdAt": self._ms, "publishedAt": self._ms, "lastModifiedAt": self._ms,
                "lifecycleState": "PUBLISHED", "visibility": "PUBLIC",
                "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [],
                                 "thirdPartyDistributionChannels": []},
                "isReshareDisabledByAuthor": False,
            }
            if article:
                post["content"] = {"article": {"source": article, "title": "Article"}}
            self.posts.insert(0, post)
            self.activity[urn] = f"urn:li:activity:{self._id()}"
            return urn

    def add_comment(self, post: str, text: str, *, actor: str = "urn:li:person:zLqTygBP8S",
                    parent: str | None = None, at_ms: int | None = None) -> str:
        """Add a comment (``parent``: a reply to that comment URN); return its URN."""
        with self.lock:
            thread = self.activity[post]
            cid = self._id()
            urn = f"urn:li:comment:({thread},{cid})"
            self._ms += 1_000
            stamp = at_ms if at_ms is not None else self._ms
            item: dict[str, Any] = {
                "id": cid, "commentUrn": urn, "$URN": urn, "object": thread, "actor": actor,
                "created": {"actor": actor, "time": stamp},
                "lastModified": {"actor": actor, "time": stamp},
                "message": {"attributes": [], "text": text},
                "content": [],
                "likesSummary": {"selectedLikes": [], "aggregatedTotalLikes": 0,
                                 "likedByCurrentUser": False, "totalLikes": 0},
            }
            if parent is not None:
                item["parentComment"] = parent
            self.comments[urn] = item
            return urn

    # -- helpers ----------------------------------------------------------------------------

    def _alive(self, urn: str) -> bool:
        return urn in self.comments and urn not in self.deleted

    def _replies(self, urn: str) -> list[dict[str, Any]]:
        return [c for u, c in self.comments.items()
                if c.get("parentComment") == urn and self._alive(u)]

    def _view(self, item: dict[str, Any]) -> dict[str, Any]:
        replies = self._replies(item["commentUrn"])
        return {**item, "commentsSummary": {
            "selectedComments": [r["commentUrn"] for r in replies[:2]],
            "totalFirstLevelComments": len(replies), "aggregatedTotalComments": len(replies)}}

    def _thread_of(self, target: str) -> str | None:
        """The activity a socialActions target stands for, or ``None`` when unknown."""
        if target in self.activity:
            return self.activity[target]
        if target in self.activity.values():
            return target
        return None

    # -- LinkedIn API ----------------------------------------------------------------------

    def unauthorized(self, request: Request) -> Reply:
        return li_error(401, "Invalid access token", service_code=65600,
                        code="INVALID_ACCESS_TOKEN")

    def route(self, request: Request) -> Reply:
        if not request.headers.get("linkedin-version", "").isdigit():
            return li_error(400, "A version must be present. Please specify a version by "
                            "adding the LinkedIn-Version header.", code="VERSION_MISSING")
        if request.headers.get("x-restli-protocol-version") != "2.0.0":
            return li_error(400, "Syntax exception in path variables", service_code=100)
        parts = [unquote(p) for p in request.path.split("/") if p]
        if parts[:1] == ["rest"]:
            parts = parts[1:]
        q, method = request.query, request.method
        if parts == ["posts"] and method == "GET":
            if q.get("q") != "author":
                return li_error(400, "Invalid finder", service_code=100)
            if q.get("author") != self.org:
                return li_error(403, f"Not enough permissions to access: partnerApiPostsExternal"
                                f".FINDER-author.{q.get('author')}", service_code=100,
                                code="ACCESS_DENIED")
            count = int(q.get("count", 10))
            start = int(q.get("start", 0))
            page = self.posts[start:start + count]
            return Reply(200, {"elements": page, "paging": {
                "start": start, "count": count, "total": len(self.posts), "links": []}})
        if len(parts) == 2 and parts[0] == "posts" and method == "GET":
            post = next((p for p in self.posts if p["id"] == parts[1]), None)
            if post is None:
                return li_error(404, f"Not Found: {parts[1]}", code="NOT_FOUND")
            return Reply(200, post)
        if len(parts) == 3 and parts[::2] == ["socialActions", "comments"] and method == "GET":
            return self._list(parts[1], q)
        if len(parts) == 3 and parts[::2] == ["socialActions", "comments"] and method == "POST":
            return self._create(parts[1], request.json())
        if len(parts) == 4 and parts[::2] == ["socialActions", "comments"] and (
                method == "DELETE"):
            return self._delete(parts[1], parts[3], q)
        return li_error(404, f"No route {request.path}", code="NOT_FOUND")

    def _list(self, target: str, q: dict[str, str]) -> Reply:
        if target.startswith("urn:li:comment:"):
            if not self._alive(target):
                return li_error(404, f"Comment {target} not found", code="NOT_FOUND")
            items = self._replies(target)
        else:
            thread = self._thread_of(target)
            if thread is None or not any(p["id"] == target or self.activity[p["id"]] == target
                                         for p in self.posts):
                return li_error(404, f"Not Found: {target}", code="NOT_FOUND")
            items = [c for u, c in self.comments.items() if c["object"] == thread
                     and "parentComment" not in c and self._alive(u)]
        if self.newest_first:
            items = items[::-1]
        start, count = int(q.get("start", 0)), int(q.get("count", 10))
        page = [self._view(c) for c in items[start:start + count]]
        links = []
        if start + count < len(items):
            links.append({"rel": "next", "type": "application/json",
                          "href": f"/rest/socialActions/{target}/comments?count={count}"
                                  f"&start={start + count}"})
        if start > 0:
            links.append({"rel": "prev", "type": "application/json",
                          "href": f"/rest/socialActions/{target}/comments?count={count}"
                                  f"&start={max(0, start - count)}"})
        return Reply(200, {"elements": page, "paging": {
            "start": start, "count": count, "total": len(items), "links": links}})

    def _create(self, target: str, body: Any) -> Reply:
        """A nested comment (a reply) as the organization: 201, URN in body and header."""
        if body.get("actor") != self.org or not self.admin:
            return li_error(403, "Not enough permissions to access: "
                            "partnerApiSocialActions.CREATE", service_code=100,
                            code="ACCESS_DENIED")
        parent = self.comments.get(target)
        if parent is None or not self._alive(target):
            return li_error(404, f"Comment {target} not found", code="NOT_FOUND")
        text = str((body.get("message") or {}).get("text") or "")
        if body.get("object") != parent["object"] or body.get("parentComment") != target:
            return li_error(400, "object and parentComment must name the comment's thread "
                            "and the comment", service_code=100)
        if not text:
            return li_error(400, "message.text is required", service_code=100)
        post = next(p for p, a in self.activity.items() if a == parent["object"])
        urn = self.add_comment(post, text, actor=self.org, parent=target)
        self.replies_posted.append((target, text))
        item = self.comments[urn]
        return Reply(201, item, {"x-restli-id": item["id"]})

    def _delete(self, target: str, cid: str, q: dict[str, str]) -> Reply:
        if q.get("actor") != self.org or not self.admin:
            return li_error(403, "Not enough permissions to access: "
                            "partnerApiSocialActions.DELETE", service_code=100,
                            code="ACCESS_DENIED")
        urn = next((u for u, c in self.comments.items() if c["id"] == cid), None)
        if urn is None or urn in self.deleted:
            return li_error(404, f"Comment {cid} not found", code="NOT_FOUND")
        comment = self.comments[urn]
        if target not in (comment["object"], comment.get("parentComment")) and (
                self._thread_of(target) != comment["object"]):
            return li_error(400, f"Comment {cid} does not belong to {target}",
                            service_code=100)
        self.delete_calls[urn] += 1
        self.deleted.add(urn)
        return Reply(204)
