"""Inputs and outputs of a scale-out run: local paths or object-store URLs.

Inputs are JSONL, CSV (optionally gzipped) or Parquet files, local or at any URL that
``pyarrow.fs`` resolves (``s3://``, ``gs://``, ``abfs://``, ``hdfs://``, ``file://``: the same
layer Ray Data's readers use, with the same credentials from the environment). A directory
stands for the files in it with a known extension, in name order. JSONL and CSV records go
through :mod:`vigie.batch.reader`'s own record functions, so line numbers, rejects and parsing are
exactly those of ``vigie moderate``. Parquet rows are records: either the JSONL shape
(``author`` and ``post`` as structs) or the CSV columns (``author_id``, ``post_text``...).

Decisions are written as JSONL (one line per decision, byte for byte as
:mod:`vigie.batch.moderation` writes them) or Parquet (``index``, ``comment_id``, ``action``,
``escalate``, ``strike``, ``clauses`` and ``decision``, the same JSON line), chosen by the
output's extension.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any, cast

from vigie.batch.reader import ReadResult, _csv_record, _open, _read_csv, _read_jsonl, read_comments
from vigie.errors import InputError, RecordError
from vigie.records import parse_comment

__all__ = [
    "DecisionWriter",
    "Source",
    "is_url",
    "output_format",
    "read_sources",
    "read_sources_with_lines",
    "resolve_sources",
]

_FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv",
            ".parquet": "parquet", ".pq": "parquet"}
_PARQUET_ROWS = 4096  # rows read per Parquet batch: bounded memory whatever the file size


@dataclass(frozen=True, slots=True)
class Source:
    """One input file.

    Attributes:
        uri: an absolute local path, or a URL.
        fmt: ``jsonl``, ``csv`` or ``parquet``.
    """

    uri: str
    fmt: str

    @property
    def local(self) -> bool:
        """Whether the file is on the driver's file system (not at a URL)."""
        return not is_url(self.uri)


def is_url(uri: str) -> bool:
    """Whether ``uri`` names a file system by scheme (``s3://...``), not a local path (pure)."""
    scheme, sep, _ = uri.partition("://")
    return bool(sep) and scheme.isalnum() and len(scheme) > 1


def _format(name: str) -> str | None:
    suffixes = [s.lower() for s in Path(name).suffixes if s.lower() != ".gz"]
    return _FORMATS.get(suffixes[-1]) if suffixes else None


def _known_format(name: str) -> str:
    fmt = _format(name)
    if fmt is None:
        raise InputError(f"{name}: unknown input format; use .jsonl, .csv or .parquet "
                         "(optionally .gz for JSONL and CSV), or a folder of them")
    return fmt


def _pyarrow_fs() -> Any:
    try:
        from pyarrow import fs
    except ImportError:
        raise InputError("Parquet files and URLs need pyarrow: pip install 'vigie[ray]'") from None
    return fs


def _filesystem(uri: str) -> tuple[Any, str]:
    fs = _pyarrow_fs()
    try:
        filesystem, path = fs.FileSystem.from_uri(uri)
    except Exception as error:  # pyarrow raises several types here
        raise InputError(f"{uri}: cannot open: {error}") from None
    return filesystem, str(path)


