"""``vigie escalations send`` as a real process: the notice worded in the configured language,
with the reason, the evidence and the link to the escalation's page, posted to a webhook on
the loopback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest


class _Hook(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        self.server.posted.append(json.loads(body))  # type: ignore[attr-defined]
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def hook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    server: Any = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    server.posted = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", server.posted
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(("lang", "expected"), [
    ("fr", ["*Vigie : commentaire fb:c-1 escaladé (6.1 Détresse)*",
            "• Motif : clause 6.1 Détresse — Détresse",
            "• Dans le tableau de bord : https://vigie.poly.example/escalations/1"]),
    ("en", ["*Vigie: comment fb:c-1 escalated (6.1 Distress)*",
            "• Reason: clause 6.1 Distress — Distress",
            "• Evidence: keyword DISTRESS (score 0.90)",
            "• In the dashboard: https://vigie.poly.example/escalations/1"]),
])
def test_send_words_the_notice_in_the_configured_language(
        store: Any, moderator: Any, comment_factory: Any, store_policy: Any, tmp_path: Path,
        hook: tuple[str, list[dict[str, Any]]], lang: str, expected: list[str]) -> None:
    moderator.process([comment_factory("fb:c-1", "I feel DISTRESS")])
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text(store_policy[1], encoding="utf-8")
    url, posted = hook
    env = {**os.environ, "VIGIE_WEBHOOK_URL": url, "VIGIE_ESCALATION_LANG": lang,
           "VIGIE_DASHBOARD_URL": "https://vigie.poly.example"}
    run = subprocess.run([sys.executable, "-m", "vigie", "escalations", "send", "--db",
                          store.settings.database_url, "--policy", str(policy_file)],
                         capture_output=True, text=True, timeout=120, env=env)
    assert run.returncode == 0, run.stderr
    assert "1 escalations sent in 1 messages" in run.stdout
    lines = posted[0]["text"].splitlines()
    assert all(line in lines for line in expected), lines
