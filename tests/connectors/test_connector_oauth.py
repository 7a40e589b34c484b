"""Access-token refresh (OAuth 2.0 refresh grant) for YouTube, X and LinkedIn.

Each platform fake is served next to a fake token endpoint speaking that platform's dialect
(``fakes.oauth``), both over loopback HTTP; connectors are built from a connectors file
through ``build_connector``, as ``vigie run`` builds them.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import httpx
import pytest

from connector_support import drain
from factories import TEST_POLICY, make_policy
from fakes.analyser import KeywordAnalyser
from fakes.linkedin import FakeLinkedIn
from fakes.oauth import FakeTokenEndpoint
from fakes.server import FakePlatform, FakeServer, Reply
from fakes.x import FakeX
from fakes.youtube import FakeYouTube, google_error
from vigie.connectors.base import Connector
from vigie.connectors.config import Secrets, parse_config
from vigie.connectors.errors import AuthExpired, ConfigError, TransientError
from vigie.connectors.factory import build_connector
from vigie.connectors.http import RetryPolicy, Secret
from vigie.connectors.runner import Runner
from vigie.connectors.x import XConnector
from vigie.store.store import open_store
from vigie.store.workflow import StoreModerator

P = TypeVar("P", bound=FakePlatform)

ENV = {"CLIENT_SECRET": "client-s3cret", "REFRESH": "refresh-0", "STALE": "stale-access"}
B64 = base64.b64encode(b"client-1:client-s3cret").decode()


@dataclass
class Stack(Generic[P]):
    """A platform fake and its token endpoint, each on its own loopback server."""

    api: P
    endpoint: FakeTokenEndpoint
    api_url: str
    token_url: str

    def bearers(self) -> list[str]:
        return [self.api.bearer(r) for r in self.api.requests]


def stack(api: P, dialect: str, **kwargs: Any) -> Iterator[Stack[P]]:
    endpoint = FakeTokenEndpoint(api, dialect, **kwargs)  # type: ignore[arg-type]
    with FakeServer(api) as a, FakeServer(endpoint) as t:
        yield Stack(api, endpoint, a.url, t.url + endpoint.path)


@pytest.fixture
def google() -> Iterator[Stack[FakeYouTube]]:
    yield from stack(FakeYouTube(), "google")


@pytest.fixture
def x() -> Iterator[Stack[FakeX]]:
    yield from stack(FakeX(), "x")


@pytest.fixture
def x_public() -> Iterator[Stack[FakeX]]:
    yield from stack(FakeX(), "x", client_secret=None)


@pytest.fixture
def linkedin() -> Iterator[Stack[FakeLinkedIn]]:
    yield from stack(FakeLinkedIn(), "linkedin")


def account_yaml(s: Stack[Any], platform: str, *, token: bool = False, secret: bool = True,
                 token_file: str | None = None, refresh: str = "REFRESH") -> str:
    target = {"youtube": ("channel_id: UCpolymtl", "/youtube/v3"),
              "x": ("user_id: \"1500000000\"", "/2"),
              "linkedin": ("organization_id: \"2414183\"", "/rest")}[platform]
    lines = [
        "version: 1", "accounts:", f"  - name: poly-{platform}", f"    platform: {platform}",
        f"    {target[0]}", f"    api_base: {s.api_url}{target[1]}",
    ]
    if token:
        lines.append("    token: {env: STALE}")
    lines += ["    oauth:", "      client_id: client-1",
              f"      refresh_token: {{env: {refresh}}}", f"      token_url: {s.token_url}"]
    if secret:
        lines.append("      client_secret: {env: CLIENT_SECRET}")
    if token_file:
        lines.append(f"      token_file: {token_file}")
    return "\n".join(lines) + "\n"


def build(text: str, base: Path, *, env: dict[str, str] | None = None,
          clock: Callable[[], float] | None = None, retry: RetryPolicy | None = None,
          sleeps: list[float] | None = None) -> Connector:
    config = parse_config(text, base=base)
    kwargs: dict[str, Any] = {"clock": clock} if clock else {}
    return build_connector(config.accounts[0], Secrets(config, environ={**ENV, **(env or {})}),
                           client=httpx.Client(timeout=5),
                           retry=retry or RetryPolicy(max_attempts=2, base_delay=0.0),
                           sleep=(sleeps if sleeps is not None else []).append, **kwargs)


# -- YouTube (Google) ---------------------------------------------------------------------------


def test_youtube_refreshes_before_the_hour_is_over(google: Stack[FakeYouTube],
                                                   tmp_path: Path) -> None:
    video = google.api.add_video("v")
    google.api.add_comment(video, "Bravo!")
    now = [1000.0]
    conn = build(account_yaml(google, "youtube"), tmp_path, clock=lambda: now[0])
    ids, _ = drain(conn)
    assert len(ids) == 1
    [first] = google.endpoint.refreshes()
    assert first.form() == {"grant_type": "refresh_token", "refresh_token": "refresh-0",
                            "client_id": "client-1", "client_secret": "client-s3cret"}
    assert "authorization" not in first.headers  # Google: the client authenticates in the form
    assert set(google.bearers()) == {"google-access-1"}
    now[0] += 3599 - 300 - 1  # just before the margin: the token is still used
    conn.fetch(None)
    assert len(google.endpoint.refreshes()) == 1
    now[0] += 2  # within 5 minutes of the announced expiry
    google.endpoint.expire_access_tokens()  # and the old token now refused: no 401 may happen
    google.api.requests.clear()
    conn.fetch(None)
    assert len(google.endpoint.refreshes()) == 2
    assert set(google.bearers()) == {"google-access-2"}


def test_a_refused_token_is_refreshed_once_and_the_call_sent_again(
        google: Stack[FakeYouTube], tmp_path: Path) -> None:
    video = google.api.add_video("v")
    google.api.add_comment(video, "Bravo!")
    # An access token given at start, long expired; one attempt only: the retry after the
    # refresh is not counted as a failed attempt.
    conn = build(account_yaml(google, "youtube", token=True), tmp_path,
                 retry=RetryPolicy(max_attempts=1))
    ids, cursor = drain(conn)
    assert len(ids) == 1
    assert google.bearers().count("stale-access") == 1  # one refused call, then the new token
    assert len(google.endpoint.refreshes()) == 1
    google.endpoint.expire_access_tokens()  # revoked early, well before its announced hour
    google.api.add_comment(video, "Encore")
    again, _ = drain(conn, cursor)
    assert len(again) == 1 and len(google.endpoint.refreshes()) == 2
    assert google.bearers()[-1] == "google-access-2"


def test_a_token_refused_after_its_refresh_is_not_refreshed_again(
        google: Stack[FakeYouTube], tmp_path: Path) -> None:
    google.api.fail_next(google_error(401, "authError", "Request had invalid authentication "
                                      "credentials.", domain="global"), times=10)
    conn = build(account_yaml(google, "youtube", token=True), tmp_path)
    with pytest.raises(AuthExpired, match="freshly refreshed token was refused too"):
        conn.fetch(None)
    assert len(google.endpoint.refreshes()) == 1  # one refresh, never a loop
    assert google.bearers() == ["stale-access", "google-access-1"]


def test_a_revoked_refresh_token_stops_the_account_with_an_alert_naming_the_fix(
        google: Stack[FakeYouTube], tmp_path: Path) -> None:
    healthy = FakeX()
    root = healthy.post("root")
    healthy.post("Bravo", author=healthy.add_user("fan"), reply_to=root)
    google.endpoint.revoke()  # the channel owner removed the app's access
    with FakeServer(healthy) as x_server:
        yt = build(account_yaml(google, "youtube"), tmp_path)
        other = XConnector("poly-x", healthy.user_id, httpx.Client(timeout=5),
                           Secret("x-token"), base_url=f"{x_server.url}/2",
                           retry=RetryPolicy(max_attempts=1))
        store = open_store(str(tmp_path / "vigie.sqlite"))
        moderator = StoreModerator(store, make_policy(), TEST_POLICY,
                                   pipeline_factory=lambda p: KeywordAnalyser())
        alerts: list[tuple[str, str]] = []
        runner = Runner(store, moderator, [yt, other], alert=lambda a, m: alerts.append((a, m)))
        report = runner.run_round(force=True)
        runner.close()
        store.dispose()
    assert report.fetched["poly-x"] == 1 and list(report.stopped) == ["poly-youtube"]
    [(account, message)] = alerts
    assert account == "poly-youtube"
    assert "HTTP 400 invalid_grant: Token has been expired or revoked." in message
    assert "authorize Vigie again" in message and "environment variable REFRESH" in message
    assert "this account is stopped" in message
    assert google.api.requests == []  # nothing was sent to YouTube without a token


def test_a_refused_client_says_to_check_the_client_credentials(
        google: Stack[FakeYouTube], tmp_path: Path) -> None:
    conn = build(account_yaml(google, "youtube"), tmp_path, env={"CLIENT_SECRET": "wrong"})
    with pytest.raises(AuthExpired, match=r"check oauth\.client_id and oauth\.client_secret") as e:
        conn.fetch(None)
    assert e.value.status == 401 and e.value.code == "invalid_client"


def test_token_endpoint_failures_are_retried_then_transient(google: Stack[FakeYouTube],
                                                            tmp_path: Path) -> None:
    google.endpoint.fail_next(Reply(503, {"error": "backendError"}))
    sleeps: list[float] = []
    conn = build(account_yaml(google, "youtube"), tmp_path, sleeps=sleeps)
    conn.fetch(None)
    assert len(google.endpoint.refreshes()) == 2 and len(sleeps) == 1
    google.endpoint.expire_access_tokens()
    google.endpoint.fail_next(Reply(500, {"error": "internal_failure"}), times=5)
    with pytest.raises(TransientError):  # the runner parks the account, it does not stop it
        conn.fetch(None)


# -- X: rotated refresh tokens ----------------------------------------------------------------


def read_file(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_x_rotation_is_saved_and_used_after_a_restart(x: Stack[FakeX], tmp_path: Path) -> None:
    root = x.api.post("root")
    x.api.post("r1", author=x.api.add_user("u1"), reply_to=root)
    (tmp_path / "oauth").mkdir()
    text = account_yaml(x, "x", token_file="oauth/poly-x.json")  # relative to the config
    conn = build(text, tmp_path)
    ids, cursor = drain(conn)
    assert len(ids) == 1
    [first] = x.endpoint.refreshes()
    assert first.headers["authorization"] == f"Basic {B64}"  # a confidential client
    assert first.form() == {"grant_type": "refresh_token", "refresh_token": "refresh-0",
                            "client_id": "client-1"}
    saved = tmp_path / "oauth" / "poly-x.json"
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert read_file(saved)["refresh_token"] == "x-refresh-1"
    assert "refresh-0" not in saved.read_text(encoding="utf-8")  # only a digest of it
    conn.close()
    # A restart: the environment still holds refresh-0, which X refuses since the rotation.
    x.api.post("r2", author=x.api.add_user("u2"), reply_to=root)
    again, _ = drain(build(text, tmp_path), cursor)
    assert len(again) == 1
    assert x.endpoint.refreshes()[-1].form()["refresh_token"] == "x-refresh-1"
    assert read_file(saved)["refresh_token"] == "x-refresh-2"
    assert [p.name for p in (tmp_path / "oauth").iterdir() if p.name.endswith(".tmp")] == []


def test_a_new_authorization_wins_over_the_saved_token(x: Stack[FakeX], tmp_path: Path) -> None:
    (tmp_path / "oauth").mkdir()
    text = account_yaml(x, "x", token_file="oauth/poly-x.json")
    build(text, tmp_path).fetch(None)
    saved = tmp_path / "oauth" / "poly-x.json"
    assert read_file(saved)["refresh_token"] == "x-refresh-1"
    x.endpoint.revoke()
    x.endpoint.grant("refresh-new")  # the operator consented again and configured the new one
    build(text, tmp_path, env={"REFRESH": "refresh-new"}).fetch(None)
    assert x.endpoint.refreshes()[-1].form()["refresh_token"] == "refresh-new"
    assert read_file(saved)["refresh_token"] == "x-refresh-2"


def test_two_processes_on_one_account_follow_each_other_rotations(x: Stack[FakeX],
                                                                  tmp_path: Path) -> None:
    (tmp_path / "oauth").mkdir()
    text = account_yaml(x, "x", token_file="oauth/poly-x.json")
    a, b = build(text, tmp_path), build(text, tmp_path)  # `vigie run` and `vigie mentions`
    a.fetch(None)
    b.fetch(None)  # reads the file under its lock: refresh-0 is dead, x-refresh-1 is not
    x.endpoint.expire_access_tokens()
    a.fetch(None)  # refused, then refreshed with what b left in the file
    assert [r.form()["refresh_token"] for r in x.endpoint.refreshes()] == [
        "refresh-0", "x-refresh-1", "x-refresh-2"]


def test_x_public_client_sends_its_id_in_the_form_without_basic(x_public: Stack[FakeX],
                                                                tmp_path: Path) -> None:
    conn = build(account_yaml(x_public, "x", secret=False, token_file="x.json"), tmp_path)
    conn.fetch(None)
    [first] = x_public.endpoint.refreshes()
    assert "authorization" not in first.headers
    assert first.form() == {"grant_type": "refresh_token", "refresh_token": "refresh-0",
                            "client_id": "client-1"}


def test_no_token_ever_reaches_logs_or_errors(x: Stack[FakeX], tmp_path: Path,
                                              caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    (tmp_path / "oauth").mkdir()
    conn = build(account_yaml(x, "x", token=True, token_file="oauth/poly-x.json"), tmp_path)
    conn.fetch(None)  # the stale token refused, a refresh, a rotation saved
    x.endpoint.expire_access_tokens()
    conn.fetch(None)  # refused again, refreshed again
    x.endpoint.revoke()
    x.endpoint.expire_access_tokens()
    with pytest.raises(AuthExpired) as raised:
        conn.fetch(None)
    secrets = {"client-s3cret", B64, "refresh-0", "stale-access", *x.endpoint.issued,
               *x.endpoint.issued_refresh}
    assert len(secrets) == 8
    seen = "\n".join([caplog.text, str(raised.value), repr(raised.value),
                      repr(conn.api._source)])  # type: ignore[attr-defined]
    assert "access token refreshed" in caplog.text and "rotated refresh token saved" in seen
    assert "Value passed for the token was invalid" in str(raised.value)
    assert [s for s in secrets if s in seen] == []


# -- LinkedIn -------------------------------------------------------------------------------------


def test_linkedin_refreshes_through_the_same_mechanism(linkedin: Stack[FakeLinkedIn],
                                                      tmp_path: Path) -> None:
    conn = build(account_yaml(linkedin, "linkedin", token=True, token_file="li.json"),
                 tmp_path)
    post = linkedin.api.add_post("Portes ouvertes")
    linkedin.api.add_comment(post, "Bravo!")
    ids, _ = drain(conn)
    assert len(ids) == 1
    [first] = linkedin.endpoint.refreshes()
    assert first.form() == {"grant_type": "refresh_token", "refresh_token": "refresh-0",
                            "client_id": "client-1", "client_secret": "client-s3cret"}
    assert linkedin.bearers().count("stale-access") == 1
    assert set(linkedin.bearers()) == {"stale-access", "linkedin-access-1"}
    # LinkedIn answers the same refresh token (its 365-day life does not restart): nothing to
    # keep, no file written.
    assert not (tmp_path / "li.json").exists()


# -- configuration --------------------------------------------------------------------------------

BASE = """
version: 1
accounts:
  - name: poly-yt
    platform: youtube
    channel_id: UCpoly
    oauth:
      client_id: client-1
      client_secret: {env: CLIENT_SECRET}
      refresh_token: {env: REFRESH}
  - name: poly-x
    platform: x
    user_id: "1500000000"
    oauth:
      client_id: client-2
      refresh_token: {env: X_REFRESH}
      token_file: x.json
