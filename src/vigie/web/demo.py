"""A realistic sample for a newcomer to the dashboard.

Comments spread over the last weeks, decided by the real detectors, some already reviewed
(approved, removed, restored on appeal, escalated), and one account per role.

The store's clock is moved through the sample's time line while it is filled, so the statistics
(volume per week, time to decision) look like those of a page in use. Everything goes through
the store's public functions: the audit chain of a demo database verifies.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from vigie.policy import Policy, default_policy_path
from vigie.records import Comment, parse_comment
from vigie.store.store import Store
from vigie.web.accounts import Passwords, count_users, create_user

__all__ = ["DEMO_ACCOUNTS", "DemoReport", "fill_demo"]

#: Demo accounts, one per role. Their passwords are public: a demo database is for a laptop.
DEMO_ACCOUNTS: tuple[tuple[str, str, str, str], ...] = (
    ("admin", "demo-admin-2025", "admin", "Administratrice démo"),
    ("gestion", "demo-gestion-2025", "community_manager", "Gestionnaire de communauté"),
    ("moderation", "demo-moderation-2025", "moderator", "Modérateur démo"),
    ("audit", "demo-audit-2025", "auditor", "Auditrice démo"),
)


@dataclass(slots=True)
class DemoReport:
    """What :func:`fill_demo` did."""

    comments: int = 0
    reviewed: int = 0
    accounts: list[tuple[str, str, str]] = field(default_factory=list)
    skipped: bool = False


def _records(n_synthetic: int, now: dt.datetime) -> list[dict[str, Any]]:
    from vigie.demo.synthetic import synthetic_records

    text = resources.files("vigie.demo").joinpath("comments.jsonl").read_text("utf-8")
    bundled = [json.loads(line) for line in text.splitlines() if line.strip()]
    records = bundled + list(synthetic_records(n_synthetic))
    # Re-base every time stamp so the sample spans the six weeks before now, in order.
    stamps = [dt.datetime.fromisoformat(r["created_at"].replace("Z", "+00:00")) for r in records]
    lo, hi = min(stamps), max(stamps)
    span = (hi - lo) or dt.timedelta(seconds=1)
    out = []
    for r, at in sorted(zip(records, stamps, strict=True), key=lambda p: p[1]):
        moved = now - dt.timedelta(weeks=6) * (1 - (at - lo) / span) - dt.timedelta(minutes=30)
        out.append({**r, "created_at": moved.isoformat()})
    return out


def fill_demo(store: Store, policy: Policy, pipeline: Any, passwords: Passwords, *,
              n_synthetic: int = 300, batch: int = 40) -> DemoReport:
    """Fill an empty store with the demo sample and the demo accounts.

    Args:
        store: an open store; nothing is done when it already holds comments.
        policy: the policy for the detectors (the bundled one in the demo).
        pipeline: the detector pipeline for ``policy``.
        passwords: the hasher for the demo accounts.
        n_synthetic: synthetic comments added to the bundled demo comments.
        batch: comments decided per transaction.

    Returns:
        What was added (``skipped`` when the store was not empty).
    """
    from sqlalchemy import func, select

    from vigie.monitoring.registry import own_pages
    from vigie.store.queue import appeal, resolve
    from vigie.store.schema import comments, review_items
    from vigie.store.workflow import StoreModerator

    report = DemoReport()
    real_clock = store.clock
    now = real_clock()
    with store.read() as conn:
        if conn.execute(select(func.count()).select_from(comments)).scalar_one():
            report.skipped = True
            return report
    records = [parse_comment(r) for r in _records(n_synthetic, now)]
    try:
        moderator = StoreModerator(store, policy, default_policy_path().read_text("utf-8"),
                                   pipeline_factory=lambda p: pipeline, own_pages=own_pages)
        for i in range(0, len(records), batch):
            chunk: list[Comment] = records[i:i + batch]
            decided_at = chunk[-1].created_at + dt.timedelta(minutes=2)
            store.clock = lambda at=decided_at: at  # type: ignore[misc]
            moderator.process(chunk)
        report.comments = len(records)
        # Reviewers work through the older half of the queue, a few hours after each item.
        with store.read() as conn:
            items = conn.execute(select(review_items.c.pk, review_items.c.opened_at)
                                 .order_by(review_items.c.pk)).all()
        plan = ["approve", "approve", "remove", "escalate", "approve", "comment"]
        for k, item in enumerate(items[: len(items) // 2]):
            verb = plan[k % len(plan)]
            when = min(item.opened_at + dt.timedelta(hours=2 + 5 * (k % 7)), now)
            store.clock = lambda at=when: at  # type: ignore[misc]
            who = "gestion" if verb == "escalate" else "moderation"
            resolve(store, item.pk, verb, by=who, reason=_REASONS[verb], fallback_policy=policy)
            report.reviewed += 1
        # One removal appealed and restored: the false-removal rate is not a blank.
        with store.read() as conn:
            removed = conn.execute(
                select(comments.c.comment_id).join(review_items,
                                                   review_items.c.comment_pk == comments.c.pk)
                .where(review_items.c.outcome.in_(["remove", "block"]))
                .order_by(review_items.c.pk)).first()
        if removed is not None:
            store.clock = lambda: now - dt.timedelta(hours=3)
            item_pk = appeal(store, removed.comment_id, by="author",
                             reason="I was quoting the post, not insulting anyone")
            store.clock = lambda: now - dt.timedelta(hours=1)
            resolve(store, item_pk, "restore", by="gestion",
                    reason="Quotation in context; the comment is acceptable (6.2)",
                    fallback_policy=policy)
            report.reviewed += 1
    finally:
        store.clock = real_clock
    with store.begin() as conn:
        if not count_users(conn):
            for username, password, role, name in DEMO_ACCOUNTS:
                create_user(conn, passwords, username, password, role, now, name)
                report.accounts.append((username, password, role))
    return report


_REASONS = {
    "approve": "Critique légitime, conforme à la directive (6.2)",
    "remove": "Propos injurieux envers une personne (6.4 c)",
    "escalate": "Question sensible : à la gestionnaire de communauté",
    "comment": "À revoir avec l'équipe demain",
}
