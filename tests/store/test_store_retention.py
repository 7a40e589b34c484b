"""Law 25: retention purges, pseudonymised audit exports, an author's own file."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from typer.testing import CliRunner

from vigie.store.events import verify_chain
from vigie.store.queue import list_items
from vigie.store.retention import export_audit, export_author, pseudonym, purge
from vigie.store.schema import authors, comments


def _texts(store: Any) -> dict[str, str | None]:
    with store.read() as conn:
        return dict(conn.execute(select(comments.c.comment_id, comments.c.text)).all())


def test_purge_follows_the_retention_rules(store: Any, moderator: Any, comment_factory: Any,
                                           store_clock: Any) -> None:
    moderator.process([
        comment_factory("fb:c-ok", "Merci", at="2025-03-01T00:00:00Z"),
        comment_factory("fb:c-spam", "SPAM", author="fb:u-2", at="2025-03-01T00:00:00Z"),
        comment_factory("fb:c-held", "MAYBE", author="fb:u-3", at="2025-03-01T00:00:00Z"),
    ])
    store_clock.advance(days=30)
    assert purge(store).to_dict() == {"allowed_purged": 0, "removed_purged": 0,
                                      "authors_purged": 0, "dry_run": False}
    store_clock.advance(days=70)                            # past 90 days for allowed text
    assert purge(store, dry_run=True).allowed == 1
    assert _texts(store)["fb:c-ok"] == "Merci"              # a dry run changes nothing
    assert purge(store).to_dict()["authors_purged"] == 1    # fb:c-ok's author: name gone too
    texts = _texts(store)
    with store.read() as conn:
        names = dict(conn.execute(select(authors.c.author_id, authors.c.name)).all())
    assert names["fb:u-1"] is None and names["fb:u-2"] == "Name of fb:u-2"
    assert texts["fb:c-ok"] is None                          # allowed: purged after 90 days
    assert texts["fb:c-spam"] == "SPAM"                      # removed: kept 2 years
    assert texts["fb:c-held"] == "MAYBE"                     # under review: never purged
    store_clock.advance(days=800)
    assert purge(store).removed == 1 and _texts(store)["fb:c-spam"] is None
    with store.read() as conn:
        assert verify_chain(conn).ok                         # the chain never held the text
    assert list_items(store)[0].text == "MAYBE"


def test_audit_export_is_pseudonymised(store: Any, moderator: Any,
                                       comment_factory: Any) -> None:
    moderator.process([comment_factory("fb:c-1", "SPAM secret text", author="fb:u-42")])
    records = list(export_audit(store, actor="auditor"))
    dump = json.dumps(records, ensure_ascii=False)
    assert "fb:u-42" not in dump and "secret text" not in dump and "Name of" not in dump
    alias = pseudonym(b"k" * 32, "facebook", "fb:u-42")
    assert records[0]["author"] == alias and alias.startswith("anon-")
    assert any(r["type"] == "event" and r["kind"] == "decided" for r in records)
    assert list(export_audit(store))[-1]["kind"] == "exported"   # exports are audited too


def test_author_export_has_everything(store: Any, moderator: Any, comment_factory: Any) -> None:
    moderator.process([comment_factory("fb:c-1", "SPAM", author="fb:u-7"),
                       comment_factory("fb:c-2", "Merci", author="fb:u-7"),
                       comment_factory("fb:c-3", "Autre", author="fb:u-8")])
    file = export_author(store, "fb:u-7", actor="privacy officer")
    (account,) = file["accounts"]
    assert account["name"] == "Name of fb:u-7"
    assert [c["comment_id"] for c in account["comments"]] == ["fb:c-1", "fb:c-2"]
    assert account["comments"][0]["decision"]["action"] == "remove"
    assert account["comments"][0]["platform_actions"][0]["kind"] == "remove_comment"
    assert len(account["strikes"]) == 1
    assert {"ingested", "decided", "strike_recorded"} <= {e["kind"] for e in account["events"]}
    assert "fb:c-3" not in json.dumps(file)


def test_purge_and_export_cli(store: Any, moderator: Any, comment_factory: Any,
                              db_url: str, monkeypatch: Any) -> None:
    from vigie.cli.app import app

    moderator.process([comment_factory("fb:c-1", "Merci", at="2020-01-01T00:00:00Z")])
    runner = CliRunner()
    result = runner.invoke(app, ["purge", "--dry-run", "--db", db_url])
    assert result.exit_code == 0 and "would purge the text of 1 allowed" in result.output
    monkeypatch.delenv("VIGIE_PSEUDONYM_KEY", raising=False)
    refused = runner.invoke(app, ["audit", "export", "--db", db_url])
    assert refused.exit_code != 0 and "VIGIE_PSEUDONYM_KEY" in str(refused.exception)
    monkeypatch.setenv("VIGIE_PSEUDONYM_KEY", "x" * 40)
    exported = runner.invoke(app, ["audit", "export", "--db", db_url])
    assert exported.exit_code == 0 and '"author": "anon-' in exported.output
    mine = runner.invoke(app, ["audit", "export", "--author", "fb:u-1", "--db", db_url])
    assert '"text": "Merci"' in mine.output
