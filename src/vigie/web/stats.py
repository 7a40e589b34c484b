"""Statistics for the dashboard.

Volume and actions per category, platform and week; time to decision; the false-removal rate
measured from reviewers' reversals.

The false-removal rate here is the operational one: among comments Vigie took down by itself
(a decision of ``hide``, ``remove`` or ``block``), the share that a reviewer later put back
(outcome ``restore``). It can only be as good as the appeals and spot checks that reach the
reviewers, which the page says next to the figure.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from vigie.actions import REMOVING_ACTIONS
from vigie.store.schema import comments, decisions, review_items
from vigie.web.models import web_facets

__all__ = ["Stats", "compute_stats", "iso_week"]


def iso_week(at: dt.datetime) -> str:
    """``YYYY-Www`` of an aware datetime, in UTC (pure)."""
    year, week, _ = at.astimezone(dt.UTC).isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(slots=True)
class Stats:
    """Figures over a window of weeks ending now."""

    since: dt.datetime
    comments: int = 0
    per_week: dict[str, int] = field(default_factory=dict)
    per_category: dict[str, int] = field(default_factory=dict)
    per_platform: dict[str, int] = field(default_factory=dict)
    actions: dict[str, int] = field(default_factory=dict)
    actions_per_platform: dict[str, dict[str, int]] = field(default_factory=dict)
    review_outcomes: dict[str, int] = field(default_factory=dict)
    decision_hours_median: float | None = None
    decision_hours_per_week: dict[str, float] = field(default_factory=dict)
    auto_removals: int = 0
    reversed_removals: int = 0

    @property
    def false_removal_rate(self) -> float | None:
        """Reversed automatic removals / automatic removals, ``None`` without removals."""
        return self.reversed_removals / self.auto_removals if self.auto_removals else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (pure)."""
        return {
            "since": self.since.isoformat(), "comments": self.comments,
            "per_week": self.per_week, "per_category": self.per_category,
            "per_platform": self.per_platform, "actions": self.actions,
            "actions_per_platform": self.actions_per_platform,
            "review_outcomes": self.review_outcomes,
            "decision_hours_median": self.decision_hours_median,
            "decision_hours_per_week": self.decision_hours_per_week,
            "auto_removals": self.auto_removals, "reversed_removals": self.reversed_removals,
            "false_removal_rate": self.false_removal_rate,
        }


def compute_stats(conn: Connection, now: dt.datetime, weeks: int = 12) -> Stats:
    """Compute the dashboard's statistics for the ``weeks`` weeks before ``now``."""
    since = now - dt.timedelta(weeks=weeks)
    out = Stats(since=since)
    in_window = comments.c.created_at >= since
    for (at,) in conn.execute(select(comments.c.created_at).where(in_window)):
        key = iso_week(at)
        out.per_week[key] = out.per_week.get(key, 0) + 1
    out.per_week = dict(sorted(out.per_week.items()))
    out.comments = sum(out.per_week.values())
    for platform, n in conn.execute(select(comments.c.platform, func.count())
                                    .where(in_window).group_by(comments.c.platform)):
        out.per_platform[str(platform)] = int(n)
    for cat, n in conn.execute(
            select(web_facets.c.category, func.count())
            .join(comments, comments.c.pk == web_facets.c.comment_pk)
            .where(in_window, web_facets.c.category != "").group_by(web_facets.c.category)):
        out.per_category[str(cat)] = int(n)
    for platform, action, n in conn.execute(
            select(comments.c.platform, decisions.c.action, func.count())
            .join(comments, comments.c.pk == decisions.c.comment_pk)
            .where(in_window).group_by(comments.c.platform, decisions.c.action)):
        out.actions[str(action)] = out.actions.get(str(action), 0) + int(n)
        out.actions_per_platform.setdefault(str(platform), {})[str(action)] = int(n)
    removing = [a.value for a in REMOVING_ACTIONS]
    out.auto_removals = sum(n for a, n in out.actions.items() if a in removing)
    closed = conn.execute(
        select(review_items.c.opened_at, review_items.c.updated_at, review_items.c.outcome,
               decisions.c.action)
        .outerjoin(decisions, decisions.c.pk == review_items.c.decision_pk)
        .where(review_items.c.state == "closed", review_items.c.updated_at >= since)
    ).all()
    hours: list[float] = []
    weekly: dict[str, list[float]] = {}
    for row in closed:
        outcome = str(row.outcome or "")
        out.review_outcomes[outcome] = out.review_outcomes.get(outcome, 0) + 1
        h = max(0.0, (row.updated_at - row.opened_at).total_seconds() / 3600)
        hours.append(h)
        weekly.setdefault(iso_week(row.updated_at), []).append(h)
        if outcome == "restore" and row.action in removing:
            out.reversed_removals += 1
    if hours:
        out.decision_hours_median = statistics.median(hours)
    out.decision_hours_per_week = {k: statistics.median(v) for k, v in sorted(weekly.items())}
    return out
