"""A fake WordPress site behind the core REST API's comment routes.

``GET /wp-json/wp/v2/comments`` (``status``, ``orderby=id``, ``order``, ``per_page``, ``page``,
``context=edit``; ``X-WP-Total`` and ``X-WP-TotalPages`` headers), ``POST
/wp-json/wp/v2/comments/<id>`` with ``{"status"}`` (``hold``/``approve``/``approved``/``spam``),
``DELETE /wp-json/wp/v2/comments/<id>`` (to the trash; 410 ``rest_already_trashed`` the second
time), ``GET /wp-json/wp/v2/posts/<id>``; replies as the editor, ``POST
/wp-json/wp/v2/comments`` with ``{"post", "parent", "content"}`` (201; the same text twice from
one user is 409 ``comment_duplicate``, as WordPress's duplicate check answers), read back with
``parent``, ``author`` and ``status=all`` filters, the editor from ``GET /users/me``. HTTP Basic
with an application password; errors are ``{"code", "message", "data": {"status"}}``.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

from fakes.server import FakePlatform, Reply, Request, pick_fields

__all__ = ["FakeWordPress", "wp_error"]

_STATUS = {"hold": "hold", "0": "hold", "approve": "approved", "approved": "approved",
           "1": "approved", "spam": "spam", "trash": "trash"}


def wp_error(status: int, code: str, message: str) -> Reply:
    """A WordPress REST error answer."""
    return Reply(status, {"code": code, "message": message, "data": {"status": status}})


class FakeWordPress(FakePlatform):
    """One site's posts and comments; one editor with an application password."""

    def __init__(self, username: str = "vigie", password: str = "abcd EFGH 1234 ijkl") -> None:
        super().__init__(token="")
        self.username = username
        self.passwords = {password}
        self.posts: dict[int, dict[str, Any]] = {}
        self.comments: dict[int, dict[str, Any]] = {}
        self.status_calls: list[tuple[int, str]] = []
        self.editor_id = 7
        #: Replies the editor posted: (parent comment, content), in order.
        self.replies_posted: list[tuple[int, str]] = []
        self._n = 100
        self._clock = datetime(2026, 12, 5, 14, 0, tzinfo=UTC)

    def rotate_password(self, new: str) -> None:
        """An administrator revokes every application password and creates ``new``."""
        with self.lock:
            self.passwords = {new}

    def add_post(self, title: str) -> int:
        with self.lock:
            pid = len(self.posts) + 1
            self.posts[pid] = {"id": pid, "title": {"rendered": title},
                               "link": f"https://www.polymtl.ca/carrefour/{pid}"}
            return pid

    def add_comment(self, post: int, text: str, *, name: str = "Visiteur",
                    email: str = "visiteur@example.org", user: int = 0, parent: int = 0,
                    status: str = "approved") -> int:
        with self.lock:
            self._n += 1
            self._clock += timedelta(minutes=1)
            self.comments[self._n] = {
                "id": self._n, "post": post, "parent": parent, "author": user,
                "author_name": name, "author_email": email, "author_url": "",
                "date": self._clock.strftime("%Y-%m-%dT%H:%M:%S"),
                "date_gmt": self._clock.strftime("%Y-%m-%dT%H:%M:%S"),
                "content": {"rendered": f"<p>{text}</p>\n", "raw": text},
                "status": status, "type": "comment",
                "link": f"https://www.polymtl.ca/carrefour/{post}#comment-{self._n}",
            }
            return self._n

    def status_of(self, cid: int) -> str:
        return str(self.comments[cid]["status"])

    def authorized(self, request: Request) -> bool:
        auth = request.headers.get("authorization", "")
        if not auth.startswith("Basic "):
            return False
        user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
        return user == self.username and password in self.passwords

    def unauthorized(self, request: Request) -> Reply:
        return wp_error(401, "incorrect_password", "The provided password is an invalid "
                        "application password.")

    def route(self, request: Request) -> Reply:
        path = request.path.removeprefix("/wp-json/wp/v2")
        parts = [p for p in path.split("/") if p]
        if parts == ["comments"] and request.method == "GET":
            return self._list(request.query)
        if parts == ["comments"] and request.method == "POST":
            return self._create(request.json())
        if parts == ["users", "me"] and request.method == "GET":
            return Reply(200, {"id": self.editor_id, "name": self.username})
        if len(parts) == 2 and parts[0] == "posts" and request.method == "GET":
            post = self.posts.get(int(parts[1]))
            if post is None:
                return wp_error(404, "rest_post_invalid_id", "Invalid post ID.")
            return Reply(200, post)
        if len(parts) == 2 and parts[0] == "comments":
            comment = self.comments.get(int(parts[1])) if parts[1].isdigit() else None
            if comment is None:
                return wp_error(404, "rest_comment_invalid_id", "Invalid comment ID.")
            if request.method == "GET":
                return Reply(200, comment)
            if request.method == "DELETE":
                if comment["status"] == "trash":
                    return wp_error(410, "rest_already_trashed",
                                    "The comment has already been trashed.")
                comment["status"] = "trash"
                self.status_calls.append((comment["id"], "trash"))
                return Reply(200, comment)
            if request.method == "POST":
                wanted = _STATUS.get(str(request.json().get("status")))
                if wanted is None:
                    return wp_error(400, "rest_invalid_param", "Invalid parameter(s): status")
                comment["status"] = wanted
                self.status_calls.append((comment["id"], wanted))
                return Reply(200, comment)
        return wp_error(404, "rest_no_route", "No route was found matching the URL and "
                        "request method.")

    def _create(self, body: Any) -> Reply:
        parent = self.comments.get(int(body.get("parent") or 0))
        content = str(body.get("content") or "")
        if parent is None or parent["post"] != body.get("post"):
            return wp_error(400, "rest_comment_invalid_parent", "Invalid comment parent.")
        if not content:
            return wp_error(400, "rest_comment_content_invalid", "Invalid comment content.")
        if any(c["author"] == self.editor_id and c["content"]["raw"] == content
               and c["post"] == parent["post"] for c in self.comments.values()):
            return wp_error(409, "comment_duplicate", "Duplicate comment detected; it looks "
                            "as though you’ve already said that!")
        self.replies_posted.append((parent["id"], content))
        cid = self.add_comment(parent["post"], content, name=self.username,
                               email="cm@polymtl.ca", user=self.editor_id, parent=parent["id"])
        return Reply(201, self.comments[cid])

    def _list(self, q: dict[str, str]) -> Reply:
        if q.get("context") != "edit":
            return wp_error(400, "rest_invalid_param", "the fake expects context=edit")
        wanted = _STATUS.get(q.get("status", "approve"), "approved")
        found = [c for c in self.comments.values()
                 if (c["status"] == wanted or q.get("status") == "all")
                 and ("parent" not in q or str(c["parent"]) == q["parent"])
                 and ("author" not in q or str(c["author"]) == q["author"])]
        found.sort(key=lambda c: c["id"], reverse=q.get("order", "desc") == "desc")
        size = int(q.get("per_page", "10"))
        page = int(q.get("page", "1"))
        pages = max(1, -(-len(found) // size))
        if page > pages and found:
            return wp_error(400, "rest_comment_invalid_page_number",
                            "The page number requested is larger than the number of pages "
                            "available.")
        chunk = [pick_fields(c, q.get("_fields")) for c in found[(page - 1) * size: page * size]]
        return Reply(200, chunk, {"X-WP-Total": str(len(found)), "X-WP-TotalPages": str(pages)})
