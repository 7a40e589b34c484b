"""Escalations to the community manager: by e-mail (SMTP) and/or a Teams or Slack webhook.

Escalations are rows written with the decision (or by a reviewer); :func:`send_escalations`
sends the pending ones, one message each or one digest for all, and records each sending as an
``escalation_sent`` event. A channel that fails leaves the escalation ``pending`` (retried on the
next call) with the error recorded; nothing is dropped.

This module carries messages; it does not word them. The caller passes a :class:`Composer`
that writes a :class:`Notice` from the facts of each escalation (:class:`Escalation`: the
comment, its platform, the decision with its clauses and evidence, the reviewer's reason) in a
language, ``fr`` or ``en``: each channel receives the notice in its own language (``lang`` of
its settings, else ``escalation.lang``, French by default). The dashboard's composer
(:func:`vigie.web.notices.escalation_composer`) gives the reason, the evidence, a link to
the escalation's page and one to the comment on its platform where its address is known.

Notices quote the comment's text only when ``escalation.include_text`` is set (e-mail and chat
leave the institution's systems: Law 25).
"""

from __future__ import annotations

import json
import smtplib
import ssl
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any, Protocol

import httpx
from sqlalchemy import select, update

from vigie.records import stored_url
from vigie.store.events import EventKind, NewEvent, append_events, lock_chain
from vigie.store.schema import comments, decisions, escalations, posts
from vigie.store.settings import EscalationSettings, SmtpSettings, WebhookSettings
from vigie.store.store import Store

__all__ = ["Composer", "Escalation", "Notice", "Notifier", "SendReport", "SmtpNotifier",
           "WebhookNotifier", "mail_lang", "mail_one", "notifiers_from_settings",
           "send_escalations", "tell_community_manager"]


@dataclass(frozen=True, slots=True)
class Escalation:
    """The facts of one escalation to notify (what a :class:`Composer` words).

    Attributes:
        pk: the escalation's number (its page in the dashboard: ``/escalations/<pk>``).
        comment_id: the platform's comment id, as Vigie writes it (``fb:123_456``).
        platform: the comment's platform.
        reason: the store's reason, in English (a reviewer's: ``escalated by WHO: WHY``).
        text: the comment's text, or ``None`` (not asked for, or purged).
        post_id: the post the comment answers, when known.
        review_pk: the review item, for a reviewer's escalation.
        decision: the decision's body (clauses, evidence, escalation rules), when stored.
        url: the comment's address as its platform gave it (the record's ``url``), when known;
            the composer checks its host before linking to it.
    """

    pk: int
    comment_id: str
    platform: str
    reason: str
    text: str | None
    post_id: str | None = None
    review_pk: int | None = None
    decision: Mapping[str, Any] | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Notice:
    """One message, worded: its subject and its lines (links written out in full)."""

    subject: str
    lines: tuple[str, ...]


class Composer(Protocol):
    """Words the notice for a group of escalations (one, or a digest) in ``lang``."""

    def __call__(self, items: Sequence[Escalation], lang: str) -> Notice:
        """The notice (pure)."""
        ...


class Notifier(Protocol):
    """A channel that can deliver an escalation message."""

    name: str

    def send(self, subject: str, lines: Sequence[str]) -> None:
        """Deliver one message; raise on failure."""
        ...


class SmtpNotifier:
    """E-mail through an SMTP relay (standard library ``smtplib``)."""

    name = "smtp"

    def __init__(self, settings: SmtpSettings, lang: str | None = None) -> None:
        self.settings = settings
        #: The recipients' language: the settings', else ``lang``, else French.
        self.lang = settings.lang or lang or "fr"

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
        message["Content-Language"] = self.lang  # after set_content, which resets Content-*
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

    def __init__(self, settings: WebhookSettings, client: httpx.Client | None = None,
                 lang: str | None = None) -> None:
        self.settings = settings
        self.client = client or httpx.Client(timeout=settings.timeout_s)
        self.name = f"webhook:{settings.flavour}"
        #: The channel's language: the settings', else ``lang``, else French.
        self.lang = settings.lang or lang or "fr"

    def payload(self, subject: str, lines: Sequence[str]) -> dict[str, Any]:
        """The JSON body for the webhook's flavour (pure)."""
        text = f"*{subject}*\n" + "\n".join(f"• {line}" if line else "" for line in lines)
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
        out.append(SmtpNotifier(settings.smtp, settings.lang))
    out.extend(WebhookNotifier(w, client, settings.lang) for w in settings.webhooks)
    return out


