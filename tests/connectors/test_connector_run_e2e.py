"""End to end: a fake Facebook page with 500 dev-set comments, moderated by the run loop.

The page is a real HTTP server on loopback (``fakes.facebook``); the store is a real SQLite
database; the pipeline is the bundled policy's. A crash is simulated in the middle of the run;
the restarted run must end with exactly the comments the policy removes hidden on the page,
each hidden once, every comment decided once, and the authors the policy blocks blocked.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from factories import DEV_SET, TEST_POLICY, make_policy, needs_dev_set
from fakes.analyser import KeywordAnalyser
from fakes.facebook import FakeFacebook, sign_body
from fakes.server import FakeServer
from vigie.actions import REMOVING_ACTIONS, Action
from vigie.connectors.base import native_id
from vigie.connectors.facebook import FacebookConnector
from vigie.connectors.http import RetryPolicy, Secret
from vigie.connectors.runner import Runner, post_lookup, store_ingest
from vigie.connectors.webhooks import handle_facebook_webhook
from vigie.pipeline import Pipeline
from vigie.policy import default_policy_path, load_policy
from vigie.records import Comment, Platform
from vigie.store.schema import comments, decisions, outbox
from vigie.store.store import Store, open_store
from vigie.store.workflow import StoreModerator

N_COMMENTS = 500


class Crash(BaseException):
    """A process death: nothing below ``BaseException`` catches it."""


def seed_page(platform: FakeFacebook) -> None:
    rows = [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    posts: dict[str, str] = {}
    fake_ids: dict[str, str] = {}
    start = dt.datetime(2025, 3, 18, 14, 0, tzinfo=dt.UTC)
    for i in range(N_COMMENTS):
        row = rows[i % len(rows)]
        post = row.get("post") or {"id": "none", "text": ""}
        if post["id"] not in posts:
            posts[post["id"]] = platform.add_post(post["text"])
        author = row["author"]
        parent = fake_ids.get(row.get("parent_id") or "") if i < len(rows) else None
        fake_ids[row["id"]] = platform.add_comment(
            posts[post["id"]], row["text"], from_id=str(zlib.crc32(author["id"].encode())),
            from_name=author.get("name") or "", parent=parent,
            created=start + dt.timedelta(minutes=i))


@pytest.fixture
def page() -> Iterator[tuple[FakeFacebook, FakeServer]]:
    platform = FakeFacebook()
    seed_page(platform)
    with FakeServer(platform) as server:
        yield platform, server


@pytest.fixture(scope="module")
def policy_and_pipeline() -> tuple[Any, Pipeline]:
    policy = load_policy()
    return policy, Pipeline.from_policy(policy)


def make_runner(server: FakeServer, db: Path, policy: Any, pipeline: Pipeline,
                clock: Any = None, policy_text: str | None = None
                ) -> tuple[Runner, Store, FacebookConnector]:
    store = open_store(str(db), clock=clock) if clock else open_store(str(db))
    text = policy_text or default_policy_path().read_text(encoding="utf-8")
    moderator = StoreModerator(store, policy, text, pipeline_factory=lambda p: pipeline)
    connector = FacebookConnector("poly-fb", "1000", httpx.Client(timeout=10),
                                  Secret("page-token"), base_url=f"{server.url}/v21.0",
                                  max_posts=100, page_size=25, sleep=lambda s: None,
                                  retry=RetryPolicy(max_attempts=2, base_delay=0.0))
    return Runner(store, moderator, [connector]), store, connector


def expected_removals(server: FakeServer, pipeline: Pipeline) -> set[str]:
    """What the policy removes, judged offline on the comments as the connector maps them."""
    conn = FacebookConnector("offline", "1000", httpx.Client(timeout=10), Secret("page-token"),
                             base_url=f"{server.url}/v21.0", max_posts=100)
    fetched: list[Comment] = []
    cursor = None
    while True:
        result = conn.fetch(cursor)
        fetched.extend(result.comments)
        cursor = result.cursor
        if not result.more:
            break
    assert len(fetched) == N_COMMENTS
    decided = pipeline.moderate(fetched)
    return {native_id(Platform.FACEBOOK, c.id) for c, d in zip(fetched, decided, strict=True)
            if d.action in REMOVING_ACTIONS}


def stored_decisions(store: Store) -> dict[str, dict[str, Any]]:
    with store.read() as conn:
        rows = conn.execute(select(comments.c.comment_id, decisions.c.body).join(
            decisions, decisions.c.comment_pk == comments.c.pk)).all()
    return {cid: json.loads(body) for cid, body in rows}


@needs_dev_set
@pytest.mark.shared_data
@pytest.mark.slow
def test_crash_between_decision_and_cursor_loses_and_repeats_nothing(
        page: tuple[FakeFacebook, FakeServer], tmp_path: Path,
        policy_and_pipeline: tuple[Any, Pipeline]) -> None:
    platform, server = page
    policy, pipeline = policy_and_pipeline
    db = tmp_path / "vigie.sqlite"
    runner, store, _ = make_runner(server, db, policy, pipeline)
    saves = {"n": 0}
    original = store.set_cursor

    def crashing_set_cursor(*args: Any, **kwargs: Any) -> None:
        saves["n"] += 1
        if saves["n"] == 4:  # the 4th page is decided and planned, its cursor never saved
            raise Crash
        original(*args, **kwargs)

    store.set_cursor = crashing_set_cursor  # type: ignore[method-assign]
    with pytest.raises(Crash):
        runner.run_round(force=True)
    assert not platform.hidden  # the crash came before any action was applied
    partial = len(stored_decisions(store))
    assert 0 < partial < N_COMMENTS
    store.dispose()

    restarted, store, _ = make_runner(server, db, policy, pipeline)
    report = restarted.run_round(force=True)
    assert report.outbox.dead == 0 and report.outbox.retried == 0

    expected = expected_removals(server, pipeline)
    assert expected, "the dev set must contain comments the policy removes"
    assert platform.hidden == expected
    # Each removal hidden by exactly one call: the re-fetched page planned nothing new.
    hides = {cid: n for (op, cid), n in platform.moderation_calls.items() if op == "hide"}
    assert set(hides) == expected and set(hides.values()) == {1}
    assert not platform.deleted  # remove_as=hide: reversible on appeal
    decided = stored_decisions(store)
    assert len(decided) == N_COMMENTS
    with store.read() as conn:
        assert conn.execute(select(func.count()).select_from(comments)).scalar() == N_COMMENTS
        keys = list(conn.execute(select(outbox.c.key)).scalars())
    assert len(keys) == len(set(keys))
    blocked_authors = {platform.by_id[native_id(Platform.FACEBOOK, cid)]["from"]["id"]
                       for cid, body in decided.items() if body["action"] == Action.BLOCK.value}
    assert platform.blocked == blocked_authors
    # A second run finds nothing new and does nothing.
    calls_before = sum(platform.moderation_calls.values())
    again = restarted.run_round(force=True)
    assert sum(again.fetched.values()) == 0 and again.outbox.applied == 0
    assert sum(platform.moderation_calls.values()) == calls_before


@needs_dev_set
@pytest.mark.shared_data
@pytest.mark.slow
def test_crash_while_applying_actions_converges(
        page: tuple[FakeFacebook, FakeServer], tmp_path: Path,
        policy_and_pipeline: tuple[Any, Pipeline]) -> None:
    platform, server = page
    policy, pipeline = policy_and_pipeline
    db = tmp_path / "vigie.sqlite"
    now = [dt.datetime(2025, 3, 19, 12, 0, tzinfo=dt.UTC)]
    runner, store, connector = make_runner(server, db, policy, pipeline, clock=lambda: now[0])
    applied = {"n": 0}
    original = connector.apply

    def dying_apply(action: Any) -> Any:
        outcome = original(action)
        applied["n"] += 1
        if applied["n"] == 5:  # the platform hid it; the process dies before recording that
            raise Crash
        return outcome

    connector.apply = dying_apply  # type: ignore[method-assign]
    with pytest.raises(Crash):
        runner.run_round(force=True)
    assert len(platform.hidden) == 5
    store.dispose()

    now[0] += dt.timedelta(minutes=6)  # the dead worker's claim (5-minute lease) expires
    restarted, store, _ = make_runner(server, db, policy, pipeline, clock=lambda: now[0])
    restarted.run_round(force=True)
    expected = expected_removals(server, pipeline)
    assert platform.hidden == expected
    hides = [n for (op, _), n in platform.moderation_calls.items() if op == "hide"]
    # The actions in flight at the crash were read back on the page, not sent again.
    assert len(hides) == len(expected) and set(hides) == {1}


def test_webhook_signed_ingested_once_forged_rejected(tmp_path: Path) -> None:
    platform = FakeFacebook()
    post = platform.add_post("Journée portes ouvertes samedi")
    policy = make_policy()
    with FakeServer(platform) as server:
        runner, store, _ = make_runner(server, tmp_path / "vigie.sqlite", policy,
                                       KeywordAnalyser(),  # type: ignore[arg-type]
                                       policy_text=TEST_POLICY)
        text = "Retourne chez vous HATEWORD"
        comment_id = platform.add_comment(post, text, from_id="31337")
        value = {"from": {"id": "31337", "name": "Troll"}, "post_id": post,
                 "comment_id": comment_id, "created_time": 1742306742, "item": "comment",
                 "parent_id": post, "verb": "add", "message": text}
        body = json.dumps({"object": "page", "entry": [{"id": "1000", "time": int(time.time()),
                           "changes": [{"field": "feed", "value": value}]}]}).encode()
        secret = Secret("app-secret")
        ingest = store_ingest(store)
        forged = handle_facebook_webhook({"X-Hub-Signature-256": sign_body("guess", body)},
                                         body, app_secret=secret, ingest=ingest)
        assert forged[0] == 403
        headers = {"X-Hub-Signature-256": sign_body("app-secret", body)}
        for _ in range(2):  # Meta delivers at least once
            assert handle_facebook_webhook(headers, body, app_secret=secret, ingest=ingest,
                                           post_lookup=post_lookup(store))[0] == 200
        with store.read() as conn:
            stored = conn.execute(select(func.count()).select_from(comments).where(
                comments.c.comment_id == f"fb:{comment_id}")).scalar()
        assert stored == 1
        # Pushed comments are decided without waiting for a poll...
        assert runner.decide_pending() == 1
        assert stored_decisions(store)[f"fb:{comment_id}"]["action"] == "remove"
        # ...and the next round's poll sees it again without deciding or planning it twice.
        report = runner.run_round(force=True)
        assert report.fetched == {"poly-fb": 1} and report.decided_pending == 0
        assert report.outbox.applied == 1 and platform.hidden == {comment_id}
        assert platform.moderation_calls[("hide", comment_id)] == 1
