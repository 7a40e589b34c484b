"""The restart contract every platform connector passes: a crash loses and repeats nothing.

A real SQLite store, the stand-in pipeline (``fakes.analyser``: ``HATEWORD`` is removed by the
test policy) and the connector under test, against its fake server. The first run dies after
deciding and planning the page but before saving the cursor; the restarted run fetches the
page again and must apply each planned action exactly once; a third run does nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from factories import TEST_POLICY, make_policy
from fakes.analyser import KeywordAnalyser
from vigie.connectors.base import Connector
from vigie.connectors.runner import Runner
from vigie.store.store import open_store
from vigie.store.workflow import StoreModerator

__all__ = ["restart_applies_once"]


class Crash(BaseException):
    """A process death: nothing below ``BaseException`` catches it."""


def _runner(db: Path, connector: Connector) -> tuple[Runner, Any]:
    store = open_store(str(db))
    moderator = StoreModerator(store, make_policy(), TEST_POLICY,
                               pipeline_factory=lambda p: KeywordAnalyser())
    return Runner(store, moderator, [connector]), store


def restart_applies_once(tmp_path: Path, make: Callable[[], Connector],
                         calls: Callable[[], int]) -> int:
    """Crash, restart, run again; return the platform's moderation calls (``calls()``)."""
    db = tmp_path / "vigie.sqlite"
    runner, store = _runner(db, make())

    def crash(*args: Any, **kwargs: Any) -> None:
        raise Crash

    store.set_cursor = crash
    with pytest.raises(Crash):
        runner.run_round(force=True)
    assert calls() == 0, "the crash came before any action was applied"
    store.dispose()
    restarted, store = _runner(db, make())
    report = restarted.run_round(force=True)
    assert report.outbox.dead == 0 and report.outbox.retried == 0
    applied = calls()
    again = restarted.run_round(force=True)
    assert again.outbox.applied == 0 and calls() == applied
    store.dispose()
    return applied
