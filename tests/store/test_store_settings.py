"""Store settings: safe defaults, unsafe choices refused with a message that says what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from vigie.errors import StoreError
from vigie.store.settings import StoreSettings, database_url, is_loopback, load_settings


@pytest.mark.parametrize(("value", "expected"), [
    ("postgresql://u@db:5432/vigie", "postgresql+psycopg://u@db:5432/vigie"),
    ("postgres://u@db/vigie", "postgresql+psycopg://u@db/vigie"),
    ("sqlite:////var/lib/vigie.sqlite", "sqlite:////var/lib/vigie.sqlite"),
])
def test_database_url(value: str, expected: str) -> None:
    assert database_url(value) == expected


def test_default_database_is_a_local_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path
                                          ) -> None:
    monkeypatch.delenv("VIGIE_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    assert database_url() == f"sqlite:///{tmp_path / 'vigie.sqlite'}"
    monkeypatch.setenv("VIGIE_DATABASE_URL", "postgresql://u@localhost/v")
    assert database_url() == "postgresql+psycopg://u@localhost/v"
    with pytest.raises(StoreError, match="unsupported database URL scheme 'mysql'"):
        database_url("mysql://x")


@pytest.mark.parametrize(("env", "words"), [
    ({"VIGIE_DATABASE_URL": "postgresql://vigie@db.example.org/vigie"}, "sslmode=require"),
    ({"VIGIE_SMTP_HOST": "smtp.example.org", "VIGIE_SMTP_FROM": "v@x.org",
      "VIGIE_SMTP_TO": "cm@x.org", "VIGIE_SMTP_SECURITY": "none",
      "VIGIE_SMTP_PASSWORD": "pw"}, "clear text"),
    ({"VIGIE_WEBHOOK_URL": "http://hooks.example.org/x"}, "https"),
    ({"VIGIE_RETENTION_ALLOWED_TEXT_DAYS": "0"}, "allowed_text_days"),
])
def test_unsafe_settings_are_refused(env: dict[str, str], words: str) -> None:
    with pytest.raises(StoreError, match=words):
        load_settings(env=env)


@pytest.mark.parametrize("env", [
    {"VIGIE_DATABASE_URL": "postgresql://vigie@db.example.org/vigie?sslmode=verify-full"},
    {"VIGIE_DATABASE_URL": "postgresql://vigie@127.0.0.1/vigie"},      # loopback: no TLS needed
    {"VIGIE_DATABASE_URL": "postgresql://vigie@db.internal/vigie",
     "VIGIE_ALLOW_INSECURE_DATABASE": "1"},                            # explicit opt-in
    {"VIGIE_WEBHOOK_URL": "http://127.0.0.1:8080/hook"},
])
def test_safe_settings_are_accepted(env: dict[str, str]) -> None:
    load_settings(env=env)


def test_settings_file_and_environment(tmp_path: Path) -> None:
    file = tmp_path / "vigie.toml"
    file.write_text('database_url = "x.sqlite"\n[retention]\nallowed_text_days = 30\n'
                    '[escalation]\ndigest = true\n', encoding="utf-8")
    settings = load_settings(env={"VIGIE_SETTINGS": str(file),
                                  "VIGIE_RETENTION_REMOVED_YEARS": "5"})
    assert settings.retention.allowed_text_days == 30 and settings.retention.removed_years == 5
    assert settings.escalation.digest and settings.database_url.endswith("/x.sqlite")
    file.write_text("[retention]\nkeep_forever = true\n", encoding="utf-8")
    with pytest.raises(StoreError, match="keep_forever"):
        load_settings(env={"VIGIE_SETTINGS": str(file)})


@pytest.mark.parametrize("key", [None, "short", "changeme" * 1, "password"])
def test_pseudonym_key_must_be_real(key: str | None) -> None:
    with pytest.raises(StoreError, match="VIGIE_PSEUDONYM_KEY"):
        StoreSettings(database_url="sqlite:///x", pseudonym_key=key).require_pseudonym_key()
    assert StoreSettings(database_url="sqlite:///x", pseudonym_key="a" * 32
                         ).require_pseudonym_key() == b"a" * 32


@pytest.mark.parametrize(("host", "loopback"), [
    ("localhost", True), ("127.0.0.1", True), ("::1", True), ("[::1]", True),
    ("10.0.0.5", False), ("db.example.org", False), (None, False),
])
def test_is_loopback(host: str | None, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_escalation_language_and_dashboard_address() -> None:
    default = load_settings(env={}).escalation
    assert (default.lang, default.dashboard_url, default.configured) == ("fr", None, False)
    settings = load_settings(env={"VIGIE_ESCALATION_LANG": "en",
                                  "VIGIE_DASHBOARD_URL": "https://vigie.polymtl.ca",
                                  "VIGIE_WEBHOOK_URL": "https://hooks.example/x"}).escalation
    assert (settings.lang, settings.dashboard_url, settings.configured) == (
        "en", "https://vigie.polymtl.ca", True)
    with pytest.raises(StoreError, match=r"escalation\.lang"):
        load_settings(env={"VIGIE_ESCALATION_LANG": "de"})
    with pytest.raises(StoreError, match="dashboard_url must be an http"):
        load_settings(env={"VIGIE_DASHBOARD_URL": "vigie.polymtl.ca"})