"""


@pytest.mark.parametrize(("text", "message"), [
    (BASE.replace("      client_secret: {env: CLIENT_SECRET}\n", ""),
     "oauth.client_secret is required: Google"),
    (BASE.replace("      token_file: x.json\n", ""), "oauth.token_file is required on X"),
    (BASE.replace("    oauth:\n      client_id: client-1\n", "    notoauth:\n      a: 1\n"),
     "unknown key"),
    (BASE.replace("      client_id: client-1\n", ""), "oauth.client_id: Field required"),
    (BASE.replace("  - name: poly-x", "  - name: poly-x2\n    platform: x\n    user_id: \"1\"\n"
                  "    oauth: {client_id: c, refresh_token: {env: R}, token_file: x.json}\n"
                  "  - name: poly-x"), "own oauth.token_file; shared: .*x.json"),
    (BASE.replace("      refresh_token: {env: REFRESH}",
                  "      refresh_token: {env: REFRESH}\n      token_url: ftp://t"), "token_url"),
    (BASE.replace("      refresh_token: {env: REFRESH}",
                  "      refresh_token: {env: REFRESH}\n      scope: all"), "unknown key"),
])
def test_invalid_oauth_blocks_name_the_problem(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config(text, source="bad.yaml")


def test_an_account_needs_a_token_or_an_oauth_block() -> None:
    text = BASE.replace("    oauth:\n      client_id: client-1\n      client_secret: {env: "
                        "CLIENT_SECRET}\n      refresh_token: {env: REFRESH}\n", "")
    with pytest.raises(ConfigError, match=r"give token .*, oauth .*, or both"):
        parse_config(text)


def test_token_file_paths_are_relative_to_the_connectors_file(tmp_path: Path) -> None:
    x_account = parse_config(BASE, base=tmp_path).accounts[1]
    assert x_account.oauth is not None  # type: ignore[union-attr]
    assert x_account.oauth.token_file == tmp_path / "x.json"  # type: ignore[union-attr]


def test_token_file_problems_stop_the_build_naming_the_file(
        x: Stack[FakeX], tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with pytest.raises(ConfigError, match=r"directory .*missing.* does not exist"):
        build(account_yaml(x, "x", token_file="missing/x.json"), tmp_path)
    broken = tmp_path / "x.json"
    broken.write_text('{"refresh_token": "x-refresh-leak', encoding="utf-8")
    os.chmod(broken, 0o644)
    with pytest.raises(ConfigError, match="not a Vigie token file; delete it") as raised:
        build(account_yaml(x, "x", token_file="x.json"), tmp_path)
    assert "leak" not in str(raised.value)
    assert "readable by other users" in caplog.text


def test_check_command_reads_the_oauth_secrets_without_showing_them(tmp_path: Path) -> None:
    config = tmp_path / "connectors.yaml"
    config.write_text(BASE, encoding="utf-8")
    env = {**os.environ, "CLIENT_SECRET": "client-s3cret", "REFRESH": "refresh-0",
           "X_REFRESH": "x-refresh-0", "COLUMNS": "200"}  # one table row per line
    ok = subprocess.run([sys.executable, "-m", "vigie", "connectors", "check", str(config)],
                        capture_output=True, text=True, timeout=300, env=env)
    assert ok.returncode == 0, ok.stderr
    rows = {line.split("│")[1].strip(): line for line in ok.stdout.splitlines()
            if line.count("│") > 2}
    assert "oauth.client_secret, oauth.refresh_token ok" in rows["poly-yt"]
    assert "oauth.refresh_token ok" in rows["poly-x"]
    assert "s3cret" not in ok.stdout + ok.stderr and "refresh-0" not in ok.stdout + ok.stderr
    env["X_REFRESH"] = ""
    missing = subprocess.run([sys.executable, "-m", "vigie", "connectors", "check", str(config)],
                             capture_output=True, text=True, timeout=300, env=env)
    assert missing.returncode == 1
    assert "poly-x" in missing.stderr and "oauth.refresh_token" in missing.stderr
