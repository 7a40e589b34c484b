"""Restores are applied where the platform can, and reported where it cannot: never dropped.

YouTube publishes a comment held for review again, but refuses to publish a rejected one;
LinkedIn deletes for good. Either way the outbox ends the action ``dead`` with an
``action_failed`` event that says why, for a human to act on.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import httpx
from sqlalchemy import select

from fakes.server import FakeServer
from fakes.youtube import FakeYouTube
from vigie.connectors.base import (
    ActionOutcome,
    Capabilities,
    Operation,
    PlatformAction,
)
from vigie.connectors.http import RetryPolicy, Secret
from vigie.connectors.sink import ConnectorSink
from vigie.connectors.youtube import YouTubeConnector
from vigie.records import Platform
from vigie.store.events import NewEvent, append_events
from vigie.store.outbox import ActionKind, insert_planned, plan_action, run_outbox
from vigie.store.schema import events, outbox


def plan(store: Any, kind: ActionKind, platform: str, comment_id: str, key: str) -> None:
    rows: list[dict[str, Any]] = []
    new: list[NewEvent] = []
    plan_action(kind, key=key, platform=platform, comment_id=comment_id, author_id=None,
                post_id=None, reason="test", when=store.now(), rows=rows, events=new)
    with store.begin() as conn:
        insert_planned(conn, rows)
        append_events(conn, new, store.now())


def failures(store: Any) -> dict[str, dict[str, Any]]:
    with store.read() as conn:
        return {r.subject_id: json.loads(r.payload) for r in conn.execute(
            select(events.c.subject_id, events.c.payload).where(
                events.c.kind == "action_failed"))}


def test_youtube_restores_a_held_comment_and_reports_a_rejected_one(store: Any) -> None:
    yt = FakeYouTube()
    with FakeServer(yt) as server:
        video = yt.add_video("v")
        held, rejected = yt.add_comment(video, "a"), yt.add_comment(video, "b")
        sink = ConnectorSink([YouTubeConnector(
            "poly-yt", yt.channel_id, httpx.Client(timeout=5), Secret("yt-token"),
            base_url=f"{server.url}/youtube/v3", retry=RetryPolicy(max_attempts=1))])
        plan(store, ActionKind.HIDE_COMMENT, "youtube", f"yt:{held}", "hide:1")
        plan(store, ActionKind.REMOVE_COMMENT, "youtube", f"yt:{rejected}", "remove:1")
        assert run_outbox(store, sink).applied == 2
        assert (yt.status_of(held), yt.status_of(rejected)) == ("heldForReview", "rejected")
        plan(store, ActionKind.RESTORE_COMMENT, "youtube", f"yt:{held}", "restore:1")
        plan(store, ActionKind.RESTORE_COMMENT, "youtube", f"yt:{rejected}", "restore:2")
        run = run_outbox(store, sink)
    assert run.applied == 1 and run.dead == 1
    assert yt.status_of(held) == "published"                    # restored
    failed = failures(store)["restore:2"]
    assert failed["final"] and "rejected comment cannot be published" in failed["detail"]


class DeletesOnly:
    """A LinkedIn-like account: delete is all its API offers (no call is expected)."""

    name = "poly-li"
    platform = Platform.LINKEDIN
    capabilities = Capabilities(frozenset({Operation.DELETE}), remove_as=Operation.DELETE)

    def apply(self, action: PlatformAction) -> ActionOutcome:
        raise AssertionError("a restore must not reach a platform that cannot restore")

    def apply_many(self, actions: Sequence[PlatformAction]) -> list[ActionOutcome]:
        return [self.apply(a) for a in actions]

    def fetch(self, cursor: str | None) -> Any:
        raise AssertionError

    def close(self) -> None:
        pass


def test_a_restore_the_platform_cannot_do_is_reported_not_dropped(store: Any) -> None:
    plan(store, ActionKind.RESTORE_COMMENT, "linkedin", "li:urn-1", "restore:li")
    run = run_outbox(store, ConnectorSink([DeletesOnly()]))  # type: ignore[list-item]
    assert (run.applied, run.dead) == (0, 1)
    failed = failures(store)["restore:li"]
    assert failed["final"] and "linkedin cannot restore a comment" in failed["detail"]
    with store.read() as conn:
        assert conn.execute(select(outbox.c.status)).scalar_one() == "dead"
