"""Near-duplicate texts over a bounded time window: MinHash signatures and the window port.

Copy-paste campaigns post the same text, or the same text with an emoji, a hashtag or a word
changed, from several accounts. A comment's *skeleton* (folded words, punctuation and emojis
dropped) is reduced to a set of words; its MinHash signature (16 hashes) estimates the Jaccard
similarity of two such sets, and locality-sensitive hashing on 4 bands of 4 hashes finds the
candidates without comparing a comment to every remembered one:
``P(candidate) = 1 - (1 - J**4)**4``, i.e. 0.95 at J = 0.85 and 0.23 at J = 0.5; candidates are
then checked on the whole signature.

The window is a port (:class:`DuplicateWindow`) so that another store can provide one;
:class:`InMemoryWindow` keeps it in the process, bounded by time (the comments' own timestamps,
never the clock) and by a maximum number of entries, so memory stays flat over any stream.
Hashes are derived with BLAKE2b, not Python's salted ``hash``, so signatures are the same in
every process and can be stored.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

__all__ = [
    "BANDS",
    "PERMUTATIONS",
    "DuplicateWindow",
    "InMemoryWindow",
    "WindowEntry",
    "band_keys",
    "jaccard_estimate",
    "signatures",
    "text_key",
]

PERMUTATIONS = 16
BANDS = 4
_ROWS = PERMUTATIONS // BANDS
_MASK62 = (1 << 62) - 1

# Fixed, seeded permutation parameters: signatures must not change between runs or processes.
_RNG = np.random.default_rng(20250601)
_A = _RNG.integers(1, 2**63, size=PERMUTATIONS, dtype=np.uint64) | np.uint64(1)
_B = _RNG.integers(0, 2**63, size=PERMUTATIONS, dtype=np.uint64)
_BAND_MIX = _RNG.integers(1, 2**63, size=(BANDS, _ROWS), dtype=np.uint64) | np.uint64(1)

_WORD_HASH: dict[str, int] = {}


def _word_hash(word: str) -> int:
    value = _WORD_HASH.get(word)
    if value is None:
        value = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")
        if len(_WORD_HASH) >= 200_000:  # bounded: a stream of new words cannot grow it forever
            _WORD_HASH.clear()
        _WORD_HASH[word] = value
    return value


def text_key(words: Sequence[str]) -> int:
    """A stable 62-bit key of the exact word sequence (pure): equal keys, same skeleton."""
    digest = hashlib.blake2b(" ".join(words).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") & _MASK62


def signatures(word_sets: Sequence[Sequence[str]]) -> npt.NDArray[np.uint32]:
    """MinHash signatures of a batch of word sets, shape ``(len(word_sets), 16)`` (pure).

    Vectorised over the whole batch: one hash per distinct word, then one multiply-add per
    permutation and a grouped minimum.

    Raises:
        ValueError: a word set is empty.
    """
    if not word_sets:
        return np.zeros((0, PERMUTATIONS), dtype=np.uint32)
    lengths = []
    flat: list[int] = []
    for words in word_sets:
        unique = set(words)
        if not unique:
            raise ValueError("cannot sign an empty word set")
        lengths.append(len(unique))
        flat.extend(_word_hash(w) for w in unique)
    hashes = np.fromiter(flat, dtype=np.uint64, count=len(flat))
    # (h * a + b) mod 2**64, top 32 bits: a universal-style family of permutations.
    with np.errstate(over="ignore"):
        permuted = (hashes[:, None] * _A[None, :] + _B[None, :]) >> np.uint64(32)
    starts = np.zeros(len(lengths), dtype=np.int64)
    np.cumsum(lengths[:-1], out=starts[1:])
    return np.minimum.reduceat(permuted, starts, axis=0).astype(np.uint32)


def band_keys(signature: npt.NDArray[np.uint32]) -> tuple[int, ...]:
    """The LSH keys of one signature, one per band, band index mixed in (pure)."""
    rows = signature.astype(np.uint64).reshape(BANDS, _ROWS)
    with np.errstate(over="ignore"):
        mixed = np.bitwise_xor.reduce(rows * _BAND_MIX, axis=1)
    return tuple(int(v) & _MASK62 for v in mixed)


def jaccard_estimate(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity in [0, 1] of two stored signatures (pure)."""
    x = np.frombuffer(a, dtype=np.uint32)
    y = np.frombuffer(b, dtype=np.uint32)
    return float(np.count_nonzero(x == y)) / PERMUTATIONS


