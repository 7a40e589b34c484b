"""Polling the monitored sources on a schedule, and storing what they say about the institution.

Each source (a row of ``monitor_feeds``) has an interval; :func:`poll` fetches the sources that
are due (all of them with ``only_due=False``), one at a time, each in its own transaction:

* a feed that fails (network, HTTP error, not a feed) records the error and its failure count
  and backs off (interval × 2^failures, at most a day); the others are polled all the same;
* a ``304 Not Modified`` resets the failure count and changes nothing else;
* new items are scored (:func:`vigie.monitoring.mentions.assess`); those that name the
  institution at or above ``store_floor`` are stored, once per canonical link (duplicates in
  a feed or across feeds are one mention); those about it (``about_threshold``) with a
  negative tone are marked for an alert (:mod:`vigie.monitoring.alerts`).

Run it from a timer (``vigie mentions poll`` every few minutes; the intervals decide what is
fetched) or as a loop (``vigie mentions poll --loop``). The clock is the store's, so tests move
time without sleeping.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import insert, select, update

from vigie.errors import StoreError
from vigie.monitoring.feeds import (
    FeedError,
    FeedItem,
    SourceKind,
    Validators,
    XSearch,
    canonical_url,
    fetch,
    item_key,
)
from vigie.monitoring.mentions import ABOUT_THRESHOLD, assess
from vigie.monitoring.names import NameMatcher, default_matcher
from vigie.monitoring.tables import monitor_feeds, monitor_mentions
from vigie.store.store import Store
from vigie.text.tone import ToneLexicon, default_lexicon

__all__ = ["FeedOutcome", "PollReport", "PollSettings", "add_feed", "list_feeds",
           "list_mentions", "poll"]

log = logging.getLogger(__name__)

_MAX_BACKOFF = dt.timedelta(days=1)
_SNIPPET = 400


@dataclass(frozen=True, slots=True)
class PollSettings:
    """Thresholds of the monitoring (not of the directive: they decide what is shown).

    Attributes:
        about_threshold: probability from which a text is about the institution.
        store_floor: probability from which a mention is kept (doubtful ones are listed
            apart, for a human to judge).
        alert_negative: negative evidence from which a mention about the institution is
            alerted to the community manager.
        max_bytes: the most bytes read from one answer.
    """

    about_threshold: float = ABOUT_THRESHOLD
    store_floor: float = 0.2
    alert_negative: float = 0.5
    max_bytes: int = 5_000_000


@dataclass(slots=True)
class FeedOutcome:
    """What happened to one source during a poll."""

    name: str
    url: str
    status: str  # updated, not_modified, failed
    items: int = 0
    new_mentions: int = 0
    alerts: int = 0
    error: str | None = None


@dataclass(slots=True)
class PollReport:
    """What :func:`poll` did, source by source."""

    outcomes: list[FeedOutcome] = field(default_factory=list)

    @property
    def failed(self) -> int:
        """Sources that failed."""
        return sum(1 for o in self.outcomes if o.status == "failed")

    @property
    def new_mentions(self) -> int:
        """Mentions stored by this poll."""
        return sum(o.new_mentions for o in self.outcomes)


def add_feed(store: Store, url: str, *, name: str | None = None,
             kind: SourceKind = SourceKind.FEED, interval_minutes: int = 60,
             bias: float = 0.0) -> int:
    """Register a source (due at once); return its key.

    Args:
        store: the store.
        url: the feed's or page's URL, or the X search query.
        name: a short name shown in alerts (default: the URL's host).
        kind: feed, page or X search.
        interval_minutes: how often to poll it (at least 5).
        bias: log-odds added to the names score for this source (a Québec outlet: +1).

    Raises:
        StoreError: the source is already registered, or the interval is under 5 minutes.
    """
    if interval_minutes < 5:
        raise StoreError("interval_minutes must be at least 5 (be kind to publishers)")
    key = url.strip() if kind is SourceKind.X_SEARCH else canonical_url(url)
    now = store.now()
    with store.begin() as conn:
        if conn.execute(select(monitor_feeds.c.pk).where(monitor_feeds.c.url == key)).first():
            raise StoreError(f"source {key} is already registered")
        result = conn.execute(insert(monitor_feeds).values(
            name=name or (key.split("/")[2] if "://" in key else key)[:255], kind=kind.value,
            url=key, bias=bias, interval_minutes=interval_minutes, active=True,
            next_poll_at=now, failures=0, added_at=now))
        pk = result.inserted_primary_key
        assert pk is not None
        return int(pk[0])


def list_feeds(store: Store) -> list[dict[str, Any]]:
    """Every source with its polling state, by name."""
    with store.read() as conn:
        rows = conn.execute(select(monitor_feeds).order_by(monitor_feeds.c.name))
        return [dict(r._mapping) for r in rows]


def _snippet(text: str, span: tuple[int, int] | None) -> str:
    if span is None or len(text) <= _SNIPPET:
        return text[:_SNIPPET]
    start = max(0, span[0] - _SNIPPET // 2)
    return ("…" if start else "") + text[start:start + _SNIPPET] + "…"


def _store_items(conn: Any, feed: Any, items: Sequence[FeedItem], now: dt.datetime,
                 settings: PollSettings, matcher: NameMatcher, lexicon: ToneLexicon,
                 outcome: FeedOutcome) -> None:
    seen: set[str] = set()
    rows = []
    for item in items:
        key = item_key(item, feed.url)
        if key in seen:
            continue  # listed twice in this answer
        seen.add(key)
        found = matcher.score(item.text, bias=feed.bias)
        if found.score < settings.store_floor:
            continue
        verdict = assess(item.text, matcher=matcher, lexicon=lexicon, bias=feed.bias)
        about = verdict.about >= settings.about_threshold
        alert = about and verdict.label == "negative" and \
            verdict.negative >= settings.alert_negative
        best = max(found.mentions, key=lambda m: m.score).span if found.mentions else None
        rows.append({
            "key": key, "feed_pk": feed.pk, "source": feed.name, "url": item.url,
            "title": item.title[:1000] or None, "snippet": _snippet(item.text, best) or None,
            "published_at": item.published, "seen_at": now, "about": verdict.about,
            "names": json.dumps(list(verdict.names)), "tone": verdict.tone,
            "tone_label": verdict.label, "explanation": verdict.explanation,
            "alert_status": "pending" if alert else "none", "alert_attempts": 0,
        })
    if not rows:
        return
    existing = set(conn.execute(select(monitor_mentions.c.key).where(
        monitor_mentions.c.key.in_([r["key"] for r in rows]))).scalars())
    fresh = [r for r in rows if r["key"] not in existing]
    if fresh:
        conn.execute(insert(monitor_mentions), fresh)
    outcome.new_mentions = len(fresh)
    outcome.alerts = sum(1 for r in fresh if r["alert_status"] == "pending")


def _poll_one(store: Store, client: httpx.Client, feed: Any, settings: PollSettings,
              matcher: NameMatcher, lexicon: ToneLexicon, x_search: XSearch | None
              ) -> FeedOutcome:
    outcome = FeedOutcome(feed.name, feed.url, "failed")
    now = store.now()
    interval = dt.timedelta(minutes=feed.interval_minutes)
    values: dict[str, Any] = {"last_polled_at": now}
    items: Sequence[FeedItem] = ()
    try:
        if feed.kind == SourceKind.X_SEARCH.value:
            if x_search is None:
                raise FeedError("X search needs an X account (vigie mentions poll --connectors)")
            found, newest = x_search.search(feed.url, feed.cursor)
            items, values["cursor"] = found, newest
            outcome.status, values["last_status"] = "updated", 200
        else:
            result = fetch(client, feed.url, SourceKind(feed.kind),
                           Validators(feed.etag, feed.last_modified),
                           max_bytes=settings.max_bytes)
            items = result.items
            outcome.status, values["last_status"] = result.status, result.http_status
            values["etag"] = result.validators.etag
            values["last_modified"] = result.validators.last_modified
    except Exception as error:
        failures = feed.failures + 1
        message = f"{type(error).__name__}: {error}"[:1000]
        log.warning("monitoring source %s failed (%d in a row): %s", feed.name, failures, message)
        outcome.error = message
        with store.begin() as conn:
            conn.execute(update(monitor_feeds).where(monitor_feeds.c.pk == feed.pk).values(
                last_polled_at=now, last_error=message, failures=failures,
                last_status=getattr(error, "status", None),
                next_poll_at=now + min(interval * 2 ** min(failures, 10), _MAX_BACKOFF)))
        return outcome
    outcome.items = len(items)
    values.update(failures=0, last_error=None, next_poll_at=now + interval)
    with store.begin() as conn:
        _store_items(conn, feed, items, now, settings, matcher, lexicon, outcome)
        conn.execute(update(monitor_feeds).where(monitor_feeds.c.pk == feed.pk).values(**values))
    return outcome


def poll(store: Store, client: httpx.Client, *, settings: PollSettings | None = None,
         only_due: bool = True, x_search: XSearch | None = None,
         matcher: NameMatcher | None = None, lexicon: ToneLexicon | None = None) -> PollReport:
    """Poll the sources that are due (or all), store new mentions, mark alerts.

    Never raises for a source: each failure is recorded on its row and in the report.

    Args:
        store: the store (its clock says what is due).
        client: the injected HTTP client for feeds and pages.
        settings: thresholds (default :class:`PollSettings`).
        only_due: poll only the sources whose ``next_poll_at`` has passed.
        x_search: the X search client, for ``x_search`` sources.
        matcher: names matcher (default: the default policy's,
            :func:`~vigie.monitoring.names.matcher_for`).
        lexicon: tone lexicon (default: bundled).

    Raises:
        StoreError: the database itself failed.
    """
    settings = settings or PollSettings()
    matcher = matcher or default_matcher()
    lexicon = lexicon or default_lexicon()
    now = store.now()
    query = select(monitor_feeds).where(monitor_feeds.c.active.is_(True))
    if only_due:
        query = query.where(monitor_feeds.c.next_poll_at <= now)
    with store.read() as conn:
        feeds = list(conn.execute(query.order_by(monitor_feeds.c.next_poll_at)))
    report = PollReport()
    for feed in feeds:
        report.outcomes.append(_poll_one(store, client, feed, settings, matcher, lexicon,
                                         x_search))
    return report


def list_mentions(store: Store, *, about_min: float = ABOUT_THRESHOLD,
                  tone: str | None = None, alert: str | None = None,
                  limit: int = 100) -> list[dict[str, Any]]:
    """Stored mentions, newest first.

    Args:
        store: the store.
        about_min: only mentions at least this likely to be about the institution
            (0: the doubtful ones too).
        tone: only this tone label (``negative``, ``neutral``, ``positive``).
        alert: only this alert status (``none``, ``pending``, ``sent``).
        limit: the most rows returned.
    """
    query = select(monitor_mentions).where(monitor_mentions.c.about >= about_min)
    if tone:
        query = query.where(monitor_mentions.c.tone_label == tone)
    if alert:
        query = query.where(monitor_mentions.c.alert_status == alert)
    query = query.order_by(monitor_mentions.c.seen_at.desc(),
                           monitor_mentions.c.pk.desc()).limit(limit)
    with store.read() as conn:
        rows = []
        for row in conn.execute(query):
            data = dict(row._mapping)
            data["names"] = json.loads(data["names"])
            rows.append(data)
        return rows
