"""``vigie reply`` as a real process, on SQLite and PostgreSQL: a template filled for the author,
a free text, and clear errors for unknown comments and templates (nothing queued then)."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from sqlalchemy import select

from vigie.policy import default_policy_path
from vigie.store.schema import events, outbox


def _reply(store: Any, *args: str, key: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "VIGIE_SECRET_KEY"}
    if key:
        env["VIGIE_SECRET_KEY"] = key
    run = subprocess.run([sys.executable, "-m", "vigie", "reply", *args, "--db",
                          store.settings.database_url, "--policy", str(default_policy_path())],
                         capture_output=True, text=True, timeout=120, env=env)
    # The console wraps long lines at the terminal's width: compare words, not line breaks.
    return subprocess.CompletedProcess(run.args, run.returncode, " ".join(run.stdout.split()),
                                       " ".join(run.stderr.split()))


def _queued(store: Any) -> list[tuple[str, str | None, str | None]]:
    with store.read() as conn:
        return [(r.comment_id, r.body, r.requested_by) for r in conn.execute(
            select(outbox).where(outbox.c.kind == "reply_comment").order_by(outbox.c.pk))]


def test_reply_from_a_template_and_from_a_text(store: Any, moderator: Any,
                                               comment_factory: Any) -> None:
    moderator.process([comment_factory("fb:c-1", "Quand ouvrent les inscriptions?"),
                       comment_factory("fb:c-2", "Thanks a lot for the great open house day",
                                       author="fb:u-2")])
    run = _reply(store, "fb:c-1", "--template", "question", "--by", "cm@polymtl.ca")
    assert run.returncode == 0, run.stderr
    expected = ("Bonjour Name of fb:u-1, merci pour votre question. Nous vous répondons dès "
                "que possible ; vous pouvez aussi nous écrire en message privé.")
    assert "reply to fb:c-1 queued: reply:fb:c-1:" in run.stdout and expected in run.stdout
    english = _reply(store, "fb:c-2", "-t", "thanks", "--by", "cm@polymtl.ca")
    assert english.returncode == 0, english.stderr
    assert "Thank you Name of fb:u-2 for your message!" in english.stdout  # its own language
    free = _reply(store, "fb:c-1", "--text", "Le 1er février.", "--by", "cm@polymtl.ca")
    assert free.returncode == 0, free.stderr
    again = _reply(store, "fb:c-1", "--text", "Le 1er février.", "--by", "cm@polymtl.ca")
    assert "already queued (posted once)" in again.stdout
    assert _queued(store) == [("fb:c-1", expected, "cm@polymtl.ca"),
                              ("fb:c-2", "Thank you Name of fb:u-2 for your message!",
                               "cm@polymtl.ca"),
                              ("fb:c-1", "Le 1er février.", "cm@polymtl.ca")]
    with store.read() as conn:
        audit = conn.execute(select(events.c.kind, events.c.actor).where(
            events.c.kind == "reply_queued")).all()
    assert [tuple(a) for a in audit] == [("reply_queued", "cm@polymtl.ca")] * 3


def test_unknown_comments_and_templates_are_clear_errors(store: Any, moderator: Any,
                                                         comment_factory: Any) -> None:
    moderator.process([comment_factory("fb:c-1", "Quand ouvrent les inscriptions?")])
    unknown = _reply(store, "fb:c-1", "--template", "nope", "--by", "cm")
    assert unknown.returncode != 0 and "Traceback" not in unknown.stderr
    assert ("unknown reply template 'nope'; valid: question, criticism, removal, reminder, "
            "thanks") in unknown.stderr
    missing = _reply(store, "fb:nope", "--text", "Bonjour", "--by", "cm")
    assert missing.returncode != 0 and "no comment 'fb:nope' in the store" in missing.stderr
    neither = _reply(store, "fb:c-1", "--by", "cm")
    assert neither.returncode != 0
    assert "give --template NAME or --text TEXT" in neither.stderr
    assert "(suggested for this comment: question)" in neither.stderr
    assert _queued(store) == []


def test_the_removal_notice_gives_the_appeal_code_signed_with_the_dashboards_key(
        store: Any, moderator: Any, comment_factory: Any) -> None:
    from vigie.store.schema import comments
    from vigie.web.appeals import appeal_code

    moderator.process([comment_factory("fb:c-1", "Un commentaire")])
    without = _reply(store, "fb:c-1", "--template", "removal", "--by", "cm")
    assert without.returncode != 0 and "set VIGIE_SECRET_KEY" in without.stderr
    key = "a-dashboard-key-of-forty-characters-0123"
    run = _reply(store, "fb:c-1", "--template", "removal", "--by", "cm", key=key)
    assert run.returncode == 0, run.stderr
    with store.read() as conn:
        pk = conn.execute(select(comments.c.pk).where(comments.c.comment_id == "fb:c-1")
                          ).scalar_one()
    code = appeal_code(key, pk)
    assert f"Pour contester : /appeal?code={code}" in run.stdout
