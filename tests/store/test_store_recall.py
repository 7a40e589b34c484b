"""After a restart, the pipeline's memory (thread index, copy-paste window) comes from the store.

A run stopped after some batches and started again (a new process: new moderator, new pipeline)
must decide every later comment exactly as an uninterrupted run does, on a stream with copy-paste
campaigns running across the resume points. SQLite and PostgreSQL, the bundled policy.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from crash_support import campaign_records
from vigie.pipeline import Pipeline
from vigie.policy import default_policy_path, load_policy
from vigie.records import Comment, parse_comment
from vigie.store.recall import recall
from vigie.store.schema import comments, decisions
from vigie.store.settings import StoreSettings
from vigie.store.store import Store, open_store
from vigie.store.workflow import StoreModerator

N, BATCH = 1200, 100
@pytest.fixture(scope="module")
def stream() -> list[Comment]:
    return [parse_comment(r) for r in campaign_records(N)]


@pytest.fixture(scope="module")
def policy() -> tuple[Any, str]:
    path = default_policy_path()
    return load_policy(path), path.read_text(encoding="utf-8")


def _open(db_url: str) -> Store:
    return open_store(settings=StoreSettings(database_url=db_url, pseudonym_key="k" * 32))


def _run(store: Store, policy: tuple[Any, str], batches: list[list[Comment]]) -> None:
    """One process: a new moderator and new pipelines, the batches in order."""
    moderator = StoreModerator(store, policy[0], policy[1], pipeline_factory=Pipeline.from_policy)
    for batch in batches:
        moderator.process(batch)


def _bodies(store: Store) -> dict[str, dict[str, Any]]:
    with store.read() as conn:
        return {cid: json.loads(body) for cid, body in conn.execute(
            select(comments.c.comment_id, decisions.c.body)
            .join(decisions, decisions.c.comment_pk == comments.c.pk))}


@pytest.fixture(scope="module")
def uninterrupted(stream: list[Comment], policy: tuple[Any, str],
                  tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Decisions of one run through the whole stream (bodies hold no time: any database)."""
    store = _open(f"sqlite:///{tmp_path_factory.mktemp('whole') / 'vigie.sqlite'}")
    try:
        _run(store, policy, [stream[i:i + BATCH] for i in range(0, N, BATCH)])
        return _bodies(store)
    finally:
        store.dispose()


def test_a_restarted_run_decides_as_an_uninterrupted_one(
        db_url: str, stream: list[Comment], policy: tuple[Any, str],
        uninterrupted: dict[str, dict[str, Any]]) -> None:
    batches = [stream[i:i + BATCH] for i in range(0, N, BATCH)]
    store = _open(db_url)
    try:
        for part in (batches[:3], batches[3:7], batches[7:]):   # stopped twice
            _run(store, policy, part)
        restarted = _bodies(store)
    finally:
        store.dispose()
    differ = [cid for cid in uninterrupted if restarted[cid] != uninterrupted[cid]]
    assert not differ, f"{len(differ)} decisions differ, first {differ[:3]}"
    # The rebuilt memory was needed: copies after a resume point name copies before it.
    before = {c.id for c in stream[:3 * BATCH]}
    across = [cid for cid in (c.id for c in stream[3 * BATCH:4 * BATCH])
              for cat in restarted[cid]["categories"] for f in cat["evidence"]
              if f["signal"] == "coordination.duplicate" and before & set(f["data"]["matches"])]
    assert len(across) >= 5


def test_a_pipeline_recalls_a_store_once(db_url: str, stream: list[Comment],
                                         policy: tuple[Any, str]) -> None:
    """The dashboard keeps its pipeline for its life and makes a moderator per request: the
    store's comments are remembered once, not once per moderator."""
    store = _open(db_url)
    try:
        _run(store, policy, [stream[:BATCH], stream[BATCH:2 * BATCH]])
        pipeline = Pipeline.from_policy(policy[0])
        assert recall(store, pipeline, lambda c: True) == 2 * BATCH
        held = len(pipeline.thread)
        assert recall(store, pipeline, lambda c: True) == 0
        StoreModerator(store, policy[0], policy[1],
                       pipeline_factory=lambda p: pipeline).process(stream[2 * BATCH:3 * BATCH])
        assert len(pipeline.thread) == held + BATCH
    finally:
        store.dispose()


def test_analysers_without_memory_are_left_alone(store: Any, moderator: Any,
                                                 comment_factory: Any) -> None:
    moderator.process([comment_factory("fb:c-1", "Merci pour l'info")])
    assert recall(store, moderator.pipeline(moderator.fallback), lambda c: True) == 0


def test_erased_comments_are_not_remembered(db_url: str, stream: list[Comment],
                                            policy: tuple[Any, str]) -> None:
    from vigie.store.erasure import erase_author

    store = _open(db_url)
    try:
        _run(store, policy, [stream[:BATCH]])
        author = stream[0].author.id
        erase_author(store, author, actor="test", reason="Loi 25 request")
        pipeline = Pipeline.from_policy(policy[0])
        recall(store, pipeline, lambda c: True)
        assert all(pipeline.thread.get(c.id) is None for c in stream[:BATCH]
                   if c.author.id == author)
        assert pipeline.thread.get(stream[1].id) is not None
    finally:
        store.dispose()
