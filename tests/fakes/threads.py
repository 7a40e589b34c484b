"""A fake Threads profile behind Threads API shapes (``graph.threads.net``).

``GET /v1.0/{user}/threads``, ``GET /v1.0/{media}/conversation`` (flattened, ``reverse``,
``limit``, ``after``; Graph ``paging.cursors``), ``GET /v1.0/{reply}`` (``hide_status``,
``replied_to``, ``root_post``), ``POST /v1.0/{reply}/manage_reply`` (form ``hide``; top-level
replies only), ``GET /refresh_access_token?grant_type=th_refresh_token``; replies as the profile
in two steps, ``POST /v1.0/{user}/threads`` (``media_type=TEXT``, ``text``, ``reply_to_id``: a
container) then ``POST /v1.0/{user}/threads_publish`` (``creation_id``), and the profile's own
replies ``GET /v1.0/{user}/replies``. Errors use the Graph envelope; an expired token is code
190.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fakes.server import FakePlatform, Reply, Request, pick_fields

__all__ = ["FakeThreads", "graph_error"]


def graph_error(status: int, code: int, message: str, kind: str = "THApiException") -> Reply:
    """A Graph-style error answer."""
    return Reply(status, {"error": {"message": message, "type": kind, "code": code,
                                    "fbtrace_id": "AbCdEf"}})


class FakeThreads(FakePlatform):
    """One profile's posts and the replies to them."""

    def __init__(self, user_id: str = "17841400000", token: str = "th-token") -> None:
        super().__init__(token)
        self.user_id = user_id
        self.media: dict[str, dict[str, Any]] = {}
        self.hide_calls = 0
        self.refreshed = 0
        self.containers: dict[str, dict[str, str]] = {}
        #: Replies the profile published: (post replied to, text), in order.
        self.replies_posted: list[tuple[str, str]] = []
        self._n = 18000000000000000
        self._clock = datetime(2026, 12, 5, 14, 0, tzinfo=UTC)

    def post(self, text: str, *, username: str = "polymtl", reply_to: str | None = None,
             at: datetime | None = None) -> str:
        with self.lock:
            self._n += 1
            self._clock += timedelta(minutes=1)
            mid = str(self._n)
            item: dict[str, Any] = {
                "id": mid, "text": text, "username": username,
                "timestamp": (at or self._clock).strftime("%Y-%m-%dT%H:%M:%S+0000"),
                "permalink": f"https://www.threads.net/@{username}/post/{mid}",
                "hide_status": "NOT_HUSHED", "is_reply_owned_by_me": username == "polymtl"}
            if reply_to:
                parent = self.media[reply_to]
                root = parent.get("root_post", {}).get("id", reply_to)
                item["replied_to"] = {"id": reply_to}
                item["root_post"] = {"id": root}
            self.media[mid] = item
            return mid

    def unauthorized(self, request: Request) -> Reply:
        return graph_error(400, 190, "Error validating access token: Session has expired.",
                           "OAuthException")

    def route(self, request: Request) -> Reply:
        if request.path == "/refresh_access_token":
            if request.query.get("grant_type") != "th_refresh_token":
                return graph_error(400, 100, "Invalid grant_type")
            self.refreshed += 1
            token = f"th-token-r{self.refreshed}"
            self.valid_tokens.add(token)
            return Reply(200, {"access_token": token, "token_type": "bearer",
                               "expires_in": 5_184_000})
        parts = [p for p in request.path.split("/") if p][1:]  # drop v1.0
        q = request.query
        mine = len(parts) == 2 and parts[0] in (self.user_id, "me")
        if mine and request.method == "POST":
            return self._publish(parts[1], request.form())
        if mine and parts[1] == "replies":
            own = [m for m in self.media.values() if "replied_to" in m
                   and m["username"] == "polymtl"]
            own.sort(key=lambda m: m["id"], reverse=True)
            return Reply(200, {"data": own[: int(q.get("limit", 25))]})
        if parts == [self.user_id, "threads"] or parts == ["me", "threads"]:
            own = [m for m in self.media.values() if "root_post" not in m
                   and m["username"] == "polymtl"]
            own.sort(key=lambda m: m["id"], reverse=True)
            return Reply(200, {"data": own[: int(q.get("limit", 25))]})
        if len(parts) == 2 and parts[1] == "conversation":
            return self._conversation(parts[0], q)
        if len(parts) == 2 and parts[1] == "manage_reply" and request.method == "POST":
            item = self.media.get(parts[0])
            if item is None:
                return graph_error(400, 100, "Object does not exist")
            if item.get("replied_to", {}).get("id") != item.get("root_post", {}).get("id"):
                return graph_error(400, 100, "Only top-level replies can be hidden")
            self.hide_calls += 1
            item["hide_status"] = "HIDDEN" if request.form()["hide"] == "true" else "UNHUSHED"
            return Reply(200, {"success": True})
        if len(parts) == 1 and request.method == "GET":
            item = self.media.get(parts[0])
            if item is None:
                return Reply(400, {"error": {"message": "Unsupported get request. Object "
                                             "with ID does not exist", "type":
                                             "THApiException", "code": 100,
                                             "error_subcode": 33}})
            return Reply(200, item)
        return graph_error(404, 803, f"no route {request.path}")

    def _publish(self, edge: str, form: dict[str, str]) -> Reply:
        """``threads`` makes a container (a TEXT reply here); ``threads_publish`` posts it."""
        if edge == "threads":
            if form.get("media_type") != "TEXT" or not form.get("text"):
                return graph_error(400, 100, "The parameter text is required for TEXT posts")
            if form.get("reply_to_id") not in self.media:
                return graph_error(400, 100, "Object with ID does not exist")
            self._n += 1
            self.containers[str(self._n)] = form
            return Reply(200, {"id": str(self._n)})
        if edge == "threads_publish":
            form = self.containers.pop(form.get("creation_id", ""), {})
            if not form:
                return graph_error(400, 24, "The media container was not found")
            self.replies_posted.append((form["reply_to_id"], form["text"]))
            return Reply(200, {"id": self.post(form["text"], reply_to=form["reply_to_id"])})
        return graph_error(404, 803, f"no route {edge}")

    def _conversation(self, root: str, q: dict[str, str]) -> Reply:
        if root not in self.media:
            return Reply(400, {"error": {"message": "Object does not exist", "code": 100,
                                         "error_subcode": 33, "type": "THApiException"}})
        found = [m for m in self.media.values() if m.get("root_post", {}).get("id") == root]
        found.sort(key=lambda m: (m["timestamp"], m["id"]),
                   reverse=q.get("reverse", "true") == "true")
        start = int(q["after"].removeprefix("c")) if q.get("after") else 0
        size = int(q.get("limit", 25))
        page = [pick_fields(m, q.get("fields")) for m in found[start:start + size]]
        paging: dict[str, Any] = {"cursors": {"before": f"c{start}",
                                              "after": f"c{start + len(page)}"}}
        if start + size < len(found):
            paging["next"] = "https://graph.threads.net/v1.0/next"
        return Reply(200, {"data": page, "paging": paging})
