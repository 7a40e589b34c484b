"""Drafts put to a supervisor (6.3) on a real database (SQLite and PostgreSQL): the rows, the
audit events, the refusals that write nothing, the e-mail outcome; and the CLI in real
processes (ask, show, answer, errors) in French and English."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

import vigie as vigie_package
from vigie.monitoring.consultations import (
    ConsultationError,
    answer_consultation,
    ask_supervisor,
    get_consultation,
    list_consultations,
    notify_supervisor,
)
from vigie.monitoring.tables import monitor_consultations
from vigie.store.events import iter_events, verify_chain
from vigie.store.settings import EscalationSettings, SmtpSettings
from vigie.web.notices import consultation_notice

FINDINGS = [{"clause": "6.3, 6.4 d", "topic": "confidential", "severity": "must_change",
             "explanation": "Confidential data: access code", "span": [0, 10], "score": 0.9,
             "suggestion": {"fr": "Retirez le code.", "en": "Remove the code."}}]
DRAFT = "Le code d'accès à la salle des serveurs est 4521."


def _counts(store: Any) -> tuple[int, int]:
    with store.read() as conn:
        rows = conn.execute(select(func.count()).select_from(monitor_consultations)).scalar()
        events = len(list(iter_events(conn, subject_type="consultation")))
    return int(rows or 0), events


def test_ask_then_answer_stores_rows_and_audit_events(store: Any) -> None:
    asked = ask_supervisor(store, DRAFT, FINDINGS, supervisor=" chef@polymtl.ca ",
                           asked_by="jdoe", speaker="@jdoe")
    assert (asked.status, asked.supervisor, asked.notice) == ("asked", "chef@polymtl.ca",
                                                              "pending")
    assert asked.findings == FINDINGS and asked.text == DRAFT and asked.clauses == ["6.3, 6.4 d"]
    done = answer_consultation(store, asked.pk, "  Ne publiez pas le code. ", answered_by="",
                               actor="moderator")
    assert (done.status, done.answer, done.answered_by) == ("answered", "Ne publiez pas le code.",
                                                            "chef@polymtl.ca")
    assert done.answered_at is not None
    with store.read() as conn:
        events = list(iter_events(conn, subject_type="consultation", subject_id=str(asked.pk)))
        assert verify_chain(conn).ok
    assert [(e.kind, e.actor) for e in events] == [("supervisor_asked", "jdoe"),
                                                   ("supervisor_answered", "moderator")]
    assert events[0].payload == {"supervisor": "chef@polymtl.ca", "clauses": ["6.3, 6.4 d"],
                                 "findings": 1}
    assert events[1].payload == {"answered_by": "chef@polymtl.ca",
                                 "supervisor": "chef@polymtl.ca"}
    # The audit trail, which cannot be purged, never holds the draft nor the answer.
    assert all("4521" not in e.payload_text and "Ne publiez" not in e.payload_text
               for e in events)
    assert [c.pk for c in list_consultations(store, "answered")] == [asked.pk]
    assert list_consultations(store, "asked") == []


def test_refusals_write_nothing(store: Any) -> None:
    asked = ask_supervisor(store, DRAFT, [], supervisor="chef@polymtl.ca", asked_by="jdoe",
                           speaker="@jdoe")
    answer_consultation(store, asked.pk, "D'accord.", answered_by="Chef")
    before = _counts(store)
    refusals = [
        (lambda: ask_supervisor(store, DRAFT, [], supervisor="chef at polymtl", asked_by="j",
                                speaker="@j"), "bad_email"),
        (lambda: ask_supervisor(store, "  ", [], supervisor="chef@polymtl.ca", asked_by="j",
                                speaker="@j"), "empty_draft"),
        (lambda: answer_consultation(store, asked.pk, "Autre avis", answered_by="X"),
         "answered"),
        (lambda: answer_consultation(store, 999, "Avis", answered_by="X"), "unknown"),
        (lambda: answer_consultation(store, asked.pk, "   ", answered_by="X"), "empty_answer"),
        (lambda: get_consultation(store, 999), "unknown"),
    ]
    for call, key in refusals:
        with pytest.raises(ConsultationError) as raised:
            call()
        assert raised.value.key == key
    assert _counts(store) == before
    kept = get_consultation(store, asked.pk)
    assert (kept.answer, kept.answered_by) == ("D'accord.", "Chef")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_notice_outcome_is_kept_and_never_raised(store: Any) -> None:
    asked = ask_supervisor(store, DRAFT, FINDINGS, supervisor="chef@polymtl.ca",
                           asked_by="jdoe", speaker="@jdoe")
    notice = consultation_notice(asked, "fr", "https://vigie.poly.example")
    assert notice.subject == "Vigie : jdoe vous demande votre avis sur un brouillon (demande n° 1)"
    assert "Dans le tableau de bord : https://vigie.poly.example/consultations/1" in notice.lines
    assert not any("4521" in line for line in notice.lines)  # the draft is never quoted
    assert "Clauses the check raised: 6.3, 6.4 d" in consultation_notice(asked, "en").lines
    assert notify_supervisor(store, asked, notice, EscalationSettings()) == ("no_channel", "")
    assert get_consultation(store, asked.pk).notice == "no_channel"
    relay = SmtpSettings(host="127.0.0.1", port=_closed_port(), sender="vigie@poly.example",
                         security="none", recipients=("cm@poly.example",), timeout_s=2)
    outcome, detail = notify_supervisor(store, asked, notice, EscalationSettings(smtp=relay))
    assert outcome == "failed" and "Error" in detail
    assert get_consultation(store, asked.pk).notice == "failed"


# -- the CLI, in real processes ----------------------------------------------------------------

def vigie(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    # The package under test, wherever the process starts (cwd has no vigie.sqlite in it).
    env = {**os.environ, "PYTHONPATH": str(Path(vigie_package.__file__).parents[1])}
    env.pop("VIGIE_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "vigie", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=300, env=env)


def test_cli_ask_show_answer_and_errors(tmp_path: Path) -> None:
    db = str(tmp_path / "v.sqlite")
    bad = vigie("draft", DRAFT, "--as", "jdoe@polymtl.ca", "--ask", "chef", "--db", db,
                cwd=tmp_path)
    assert bad.returncode == 6 and "« chef » n'est pas une adresse courriel" in bad.stderr
    assert "Traceback" not in bad.stderr
    asked = vigie("draft", DRAFT, "--as", "jdoe@polymtl.ca", "--ask", "chef@polymtl.ca",
                  "--db", db, cwd=tmp_path)
    assert asked.returncode == 3, asked.stderr  # the draft must still change
    assert "Demande n° 1 enregistrée pour chef@polymtl.ca." in asked.stdout
    assert "aucun relais de courriel n'est configuré" in asked.stderr  # said plainly
    shown = vigie("draft", "show", "1", "--db", db, "--json", cwd=tmp_path)
    item = json.loads(shown.stdout)
    assert item["status"] == "asked" and item["text"] == DRAFT
    assert item["notice"] == "no_channel" and "6.3, 6.4 d" in item["clauses"]
    english = vigie("draft", "show", "1", "--db", db, "--lang", "en", cwd=tmp_path)
    assert "Request no. 1 — waiting for an answer" in english.stdout
    answered = vigie("draft", "answer", "1", "--text", "Ne publiez pas le code.", "--by",
                     "Chef de service", "--db", db, cwd=tmp_path)
    assert answered.returncode == 0, answered.stderr
    assert "Réponse à la demande n° 1 consignée (Chef de service)." in answered.stdout
    again = vigie("draft", "answer", "1", "--text", "Autre", "--db", db, "--lang", "en",
                  cwd=tmp_path)
    assert again.returncode == 6 and "already has an answer (Chef de service)" in again.stderr
    unknown = vigie("draft", "show", "7", "--db", db, cwd=tmp_path)
    assert unknown.returncode == 6 and "aucune demande n° 7" in unknown.stderr
    for run in (again, unknown):
        assert "Traceback" not in run.stderr
    final = vigie("draft", "show", "1", "--db", db, cwd=tmp_path)
    assert "Réponse de Chef de service" in final.stdout and "Ne publiez pas" in final.stdout
    with sqlite3.connect(db) as conn:
        audit = conn.execute("select kind, actor from events where subject_type = "
                             "'consultation' order by seq").fetchall()
    assert audit == [("supervisor_asked", "jdoe@polymtl.ca"),
                     ("supervisor_answered", "Chef de service")]
