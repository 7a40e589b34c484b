"""What users feed the CLI: spreadsheets' CSV files, unreachable platforms, empty set-ups.

Each case is a real ``vigie`` process: what a user types is what is tested.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from vigie.batch.reader import read_comments

HEADER = ["id", "platform", "text", "created_at", "author_id", "author_name"]
ROWS = [["fb:c-1", "facebook", "Très bien, merci à l'équipe!", "2025-03-18T14:05:42Z",
         "fb:u-1", "Hélène Côté"],
        ["fb:c-2", "facebook", "Où est le pavillon Lassonde?", "2025-03-18T14:06:00Z",
         "fb:u-2", "François"]]


def vigie(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None
          ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "vigie", *args], capture_output=True,
                          text=True, timeout=300, env={**os.environ, **(env or {})}, cwd=cwd)


def write_csv(path: Path, *, encoding: str, delimiter: str = ",", bom: bool = False) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows([HEADER, *ROWS])  # quotes as Excel does
    text = buffer.getvalue()
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding))
    return path


@pytest.mark.parametrize(("encoding", "delimiter", "bom"), [
    ("utf-8", ",", True),     # Excel "CSV UTF-8"
    ("utf-8", ",", False),
    ("cp1252", ",", False),   # Excel "CSV" on Windows
    ("utf-8", ";", True),     # French Excel: semicolons
    ("cp1252", ";", False),
])
def test_spreadsheet_csv_files_are_read_as_saved(tmp_path: Path, encoding: str, delimiter: str,
                                                 bom: bool) -> None:
    source = write_csv(tmp_path / "in.csv", encoding=encoding, delimiter=delimiter, bom=bom)
    read = list(read_comments(source))
    assert [r.error for r in read] == [None, None]
    assert [r.comment.text for r in read if r.comment] == [row[2] for row in ROWS]
    assert [r.comment.author.name for r in read if r.comment] == [row[5] for row in ROWS]


def test_cli_moderates_a_french_excel_csv(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "in.csv", encoding="utf-8", delimiter=";", bom=True)
    run = vigie("moderate", str(source), "-o", str(tmp_path / "out.jsonl"), "-q")
    assert run.returncode == 0, run.stderr
    decided = [json.loads(x)["comment_id"] for x in
               (tmp_path / "out.jsonl").read_text("utf-8").splitlines()]
    assert decided == ["fb:c-1", "fb:c-2"]


def test_encoding_can_be_named_and_a_wrong_guess_is_one_line_with_the_fix(
        tmp_path: Path) -> None:
    # latin-1 named: "\xc3\xa9" then reads as two characters, as the user asked.
    source = write_csv(tmp_path / "in.csv", encoding="utf-8")
    named = list(read_comments(source, encoding="latin-1"))
    assert named[0].comment is not None and "TrÃ¨s" in named[0].comment.text
    # UTF-8 for the first MiB, cp1252 after: the guess was wrong; the error says what to do.
    padding = "".join(f"fb:p-{i},facebook,{'x' * 200},2025-03-18T14:05:42Z,fb:u,A\r\n"
                      for i in range(6000))
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes((",".join(HEADER) + "\r\n" + padding).encode() +
                      "fb:c-9,facebook,Café,2025-03-18T14:05:42Z,fb:u,A\r\n".encode("cp1252"))
    run = vigie("moderate", str(mixed), "-o", str(tmp_path / "out.jsonl"), "-q")
    assert run.returncode == 4 and "Traceback" not in run.stderr
    assert "--encoding" in run.stderr and "utf-8" in run.stderr
    fixed = vigie("moderate", str(mixed), "-o", str(tmp_path / "out.jsonl"), "-q",
                  "--encoding", "cp1252")
    assert fixed.returncode == 0, fixed.stderr


def test_unknown_encoding_is_a_clear_error(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "in.csv", encoding="utf-8")
    run = vigie("moderate", str(source), "--encoding", "klingon", "-q")
    assert run.returncode == 4 and "unknown encoding 'klingon'" in run.stderr
    assert "Traceback" not in run.stderr


UNREACHABLE = """
version: 1
accounts:
  - name: page
    platform: facebook
    page_id: "1000"
    token: {env: VIGIE_TEST_FB_TOKEN}
    api_base: http://127.0.0.1:9/v21.0
"""


def test_run_once_fails_when_no_platform_answers(tmp_path: Path) -> None:
    config = tmp_path / "connectors.yaml"
    config.write_text(UNREACHABLE, encoding="utf-8")  # port 9 (discard): connection refused
    run = vigie("run", "--connectors", str(config), "--db", str(tmp_path / "v.sqlite"),
                "--once", "--json", env={"VIGIE_TEST_FB_TOKEN": "t"})
    assert run.returncode == 2, run.stderr
    assert "no account could be reached" in run.stderr and "Traceback" not in run.stderr
    assert json.loads(run.stdout.strip().splitlines()[-1])["failed"].keys() == {"page"}


def test_mentions_poll_without_sources_says_so(tmp_path: Path) -> None:
    run = vigie("mentions", "poll", "--db", str(tmp_path / "v.sqlite"))
    assert run.returncode == 1
    assert "no source configured" in run.stderr and "vigie mentions add" in run.stderr