def resolve_sources(names: Sequence[str]) -> list[Source]:
    """Turn the command line's inputs into files, in order (checks that each exists).

    Args:
        names: local paths or URLs; a folder stands for its known files in name order.

    Raises:
        InputError: an input is missing, empty of known files, or of an unknown format.
    """
    out: list[Source] = []
    for name in names:
        if name == "-":
            raise InputError("standard input cannot be spread over a cluster: name a file")
        if not is_url(name):
            path = Path(name).expanduser().resolve()
            if path.is_dir():
                files = sorted(p for p in path.iterdir() if p.is_file() and _format(p.name))
                if not files:
                    raise InputError(f"{name}: no .jsonl, .csv or .parquet file in this folder")
                out.extend(Source(str(p), _known_format(p.name)) for p in files)
            elif path.is_file():
                out.append(Source(str(path), _known_format(path.name)))
            else:
                raise InputError(f"{name}: cannot open: No such file or directory")
            continue
        fs = _pyarrow_fs()
        filesystem, path_in_fs = _filesystem(name)
        info = filesystem.get_file_info(path_in_fs)
        if info.type == fs.FileType.Directory:
            scheme = name.split("://", 1)[0]
            listed = filesystem.get_file_info(fs.FileSelector(path_in_fs, recursive=False))
            remote = sorted(str(i.path) for i in listed if i.is_file and _format(i.path))
            if not remote:
                raise InputError(f"{name}: no .jsonl, .csv or .parquet file in this folder")
            out.extend(Source(f"{scheme}://{p}", _known_format(p)) for p in remote)
        elif info.type == fs.FileType.File:
            out.append(Source(name, _known_format(name)))
        else:
            raise InputError(f"{name}: cannot open: not found")
    return out


def _text_stream(uri: str) -> IO[str]:
    filesystem, path = _filesystem(uri)
    # compression="detect": a .gz name is decompressed, as vigie.batch.reader does for local files.
    raw = filesystem.open_input_stream(path, compression="detect")
    return io.TextIOWrapper(raw, encoding="utf-8", newline="")


def _without_nulls(value: Any) -> Any:
    """Drop null fields, as a JSONL record would omit them; dates become ISO strings."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def _as_csv_cell(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return " ".join(str(v) for v in value)
    return str(value)


def _read_parquet(uri: str) -> Iterator[ReadResult]:
    import pyarrow.parquet as pq

    filesystem, path = _filesystem(uri)
    with filesystem.open_input_file(path) as handle:
        parquet = pq.ParquetFile(handle)
        flat = "author" not in parquet.schema_arrow.names
        number = 0
        for batch in parquet.iter_batches(batch_size=_PARQUET_ROWS):
            for row in batch.to_pylist():
                number += 1
                raw = json.dumps(row, ensure_ascii=False, default=str)
                try:
                    if flat:
                        record = _csv_record({k: _as_csv_cell(v) for k, v in row.items()
                                              if v is not None})
                    else:
                        record = _without_nulls(row)
                    yield ReadResult(number, parse_comment(record, line=number, raw=raw), None)
                except RecordError as error:
                    yield ReadResult(number, None, error)


def _read_one(source: Source) -> Iterator[ReadResult]:
    if source.fmt == "parquet":
        yield from _read_parquet(source.uri)
    elif source.local:
        yield from read_comments(source.uri, source.fmt)
    else:
        handle = _text_stream(source.uri)
        try:
            if source.fmt == "jsonl":
                yield from _read_jsonl(handle)
            else:
                yield from _read_csv(handle, source.uri)
        finally:
            handle.close()


def read_sources(sources: Sequence[Source]) -> Iterator[ReadResult]:
    """Stream the records of several files, one after the other, in order.

    A single local JSONL or CSV file is read by :func:`vigie.batch.reader.read_comments` itself.
    Line numbers restart at 1 in each file (rejects name their line in their own file).

    Raises:
        InputError: a file cannot be opened (bad records never raise: they come out as
            results with an error).
    """
    for source in sources:
        yield from _read_one(source)


class _LastLine:
    """A text stream's lines, remembering the last one handed out."""

    def __init__(self, handle: IO[str]) -> None:
        self._handle = handle
        self.last = ""

    def __iter__(self) -> _LastLine:
        return self

    def __next__(self) -> str:
        self.last = next(self._handle)
        return self.last


