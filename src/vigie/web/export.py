"""Exports of the dashboard's lists: CSV that a spreadsheet opens as UTF-8, and JSON.

CSV starts with a byte-order mark, so Excel reads ``é`` as ``é`` and not ``Ã©``; cells a
spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab, return) are defused with a
leading apostrophe (CSV injection). Both formats stream: a list of 100,000 rows is never held
in memory, and every row matches the list's filters, all pages together.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from fastapi.responses import StreamingResponse

__all__ = ["BOM", "csv_response", "json_response", "safe_cell"]

BOM = "\ufeff"
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """A CSV cell: text as it is, anything else as JSON, formula-like text defused (pure)."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False,
                                                             default=str)
    return "'" + text if text[:1] in _FORMULA else text


def _chunks(header: Sequence[str], rows: Iterable[Sequence[Any]],
            every: int = 500) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow(header)
    for i, row in enumerate(rows, start=1):
        writer.writerow([safe_cell(v) for v in row])
        if i % every == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_response(filename: str, header: Sequence[str],
                 rows: Callable[[], Iterable[Sequence[Any]]]) -> StreamingResponse:
    """Stream ``rows()`` as a CSV download named ``filename`` (UTF-8 with a BOM)."""
    return StreamingResponse(_chunks(header, rows()), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition":
                                      f'attachment; filename="{filename}"'})


def _json_chunks(key: str, rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    yield '{"' + key + '": ['
    for i, row in enumerate(rows):
        yield ("," if i else "") + json.dumps(row, ensure_ascii=False, default=str)
    yield "]}"


def json_response(filename: str, key: str,
                  rows: Callable[[], Iterable[dict[str, Any]]]) -> StreamingResponse:
    """Stream ``rows()`` as ``{"<key>": [...]}`` in a JSON download named ``filename``."""
    return StreamingResponse(_json_chunks(key, rows()),
                             media_type="application/json; charset=utf-8",
                             headers={"Content-Disposition":
                                      f'attachment; filename="{filename}"'})
