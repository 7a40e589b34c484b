"""A small character language model of French and English, for "inintelligible" (6.4 j).

Keyboard mashing ("asdkjh qwe", "jfjfjfjf"), random strings and letter soup are unlike any
French or English text at the level of letter sequences. This order-4 character model (three
letters of history) gives the average surprise of a text in bits per character: about 2 to 3
for ordinary French or English, Québec slang included, and well above 4 for mashing.

The alphabet is folded text (lower case, accents removed, :func:`vigie.text.normalize.normalize`)
reduced to 32 symbols: space, ``a``-``z``, one symbol for digits, the apostrophe, and a
boundary. Links, @mentions, #hashtags and e-mail addresses are removed before scoring, and
letters repeated for emphasis ("yesssss") are cut to two. The model is a dense table of
``32**4`` quantised log-probabilities (Witten-Bell interpolation of orders 1 to 4), built by
``scripts/train_charlm.py`` and shipped in ``vigie/data/models/charlm.bin.gz``; see
``docs/models/charlm.md``.

Pure after loading; scoring a batch is a few numpy operations.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "ALPHABET",
    "ORDER",
    "CharLM",
    "clean",
    "encode",
    "load_charlm",
    "read_artifact",
    "write_artifact",
]

ORDER = 4
SIZE = 32
#: Symbol 0 is the word boundary (space); 27 digits; 28 apostrophe; 29 text boundary.
ALPHABET = " abcdefghijklmnopqrstuvwxyz0'^"
BOUNDARY = 29
QUANT = 16.0  # stored value = round(-log2 p * QUANT), so 1/16 bit resolution, 15.9 bits max
ARTIFACT = "data/models/charlm.bin.gz"

_NOISE = re.compile(
    r"(?:https?://|www\.)\S+|\S+@\S+\.\S+|[@#][\w.]+|\b[\w-]+\.(?:com|ca|org|net|io|xyz|fr)\S*"
)
_REPEAT = re.compile(r"([a-z])\1{2,}")
_SEPARATORS = re.compile(r"[^a-z0-9']+")
_TABLE = {c: i for i, c in enumerate(ALPHABET)}


def clean(folded: str) -> str:
    """Reduce folded text to the model's alphabet (pure).

    Links, addresses, mentions and hashtags are dropped (they are not prose), letters repeated
    three times or more are cut to two, digits become ``0`` and anything else a space.
    """
    text = _NOISE.sub(" ", folded)
    text = _REPEAT.sub(r"\1\1", text)
    text = re.sub(r"[0-9]", "0", text)
    return _SEPARATORS.sub(" ", text).strip()


def encode(cleaned: str) -> npt.NDArray[np.int64]:
    """Symbol ids of a cleaned text, with boundary padding on both sides (pure)."""
    ids = [BOUNDARY] * (ORDER - 1)
    ids.extend(_TABLE.get(c, 0) for c in cleaned)
    ids.append(BOUNDARY)
    return np.asarray(ids, dtype=np.int64)


def ngram_index(ids: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Flat table index of each order-4 n-gram of an encoded text (pure)."""
    n = len(ids) - ORDER + 1
    index = np.zeros(max(n, 0), dtype=np.int64)
    for k in range(ORDER):
        index = index * SIZE + ids[k : k + n]
    return index


@dataclass(frozen=True, slots=True)
class CharLM:
    """The loaded model.

    Attributes:
        table: ``SIZE**ORDER`` uint8 values, ``round(-log2 P(c | h) * QUANT)``, indexed by
            ``((h1 * 32 + h2) * 32 + h3) * 32 + c``.
        meta: what the artifact says about itself (data, date, metrics).
    """

    table: npt.NDArray[np.uint8]
    meta: dict[str, Any]

    def bits_per_char(self, cleaned: str) -> float:
        """Average surprise in bits per character of a cleaned text (pure).

        Raises:
            ValueError: ``cleaned`` is empty.
        """
        if not cleaned:
            raise ValueError("cannot score an empty text")
        index = ngram_index(encode(cleaned))
        return float(self.table[index].mean()) / QUANT

    def word_bits(self, cleaned: str) -> list[tuple[str, float]]:
        """Bits per character of each word scored alone, for explanations (pure)."""
        return [(w, self.bits_per_char(w)) for w in cleaned.split() if w]

    def batch_bits(self, texts: Sequence[str]) -> list[float]:
        """:meth:`bits_per_char` of each cleaned text; ``nan`` for an empty one (pure)."""
        out = []
        for text in texts:
            out.append(self.bits_per_char(text) if text else float("nan"))
        return out


def write_artifact(table: npt.NDArray[np.uint8], meta: dict[str, Any]) -> bytes:
    """Serialise a model: one JSON header line, then the raw table, gzip with no timestamp.

    The bytes depend only on the table and the metadata, so a rebuild can be compared
    byte for byte.
    """
    header = json.dumps(meta, sort_keys=True, ensure_ascii=False).encode("utf-8")
    payload = header + b"\n" + np.ascontiguousarray(table, dtype=np.uint8).tobytes()
    return gzip.compress(payload, compresslevel=9, mtime=0)


def read_artifact(data: bytes) -> CharLM:
    """Deserialise :func:`write_artifact` bytes.

    Raises:
        ValueError: the artifact is truncated or of another shape.
    """
    raw = gzip.decompress(data)
    header, _, body = raw.partition(b"\n")
    meta = json.loads(header.decode("utf-8"))
    table = np.frombuffer(body, dtype=np.uint8)
    if table.size != SIZE**ORDER or meta.get("order") != ORDER:
        raise ValueError(f"charlm artifact has {table.size} values for order {meta.get('order')}")
    return CharLM(table=table, meta=meta)


@cache
def load_charlm() -> CharLM:
    """Load the shipped model (once per process).

    Raises:
        FileNotFoundError: the package was installed without its data file.
    """
    path = resources.files("vigie").joinpath(ARTIFACT)
    return read_artifact(path.read_bytes())
