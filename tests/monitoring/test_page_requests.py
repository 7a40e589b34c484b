"""Requests to create a page in the institution's name (6.1) on a real database (SQLite and
PostgreSQL): the row, the decision and its registry entry, the audit events, the refusals that
write nothing, the requester's e-mail outcome; and the CLI in real processes, in French and
English."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from test_consultations import _closed_port, vigie

from vigie.monitoring.page_requests import (
    RequestError,
    decide_request,
    get_request,
    list_requests,
    notify_requester,
    proposed_url,
    submit_request,
)
from vigie.monitoring.registry import EntryKind, PageStatus, list_entries, load_book
from vigie.monitoring.tables import monitor_page_requests, monitor_registry
from vigie.store.events import iter_events, verify_chain
from vigie.store.settings import EscalationSettings, SmtpSettings
from vigie.web.notices import page_decision_notice, page_request_notice

FIELDS: dict[str, Any] = {
    "platform": "instagram", "name": "Génie chimique Poly", "handle": "@GenieChimPoly",
    "purpose": "Faire connaître les stages du département",
    "unit": "Département de génie chimique", "manager": "jdoe@polymtl.ca",
    "mandate": "Annoncer les activités du département; aucune prise de position",
}


def _counts(store: Any) -> tuple[int, int, int]:
    with store.read() as conn:
        rows = conn.execute(select(func.count()).select_from(monitor_page_requests)).scalar()
        pages = conn.execute(select(func.count()).select_from(monitor_registry)).scalar()
        events = len(list(iter_events(conn, subject_type="page_request")))
    return int(rows or 0), int(pages or 0), events


def test_submit_then_approve_lists_the_page_and_audits_each_step(store: Any) -> None:
    asked = submit_request(store, requested_by="moderator", reply_to="jdoe@polymtl.ca",
                           **FIELDS)
    assert (asked.status, asked.url, asked.handle) == (
        "pending", "https://instagram.com/geniechimpoly", "geniechimpoly")
    assert list_entries(store) == []  # nothing is registered before the decision
    done = decide_request(store, asked.pk, True, decided_by="community_manager",
                          note="Mandat conforme à la directive")
    assert (done.status, done.decided_by, done.note) == (
        "approved", "community_manager", "Mandat conforme à la directive")
    [entry] = list_entries(store)
    assert (entry.url, entry.status, entry.kind, entry.contact, entry.unit) == (
        "https://instagram.com/geniechimpoly", PageStatus.OFFICIAL, EntryKind.PAGE,
        "jdoe@polymtl.ca", "Département de génie chimique")
    assert entry.notes is not None and "aucune prise de position" in entry.notes
    # The rest of Vigie reads the same registry: the page now speaks for the institution.
    check = load_book(store).check("instagram:geniechimpoly", store.now())
    assert check.mandated and "Département de génie chimique" in check.reason
    with store.read() as conn:
        events = list(iter_events(conn, subject_type="page_request", subject_id=str(asked.pk)))
        assert verify_chain(conn).ok
    assert [(e.kind, e.actor) for e in events] == [
        ("page_requested", "moderator"), ("page_request_approved", "community_manager")]
    assert events[0].payload == {"platform": "instagram", "kind": "page",
                                 "url": "https://instagram.com/geniechimpoly",
                                 "unit": "Département de génie chimique"}
    assert events[1].payload == {"requested_by": "moderator", "registry": "official",
                                 "url": "https://instagram.com/geniechimpoly"}
    assert all("Mandat conforme" not in e.payload_text for e in events)  # the note stays out
    assert [r.pk for r in list_requests(store, "approved")] == [asked.pk]


def test_refusal_lists_nothing_and_a_group_gets_its_address(store: Any) -> None:
    asked = submit_request(store, requested_by="moderator", **{
        **FIELDS, "platform": "facebook", "kind": "group", "handle": "poly-alumni"})
    assert asked.url == "https://facebook.com/groups/poly-alumni" and asked.kind == "group"
    refused = decide_request(store, asked.pk, False, decided_by="admin",
                             note="Un groupe existe déjà pour les diplômés")
    assert refused.status == "refused" and list_entries(store) == []
    with store.read() as conn:
        kinds = [e.kind for e in iter_events(conn, subject_type="page_request")]
    assert kinds == ["page_requested", "page_request_refused"]


def test_refusals_write_nothing(store: Any) -> None:
    asked = submit_request(store, requested_by="moderator", **FIELDS)
    other = submit_request(store, requested_by="moderator", **{**FIELDS, "handle": "poly2"})
    decide_request(store, other.pk, True, decided_by="community_manager", note="ok")
    before = _counts(store)
    refusals = [
        (lambda: decide_request(store, asked.pk, True, decided_by="moderator", note="moi"),
         "own"),
        (lambda: decide_request(store, asked.pk, True, decided_by="Moderator (api token)",
                                note="moi"), "own"),
        (lambda: decide_request(store, asked.pk, True, decided_by="cm", note="  "),
         "empty_note"),
        (lambda: decide_request(store, other.pk, False, decided_by="cm", note="non"),
         "decided"),
        (lambda: decide_request(store, 99, True, decided_by="cm", note="ok"), "unknown"),
        (lambda: submit_request(store, requested_by="x", **FIELDS), "duplicate"),
        (lambda: submit_request(store, requested_by="x", **{**FIELDS, "handle": "poly2"}),
         "registered"),
        (lambda: submit_request(store, requested_by="x", **{**FIELDS, "unit": " "}),
         "missing"),
        (lambda: submit_request(store, requested_by="x", **{**FIELDS, "manager": "jdoe"}),
         "bad_email"),
        (lambda: submit_request(store, requested_by="x", **{**FIELDS, "platform": "myspace"}),
         "bad_platform"),
        (lambda: submit_request(store, requested_by="x", **{**FIELDS, "kind": "club"}),
         "bad_kind"),
        (lambda: submit_request(store, requested_by="x", **{**FIELDS, "handle": ""}),
         "no_address"),
        (lambda: submit_request(store, requested_by="x", **{**FIELDS, "kind": "group"}),
         "bad_address"),  # Instagram has no groups
        (lambda: get_request(store, 99), "unknown"),
    ]
    for call, key in refusals:
        with pytest.raises(RequestError) as raised:
            call()
        assert raised.value.key == key, (key, raised.value)
    assert _counts(store) == before
    assert get_request(store, asked.pk).status == "pending"


def test_proposed_url_prefers_the_address_given() -> None:
    assert proposed_url("x", "page", "ignored", "https://twitter.com/PolyMtl/") == (
        "https://x.com/polymtl")
    assert proposed_url("linkedin", "group", "12345", None) == "https://linkedin.com/groups/12345"
    with pytest.raises(RequestError):
        proposed_url("web", "page", "handle", "")


def test_the_notices_and_the_requester_outcome(store: Any) -> None:
    asked = submit_request(store, requested_by="moderator", reply_to="jdoe@polymtl.ca",
                           **FIELDS)
    notice = page_request_notice(asked, "fr", "https://vigie.poly.example")
    assert notice.subject == ("Vigie : demande de page n° 1 (instagram, Département de génie "
                              "chimique)")
    assert "Dans le tableau de bord : https://vigie.poly.example/page-requests/1" in notice.lines
    done = decide_request(store, asked.pk, False, decided_by="community_manager",
                          note="Utilisez la page du département")
    english = page_decision_notice(done, "en")
    assert english.subject == "Vigie: your page request no. 1 was refused"
    assert "Note: Utilisez la page du département" in english.lines
    assert notify_requester(store, done, english, EscalationSettings()) == ("no_channel", "")
    relay = SmtpSettings(host="127.0.0.1", port=_closed_port(), sender="vigie@poly.example",
                         security="none", recipients=("cm@poly.example",), timeout_s=2)
    outcome, detail = notify_requester(store, done, english, EscalationSettings(smtp=relay))
    assert outcome == "failed" and "Error" in detail
    assert get_request(store, asked.pk).notice == "failed"


# -- the CLI, in real processes ----------------------------------------------------------------

def test_cli_request_list_approve_refuse_and_errors(tmp_path: Path) -> None:
    db = str(tmp_path / "v.sqlite")
    base = ["registry", "request", "--platform", "x", "--name", "Chaire IA Poly", "--handle",
            "ChaireIAPoly", "--purpose", "Nouvelles de la chaire", "--unit", "Chaire IA",
            "--manager", "chaire@polymtl.ca", "--mandate", "Annonces de la chaire",
            "--db", db]
    asked = vigie(*base, "--by", "jdoe", cwd=tmp_path)
    assert asked.returncode == 0, asked.stderr
    assert "Demande de page n° 1 enregistrée (https://x.com/chaireiapoly)" in asked.stdout
    again = vigie(*base, "--by", "jdoe", cwd=tmp_path)
    assert again.returncode == 6 and "déjà demandée" in again.stderr
    listed = vigie("registry", "requests", "--db", db, "--json", cwd=tmp_path)
    [item] = json.loads(listed.stdout)
    assert (item["status"], item["requested_by"]) == ("pending", "jdoe")
    own = vigie("registry", "approve", "1", "--note", "ok", "--by", "jdoe", "--db", db,
                cwd=tmp_path)
    assert own.returncode == 6 and "quelqu'un d'autre en décide" in own.stderr
    no_note = vigie("registry", "approve", "1", "--by", "cm", "--db", db, cwd=tmp_path)
    assert no_note.returncode == 2 and "--note" in no_note.stderr  # a usage error
    approved = vigie("registry", "approve", "1", "--note", "Mandat clair", "--by", "cm",
                     "--db", db, cwd=tmp_path)
    assert approved.returncode == 0, approved.stderr
    assert "Demande n° 1 approuvée" in approved.stdout
    registry = vigie("registry", "list", "--db", db, "--json", cwd=tmp_path)
    assert [e["url"] for e in json.loads(registry.stdout)] == ["https://x.com/chaireiapoly"]
    twice = vigie("registry", "refuse", "1", "--note", "non", "--by", "cm", "--db", db,
                  "--lang", "en", cwd=tmp_path)
    assert twice.returncode == 6 and "was already approved (cm)" in twice.stderr
    shown = vigie("registry", "requests", "--db", db, "--lang", "en", cwd=tmp_path)
    assert "approved" in shown.stdout and "Chaire IA Poly" in shown.stdout
    for run in (again, own, twice):
        assert "Traceback" not in run.stderr
    with sqlite3.connect(db) as conn:
        audit = conn.execute("select kind, actor from events where subject_type = "
                             "'page_request' order by seq").fetchall()
    assert audit == [("page_requested", "jdoe"), ("page_request_approved", "cm")]
