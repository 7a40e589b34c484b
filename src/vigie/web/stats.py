"""The statistics page's table: per period, category, platform and page (post), pure.

One table feeds the charts, the page's tables, the CSV and JSON exports and the API, so a figure
reads the same everywhere. Its rows come from two kinds of facts read by
:mod:`vigie.web.stats_read`:

* a **comment** counts in the period it was *written*, in the reader's time zone (the queue's
  date filter counts the same way), with Vigie's automatic action on it and whether that
  action, when it took the comment down, was later undone (the "annulée" standing of the
  automatic-actions page: restored, unblocked or approved by a reviewer);
* a **human decision** counts in the period it was *made*: a review item Vigie opened and a
  reviewer closed. Its delay runs from the comment's ingestion to that decision.

The review delay has one definition, :func:`median_hours`, used for every row: the median, in
hours, of the delays of the human decisions in the row (with an even count, the mean of the two
middle delays); ``None`` when the row has no decision, never zero. Appeals are left out: their
delay measures how late the author appealed, not how fast the reviewers were.

Every period between the first and the last day appears, with zeros when nothing happened.
Weeks start on Monday; both weeks and months are cut at local midnight (``America/Montreal``
by default), so a comment written at 23:30 on 31 October in Montréal counts in October.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal
from zoneinfo import ZoneInfo

from vigie.actions import REMOVING_ACTIONS
from vigie.errors import InputError
from vigie.web.formats import DEFAULT_ZONE

__all__ = ["ACTIONS", "DIMENSIONS", "MAX_DAYS", "PERIODS", "BadStatsQuery", "CommentFact",
           "ReviewFact", "StatRow", "StatsQuery", "StatsTable", "aggregate", "make_query",
           "median_hours", "period_starts"]

Period = Literal["week", "month"]
PERIODS: tuple[Period, ...] = ("week", "month")
#: The rows' dimensions, in the order of the page and the exports.
DIMENSIONS = ("period", "category", "platform", "page")
#: Vigie's automatic actions, mildest first (the order of the charts' stacks and columns).
ACTIONS = ("allow", "review", "escalate", "hide", "remove", "block")
REMOVING = tuple(a.value for a in REMOVING_ACTIONS)
#: The longest range the page accepts (five years, a few hundred periods at most).
MAX_DAYS = 5 * 366
DEFAULT_DAYS = 12 * 7


class BadStatsQuery(InputError):
    """The statistics' filters cannot be used; ``key`` is the ``stats.*`` i18n key saying why."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True, slots=True)
class StatsQuery:
    """What the statistics cover; empty text means "any".

    Attributes:
        first: the first local day counted.
        last: the last local day counted (inclusive).
        period: ``week`` (Monday to Sunday) or ``month``.
        platform: a platform name.
        post: the platform id of an official post (the queue's "page" filter).
        category: a policy category slug.
        zone: the IANA zone the days and periods are cut in.
    """

    first: dt.date
    last: dt.date
    period: Period = "week"
    platform: str = ""
    post: str = ""
    category: str = ""
    zone: str = DEFAULT_ZONE

    @property
    def tz(self) -> ZoneInfo:
        """The zone as an object."""
        return ZoneInfo(self.zone)

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """``[start, end)`` in UTC: local midnight of ``first`` and of the day after ``last``."""
        start = dt.datetime.combine(self.first, dt.time(), self.tz)
        end = dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time(), self.tz)
        return start.astimezone(dt.UTC), end.astimezone(dt.UTC)

    def params(self) -> dict[str, str]:
        """The query string that gives this query back (for links and exports)."""
        return {"since": self.first.isoformat(), "until": self.last.isoformat(),
                "period": self.period, "platform": self.platform, "post": self.post,
                "category": self.category}


