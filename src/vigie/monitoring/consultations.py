"""Asking a supervisor about a draft (directive 6.3: "in case of doubt, ask a supervisor").

A member of staff whose draft the pre-publication check (:mod:`vigie.monitoring.draft`) flags,
or who simply doubts, puts it to a supervisor: :func:`ask_supervisor` stores the draft, the
findings the check gave and the supervisor's e-mail address in ``monitor_consultations`` with a
``supervisor_asked`` event; :func:`answer_consultation` records the answer once, with a
``supervisor_answered`` event. Each row is written in the same transaction as its event.
Events carry the consultation's number, the supervisor, the clauses and who acted, never the
draft's text nor the answer's (the audit trail cannot be purged; the table can).

The supervisor is told by e-mail through the escalation relay (``escalation.smtp``), with
the supervisor as the only recipient (:func:`notify_supervisor`): the webhooks are the
community manager's channel, not the supervisor's, and a draft in doubt of being confidential
does not go to a shared channel. The caller words the notice (the dashboard's catalogue,
:func:`vigie.web.notices.consultation_notice`); the e-mail never quotes the draft, it links
to its page. No relay: nothing is sent, the row says ``no_channel`` and the asker is told.

Refusals (:class:`ConsultationError`, a :class:`~vigie.errors.StoreError`) write nothing;
each carries a ``key`` the edges translate (``consult.error_<key>``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from vigie.errors import StoreError
from vigie.monitoring.tables import monitor_consultations
from vigie.notify.escalation import Notice, mail_lang, mail_one
from vigie.store.events import EventKind, NewEvent, append_events, lock_chain
from vigie.store.settings import EscalationSettings
from vigie.store.store import Store

__all__ = ["Consultation", "ConsultationError", "answer_consultation", "ask_supervisor",
           "from_row", "get_consultation", "list_consultations", "notify_supervisor",
           "supervisor_lang", "valid_email"]

#: Longest answer kept (characters); drafts are bounded by the check (20,000).
MAX_ANSWER = 5000
# One @, something on each side, a dot in the domain: enough to catch a typo, not an RFC.
_EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;.]+$")


class ConsultationError(StoreError):
    """A consultation step was refused; nothing was written.

    Attributes:
        key: ``unknown``, ``answered``, ``empty_answer``, ``empty_draft``, ``bad_email`` or
            ``too_long``: the edges word it (``consult.error_<key>``).
        fields: what the message names (``pk``, ``email``...).
    """

    def __init__(self, key: str, message: str, **fields: Any) -> None:
        super().__init__(message)
        self.key = key
        self.fields = fields


@dataclass(frozen=True, slots=True)
class Consultation:
    """One draft put to a supervisor, as stored."""

    pk: int
    asked_at: Any
    asked_by: str
    speaker: str
    supervisor: str
    text: str
    findings: list[dict[str, Any]]
    status: str
    notice: str
    answer: str | None = None
    answered_by: str | None = None
    answered_at: Any = None

    @property
    def clauses(self) -> list[str]:
        """The clauses the findings cite, in order of first appearance."""
        return list(dict.fromkeys(str(f.get("clause", "")) for f in self.findings))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (pure)."""
        return {"pk": self.pk, "asked_at": self.asked_at.isoformat(), "asked_by": self.asked_by,
                "speaker": self.speaker, "supervisor": self.supervisor, "text": self.text,
                "findings": self.findings, "clauses": self.clauses, "status": self.status,
                "notice": self.notice, "answer": self.answer, "answered_by": self.answered_by,
                "answered_at": self.answered_at.isoformat() if self.answered_at else None}


def valid_email(address: str) -> bool:
    """Whether ``address`` looks like one e-mail address (pure)."""
    return bool(_EMAIL.match(address.strip()))


def from_row(row: Any) -> Consultation:
    """A stored ``monitor_consultations`` row as a :class:`Consultation` (pure)."""
    return Consultation(int(row.pk), row.asked_at, row.asked_by, row.speaker, row.supervisor,
                        row.text, json.loads(row.findings), row.status, row.notice, row.answer,
                        row.answered_by, row.answered_at)


def _fetch(conn: Connection, pk: int) -> Consultation | None:
    row = conn.execute(select(monitor_consultations)
                       .where(monitor_consultations.c.pk == pk)).one_or_none()
    return from_row(row) if row is not None else None


def get_consultation(store: Store, pk: int) -> Consultation:
    """Consultation ``pk``.

    Raises:
        ConsultationError: no such consultation (``unknown``).
    """
    with store.read() as conn:
        found = _fetch(conn, pk)
    if found is None:
        raise ConsultationError("unknown", f"no consultation {pk}", pk=pk)
    return found


def list_consultations(store: Store, status: str | None = None,
                       limit: int = 200) -> list[Consultation]:
    """Consultations, newest first; only ``asked`` or ``answered`` ones when ``status`` says."""
    query = select(monitor_consultations).order_by(monitor_consultations.c.pk.desc()).limit(limit)
    if status in ("asked", "answered"):
        query = query.where(monitor_consultations.c.status == status)
    with store.read() as conn:
        return [from_row(r) for r in conn.execute(query).all()]


