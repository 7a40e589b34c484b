"""Alerts to the community manager about negative mentions of the institution on the web.

Section 7 of the directive: the institution monitors the web for the use of its name; 6.1:
negative information goes to the community manager. The poller marks negative mentions
``pending`` (:mod:`vigie.monitoring.poll`); :func:`send_mention_alerts` sends them through the
store's escalation channels (:mod:`vigie.notify.escalation`: SMTP, Teams or Slack webhook), one
digest for all or one message each, each line with the source, the title, the tone and the
link. A channel that fails leaves the mentions ``pending`` with the error recorded, to be sent
again next time: a duplicate notice beats a lost one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update

from vigie.monitoring.tables import monitor_mentions
from vigie.notify.escalation import Notifier
from vigie.store.store import Store

__all__ = ["AlertReport", "alert_line", "send_mention_alerts"]


@dataclass(slots=True)
class AlertReport:
    """What :func:`send_mention_alerts` did."""

    sent: int = 0
    messages: int = 0
    errors: list[str] = field(default_factory=list)


def alert_line(row: Any) -> str:
    """One line for a message or a digest: source, title, tone, link (pure)."""
    title = (row.title or (row.snippet or "")[:120] or "(untitled)").replace("\n", " ")
    when = f" ({row.published_at:%Y-%m-%d})" if row.published_at else ""
    return (f"[{row.source}] {title}{when} — {row.tone_label} tone toward the institution "
            f"(tone {row.tone:+.2f}, about {row.about:.2f}) — {row.url or 'no link'}")


def send_mention_alerts(store: Store, notifiers: Sequence[Notifier], *, digest: bool = True,
                        institution: str = "the institution", limit: int = 200) -> AlertReport:
    """Send pending mention alerts through every channel.

    Args:
        store: the store.
        notifiers: the channels (none: nothing is sent and nothing changes).
        digest: one message for all pending mentions (default) instead of one each.
        institution: the name used in subjects.
        limit: the most mentions handled in one call.
    """
    report = AlertReport()
    if not notifiers:
        return report
    with store.read() as conn:
        rows = list(conn.execute(
            select(monitor_mentions).where(monitor_mentions.c.alert_status == "pending")
            .order_by(monitor_mentions.c.pk).limit(limit)))
    if not rows:
        return report
    groups = [rows] if digest else [[row] for row in rows]
    now = store.now()
    for group in groups:
        subject = (f"Vigie: {len(group)} negative mention(s) of {institution} on the web"
                   if digest else f"Vigie: negative mention of {institution} — {group[0].source}")
        errors = []
        for notifier in notifiers:
            try:
                notifier.send(subject, [alert_line(row) for row in group])
                report.messages += 1
            except Exception as error:
                errors.append(f"{notifier.name}: {type(error).__name__}: {error}"[:300])
        keys = [row.pk for row in group]
        with store.begin() as conn:
            if errors:
                report.errors.extend(errors)
                conn.execute(update(monitor_mentions).where(monitor_mentions.c.pk.in_(keys))
                             .values(alert_attempts=monitor_mentions.c.alert_attempts + 1,
                                     last_error="; ".join(errors)[:1000]))
            else:
                conn.execute(update(monitor_mentions).where(monitor_mentions.c.pk.in_(keys))
                             .values(alert_status="sent", alerted_at=now, last_error=None,
                                     alert_attempts=monitor_mentions.c.alert_attempts + 1))
                report.sent += len(group)
    return report
