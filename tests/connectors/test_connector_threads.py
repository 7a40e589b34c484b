"""Threads connector against a fake Threads API over loopback HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from connector_support import drain, serve
from fakes.server import FakeServer
from fakes.threads import FakeThreads, graph_error
from platform_contract import restart_applies_once
from vigie.actions import Action
from vigie.connectors.base import Operation, PlatformAction, map_action
from vigie.connectors.config import Secrets, parse_config
from vigie.connectors.errors import AuthExpired, RateLimited, TransientError
from vigie.connectors.factory import build_connector
from vigie.connectors.http import RetryPolicy, Secret
from vigie.connectors.threads import ThreadsConnector, ThreadsToken


@pytest.fixture
def fake() -> Iterator[tuple[FakeThreads, FakeServer]]:
    yield from serve(FakeThreads())


def connector(server: FakeServer, platform: FakeThreads,
              token: Secret | ThreadsToken | None = None, **kwargs: object) -> ThreadsConnector:
    sleeps: list[float] = []
    conn = ThreadsConnector(
        "poly-th", platform.user_id, httpx.Client(timeout=5), token or Secret("th-token"),
        base_url=f"{server.url}/v1.0", sleep=sleeps.append,
        retry=RetryPolicy(max_attempts=3, base_delay=0.01), **kwargs,  # type: ignore[arg-type]
    )
    conn.sleeps = sleeps  # type: ignore[attr-defined]
    return conn


def th(mid: str) -> str:
    return f"th:{mid}"


def test_replies_flattened_with_parents(fake: tuple[FakeThreads, FakeServer]) -> None:
    platform, server = fake
    root = platform.post("Le 6 décembre, nous nous souvenons.")
    first = platform.post("Pensées pour les familles", username="sylvie77", reply_to=root)
    nested = platform.post("Merci", username="genie_fan", reply_to=first)
    ids, _ = drain(connector(server, platform))
    assert ids == [th(first), th(nested)]
    got = {c.id: c for c in connector(server, platform).fetch(None).comments}
    assert got[th(nested)].parent_id == th(first) and got[th(first)].parent_id is None
    assert got[th(first)].author.id == "th:@sylvie77"
    assert got[th(first)].post is not None and got[th(first)].post.text.startswith("Le 6")
    call = platform.calls("GET", "/conversation")[0]
    assert call.query["reverse"] == "false" and "hide_status" in call.query["fields"]
    # The reply's own address: asked for (the fake returns only what is asked), then kept.
    assert "permalink" in call.query["fields"].split(",")
    assert got[th(first)].url == f"https://www.threads.net/@sylvie77/post/{first}"
    assert call.headers["authorization"] == "Bearer th-token"


def test_paging_and_restart_read_only_new_replies(fake: tuple[FakeThreads, FakeServer]) -> None:
    platform, server = fake
    root = platform.post("root")
    same = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
    old = [platform.post(f"r{i}", username=f"u{i}", reply_to=root, at=same) for i in range(5)]
    ids, cursor = drain(connector(server, platform, page_size=2))
    assert sorted(ids) == sorted(th(r) for r in old) and len(ids) == 5
    again, cursor = drain(connector(server, platform, page_size=2), cursor)
    assert again == []
    tie = platform.post("même seconde", username="late", reply_to=root, at=same)
    again, _ = drain(connector(server, platform, page_size=2), cursor)
    assert again == [th(tie)]


def test_hide_unhide_top_level_only(fake: tuple[FakeThreads, FakeServer]) -> None:
    platform, server = fake
    root = platform.post("root")
    top = platform.post("insulte", username="troll", reply_to=root)
    nested = platform.post("sous-réponse", username="troll", reply_to=top)
    conn = connector(server, platform)
    assert conn.apply(PlatformAction(th(top), (Operation.HIDE,))).ok
    assert platform.media[top]["hide_status"] == "HIDDEN" and platform.hide_calls == 1
    assert platform.calls("POST", "/manage_reply")[0].form() == {"hide": "true"}
    assert conn.apply(PlatformAction(th(top), (Operation.HIDE,))).ok
    assert platform.hide_calls == 1  # already hidden: not sent again
    skipped = conn.apply(PlatformAction(th(nested), (Operation.HIDE,)))
    assert "top-level replies only" in skipped.skipped["hide"] and platform.hide_calls == 1
    assert conn.apply(PlatformAction(th(top), (Operation.UNHIDE,))).ok
    assert platform.media[top]["hide_status"] == "UNHUSHED"
    gone = conn.apply(PlatformAction(th("999"), (Operation.HIDE,)))
    assert gone.skipped["hide"].startswith("reply no longer exists")


def test_block_and_delete_degrade_to_hide(fake: tuple[FakeThreads, FakeServer]) -> None:
    platform, server = fake
    caps = connector(server, platform).capabilities
    for action in (Action.BLOCK, Action.REMOVE):
        mapping = map_action(action, caps)
        assert mapping.operations == (Operation.HIDE,)
    assert map_action(Action.BLOCK, caps).degraded


@pytest.mark.parametrize(("status", "code"), [(429, 4), (500, 2), (503, 1)])
def test_throttling_and_5xx_are_retried(fake: tuple[FakeThreads, FakeServer], status: int,
                                        code: int) -> None:
    platform, server = fake
    platform.post("r", username="u", reply_to=platform.post("root"))
    platform.fail_next(graph_error(status, code, "later"), times=2,
                       when=lambda r: "/conversation" in r.path)
    conn = connector(server, platform)
    ids, _ = drain(conn)
    assert len(ids) == 1 and len(conn.sleeps) == 2  # type: ignore[attr-defined]


def test_persisting_failures_raise(fake: tuple[FakeThreads, FakeServer]) -> None:
    platform, server = fake
    platform.post("root")
    platform.fail_next(graph_error(400, 17, "User request limit reached"), times=3)
    with pytest.raises(RateLimited):
        connector(server, platform).fetch(None)
    platform.fail_next(graph_error(500, 2, "Service temporarily unavailable"), times=10)
    with pytest.raises(TransientError):
        connector(server, platform).fetch(None)


def test_token_is_refreshed_saved_and_reused_after_a_restart(
        fake: tuple[FakeThreads, FakeServer], tmp_path: Path) -> None:
    platform, server = fake
    platform.post("root")
    config = parse_config(f"""
