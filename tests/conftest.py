"""Shared fixtures: real databases for the store tests (SQLite file and PostgreSQL).

``db_url`` is parametrised over ``sqlite`` (a fresh file per test) and ``postgresql`` (a fresh
schema per test in the ``test`` database on 127.0.0.1:5432, trust auth, user ``postgres`` or
``root``). The PostgreSQL half is skipped, with the reason shown by ``pytest -ra``, only where no
server answers there. Nothing is mocked: the same store code runs against both.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

PG_HOST, PG_PORT, PG_DB = "127.0.0.1", 5432, "test"


@cache
def _postgres_user() -> str | None:
    """The user that can connect to the test database, or ``None`` when none can."""
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=1):
            pass
    except OSError:
        return None
    try:
        import psycopg
    except ImportError:
        return None
    for user in (os.environ.get("VIGIE_TEST_PG_USER"), "postgres", "root"):
        if not user:
            continue
        try:
            with psycopg.connect(host=PG_HOST, port=PG_PORT, dbname=PG_DB, user=user,
                                 connect_timeout=3):
                return user
        except psycopg.Error:
            continue
    return None


PG_SKIP_REASON = (f"needs PostgreSQL on {PG_HOST}:{PG_PORT} (database {PG_DB!r}, trust auth, "
                  "user postgres or root): none answers, so the PostgreSQL half is skipped")


def postgres_url(schema: str) -> str:
    """SQLAlchemy URL for ``schema`` in the test database (the schema must exist)."""
    user = _postgres_user()
    assert user is not None
    return (f"postgresql+psycopg://{user}@{PG_HOST}:{PG_PORT}/{PG_DB}"
            f"?options=-csearch_path%3D{schema}")


def _pg_exec(sql: str) -> None:
    import psycopg

    with psycopg.connect(host=PG_HOST, port=PG_PORT, dbname=PG_DB, user=_postgres_user(),
                         autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database: an SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'vigie.sqlite'}"
        return
    if _postgres_user() is None:
        pytest.skip(PG_SKIP_REASON)
    schema = f"vigie_test_{uuid.uuid4().hex[:12]}"
    _pg_exec(f'CREATE SCHEMA "{schema}"')
    try:
        yield postgres_url(schema)
    finally:
        _pg_exec(f'DROP SCHEMA "{schema}" CASCADE')


class FakeClock:
    """A clock the test moves by hand (aware UTC)."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self.now = start or dt.datetime(2025, 3, 18, 12, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def store_clock() -> FakeClock:
    """A fake clock, shared by the store fixture."""
    return FakeClock()


@pytest.fixture
def store(db_url: str, store_clock: FakeClock) -> Iterator[object]:
    """An opened, migrated store on ``db_url`` with the fake clock."""
    from vigie.store.settings import StoreSettings
    from vigie.store.store import open_store

    settings = StoreSettings(database_url=db_url, pseudonym_key="k" * 32,
                             outbox_backoff_s=60.0, outbox_max_attempts=3)
    opened = open_store(settings=settings, clock=store_clock)
    try:
        yield opened
    finally:
        opened.dispose()


# -- moderation without detectors: a small policy and an analyser driven by keywords ----------

STORE_POLICY = """
vigie_policy: 1
id: store-test
institution: Test institution
title: {fr: Directive de test, en: Test directive}
version: "1"
effective_date: 2020-01-01
approval: {reference: ADD-TEST-1}
allowed_languages: [fr, en]
on_detector_error: review
blocking: {strikes: 3, window_days: 90}
detectors:
  vigie.language.fasttext.v1: {}
categories:
  - slug: hate
    clause: "6.4 b"
    label: {fr: Haine, en: Hate}
    description: {fr: Haine, en: Hate}
    signals: [toxicity.threat]
    action: block
  - slug: language
    clause: "6.4 h"
    label: {fr: Langue, en: Language}
    description: {fr: Langue, en: Language}
    signals: [language.foreign]
    action: hide
    counts_as_strike: false
  - slug: crisis
    clause: "6.1"
    label: {fr: Détresse, en: Distress}
    description: {fr: Détresse, en: Distress}
    signals: [risk.distress]
    action: escalate
    counts_as_strike: false
  - slug: spam
    clause: "6.4 k"
    label: {fr: Pourriel, en: Spam}
    description: {fr: Pourriel, en: Spam}
    signals: [link.unrelated]
    action: remove
"""

#: Keyword in a comment's text -> the finding the fake analyser emits.
KEYWORDS = {
    "SPAM": ("link.unrelated", 0.95),
    "MAYBE": ("link.unrelated", 0.6),
    "FOREIGN": ("language.foreign", 0.95),
    "THREAT": ("toxicity.threat", 0.97),
    "DISTRESS": ("risk.distress", 0.9),
}


class KeywordAnalyser:
    """Stands in for the detectors: findings from keywords in the text; counts its calls."""

    detector_names: tuple[str, ...] = ("test.keywords.v1",)

    def __init__(self, policy: object = None) -> None:
        self.seen: list[str] = []

    def analyse(self, comments: object) -> list[object]:
        from vigie.findings import Finding
        from vigie.pipeline import Analysis

        out: list[object] = []
        for c in comments:  # type: ignore[attr-defined]
            self.seen.append(c.id)
            found = tuple(Finding(signal, score, "test.keywords.v1", f"keyword {word}")
                          for word, (signal, score) in KEYWORDS.items() if word in c.text)
            out.append(Analysis(None, found, ()))  # type: ignore[arg-type]
        return out


def make_comment(cid: str, text: str = "Merci!", *, author: str = "fb:u-1",
                 at: str | dt.datetime = "2025-03-18T10:00:00Z", platform: str = "facebook",
                 post: str = "fb:p-1") -> object:
    """A valid comment record, parsed."""
    from vigie.records import parse_comment

    when = at.isoformat() if isinstance(at, dt.datetime) else at
    return parse_comment({"id": cid, "platform": platform, "text": text, "created_at": when,
                          "author": {"id": author, "name": f"Name of {author}"},
                          "post": {"id": post, "text": "Une publication", "links": []}})


@pytest.fixture
def store_policy() -> tuple[object, str]:
    """The store tests' policy and its YAML text."""
    from vigie.policy import parse_policy

    return parse_policy(STORE_POLICY), STORE_POLICY


@pytest.fixture
def moderator(store: object, store_policy: tuple[object, str]) -> object:
    """A store moderator with the keyword analyser and no sink."""
    from vigie.store.workflow import StoreModerator

    policy, text = store_policy
    return StoreModerator(store, policy, text, pipeline_factory=KeywordAnalyser)  # type: ignore[arg-type]


@pytest.fixture
def comment_factory() -> object:
    """:func:`make_comment`, for tests (conftest is not importable)."""
    return make_comment
