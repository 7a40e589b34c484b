"""Drafts put to a supervisor under Law 25 (SQLite and PostgreSQL): purged by ``vigie purge``
after ``retention.consultation_days``, listed in a person's export, erased with the person; each
step audited, the chain intact."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from typer.testing import CliRunner

from vigie.monitoring.consultation_privacy import (
    consultations_of,
    erase_consultations_of,
    purge_consultations,
)
from vigie.monitoring.consultations import answer_consultation, ask_supervisor, get_consultation
from vigie.monitoring.tables import monitor_consultations
from vigie.store.events import iter_events, verify_chain

FINDINGS = [{"clause": "6.4 a", "topic": "privacy", "severity": "must_change",
             "explanation": "Personal data: a home address", "span": [20, 42], "score": 0.9,
             "suggestion": {"fr": "Retirez l'adresse.", "en": "Remove the address."}}]
DRAFT = "Marie Tremblay habite au 2500 chemin de Polytechnique."


def _ask(store: Any, speaker: str = "@mtremblay", by: str = "moderator") -> int:
    return ask_supervisor(store, DRAFT, FINDINGS, supervisor="Chef@polymtl.ca",
                          asked_by=by, speaker=speaker).pk


def test_purge_follows_the_retention_rule(store: Any, store_clock: Any, db_url: str) -> None:
    old = _ask(store)
    answer_consultation(store, old, "Ne publiez pas l'adresse.", answered_by="chef")
    store_clock.advance(days=60)
    recent = _ask(store, speaker="@autre")
    store_clock.advance(days=31)                     # old: 91 days; recent: 31 days
    assert purge_consultations(store, dry_run=True).purged == 1
    assert get_consultation(store, old).text == DRAFT     # a dry run changes nothing
    assert purge_consultations(store).to_dict() == {
        "consultations_purged": 1, "consultation_days": 90, "dry_run": False}
    gone, kept = get_consultation(store, old), get_consultation(store, recent)
    assert (gone.text, gone.answer, gone.status) == ("", None, "answered")
    assert gone.findings == [{"clause": "6.4 a", "topic": "privacy", "severity": "must_change",
                              "score": 0.9}]          # what the doubt was about, not its words
    assert kept.text == DRAFT and kept.findings == FINDINGS
    assert purge_consultations(store).purged == 0     # done once
    # An answer recorded after its draft was purged is purged in turn.
    store_clock.advance(days=70)
    purge_consultations(store)
    answer_consultation(store, recent, "Trop tard", answered_by="chef")
    assert purge_consultations(store).purged == 1 and get_consultation(store, recent).answer is None
    with store.read() as conn:
        purged = [e for e in iter_events(conn) if e.kind == "purged"]
        assert verify_chain(conn).ok
    assert [e.payload["consultations"] for e in purged] == [1, 1, 1]


def test_a_persons_consultations_are_found_and_erased(store: Any) -> None:
    mine = [_ask(store, speaker="@MTremblay"), _ask(store, speaker="x", by="mtremblay")]
    other = _ask(store, speaker="@autre")
    with store.read() as conn:
        found = consultations_of(conn, ["fb:u-1", "mtremblay"])
        assert consultations_of(conn, ["", "@"]) == []
    assert [c["pk"] for c in found] == mine and not any(c["purged"] for c in found)
    assert erase_consultations_of(store, ["@mtremblay"], actor="dpo", reason="demande 7") == 2
    with store.read() as conn:
        rows = {r.pk: r for r in conn.execute(select(monitor_consultations))}
        events = [(e.subject_id, e.actor, e.payload) for e in iter_events(conn)
                  if e.kind == "erased"]
        assert verify_chain(conn).ok
        assert consultations_of(conn, ["mtremblay"]) == []     # the name is gone
    assert rows[mine[0]].speaker.startswith("anon-") and rows[mine[0]].text == ""
    assert rows[mine[1]].asked_by.startswith("anon-") and rows[mine[1]].speaker == "x"
    assert rows[other].text == DRAFT and rows[other].speaker == "@autre"
    assert [(s, a, p["fields"]) for s, a, p in events] == [
        (str(mine[0]), "dpo", ["speaker"]), (str(mine[1]), "dpo", ["asked_by"])]
    assert "Tremblay" not in json.dumps([p for _, _, p in events])


def test_cli_purge_and_privacy_cover_the_drafts(store: Any, moderator: Any,
                                                comment_factory: Any, db_url: str,
                                                tmp_path: Path) -> None:
    from vigie.cli.app import app

    moderator.process([comment_factory("fb:c-1", "Bonjour", author="fb:u-9")])
    with store.begin() as conn:
        from vigie.store.schema import authors
        conn.execute(authors.update().where(authors.c.author_id == "fb:u-9")
                     .values(handle="@mtremblay"))
    first = _ask(store)
    runner = CliRunner()
    out = tmp_path / "p.json"
    ok = runner.invoke(app, ["privacy", "export", "fb:u-9", "--db", db_url, "-o", str(out)])
    assert ok.exit_code == 0, ok.output
    assert [c["pk"] for c in json.loads(out.read_text("utf-8"))["consultations"]] == [first]
    erased = runner.invoke(app, ["privacy", "erase", "fb:u-9", "--db", db_url, "--by", "dpo",
                                 "--reason", "ticket 42", "--yes"],
                           env={"VIGIE_PSEUDONYM_KEY": "k" * 32})
    assert erased.exit_code == 0, erased.output
    assert "1 draft(s) put to a supervisor purged" in erased.output
    assert get_consultation(store, first).text == ""
    second = _ask(store, speaker="@autre")   # dated by the test clock, March 2025
    purged = runner.invoke(app, ["purge", "--db", db_url])   # today: over 90 days later
    assert purged.exit_code == 0, purged.output
    assert "1 drafts put to a supervisor (older than 90 days)" in purged.output
    assert get_consultation(store, second).text == ""
