"""Escalations by e-mail (a real SMTP exchange on loopback) and by webhook (httpx mock)."""

from __future__ import annotations

import json
import socketserver
import threading
from collections.abc import Iterator
from email import message_from_bytes
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from vigie.notify.escalation import SmtpNotifier, WebhookNotifier, send_escalations
from vigie.store.schema import escalations
from vigie.store.settings import SmtpSettings, WebhookSettings


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
                server.received.append((envelope, message_from_bytes(data)))
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


def test_email_one_per_escalation(store: Any, moderator: Any, comment_factory: Any,
                                  smtp_server: Any) -> None:
    _escalate(moderator, comment_factory)
    smtp = SmtpNotifier(SmtpSettings(host="127.0.0.1", port=smtp_server.server_address[1],
                                     sender="vigie@poly.example", security="none",
                                     recipients=("cm@poly.example",)))
    report = send_escalations(store, [smtp])
    assert (report.sent, report.messages) == (2, 2)
    envelope, message = smtp_server.received[0]
    assert "cm@poly.example" in envelope["rcpt"][0]
    assert message["Subject"] == "Vigie: comment fb:c-0 escalated"
    body = message.get_payload(decode=True).decode()
    assert "6.1" in body and "private words" not in body     # no text unless asked
    assert _statuses(store) == ["sent", "sent"]
    assert send_escalations(store, [smtp]).sent == 0           # nothing sent twice


def test_webhook_digest(store: Any, moderator: Any, comment_factory: Any) -> None:
    _escalate(moderator, comment_factory, 3)
    posted: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        posted.append(json.loads(request.content))
        return httpx.Response(200, text="ok")

    client = httpx.Client(transport=httpx.MockTransport(handler))
    teams = WebhookNotifier(WebhookSettings(url="https://hooks.example/teams",
                                            flavour="teams"), client)
    report = send_escalations(store, [teams], digest=True, include_text=True)
    assert (report.sent, report.messages) == (3, 1)
    assert posted[0]["title"] == "Vigie: 3 escalated comments"
    assert "private words" in posted[0]["text"]                # include_text was asked


def test_failed_channel_keeps_escalations_pending(store: Any, moderator: Any,
                                                  comment_factory: Any) -> None:
    _escalate(moderator, comment_factory, 1)
    client = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(500)))
    slack = WebhookNotifier(WebhookSettings(url="https://hooks.example/slack"), client)
    report = send_escalations(store, [slack])
    assert report.sent == 0 and "500" in report.errors[0]
    assert _statuses(store) == ["pending"]
    ok = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200)))
    assert send_escalations(store, [WebhookNotifier(slack.settings, ok)]).sent == 1


def test_slack_payload() -> None:
    slack = WebhookNotifier(WebhookSettings(url="https://hooks.example/slack"),
                            httpx.Client(transport=httpx.MockTransport(
                                lambda r: httpx.Response(200))))
    assert slack.payload("S", ["a", "b"]) == {"text": "*S*\n• a\n• b"}
