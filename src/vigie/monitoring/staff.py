"""Staff who answer criticism themselves (directive 6.1): tell the community manager, remind them.

Directive 6.1: negative information about the institution is passed on to the community
manager, who answers it; staff do not answer it themselves. Vigie already routes the critical
comment to the community manager (the policy's 6.1 escalation rules). This module notices the
other half: a **registered staff account** — a person with a mandate in the registry, or a
registered page of the institution (:class:`~vigie.monitoring.registry.MandateBook`) — that
replies in a thread whose earlier comments were escalated as criticism.

For each such reply (:func:`watch_staff_replies`, run after each ``vigie run`` round):

* an escalation is written for the community manager (``escalations`` row, ``escalated``
  event with ``origin: staff_reply``), sent like every escalation by
  :func:`vigie.notify.escalation.send_escalations`;
* where the policy's ``staff_replies.remind`` is set and the registry gives the person an
  e-mail address, the staff member is sent the policy's reminder of 6.1 through a
  :class:`Reminders` channel, recorded as a ``staff_reminded`` event.

The thread is the reply's chain of parents up to its top-level comment. Each reply is handled
once: a reply that already has its staff escalation is skipped, so a restart repeats nothing.
The policy is not consulted on the reply's own content: that was decided like any comment.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import Connection, and_, select

from vigie.monitoring.registry import MandateBook, PageStatus
from vigie.notify.escalation import SmtpNotifier
from vigie.policy import Policy, StaffReplies
from vigie.store.events import EventKind, NewEvent, append_events, lock_chain
from vigie.store.schema import authors, comments, decisions, escalations
from vigie.store.settings import SmtpSettings
from vigie.store.store import Store

__all__ = ["Reminders", "SmtpReminders", "StaffReply", "StaffReport", "watch_staff_replies"]

log = logging.getLogger(__name__)

#: Prefix of the escalation reason, also how a reply already handled is recognised.
REASON_PREFIX = "6.1 staff reply"
_DEFAULT = StaffReplies()


class Reminders(Protocol):
    """A channel that sends one person a reminder (an e-mail)."""

    name: str

    def remind(self, to: str, subject: str, lines: Sequence[str]) -> None:
        """Deliver the reminder to ``to``; raise on failure."""
        ...


class SmtpReminders:
    """Reminders by e-mail through the escalation SMTP relay."""

    name = "smtp"

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    def remind(self, to: str, subject: str, lines: Sequence[str]) -> None:
        """Send one e-mail to ``to`` only.

        Raises:
            smtplib.SMTPException, OSError: the relay refused or could not be reached.
        """
        SmtpNotifier(self.settings.model_copy(update={"recipients": (to,)})).send(subject,
                                                                                    lines)


@dataclass(frozen=True, slots=True)
class StaffReply:
    """One staff reply in a critical thread.

    Attributes:
        comment_id: the reply.
        staff: who wrote it, as the registry knows them.
        reason: why it counts (the mandate or registered page matched).
        critical: the escalated comment of the thread it answers.
        reminded: the address a reminder went to, if one did.
    """

    comment_id: str
    staff: str
    reason: str
    critical: str
    reminded: str | None = None


@dataclass(slots=True)
class StaffReport:
    """What :func:`watch_staff_replies` did."""

    replies: list[StaffReply] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    #: The highest comment key looked at: pass it as ``after_pk`` next time.
    last_pk: int = 0


def _candidates(platform: str, author_id: str, handle: str | None) -> list[str]:
    out = [author_id]
    if handle:
        out += [f"{platform}:{handle}", f"@{handle}", handle]
    return out


def _staff(book: MandateBook, rules: StaffReplies, platform: str, author_id: str,
           handle: str | None, now: dt.datetime) -> tuple[str, str, str | None] | None:
    """``(who, reason, e-mail)`` when the author is a registered staff account (pure)."""
    names = _candidates(platform, author_id, handle)
    exempt = {e.strip().lower() for e in rules.exempt}
    if any(n.lower() in exempt or n.lower().lstrip("@") in exempt for n in names):
        return None
    for name in names:
        check = book.check(name, now)
        if check.mandate is not None:
            mandate = check.mandate
            email = mandate.person if "@" in mandate.person.strip("@") else None
            return mandate.name, check.reason, email
        if check.entry is not None and check.entry.status is PageStatus.OFFICIAL:
            entry = check.entry
            email = entry.contact if entry.contact and "@" in entry.contact else None
            return entry.name or entry.handle or entry.url, check.reason, email
    return None


def watch_staff_replies(store: Store, book: MandateBook, policy: Policy, *,
                        reminders: Reminders | None = None, after_pk: int = 0,
                        limit: int = 5000) -> StaffReport:
    """Find staff replies in critical threads; escalate each once; remind where asked.

    Args:
        store: the store (comments, decisions, escalations, events).
        book: the registry and mandates (:func:`vigie.monitoring.registry.load_book`).
        policy: the policy in force (its ``staff_replies``; without it, defaults: escalate,
            no reminder).
        reminders: the channel reminders go through (``None``: none is sent).
        after_pk: only comments stored after this key (the ``last_pk`` of the previous call;
            0: from the start). A reply already escalated is never escalated again, whatever
            the key.
        limit: most replies looked at in one call (the next call goes on from ``last_pk``).
    """
    rules = policy.staff_replies or _DEFAULT
    critical_slugs = set(rules.critical_slugs(policy))
    report = StaffReport(last_pk=after_pk)
    if not critical_slugs:
        return report
    now = store.now()
    query = (select(comments.c.pk, comments.c.comment_id, comments.c.platform,
                    comments.c.parent_id, authors.c.author_id, authors.c.handle,
                    decisions.c.pk.label("decision_pk"))
             .join(authors, authors.c.pk == comments.c.author_pk)
             .outerjoin(decisions, decisions.c.comment_pk == comments.c.pk)
             .where(comments.c.parent_id.is_not(None), comments.c.pk > after_pk)
             .order_by(comments.c.pk).limit(limit))
    found: list[tuple[int, int | None, StaffReply, str | None]] = []
    with store.read() as conn:
        rows = conn.execute(query).all()
        handled = set(conn.execute(select(escalations.c.comment_pk).where(
            escalations.c.reason.startswith(REASON_PREFIX))).scalars())
        for row in rows:
            report.last_pk = max(report.last_pk, row.pk)
            if row.pk in handled:
                continue
            staff = _staff(book, rules, row.platform, row.author_id, row.handle, now)
            if staff is None:
                continue
            critical = _critical_ancestor(conn, row.platform, row.parent_id, critical_slugs)
            if critical is None:
                continue
            who, why, email = staff
            found.append((row.pk, row.decision_pk,
                          StaffReply(row.comment_id, who, why, critical), email))
    for comment_pk, decision_pk, reply, email in found:
        reminded = None
        if rules.remind and reminders is not None and email:
            try:
                reminders.remind(email, "Vigie — directive 6.1",
                                 [rules.reminder.fr, "", rules.reminder.en, "",
                                  f"({reply.comment_id})"])
                reminded = email
            except Exception as error:  # a failed reminder is reported, the escalation stands
                report.errors.append(f"{reply.comment_id}: reminder not sent: "
                                     f"{type(error).__name__}: {error}"[:300])
        done = StaffReply(reply.comment_id, reply.staff, reply.reason, reply.critical, reminded)
        _record(store, comment_pk, decision_pk, done, rules, reminders)
        report.replies.append(done)
    return report


def _critical_ancestor(conn: Connection, platform: str, parent_id: str | None,
                       slugs: set[str]) -> str | None:
    """The first comment up the reply's chain whose decision escalated as criticism."""
    seen: set[str] = set()
    while parent_id and parent_id not in seen and len(seen) < 100:
        seen.add(parent_id)
        row = conn.execute(
            select(comments.c.parent_id, decisions.c.body)
            .outerjoin(decisions, decisions.c.comment_pk == comments.c.pk)
            .where(and_(comments.c.platform == platform,
                        comments.c.comment_id == parent_id))).first()
        if row is None:
            return None
        if row.body is not None and slugs & set(json.loads(row.body).get("escalations", [])):
            return parent_id
        parent_id = row.parent_id
    return None


def _record(store: Store, comment_pk: int, decision_pk: int | None, reply: StaffReply,
            rules: StaffReplies, reminders: Reminders | None) -> None:
    now = store.now()
    reason = (f"{REASON_PREFIX}: {reply.staff} ({reply.reason}) replied in a thread that "
              f"criticises the institution ({reply.critical}); directive {rules.clause}: the "
              "community manager answers negative information")
    with store.begin() as conn:
        head = lock_chain(conn)
        conn.execute(escalations.insert().values(
            comment_pk=comment_pk, decision_pk=decision_pk, review_pk=None,
            reason=reason[:2000], status="pending", created_at=now, attempts=0))
        new = [NewEvent(EventKind.ESCALATED, "comment", reply.comment_id,
                        {"clauses": [rules.clause], "origin": "staff_reply",
                         "thread": reply.critical})]
        if reply.reminded is not None and reminders is not None:
            # The address is the staff member's work e-mail from the registry, not a
            # commenter's: it may be recorded.
            new.append(NewEvent(EventKind.STAFF_REMINDED, "comment", reply.comment_id,
                                {"to": reply.reminded, "channel": reminders.name,
                                 "clause": rules.clause}))
        append_events(conn, new, now, head)
