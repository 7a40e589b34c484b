"""The run loop and the outbox sink: failures stay with their account, actions map per platform.

Real fake servers over loopback, a real SQLite store, a stand-in pipeline (``fakes.analyser``):
these tests are about plumbing and failure isolation, not detectors.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from factories import TEST_POLICY, comment, make_policy
from fakes.analyser import KeywordAnalyser
from fakes.facebook import FakeFacebook
from fakes.server import FakeServer, Reply
from fakes.x import FakeX
from fakes.youtube import FakeYouTube
from vigie.connectors.base import Connector
from vigie.connectors.facebook import FacebookConnector
from vigie.connectors.http import RetryPolicy, Secret
from vigie.connectors.importer import ReplayConnector
from vigie.connectors.quota import QuotaBudget
from vigie.connectors.runner import Runner
from vigie.connectors.sink import ConnectorSink
from vigie.connectors.x import XConnector
from vigie.connectors.youtube import YouTubeConnector
from vigie.records import Platform
from vigie.store.outbox import ActionKind, OutboxAction
from vigie.store.store import Store, open_store
from vigie.store.workflow import StoreModerator

NO_RETRY = RetryPolicy(max_attempts=1)


@pytest.fixture
def servers() -> Iterator[dict[str, Any]]:
    fb, x, yt = FakeFacebook(), FakeX(), FakeYouTube()
    with FakeServer(fb) as s1, FakeServer(x) as s2, FakeServer(yt) as s3:
        yield {"fb": (fb, s1), "x": (x, s2), "yt": (yt, s3)}


def fb_connector(server: FakeServer) -> FacebookConnector:
    return FacebookConnector("poly-fb", "1000", httpx.Client(timeout=5), Secret("page-token"),
                             base_url=f"{server.url}/v21.0", retry=NO_RETRY)


def x_connector(server: FakeServer, platform: FakeX, **kw: Any) -> XConnector:
    return XConnector("poly-x", platform.user_id, httpx.Client(timeout=5), Secret("x-token"),
                      base_url=f"{server.url}/2", retry=NO_RETRY, **kw)


def yt_connector(server: FakeServer, platform: FakeYouTube, **kw: Any) -> YouTubeConnector:
    return YouTubeConnector("poly-yt", platform.channel_id, httpx.Client(timeout=5),
                            Secret("yt-token"), base_url=f"{server.url}/youtube/v3",
                            retry=NO_RETRY, **kw)


def make_runner(tmp_path: Path, connectors: list[Connector], alerts: list[tuple[str, str]],
                clock: Any = None) -> tuple[Runner, Store]:
    store = open_store(str(tmp_path / "vigie.sqlite"))
    moderator = StoreModerator(store, make_policy(), TEST_POLICY,
                               pipeline_factory=lambda p: KeywordAnalyser())
    kwargs = {"clock": clock} if clock else {}
    runner = Runner(store, moderator, connectors, alert=lambda a, m: alerts.append((a, m)),
                    **kwargs)
    return runner, store


def test_an_expired_token_stops_one_account_and_alerts(servers: dict[str, Any],
                                                       tmp_path: Path) -> None:
    fb, fb_server = servers["fb"]
    x, x_server = servers["x"]
    post = fb.add_post("Inauguration")
    bad = fb.add_comment(post, "HATEWORD dehors")
    fb.add_comment(post, "Bravo!")
    root = x.post("root")
    x.post("HATEWORD", author=x.add_user("troll"), reply_to=root)
    x.expire_token()
    alerts: list[tuple[str, str]] = []
    runner, _ = make_runner(tmp_path, [fb_connector(fb_server), x_connector(x_server, x)],
                            alerts)
    report = runner.run_round(force=True)
    assert report.fetched["poly-fb"] == 2 and fb.hidden == {bad}
    assert list(report.stopped) == ["poly-x"] and "Unauthorized" in report.stopped["poly-x"]
    assert len(alerts) == 1 and alerts[0][0] == "poly-x"
    assert "renew" in alerts[0][1] and "others go on" in alerts[0][1]
    assert "x-token" not in alerts[0][1]
    # Later rounds keep serving Facebook and never call X again.
    calls = len(x.requests)
    late = fb.add_comment(post, "HATEWORD encore")
    runner.run_round(force=True)
    assert late in fb.hidden and len(x.requests) == calls and len(alerts) == 1


def test_quota_exhaustion_parks_the_account_until_reset(servers: dict[str, Any],
                                                        tmp_path: Path) -> None:
    yt, server = servers["yt"]
    video = yt.add_video("v")
    for i in range(3):
        yt.add_comment(video, f"c{i}")
    now = [1000.0]
    budget = QuotaBudget(103, reserve=100)  # three reads, then the reads are spent
    runner, store = make_runner(tmp_path, [yt_connector(server, yt, budget=budget)], [],
                                clock=lambda: now[0])
    report = runner.run_round()
    state = runner.accounts[0]
    assert state.active and "quota" in (state.reason or "")
    assert state.next_due > now[0] + 3600  # until midnight Pacific, not a tight loop
    fetched_before = report.fetched["poly-yt"]
    budget.used = 0  # the day turned
    now[0] = state.next_due
    report = runner.run_round()
    total = fetched_before + report.fetched["poly-yt"]
    assert total == 3 and store.get_cursor("poly-yt", "fetch") is not None


def test_server_errors_back_off_without_losing_the_cursor(servers: dict[str, Any],
                                                          tmp_path: Path) -> None:
    fb, server = servers["fb"]
    post = fb.add_post("p")
    fb.add_comment(post, "un")
    now = [0.0]
    runner, store = make_runner(tmp_path, [fb_connector(server)], [], clock=lambda: now[0])
    runner.run_round()
    cursor = store.get_cursor("poly-fb", "fetch")
    fb.fail_next(Reply(500, {"error": {"message": "boom", "code": 2}}), times=100)
    runner.run_round(force=True)
    state = runner.accounts[0]
    assert state.failures == 1 and state.next_due == 120.0  # interval 60 s, doubled
    runner.run_round(force=True)
    assert state.failures == 2 and state.next_due == 240.0
    assert store.get_cursor("poly-fb", "fetch") == cursor and state.active


def action(kind: ActionKind, platform: str, comment: str, author: str | None = None
           ) -> OutboxAction:
    return OutboxAction(f"{kind.value}:{comment}", kind, platform, comment, author, None,
                        "6.4 b: test")


def test_sink_maps_outbox_kinds_per_platform(servers: dict[str, Any]) -> None:
    yt, yt_server = servers["yt"]
    x, x_server = servers["x"]
    video = yt.add_video("v")
    a, b = yt.add_comment(video, "a", author="UCa"), yt.add_comment(video, "b", author="UCb")
    root = x.post("root")
    troll = x.add_user("troll")
    reply = x.post("r", author=troll, reply_to=root)
    sink = ConnectorSink([yt_connector(yt_server, yt), x_connector(x_server, x)])

    removed = sink.apply(action(ActionKind.REMOVE_COMMENT, "youtube", f"yt:{a}"))
    assert removed.status == "applied" and '"operations":["reject"]' in removed.detail
    hidden = sink.apply(action(ActionKind.HIDE_COMMENT, "youtube", f"yt:{b}"))
    assert hidden.status == "applied" and '"degraded":true' in hidden.detail
    assert yt.status_of(a) == "rejected" and yt.status_of(b) == "heldForReview"
    banned = sink.apply(action(ActionKind.BLOCK_AUTHOR, "youtube", f"yt:{b}", "yt:UCb"))
    assert banned.status == "applied" and yt.banned == {"UCb"}

    hid = sink.apply(action(ActionKind.REMOVE_COMMENT, "x", f"x:{reply}", f"x:{troll}"))
    assert hid.status == "applied" and x.hidden == {reply}
    block = sink.apply(action(ActionKind.BLOCK_AUTHOR, "x", f"x:{reply}", f"x:{troll}"))
    assert block.status == "failed" and "by hand" in block.detail and not x.blocked


def test_sink_failures_are_outcomes(servers: dict[str, Any]) -> None:
    fb, server = servers["fb"]
    cid = fb.add_comment(fb.add_post("p"), "x")
    expired: list[str] = []
    sink = ConnectorSink([fb_connector(server)],
                         on_auth_expired=lambda c, e: expired.append(c.name))
    fb.fail_next(Reply(400, {"error": {"message": "(#200) Permission denied", "code": 200,
                                       "type": "OAuthException"}}))
    assert sink.apply(action(ActionKind.HIDE_COMMENT, "facebook", f"fb:{cid}")).status == (
        "failed")
    fb.fail_next(Reply(429, {"error": {"message": "(#4) limit", "code": 4}}))
    assert sink.apply(action(ActionKind.HIDE_COMMENT, "facebook", f"fb:{cid}")).status == (
        "retry")
    fb.deleted.add(cid)  # gone meanwhile: the removal's effect holds
    assert sink.apply(action(ActionKind.REMOVE_COMMENT, "facebook", f"fb:{cid}")).status == (
        "applied")
    fb.expire_token()
    result = sink.apply(action(ActionKind.HIDE_COMMENT, "facebook", f"fb:{cid}"))
    assert result.status == "retry" and expired == ["poly-fb"]
    assert sink.apply(action(ActionKind.HIDE_COMMENT, "linkedin", "li:1")).status == "failed"


def test_replay_connector_takes_actions_of_its_records_platforms(tmp_path: Path) -> None:

    records = [comment("HATEWORD ici", cid="yt:c-1").model_copy(
                   update={"platform": Platform.YOUTUBE}),
               comment("SPAMWORD promo", cid="fb:c-2"), comment("Bravo", cid="fb:c-3")]
    replay = ReplayConnector("replay", records)
    runner, _ = make_runner(tmp_path, [replay], [])
    report = runner.run_round(force=True)
    assert report.fetched == {"replay": 3} and report.outbox.applied == 2
    assert replay.state.hidden == {"yt:c-1", "fb:c-2"}  # remove_as=hide; spam is hidden
