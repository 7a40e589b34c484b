"""Blocked authors to remove from the institution's groups (7), on a real database (SQLite and
PostgreSQL): blocks made by the policy and at the strike threshold become one task per official
group of their platform, with their grounds; closing is audited; and the CLI in real
processes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from test_consultations import vigie

from vigie.monitoring.group_tasks import (
    GroupTaskError,
    close_task,
    get_task,
    list_tasks,
    open_group_tasks,
)
from vigie.monitoring.registry import EntryKind, PageStatus, RegistryEntry, upsert_entries
from vigie.store.events import iter_events, verify_chain
from vigie.web.notices import group_tasks_notice

ALUMNI = RegistryEntry(url="https://facebook.com/groups/poly-alumni", name="Diplômés de Poly",
                       unit="Association des diplômés", contact="cm@polymtl.ca",
                       status=PageStatus.OFFICIAL, kind=EntryKind.GROUP)


def _group(url: str, name: str, status: PageStatus = PageStatus.OFFICIAL) -> RegistryEntry:
    return ALUMNI.model_copy(update={"url": url, "name": name, "status": status,
                                     "platform": url.split("/")[2].split(".")[0]})


def test_a_block_becomes_one_task_per_official_group_of_its_platform(
        store: Any, moderator: Any, comment_factory: Any) -> None:
    assert open_group_tasks(store).opened == []  # no group registered: nothing to do
    upsert_entries(store, [ALUMNI, _group("https://facebook.com/groups/poly-club", "Club",
                                          PageStatus.AFFILIATED),
                           _group("https://linkedin.com/groups/123", "Poly LinkedIn")])
    moderator.process([comment_factory("fb:c-1", "THREAT ici", author="fb:u-9"),
                       comment_factory("fb:c-2", "Merci", author="fb:u-2")])
    report = open_group_tasks(store, compose=lambda tasks, lang: group_tasks_notice(tasks, lang))
    [task] = report.opened
    assert (task.platform, task.group_url, task.group_name, task.status) == (
        "facebook", "https://facebook.com/groups/poly-alumni", "Diplômés de Poly", "open")
    assert (task.member_id, task.member_name) == ("fb:u-9", "Name of fb:u-9")
    assert task.clauses == ["6.4 b"] and "6.4 b" in task.reason
    assert [d["comment_id"] for d in task.grounds["decisions"]] == ["fb:c-1"]
    assert report.sent == 0 and report.errors == []  # no channel configured: nobody told
    assert open_group_tasks(store).opened == []  # idempotent
    # A group registered later gets the earlier blocks too.
    upsert_entries(store, [_group("https://facebook.com/groups/poly-sport", "Sport")])
    [later] = open_group_tasks(store).opened
    assert later.block_pk == task.block_pk and later.group_name == "Sport"
    with store.read() as conn:
        events = list(iter_events(conn, subject_type="group_task"))
        assert verify_chain(conn).ok
    assert [e.kind for e in events] == ["group_task_opened", "group_task_opened"]
    assert events[0].payload == {"block": task.block_pk, "author_pk": task.author_pk,
                                 "platform": "facebook", "clauses": ["6.4 b"],
                                 "group": "https://facebook.com/groups/poly-alumni"}
    assert all("Name of" not in e.payload_text for e in events)  # never the member's name


def test_the_strike_threshold_block_lists_the_decisions_behind_it(
        store: Any, moderator: Any, comment_factory: Any) -> None:
    upsert_entries(store, [ALUMNI])
    day = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    moderator.process([comment_factory(f"fb:c-s{i}", "SPAM", author="fb:u-4",
                                       at=day + dt.timedelta(days=i)) for i in range(3)])
    [task] = open_group_tasks(store).opened
    assert "3 strikes within 90 days" in task.reason
    assert task.clauses == ["6.4 k"]
    assert [d["comment_id"] for d in task.grounds["decisions"]] == ["fb:c-s2", "fb:c-s1",
                                                                    "fb:c-s0"]
    assert all(d["decision"] for d in task.grounds["decisions"])


def test_closing_is_audited_and_refusals_write_nothing(store: Any, moderator: Any,
                                                       comment_factory: Any) -> None:
    upsert_entries(store, [ALUMNI])
    moderator.process([comment_factory("fb:c-1", "THREAT", author="fb:u-9")])
    [task] = open_group_tasks(store).opened
    for call, key in [
        (lambda: close_task(store, task.pk, "done", closed_by="cm", note=" "), "empty_note"),
        (lambda: close_task(store, task.pk, "maybe", closed_by="cm", note="x"), "bad_outcome"),
        (lambda: close_task(store, 99, "done", closed_by="cm", note="x"), "unknown"),
        (lambda: get_task(store, 99), "unknown"),
    ]:
        with pytest.raises(GroupTaskError) as raised:
            call()
        assert raised.value.key == key
    done = close_task(store, task.pk, "done", closed_by="community_manager",
                      note="Retiré du groupe le 3 mars")
    assert (done.status, done.closed_by, done.note) == ("done", "community_manager",
                                                        "Retiré du groupe le 3 mars")
    with pytest.raises(GroupTaskError) as raised:
        close_task(store, task.pk, "not_needed", closed_by="cm", note="x")
    assert raised.value.key == "closed"
    assert list_tasks(store) == [] and [t.pk for t in list_tasks(store, "done")] == [task.pk]
    with store.read() as conn:
        closed = [e for e in iter_events(conn, subject_type="group_task")][-1]
    assert (closed.kind, closed.actor) == ("group_task_closed", "community_manager")
    assert closed.payload == {"outcome": "done", "block": task.block_pk,
                              "group": "https://facebook.com/groups/poly-alumni"}


def test_the_notice_names_groups_and_clauses_never_the_member(
        store: Any, moderator: Any, comment_factory: Any) -> None:
    upsert_entries(store, [ALUMNI])
    moderator.process([comment_factory("fb:c-1", "THREAT", author="fb:u-9")])
    tasks = open_group_tasks(store).opened
    notice = group_tasks_notice(tasks, "fr", "https://vigie.poly.example")
    assert notice.subject == "Vigie : 1 tâche(s) de groupe : membre bloqué à retirer"
    assert "Tâche n° 1 : groupe « Diplômés de Poly » (facebook), clauses 6.4 b" in notice.lines
    assert "Dans le tableau de bord : https://vigie.poly.example/group-tasks" in notice.lines
    assert not any("fb:u-9" in line or "Name of" in line for line in notice.lines)


def test_cli_scan_tasks_done(store: Any, moderator: Any, comment_factory: Any,
                             tmp_path: Path) -> None:
    db = store.settings.database_url
    upsert_entries(store, [ALUMNI])
    moderator.process([comment_factory("fb:c-1", "THREAT", author="fb:u-9")])
    scanned = vigie("groups", "scan", "--db", db, cwd=tmp_path)
    assert scanned.returncode == 0, scanned.stderr
    assert "1 tâche(s) de groupe ouverte(s)." in scanned.stdout
    listed = vigie("groups", "tasks", "--db", db, cwd=tmp_path)
    assert "#1 [à faire] Name of fb:u-9" in listed.stdout and "Diplômés de Poly" in listed.stdout
    assert "fb:c-1 (décision 1) : 6.4 b" in listed.stdout
    no_note = vigie("groups", "done", "1", "--by", "cm", "--db", db, cwd=tmp_path)
    assert no_note.returncode == 2
    done = vigie("groups", "done", "1", "--note", "Pas membre du groupe", "--not-needed",
                 "--by", "cm", "--db", db, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Tâche n° 1 fermée (sans objet, cm)." in done.stdout
    again = vigie("groups", "done", "1", "--note", "x", "--by", "cm", "--db", db, "--lang",
                  "en", cwd=tmp_path)
    assert again.returncode == 6 and "task no. 1 is already closed (cm)" in again.stderr
    assert "Traceback" not in again.stderr
    shown = json.loads(vigie("groups", "tasks", "--status", "all", "--json", "--db", db,
                             cwd=tmp_path).stdout)
    assert [(t["status"], t["note"]) for t in shown] == [("not_needed", "Pas membre du groupe")]


def test_a_lifted_block_closes_its_open_tasks(store: Any, moderator: Any,
                                              comment_factory: Any) -> None:
    from vigie.store.events import append_events, lock_chain
    from vigie.store.strikes import lift_blocks

    upsert_entries(store, [ALUMNI, _group("https://facebook.com/groups/poly-sport", "Sport")])
    moderator.process([comment_factory("fb:c-1", "THREAT", author="fb:u-9")])
    first, second = open_group_tasks(store).opened
    close_task(store, first.pk, "done", closed_by="cm", note="Retiré du groupe")
    assert open_group_tasks(store).closed == []  # still blocked: the open task stays
    with store.begin() as conn:  # an appeal upheld lifts the block
        head = lock_chain(conn)
        append_events(conn, lift_blocks(conn, author_pk=first.author_pk, when=store.now(),
                                        reason="appeal upheld", actor="cm"), store.now(), head)
    [closed] = open_group_tasks(store).closed
    assert (closed.pk, closed.status, closed.closed_by) == (second.pk, "not_needed", "vigie")
    assert get_task(store, first.pk).status == "done"  # a task already done stays done
    assert list_tasks(store) == [] and open_group_tasks(store).closed == []
    with store.read() as conn:
        last = list(iter_events(conn, subject_type="group_task"))[-1]
        assert verify_chain(conn).ok
    assert (last.kind, last.actor, last.payload["why"]) == ("group_task_closed", "vigie",
                                                           "block_lifted")
