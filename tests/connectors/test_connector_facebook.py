"""Facebook Pages connector against a fake Graph API served over loopback HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from connector_support import drain, serve
from fakes.facebook import FakeFacebook, graph_error
from fakes.server import FakeServer, Reply
from vigie.connectors.base import Operation, PlatformAction
from vigie.connectors.errors import AuthExpired, PermissionDenied, RateLimited, TransientError
from vigie.connectors.facebook import FacebookConnector
from vigie.connectors.http import RetryPolicy, Secret


@pytest.fixture
def fake() -> Iterator[tuple[FakeFacebook, FakeServer]]:
    yield from serve(FakeFacebook())


def connector(server: FakeServer, *, token: str = "page-token", **kwargs: object
              ) -> FacebookConnector:
    sleeps: list[float] = []
    conn = FacebookConnector(
        "poly-fb", "1000", httpx.Client(timeout=5), Secret(token),
        base_url=f"{server.url}/v21.0", sleep=sleeps.append,
        retry=RetryPolicy(max_attempts=3, base_delay=0.01), **kwargs,  # type: ignore[arg-type]
    )
    conn.sleeps = sleeps  # type: ignore[attr-defined]
    return conn



def test_fetch_pages_through_posts_and_replies(fake: tuple[FakeFacebook, FakeServer]) -> None:
    platform, server = fake
    post = platform.add_post("Percée en capture du carbone")
    first = platform.add_comment(post, "Bravo à l'équipe!", from_id="77", from_name="Sylvie")
    reply = platform.add_comment(post, "Merci Sylvie", parent=first)
    more = [platform.add_comment(post, f"commentaire {i}") for i in range(5)]
    conn = connector(server, page_size=3)
    ids, _cursor = drain(conn)
    assert ids == [f"fb:{c}" for c in [first, reply, *more]]
    result = conn.fetch(None)
    top = result.comments[0]
    assert top.author.id == "fb:77" and top.author.name == "Sylvie"
    assert top.post is not None and top.post.text == "Percée en capture du carbone"
    assert top.post.id == f"fb:{post}" and top.parent_id is None
    assert result.comments[1].parent_id == f"fb:{first}"
    assert top.created_at.tzinfo is not None
    # Every list call asked for the documented stream of all comments, fields and limit.
    call = platform.calls("GET", "/comments")[0]
    assert call.query["filter"] == "stream" and call.query["limit"] == "3"
    assert "is_hidden" in call.query["fields"] and "parent" in call.query["fields"]
    # The comment's own address: asked for (the fake returns only what is asked), then kept.
    assert "permalink_url" in call.query["fields"].split(",")
    assert top.url == f"https://www.facebook.com/{post}?comment_id={first}"
    # The token travels in the header, never in the URL.
    assert all("page-token" not in r.path + str(r.query) for r in platform.requests)


def test_resume_from_cursor_returns_only_new_comments(
        fake: tuple[FakeFacebook, FakeServer]) -> None:
    platform, server = fake
    post = platform.add_post("Portes ouvertes")
    platform.add_comment(post, "un")
    conn = connector(server)
    ids, cursor = drain(conn)
    assert len(ids) == 1
    again, cursor = drain(conn, cursor)
    assert again == []  # nothing new: nothing repeated
    late = platform.add_comment(post, "deux")
    newer_post = platform.add_post("Nouvelle publication")
    on_new = platform.add_comment(newer_post, "trois")
    # A restarted connector (new object, same stored cursor) resumes at the same place.
    restarted = connector(server)
    ids, _ = drain(restarted, cursor)
    assert sorted(ids) == sorted([f"fb:{late}", f"fb:{on_new}"])


@pytest.mark.parametrize(
    ("operations", "expected"),
    [
        ((Operation.HIDE,), {"hide"}),
        ((Operation.DELETE,), {"delete"}),
        ((Operation.HIDE, Operation.BLOCK_AUTHOR), {"hide", "post_block"}),
    ],
)
def test_apply_operations(fake: tuple[FakeFacebook, FakeServer], operations: tuple[Operation, ...],
                          expected: set[str]) -> None:
    platform, server = fake
    post = platform.add_post("p")
    cid = platform.add_comment(post, "vulgaire", from_id="666")
    conn = connector(server)
    outcome = conn.apply(PlatformAction(f"fb:{cid}", operations, author_id="fb:666"))
    assert outcome.ok and outcome.done == operations
    assert {op for op, _ in platform.moderation_calls} == expected
    assert (cid in platform.hidden) == (Operation.HIDE in operations)
    assert (cid in platform.deleted) == (Operation.DELETE in operations)
    assert ("666" in platform.blocked) == (Operation.BLOCK_AUTHOR in operations)


def test_unhide_and_unblock_restore(fake: tuple[FakeFacebook, FakeServer]) -> None:
    platform, server = fake
    cid = platform.add_comment(platform.add_post("p"), "x", from_id="5")
    conn = connector(server)
    conn.apply(PlatformAction(f"fb:{cid}", (Operation.HIDE, Operation.BLOCK_AUTHOR),
                              author_id="fb:5"))
    conn.apply(PlatformAction(f"fb:{cid}", (Operation.UNHIDE, Operation.UNBLOCK_AUTHOR),
                              author_id="fb:5"))
    assert platform.hidden == set() and platform.blocked == set()


def test_comment_already_deleted_is_reported_not_raised(
        fake: tuple[FakeFacebook, FakeServer]) -> None:
    platform, server = fake
    cid = platform.add_comment(platform.add_post("p"), "x")
    platform.deleted.add(cid)  # its author deleted it meanwhile
    conn = connector(server)
    hide = conn.apply(PlatformAction(f"fb:{cid}", (Operation.HIDE,)))
    assert not hide.ok and "no longer exists" in hide.skipped["hide"]
    delete = conn.apply(PlatformAction(f"fb:{cid}", (Operation.DELETE,)))
    assert delete.ok  # deleting what is gone is done


def test_block_without_known_author_is_skipped(fake: tuple[FakeFacebook, FakeServer]) -> None:
    platform, server = fake
    cid = platform.add_comment(platform.add_post("p"), "x")
    outcome = connector(server).apply(PlatformAction(f"fb:{cid}", (Operation.BLOCK_AUTHOR,),
                                                     author_id="fb:unknown"))
    assert "author unknown" in outcome.skipped["block_author"] and not platform.blocked


def test_expired_token_code_190_raises_auth_expired(
        fake: tuple[FakeFacebook, FakeServer]) -> None:
    platform, server = fake
    platform.add_post("p")
    platform.expire_token()
    conn = connector(server)
    with pytest.raises(AuthExpired, match="190/463") as raised:
        conn.fetch(None)
    assert raised.value.code == "190" and "page-token" not in str(raised.value)
    assert len(platform.requests) == 1  # never retried: retrying a dead token burns quota


@pytest.mark.parametrize("status", [500, 503])
def test_5xx_is_retried_then_succeeds(fake: tuple[FakeFacebook, FakeServer], status: int) -> None:
    platform, server = fake
    platform.add_comment(platform.add_post("p"), "x")
    platform.fail_next(Reply(status, {"error": {"message": "An unknown error occurred",
                                                "type": "OAuthException", "code": 1}}), times=2)
    conn = connector(server)
    ids, _ = drain(conn)
    assert len(ids) == 1 and len(conn.sleeps) == 2  # type: ignore[attr-defined]


def test_5xx_that_persists_raises_transient(fake: tuple[FakeFacebook, FakeServer]) -> None:
    platform, server = fake
    platform.fail_next(Reply(500, {"error": {"message": "boom", "code": 2}}), times=10)
    with pytest.raises(TransientError):
        connector(server).fetch(None)
    assert len(platform.requests) == 3


def test_429_honours_retry_after(fake: tuple[FakeFacebook, FakeServer]) -> None:
    platform, server = fake
    platform.add_post("p")
    platform.fail_next(graph_error(429, 4, "(#4) Application request limit reached",
                                   headers={"Retry-After": "7"}))
    conn = connector(server)
    conn.fetch(None)
    assert conn.sleeps == [7.0]  # type: ignore[attr-defined]


def test_throttled_with_long_regain_time_is_not_slept_through(
        fake: tuple[FakeFacebook, FakeServer]) -> None:
    platform, server = fake
    usage = '{"1000": [{"type": "pages", "call_count": 100, "total_cputime": 10, ' \
            '"total_time": 10, "estimated_time_to_regain_access": 30}]}'
    platform.fail_next(graph_error(400, 80001, "There have been too many calls to this Page",
                                   headers={"X-Business-Use-Case-Usage": usage}))
    conn = connector(server)
    with pytest.raises(RateLimited) as raised:
        conn.fetch(None)
    assert raised.value.retry_after == 1800.0 and conn.sleeps == []  # type: ignore[attr-defined]
    # The connector now pauses itself instead of calling a throttled page again.
    before = len(platform.requests)
    with pytest.raises(RateLimited):
        conn.fetch(None)
    assert len(platform.requests) == before


def test_high_usage_header_pauses_before_meta_throttles(
        fake: tuple[FakeFacebook, FakeServer]) -> None:
    platform, server = fake
    platform.add_comment(platform.add_post("p"), "x")
    conn = connector(server)
    platform.usage_percent = 97
    with pytest.raises(RateLimited) as raised:
        conn.fetch(None)  # the posts listing reports 97 %: the comments call is not sent
    assert conn.usage.percent == 97 and 0 < (raised.value.retry_after or 0) <= 60
    assert len(platform.requests) == 1
    # Once the pause has elapsed, one call probes the usage again and work resumes.
    platform.usage_percent = 10
    conn.usage.observed_at -= 61
    ids, _ = drain(conn)
    assert len(ids) == 1


def test_permission_error_is_not_retried(fake: tuple[FakeFacebook, FakeServer]) -> None:
    platform, server = fake
    platform.fail_next(graph_error(403, 200, "(#200) Requires pages_manage_engagement",
                                   kind="OAuthException"))
    with pytest.raises(PermissionDenied, match="pages_manage_engagement"):
        connector(server).apply(PlatformAction("fb:1_2", (Operation.HIDE,)))
    assert len(platform.requests) == 1


def test_remove_as_is_validated() -> None:
    with pytest.raises(ValueError, match="hide or delete"):
        FacebookConnector("x", "1", httpx.Client(), Secret("t"), remove_as=Operation.REJECT)


def test_a_post_deleted_mid_round_does_not_block_the_others(
        fake: tuple[FakeFacebook, FakeServer]) -> None:
    platform, server = fake
    gone = platform.add_post("sera supprimée")
    kept = platform.add_post("reste")
    late = platform.add_comment(kept, "toujours là")
    conn = connector(server, post_ids=[gone, kept])
    del platform.comments[gone]  # deleted by the page between two fetches
    platform.posts = [p for p in platform.posts if p["id"] != gone]
    ids, _ = drain(conn)
    assert ids == [f"fb:{late}"]
