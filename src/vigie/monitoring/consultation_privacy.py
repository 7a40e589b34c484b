"""Drafts put to a supervisor under Law 25: retention, a person's file, erasure.

A draft in doubt (6.3) is the kind of text that may hold personal or confidential information,
and so may the supervisor's answer and the wording of the check's findings. They live in
``monitor_consultations`` (owned by monitoring: the store cannot import it), so the store's
purge and erasure do not reach them; this module does, and the CLI and the dashboard call it
next to theirs.

* :func:`purge_consultations` — drafts asked more than ``retention.consultation_days`` ago lose
  their text, the answer, and the findings' words (clause, topic, severity and score stay, so
  the list still says what the doubt was about). The row stays, with the event that says when.
* :func:`consultations_of` — the consultations that name a person as the one who asked, the
  speaker (a handle, with or without ``@``) or the supervisor (access request).
* :func:`erase_consultations_of` — the same rows purged and the person's name in them replaced
  by their keyed pseudonym (erasure request).

A purged draft's text is empty (:func:`~vigie.monitoring.consultations.ask_supervisor` refuses
an empty draft, so an empty one can only be a purged one). Each step appends events under the
actor's name; events never held the draft nor the answer.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.sql import ColumnElement

from vigie.monitoring.consultations import from_row
from vigie.monitoring.tables import monitor_consultations as mc
from vigie.store.events import EventKind, NewEvent, append_events, lock_chain
from vigie.store.retention import pseudonym
from vigie.store.store import Store

__all__ = ["PURGED_TEXT", "ConsultationPurge", "consultations_of", "erase_consultations_of",
           "purge_consultations", "redact_findings"]

#: What a purged draft holds: nothing (an empty draft is refused when asked).
PURGED_TEXT = ""
_KEPT = ("clause", "topic", "severity", "score")


@dataclass(frozen=True, slots=True)
class ConsultationPurge:
    """What a purge of consultations did (or would do, in a dry run)."""

    purged: int
    days: int
    dry_run: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (pure)."""
        return {"consultations_purged": self.purged, "consultation_days": self.days,
                "dry_run": self.dry_run}


def redact_findings(findings_json: str) -> str:
    """The findings without their words: clause, topic, severity and score only (pure)."""
    return json.dumps([{k: f.get(k) for k in _KEPT} for f in json.loads(findings_json)],
                      ensure_ascii=False)


def _purge_rows(conn: Connection, rows: list[Any], **also: Any) -> None:
    for row in rows:
        conn.execute(update(mc).where(mc.c.pk == row.pk).values(
            text=PURGED_TEXT, answer=None, findings=redact_findings(row.findings), **also))


def purge_consultations(store: Store, *, dry_run: bool = False) -> ConsultationPurge:
    """Apply ``retention.consultation_days`` now (the store's clock); audited.

    Args:
        store: the store (its settings give the rule).
        dry_run: count only.
    """
    days = store.settings.retention.consultation_days
    now = store.now()
    before = now - dt.timedelta(days=days)
    with store.begin() as conn:
        head = lock_chain(conn)
        # An answer recorded after the draft was purged is purged too.
        rows = list(conn.execute(select(mc.c.pk, mc.c.findings).where(
            mc.c.asked_at < before,
            or_(mc.c.text != PURGED_TEXT, mc.c.answer.is_not(None)))).all())
        if not dry_run and rows:
            _purge_rows(conn, rows)
            append_events(conn, [NewEvent(EventKind.PURGED, "store", "consultations", {
                "consultations": len(rows), "consultation_days": days})], now, head)
    return ConsultationPurge(len(rows), days, dry_run)


_PEOPLE = ("asked_by", "speaker", "supervisor", "answered_by")


def _folded(name: str) -> str:
    # How names are compared: case and a leading @ do not matter ("@JDoe" is "jdoe").
    return name.strip().lstrip("@").lower()


def _naming(people: list[str]) -> ColumnElement[bool]:
    folded = sorted({_folded(p) for p in people})
    return or_(*(func.ltrim(func.lower(mc.c[column]), "@").in_(folded) for column in _PEOPLE))


def consultations_of(conn: Connection, people: list[str]) -> list[dict[str, Any]]:
    """Consultations naming any of ``people`` (asker, speaker, supervisor), oldest first.

    Args:
        conn: a read connection.
        people: names to look for (an author id, a handle, an account, an e-mail address);
            empty ones are ignored. Case does not matter, nor a leading ``@``.
    """
    wanted = [p for p in people if _folded(p)]
    if not wanted:
        return []
    rows = conn.execute(select(mc).where(_naming(wanted)).order_by(mc.c.pk)).all()
    return [{**from_row(r).to_dict(), "purged": r.text == PURGED_TEXT} for r in rows]


def erase_consultations_of(store: Store, people: list[str], *, actor: str, reason: str,
                           ) -> int:
    """Purge the consultations naming ``people`` and put pseudonyms in place of the names.

    Returns:
        How many consultations were erased.

    Raises:
        StoreError: no safe pseudonymisation key is configured.
    """
    wanted = [p for p in people if _folded(p)]
    if not wanted:
        return 0
    key = store.settings.require_pseudonym_key()
    now = store.now()
    folded = {_folded(p) for p in wanted}
    with store.begin() as conn:
        head = lock_chain(conn)
        rows = list(conn.execute(select(mc).where(_naming(wanted))).all())
        events = []
        for row in rows:
            names = {column: pseudonym(key, "consultation", _folded(getattr(row, column)))
                     for column in _PEOPLE
                     if getattr(row, column) and _folded(getattr(row, column)) in folded}
            _purge_rows(conn, [row], **names)
            events.append(NewEvent(EventKind.ERASED, "consultation", str(row.pk), {
                "fields": sorted(names), "reason": reason[:500]}, actor))
        append_events(conn, events, now, head)
    return len(rows)
