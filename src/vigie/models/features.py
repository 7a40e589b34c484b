"""Hashed text features shared by training and inference.

The same function, :func:`featurize`, turns texts into sparse features when the models are
trained (``vigie train``) and when they score comments, so the two can never drift apart; the
model file records :data:`FEATURE_VERSION` and the hash width, and loading refuses a mismatch.

What is hashed, on the folded text (lower case, accents stripped, see :mod:`vigie.text.normalize`):

* a link is replaced by the words of its host name (no scheme, path or query);
* a word spelled letter by letter is joined ("p.o.r.n", "s e x e");
* the text is split into tokens (runs of word characters, and every other non-space character
  on its own, so an emoji or a ``$`` is a token) and re-joined with single spaces; letters,
  digits and symbols inside a word that mixes them are de-leeted (``m3rde`` → ``merde``);
* character n-grams of length 1 to 5 inside each space-padded token (word-boundary aware, like
  scikit-learn's ``char_wb``): robust to misspellings and inflections in French and English;
* word unigrams and bigrams.

Hashing is a polynomial hash over Unicode code points in wrapping 64-bit arithmetic, fully
vectorised in numpy for a whole batch: no Python loop per n-gram, no dependence on Python's
salted ``hash()``. Each family (char n-gram of length n, word, word pair) has its own salt.
Values are term frequencies, and the character and word parts are each scaled by the inverse
square root of their n-gram count (unit L2 norm when the n-grams are distinct): two blocks of
one vector, as two concatenated TF vectors would be.

Pure functions; no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = [
    "FEATURE_VERSION",
    "SparseBatch",
    "canonical_text",
    "featurize",
    "hash_tokens",
]

#: Bump when anything below changes the buckets a text maps to; models record it.
FEATURE_VERSION = "hash-cwb1-5-w1-2-url-v3"

_P = np.uint64(0x100000001B3)  # FNV-64 prime: odd, so invertible modulo 2**64
_MIX = np.uint64(0x9E3779B97F4A7C15)  # golden-ratio multiplier for the final mixing step
_SHIFT33 = np.uint64(33)
_SALT_CHAR = 0x51ED27
_SALT_WORD = 0x7A3F11
_SALT_PAIR = 0x2B9C5D
_SEP = 0  # code point between texts of a batch: no n-gram may contain it
_SPACE = 32
_MAX_CHAR_N = 5

_TOKEN = re.compile(r"\w+|[^\w\s]", re.UNICODE)
# A link is reduced to the words of its host ("https://www.hot-dates.xyz/a?b" -> "hot dates"):
# the path is noise, and whether a link is related to the post is the link detector's call.
_URL = re.compile(
    r"(?:https?://|hxxps?://|www\.)[^\s]+"
    r"|\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:com|net|org|ca|ly|xyz|io|co|me|gl|info|biz|fr"
    r"|qc|tv|gg|link|site|online|club|app|live|top|shop)\b(?:/[^\s]*)?"
)
# A word spelled letter by letter to slip past filters ("p.o.r.n", "s e x e", "n-u-d-e-s"):
# three or more single letters with the same separator between them are joined.
_SPELLED = re.compile(r"(?<![\w.])([a-z])([.\-_* ])(?:[a-z]\2){1,}[a-z](?![\w])")
_URL_NOISE = frozenset({"http", "https", "hxxp", "hxxps", "www", "com", "net", "org", "ca"})
# Digits or symbols used as letters between two letters ("m3rde", "c@lisse", "h0rny"); a digit
# next to a letter on one side only is left alone ("1er", "covid19", "b2b").
_LEET_RUN = re.compile(r"(?<=[a-z])[0134579@$]{1,2}(?=[a-z])")
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "9": "g",
                       "@": "a", "$": "s"})


@dataclass(frozen=True, slots=True)
class SparseBatch:
    """Sparse features of a batch, in coordinate form.

    Entries are not combined: the same ``(row, col)`` may appear several times, and the
    feature's value is the sum of those entries (as ``scipy.sparse`` builds a CSR matrix).

    Attributes:
        rows: index of the text each entry belongs to, ``int64``.
        cols: bucket of each entry, ``int64`` in ``[0, 2**bits)``.
        values: value of each entry, ``float32`` (> 0).
        n_rows: number of texts in the batch.
        bits: hash width; there are ``2**bits`` buckets.
    """

    rows: npt.NDArray[np.int64]
    cols: npt.NDArray[np.int64]
    values: npt.NDArray[np.float32]
    n_rows: int
    bits: int


def _host_words(match: re.Match[str]) -> str:
    url = match.group(0)
    host = url.split("://", 1)[-1].split("/", 1)[0].split("?", 1)[0]
    words = [w for w in re.split(r"[.\-\[\]]+", host) if w and w not in _URL_NOISE]
    return " " + " ".join(words) + " "


def _join_letters(match: re.Match[str]) -> str:
    return match.group(0).replace(match.group(2), "")


def _deleet(match: re.Match[str]) -> str:
    return match.group(0).translate(_LEET)


def canonical_text(folded: str) -> str:
    """Return the token string that is hashed: tokens joined by single spaces (pure).

    Args:
        folded: text already folded by :func:`vigie.text.normalize.normalize` (lower case, no
            accents); an unfolded text works too but maps to other buckets.
    """
    text = _URL.sub(_host_words, folded)
    text = _LEET_RUN.sub(_deleet, text)
    text = _SPELLED.sub(_join_letters, text)
    return " ".join(_TOKEN.findall(text))


def _codes(texts: Sequence[str]) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
    r"""Code points of `` t1 \\0 t2 ... `` (each text space-padded) and each text's start."""
    padded = [f" {t} " for t in texts]
    joined = "\x00".join(padded)
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    lengths = np.fromiter((len(p) + 1 for p in padded), dtype=np.int64, count=len(padded))
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)
    return codes, starts


