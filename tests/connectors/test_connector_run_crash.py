"""Crash safety of ``vigie run``: SIGKILL a real process against a fake Facebook page, rerun it.

The page is a real HTTP server on loopback (``fakes.facebook``); ``vigie run --once`` is a real
process on a real SQLite file or PostgreSQL schema, with the bundled policy. It is killed at one
of three moments: while it polls and decides, early while it sends the platform actions, late
while it sends them. A second ``vigie run --once`` must then leave every comment decided once,
every planned action applied, and **no platform call made twice**: the actions in flight at the
kill are read back on the page (``GET /{comment-id}?fields=is_hidden``), not sent again.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from crash_support import decided_count
from fakes.facebook import FakeFacebook
from fakes.server import FakeServer, Reply, Request
from vigie.bench.store import synthetic_records
from vigie.store.db import connect
from vigie.store.events import verify_chain
from vigie.store.schema import comments, decisions, events, outbox

pytestmark = pytest.mark.slow

N_POSTS, PER_POST = 4, 150
SPAM = "Check my profile for cheap followers, promo code VIP50 at www.example-spam.biz"
VIGIE = [sys.executable, "-c", "from vigie.cli.app import main; main()"]
CONFIG = """
version: 1
accounts:
  - name: page
    platform: facebook
    page_id: "1000"
    token: {{env: VIGIE_TEST_FB_TOKEN}}
    api_base: {url}/v21.0
"""


class SlowFacebook(FakeFacebook):
    """Moderation calls take a few milliseconds, as on the real Graph API, so a kill lands
    while calls are in flight rather than between two passes."""

    def route(self, request: Request) -> Reply:
        if request.method != "GET":
            time.sleep(0.004)
        return super().route(request)


@pytest.fixture
def page() -> Iterator[tuple[SlowFacebook, FakeServer]]:
    platform = SlowFacebook()
    records = synthetic_records(N_POSTS * PER_POST, authors=60)
    posts = [platform.add_post(f"Annonce {i}") for i in range(N_POSTS)]
    for i, record in enumerate(records):
        text = SPAM if i % 2 else record["text"]  # half of them for the policy to remove
        platform.add_comment(posts[i % N_POSTS], text,
                             from_id=record["author"]["id"].split("-")[1],
                             from_name=record["author"]["name"])
    with FakeServer(platform) as server:
        yield platform, server


def _run(config: Path, db: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIE_")}
    env["VIGIE_TEST_FB_TOKEN"] = "page-token"
    # The default lease (5 minutes) stands: the rerun sees on its own that the killed worker
    # is gone (same machine, its pid no longer runs).
    return subprocess.Popen([*VIGIE, "run", "--connectors", str(config), "--db", db, "--once",
                             "--json"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _calls(platform: FakeFacebook) -> int:
    with platform.lock:
        return sum(platform.moderation_calls.values())


def _kill_when(proc: subprocess.Popen[bytes], ready: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 240
    while not ready():
        assert proc.poll() is None, "the run ended before it could be killed: " + (
            proc.stderr.read().decode()[-2000:] if proc.stderr else "")
        assert time.monotonic() < deadline, "the run made no progress"
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


@pytest.mark.parametrize("moment", ["deciding", "applying-early", "applying-late"])
def test_sigkill_during_run_applies_no_action_twice(
        page: tuple[SlowFacebook, FakeServer], db_url: str, tmp_path: Path,
        moment: str) -> None:
    platform, server = page
    config = tmp_path / "connectors.yaml"
    config.write_text(CONFIG.format(url=server.url), encoding="utf-8")
    total = N_POSTS * PER_POST
    proc = _run(config, db_url)
    if moment == "deciding":
        _kill_when(proc, lambda: decided_count(db_url) >= total // 3)
        assert _calls(platform) == 0, "killed too late: actions were already being sent"
    else:
        # About 300 removals and blocks are planned; kill after ~40 or ~200 calls went out.
        threshold = 40 if moment == "applying-early" else 200
        _kill_when(proc, lambda: _calls(platform) >= threshold)
    at_kill = _calls(platform)

    rerun = _run(config, db_url)
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err.decode()[-2000:]
    report = json.loads(out.decode().strip().splitlines()[-1])
    assert report["dead"] == 0 and report["retried"] == 0

    engine = connect(db_url)
    try:
        with engine.connect() as conn:
            decided = Counter(conn.execute(select(comments.c.comment_id).join(
                decisions, decisions.c.comment_pk == comments.c.pk)).scalars())
            planned = conn.execute(select(outbox.c.kind, outbox.c.comment_id,
                                          outbox.c.author_id, outbox.c.status,
                                          outbox.c.key, outbox.c.attempts,
                                          outbox.c.next_attempt_at)).all()
            applied_events = Counter(conn.execute(select(events.c.subject_id).where(
                events.c.kind == "action_applied")).scalars())
            chain = verify_chain(conn)
    finally:
        engine.dispose()
    assert len(decided) == total and set(decided.values()) == {1}   # none lost, none twice
    assert chain.ok, chain.problems[:3]
    assert {row.status for row in planned} == {"applied"}            # the outbox is drained
    assert set(applied_events.values()) == {1}                      # one result per action

    hides = {row.comment_id.split(":", 1)[1] for row in planned
             if row.kind in ("remove_comment", "hide_comment")}
    blocks = {row.author_id.split(":", 1)[1] for row in planned if row.kind == "block_author"}
    assert len(hides) > 100 and blocks, "the policy must plan removals and blocks"
    assert platform.hidden == hides and platform.blocked == blocks
    with platform.lock:
        repeated = {call: n for call, n in platform.moderation_calls.items() if n > 1}
    assert not repeated, f"{len(repeated)} platform actions applied twice (killed at {at_kill})"
