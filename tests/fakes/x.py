"""A fake X account behind X API v2 shapes.

User timeline (``/2/users/{id}/tweets``), recent search by ``conversation_id`` (newest first,
``since_id``, ``next_token``, ``includes.users``, ``meta``), hide replies (``PUT
/2/tweets/{id}/hidden``, 50 per 15-minute window, then 429 with ``x-rate-limit-reset``), blocks
(403 ``client-not-enrolled`` unless the plan allows them) and replies as the account (``POST
/2/tweets`` with ``reply.in_reply_to_tweet_id``, 201 ``{"data": {"id", "text"}}``). Problems use
the ``{"title", "detail", "type", "status"}`` shape.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from fakes.server import FakePlatform, Reply, Request

__all__ = ["FakeX", "problem"]


def problem(status: int, title: str, detail: str, *, kind: str = "about:blank",
            headers: dict[str, str] | None = None) -> Reply:
    """An X API problem answer."""
    return Reply(status, {"title": title, "detail": detail, "type": kind, "status": status},
                 headers or {})


class FakeX(FakePlatform):
    """One account's posts, the replies to them, hidden replies and blocks."""

    def __init__(self, user_id: str = "1500000000", token: str = "x-token",
                 plan_allows_blocking: bool = False) -> None:
        super().__init__(token)
        self.user_id = user_id
        self.plan_allows_blocking = plan_allows_blocking
        self.tweets: dict[str, dict[str, Any]] = {}
        self.users: dict[str, dict[str, Any]] = {
            user_id: {"id": user_id, "name": "Polytechnique Montréal", "username": "polymtl"}}
        self.hidden: set[str] = set()
        self.blocked: set[str] = set()
        self.hide_calls = 0
        #: Replies the account posted: (post replied to, text), in order.
        self.replies_posted: list[tuple[str, str]] = []
        self.hide_window_limit = 50
        self._n = 1800000000000000000
        self._clock = datetime(2025, 3, 18, 14, 0, tzinfo=UTC)

    def _id(self) -> str:
        self._n += 1
        return str(self._n)

    def add_user(self, username: str, *, created: str = "2015-01-01T00:00:00.000Z",
                 followers: int = 120, default_image: bool = False) -> str:
        uid = str(2000 + len(self.users))
        image = ("https://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png"
                 if default_image else f"https://pbs.twimg.com/profile_images/{uid}/a.jpg")
        self.users[uid] = {"id": uid, "name": username.title(), "username": username,
                           "created_at": created, "verified": False,
                           "profile_image_url": image,
                           "public_metrics": {"followers_count": followers,
                                              "following_count": 10, "tweet_count": 50}}
        return uid

    def post(self, text: str, *, author: str | None = None, reply_to: str | None = None) -> str:
        with self.lock:
            tid = self._id()
            self._clock += timedelta(minutes=1)
            author = author or self.user_id
            conversation = self.tweets[reply_to]["conversation_id"] if reply_to else tid
            tweet: dict[str, Any] = {
                "id": tid, "text": text, "author_id": author, "conversation_id": conversation,
                "created_at": self._clock.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "edit_history_tweet_ids": [tid],
            }
            if reply_to:
                tweet["referenced_tweets"] = [{"type": "replied_to", "id": reply_to}]
                tweet["in_reply_to_user_id"] = self.tweets[reply_to]["author_id"]
            self.tweets[tid] = tweet
            return tid

    def unauthorized(self, request: Request) -> Reply:
        return problem(401, "Unauthorized", "Unauthorized")

    def route(self, request: Request) -> Reply:
        parts = [p for p in request.path.split("/") if p]
        if parts[:1] == ["2"]:
            parts = parts[1:]
        q = request.query
        if parts == ["users", self.user_id, "tweets"]:
            own = [t for t in self.tweets.values() if t["author_id"] == self.user_id]
            own.sort(key=lambda t: int(t["id"]), reverse=True)
            fields = {"id", "text", *q.get("tweet.fields", "").split(",")}
            data = [{k: v for k, v in t.items() if k in fields}
                    for t in own[: int(q.get("max_results", 10))]]
            return Reply(200, {"data": data, "meta": {"result_count": len(data)}})
        if parts == ["tweets", "search", "recent"]:
            return self._search(q)
        if parts == ["tweets"] and request.method == "POST":
            return self._create(request.json())
        if len(parts) == 3 and parts[0] == "tweets" and parts[2] == "hidden":
            return self._hide(parts[1], request.json())
        if parts == ["users", self.user_id, "blocking"] or (
                len(parts) == 4 and parts[:3] == ["users", self.user_id, "blocking"]):
            if not self.plan_allows_blocking:
                return problem(403, "Client Forbidden", "When authenticating requests to the "
                               "Twitter API v2 endpoints, you must use keys and tokens from a "
                               "Twitter developer App that is attached to a Project.",
                               kind="https://api.twitter.com/2/problems/client-forbidden")
            if request.method == "POST":
                self.blocked.add(request.json()["target_user_id"])
                return Reply(200, {"data": {"blocking": True}})
            self.blocked.discard(parts[3])
            return Reply(200, {"data": {"blocking": False}})
        return problem(404, "Not Found Error", f"no route {request.path}",
                       kind="https://api.twitter.com/2/problems/resource-not-found")

    def _create(self, body: Any) -> Reply:
        target = str((body.get("reply") or {}).get("in_reply_to_tweet_id") or "")
        text = str(body.get("text") or "")
        if not text:
            return problem(400, "Invalid Request", "One or more parameters to your request "
                           "was invalid.", kind="https://api.twitter.com/2/problems/invalid-request")
        if target not in self.tweets:
            return problem(403, "Forbidden", "You attempted to reply to a Tweet that is deleted "
                           "or not visible to you.")
        self.replies_posted.append((target, text))
        tid = self.post(text, reply_to=target)
        return Reply(201, {"data": {"id": tid, "text": text, "edit_history_tweet_ids": [tid]}})

    def _search(self, q: dict[str, str]) -> Reply:
        query = q.get("query", "")
        if not query.startswith("conversation_id:"):
            return problem(400, "Invalid Request", "One or more parameters to your request "
                           "was invalid.")
        cid = query.split(":", 1)[1].split()[0]
        since = int(q.get("since_id", "0"))
        found = [t for t in self.tweets.values()
                 if t["conversation_id"] == cid and int(t["id"]) > since]
        found.sort(key=lambda t: int(t["id"]), reverse=True)
        start = int(q["next_token"].removeprefix("n")) if q.get("next_token") else 0
        size = int(q.get("max_results", 10))
        page = found[start:start + size]
        if not page:
            return Reply(200, {"meta": {"result_count": 0}})
        meta: dict[str, Any] = {"newest_id": page[0]["id"], "oldest_id": page[-1]["id"],
                                "result_count": len(page)}
        if start + size < len(found):
            meta["next_token"] = f"n{start + size}"
        authors = {t["author_id"] for t in page}
        return Reply(200, {"data": page,
                           "includes": {"users": [self.users[a] for a in sorted(authors)]},
                           "meta": meta})

    def _hide(self, tid: str, body: Any) -> Reply:
        if self.hide_calls >= self.hide_window_limit:
            reset = str(int(time.time()) + 600)
            return problem(429, "Too Many Requests", "Too Many Requests",
                           headers={"x-rate-limit-limit": "50", "x-rate-limit-remaining": "0",
                                    "x-rate-limit-reset": reset})
        self.hide_calls += 1
        tweet = self.tweets.get(tid)
        if tweet is None:
            return problem(404, "Not Found Error", f"Could not find tweet with id: [{tid}].",
                           kind="https://api.twitter.com/2/problems/resource-not-found")
        root = self.tweets.get(tweet["conversation_id"])
        if tid == tweet["conversation_id"] or root is None or root["author_id"] != self.user_id:
            return problem(403, "Forbidden", "You attempted to hide a Tweet you cannot hide. "
                           "You may only hide replies to conversations you started.")
        if body.get("hidden"):
            self.hidden.add(tid)
        else:
            self.hidden.discard(tid)
        return Reply(200, {"data": {"hidden": bool(body.get("hidden"))}})
