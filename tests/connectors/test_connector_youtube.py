"""YouTube connector against a fake YouTube Data API v3 over loopback HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from connector_support import drain, serve
from fakes.server import FakeServer
from fakes.youtube import FakeYouTube, google_error
from vigie.actions import Action
from vigie.connectors.base import Operation, PlatformAction, map_action
from vigie.connectors.errors import AuthExpired, QuotaExhausted
from vigie.connectors.http import RetryPolicy, Secret
from vigie.connectors.quota import QuotaBudget
from vigie.connectors.youtube import YouTubeConnector


@pytest.fixture
def fake() -> Iterator[tuple[FakeYouTube, FakeServer]]:
    yield from serve(FakeYouTube())


def connector(server: FakeServer, platform: FakeYouTube, **kwargs: object) -> YouTubeConnector:
    return YouTubeConnector(
        "poly-yt", platform.channel_id, httpx.Client(timeout=5), Secret("yt-token"),
        base_url=f"{server.url}/youtube/v3", sleep=lambda s: None,
        retry=RetryPolicy(max_attempts=2, base_delay=0.0), **kwargs,  # type: ignore[arg-type]
    )



def test_fetch_threads_of_every_status_with_replies(fake: tuple[FakeYouTube, FakeServer]) -> None:
    platform, server = fake
    video = platform.add_video("Portes ouvertes 2025", "Visite des labos")
    top = platform.add_comment(video, "Super vidéo!", author="UCa", name="Alex")
    replies = [platform.add_comment(video, f"réponse {i}", parent=top) for i in range(3)]
    held = platform.add_comment(video, "achetez des abonnés", status="heldForReview")
    spam = platform.add_comment(video, "crypto x100", status="likelySpam")
    conn = connector(server, platform)
    ids, _ = drain(conn)
    assert sorted(ids) == sorted(f"yt:{c}" for c in [top, *replies, held, spam])
    assert {c.query["moderationStatus"] for c in platform.calls("GET", "/commentThreads")} == {
        "published", "heldForReview", "likelySpam"}
    # The three replies exceed the two embedded: comments.list?parentId= fetched them.
    assert platform.calls("GET", "/comments")[0].query["parentId"] == top
    first = conn.fetch(None).comments[0]
    assert first.author.id == "yt:UCa" and first.author.handle == "alex"
    assert first.post is not None and first.post.text.startswith("Portes ouvertes 2025")


def test_second_round_reads_only_what_is_new(fake: tuple[FakeYouTube, FakeServer]) -> None:
    platform, server = fake
    video = platform.add_video("v")
    threads = [platform.add_comment(video, f"c{i}") for i in range(150)]  # two pages
    conn = connector(server, platform)
    ids, cursor = drain(conn)
    assert len(ids) == 150
    new_top = platform.add_comment(video, "nouveau")
    late_reply = platform.add_comment(video, "réponse tardive", parent=threads[-1])
    platform.requests.clear()
    again, _ = drain(connector(server, platform), cursor)  # a restarted connector
    assert sorted(again) == sorted([f"yt:{new_top}", f"yt:{late_reply}"])
    # Published: one page was enough (the high-water mark was met on it).
    published = [c for c in platform.calls("GET", "/commentThreads")
                 if c.query["moderationStatus"] == "published"]
    assert len(published) == 1


def test_moderation_in_batches_of_50(fake: tuple[FakeYouTube, FakeServer]) -> None:
    platform, server = fake
    video = platform.add_video("v")
    ids = [platform.add_comment(video, f"spam {i}", author=f"UC{i}") for i in range(120)]
    conn = connector(server, platform)
    actions = [PlatformAction(f"yt:{c}", (Operation.REJECT,)) for c in ids[:110]]
    actions += [PlatformAction(f"yt:{c}", (Operation.REJECT, Operation.BLOCK_AUTHOR))
                for c in ids[110:115]]
    actions += [PlatformAction(f"yt:{c}", (Operation.HOLD,)) for c in ids[115:]]
    outcomes = conn.apply_many(actions)
    assert all(o.ok for o in outcomes)
    sizes = sorted(len(c["ids"].split(",")) for c in platform.moderation_calls)
    assert sizes == [5, 5, 10, 50, 50]
    assert platform.statuses() == {"rejected": 115, "heldForReview": 5}
    assert platform.banned == {f"UC{i}" for i in range(110, 115)}
    assert conn.budget.used == 5 * 50


def test_a_comment_deleted_meanwhile_does_not_sink_its_batch(
        fake: tuple[FakeYouTube, FakeServer]) -> None:
    platform, server = fake
    video = platform.add_video("v")
    ids = [platform.add_comment(video, f"c{i}") for i in range(3)]
    conn = connector(server, platform)
    gone = "Ugw-deleted-by-author"
    outcomes = conn.apply_many([PlatformAction(f"yt:{c}", (Operation.REJECT,))
                                for c in [ids[0], gone, ids[1]]])
    assert [o.ok for o in outcomes] == [True, False, True]
    assert "no longer exists" in outcomes[1].skipped["reject"]
    assert platform.status_of(ids[0]) == platform.status_of(ids[1]) == "rejected"


def test_refusals_among_existing_comments_are_isolated_at_bounded_cost(
        fake: tuple[FakeYouTube, FakeServer]) -> None:
    platform, server = fake
    video = platform.add_video("v")
    ids = [platform.add_comment(video, f"c{i}") for i in range(8)]
    refused = {ids[1], ids[6]}  # one in each half: halving would not narrow it down
    platform.fail_next(google_error(400, "processingFailure", "Processing failure."),
                       times=100, when=lambda r: r.method == "POST" and bool(
                           refused & set(r.query.get("id", "").split(","))))
    conn = connector(server, platform)
    outcomes = conn.apply_many([PlatformAction(f"yt:{c}", (Operation.REJECT,)) for c in ids])
    assert [o.ok for o in outcomes] == [c not in refused for c in ids]
    assert "refused: " in outcomes[1].skipped["reject"]
    assert "processingFailure" in outcomes[1].skipped["reject"]
    assert {c for c in ids if platform.status_of(c) == "rejected"} == set(ids) - refused
    # 8 refused -> lookup -> 4|4 both refused -> one id per call: 1 + 2 + 8 calls, never far
    # above the 8 calls of one id each.
    sizes = [len(r.query["id"].split(",")) for r in platform.calls("POST")]
    assert sizes == [8, 4, 4] + [1] * 8


def test_an_id_twice_in_a_batch_is_sent_once(fake: tuple[FakeYouTube, FakeServer]) -> None:
    platform, server = fake
    comment = platform.add_comment(platform.add_video("v"), "c")
    outcomes = connector(server, platform).apply_many(
        [PlatformAction(f"yt:{comment}", (Operation.REJECT,))] * 2
        + [PlatformAction("fb:not-youtube", (Operation.REJECT,))])
    assert [o.ok for o in outcomes] == [True, True, False]
    assert "not a youtube id" in outcomes[2].skipped["reject"]
    assert platform.moderation_calls == [{"ids": comment, "status": "rejected",
                                          "ban": "false"}]


def test_capability_mapping_youtube_has_no_hide(fake: tuple[FakeYouTube, FakeServer]) -> None:
    platform, server = fake
    caps = connector(server, platform).capabilities
    assert map_action(Action.HIDE, caps).operations == (Operation.HOLD,)
    assert map_action(Action.REVIEW, caps).operations == (Operation.HOLD,)
    assert map_action(Action.REMOVE, caps).operations == (Operation.REJECT,)
    assert map_action(Action.BLOCK, caps).operations == (Operation.REJECT, Operation.BLOCK_AUTHOR)


def test_local_budget_stops_cleanly_before_the_platform_refuses(
        fake: tuple[FakeYouTube, FakeServer]) -> None:
    platform, server = fake
    video = platform.add_video("v")
    ids = [platform.add_comment(video, f"c{i}") for i in range(3)]
    budget = QuotaBudget(100, reserve=80)
    conn = connector(server, platform, budget=budget)
    drain(conn)  # reads: a few units, below the 20 reads may use
    conn.apply(PlatformAction(f"yt:{ids[0]}", (Operation.REJECT,)))  # 50 from the reserve
    sent = len(platform.requests)
    with pytest.raises(QuotaExhausted) as raised:
        conn.apply(PlatformAction(f"yt:{ids[1]}", (Operation.REJECT,)))
    assert len(platform.requests) == sent  # refused locally: nothing sent
    assert 0 < (raised.value.retry_after or 0) <= 24 * 3600
    assert platform.status_of(ids[1]) == "published"


def test_server_quota_exceeded_stops_until_reset(fake: tuple[FakeYouTube, FakeServer]) -> None:
    platform, server = fake
    platform.daily_quota = 0  # spent elsewhere (another app on the same project)
    conn = connector(server, platform)
    with pytest.raises(QuotaExhausted, match="quotaExceeded"):
        conn.fetch(None)
    assert conn.budget.remaining == 0 and len(platform.requests) == 1
    with pytest.raises(QuotaExhausted):
        conn.fetch(None)
    assert len(platform.requests) == 1  # the budget now refuses locally


def test_quota_day_resets_at_midnight_pacific() -> None:
    clock = [datetime(2025, 3, 18, 6, 59, tzinfo=UTC)]  # 23:59 PDT on the 17th
    budget = QuotaBudget(100, reserve=0, now=lambda: clock[0])
    budget.spend(100)
    with pytest.raises(QuotaExhausted) as raised:
        budget.spend(1)
    assert raised.value.retry_after == pytest.approx(60, abs=1)
    clock[0] = datetime(2025, 3, 18, 7, 1, tzinfo=UTC)
    budget.spend(1)
    assert budget.used == 1


def test_expired_token_is_auth_expired(fake: tuple[FakeYouTube, FakeServer]) -> None:
    platform, server = fake
    platform.expire_token()
    with pytest.raises(AuthExpired, match="authError"):
        connector(server, platform).fetch(None)


def test_ban_requires_reject() -> None:
    conn = YouTubeConnector("x", "UC", httpx.Client(), Secret("t"))
    with pytest.raises(ValueError, match="banAuthor"):
        conn.set_moderation_status(["a"], "heldForReview", ban_author=True)
    with pytest.raises(ValueError, match="1 to 50"):
        conn.set_moderation_status([str(i) for i in range(51)], "rejected")
