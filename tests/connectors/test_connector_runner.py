"""The run loop and the outbox sink: failures stay with their account, actions map per platform.

Real fake servers over loopback, a real SQLite store, a stand-in pipeline (``fakes.analyser``):
these tests are about plumbing and failure isolation, not detectors.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from factories import TEST_POLICY, comment, make_policy
from fakes.analyser import KeywordAnalyser
from fakes.facebook import FakeFacebook
from fakes.server import FakeServer, Reply
from fakes.x import FakeX
from fakes.youtube import FakeYouTube, google_error
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
from vigie.store.events import iter_events, verify_chain
from vigie.store.outbox import ActionKind, ActionResult, OutboxAction, run_outbox
from vigie.store.outbox_claims import claim
from vigie.store.schema import events, outbox
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


def test_sink_batches_fall_back_per_account_and_per_action(servers: dict[str, Any]) -> None:
    yt, server = servers["yt"]
    video = yt.add_video("v")
    ids = [yt.add_comment(video, f"c{i}") for i in range(3)]
    removals = [action(ActionKind.REMOVE_COMMENT, "youtube", f"yt:{c}") for c in ids]
    # An account whose token may not moderate this channel: its refusal sends the whole
    # batch to the next account, still as one call.
    yt.valid_tokens.add("other-token")
    yt.fail_next(google_error(403, "forbidden", "Insufficient permissions."), times=100,
                 when=lambda r: yt.bearer(r) == "other-token")
    foreign = YouTubeConnector("other-yt", "UCother", httpx.Client(timeout=5),
                               Secret("other-token"), base_url=f"{server.url}/youtube/v3",
                               retry=NO_RETRY)
    sink = ConnectorSink([foreign, yt_connector(server, yt)])
    results = sink.apply_many(removals[:2])
    assert [r.status for r in results] == ["applied"] * 2
    assert [r.platform_ref for r in results] == [f"poly-yt:yt:{c}" for c in ids[:2]]
    assert [c["ids"] for c in yt.moderation_calls] == [",".join(ids[:2])]
    # A whole call refused and not sorted out by the connector (its lookup failed too):
    # each action alone says which comment was gone.
    yt.moderation_calls.clear()
    del yt.comments[ids[1]]
    yt.fail_next(google_error(404, "commentNotFound", "Not found."), times=1,
                 when=lambda r: r.method == "GET")
    results = ConnectorSink([yt_connector(server, yt)]).apply_many(
        [removals[0], removals[1], removals[2]])
    assert [r.status for r in results] == ["applied"] * 3
    assert "no longer exists" in results[1].detail and yt.status_of(ids[2]) == "rejected"
    assert [c["ids"] for c in yt.moderation_calls] == [ids[0], ids[2]]


def test_replay_connector_takes_actions_of_its_records_platforms(tmp_path: Path) -> None:

    records = [comment("HATEWORD ici", cid="yt:c-1").model_copy(
                   update={"platform": Platform.YOUTUBE}),
               comment("SPAMWORD promo", cid="fb:c-2"), comment("Bravo", cid="fb:c-3")]
    replay = ReplayConnector("replay", records)
    runner, _ = make_runner(tmp_path, [replay], [])
    report = runner.run_round(force=True)
    assert report.fetched == {"replay": 3} and report.outbox.applied == 2
    assert replay.state.hidden == {"yt:c-1", "fb:c-2"}  # remove_as=hide; spam is hidden


# -- YouTube's batched moderation through the outbox (SQLite and PostgreSQL) -----------------


class OneAtATime:
    """The connector sink without ``apply_many``: what the worker did before batches."""

    def __init__(self, sink: ConnectorSink) -> None:
        self.sink = sink

    def apply(self, action: OutboxAction) -> ActionResult:
        return self.sink.apply(action)


def plan_youtube(yt: FakeYouTube, moderator: Any, comment_factory: Any, n: int,
                 text: str = "SPAM") -> list[str]:
    """``n`` comments on the fake channel, decided by the store: one outbox action each."""
    video = yt.add_video("v")
    ids = [yt.add_comment(video, f"c{i}", author=f"UC{i}") for i in range(n)]
    moderator.process([comment_factory(f"yt:{c}", text, author=f"yt:UC{i}",
                                       platform="youtube", post=f"yt:{video}")
                       for i, c in enumerate(ids)])
    return ids


def outbox_rows(store: Any) -> list[tuple[str, str, int]]:
    with store.read() as conn:
        return [(r.comment_id, r.status, r.attempts) for r in conn.execute(
            select(outbox.c.comment_id, outbox.c.status, outbox.c.attempts)
            .order_by(outbox.c.pk))]


def event_kinds(store: Any, *kinds: str) -> list[str]:
    with store.read() as conn:
        return list(conn.execute(select(events.c.subject_id).where(
            events.c.kind.in_(kinds)).order_by(events.c.seq)).scalars())


@pytest.mark.parametrize(("batched", "calls", "units"), [(True, 3, 150), (False, 120, 6000)],
                         ids=["batched", "one-at-a-time"])
def test_youtube_removals_go_50_ids_per_call(servers: dict[str, Any], store: Any,
                                             moderator: Any, comment_factory: Any,
                                             batched: bool, calls: int, units: int) -> None:
    yt, server = servers["yt"]
    ids = plan_youtube(yt, moderator, comment_factory, 120)
    conn = yt_connector(server, yt)
    sink = ConnectorSink([conn])
    run = run_outbox(store, sink if batched else OneAtATime(sink))
    assert run.applied == 120 and not run.errors
    # 120 removals: 3 calls of 50 units (50 + 50 + 20 ids) instead of 120 calls of 50 units.
    assert len(yt.moderation_calls) == calls and yt.units == units == conn.budget.used
    assert yt.statuses() == {"rejected": 120}
    assert outbox_rows(store) == [(f"yt:{c}", "applied", 1) for c in ids]
    assert len(event_kinds(store, "action_applied")) == 120
    assert run_outbox(store, sink).applied == 0 and yt.units == units


def test_a_partial_failure_in_a_youtube_batch_is_settled_per_id(
        servers: dict[str, Any], store: Any, moderator: Any, comment_factory: Any) -> None:
    yt, server = servers["yt"]
    ids = plan_youtube(yt, moderator, comment_factory, 10)
    gone, poisoned = ids[3], ids[7]
    del yt.comments[gone]  # deleted by its author after the decision
    yt.fail_next(google_error(400, "processingFailure", "The API server failed to process "
                              "the request."), times=100,
                 when=lambda r: r.method == "POST"
                 and poisoned in r.query.get("id", "").split(","))
    conn = yt_connector(server, yt)
    run = run_outbox(store, ConnectorSink([conn]))
    assert (run.applied, run.retried, run.dead) == (9, 0, 1)
    assert {c for c in ids if yt.comments.get(c, {}).get("snippet", {}).get(
        "moderationStatus") == "rejected"} == set(ids) - {gone, poisoned}
    assert outbox_rows(store) == [(f"yt:{c}", "dead" if c == poisoned else "applied", 1)
                                  for c in ids]
    with store.read() as conn_:
        failed = [e for e in iter_events(conn_) if e.kind == "action_failed"]
        gone_event = next(e for e in iter_events(conn_, subject_type="action")
                          if e.kind == "action_applied" and gone in e.subject_id)
    assert len(failed) == 1 and poisoned in failed[0].subject_id and failed[0].payload["final"]
    assert "processingFailure" in failed[0].payload["detail"]
    assert "no longer exists" in gone_event.payload["detail"]
    # The 10-id call refused; one lookup (1 unit) finds the gone comment; the 9 others sent
    # again, refused; halving isolates the poisoned id: 9 -> 4 ok | 5 -> 2 ok | 3 -> 1 | 2 ok.
    sizes = [len(r.query["id"].split(",")) for r in yt.calls("POST", "setModerationStatus")]
    assert sizes == [10, 9, 4, 5, 2, 3, 1, 2]
    assert conn.budget.used == 50 * len(sizes) + 1 < 50 * 10


def test_a_throttled_youtube_batch_is_retried_with_backoff(
        servers: dict[str, Any], store: Any, moderator: Any, comment_factory: Any,
        store_clock: Any) -> None:
    yt, server = servers["yt"]
    plan_youtube(yt, moderator, comment_factory, 60)
    yt.fail_next(google_error(503, "backendError", "Backend Error"), times=1,
                 when=lambda r: r.method == "POST")
    sink = ConnectorSink([yt_connector(server, yt)])
    run = run_outbox(store, sink)
    assert (run.applied, run.retried) == (10, 50)   # the 50-id call failed, the 10-id one not
    assert "TransientError" in run.errors[0]
    assert run_outbox(store, sink).applied == 0     # backing off
    store_clock.advance(seconds=61)
    assert run_outbox(store, sink).applied == 50
    assert yt.statuses() == {"rejected": 60}
    assert sorted(a for _, _, a in outbox_rows(store)) == [1] * 10 + [2] * 50


def test_quota_spent_mid_pass_keeps_the_calls_already_made(
        servers: dict[str, Any], store: Any, moderator: Any, comment_factory: Any) -> None:
    yt, server = servers["yt"]
    plan_youtube(yt, moderator, comment_factory, 120)
    budget = QuotaBudget(150, reserve=100)
    budget.used = 50  # today's reads: 100 units left, two moderation calls
    conn = yt_connector(server, yt, budget=budget)
    run = run_outbox(store, ConnectorSink([conn]))
    assert (run.applied, run.retried) == (100, 20) and "quota" in run.errors[0]
    assert len(yt.moderation_calls) == 2 and yt.statuses() == {"rejected": 100,
                                                                 "published": 20}


def test_actions_claimed_by_another_worker_are_skipped(servers: dict[str, Any], store: Any,
                                                       moderator: Any, comment_factory: Any,
                                                       store_clock: Any) -> None:
    yt, server = servers["yt"]
    ids = plan_youtube(yt, moderator, comment_factory, 70)
    sink = ConnectorSink([yt_connector(server, yt)])
    with store.begin() as other:  # another worker claims the first 20 due rows, and is sending
        first = other.execute(select(outbox).order_by(outbox.c.pk).limit(20)).all()
        assert len(claim(other, first, store.now())) == 20
    assert run_outbox(store, sink).applied == 50
    assert [len(c["ids"].split(",")) for c in yt.moderation_calls] == [50]
    assert {c for c in ids if yt.status_of(c) == "rejected"} == set(ids[20:])
    assert run_outbox(store, sink).applied == 0          # their lease still holds
    store_clock.advance(minutes=6)                      # the other worker died: in doubt now
    assert run_outbox(store, sink).applied == 20


# -- the audit trail of accounts ------------------------------------------------------------


def account_events(store: Store) -> list[tuple[str, dict[str, Any]]]:
    with store.read() as conn:
        return [(e.kind, e.payload) for e in iter_events(conn, subject_type="connector")]


def test_a_stopped_account_is_in_the_audit_trail_until_it_acts_again(
        servers: dict[str, Any], tmp_path: Path) -> None:
    x, x_server = servers["x"]
    x.post("root")
    x.expire_token()
    runner, store = make_runner(tmp_path, [x_connector(x_server, x)], [])
    runner.run_round(force=True)
    runner.run_round(force=True)  # stopped: no second event
    [(kind, payload)] = account_events(store)
    assert kind == "connector_stopped"
    assert payload["account"] == "poly-x" and payload["platform"] == "x"
    assert "Unauthorized" in payload["reason"] and "x-token" not in json.dumps(payload)
    # Restarted with a renewed token: its first good poll says so.
    x.valid_tokens = {"x-token"}
    restarted, _ = make_runner(tmp_path, [x_connector(x_server, x)], [])
    restarted.run_round(force=True)
    restarted.run_round(force=True)
    assert [k for k, _ in account_events(store)] == ["connector_stopped", "connector_resumed"]
    assert account_events(store)[1][1]["after"] == "connector_stopped"
    with store.read() as conn:
        assert verify_chain(conn).ok


def test_a_parked_account_is_in_the_audit_trail_once_per_episode(
        servers: dict[str, Any], tmp_path: Path) -> None:
    yt, server = servers["yt"]
    video = yt.add_video("v")
    yt.add_comment(video, "c0")
    now = [1000.0]
    budget = QuotaBudget(101, reserve=100)  # one read, then the reads are spent
    runner, store = make_runner(tmp_path, [yt_connector(server, yt, budget=budget)], [],
                                clock=lambda: now[0])
    runner.run_round()
    now[0] = runner.accounts[0].next_due
    runner.run_round()  # still spent: the same episode, no second event
    [(kind, payload)] = account_events(store)
    assert kind == "connector_parked" and payload["error"] == "QuotaExhausted"
    assert payload["account"] == "poly-yt" and payload["platform"] == "youtube"
    assert "quota" in payload["reason"] and payload["until"] > "2025"
    budget.used, budget.daily_units = 0, 10_000  # the day turned (and Google granted more)
    now[0] = runner.accounts[0].next_due
    runner.run_round()
    runner.run_round(force=True)
    assert [k for k, _ in account_events(store)] == ["connector_parked", "connector_resumed"]


def test_a_token_expired_while_applying_is_in_the_audit_trail(servers: dict[str, Any],
                                                             tmp_path: Path) -> None:
    fb, server = servers["fb"]
    fb.add_comment(fb.add_post("p"), "HATEWORD")
    runner, store = make_runner(tmp_path, [fb_connector(server)], [])
    runner.poll(runner.accounts[0])  # decided and planned
    fb.expire_token()
    run = runner.apply_actions()
    assert run.retried == 1 and not runner.accounts[0].active
    assert [k for k, _ in account_events(store)] == ["connector_stopped"]


def test_a_restart_with_a_renewed_token_applies_at_once(servers: dict[str, Any],
                                                        tmp_path: Path) -> None:
    fb, server = servers["fb"]
    bad = fb.add_comment(fb.add_post("p"), "HATEWORD")
    runner, store = make_runner(tmp_path, [fb_connector(server)], [])
    runner.poll(runner.accounts[0])
    fb.expire_token()
    assert runner.apply_actions().retried == 1          # backed off (30 s and doubling)
    assert runner.apply_actions().retried == 0          # still waiting
    store.dispose()
    fb.valid_tokens.add("page-token")                   # the operator renews the token...
    restarted, store = make_runner(tmp_path, [fb_connector(server)], [])  # ...and restarts
    assert restarted.apply_actions().applied == 1 and fb.hidden == {bad}


def test_vigie_run_signs_audit_checkpoints_when_due(servers: dict[str, Any],
                                                    tmp_path: Path) -> None:
    from vigie.store.checkpoints import Checkpointer, generate_key, load_private_key

    fb, server = servers["fb"]
    fb.add_comment(fb.add_post("p"), "HATEWORD")
    generate_key(tmp_path / "k", tmp_path / "k.pub")
    runner, store = make_runner(tmp_path, [fb_connector(server)], [])
    now = [0.0]
    runner.checkpointer = Checkpointer(store, load_private_key(tmp_path / "k"),
                                       tmp_path / "cp.jsonl", 3600.0, clock=lambda: now[0])
    runner.run_round(force=True)
    runner.run_round(force=True)                       # within the hour: no second one
    lines = (tmp_path / "cp.jsonl").read_text().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["seq"] > 0
