"""Law 25 erasure and access export: a person's data removed, decisions and audit kept."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from vigie.errors import StoreError
from vigie.store.erasure import ERASED_NOTE, erase_author
from vigie.store.events import iter_events, verify_chain
from vigie.store.outbox import RecordingSink, run_outbox
from vigie.store.retention import pseudonym
from vigie.store.schema import authors, comments, decisions, outbox


def test_erasure_removes_the_person_and_keeps_a_verifiable_audit(
        store: Any, moderator: Any, comment_factory: Any) -> None:
    moderator.process([comment_factory("fb:c-1", "SPAM call 514-555-1234", author="fb:u-7"),
                       comment_factory("fb:c-2", "Merci Jean", author="fb:u-7"),
                       comment_factory("fb:c-3", "Autre", author="fb:u-8")])
    run_outbox(store, RecordingSink())          # the removal is applied on the platform first
    with store.read() as conn:
        before = dict(conn.execute(select(comments.c.comment_id, decisions.c.body).join(
            decisions, decisions.c.comment_pk == comments.c.pk)).all())
    report = erase_author(store, "fb:u-7", actor="privacy officer", reason="request 2026-12")
    alias = pseudonym(b"k" * 32, "facebook", "fb:u-7")
    assert (report.comments, report.decisions, report.pseudonyms) == (2, 2, (alias,))
    with store.read() as conn:
        person = conn.execute(select(authors).where(authors.c.author_id == alias)).one()
        rows = {r.comment_id: r for r in conn.execute(
            select(comments.c.comment_id, comments.c.text, comments.c.payload,
                   decisions.c.body).join(decisions, decisions.c.comment_pk == comments.c.pk))}
        keys = list(conn.execute(select(outbox.c.author_id)).scalars())
        chain = verify_chain(conn)
        erased = [e for e in iter_events(conn) if e.kind == "erased"]
    assert person.name is None and person.handle is None and person.profile is None
    assert person.erased_at is not None
    assert rows["fb:c-1"].text is None and rows["fb:c-1"].payload is None
    assert rows["fb:c-3"].text == "Autre"                       # someone else: untouched
    body = json.loads(rows["fb:c-1"].body)
    assert body["action"] == json.loads(before["fb:c-1"])["action"]    # the decision stands
    assert body["erased"] and all(e["explanation"] == ERASED_NOTE and "data" not in e
                                  for c in body["categories"] for e in c["evidence"])
    assert "fb:u-7" not in keys                                  # finished actions: pseudonym
    assert chain.ok, chain.problems[:3]                          # audit verifies after erasure
    assert [e.subject_type for e in erased] == ["comment", "comment", "author"]
    assert erased[-1].actor == "privacy officer" and erased[-1].payload["pseudonym"] == alias
    dump = json.dumps([e.to_dict() for e in erased])
    # (not a bare "514": the hex digests in the events may contain it by chance)
    assert "Jean" not in dump and "514-555" not in dump
    with pytest.raises(StoreError, match="no stored author"):
        erase_author(store, "fb:u-7", actor="x", reason="again")


def test_cli_privacy_export_json_and_csv_then_erase(store: Any, moderator: Any,
                                                    comment_factory: Any, db_url: str,
                                                    tmp_path: Path) -> None:
    from vigie.cli.app import app

    moderator.process([comment_factory("fb:c-1", "Très bien", author="fb:u-9"),
                       comment_factory("fb:c-2", "SPAM", author="fb:u-9")])
    runner = CliRunner()
    out_json, out_csv = tmp_path / "p.json", tmp_path / "p.csv"
    ok = runner.invoke(app, ["privacy", "export", "fb:u-9", "--db", db_url, "-o", str(out_json),
                             "--by", "dpo"])
    assert ok.exit_code == 0, ok.output
    file = json.loads(out_json.read_text("utf-8"))
    assert [c["text"] for c in file["accounts"][0]["comments"]] == ["Très bien", "SPAM"]
    ok = runner.invoke(app, ["privacy", "export", "fb:u-9", "--db", db_url, "-o", str(out_csv),
                             "--format", "csv", "--by", "dpo"])
    assert ok.exit_code == 0, ok.output
    raw = out_csv.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")                       # Excel reads the accents
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [(r["comment_id"], r["text"], r["action"]) for r in rows] == [
        ("fb:c-1", "Très bien", "allow"), ("fb:c-2", "SPAM", "remove")]
    assert rows[0]["name"] == "Name of fb:u-9"
    gone = runner.invoke(app, ["privacy", "erase", "fb:u-9", "--db", db_url, "--by", "dpo",
                               "--reason", "ticket 42", "--yes"],
                         env={"VIGIE_PSEUDONYM_KEY": "k" * 32})
    assert gone.exit_code == 0, gone.output
    missing = runner.invoke(app, ["privacy", "export", "fb:u-9", "--db", db_url])
    assert isinstance(missing.exception, StoreError)            # exit 6 through `vigie`
    assert "no stored author" in str(missing.exception)
    with store.read() as conn:
        kinds = [(e.kind, e.actor) for e in iter_events(conn) if e.kind in ("exported",
                                                                             "erased")]
    assert kinds[:2] == [("exported", "dpo"), ("exported", "dpo")]  # each step audited
    assert kinds[-1] == ("erased", "dpo")


def test_redaction_covers_the_evidence_of_escalations_too() -> None:
    from vigie.store.erasure import redact_decision

    body = {"explanation": {"fr": "x", "en": "x"}, "categories": [],
            "escalations": ["criticism"],
            "escalation_evidence": {"criticism": [
                {"signal": "tone.criticism", "score": 0.9, "detector": "d", "span": [0, 4],
                 "explanation": "cue 'nuls' aimed at Poly", "data": {"target": "Poly"}}]}}
    found = redact_decision(body)["escalation_evidence"]["criticism"][0]
    assert found == {"signal": "tone.criticism", "score": 0.9, "detector": "d", "span": [0, 4],
                     "explanation": ERASED_NOTE}
