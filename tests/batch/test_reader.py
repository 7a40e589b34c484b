"""Reading comment files: every good record comes out, every bad one is reported, none lost."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vigie.batch.reader import read_comments
from vigie.errors import InputError

GOOD = {
    "id": "fb:c-1", "platform": "facebook", "text": "Bravo!", "created_at": "2025-03-18T14:05:42Z",
    "author": {"id": "fb:u-1", "name": "A", "verified": False, "default_avatar": False},
    "post": {"id": "fb:p-1", "text": "Post", "links": ["https://www.polymtl.ca/x"]},
    "parent_id": None, "labels": [], "note": "n",
}


def _with(**changes: object) -> str:
    record = {**GOOD, **changes}
    return json.dumps({k: v for k, v in record.items() if v is not ...})


# (case, line, fragment of the error or None when the line is valid)
LINES = [
    ("valid", json.dumps(GOOD), None),
    ("unknown extra field is ignored", _with(extra_field=1), None),
    ("not JSON", '{"id": "fb:c-2", ', "not valid JSON"),
    ("not an object", "[1, 2]", "expected a JSON object"),
    ("missing text", _with(text=...), "text: Field required"),
    ("unknown platform", _with(platform="myspace"), "platform: Input should be"),
    ("naive timestamp", _with(created_at="2025-03-18T14:05:42"), "time zone"),
    ("bad timestamp", _with(created_at="yesterday"), "created_at"),
    ("author without id", _with(author={"name": "x"}), "author.id: Field required"),
    ("negative followers", _with(author={"id": "u", "followers": -3}), "author.followers"),
    ("the comment's address", _with(url="https://www.facebook.com/1/posts/2?comment_id=3"),
     None),
    ("an address that is not the web", _with(url="javascript:alert(1)"),
     "url: Value error, must be an http or https address"),
    ("an address without a host", _with(url="https:///x"), "url: Value error"),
    ("an address with spaces", _with(url="https://facebook.com/a b"), "url: Value error"),
    ("an address with a user before the host", _with(url="https://facebook.com@evil.example/"),
     "url: Value error"),
    ("an address that is not text", _with(url=42), "url: Input should be a valid string"),
]


@pytest.mark.parametrize(("case", "line", "fragment"), LINES, ids=[c[0] for c in LINES])
def test_jsonl_record(tmp_path: Path, case: str, line: str, fragment: str | None) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    [result] = list(read_comments(path))
    assert result.line == 1
    if fragment is None:
        assert result.comment is not None and result.error is None
    else:
        assert result.comment is None and result.error is not None
        assert fragment in str(result.error)
        assert result.error.raw == line  # kept whole for the rejects file
        assert result.error.line == 1


def test_bad_lines_do_not_stop_the_stream(tmp_path: Path) -> None:
    lines = [json.dumps({**GOOD, "id": f"fb:c-{i}"}) for i in range(5)]
    lines.insert(2, "garbage")
    lines.insert(4, "")  # blank lines are skipped, not errors
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    results = list(read_comments(path))
    assert [r.comment.id for r in results if r.comment] == [f"fb:c-{i}" for i in range(5)]
    assert [r.line for r in results if r.error] == [3]


def test_labels_are_read(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(_with(labels=["hate", "abuse"]) + "\n", encoding="utf-8")
    [result] = list(read_comments(path))
    assert result.comment is not None and result.comment.labels == ("hate", "abuse")


def test_csv_common_columns(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text(
        "id,platform,text,created_at,author_id,author_default_avatar,author_posts_last_24h,"
        "post_id,post_text,post_links,labels\n"
        'yt:c-1,youtube,"Salut, ça va?",2025-01-01T00:00:00Z,yt:u-1,true,3,yt:p-1,Vidéo,'
        "https://a.ca https://b.ca,spam;off_topic\n"
        "yt:c-2,youtube,Bad row,not-a-date,yt:u-2,,,,,,\n",
        encoding="utf-8")
    first, second = list(read_comments(path))
    assert first.comment is not None
    assert first.comment.text == "Salut, ça va?"
    assert first.comment.author.default_avatar is True
    assert first.comment.author.posts_last_24h == 3
    assert first.comment.post is not None
    assert first.comment.post.links == ("https://a.ca", "https://b.ca")
    assert first.comment.labels == ("spam", "off_topic")
    assert second.error is not None and second.line == 3 and "created_at" in str(second.error)


def test_csv_url_column(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text(
        "id,platform,text,created_at,author_id,url\n"
        "th:1,threads,Salut,2025-01-01T00:00:00Z,th:@a,https://www.threads.net/@a/post/C1\n"
        "th:2,threads,Sans lien,2025-01-01T00:00:00Z,th:@b,\n"
        "th:3,threads,Mauvais lien,2025-01-01T00:00:00Z,th:@c,ftp://threads.net/x\n",
        encoding="utf-8")
    first, second, third = list(read_comments(path))
    assert first.comment is not None and first.comment.url == "https://www.threads.net/@a/post/C1"
    assert second.comment is not None and second.comment.url is None
    assert third.comment is None and third.error is not None and third.line == 4
    assert "url: Value error, must be an http or https address" in str(third.error)


def test_csv_without_required_columns(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("id,text\n1,hello\n", encoding="utf-8")
    with pytest.raises(InputError, match="author_id, created_at, platform"):
        list(read_comments(path))


def test_unknown_format_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown input format"):
        list(read_comments(tmp_path / "in.xml"))
    with pytest.raises(InputError, match="cannot open"):
        list(read_comments(tmp_path / "absent.jsonl"))


@settings(max_examples=60, deadline=None)
@given(body=st.binary(max_size=400), delimiter=st.sampled_from([b",", b";", b"\t"]))
def test_fuzzed_csv_files_are_read_or_refused_in_one_line(tmp_path_factory: Any, body: bytes,
                                                          delimiter: bytes) -> None:
    header = delimiter.join([b"id", b"platform", b"text", b"created_at", b"author_id"])
    path = tmp_path_factory.mktemp("fuzz") / "in.csv"
    path.write_bytes(header + b"\r\n" + body)
    try:
        results = list(read_comments(path))
    except InputError as error:          # an encoding the guess got wrong: says --encoding
        assert "--encoding" in str(error)
        return
    assert all((r.comment is None) != (r.error is None) for r in results)