def read_sources_with_lines(sources: Sequence[Source]
                            ) -> Iterator[tuple[ReadResult, str | None]]:
    """:func:`read_sources`, with the JSON line each good JSONL record was parsed from.

    The line is ``None`` for bad records and for CSV and Parquet records. Parsing the line
    again (``parse_comment(json.loads(line))``) gives the same comment: the Ray engine sends
    the line to its workers rather than the parsed comment, which is costlier to pickle.

    Raises:
        InputError: as :func:`read_sources`.
    """
    for source in sources:
        if source.fmt != "jsonl":
            for result in _read_one(source):
                yield result, None
            continue
        handle = _open(Path(source.uri)) if source.local else _text_stream(source.uri)
        try:
            lines = _LastLine(handle)
            # The reader yields a record right after taking its line from the stream: the
            # last line handed out is that record's (the reader's own parsing, unchanged).
            for result in _read_jsonl(cast(IO[str], lines)):
                yield result, (lines.last.rstrip("\r\n") if result.comment is not None
                               else None)
        finally:
            handle.close()


def output_format(name: str) -> str:
    """``parquet`` for a ``.parquet``/``.pq`` output, else ``jsonl`` (pure)."""
    return "parquet" if _format(name) == "parquet" else "jsonl"


def _open_output(uri: str) -> IO[bytes]:
    if is_url(uri):
        filesystem, path = _filesystem(uri)
        stream: IO[bytes] = filesystem.open_output_stream(path)
        return stream
    return Path(uri).open("wb")


class DecisionWriter:
    """Writes decisions in input order to a JSONL or Parquet file, local or at a URL.

    Used as a context manager; :meth:`write` takes the rows a worker returned for one batch.
    """

    _ROW_GROUP = 65_536  # Parquet rows per row group

    def __init__(self, uri: str | None, text_out: IO[str] | None = None) -> None:
        """Open the output.

        Args:
            uri: file or URL (its extension picks the format); ``None``: JSONL to ``text_out``.
            text_out: where JSONL goes when ``uri`` is ``None`` (e.g. standard output).
        """
        self.fmt = output_format(uri) if uri else "jsonl"
        self._binary: IO[bytes] | None = _open_output(uri) if uri else None
        self._text: IO[str] | None = (
            io.TextIOWrapper(self._binary, encoding="utf-8", newline="")
            if self._binary is not None and self.fmt == "jsonl" else text_out)
        self._rows: list[tuple[int, str, str, bool, bool, list[str], str]] = []
        self._parquet: Any = None

    def __enter__(self) -> DecisionWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def write(self, first: int, rows: Sequence[tuple[str, str, str, bool, bool, list[str]]]
              ) -> None:
        """Write one batch of decisions.

        Args:
            first: input position of the batch's first decision among all decisions.
            rows: per decision ``(json_line, comment_id, action, escalate, strike, clauses)``.
        """
        if self.fmt == "jsonl":
            assert self._text is not None
            self._text.write("".join(row[0] + "\n" for row in rows))
            return
        for offset, (line, cid, action, escalate, strike, clauses) in enumerate(rows):
            self._rows.append((first + offset, cid, action, escalate, strike, clauses, line))
        if len(self._rows) >= self._ROW_GROUP:
            self._flush()

    def _flush(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not self._rows and self._parquet is not None:
            return
        columns = list(zip(*self._rows, strict=True)) if self._rows else [()] * 7
        table = pa.table({
            "index": pa.array(columns[0], pa.int64()),
            "comment_id": pa.array(columns[1], pa.string()),
            "action": pa.array(columns[2], pa.string()),
            "escalate": pa.array(columns[3], pa.bool_()),
            "strike": pa.array(columns[4], pa.bool_()),
            "clauses": pa.array(columns[5], pa.list_(pa.string())),
            "decision": pa.array(columns[6], pa.string()),
        })
        if self._parquet is None:
            self._parquet = pq.ParquetWriter(self._binary, table.schema)
        self._parquet.write_table(table)
        self._rows = []

    def close(self) -> None:
        """Flush and close (a Parquet output with no decision still gets its schema)."""
        if self.fmt == "parquet":
            self._flush()
            self._parquet.close()
        elif self._text is not None:
            self._text.flush()
        if self._binary is not None:
            if self._text is not None and self.fmt == "jsonl":
                self._text.close()  # closes the binary stream under it
            else:
                self._binary.close()