version: 1
accounts:
  - name: poly-th
    platform: threads
    user_id: "{platform.user_id}"
    token: {{env: TH_TOKEN}}
    token_file: {tmp_path}/poly-th.json
    api_base: {server.url}/v1.0
""")
    secrets = Secrets(config, {"TH_TOKEN": "th-token"})
    conn = build_connector(config.accounts[0], secrets, retry=RetryPolicy(max_attempts=1))
    drain(conn)
    assert platform.refreshed == 1
    assert platform.calls("GET", "/conversation")[0].headers["authorization"] == (
        "Bearer th-token-r1")
    saved = json.loads((tmp_path / "poly-th.json").read_text())
    assert saved["refresh_token"] == "th-token-r1"
    assert (tmp_path / "poly-th.json").stat().st_mode & 0o077 == 0
    platform.valid_tokens.discard("th-token")  # the configured token is stale now
    restarted = build_connector(config.accounts[0], secrets, retry=RetryPolicy(max_attempts=1))
    drain(restarted)  # starts from the saved token, refreshes it once more
    assert platform.refreshed == 2


def test_expired_token_names_the_fix(fake: tuple[FakeThreads, FakeServer]) -> None:
    platform, server = fake
    platform.expire_token()
    token = ThreadsToken(httpx.Client(timeout=5), Secret("th-token"), account="poly-th",
                         refresh_url=f"{server.url}/refresh_access_token")
    with pytest.raises(AuthExpired, match="sign in to Threads again"):
        connector(server, platform, token).fetch(None)


def test_restart_applies_each_action_once(fake: tuple[FakeThreads, FakeServer],
                                          tmp_path: Path) -> None:
    platform, server = fake
    root = platform.post("Commémoration")
    bad = platform.post("Retourne chez vous HATEWORD", username="troll", reply_to=root)
    platform.post("Pensées", username="fan", reply_to=root)
    calls = restart_applies_once(tmp_path, lambda: connector(server, platform),
                                 lambda: platform.hide_calls)
    assert platform.media[bad]["hide_status"] == "HIDDEN" and calls == 1
