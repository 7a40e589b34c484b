"""``vigie connectors check`` and ``vigie run``, run as real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

CONFIG = """
version: 1
alerts_file: alerts.jsonl
accounts:
  - name: page
    platform: facebook
    page_id: "1000"
    token: {env: VIGIE_TEST_FB_TOKEN}
  - name: demo
    platform: import
    path: comments.jsonl
    actions_log: actions.jsonl
"""


def vigie(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None
          ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "vigie", *args], capture_output=True,
                          text=True, timeout=300, env={**os.environ, **(env or {})}, cwd=cwd)


def write_comments(path: Path, n: int) -> None:
    path.write_text("".join(json.dumps({
        "id": f"fb:c-{i}", "platform": "facebook", "text": f"Merci pour l'info numéro {i}!",
        "created_at": "2025-03-18T14:05:42Z", "author": {"id": f"fb:u-{i}", "name": "A"},
        "post": {"id": "fb:p-1", "text": "Portes ouvertes samedi", "links": []},
    }) + "\n" for i in range(n)), encoding="utf-8")


def test_check_reports_secrets_without_showing_them(tmp_path: Path) -> None:
    config = tmp_path / "connectors.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    ok = vigie("connectors", "check", str(config), env={"VIGIE_TEST_FB_TOKEN": "EAAB-secret"})
    assert ok.returncode == 0, ok.stderr
    assert "token ok" in ok.stdout and "EAAB" not in ok.stdout + ok.stderr
    missing = vigie("connectors", "check", str(config), env={"VIGIE_TEST_FB_TOKEN": ""})
    assert missing.returncode == 1
    assert "VIGIE_TEST_FB_TOKEN" in missing.stderr and "page" in missing.stderr


def test_run_once_imports_then_resumes(tmp_path: Path) -> None:
    config = tmp_path / "connectors.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    write_comments(tmp_path / "comments.jsonl", 5)
    db = str(tmp_path / "vigie.sqlite")
    first = vigie("run", "--connectors", str(config), "--account", "demo", "--db", db,
                  "--once", "--json", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout.strip().splitlines()[-1])
    assert report["fetched"] == {"demo": 5} and report["stopped"] == {}
    again = vigie("run", "--connectors", str(config), "--account", "demo", "--db", db,
                  "--once", "--json", cwd=tmp_path)
    assert json.loads(again.stdout.strip().splitlines()[-1])["fetched"] == {"demo": 0}


def test_unknown_account_is_an_error(tmp_path: Path) -> None:
    config = tmp_path / "connectors.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    run = vigie("run", "--connectors", str(config), "--account", "nope", "--once")
    assert run.returncode == 1 and "known: page, demo" in run.stderr


def test_check_reads_the_new_platforms_app_passwords(tmp_path: Path) -> None:
    config = tmp_path / "connectors.yaml"
    config.write_text("""
version: 1
accounts:
  - name: site
    platform: wordpress
    site_url: https://www.polymtl.ca
    username: vigie
    app_password: {env: VIGIE_TEST_WP}
  - name: bsky
    platform: bluesky
    identifier: polymtl.bsky.social
    app_password: {env: VIGIE_TEST_BSKY}
  - name: threads
    platform: threads
    token: {env: VIGIE_TEST_TH}
""", encoding="utf-8")
    env = {"VIGIE_TEST_WP": "wp-pass-1", "VIGIE_TEST_BSKY": "bsky-pass-1",
           "VIGIE_TEST_TH": "th-token-1"}
    ok = vigie("connectors", "check", str(config), env=env)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.count("app_password ok") == 2 and "token ok" in ok.stdout
    assert "polymtl.bsky.social" in ok.stdout and "-pass-1" not in ok.stdout + ok.stderr
    missing = vigie("connectors", "check", str(config), env={**env, "VIGIE_TEST_BSKY": ""})
    assert missing.returncode == 1 and "VIGIE_TEST_BSKY" in missing.stderr
