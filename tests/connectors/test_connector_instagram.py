"""Instagram connector against a fake Instagram Graph API over loopback HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from connector_support import drain, serve
from fakes.instagram import FakeInstagram
from fakes.server import FakeServer
from vigie.actions import Action
from vigie.connectors.base import Operation, PlatformAction, map_action
from vigie.connectors.errors import AuthExpired
from vigie.connectors.http import RetryPolicy, Secret
from vigie.connectors.instagram import InstagramConnector


@pytest.fixture
def fake() -> Iterator[tuple[FakeInstagram, FakeServer]]:
    yield from serve(FakeInstagram())


def connector(server: FakeServer, platform: FakeInstagram, **kwargs: object
              ) -> InstagramConnector:
    return InstagramConnector(
        "poly-ig", platform.ig_user_id, httpx.Client(timeout=5), Secret("ig-token"),
        base_url=f"{server.url}/v21.0", sleep=lambda s: None,
        retry=RetryPolicy(max_attempts=2, base_delay=0.0), **kwargs,  # type: ignore[arg-type]
    )



def test_fetch_comments_and_all_replies(fake: tuple[FakeInstagram, FakeServer]) -> None:
    platform, server = fake
    media = platform.add_media("Remise des diplômes 🎓")
    top = platform.add_comment(media, "Félicitations!", username="marie.l", user_id="42")
    replies = [platform.add_comment(media, f"merci {i}", parent=top) for i in range(4)]
    conn = connector(server, platform, page_size=1)
    ids, _ = drain(conn)
    # Two replies came nested, the other two through /{comment-id}/replies.
    assert sorted(ids) == sorted(f"ig:{c}" for c in [top, *replies])
    assert platform.calls("GET", f"/{top}/replies")
    comment = conn.fetch(None).comments[0]
    assert comment.author.id == "ig:42" and comment.author.handle == "marie.l"
    assert comment.post is not None and comment.post.text.startswith("Remise")
    assert comment.url is None  # an IG Comment has no address of its own (no permalink)


def test_only_media_whose_count_changed_are_read_again(
        fake: tuple[FakeInstagram, FakeServer]) -> None:
    platform, server = fake
    quiet = platform.add_media("ancienne")
    platform.add_comment(quiet, "vieux commentaire")
    busy = platform.add_media("nouvelle")
    platform.add_comment(busy, "premier")
    conn = connector(server, platform)
    _, cursor = drain(conn)
    platform.requests.clear()
    late = platform.add_comment(busy, "deuxième")
    ids, cursor = drain(conn, cursor)
    assert ids == [f"ig:{late}"]  # the old comment on the same media is not repeated
    assert not platform.calls("GET", f"/{quiet}/comments")
    again, _ = drain(conn, cursor)
    assert again == []


def test_hide_and_delete(fake: tuple[FakeInstagram, FakeServer]) -> None:
    platform, server = fake
    media = platform.add_media("m")
    a, b = platform.add_comment(media, "a"), platform.add_comment(media, "b")
    conn = connector(server, platform)
    assert conn.apply(PlatformAction(f"ig:{a}", (Operation.HIDE,))).ok
    assert conn.apply(PlatformAction(f"ig:{b}", (Operation.DELETE,))).ok
    assert platform.hidden == {a} and platform.deleted == {b}
    assert conn.apply(PlatformAction(f"ig:{a}", (Operation.UNHIDE,))).ok
    assert platform.hidden == set()


def test_block_degrades_to_removal_without_block_api(
        fake: tuple[FakeInstagram, FakeServer]) -> None:
    platform, server = fake
    conn = connector(server, platform)
    mapping = map_action(Action.BLOCK, conn.capabilities)
    assert mapping.operations == (Operation.HIDE,) and mapping.degraded
    outcome = conn.apply(PlatformAction("ig:1", (Operation.BLOCK_AUTHOR,)))
    assert "not supported" in outcome.skipped["block_author"]


def test_expired_token(fake: tuple[FakeInstagram, FakeServer]) -> None:
    platform, server = fake
    platform.expire_token()
    with pytest.raises(AuthExpired, match="190/460"):
        connector(server, platform).fetch(None)


def test_a_media_deleted_mid_round_is_skipped(fake: tuple[FakeInstagram, FakeServer]) -> None:
    platform, server = fake
    gone = platform.add_media("supprimée")  # older: read second
    platform.add_comment(gone, "perdu")
    kept = platform.add_media("reste")
    comment = platform.add_comment(kept, "là")
    conn = connector(server, platform)
    first = conn.fetch(None)
    assert [c.id for c in first.comments] == [f"ig:{comment}"] and first.more
    del platform.top[gone]  # the media is deleted before its turn
    platform.media = [m for m in platform.media if m["id"] != gone]
    rest, cursor = drain(conn, first.cursor)
    assert rest == []
    assert drain(conn, cursor)[0] == []  # and the next round does not trip on it either
