"""X connector against a fake X API v2 over loopback HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from connector_support import drain, serve
from fakes.server import FakeServer
from fakes.x import FakeX
from vigie.actions import Action
from vigie.connectors.base import Operation, PlatformAction, map_action
from vigie.connectors.errors import AuthExpired, PermissionDenied, RateLimited
from vigie.connectors.http import RetryPolicy, Secret
from vigie.connectors.x import XConnector


@pytest.fixture
def fake() -> Iterator[tuple[FakeX, FakeServer]]:
    yield from serve(FakeX())


def connector(server: FakeServer, platform: FakeX, **kwargs: object) -> XConnector:
    return XConnector(
        "poly-x", platform.user_id, httpx.Client(timeout=5), Secret("x-token"),
        base_url=f"{server.url}/2", sleep=lambda s: None,
        retry=RetryPolicy(max_attempts=2, base_delay=0.0), **kwargs,  # type: ignore[arg-type]
    )



def test_replies_by_conversation_with_authors(fake: tuple[FakeX, FakeServer]) -> None:
    platform, server = fake
    root = platform.post("Nouveau pavillon inauguré aujourd'hui!")
    bot = platform.add_user("crypto8841", created="2025-03-17T00:00:00.000Z", followers=0,
                            default_image=True)
    fan = platform.add_user("genie_fan")
    first = platform.post("Bravo!", author=fan, reply_to=root)
    nested = platform.post("x100 garanti", author=bot, reply_to=first)
    conn = connector(server, platform)
    ids, _ = drain(conn)
    assert sorted(ids) == sorted([f"x:{first}", f"x:{nested}"])
    by_id = {c.id: c for c in conn.fetch(None).comments}
    reply = by_id[f"x:{nested}"]
    assert reply.parent_id == f"x:{first}" and by_id[f"x:{first}"].parent_id is None
    assert reply.author.handle == "crypto8841" and reply.author.default_avatar
    assert reply.author.followers == 0 and reply.author.created_at is not None
    assert reply.post is not None and reply.post.text.startswith("Nouveau pavillon")
    search = platform.calls("GET", "/search/recent")[0]
    assert search.query["query"] == f"conversation_id:{root}"
    assert search.query["expansions"] == "author_id,attachments.media_keys"


def test_since_id_resumes_and_pages(fake: tuple[FakeX, FakeServer]) -> None:
    platform, server = fake
    root = platform.post("root")
    replies = [platform.post(f"r{i}", author=platform.add_user(f"u{i}"), reply_to=root)
               for i in range(130)]
    conn = connector(server, platform)
    ids, cursor = drain(conn)
    assert len(ids) == 130 and len(set(ids)) == 130
    late = platform.post("tard", author=platform.add_user("late"), reply_to=replies[0])
    again, _ = drain(connector(server, platform), cursor)
    assert again == [f"x:{late}"]
    assert platform.calls("GET", "/search/recent")[-1].query["since_id"] == replies[-1]


def test_hide_and_unhide(fake: tuple[FakeX, FakeServer]) -> None:
    platform, server = fake
    root = platform.post("root")
    reply = platform.post("insulte", author=platform.add_user("troll"), reply_to=root)
    conn = connector(server, platform)
    assert conn.apply(PlatformAction(f"x:{reply}", (Operation.HIDE,))).ok
    assert platform.hidden == {reply}
    put = platform.calls("PUT", "/hidden")[0]
    assert put.json() == {"hidden": True}
    conn.apply(PlatformAction(f"x:{reply}", (Operation.UNHIDE,)))
    assert platform.hidden == set()


def test_hide_window_is_enforced_locally(fake: tuple[FakeX, FakeServer]) -> None:
    platform, server = fake
    root = platform.post("root")
    user = platform.add_user("u")
    replies = [platform.post(f"r{i}", author=user, reply_to=root) for i in range(51)]
    now = [1000.0]
    conn = connector(server, platform, clock=lambda: now[0])
    for r in replies[:50]:
        conn.apply(PlatformAction(f"x:{r}", (Operation.HIDE,)))
    with pytest.raises(RateLimited) as raised:
        conn.apply(PlatformAction(f"x:{replies[50]}", (Operation.HIDE,)))
    assert raised.value.retry_after == pytest.approx(900)
    assert platform.hide_calls == 50  # the 51st never reached X
    now[0] += 901
    platform.hide_window_limit = 100
    assert conn.apply(PlatformAction(f"x:{replies[50]}", (Operation.HIDE,))).ok


def test_server_429_carries_reset_time(fake: tuple[FakeX, FakeServer]) -> None:
    platform, server = fake
    root = platform.post("root")
    reply = platform.post("r", author=platform.add_user("u"), reply_to=root)
    platform.hide_window_limit = 0  # another tool used the window up
    with pytest.raises(RateLimited) as raised:
        connector(server, platform).apply(PlatformAction(f"x:{reply}", (Operation.HIDE,)))
    assert 500 < (raised.value.retry_after or 0) <= 600  # longer than max_wait: not slept


def test_cannot_hide_outside_own_conversations(fake: tuple[FakeX, FakeServer]) -> None:
    platform, server = fake
    other = platform.add_user("someone")
    their_root = platform.post("leur fil", author=other)
    reply = platform.post("r", author=other, reply_to=their_root)
    with pytest.raises(PermissionDenied, match="cannot hide"):
        connector(server, platform).apply(PlatformAction(f"x:{reply}", (Operation.HIDE,)))


@pytest.mark.parametrize(("allows", "expected", "degraded"), [
    (False, (Operation.HIDE,), True),
    (True, (Operation.HIDE, Operation.BLOCK_AUTHOR), False),
])
def test_block_depends_on_plan(fake: tuple[FakeX, FakeServer], allows: bool,
                               expected: tuple[Operation, ...], degraded: bool) -> None:
    platform, server = fake
    platform.plan_allows_blocking = allows
    root = platform.post("root")
    troll = platform.add_user("troll")
    reply = platform.post("r", author=troll, reply_to=root)
    conn = connector(server, platform, plan_allows_blocking=allows)
    mapping = map_action(Action.BLOCK, conn.capabilities)
    assert mapping.operations == expected and mapping.degraded is degraded
    outcome = conn.apply(PlatformAction(f"x:{reply}", mapping.operations, author_id=f"x:{troll}"))
    assert outcome.ok and platform.hidden == {reply}
    assert platform.blocked == ({troll} if allows else set())


def test_expired_token(fake: tuple[FakeX, FakeServer]) -> None:
    platform, server = fake
    platform.expire_token()
    with pytest.raises(AuthExpired, match="Unauthorized"):
        connector(server, platform).fetch(None)