def ask_supervisor(store: Store, text: str, findings: Sequence[dict[str, Any]], *,
                   supervisor: str, asked_by: str, speaker: str) -> Consultation:
    """Store a draft put to ``supervisor`` with its findings; append ``supervisor_asked``.

    Args:
        store: the store.
        text: the draft, as checked.
        findings: the check's findings (:meth:`DraftFinding.to_dict` each), kept as shown.
        supervisor: the supervisor's e-mail address.
        asked_by: who asks (an account, or a name given on the command line).
        speaker: who would publish the draft.

    Raises:
        ConsultationError: empty draft (``empty_draft``), or an address that is not one
            (``bad_email``); nothing is written.
    """
    supervisor = supervisor.strip()
    if not text.strip():
        raise ConsultationError("empty_draft", "the draft is empty")
    if not valid_email(supervisor) or len(supervisor) > 255:
        raise ConsultationError("bad_email", f"{supervisor!r} is not an e-mail address "
                                "(name@example.org)", email=supervisor)
    now = store.now()
    kept = [dict(f) for f in findings]
    with store.begin() as conn:
        head = lock_chain(conn)
        pk = int(conn.execute(insert(monitor_consultations).values(
            asked_at=now, asked_by=asked_by[:255], speaker=speaker[:255], supervisor=supervisor,
            text=text, findings=json.dumps(kept, ensure_ascii=False), status="asked",
            notice="pending").returning(monitor_consultations.c.pk)).scalar_one())
        clauses = list(dict.fromkeys(str(f.get("clause", "")) for f in kept))
        append_events(conn, [NewEvent(EventKind.SUPERVISOR_ASKED, "consultation", str(pk),
                                      {"supervisor": supervisor, "clauses": clauses,
                                       "findings": len(kept)}, actor=asked_by)], now, head)
        found = _fetch(conn, pk)
    assert found is not None
    return found


def answer_consultation(store: Store, pk: int, answer: str, *, answered_by: str,
                        actor: str | None = None) -> Consultation:
    """Record the supervisor's answer to consultation ``pk``; append ``supervisor_answered``.

    Args:
        store: the store.
        pk: the consultation's number.
        answer: the answer, in words.
        answered_by: who answered (the supervisor, or a name).
        actor: who records it, for the audit trail (default: ``answered_by``).

    Raises:
        ConsultationError: no such consultation (``unknown``), already answered (``answered``:
            an answer is never overwritten), an empty answer (``empty_answer``) or one over
            :data:`MAX_ANSWER` characters (``too_long``); nothing is written.
    """
    answer = answer.strip()
    if not answer:
        raise ConsultationError("empty_answer", "the answer is empty")
    if len(answer) > MAX_ANSWER:
        raise ConsultationError("too_long", f"the answer is over {MAX_ANSWER} characters",
                                n=MAX_ANSWER)
    now = store.now()
    with store.begin() as conn:
        head = lock_chain(conn)  # first: two answers at once are serialised here
        found = _fetch(conn, pk)
        if found is None:
            raise ConsultationError("unknown", f"no consultation {pk}", pk=pk)
        if found.status == "answered":
            raise ConsultationError("answered", f"consultation {pk} was already answered by "
                                    f"{found.answered_by}", pk=pk, by=found.answered_by)
        by = answered_by.strip()[:255] or found.supervisor
        conn.execute(update(monitor_consultations).where(monitor_consultations.c.pk == pk)
                     .values(status="answered", answer=answer, answered_by=by,
                             answered_at=now))
        append_events(conn, [NewEvent(EventKind.SUPERVISOR_ANSWERED, "consultation", str(pk),
                                      {"answered_by": by, "supervisor": found.supervisor},
                                      actor=actor or by)], now, head)
        done = _fetch(conn, pk)
    assert done is not None
    return done


def supervisor_lang(settings: EscalationSettings) -> str:
    """The language of the supervisor's e-mail: the relay's, else ``escalation.lang`` (pure)."""
    return mail_lang(settings)


def notify_supervisor(store: Store, consultation: Consultation, notice: Notice,
                      settings: EscalationSettings | None = None) -> tuple[str, str]:
    """E-mail ``notice`` to the consultation's supervisor, if a relay is configured.

    Never raises for a channel: the outcome is kept on the row (``notice``) and returned.

    Returns:
        ``(outcome, detail)``: ``sent``, ``no_channel`` (no ``escalation.smtp``) or ``failed``
        (the detail says why).
    """
    outcome, detail = mail_one(settings or store.settings.escalation, consultation.supervisor,
                               notice)
    with store.begin() as conn:
        conn.execute(update(monitor_consultations)
                     .where(monitor_consultations.c.pk == consultation.pk)
                     .values(notice=outcome))
    return outcome, detail
