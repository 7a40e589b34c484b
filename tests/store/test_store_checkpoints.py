"""A tamper-evident audit log: append-only in the database, anchored by signed checkpoints.

The strongest attack the hash chain alone cannot see: rewrite an old row, then recompute every
hash after it and the chain head. ``verify_chain`` passes; the checkpoints, signed with a key the
database never held, do not, and say after which checkpoint the rewrite starts.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import SQLAlchemyError
from typer.testing import CliRunner

from tamper import drop_guard
from vigie.errors import StoreError
from vigie.store.checkpoints import (
    generate_key,
    load_private_key,
    load_public_key,
    read_checkpoints,
    verify_checkpoints,
    write_checkpoint,
)
from vigie.store.events import EventKind, NewEvent, append_events, event_hash, verify_chain
from vigie.store.schema import chain_head, events

T0 = dt.datetime(2025, 3, 18, 12, 0, tzinfo=dt.UTC)


def _append(store: Any, n: int, start: int = 0) -> None:
    with store.begin() as conn:
        append_events(conn, [NewEvent(EventKind.INGESTED, "comment", f"fb:c-{i}", {"i": i})
                             for i in range(start, start + n)], T0)


def _checkpoint(store: Any, key: Path, path: Path) -> None:
    with store.read() as conn:
        write_checkpoint(conn, load_private_key(key), path, T0)


def _rewrite_from(conn: Any, seq: int, payload: str) -> None:
    """Edit event ``seq`` and recompute every hash after it, and the head: a perfect forgery
    as far as the chain can tell."""
    drop_guard(conn)
    rows = conn.execute(select(events).where(events.c.seq >= seq).order_by(events.c.seq)).all()
    prev = conn.execute(select(events.c.hash).where(events.c.seq == seq - 1)).scalar_one()
    for row in rows:
        body = payload if row.seq == seq else row.payload
        new = event_hash(prev, row.seq, row.at, row.kind, row.subject_type, row.subject_id,
                         row.actor, body)
        conn.execute(update(events).where(events.c.seq == row.seq).values(
            payload=body, prev_hash=prev, hash=new))
        prev = new
    conn.execute(update(chain_head).values(hash=prev))


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Path, Path]:
    private, public = tmp_path / "audit.key", tmp_path / "audit.pub"
    generate_key(private, public)
    assert private.stat().st_mode & 0o077 == 0  # the secret is its owner's only
    return private, public


@pytest.mark.parametrize("statement", [
    "UPDATE events SET actor = 'mallory' WHERE seq = 2",
    "DELETE FROM events WHERE seq = 3",
])
def test_the_database_refuses_to_edit_or_delete_audit_rows(store: Any, statement: str) -> None:
    _append(store, 4)
    with pytest.raises(SQLAlchemyError, match="append-only"), store.engine.begin() as conn:
        conn.execute(text(statement))
    with store.read() as conn:
        assert verify_chain(conn).ok and conn.execute(
            select(events.c.actor).where(events.c.seq == 2)).scalar_one() == "vigie"


def test_a_full_chain_recomputation_is_caught_by_the_checkpoints(
        store: Any, keys: tuple[Path, Path], tmp_path: Path) -> None:
    private, public = keys
    log = tmp_path / "checkpoints.jsonl"
    _append(store, 50)
    _checkpoint(store, private, log)           # at event #50
    _append(store, 100, start=50)
    _checkpoint(store, private, log)           # at event #150
    _append(store, 30, start=150)
    _checkpoint(store, private, log)           # at event #180
    with store.engine.begin() as conn:
        _rewrite_from(conn, 100, '{"i":"rewritten"}')
    with store.read() as conn:
        assert verify_chain(conn).ok           # the chain alone is fooled
        report = verify_checkpoints(conn, read_checkpoints(log), load_public_key(public))
    assert not report.ok
    assert report.last_good is not None and report.last_good.seq == 50
    assert report.first_bad is not None and report.first_bad.seq == 150
    assert "after checkpoint of event #50" in report.summary()


def test_truncation_below_a_checkpoint_and_forged_checkpoints_are_caught(
        store: Any, keys: tuple[Path, Path], tmp_path: Path) -> None:
    private, public = keys
    log = tmp_path / "checkpoints.jsonl"
    _append(store, 10)
    _checkpoint(store, private, log)
    with store.engine.begin() as conn:     # delete the last events and move the head back
        drop_guard(conn)
        conn.execute(delete(events).where(events.c.seq > 7))
        conn.execute(update(chain_head).values(seq=7, hash=conn.execute(
            select(events.c.hash).where(events.c.seq == 7)).scalar_one()))
    with store.read() as conn:
        assert verify_chain(conn).ok
        gone = verify_checkpoints(conn, read_checkpoints(log), load_public_key(public))
    assert not gone.ok and "event #10 is gone" in gone.problems[0]
    # A checkpoint the attacker writes for the forged head does not verify: no private key.
    other_private, _ = tmp_path / "other.key", tmp_path / "other.pub"
    generate_key(other_private, tmp_path / "other.pub")
    forged = tmp_path / "forged.jsonl"
    _checkpoint(store, other_private, forged)
    with store.read() as conn:
        report = verify_checkpoints(conn, read_checkpoints(forged), load_public_key(public))
    assert not report.ok and "signature does not verify" in report.problems[0]


def test_cli_keygen_checkpoint_verify(store: Any, db_url: str, tmp_path: Path) -> None:
    from vigie.cli.app import app

    runner = CliRunner()
    private, public, log = tmp_path / "k", tmp_path / "k.pub", tmp_path / "cp.jsonl"
    assert runner.invoke(app, ["audit", "keygen", "--private-key", str(private),
                               "--public-key", str(public)]).exit_code == 0
    _append(store, 120)
    made = runner.invoke(app, ["audit", "checkpoint", "--db", db_url, "--private-key",
                               str(private), "--checkpoints", str(log)])
    assert made.exit_code == 0, made.output
    assert json.loads(log.read_text().splitlines()[0])["seq"] == 120
    args = ["audit", "verify", "--db", db_url, "--checkpoints", str(log), "--public-key",
            str(public)]
    ok = runner.invoke(app, args)
    assert ok.exit_code == 0 and "1 signed checkpoint(s) match" in ok.output
    with store.engine.begin() as conn:
        _rewrite_from(conn, 100, '{"i":"rewritten"}')
    broken = runner.invoke(app, args)
    assert broken.exit_code == 1
    assert "before the first checkpoint" in broken.output and "event #120" in broken.output


def test_checkpointer_signs_when_due_and_needs_both_settings(store: Any, db_url: str,
                                                             keys: tuple[Path, Path],
                                                             tmp_path: Path) -> None:
    from vigie.store.checkpoints import Checkpointer
    from vigie.store.settings import StoreSettings
    from vigie.store.store import open_store

    private, public = keys
    log = tmp_path / "cp.jsonl"
    now = [0.0]
    signer = Checkpointer(store, load_private_key(private), log, 60.0, clock=lambda: now[0])
    _append(store, 3)
    assert signer.maybe() is not None and signer.maybe() is None   # due at once, then waits
    _append(store, 2, start=3)
    now[0] += 61
    assert signer.maybe() is not None
    with store.read() as conn:
        report = verify_checkpoints(conn, read_checkpoints(log), load_public_key(public))
    assert report.ok and report.last_good is not None and report.last_good.seq == 5
    half = open_store(settings=StoreSettings(database_url=db_url,
                                             audit_checkpoint_key=str(private)))
    try:
        with pytest.raises(StoreError, match="need both"):
            Checkpointer.from_settings(half)
    finally:
        half.dispose()


@pytest.mark.parametrize("key_setting", ["public", "private"])
def test_cli_verify_uses_the_configured_checkpoints(store: Any, db_url: str,
                                                    keys: tuple[Path, Path], tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    key_setting: str) -> None:
    from vigie.cli.app import app

    private, public = keys
    log = tmp_path / "cp.jsonl"
    _append(store, 120)
    _checkpoint(store, private, log)
    monkeypatch.setenv("VIGIE_AUDIT_CHECKPOINT_FILE", str(log))
    if key_setting == "public":  # the auditor's machine holds the public key only
        monkeypatch.setenv("VIGIE_AUDIT_CHECKPOINT_PUBLIC_KEY", str(public))
    else:  # the public half of the signing key
        monkeypatch.setenv("VIGIE_AUDIT_CHECKPOINT_KEY", str(private))
    runner = CliRunner()
    ok = runner.invoke(app, ["audit", "verify", "--db", db_url, "--json"])
    assert ok.exit_code == 0, ok.output
    record = json.loads(ok.output)
    assert record["checkpoints"]["ok"] and record["checkpoints"]["checked"] == 1
    assert record["checkpoints"]["file"] == str(log)
    with store.engine.begin() as conn:
        _rewrite_from(conn, 100, '{"i":"rewritten"}')
    broken = runner.invoke(app, ["audit", "verify", "--db", db_url])
    assert broken.exit_code == 1
    assert "before the first checkpoint" in broken.output and str(log) in broken.output


def test_cli_verify_refuses_a_configured_file_without_a_key(
        store: Any, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from vigie.cli.app import app

    monkeypatch.setenv("VIGIE_AUDIT_CHECKPOINT_FILE", str(tmp_path / "cp.jsonl"))
    broken = CliRunner().invoke(app, ["audit", "verify", "--db", db_url])
    assert isinstance(broken.exception, StoreError)  # exit 6 with the message through `vigie`
    assert "VIGIE_AUDIT_CHECKPOINT_PUBLIC_KEY" in str(broken.exception)
