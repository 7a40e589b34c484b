"""Streaming readers for comment files: JSONL (the canonical format) and CSV.

Readers yield one :class:`ReadResult` per record, in file order, and never stop on a bad
record: a malformed line comes out as a :class:`~vigie.errors.RecordError` carrying its line
number and raw text, so the caller can write it to a rejects file. Memory stays constant
whatever the file size.

A line is bad when it is not valid UTF-8, not JSON, nested deeper than :data:`MAX_DEPTH`, holds
a string no database stores as text (a NUL character: PostgreSQL refuses it; a lone surrogate:
not encodable in UTF-8), or is not a valid comment. Each is decoded on its own, so one bad line
never hides the lines after it.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

from vigie.batch.text_input import guess_delimiter, text_stream
from vigie.errors import InputError, RecordError
from vigie.records import Comment, parse_comment

__all__ = ["CSV_COLUMNS", "MAX_DEPTH", "ReadResult", "detect_format", "read_comments",
           "unstorable"]

#: Deepest nesting of arrays and objects accepted in a JSON record (a comment needs 3).
MAX_DEPTH = 32

#: CSV columns understood (``id``, ``platform``, ``text``, ``created_at``, ``author_id`` are
#: required); ``post_links`` and ``labels`` are separated by spaces or ``;``.
CSV_COLUMNS = (
    "id", "platform", "text", "created_at", "author_id", "author_name", "author_handle",
    "author_created_at", "author_verified", "author_default_avatar", "author_followers",
    "author_posts_last_24h", "author_via", "post_id", "post_text", "post_links", "parent_id",
    "url", "labels",
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


def _open_binary(path: Path) -> IO[bytes]:
    if str(path) == "-":
        import sys

        return sys.stdin.buffer
    try:
        if path.suffix == ".gz":
            import gzip

            return cast(IO[bytes], gzip.open(path, "rb"))
        return path.open("rb")
    except OSError as error:
        raise InputError(f"{path}: cannot open: {error.strerror or error}") from None


def _open(path: Path) -> IO[str]:
    if str(path) == "-":
        import sys

        return sys.stdin
    return io.TextIOWrapper(_open_binary(path), encoding="utf-8-sig", newline="")


def unstorable(data: Any, depth: int = 0) -> str | None:
    """Why ``data`` (parsed JSON) cannot be stored, or ``None`` (pure).

    Reasons: nested deeper than :data:`MAX_DEPTH`; a string (key or value) with a NUL
    character or a lone surrogate.
    """
    if depth > MAX_DEPTH:
        return f"nested deeper than {MAX_DEPTH} levels"
    if isinstance(data, str):
        if "\x00" in data:
            return "holds a NUL character (U+0000), which databases do not store as text"
        try:
            data.encode("utf-8")
        except UnicodeEncodeError as error:
            return (f"holds a lone surrogate (U+{ord(data[error.start]):04X}), which is not "
                    "valid Unicode text")
        return None
    if isinstance(data, dict):
        items: Any = (x for pair in data.items() for x in pair)
    elif isinstance(data, list):
        items = data
    else:
        return None
    for item in items:
        if (why := unstorable(item, depth + 1)) is not None:
            return why
    return None


def _suspect(line: str) -> bool:
    r"""Whether a line may hold what :func:`unstorable` refuses (cheap: most lines do not).

    A strict UTF-8 decode lets no NUL into a JSON string and no surrogate at all; both can only
    come from ``\u`` escapes. Deep nesting needs many brackets.
    """
    return "\\u" in line or line.count("{") + line.count("[") > MAX_DEPTH


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
        "url": get("url"),
    }
    if get("post_id") is not None:
        links = (get("post_links") or "").replace(";", " ").split()
        record["post"] = {"id": get("post_id"), "text": get("post_text") or "", "links": links}
    if get("labels") is not None:
        record["labels"] = (get("labels") or "").replace(";", " ").split()
    return record


def _reject(number: int, why: str, raw: str) -> ReadResult:
    return ReadResult(number, None, RecordError(why, line=number, raw=raw))


def _read_jsonl(handle: IO[bytes] | IO[str]) -> Iterator[ReadResult]:
    """Records of a JSONL stream; bytes are decoded line by line (a text stream is trusted)."""
    lines: Iterable[bytes | str] = handle
    for number, raw in enumerate(lines, start=1):
        if isinstance(raw, bytes):
            raw = raw.rstrip(b"\r\n")
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                yield _reject(number, f"not valid UTF-8 (byte {error.start + 1}: "
                              f"0x{raw[error.start]:02x}); save the file as UTF-8",
                              raw.decode("utf-8", "backslashreplace"))
                continue
        else:
            line = raw.rstrip("\r\n")
        if number == 1:
            line = line.removeprefix("\ufeff")  # a byte-order mark some editors write
        if not line.strip():
            continue  # blank lines are not records
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            yield _reject(number, f"not valid JSON: {error.msg} at column {error.colno}", line)
            continue
        except RecursionError:
            yield _reject(number, f"nested deeper than {MAX_DEPTH} levels", line)
            continue
        if _suspect(line) and (why := unstorable(data)) is not None:
            # The raw line goes to the rejects file escaped, so the file stays valid UTF-8.
            yield _reject(number, why, line)
            continue
        try:
            yield ReadResult(number, parse_comment(data, line=number, raw=line), None)
        except RecordError as error:
            yield ReadResult(number, None, error)


def _read_csv(handle: IO[str], source: str, codec: str = "utf-8") -> Iterator[ReadResult]:
    header = handle.readline()
    reader = csv.DictReader(itertools.chain([header], handle),
                            delimiter=guess_delimiter(header))
    required = {"id", "platform", "text", "created_at", "author_id"}
    missing = required - set(reader.fieldnames or ())
    if missing:
        raise InputError(
            f"{source}: CSV header lacks {', '.join(sorted(missing))}; "
            f"known columns: {', '.join(CSV_COLUMNS)}"
        )
    rows = iter(reader)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as error:  # a NUL byte, or a field larger than the csv limit
            yield _reject(reader.line_num, f"not valid CSV: {error}", "")
            continue
        except UnicodeDecodeError:  # the guess read the start of the file only
            raise InputError(
                f"{source}: not valid {codec} after line {reader.line_num}; name the file's "
                "encoding with --encoding (e.g. --encoding cp1252)") from None
        number = reader.line_num
        raw = json.dumps(row, ensure_ascii=False)
        try:
            yield ReadResult(number, parse_comment(_csv_record(row), line=number, raw=raw), None)
        except RecordError as error:
            yield ReadResult(number, None, error)


def read_comments(path: str | Path, fmt: str | None = None, *,
                  encoding: str | None = None) -> Iterator[ReadResult]:
    """Stream the records of a JSONL or CSV file (``-`` reads JSONL from standard input).

    JSONL is UTF-8 (a bad line is rejected on its own). A CSV file's encoding is guessed
    (UTF-8 with or without BOM, cp1252, latin-1) unless ``encoding`` names it, and its delimiter
    (comma, semicolon, tab) is read off its header (:mod:`vigie.batch.text_input`).

    Raises:
        InputError: the file cannot be opened, its format or ``encoding`` is unknown, or a CSV
            file stops being valid in its encoding (raised on iteration); bad *records* never
            raise, they come out as results with an error.
    """
    import sys

    file = Path(path)
    fmt = fmt or ("jsonl" if str(path) == "-" else detect_format(file))
    handle: IO[Any] = _open_binary(file)
    try:
        if fmt == "jsonl":
            yield from _read_jsonl(handle)
        else:
            handle, codec = text_stream(handle, encoding)
            yield from _read_csv(handle, str(path), codec)
    finally:
        if handle not in (sys.stdin, sys.stdin.buffer):
            handle.close()