def mail_lang(settings: EscalationSettings) -> str:
    """The language of a one-person e-mail: the relay's, else ``escalation.lang`` (pure)."""
    return (settings.smtp.lang if settings.smtp is not None and settings.smtp.lang
            else settings.lang)


def mail_one(settings: EscalationSettings, to: str, notice: Notice) -> tuple[str, str]:
    """E-mail ``notice`` to ``to`` alone through the escalation relay, if one is configured.

    The webhooks are the community manager's channel, not one person's: never used here.
    Never raises for the channel.

    Returns:
        ``(outcome, detail)``: ``sent``, ``no_channel`` (no ``escalation.smtp``) or ``failed``
        (the detail says why).
    """
    if settings.smtp is None:
        return "no_channel", ""
    relay = settings.smtp.model_copy(update={"recipients": (to,)})
    try:
        SmtpNotifier(relay, settings.lang).send(notice.subject, notice.lines)
    except Exception as error:  # any relay failure is reported, never raised
        return "failed", f"{type(error).__name__}: {error}"[:300]
    return "sent", ""


def tell_community_manager(settings: EscalationSettings, compose: Callable[[str], Notice],
                           client: httpx.Client | None = None) -> tuple[int, list[str]]:
    """Send one notice to each of the community manager's channels, in each one's language.

    Never raises for a channel.

    Returns:
        ``(sent, errors)``: how many channels took it, and why the others did not.
    """
    sent, errors = 0, []
    for notifier in notifiers_from_settings(settings, client):
        notice = compose(getattr(notifier, "lang", settings.lang))
        try:
            notifier.send(notice.subject, notice.lines)
            sent += 1
        except Exception as error:  # one channel down does not stop the others
            errors.append(f"{notifier.name}: {type(error).__name__}: {error}"[:300])
    return sent, errors


@dataclass(slots=True)
class SendReport:
    """What :func:`send_escalations` did."""

    sent: int = 0
    messages: int = 0
    errors: list[str] = field(default_factory=list)


def send_escalations(store: Store, notifiers: Sequence[Notifier], *, compose: Composer,
                     digest: bool = False, include_text: bool = False, limit: int = 500,
                     lang: str = "fr") -> SendReport:
    """Send pending escalations through every channel.

    An escalation is ``sent`` once every channel delivered it; if one fails it stays
    ``pending`` (all channels get it again next time: a duplicate notice beats a lost one).

    Args:
        store: the store.
        notifiers: the channels (none: nothing is sent and nothing changes).
        compose: words each notice (see :class:`Composer`).
        digest: one message for all pending escalations instead of one each.
        include_text: quote the comments' text.
        limit: most escalations handled in one call.
        lang: the language of a channel that names none (``fr`` or ``en``).
    """
    report = SendReport()
    if not notifiers:
        return report
    with store.read() as conn:
        rows = conn.execute(
            select(escalations.c.pk, escalations.c.reason, escalations.c.review_pk,
                   comments.c.comment_id, comments.c.platform, comments.c.text,
                   comments.c.payload, posts.c.post_id, decisions.c.body)
            .join(comments, comments.c.pk == escalations.c.comment_pk)
            .outerjoin(posts, posts.c.pk == comments.c.post_pk)
            .outerjoin(decisions, decisions.c.pk == escalations.c.decision_pk)
            .where(escalations.c.status == "pending").order_by(escalations.c.pk).limit(limit)
        ).all()
    items = [Escalation(r.pk, r.comment_id, r.platform, r.reason,
                        r.text if include_text else None, r.post_id, r.review_pk,
                        json.loads(r.body) if r.body else None, stored_url(r.payload))
             for r in rows]
    if not items:
        return report
    groups = [items] if digest else [[item] for item in items]
    delivered: list[tuple[list[Escalation], list[str]]] = []
    failed: list[tuple[list[Escalation], str]] = []
    for group in groups:
        notices: dict[str, Notice] = {}  # one wording per language, shared by its channels
        channels, errors = [], []
        for notifier in notifiers:
            # A channel of another kind (a test's fake) may carry no language of its own.
            chosen = str(getattr(notifier, "lang", "") or lang)
            try:
                if chosen not in notices:
                    notices[chosen] = compose(group, chosen)
                notifier.send(notices[chosen].subject, notices[chosen].lines)
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
