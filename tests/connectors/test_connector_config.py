"""The connectors file: strict validation, secrets from env / secrets file / file, never shown."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from vigie.connectors.config import (
    FacebookAccount,
    ImportAccount,
    SecretRef,
    Secrets,
    YouTubeAccount,
    load_config,
    parse_config,
)
from vigie.connectors.errors import ConfigError
from vigie.connectors.facebook import FacebookConnector
from vigie.connectors.factory import build_connector
from vigie.connectors.importer import FileImportConnector
from vigie.connectors.youtube import YouTubeConnector

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "connectors.yaml"

GOOD = """
version: 1
secrets_file: secrets.yaml
accounts:
  - name: poly-fb
    platform: facebook
    page_id: "1000"
    token: {env: FB_TOKEN}
    app_secret: {secret: meta_app_secret}
    verify_token: {file: verify.txt}
  - name: poly-yt
    platform: youtube
    channel_id: UCpoly
    token: {env: YT_TOKEN}
    daily_quota: 20000
  - name: demo
    platform: import
    path: comments.jsonl
"""


def test_valid_file_and_relative_paths(tmp_path: Path) -> None:
    config = parse_config(GOOD, base=tmp_path)
    fb, yt, demo = config.accounts
    assert isinstance(fb, FacebookAccount) and fb.remove_as == "hide"
    assert isinstance(yt, YouTubeAccount) and yt.daily_quota == 20000
    assert yt.statuses == ("published", "heldForReview", "likelySpam")
    assert isinstance(demo, ImportAccount) and demo.path == tmp_path / "comments.jsonl"
    assert config.secrets_file == tmp_path / "secrets.yaml"
    assert config.account("poly-yt") is yt


@pytest.mark.parametrize(("text", "message"), [
    (GOOD.replace("page_id:", "page_idd:"), "unknown key"),
    (GOOD.replace("platform: youtube", "platform: myspace"), "unknown platform"),
    (GOOD.replace("name: demo", "name: poly-fb"), "repeated: poly-fb"),
    (GOOD.replace("{env: FB_TOKEN}", "{env: FB_TOKEN, secret: x}"), "exactly one"),
    (GOOD.replace("{env: FB_TOKEN}", "EAAB-pasted-token"), "token"),
    (GOOD.replace("version: 1", "version: 2"), "version"),
    (GOOD.replace("daily_quota: 20000", "daily_quota: 20000\n    moderation_reserve: 30000"),
     "moderation_reserve"),
    ("accounts: [", "not valid YAML"),
    ("- a list", "must be a YAML mapping"),
])
def test_invalid_files_name_the_problem(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config(text, source="bad.yaml")


def test_unknown_account_lists_known_ones(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="known: poly-fb, poly-yt, demo"):
        parse_config(GOOD, base=tmp_path).account("nope")


def test_secrets_from_env_secrets_file_and_file(tmp_path: Path) -> None:
    (tmp_path / "secrets.yaml").write_text("meta_app_secret: s3cr3t\n", encoding="utf-8")
    os.chmod(tmp_path / "secrets.yaml", 0o600)
    (tmp_path / "verify.txt").write_text("verify-me\n", encoding="utf-8")
    config = parse_config(GOOD, base=tmp_path)
    secrets = Secrets(config, environ={"FB_TOKEN": "EAAB"})
    fb = config.accounts[0]
    assert isinstance(fb, FacebookAccount) and fb.app_secret and fb.verify_token
    assert secrets.resolve(fb.token, account="poly-fb", field="token").reveal() == "EAAB"
    assert secrets.resolve(fb.app_secret, account="a", field="f").reveal() == "s3cr3t"
    # The file is resolved against the connectors file's directory only for import paths;
    # a secret file path is used as written.
    ref = SecretRef(file=tmp_path / "verify.txt")
    assert secrets.resolve(ref, account="a", field="f").reveal() == "verify-me"


def test_missing_secret_names_where_never_what(tmp_path: Path) -> None:
    config = parse_config(GOOD, base=tmp_path)
    secrets = Secrets(config, environ={})
    with pytest.raises(ConfigError, match=r"poly-fb.*environment variable FB_TOKEN is not set"):
        secrets.resolve(config.accounts[0].token, account="poly-fb",  # type: ignore[union-attr]
                        field="token")


def test_broken_secrets_file_does_not_quote_it(tmp_path: Path) -> None:
    (tmp_path / "secrets.yaml").write_text("meta_app_secret: [EAAB-leak\n", encoding="utf-8")
    config = parse_config(GOOD, base=tmp_path)
    with pytest.raises(ConfigError) as raised:
        Secrets(config, environ={}).resolve(SecretRef(secret="meta_app_secret"), account="a",
                                            field="f")
    assert "EAAB" not in str(raised.value)


def test_build_connectors(tmp_path: Path) -> None:
    config = parse_config(GOOD, base=tmp_path)
    secrets = Secrets(config, environ={"FB_TOKEN": "EAAB", "YT_TOKEN": "ya29"})
    fb, yt, demo = (build_connector(a, secrets) for a in config.accounts)
    assert isinstance(fb, FacebookConnector) and fb.page_id == "1000"
    assert isinstance(yt, YouTubeConnector) and yt.budget.daily_units == 20000
    assert isinstance(demo, FileImportConnector)
    for connector in (fb, yt, demo):
        connector.close()


def test_the_example_file_is_valid() -> None:
    config = load_config(EXAMPLE)
    assert {a.platform for a in config.accounts} == {"facebook", "instagram", "youtube", "x",
                                                     "linkedin", "wordpress", "bluesky",
                                                     "threads", "import"}
