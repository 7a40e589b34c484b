"""The directive's life cycle: propose, approve, history, diff, and the version in force."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from vigie.errors import PolicyError, StoreError
from vigie.store.events import iter_events
from vigie.store.policy_versions import (
    PolicyResolver,
    approve,
    diff,
    history,
    propose,
)


def _v(text: str, version: str, effective: str) -> str:
    return text.replace('version: "1"', f'version: "{version}"').replace(
        "effective_date: 2020-01-01", f"effective_date: {effective}")


def test_propose_approve_history(store: Any, store_policy: Any) -> None:
    _, text = store_policy
    proposed = propose(store, text, by="communications")
    assert not proposed.approved and proposed.effective_date == dt.date(2020, 1, 1)
    assert propose(store, text, by="communications").digest == proposed.digest  # idempotent
    approved = approve(store, proposed.digest[7:19], by="Assemblée de direction",
                       reference="ADD-551-12")
    assert approved.approved and approved.reference == "ADD-551-12"
    with pytest.raises(StoreError, match="already approved"):
        approve(store, proposed.digest, by="x", reference="ADD-1")
    assert [v.digest for v in history(store)] == [proposed.digest]


@pytest.mark.parametrize(("digest", "by", "reference", "words"), [
    ("sha256:ffff", "x", "ADD-1", "matches no stored version"),
    ("ab", "x", "ADD-1", "matches no stored version"),          # too short a prefix
    (None, "", "ADD-1", "--by"),
    (None, "x", " ", "--reference"),
])
def test_approve_refuses(store: Any, store_policy: Any, digest: str | None, by: str,
                         reference: str, words: str) -> None:
    version = propose(store, store_policy[1], by="comms")
    with pytest.raises(StoreError, match=words):
        approve(store, digest or version.digest, by=by, reference=reference)


def test_invalid_policy_is_refused(store: Any) -> None:
    with pytest.raises(PolicyError):
        propose(store, "vigie_policy: 1\nid: x\n", by="comms")


def test_version_in_force_follows_effective_dates(store: Any, store_policy: Any) -> None:
    _, text = store_policy
    a = approve(store, propose(store, text, by="c").digest, by="a", reference="ADD-1")
    b = approve(store, propose(store, _v(text, "2", "2023-06-01"), by="c").digest, by="a",
                reference="ADD-2")
    propose(store, _v(text, "3", "2024-01-01"), by="c")              # never approved
    with store.read() as conn:
        resolver = PolicyResolver(conn)
    at = resolver.at
    assert at(dt.datetime(2019, 12, 31, tzinfo=dt.UTC)) is None          # before any version
    assert at(dt.datetime(2021, 5, 1, tzinfo=dt.UTC))[0].digest == a.digest   # type: ignore[index]
    # Effective dates are Montréal dates: 2023-06-01 03:00 UTC is still May 31 there.
    assert at(dt.datetime(2023, 6, 1, 3, 0, tzinfo=dt.UTC))[0].digest == a.digest  # type: ignore[index]
    assert at(dt.datetime(2023, 6, 1, 5, 0, tzinfo=dt.UTC))[0].digest == b.digest  # type: ignore[index]
    assert at(dt.datetime(2025, 1, 1, tzinfo=dt.UTC))[0].digest == b.digest   # type: ignore[index]


def test_diff_shows_the_change(store: Any, store_policy: Any) -> None:
    _, text = store_policy
    a = propose(store, text, by="c")
    b = propose(store, _v(text, "2", "2023-06-01"), by="c")
    out = diff(store, a.digest, b.digest)
    assert '-version: "1"' in out and '+version: "2"' in out


def test_policy_cli(store: Any, store_policy: Any, db_url: str, tmp_path: Path) -> None:
    from vigie.cli.app import app

    _, text = store_policy
    old, new = tmp_path / "v1.yaml", tmp_path / "v2.yaml"
    old.write_text(text, encoding="utf-8")
    new.write_text(_v(text, "2", "2023-06-01"), encoding="utf-8")
    runner = CliRunner()
    for file in (old, new):
        result = runner.invoke(app, ["policy", "propose", str(file), "--by", "comms",
                                     "--db", db_url])
        assert result.exit_code == 0, result.output
    digests = [v.digest for v in history(store)]
    result = runner.invoke(app, ["policy", "approve", digests[1][7:20], "--by", "AD",
                                 "--reference", "ADD-9", "--db", db_url])
    assert result.exit_code == 0 and "ADD-9" in result.output
    shown = runner.invoke(app, ["policy", "history", "--db", db_url, "--json"])
    assert shown.output.count('"digest"') == 2 and '"reference": "ADD-9"' in shown.output
    result = runner.invoke(app, ["policy", "diff", digests[0], digests[1], "--db", db_url])
    assert '+version: "2"' in result.output


def test_whoever_proposed_a_version_cannot_approve_it(store: Any, store_policy: Any) -> None:
    version = propose(store, store_policy[1], by="Marie Comms")
    with pytest.raises(StoreError, match="another person must approve it"):
        approve(store, version.digest, by=" marie comms ", reference="ADD-1")
    assert approve(store, version.digest, by="Assemblée", reference="ADD-2").approved


def test_an_effective_date_other_than_the_files_is_an_explicit_audited_override(
        store: Any, store_policy: Any) -> None:
    text = store_policy[1]                             # effective_date: 2020-01-01 in the file
    with pytest.raises(StoreError, match="differs from the file's effective_date 2020-01-01"):
        propose(store, text, by="comms", effective=dt.date(2021, 6, 1))
    same = propose(store, text, by="comms", effective=dt.date(2020, 1, 1))  # no override
    assert same.effective_date == dt.date(2020, 1, 1)
    moved = propose(store, _v(text, "2", "2020-01-01"), by="comms",
                    effective=dt.date(2021, 6, 1), override_reason="assembly moved it (ADD-9)")
    assert moved.effective_date == dt.date(2021, 6, 1)
    with store.read() as conn:
        payloads = [e.payload for e in iter_events(conn) if e.kind == "policy_proposed"]
    assert "effective_override" not in payloads[0]
    assert payloads[1]["effective_override"] == {"file_effective_date": "2020-01-01",
                                                 "reason": "assembly moved it (ADD-9)"}


def test_cli_approver_must_be_an_account_allowed_to_approve(store: Any, store_policy: Any,
                                                            db_url: str, tmp_path: Path) -> None:
    from vigie.cli.app import app
    from vigie.web.accounts import Passwords, create_user

    with store.begin() as conn:
        for name, role in (("cm", "community_manager"), ("boss", "admin")):
            create_user(conn, Passwords(fast=True), name, "a long passphrase 1", role,
                        store.now())
    file = tmp_path / "policy.yaml"
    file.write_text(store_policy[1], encoding="utf-8")
    runner = CliRunner()
    proposed = runner.invoke(app, ["policy", "propose", str(file), "--by", "cm",
                                   "--db", db_url])
    assert proposed.exit_code == 0, proposed.output
    digest = history(store)[0].digest
    for by in ("cm", "nobody"):                      # its author; not an account
        refused = runner.invoke(app, ["policy", "approve", digest[7:20], "--by", by,
                                      "--reference", "ADD-1", "--db", db_url])
        assert isinstance(refused.exception, StoreError), refused.output
    ok = runner.invoke(app, ["policy", "approve", digest[7:20], "--by", "boss",
                             "--reference", "ADD-1", "--db", db_url])
    assert ok.exit_code == 0, ok.output


# -- line endings and refusals (section 9) ---------------------------------------------------

def test_crlf_text_has_the_lf_digest_and_an_honest_diff(store: Any, store_policy: Any) -> None:
    _, text = store_policy
    lf = propose(store, text, by="comms")
    crlf = propose(store, text.replace("\n", "\r\n"), by="comms")
    assert crlf.digest == lf.digest and "\r" not in crlf.yaml_text
    # A second version saved on Windows: the diff names the one changed line, not every line.
    windows = _v(text, "2", "2021-01-01").replace("\n", "\r\n")
    second = propose(store, windows, by="comms")
    assert "\r" not in second.yaml_text
    changed = [line for line in diff(store, lf.digest, second.digest).splitlines()
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert sorted(changed) == ["+effective_date: 2021-01-01", '+version: "2"',
                               "-effective_date: 2020-01-01", '-version: "1"']


def test_a_refused_version_is_closed_and_audited(store: Any, store_policy: Any) -> None:
    from vigie.store.policy_versions import refusal, refuse

    version = propose(store, store_policy[1], by="comms")
    with pytest.raises(StoreError, match="another person must refuse"):
        refuse(store, version.digest, by="comms", note="mine")
    with pytest.raises(StoreError, match="a note"):
        refuse(store, version.digest, by="direction", note=" ")
    refuse(store, version.digest, by="direction", note="Seuils trop bas pour 6.4 c")
    with pytest.raises(StoreError, match="was refused by direction"):
        approve(store, version.digest, by="direction", reference="ADD-2")
    with pytest.raises(StoreError, match="was refused"):
        refuse(store, version.digest, by="other", note="again")
    with store.read() as conn:
        assert refusal(conn, version.digest)["note"] == "Seuils trop bas pour 6.4 c"
        assert PolicyResolver(conn).at(dt.datetime(2030, 1, 1, tzinfo=dt.UTC)) is None
    with store.read() as conn:
        events = [(e.kind, e.actor) for e in iter_events(conn, subject_type="policy")]
    assert events == [("policy_proposed", "comms"), ("policy_refused", "direction")]


def test_cli_refuse_closes_a_proposal_with_its_note(store: Any, store_policy: Any, db_url: str,
                                                    tmp_path: Path) -> None:
    from vigie.cli.app import app

    file = tmp_path / "policy.yaml"
    file.write_text(store_policy[1], encoding="utf-8")
    runner = CliRunner()
    proposed = runner.invoke(app, ["policy", "propose", str(file), "--by", "comms",
                                   "--db", db_url])
    assert proposed.exit_code == 0, proposed.output
    digest = history(store)[0].digest
    own = runner.invoke(app, ["policy", "refuse", digest[7:20], "--by", "comms",
                              "--note", "no", "--db", db_url])
    assert isinstance(own.exception, StoreError), own.output     # nobody refuses their own
    done = runner.invoke(app, ["policy", "refuse", digest[7:20], "--by", "AD",
                               "--note", "seuil trop strict", "--db", db_url])
    assert done.exit_code == 0 and "seuil trop strict" in done.output, done.output
    late = runner.invoke(app, ["policy", "approve", digest[7:20], "--by", "AD",
                               "--reference", "ADD-1", "--db", db_url])
    assert isinstance(late.exception, StoreError), late.output   # a refused version is closed
    with store.read() as conn:
        notes = [e.payload for e in iter_events(conn) if e.kind == "policy_refused"]
    assert len(notes) == 1 and "seuil trop strict" in str(notes[0])
