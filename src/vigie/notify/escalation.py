"""Escalations to the community manager: by e-mail (SMTP) and/or a Teams or Slack webhook.

Escalations are rows written with the decision (or by a reviewer); :func:`send_escalations`
sends the pending ones, one message each or one digest for all, and records each sending as an
``escalation_sent`` event. A channel that fails leaves the escalation ``pending`` (retried on the
next call) with the error recorded; nothing is dropped.

Messages name the comment, its platform, the clauses and the explanation; they quote the
comment's text only when ``escalation.include_text`` is set (e-mail and chat leave the
institution's systems: Law 25).
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any, Protocol

import httpx
from sqlalchemy import select, update

from vigie.store.events import EventKind, NewEvent, append_events, lock_chain
from vigie.store.schema import comments, escalations
from vigie.store.settings import EscalationSettings, SmtpSettings, WebhookSettings
from vigie.store.store import Store

__all__ = ["Escalation", "Notifier", "SendReport", "SmtpNotifier", "WebhookNotifier",
           "notifiers_from_settings", "send_escalations"]


@dataclass(frozen=True, slots=True)
class Escalation:
    """One escalation to notify."""

    pk: int
    comment_id: str
    platform: str
    reason: str
    text: str | None

    def line(self) -> str:
        """One line for a message or a digest."""
        quoted = f' — "{self.text[:280]}"' if self.text else ""
        return f"[{self.platform}] {self.comment_id}: {self.reason}{quoted}"


class Notifier(Protocol):
    """A channel that can deliver an escalation message."""

    name: str

    def send(self, subject: str, lines: Sequence[str]) -> None:
        """Deliver one message; raise on failure."""
        ...


class SmtpNotifier:
    """E-mail through an SMTP relay (standard library ``smtplib``)."""

    name = "smtp"

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    def send(self, subject: str, lines: Sequence[str]) -> None:
        """Send one e-mail to every recipient.

        Raises:
            smtplib.SMTPException, OSError: the relay refused or could not be reached.
        """
        s = self.settings
        message = EmailMessage()
        message["From"] = s.sender
        message["To"] = ", ".join(s.recipients)
        message["Subject"] = subject
        message.set_content("\n".join(lines) + "\n\n-- Vigie\n")
        context = ssl.create_default_context()
        client: smtplib.SMTP
        if s.security == "ssl":
            client = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout_s, context=context)
        else:
            client = smtplib.SMTP(s.host, s.port, timeout=s.timeout_s)
        with client:
            if s.security == "starttls":
                client.starttls(context=context)
            if s.username and s.password:
                client.login(s.username, s.password)
            client.send_message(message)


class WebhookNotifier:
    """A Slack or Microsoft Teams incoming webhook, through an injected ``httpx.Client``."""

    def __init__(self, settings: WebhookSettings, client: httpx.Client | None = None) -> None:
        self.settings = settings
        self.client = client or httpx.Client(timeout=settings.timeout_s)
        self.name = f"webhook:{settings.flavour}"

    def payload(self, subject: str, lines: Sequence[str]) -> dict[str, Any]:
        """The JSON body for the webhook's flavour (pure)."""
        text = f"*{subject}*\n" + "\n".join(f"• {line}" for line in lines)
        if self.settings.flavour == "teams":
            return {"@type": "MessageCard", "@context": "https://schema.org/extensions",
                    "summary": subject, "title": subject,
                    "text": "<br>".join(lines)}
        return {"text": text}

    def send(self, subject: str, lines: Sequence[str]) -> None:
        """POST the message.

        Raises:
            httpx.HTTPError: network failure or a non-2xx answer.
        """
        response = self.client.post(self.settings.url, json=self.payload(subject, lines))
        response.raise_for_status()


def notifiers_from_settings(settings: EscalationSettings,
                            client: httpx.Client | None = None) -> list[Notifier]:
    """The channels configured in ``settings`` (possibly none)."""
    out: list[Notifier] = []
    if settings.smtp is not None:
        out.append(SmtpNotifier(settings.smtp))
    out.extend(WebhookNotifier(w, client) for w in settings.webhooks)
    return out


@dataclass(slots=True)
class SendReport:
    """What :func:`send_escalations` did."""

    sent: int = 0
    messages: int = 0
    errors: list[str] = field(default_factory=list)


def send_escalations(store: Store, notifiers: Sequence[Notifier], *, digest: bool = False,
                     include_text: bool = False, limit: int = 500) -> SendReport:
    """Send pending escalations through every channel.

    An escalation is ``sent`` once every channel delivered it; if one fails it stays
    ``pending`` (all channels get it again next time: a duplicate notice beats a lost one).

    Args:
        store: the store.
        notifiers: the channels (none: nothing is sent and nothing changes).
        digest: one message for all pending escalations instead of one each.
        include_text: quote the comments' text.
        limit: most escalations handled in one call.
    """
    report = SendReport()
    if not notifiers:
        return report
    with store.read() as conn:
        rows = conn.execute(
            select(escalations.c.pk, escalations.c.reason, comments.c.comment_id,
                   comments.c.platform, comments.c.text)
            .join(comments, comments.c.pk == escalations.c.comment_pk)
            .where(escalations.c.status == "pending").order_by(escalations.c.pk).limit(limit)
        ).all()
    items = [Escalation(r.pk, r.comment_id, r.platform, r.reason,
                        r.text if include_text else None) for r in rows]
    if not items:
        return report
    groups = [items] if digest else [[item] for item in items]
    delivered: list[tuple[list[Escalation], list[str]]] = []
    failed: list[tuple[list[Escalation], str]] = []
    for group in groups:
        subject = (f"Vigie: {len(group)} escalated comments" if digest
                   else f"Vigie: comment {group[0].comment_id} escalated")
        channels, errors = [], []
        for notifier in notifiers:
            try:
                notifier.send(subject, [item.line() for item in group])
                channels.append(notifier.name)
                report.messages += 1
            except Exception as error:  # any channel failure is recorded, never raised
                errors.append(f"{notifier.name}: {type(error).__name__}: {error}"[:300])
        if errors:
            failed.append((group, "; ".join(errors)))
            report.errors.extend(errors)
        else:
            delivered.append((group, channels))
    now = store.now()
    with store.begin() as conn:
        lock_chain(conn)
        events = []
        for group, channels in delivered:
            for item in group:
                conn.execute(update(escalations).where(escalations.c.pk == item.pk).values(
                    status="sent", sent_at=now, attempts=escalations.c.attempts + 1))
                events.append(NewEvent(EventKind.ESCALATION_SENT, "comment", item.comment_id,
                                       {"escalation": item.pk, "channels": channels,
                                        "digest": digest}))
                report.sent += 1
        for group, message in failed:
            for item in group:
                conn.execute(update(escalations).where(escalations.c.pk == item.pk).values(
                    attempts=escalations.c.attempts + 1, last_error=message[:1000]))
        append_events(conn, events, now)
    return report
