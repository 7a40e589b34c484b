"""How a text file was saved: its encoding and, for CSV, its delimiter.

Encodings: UTF-8 with or without BOM, cp1252, latin-1; delimiters: comma, or semicolon as French
Excel writes it, or tab.

Spreadsheets save CSV files in whatever the machine's locale says: Excel on Windows writes
UTF-8 with a byte-order mark ("CSV UTF-8") or cp1252 ("CSV"), and in a French locale separates
fields with semicolons. Vigie reads all of them without being told; ``--encoding`` names the
encoding when the guess is wrong (the guess only reads the first MiB).
"""

from __future__ import annotations

import codecs
import io
from typing import IO

from vigie.errors import InputError

__all__ = ["SAMPLE_BYTES", "guess_delimiter", "guess_encoding", "text_stream"]

#: How much of a file the encoding guess reads.
SAMPLE_BYTES = 1 << 20
_DELIMITERS = (",", ";", "\t")


def guess_encoding(sample: bytes) -> str:
    """The Python codec to read a file that starts with ``sample`` (pure).

    ``utf-8-sig`` (strips a byte-order mark if there is one) when the sample is valid UTF-8
    (a character cut at its end is allowed), else ``cp1252`` (Windows, a superset of latin-1's
    printable characters) when it decodes, else ``latin-1`` (decodes any byte).
    """
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8-sig"
    except UnicodeDecodeError:
        pass
    try:
        sample.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def _codec(name: str) -> str:
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise InputError(f"unknown encoding {name!r}; e.g. utf-8, cp1252, latin-1") from None
    # UTF-8 named by the user still skips a BOM: Excel's "CSV UTF-8" always writes one.
    return "utf-8-sig" if info.name == "utf-8" else info.name


def text_stream(binary: IO[bytes], encoding: str | None = None) -> tuple[IO[str], str]:
    """A text stream over ``binary`` (seekable), in ``encoding`` or the guessed one.

    Returns:
        The stream (newlines untranslated, for the csv module) and the codec used.

    Raises:
        InputError: ``encoding`` is not a known codec.
    """
    if encoding is not None:
        codec = _codec(encoding)
    else:
        codec = guess_encoding(binary.read(SAMPLE_BYTES))
        binary.seek(0)
    return io.TextIOWrapper(binary, encoding=codec, newline=""), codec


def guess_delimiter(header: str) -> str:
    """The delimiter of a CSV header line: the most frequent of comma, semicolon, tab (pure).

    Commas win ties (RFC 4180's default).
    """
    counts = {d: header.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","