def _mix(h: npt.NDArray[np.uint64], salt: int) -> npt.NDArray[np.uint64]:
    h = (h + np.uint64(salt)) * _MIX
    return h ^ (h >> _SHIFT33)


def _bucket(h: npt.NDArray[np.uint64], bits: int) -> npt.NDArray[np.int64]:
    return (h >> np.uint64(64 - bits)).astype(np.int64)


def hash_tokens(tokens: Sequence[str], bits: int) -> list[int]:
    """Buckets of single words, as :func:`featurize` hashes them (pure; for tests and audits).

    Args:
        tokens: words without spaces.
        bits: hash width in bits, 8 to 30.
    """
    out = []
    for token in tokens:
        codes = np.frombuffer(token.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        h = np.zeros(1, dtype=np.uint64)
        for c in codes:
            h = h * _P + c
        out.append(int(_bucket(_mix(h, _SALT_WORD), bits)[0]))
    return out


def featurize(folded_texts: Sequence[str], bits: int) -> SparseBatch:
    """Hash a batch of folded texts into sparse binary features (pure, deterministic).

    Args:
        folded_texts: texts folded by :func:`vigie.text.normalize.normalize`.
        bits: hash width in bits, 8 to 30 (``2**bits`` buckets).

    Returns:
        The batch's features; a text with no token has no entry.

    Raises:
        ValueError: ``bits`` is out of range.
    """
    if not 8 <= bits <= 30:
        raise ValueError(f"bits must be in [8, 30], got {bits}")
    n = len(folded_texts)
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return SparseBatch(empty, empty.copy(), np.zeros(0, dtype=np.float32), 0, bits)
    canon = [canonical_text(t) for t in folded_texts]
    codes, starts = _codes(canon)
    total = len(codes)
    row_of = np.repeat(np.arange(n, dtype=np.int64), np.diff(np.append(starts, total)))
    is_space = codes == _SPACE
    is_sep = codes == _SEP
    # Interior spaces and separators, counted by prefix sums, tell which n-grams are valid.
    space_before = np.concatenate(([0], np.cumsum(is_space)))
    sep_before = np.concatenate(([0], np.cumsum(is_sep)))

    hashes: list[npt.NDArray[np.uint64]] = []
    rows: list[npt.NDArray[np.int64]] = []
    families: list[npt.NDArray[np.int64]] = []  # 1: character part, 0: word part
    h = np.zeros(total, dtype=np.uint64)
    for size in range(1, _MAX_CHAR_N + 1):
        m = total - size + 1
        if m <= 0:
            break
        h = h[:m] * _P + codes[size - 1 : size - 1 + m]
        idx = np.arange(m)
        ok = (sep_before[idx + size] - sep_before[idx]) == 0
        if size == 1:
            ok &= ~is_space[:m]
        elif size == 2:
            ok &= ~(is_space[:m] & is_space[1 : m + 1])  # the empty text's "  "
        else:
            ok &= (space_before[idx + size - 1] - space_before[idx + 1]) == 0
        hashes.append(_mix(h[ok], _SALT_CHAR + size))
        rows.append(row_of[:m][ok])
        families.append(np.ones(len(hashes[-1]), dtype=np.int64))

    # Words: runs between spaces. Prefix hash H[k] = sum_{j<k} c_j P^(k-1-j) is computed as
    # P^(k-1) * cumsum(c_j * Pinv^j), all in wrapping uint64 arithmetic.
    token_start = np.flatnonzero(~is_space[1:] & ~is_sep[1:] & (is_space[:-1] | is_sep[:-1])) + 1
    token_end = np.flatnonzero(~is_space[:-1] & ~is_sep[:-1] & (is_space[1:] | is_sep[1:])) + 1
    if len(token_start):
        word_h = _substring_hashes(codes, token_start, token_end)
        word_rows = row_of[token_start]
        hashes.append(_mix(word_h, _SALT_WORD))
        rows.append(word_rows)
        families.append(np.zeros(len(word_h), dtype=np.int64))
        same = word_rows[1:] == word_rows[:-1]
        pair_h = (word_h[:-1] * _MIX + word_h[1:])[same]
        hashes.append(_mix(pair_h, _SALT_PAIR))
        rows.append(word_rows[:-1][same])
        families.append(np.zeros(len(pair_h), dtype=np.int64))

    all_rows = np.concatenate(rows)
    all_cols = _bucket(np.concatenate(hashes), bits)
    all_char = np.concatenate(families)
    # Each family of a text is scaled by 1/sqrt(its n-gram count): a unit vector when its
    # n-grams are distinct, and repeated n-grams count as term frequency. Entries are left
    # uncombined: a repeated (row, bucket) pair sums, at training (CSR) as at inference.
    group = all_rows * 2 + all_char
    counts = np.bincount(group, minlength=2 * n).astype(np.float32)
    values = (1.0 / np.sqrt(counts[group])).astype(np.float32)
    return SparseBatch(rows=all_rows, cols=all_cols, values=values, n_rows=n, bits=bits)


_POW_CACHE: dict[str, npt.NDArray[np.uint64]] = {}


def _powers(length: int) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    """``P**k`` and ``Pinv**k`` for k < length, in wrapping uint64 (cached, grown on demand)."""
    have = _POW_CACHE.get("p")
    if have is None or len(have) < length:
        size = max(length, 4096, 2 * (len(have) if have is not None else 0))
        p_inv = np.uint64(pow(int(_P), -1, 2**64))
        with np.errstate(over="ignore"):
            _POW_CACHE["p"] = np.cumprod(
                np.concatenate(([np.uint64(1)], np.full(size - 1, _P, dtype=np.uint64)))
            ).astype(np.uint64)
            _POW_CACHE["pinv"] = np.cumprod(
                np.concatenate(([np.uint64(1)], np.full(size - 1, p_inv, dtype=np.uint64)))
            ).astype(np.uint64)
    return _POW_CACHE["p"][:length], _POW_CACHE["pinv"][:length]


def _substring_hashes(
    codes: npt.NDArray[np.uint64], start: npt.NDArray[np.int64], end: npt.NDArray[np.int64]
) -> npt.NDArray[np.uint64]:
    """Polynomial hash of ``codes[start:end]`` for each pair, equal to the Horner loop."""
    p, p_inv = _powers(len(codes) + 1)
    prefix = np.concatenate(([np.uint64(0)], np.cumsum(codes * p_inv[: len(codes)])))
    # H(s, e) = P^(e-1) * (prefix[e] - prefix[s]), which equals sum_{j} c_j P^(e-1-j).
    hashes: npt.NDArray[np.uint64] = p[end - 1] * (prefix[end] - prefix[start])
    return hashes