@dataclass(frozen=True, slots=True)
class WindowEntry:
    """One remembered comment.

    Attributes:
        comment_id: the comment's id.
        author_id: its author's id.
        at: its ``created_at`` in POSIX seconds.
        key: :func:`text_key` of its skeleton (exact copies share it).
        signature: its MinHash signature, 16 little-endian uint32 (64 bytes).
        bands: its LSH band keys.
        post_id: the post it answers ("" when none).
        platform: its platform.
    """

    comment_id: str
    author_id: str
    at: float
    key: int
    signature: bytes
    bands: tuple[int, ...]
    post_id: str
    platform: str


class DuplicateWindow(Protocol):
    """Where remembered comments live between batches (in memory, or in the store)."""

    def add(self, entry: WindowEntry) -> None:
        """Remember ``entry``."""
        ...

    def candidates(self, entry: WindowEntry) -> Iterator[WindowEntry]:
        """Yield remembered entries that share an LSH band with ``entry`` (itself excluded)."""
        ...

    def evict(self, now: float) -> None:
        """Forget entries older than ``now`` minus the window, and any beyond the size cap."""
        ...

    def __len__(self) -> int:
        """Number of entries remembered."""
        ...


class InMemoryWindow:
    """A bounded in-process :class:`DuplicateWindow`.

    Entries are forgotten in arrival order once older than ``window_s`` seconds (in comment
    time) before the newest comment seen, or once more than ``max_entries`` are held, so its
    memory is bounded by ``max_entries`` whatever the length of the stream.
    """

    def __init__(self, window_s: float = 72 * 3600.0, max_entries: int = 100_000) -> None:
        """Create an empty window.

        Raises:
            ValueError: ``window_s`` <= 0 or ``max_entries`` < 1.
        """
        if window_s <= 0 or max_entries < 1:
            raise ValueError("window_s must be > 0 and max_entries >= 1")
        self.window_s = window_s
        self.max_entries = max_entries
        self._entries: dict[int, WindowEntry] = {}
        # Arrival order, for eviction (popping the front of a dict is not O(1) in CPython).
        self._order: deque[int] = deque()
        # band key -> entry number, or a list of them when several share it (rare): a dict
        # of ints is far smaller than a dict of sets.
        self._bands: dict[int, int | list[int]] = {}
        self._next = 0
        self._newest = float("-inf")

    def __len__(self) -> int:
        """Number of entries remembered."""
        return len(self._entries)

    def add(self, entry: WindowEntry) -> None:
        """Remember ``entry`` (evicting the oldest beyond ``max_entries``)."""
        number = self._next
        self._next += 1
        self._entries[number] = entry
        self._order.append(number)
        self._newest = max(self._newest, entry.at)
        for band in entry.bands:
            held = self._bands.get(band)
            if held is None:
                self._bands[band] = number
            elif isinstance(held, list):
                held.append(number)
            else:
                self._bands[band] = [held, number]
        while len(self._entries) > self.max_entries:
            self._pop_oldest()

    def candidates(self, entry: WindowEntry) -> Iterator[WindowEntry]:
        """Yield remembered entries sharing a band with ``entry``, each once."""
        seen: set[int] = set()
        for band in entry.bands:
            held = self._bands.get(band)
            if held is None:
                continue
            for number in held if isinstance(held, list) else (held,):
                if number not in seen:
                    seen.add(number)
                    other = self._entries[number]
                    if other is not entry:
                        yield other

    def evict(self, now: float) -> None:
        """Forget entries older than ``max(now, newest seen) - window_s``.

        ``now`` counts as seen, so the horizon never moves back: evicting after each batch
        ends in the same state as adding every batch and evicting once (a rebuild).
        """
        self._newest = max(self._newest, now)
        horizon = self._newest - self.window_s
        while self._order and self._entries[self._order[0]].at < horizon:
            self._pop_oldest()

    def _pop_oldest(self) -> None:
        number = self._order.popleft()
        entry = self._entries.pop(number)
        for band in entry.bands:
            held = self._bands.get(band)
            if held == number:
                del self._bands[band]
            elif isinstance(held, list):
                held.remove(number)
                if len(held) == 1:
                    self._bands[band] = held[0]
