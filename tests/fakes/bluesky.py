"""A fake Bluesky PDS (with the AppView it proxies) behind XRPC over HTTP.

Sessions (``com.atproto.server.createSession`` / ``refreshSession``; access tokens are JWTs
with an ``exp`` claim, an expired one answers 400 ``ExpiredToken``; a refresh token works
once), reads (``app.bsky.feed.getAuthorFeed``, ``getPostThread``, ``getPosts``,
``app.bsky.actor.getProfile``), records (``com.atproto.repo.getRecord``, ``putRecord`` with
``swapRecord``, ``createRecord``, ``deleteRecord``), mutes and reports (``createReport``
needs the ``atproto-proxy`` header). Errors are ``{"error", "message"}``.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from fakes.server import FakePlatform, Reply, Request

__all__ = ["FakeBluesky", "xrpc_error"]

_OPEN = {"com.atproto.server.createSession", "com.atproto.server.refreshSession"}


def xrpc_error(status: int, error: str, message: str,
               headers: dict[str, str] | None = None) -> Reply:
    """An XRPC error answer."""
    return Reply(status, {"error": error, "message": message}, headers or {})


def jwt(claims: dict[str, Any]) -> str:
    """An unsigned JWT-shaped token (the fake checks tokens by value)."""
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    return f"{part({'alg': 'ES256K', 'typ': 'at+jwt'})}.{part(claims)}.c2ln"


class FakeBluesky(FakePlatform):
    """One institution's account, other users, posts, threadgates, blocks, mutes, reports."""

    def __init__(self, handle: str = "polymtl.bsky.social", password: str = "app-pass-1234",
                 did: str = "did:plc:polymtl") -> None:
        super().__init__(token="")
        self.user_handle, self.password, self.did = handle, password, did
        self.profiles: dict[str, dict[str, Any]] = {
            did: {"did": did, "handle": handle, "displayName": "Polytechnique Montréal",
                  "avatar": "https://cdn.bsky.app/img/avatar/plain/poly.jpg",
                  "createdAt": "2023-05-01T00:00:00.000Z"}}
        self.posts: dict[str, dict[str, Any]] = {}
        self.records: dict[tuple[str, str], dict[str, Any]] = {}  # (collection, rkey)
        self.mutes: set[str] = set()
        self.reports: list[dict[str, Any]] = []
        #: Replies the account posted: (parent uri, text, record key), in order.
        self.replies_posted: list[tuple[str, str, str]] = []
        self.writes = 0
        self.issued: set[str] = set()
        self.refresh_tokens: set[str] = set()
        self.sessions = 0
        self.token_lifetime_s = 7200.0
        self.now: Callable[[], float] = time.time  # mints each token's exp
        self._n = 0
        self._clock = datetime(2026, 12, 5, 14, 0, tzinfo=UTC)

    # -- set-up -------------------------------------------------------------------------

    def _tid(self) -> str:
        self._n += 1
        return f"3l{self._n:011d}"

    def add_user(self, handle: str, *, avatar: bool = True,
                 created: str = "2024-01-01T00:00:00.000Z") -> str:
        did = f"did:plc:{handle.split('.')[0]}"
        self.profiles[did] = {"did": did, "handle": handle, "displayName": handle.title(),
                              "createdAt": created,
                              **({"avatar": f"https://cdn.bsky.app/{did}.jpg"} if avatar
                                 else {})}
        return did

    def post(self, text: str, *, author: str | None = None, reply_to: str | None = None,
             indexed: str | None = None) -> str:
        with self.lock:
            author = author or self.did
            self._clock += timedelta(minutes=1)
            stamp = indexed or self._clock.strftime("%Y-%m-%dT%H:%M:%S.000Z")
            uri = f"at://{author}/app.bsky.feed.post/{self._tid()}"
            record: dict[str, Any] = {"$type": "app.bsky.feed.post", "text": text,
                                      "createdAt": stamp, "langs": ["fr"]}
            if reply_to:
                parent = self.posts[reply_to]
                root = parent["record"].get("reply", {}).get("root") or {
                    "uri": reply_to, "cid": parent["cid"]}
                record["reply"] = {"root": root, "parent": {"uri": reply_to,
                                                            "cid": parent["cid"]}}
            self.posts[uri] = {"uri": uri, "cid": f"bafy{self._n}", "author": author,
                               "record": record, "indexedAt": stamp}
            return uri

    def hidden(self, root: str) -> list[str]:
        gate = self.records.get(("app.bsky.feed.threadgate", root.rsplit("/", 1)[-1]))
        return list(gate["value"].get("hiddenReplies", [])) if gate else []

    def blocked(self) -> set[str]:
        return {r["value"]["subject"] for (c, _), r in self.records.items()
                if c == "app.bsky.graph.block"}

    # -- views --------------------------------------------------------------------------

    def _view(self, uri: str) -> dict[str, Any]:
        post = self.posts[uri]
        replies = sum(1 for p in self.posts.values()
                      if p["record"].get("reply", {}).get("parent", {}).get("uri") == uri)
        return {"uri": uri, "cid": post["cid"], "author": self.profiles[post["author"]],
                "record": post["record"], "replyCount": replies, "repostCount": 0,
                "likeCount": 0, "indexedAt": post["indexedAt"], "labels": []}

    def _thread(self, uri: str, depth: int) -> dict[str, Any]:
        node: dict[str, Any] = {"$type": "app.bsky.feed.defs#threadViewPost",
                                "post": self._view(uri)}
        if depth > 0:
            children = [u for u, p in self.posts.items()
                        if p["record"].get("reply", {}).get("parent", {}).get("uri") == uri]
            node["replies"] = [self._thread(c, depth - 1) for c in children]
        return node

    # -- auth ---------------------------------------------------------------------------

    def _session(self) -> dict[str, Any]:
        self.sessions += 1
        access = jwt({"sub": self.did, "scope": "com.atproto.appPass",
                      "exp": int(self.now() + self.token_lifetime_s), "n": self.sessions})
        refresh = jwt({"sub": self.did, "scope": "com.atproto.refresh", "n": self.sessions})
        self.valid_tokens.add(access)
        self.issued.add(access)
        self.refresh_tokens.add(refresh)
        return {"accessJwt": access, "refreshJwt": refresh, "handle": self.user_handle,
                "did": self.did, "active": True}

    def authorized(self, request: Request) -> bool:
        return request.path.removeprefix("/xrpc/") in _OPEN or super().authorized(request)

    def unauthorized(self, request: Request) -> Reply:
        if self.bearer(request) in self.issued:
            return xrpc_error(400, "ExpiredToken", "Token has expired")
        return xrpc_error(401, "AuthenticationRequired", "Authentication Required")

    # -- routes -------------------------------------------------------------------------

    def route(self, request: Request) -> Reply:
        method = request.path.removeprefix("/xrpc/")
        q = request.query
        body = request.json() if request.method == "POST" and request.body else {}
        if method == "com.atproto.server.createSession":
            if body.get("identifier") not in (self.user_handle, self.did) or (
                    body.get("password") != self.password):
                return xrpc_error(401, "AuthenticationRequired",
                                  "Invalid identifier or password")
            return Reply(200, self._session())
        if method == "com.atproto.server.refreshSession":
            token = self.bearer(request)
            if token not in self.refresh_tokens:
                return xrpc_error(400, "ExpiredToken", "Token has been revoked")
            self.refresh_tokens.discard(token)
            return Reply(200, self._session())
        if method == "app.bsky.feed.getAuthorFeed":
            own = [u for u, p in self.posts.items()
                   if p["author"] == q["actor"] and "reply" not in p["record"]]
            own.sort(key=lambda u: self.posts[u]["indexedAt"], reverse=True)
            return Reply(200, {"feed": [{"post": self._view(u)}
                                        for u in own[: int(q.get("limit", 50))]]})
        if method == "app.bsky.feed.getPostThread":
            if q["uri"] not in self.posts:
                return xrpc_error(400, "NotFound", f"Post not found: {q['uri']}")
            return Reply(200, {"thread": self._thread(q["uri"], int(q.get("depth", 6)))})
        if method == "app.bsky.feed.getPosts":
            return Reply(200, {"posts": [self._view(q["uris"])] if q["uris"] in self.posts
                               else []})
        if method == "app.bsky.actor.getProfile":
            profile = dict(self.profiles[q["actor"]])
            block = next((f"at://{self.did}/app.bsky.graph.block/{k}"
                          for (c, k), r in self.records.items()
                          if c == "app.bsky.graph.block" and r["value"]["subject"] == q["actor"]),
                         None)
            profile["viewer"] = {"muted": q["actor"] in self.mutes,
                                 **({"blocking": block} if block else {})}
            return Reply(200, profile)
        if method.startswith("com.atproto.repo."):
            return self._repo(method.removeprefix("com.atproto.repo."), q, body)
        if method in ("app.bsky.graph.muteActor", "app.bsky.graph.unmuteActor"):
            (self.mutes.add if method.endswith(".muteActor") else self.mutes.discard)(
                body["actor"])
            return Reply(200, None)
        if method == "com.atproto.moderation.createReport":
            if not request.headers.get("atproto-proxy", "").endswith("#atproto_labeler"):
                return xrpc_error(400, "InvalidRequest", "reports go to a labeler")
            self.reports.append({**body, "proxy": request.headers["atproto-proxy"]})
            return Reply(200, {"id": len(self.reports), "reasonType": body["reasonType"],
                               "subject": body["subject"], "reportedBy": self.did,
                               "createdAt": "2026-12-06T12:00:00.000Z"})
        return xrpc_error(501, "MethodNotImplemented", f"Method Not Implemented: {method}")

    def _create_post(self, rkey: str, record: dict[str, Any]) -> Reply:
        """A post record of the account's own (a reply, here): strong refs are checked."""
        reply = record.get("reply") or {}
        for ref in (reply.get("root"), reply.get("parent")):
            post = self.posts.get((ref or {}).get("uri", ""))
            if post is None or post["cid"] != ref.get("cid"):
                return xrpc_error(400, "InvalidRequest", f"Invalid strong ref: {ref}")
        self._n += 1
        uri = f"at://{self.did}/app.bsky.feed.post/{rkey}"
        cid = f"bafy{self._n}"
        self.posts[uri] = {"uri": uri, "cid": cid, "author": self.did, "record": record,
                           "indexedAt": record.get("createdAt", "")}
        self.records[("app.bsky.feed.post", rkey)] = {"uri": uri, "cid": cid, "value": record}
        self.replies_posted.append((reply["parent"]["uri"], record.get("text", ""), rkey))
        return Reply(200, {"uri": uri, "cid": cid, "validationStatus": "valid"})

    def _repo(self, verb: str, q: dict[str, str], body: dict[str, Any]) -> Reply:
        if verb == "getRecord":
            record = self.records.get((q["collection"], q["rkey"]))
            if record is None or q["repo"] != self.did:
                return xrpc_error(400, "RecordNotFound", "Could not locate record: at://"
                                  f"{q['repo']}/{q['collection']}/{q['rkey']}")
            return Reply(200, record)
        if body.get("repo") != self.did:
            return xrpc_error(400, "InvalidRequest", "Invalid repo")
        collection = body["collection"]
        self.writes += 1
        if verb == "deleteRecord":
            self.records.pop((collection, body["rkey"]), None)
            return Reply(200, {})
        rkey = body.get("rkey") or self._tid()
        current = self.records.get((collection, rkey))
        if verb == "createRecord" and current is not None:
            return xrpc_error(400, "InvalidRequest", f"Record already exists: {rkey}")
        if verb == "createRecord" and collection == "app.bsky.feed.post":
            return self._create_post(rkey, body["record"])
        if verb == "putRecord" and "swapRecord" in body and (
                (current or {}).get("cid") != body["swapRecord"]):
            return xrpc_error(400, "InvalidSwap", "Record was at "
                              f"{(current or {}).get('cid')}")
        self._n += 1
        uri = f"at://{self.did}/{collection}/{rkey}"
        self.records[(collection, rkey)] = {"uri": uri, "cid": f"bafyrec{self._n}",
                                            "value": body["record"]}
        return Reply(200, {"uri": uri, "cid": f"bafyrec{self._n}"})
