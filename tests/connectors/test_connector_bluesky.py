"""Bluesky connector against a fake PDS speaking XRPC over loopback HTTP."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from connector_support import drain, serve
from fakes.bluesky import FakeBluesky, xrpc_error
from fakes.server import FakeServer
from platform_contract import restart_applies_once
from vigie.actions import Action
from vigie.connectors.base import Operation, PlatformAction, map_action
from vigie.connectors.bluesky import BlueskyConnector, BlueskySession
from vigie.connectors.config import Secrets, parse_config
from vigie.connectors.errors import AuthExpired, RateLimited, TransientError
from vigie.connectors.factory import build_connector
from vigie.connectors.http import RetryPolicy, Secret


@pytest.fixture
def fake() -> Iterator[tuple[FakeBluesky, FakeServer]]:
    yield from serve(FakeBluesky())


def connector(server: FakeServer, *, password: str = "app-pass-1234",
              clock: Callable[[], float] = time.time, **kwargs: object) -> BlueskyConnector:
    sleeps: list[float] = []
    retry = RetryPolicy(max_attempts=3, base_delay=0.01)
    client = httpx.Client(timeout=5)
    session = BlueskySession(client, pds_url=server.url, identifier="polymtl.bsky.social",
                             password=Secret(password), account="poly-bsky", retry=retry,
                             sleep=sleeps.append, clock=clock)
    conn = BlueskyConnector("poly-bsky", session, client, pds_url=server.url, retry=retry,
                            sleep=sleeps.append, **kwargs)  # type: ignore[arg-type]
    conn.sleeps = sleeps  # type: ignore[attr-defined]
    return conn


def bsky(uri: str) -> str:
    return f"bsky:{uri}"


def test_replies_of_own_posts_with_authors(fake: tuple[FakeBluesky, FakeServer]) -> None:
    platform, server = fake
    root = platform.post("Journée commémorative du 6 décembre")
    fan = platform.add_user("genie.bsky.social")
    bot = platform.add_user("crypto8841.bsky.social", avatar=False)
    first = platform.post("Pensées pour les familles", author=fan, reply_to=root)
    nested = platform.post("x100 garanti", author=bot, reply_to=first)
    other = platform.post("leur propre fil", author=fan)
    platform.post("pas chez nous", author=bot, reply_to=other)
    conn = connector(server)
    ids, _ = drain(conn)
    assert sorted(ids) == sorted([bsky(first), bsky(nested)])
    by_id = {c.id: c for c in connector(server).fetch(None).comments}
    reply = by_id[bsky(nested)]
    assert reply.parent_id == bsky(first) and by_id[bsky(first)].parent_id is None
    assert reply.author.id == f"bsky:{bot}" and reply.author.default_avatar
    assert reply.author.handle == "crypto8841.bsky.social"
    assert reply.post is not None and reply.post.text.startswith("Journée commémorative")
    thread = platform.calls("GET", "getPostThread")[0]
    assert thread.query["uri"] == root and thread.query["parentHeight"] == "0"
    assert platform.calls("GET", "getAuthorFeed")[0].query["filter"] == "posts_no_replies"


def test_restart_reads_only_new_replies_nested_ones_included(
        fake: tuple[FakeBluesky, FakeServer]) -> None:
    platform, server = fake
    roots = [platform.post(f"post {i}") for i in range(3)]
    user = platform.add_user("u.bsky.social")
    first = [platform.post("r", author=user, reply_to=root) for root in roots]
    ids, cursor = drain(connector(server))
    assert sorted(ids) == sorted(bsky(r) for r in first)
    again, cursor = drain(connector(server), cursor)
    assert again == []
    late = platform.post("tard", author=user, reply_to=roots[1])
    nested = platform.post("sous-réponse", author=user, reply_to=first[0])
    # Indexed in the same millisecond as the last reply seen in its thread: not lost.
    tie = platform.post("même instant", author=user, reply_to=roots[2],
                        indexed=platform.posts[first[2]]["indexedAt"])
    again, _ = drain(connector(server), cursor)
    assert sorted(again) == sorted([bsky(late), bsky(tie), bsky(nested)])


def test_hide_writes_the_threadgate_once(fake: tuple[FakeBluesky, FakeServer]) -> None:
    platform, server = fake
    root = platform.post("root")
    troll = platform.add_user("troll.bsky.social")
    reply = platform.post("insulte", author=troll, reply_to=root)
    conn = connector(server)
    hide = PlatformAction(bsky(reply), (Operation.HIDE,), post_id=bsky(root))
    assert conn.apply(hide).ok
    assert platform.hidden(root) == [reply]
    gate = platform.records[("app.bsky.feed.threadgate", root.rsplit("/", 1)[-1])]["value"]
    assert gate["post"] == root and "allow" not in gate  # who may reply is left unchanged
    writes = platform.writes
    assert conn.apply(hide).ok and platform.writes == writes  # already hidden: no write
    # Without the post id, the root is read from the reply's record.
    assert conn.apply(PlatformAction(bsky(reply), (Operation.UNHIDE,))).ok
    assert platform.hidden(root) == []


def test_a_concurrent_threadgate_edit_is_not_lost(fake: tuple[FakeBluesky, FakeServer]) -> None:
    platform, server = fake
    root = platform.post("root")
    user = platform.add_user("u.bsky.social")
    a, b = (platform.post(t, author=user, reply_to=root) for t in ("a", "b"))
    conn = connector(server)
    conn.apply(PlatformAction(bsky(a), (Operation.HIDE,), post_id=bsky(root)))
    platform.fail_next(xrpc_error(400, "InvalidSwap", "Record was at bafyrec-other"),
                       when=lambda r: r.path.endswith("putRecord"))
    assert conn.apply(PlatformAction(bsky(b), (Operation.HIDE,), post_id=bsky(root))).ok
    assert platform.hidden(root) == [a, b]


def test_only_own_threads_can_be_hidden(fake: tuple[FakeBluesky, FakeServer]) -> None:
    platform, server = fake
    user = platform.add_user("u.bsky.social")
    theirs = platform.post("leur fil", author=user)
    reply = platform.post("r", author=user, reply_to=theirs)
    outcome = connector(server).apply(PlatformAction(bsky(reply), (Operation.HIDE,),
                                                     post_id=bsky(theirs)))
    assert "only the root's author" in outcome.skipped["hide"]


@pytest.mark.parametrize("block_as", ["block", "mute"])
def test_block_or_mute_then_report(fake: tuple[FakeBluesky, FakeServer], block_as: str) -> None:
    platform, server = fake
    root = platform.post("root")
    troll = platform.add_user("troll.bsky.social")
    reply = platform.post("menace", author=troll, reply_to=root)
    conn = connector(server, block_as=block_as, report_blocked=True, report_reason="violation")
    mapping = map_action(Action.BLOCK, conn.capabilities)
    assert mapping.operations == (Operation.HIDE, Operation.BLOCK_AUTHOR)
    action = PlatformAction(bsky(reply), mapping.operations, author_id=f"bsky:{troll}",
                            post_id=bsky(root))
    outcome = conn.apply(action)
    assert outcome.ok and outcome.done[-1] is Operation.REPORT
    assert (platform.blocked() if block_as == "block" else platform.mutes) == {troll}
    report = platform.reports[0]
    assert report["reasonType"] == "com.atproto.moderation.defs#reasonViolation"
    assert report["subject"] == {"$type": "com.atproto.repo.strongRef", "uri": reply,
                                 "cid": platform.posts[reply]["cid"]}
    assert report["proxy"] == "did:plc:ar7c4by46qjdydhdevvrndac#atproto_labeler"
    if block_as == "block":
        writes = platform.writes
        conn.apply(PlatformAction(bsky(reply), (Operation.BLOCK_AUTHOR,),
                                  author_id=f"bsky:{troll}"))
        assert platform.writes == writes  # already blocked: no second block record
    conn.apply(PlatformAction(bsky(reply), (Operation.UNBLOCK_AUTHOR,),
                              author_id=f"bsky:{troll}"))
    assert not platform.blocked() and not platform.mutes


@pytest.mark.parametrize("status", [429, 500, 502])
def test_429_and_5xx_are_retried(fake: tuple[FakeBluesky, FakeServer], status: int) -> None:
    platform, server = fake
    platform.post("r", author=platform.add_user("u.bsky.social"), reply_to=platform.post("p"))
    platform.fail_next(xrpc_error(status, "RateLimitExceeded" if status == 429
                                  else "InternalServerError", "later"), times=2,
                       when=lambda r: "getPostThread" in r.path)
    conn = connector(server)
    ids, _ = drain(conn)
    assert len(ids) == 1 and len(conn.sleeps) == 2  # type: ignore[attr-defined]


def test_long_rate_limit_is_raised_and_persisting_5xx_is_transient(
        fake: tuple[FakeBluesky, FakeServer]) -> None:
    platform, server = fake
    platform.post("p")
    platform.fail_next(xrpc_error(429, "RateLimitExceeded", "Rate Limit Exceeded",
                                  {"ratelimit-reset": "99999999999"}))
    with pytest.raises(RateLimited):
        connector(server).fetch(None)
    platform.fail_next(xrpc_error(503, "Unavailable", "down"), times=10)
    with pytest.raises(TransientError):
        connector(server).fetch(None)


def test_expired_access_token_is_refreshed_then_signs_in_again(
        fake: tuple[FakeBluesky, FakeServer]) -> None:
    platform, server = fake
    platform.post("p")
    conn = connector(server)
    drain(conn)
    assert platform.sessions == 1
    platform.expire_token()  # the two hours are over
    drain(conn)
    assert len(platform.calls("POST", "refreshSession")) == 1 and platform.sessions == 2
    platform.expire_token()
    platform.refresh_tokens.clear()  # the refresh token was revoked too
    drain(conn)
    assert len(platform.calls("POST", "createSession")) == 2


def test_a_token_about_to_expire_is_refreshed_before_use(
        fake: tuple[FakeBluesky, FakeServer]) -> None:
    platform, server = fake
    platform.post("p")
    now = [time.time()]
    platform.now = lambda: now[0]
    conn = connector(server, clock=lambda: now[0])
    drain(conn)
    now[0] += platform.token_lifetime_s - 120  # two minutes left: inside the margin
    drain(conn)
    assert len(platform.calls("POST", "refreshSession")) == 1 and platform.sessions == 2
    refused = [r for r in platform.calls() if r.path.endswith("refreshSession") is False
               and platform.bearer(r) and platform.bearer(r) not in platform.valid_tokens]
    assert refused == []  # no call was sent with the old token and refused


def test_a_revoked_app_password_names_the_fix(fake: tuple[FakeBluesky, FakeServer]) -> None:
    _, server = fake
    with pytest.raises(AuthExpired, match="create a new app password"):
        connector(server, password="wrong").fetch(None)


def test_config_and_factory(fake: tuple[FakeBluesky, FakeServer]) -> None:
    platform, server = fake
    platform.post("p")
    config = parse_config(f"""
version: 1
accounts:
  - name: poly-bsky
    platform: bluesky
    identifier: polymtl.bsky.social
    app_password: {{env: BSKY_PASS}}
    pds_url: {server.url}
    block_as: mute
""")
    conn = build_connector(config.accounts[0], Secrets(config, {"BSKY_PASS": "app-pass-1234"}))
    assert isinstance(conn, BlueskyConnector) and conn.block_as == "mute"
    drain(conn)
    assert conn.did == platform.did


def test_restart_applies_each_action_once(fake: tuple[FakeBluesky, FakeServer],
                                          tmp_path: Path) -> None:
    platform, server = fake
    root = platform.post("Commémoration")
    troll = platform.add_user("troll.bsky.social")
    bad = platform.post("Retourne chez vous HATEWORD", author=troll, reply_to=root)
    platform.post("Pensées", author=platform.add_user("fan.bsky.social"), reply_to=root)
    calls = restart_applies_once(tmp_path, lambda: connector(server),
                                 lambda: len(platform.calls("POST", "putRecord")))
    assert platform.hidden(root) == [bad] and calls == 1
