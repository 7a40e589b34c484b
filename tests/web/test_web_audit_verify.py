"""The auditor verifies the audit trail from the dashboard (``/audit/verify``).

Only the auditor and the admin may (``verify_audit``); a moderator is refused. Each run is an
``audit_verified`` event; the page names the rows edited outside Vigie and, with the configured
checkpoints, after which checkpoint the log was rewritten, in French and in English.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from test_web_french import english_words

from vigie.store.events import iter_events
from vigie.store.schema import blocks, outbox
from web_support import add_users, login, make_app, seed


@pytest.fixture
def app(tmp_path: Path) -> Any:
    app = make_app(tmp_path)
    add_users(app)
    seed(app, 40)
    return app


def _run(client: TestClient, csrf: str) -> Any:
    return client.post("/audit/verify", data={"csrf_token": csrf})


@pytest.mark.parametrize("role", ["moderator", "community_manager", "privacy_officer"])
def test_roles_that_do_not_audit_are_refused(app: Any, role: str) -> None:
    client = TestClient(app)
    csrf = login(client, role)
    assert client.get("/audit/verify").status_code == 403
    assert _run(client, csrf).status_code == 403
    assert 'id="audit-verify"' not in client.get("/audit").text  # no link either
    with app.state.vigie.store.read() as conn:
        assert not [e for e in iter_events(conn) if e.kind == "audit_verified"]


@pytest.mark.parametrize("role", ["auditor", "admin"])
def test_the_auditor_and_the_admin_verify_and_the_run_is_recorded(app: Any, role: str) -> None:
    client = TestClient(app)
    csrf = login(client, role)
    assert 'href="/audit/verify"' in client.get("/audit").text
    page = client.get("/audit/verify")
    assert page.status_code == 200 and "verify-result" not in page.text
    done = _run(client, csrf)
    assert done.status_code == 200
    assert 'data-ok="true"' in done.text and "Intact" in done.text
    assert int(re.search(r'id="verify-strikes">(\d+)<', done.text).group(1)) > 0  # type: ignore[union-attr]
    assert english_words(done.text) == []
    with app.state.vigie.store.read() as conn:
        runs = [e for e in iter_events(conn) if e.kind == "audit_verified"]
    assert [(e.actor, e.payload["ok"], e.payload["problems"]) for e in runs] == [(role, True, 0)]


def test_rows_edited_outside_vigie_are_named_in_french_and_english(app: Any) -> None:
    store = app.state.vigie.store
    with store.begin() as conn:  # someone with write access to the database
        block = conn.execute(select(blocks.c.pk).order_by(blocks.c.pk)).scalar_one_or_none()
        assert block is not None
        conn.execute(update(blocks).where(blocks.c.pk == block).values(
            lifted_at=store.now()))
        key = conn.execute(select(outbox.c.key).where(outbox.c.status == "pending")
                           .order_by(outbox.c.pk)).scalars().first()
        conn.execute(update(outbox).where(outbox.c.key == key).values(status="dead"))
    client = TestClient(app)
    csrf = login(client, "auditor")
    fr = _run(client, csrf)
    assert 'data-ok="false"' in fr.text and "Altéré : 2 problème(s)" in html.unescape(fr.text)
    assert f'data-table="blocks" data-row="{block}" data-code="status"' in fr.text
    assert f'data-table="outbox" data-row="{key}" data-code="status"' in fr.text
    assert english_words(fr.text) == []
    client.get("/lang/en")
    en = _run(client, csrf)
    assert "Tampered: 2 problem(s) found." in en.text and "platform actions" in en.text
    with store.read() as conn:
        runs = [e.payload for e in iter_events(conn) if e.kind == "audit_verified"]
    assert [(r["ok"], r["problems"]) for r in runs] == [(False, 2), (False, 2)]


def test_the_configured_checkpoints_say_after_which_the_log_was_rewritten(
        app: Any, tmp_path: Path) -> None:
    from vigie.store.checkpoints import generate_key, load_private_key, write_checkpoint

    store = app.state.vigie.store
    client = TestClient(app)
    csrf = login(client, "auditor")
    assert "VIGIE_AUDIT_CHECKPOINT_FILE" in client.get("/audit/verify").text  # not configured
    private, public, log = tmp_path / "k", tmp_path / "k.pub", tmp_path / "cp.jsonl"
    generate_key(private, public)
    with store.read() as conn:
        signed = write_checkpoint(conn, load_private_key(private), log, store.now())
    store.settings = store.settings.model_copy(update={
        "audit_checkpoint_file": str(log), "audit_checkpoint_public_key": str(public)})
    ok = _run(client, csrf)
    assert 'data-ok="true"' in ok.text
    assert f"1 point(s) de contrôle signé(s) concordent, jusqu'à l'événement n° {signed.seq}" \
        in html.unescape(ok.text)
    log.write_text(log.read_text().replace(signed.hash, "0" * 64))  # the file edited
    bad = _run(client, csrf)
    assert 'data-ok="false"' in bad.text and 'id="verify-cp"' in bad.text
    assert "ne portent pas une signature valide" in html.unescape(bad.text)
    log.unlink()  # the file gone: the verification fails, the chain is still checked
    gone = _run(client, csrf)
    assert 'data-ok="false"' in gone.text and "n'ont pas pu être lus" in html.unescape(gone.text)
    assert 'id="verify-events"' in gone.text
