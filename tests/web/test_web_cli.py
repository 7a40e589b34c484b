"""``vigie serve``, ``vigie users`` and ``vigie demo --db``."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from vigie.cli.app import app
from vigie.store.events import verify_chain
from vigie.store.schema import review_items
from vigie.store.store import open_store


def test_demo_fills_an_empty_database_once(tmp_path: Path) -> None:
    from vigie.cli.web import fill_demo_database

    db = str(tmp_path / "demo.sqlite")
    url, report = fill_demo_database(db)
    assert url.endswith("demo.sqlite") and report.comments >= 300 and report.reviewed > 0
    assert {role for _, _, role in report.accounts} == {
        "admin", "community_manager", "moderator", "auditor"}
    store = open_store(db)
    try:
        with store.read() as conn:
            states = dict(conn.execute(select(review_items.c.state, func.count())
                                       .group_by(review_items.c.state)).all())
            assert states.get("open", 0) > 0 and states.get("closed", 0) > 0
            assert verify_chain(conn).ok
    finally:
        store.dispose()
    _, again = fill_demo_database(db)
    assert again.skipped and again.comments == 0


def test_users_add_and_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = str(tmp_path / "users.sqlite")
    runner = CliRunner()
    monkeypatch.setenv("VIGIE_NEW_PASSWORD", "a-good-password")
    added = runner.invoke(app, ["users", "add", "Marie", "--role", "community_manager",
                                "--db", db])
    assert added.exit_code == 0, added.output
    listed = runner.invoke(app, ["users", "list", "--db", db])
    assert listed.output.split() == ["marie", "community_manager"]
    monkeypatch.setenv("VIGIE_NEW_PASSWORD", "short")
    weak = runner.invoke(app, ["users", "add", "paul", "--db", db])
    assert weak.exit_code == 2 and "at least 10" in weak.output


def test_users_reset_password_prints_a_temporary_password_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import re

    from fastapi.testclient import TestClient

    from vigie.store.events import iter_events
    from web_support import make_app

    db = str(tmp_path / "reset.sqlite")
    runner = CliRunner()
    monkeypatch.setenv("VIGIE_NEW_PASSWORD", "the-old-password")
    assert runner.invoke(app, ["users", "add", "marie", "--db", db]).exit_code == 0
    reset = runner.invoke(app, ["users", "reset-password", "Marie", "--by", "it-desk",
                                "--db", db])
    assert reset.exit_code == 0, reset.output
    found = re.search(r"temporary password for marie: (\S+) ", reset.output)
    assert found, reset.output
    temporary = found.group(1)
    # The web app on the same database: the temporary password leads to the password form.
    web = make_app(tmp_path, db)
    client = TestClient(web)
    form = client.get("/login").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert csrf
    answer = client.post("/login", data={"username": "marie", "password": temporary,
                                         "csrf_token": csrf.group(1)}, follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/account")
    store = web.state.vigie.store
    with store.read() as conn:
        events = [e for e in iter_events(conn) if e.kind == "password_reset"]
    assert [(e.actor, e.subject_id) for e in events] == [("it-desk", "marie")]
    assert temporary not in events[0].payload_text
    unknown = runner.invoke(app, ["users", "reset-password", "paul", "--by", "it-desk",
                                  "--db", db])
    assert unknown.exit_code == 2 and "no account named 'paul'" in unknown.output
    anonymous = runner.invoke(app, ["users", "reset-password", "marie", "--db", db])
    assert anonymous.exit_code == 2 and "--by" in anonymous.output  # who did it is required


def test_serve_refuses_a_public_address_outside_production(tmp_path: Path) -> None:
    from vigie.web import WebSettingsError

    result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0",
                                      "--db", str(tmp_path / "x.sqlite")])
    assert isinstance(result.exception, WebSettingsError)
    assert "loopback" in str(result.exception)


def test_persistent_dev_key_is_private_and_stable(tmp_path: Path) -> None:
    from vigie.cli.web import _persistent_key

    url = f"sqlite:///{tmp_path / 'k.sqlite'}"
    first = _persistent_key(url)
    assert first is not None and len(first) >= 32
    assert _persistent_key(url) == first
    assert (tmp_path / "k.sqlite.secret").stat().st_mode & 0o777 == 0o600
    assert _persistent_key("postgresql+psycopg://u@h/db") is None
