"""Streaming readers for comment files: JSONL (the canonical format) and CSV.

Readers yield one :class:`ReadResult` per record, in file order, and never stop on a bad
record: a malformed line comes out as a :class:`~vigie.errors.RecordError` carrying its line
number and raw text, so the caller can write it to a rejects file. Memory stays constant
whatever the file size.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from vigie.errors import InputError, RecordError
from vigie.records import Comment, parse_comment

__all__ = ["CSV_COLUMNS", "ReadResult", "detect_format", "read_comments"]

#: CSV columns understood (``id``, ``platform``, ``text``, ``created_at``, ``author_id`` are
#: required); ``post_links`` and ``labels`` are separated by spaces or ``;``.
CSV_COLUMNS = (
    "id", "platform", "text", "created_at", "author_id", "author_name", "author_handle",
    "author_created_at", "author_verified", "author_default_avatar", "author_followers",
    "author_posts_last_24h", "author_via", "post_id", "post_text", "post_links", "parent_id",
    "labels",
)


@dataclass(frozen=True, slots=True)
class ReadResult:
    """One record of an input file: a comment, or the error that kept it from being one."""

    line: int
    comment: Comment | None
    error: RecordError | None


def detect_format(path: Path) -> str:
    """Return ``"jsonl"`` or ``"csv"`` from the file name.

    Raises:
        InputError: unknown extension (the message lists the known ones).
    """
    suffixes = [s.lower() for s in path.suffixes if s.lower() != ".gz"]
    suffix = suffixes[-1] if suffixes else ""
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    raise InputError(f"{path}: unknown input format {suffix or '(none)'!r}; use .jsonl or .csv")


def _open(path: Path) -> IO[str]:
    if str(path) == "-":
        import sys

        return sys.stdin
    try:
        if path.suffix == ".gz":
            import gzip

            return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline="")
        return path.open(encoding="utf-8", newline="")
    except OSError as error:
        raise InputError(f"{path}: cannot open: {error.strerror or error}") from None


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "oui", "vrai"}


def _csv_record(row: dict[str, str]) -> dict[str, Any]:
    def get(key: str) -> str | None:
        value = row.get(key)
        return value if value not in (None, "") else None

    author: dict[str, Any] = {"id": get("author_id"), "name": get("author_name") or ""}
    for key in ("handle", "created_at", "followers", "posts_last_24h", "via"):
        if get(f"author_{key}") is not None:
            author[key] = get(f"author_{key}")
    for key in ("verified", "default_avatar"):
        if get(f"author_{key}") is not None:
            author[key] = _bool(row[f"author_{key}"])
    record: dict[str, Any] = {
        "id": get("id"), "platform": get("platform"), "text": row.get("text") or "",
        "created_at": get("created_at"), "author": author, "parent_id": get("parent_id"),
    }
    if get("post_id") is not None:
        links = (get("post_links") or "").replace(";", " ").split()
        record["post"] = {"id": get("post_id"), "text": get("post_text") or "", "links": links}
    if get("labels") is not None:
        record["labels"] = (get("labels") or "").replace(";", " ").split()
    return record


def _read_jsonl(handle: IO[str]) -> Iterator[ReadResult]:
    for number, raw in enumerate(handle, start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue  # blank lines are not records
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            yield ReadResult(number, None, RecordError(
                f"not valid JSON: {error.msg} at column {error.colno}", line=number, raw=line))
            continue
        try:
            yield ReadResult(number, parse_comment(data, line=number, raw=line), None)
        except RecordError as error:
            yield ReadResult(number, None, error)


def _read_csv(handle: IO[str], source: str) -> Iterator[ReadResult]:
    reader = csv.DictReader(handle)
    required = {"id", "platform", "text", "created_at", "author_id"}
    missing = required - set(reader.fieldnames or ())
    if missing:
        raise InputError(
            f"{source}: CSV header lacks {', '.join(sorted(missing))}; "
            f"known columns: {', '.join(CSV_COLUMNS)}"
        )
    for row in reader:
        number = reader.line_num
        raw = json.dumps(row, ensure_ascii=False)
        try:
            yield ReadResult(number, parse_comment(_csv_record(row), line=number, raw=raw), None)
        except RecordError as error:
            yield ReadResult(number, None, error)


def read_comments(path: str | Path, fmt: str | None = None) -> Iterator[ReadResult]:
    """Stream the records of a JSONL or CSV file (``-`` reads JSONL from standard input).

    Raises:
        InputError: the file cannot be opened or its format is unknown (raised on the first
            iteration); bad *records* never raise, they come out as results with an error.
    """
    file = Path(path)
    fmt = fmt or ("jsonl" if str(path) == "-" else detect_format(file))
    handle = _open(file)
    try:
        if fmt == "jsonl":
            yield from _read_jsonl(handle)
        else:
            yield from _read_csv(handle, str(path))
    finally:
        if handle is not __import__("sys").stdin:
            handle.close()