def _day(value: str, key: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise BadStatsQuery(key, f"not a date (YYYY-MM-DD): {value!r}") from None


def make_query(today: dt.date, *, since: str = "", until: str = "", period: str = "week",
               platform: str = "", post: str = "", category: str = "",
               zone: str = DEFAULT_ZONE) -> StatsQuery:
    """Read the filters as typed in the form (pure).

    Without dates, the twelve weeks up to ``today``; with one bound only, twelve weeks from or
    to it.

    Raises:
        BadStatsQuery: a malformed date, a range that ends before it starts or spans more than
            :data:`MAX_DAYS` days, or a period other than ``week`` and ``month``.
    """
    first, last = _day(since, "stats.bad_since"), _day(until, "stats.bad_until")
    if period not in PERIODS:
        raise BadStatsQuery("stats.bad_period", f"period must be one of {', '.join(PERIODS)}")
    if last is None:
        last = today if first is None else first + dt.timedelta(days=DEFAULT_DAYS - 1)
    if first is None:
        first = last - dt.timedelta(days=DEFAULT_DAYS - 1)
    if last < first:
        raise BadStatsQuery("stats.bad_range", "the last day comes before the first")
    if (last - first).days >= MAX_DAYS:
        raise BadStatsQuery("stats.too_long", f"at most {MAX_DAYS} days at once")
    return StatsQuery(first, last, "month" if period == "month" else "week",
                      platform.strip(), post.strip(), category.strip(), zone)


def _period_start(day: dt.date, period: Period) -> dt.date:
    return day.replace(day=1) if period == "month" else day - dt.timedelta(days=day.weekday())


def _next(start: dt.date, period: Period) -> dt.date:
    if period == "week":
        return start + dt.timedelta(days=7)
    return (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def period_starts(first: dt.date, last: dt.date, period: Period) -> list[dt.date]:
    """The first day of every period that meets ``[first, last]``, in order (pure)."""
    out, at = [], _period_start(first, period)
    while at <= last:
        out.append(at)
        at = _next(at, period)
    return out


def median_hours(hours: Iterable[float]) -> float | None:
    """The review delay of a row: the median of its decisions' delays in hours (pure).

    With an even count, the mean of the two middle delays; ``None`` without any decision.
    """
    values = sorted(hours)
    return statistics.median(values) if values else None


@dataclass(frozen=True, slots=True)
class CommentFact:
    """One comment under the filters: when it was written and what Vigie did with it."""

    written: dt.datetime
    platform: str
    post: str
    categories: tuple[str, ...]
    action: str
    undone: bool = False


@dataclass(frozen=True, slots=True)
class ReviewFact:
    """One human decision: a review item Vigie opened that a reviewer closed."""

    ingested: dt.datetime
    decided: dt.datetime
    platform: str
    post: str
    categories: tuple[str, ...]

    @property
    def hours(self) -> float:
        """From ingestion to the decision, in hours (0 for clocks that disagree)."""
        return max(0.0, (self.decided - self.ingested).total_seconds() / 3600)


def _zeros() -> dict[str, int]:
    return dict.fromkeys(ACTIONS, 0)


@dataclass(slots=True)
class StatRow:
    """One line of the table.

    Attributes:
        dimension: ``period``, ``category``, ``platform``, ``page`` or ``total``.
        key: the period's first day (ISO), the category slug, the platform, the post id;
            ``""`` for comments without category or post.
        comments: comments written in the row.
        actions: comments per automatic action (:data:`ACTIONS`).
        restored: automatic takedowns (hide, remove, block) among them since undone.
        hours: the delays of the human decisions made in the row, in hours.
    """

    dimension: str
    key: str
    comments: int = 0
    actions: dict[str, int] = field(default_factory=_zeros)
    restored: int = 0
    hours: list[float] = field(default_factory=list, repr=False)

    @property
    def auto_removals(self) -> int:
        """Comments Vigie hid, removed or blocked by itself."""
        return sum(self.actions[a] for a in REMOVING)

    @property
    def decisions(self) -> int:
        """Human decisions made in the row."""
        return len(self.hours)

    @property
    def median_hours(self) -> float | None:
        """:func:`median_hours` of the row's decisions."""
        return median_hours(self.hours)

    @property
    def restored_rate(self) -> float | None:
        """Restored / automatic takedowns; ``None`` without takedowns."""
        return self.restored / self.auto_removals if self.auto_removals else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (pure)."""
        return {"dimension": self.dimension, "key": self.key, "comments": self.comments,
                **{a: self.actions[a] for a in ACTIONS}, "auto_removals": self.auto_removals,
                "restored": self.restored, "restored_rate": self.restored_rate,
                "decisions": self.decisions, "median_hours": self.median_hours}


@dataclass(slots=True)
class StatsTable:
    """The whole table: one row per period (every one), category, platform and page."""

    query: StatsQuery
    total: StatRow
    rows: dict[str, list[StatRow]]

    def of(self, dimension: str) -> list[StatRow]:
        """The rows of one dimension (periods in order, the others by comments, most first)."""
        return self.rows.get(dimension, [])

    def all_rows(self) -> list[StatRow]:
        """Every row, dimension by dimension (the exports' order)."""
        return [r for d in DIMENSIONS for r in self.of(d)]


class _Rows:
    def __init__(self, dimension: str) -> None:
        self.dimension = dimension
        self.by_key: dict[str, StatRow] = {}

    def __call__(self, key: str) -> StatRow:
        row = self.by_key.get(key)
        if row is None:
            row = self.by_key[key] = StatRow(self.dimension, key)
        return row


def aggregate(query: StatsQuery, facts: Iterable[CommentFact],
              reviews: Iterable[ReviewFact]) -> StatsTable:
    """Count ``facts`` and ``reviews`` into the table of ``query`` (pure).

    Facts outside the query's days are ignored (the reader already filtered them).
    """
    tz, period = query.tz, query.period
    starts = period_starts(query.first, query.last, period)
    periods = {s: StatRow("period", s.isoformat()) for s in starts}
    total = StatRow("total", "")
    dims = {d: _Rows(d) for d in ("category", "platform", "page")}

    def targets(at: dt.datetime, platform: str, post: str,
                categories: tuple[str, ...]) -> list[StatRow]:
        day = at.astimezone(tz).date()
        row = periods.get(_period_start(day, period))
        if row is None or not query.first <= day <= query.last:
            return []
        return [total, row, dims["platform"](platform), dims["page"](post),
                *(dims["category"](c) for c in categories or ("",))]

    for c in facts:
        for row in targets(c.written, c.platform, c.post, c.categories):
            row.comments += 1
            if c.action in row.actions:
                row.actions[c.action] += 1
            row.restored += c.undone and c.action in REMOVING
    for r in reviews:
        for row in targets(r.decided, r.platform, r.post, r.categories):
            row.hours.append(r.hours)
    rows = {"period": list(periods.values())}
    for name, made in dims.items():
        rows[name] = sorted(made.by_key.values(), key=lambda r: (-r.comments, r.key))
    return StatsTable(query, total, rows)
