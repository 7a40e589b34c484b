"""Escalations by e-mail (a real SMTP exchange on loopback) and by webhook (httpx mock), worded
by the dashboard's composer in each channel's language (French by default)."""

from __future__ import annotations

import json
import socketserver
import threading
from collections.abc import Iterator
from email import message_from_bytes
from email import policy as email_policy
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from vigie.notify.escalation import (
    SmtpNotifier,
    WebhookNotifier,
    notifiers_from_settings,
    send_escalations,
)
from vigie.store.schema import escalations
from vigie.store.settings import EscalationSettings, SmtpSettings, WebhookSettings
from vigie.web.notices import escalation_composer

DASHBOARD = "https://vigie.poly.example/"


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321) to receive a message: no TLS, no auth."""

    def _say(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        server: Any = self.server
        self._say("220 test ESMTP")
        envelope: dict[str, Any] = {"rcpt": []}
        while line := self.rfile.readline():
            command = line.decode().strip()
            verb = command[:4].upper()
            if verb in ("EHLO", "HELO"):
                self._say("250 test")
            elif verb == "MAIL":
                envelope["from"] = command
                self._say("250 ok")
            elif verb == "RCPT":
                envelope["rcpt"].append(command)
                self._say("250 ok")
            elif verb == "DATA":
                self._say("354 end with .")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                server.received.append((envelope, message_from_bytes(
                    data, policy=email_policy.default)))
                envelope = {"rcpt": []}
                self._say("250 queued")
            elif verb == "QUIT":
                self._say("221 bye")
                return
            else:
                self._say("250 ok")


@pytest.fixture
def smtp_server() -> Iterator[Any]:
    server: Any = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpHandler)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _escalate(moderator: Any, comment_factory: Any, n: int = 2) -> None:
    moderator.process([comment_factory(f"fb:c-{i}", "I feel DISTRESS, private words",
                                       author=f"fb:u-{i}") for i in range(n)])


def _statuses(store: Any) -> list[str]:
    with store.read() as conn:
        return list(conn.execute(select(escalations.c.status)).scalars())


def _compose(store_policy: Any, dashboard: str | None = DASHBOARD) -> Any:
    return escalation_composer(store_policy[0], dashboard)


def _smtp(server: Any, **more: Any) -> SmtpSettings:
    return SmtpSettings(host="127.0.0.1", port=server.server_address[1],
                        sender="vigie@poly.example", security="none",
                        recipients=("cm@poly.example",), **more)


def _body(message: Any) -> str:
    return str(message.get_content())


def _pks(store: Any) -> list[int]:
    with store.read() as conn:
        return list(conn.execute(select(escalations.c.pk).order_by(escalations.c.pk)).scalars())


def test_email_one_per_escalation_in_french_with_reason_evidence_and_link(
        store: Any, moderator: Any, comment_factory: Any, smtp_server: Any,
        store_policy: Any) -> None:
    _escalate(moderator, comment_factory)
    smtp = SmtpNotifier(_smtp(smtp_server))
    report = send_escalations(store, [smtp], compose=_compose(store_policy))
    assert (report.sent, report.messages) == (2, 2)
    envelope, message = smtp_server.received[0]
    assert "cm@poly.example" in envelope["rcpt"][0]
    assert message["Subject"] == "Vigie : commentaire fb:c-0 escaladé (6.1 Détresse)"
    assert message["Content-Language"] == "fr"
    body = _body(message)
    first = _pks(store)[0]
    assert "Commentaire fb:c-0 (facebook)" in body
    assert "Motif : clause 6.1 Détresse — Détresse" in body        # the clause and its text
    assert "Indice : Indice relevé par un détecteur (risk.distress) (score 0,90)" in body
    assert f"Dans le tableau de bord : https://vigie.poly.example/escalations/{first}" in body
    assert "No breach" not in body and "Reason" not in body           # no English left
    assert "private words" not in body                                # no text unless asked
    assert _statuses(store) == ["sent", "sent"]
    assert send_escalations(store, [smtp], compose=_compose(store_policy)).sent == 0


def test_email_in_english_for_an_english_recipient(store: Any, moderator: Any,
                                                   comment_factory: Any, smtp_server: Any,
                                                   store_policy: Any) -> None:
    _escalate(moderator, comment_factory, 1)
    notifiers = notifiers_from_settings(EscalationSettings(smtp=_smtp(smtp_server, lang="en")))
    send_escalations(store, notifiers, compose=_compose(store_policy), include_text=True)
    _, message = smtp_server.received[0]
    assert message["Subject"] == "Vigie: comment fb:c-0 escalated (6.1 Distress)"
    assert message["Content-Language"] == "en"
    body = _body(message)
    pk = _pks(store)[0]
    assert "Reason: clause 6.1 Distress — Distress" in body
    assert "Evidence: keyword DISTRESS (score 0.90)" in body  # the detector's sentence
    assert f"In the dashboard: https://vigie.poly.example/escalations/{pk}" in body
    assert "Text: “I feel DISTRESS, private words”" in body          # include_text was asked
    assert "Motif" not in body


def test_without_a_dashboard_address_the_notice_gives_the_path(
        store: Any, moderator: Any, comment_factory: Any, smtp_server: Any,
        store_policy: Any) -> None:
    _escalate(moderator, comment_factory, 1)
    send_escalations(store, [SmtpNotifier(_smtp(smtp_server))],
                     compose=_compose(store_policy, None))
    body = _body(smtp_server.received[0][1])
    assert f"Dans le tableau de bord : /escalations/{_pks(store)[0]} (adresse complète : " \
           "définir VIGIE_DASHBOARD_URL)" in body


def test_the_notice_links_to_the_comment_on_its_platform_only_on_its_host(
        store: Any, moderator: Any, comment_factory: Any, smtp_server: Any,
        store_policy: Any) -> None:
    permalink = "https://www.facebook.com/1000/posts/1000_1?comment_id=1000_7"
    claims = {"fb:c-0": permalink, "fb:c-1": "https://evil.example/fb/c-1"}
    moderator.process([comment_factory(cid, "I feel DISTRESS", author="fb:u-1")
                       .model_copy(update={"url": url}) for cid, url in claims.items()])
    posted: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        posted.append(json.loads(request.content))
        return httpx.Response(200)

    teams = WebhookNotifier(WebhookSettings(url="https://hooks.example/teams", flavour="teams",
                                            lang="en"), httpx.Client(
                                                transport=httpx.MockTransport(handler)))
    send_escalations(store, [SmtpNotifier(_smtp(smtp_server)), teams],
                     compose=_compose(store_policy))
    linked, claimed = (_body(message) for _, message in smtp_server.received)
    assert f"Sur la plateforme : {permalink}" in linked
    assert "Sur la plateforme" not in claimed and "evil.example" not in claimed
    assert f"On the platform: {permalink}" in posted[0]["text"]
    assert "evil.example" not in posted[1]["text"]


def test_each_channel_gets_its_own_language(store: Any, moderator: Any, comment_factory: Any,
                                            smtp_server: Any, store_policy: Any) -> None:
    _escalate(moderator, comment_factory, 1)
    posted: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        posted.append(json.loads(request.content))
        return httpx.Response(200)

    settings = EscalationSettings(
        smtp=_smtp(smtp_server), lang="fr",
        webhooks=(WebhookSettings(url="https://hooks.example/slack", lang="en"),))
    client = httpx.Client(transport=httpx.MockTransport(handler))
    report = send_escalations(store, notifiers_from_settings(settings, client),
                              compose=_compose(store_policy), lang=settings.lang)
    assert (report.sent, report.messages) == (1, 2)
    assert smtp_server.received[0][1]["Subject"].startswith("Vigie : commentaire")
    assert posted[0]["text"].startswith("*Vigie: comment fb:c-0 escalated (6.1 Distress)*")
    assert "• In the dashboard: https://vigie.poly.example/escalations/" in posted[0]["text"]


def test_webhook_digest(store: Any, moderator: Any, comment_factory: Any,
                        store_policy: Any) -> None:
    _escalate(moderator, comment_factory, 3)
    posted: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        posted.append(json.loads(request.content))
        return httpx.Response(200, text="ok")

    client = httpx.Client(transport=httpx.MockTransport(handler))
    teams = WebhookNotifier(WebhookSettings(url="https://hooks.example/teams",
                                            flavour="teams"), client)
    report = send_escalations(store, [teams], compose=_compose(store_policy), digest=True,
                              include_text=True)
    assert (report.sent, report.messages) == (3, 1)
    assert posted[0]["title"] == "Vigie : 3 commentaires escaladés"
    assert "private words" in posted[0]["text"]                # include_text was asked
    assert all(f"/escalations/{pk}" in posted[0]["text"] for pk in _pks(store))


def test_failed_channel_keeps_escalations_pending(store: Any, moderator: Any,
                                                  comment_factory: Any,
                                                  store_policy: Any) -> None:
    _escalate(moderator, comment_factory, 1)
    client = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(500)))
    slack = WebhookNotifier(WebhookSettings(url="https://hooks.example/slack"), client)
    report = send_escalations(store, [slack], compose=_compose(store_policy))
    assert report.sent == 0 and "500" in report.errors[0]
    assert _statuses(store) == ["pending"]
    ok = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200)))
    assert send_escalations(store, [WebhookNotifier(slack.settings, ok)],
                            compose=_compose(store_policy)).sent == 1


def test_slack_payload() -> None:
    slack = WebhookNotifier(WebhookSettings(url="https://hooks.example/slack"),
                            httpx.Client(transport=httpx.MockTransport(
                                lambda r: httpx.Response(200))))
    assert slack.payload("S", ["a", "b"]) == {"text": "*S*\n• a\n• b"}
