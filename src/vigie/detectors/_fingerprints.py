"""Fingerprints of protected texts: passages an institution never wants posted.

An institution lists passages (exam questions, a draft budget, an internal memo, code names)
in a plain-text file. At start-up each passage is folded like comments are (lower case,
accents removed), cut into words and hashed as overlapping shingles of ``k`` words; only the
hashes are kept in memory, not the text. A comment that shares ``min_shingles`` shingles with a
passage (about ``k + min_shingles - 1`` consecutive words) reproduces it, even when quoted
inside other text, re-cased or stripped of accents. Passages shorter than ``k`` words are
protected terms (a code name) and must appear whole.

File format (UTF-8): passages separated by blank lines; a line ``## label`` names the passage
that follows (the label appears in explanations, so it must not itself be secret); other lines
starting with ``#`` are comments.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from vigie.errors import PolicyError
from vigie.text.normalize import normalize

__all__ = ["PACKAGE_PREFIX", "ProtectedMatch", "ProtectedTexts", "read_passages"]

#: Paths starting with this prefix are read from the installed ``vigie`` package.
PACKAGE_PREFIX = "vigie:"

_WORD = re.compile(r"\w+")


def _digest(words: Iterable[str]) -> int:
    # A stable digest (not Python's salted hash) so fingerprints can be precomputed and shared.
    raw = hashlib.blake2b(" ".join(words).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(raw, "big")


@dataclass(frozen=True, slots=True)
class ProtectedMatch:
    """A protected passage reproduced in a comment.

    Attributes:
        start: start offset in the folded comment text.
        end: end offset in the folded comment text.
        label: the passage's label.
        matched: shingles (or 1 for a whole term) found.
        total: shingles of the passage (1 for a term).
        term: the passage is a short term matched whole.
    """

    start: int
    end: int
    label: str
    matched: int
    total: int
    term: bool


def read_passages(reference: str) -> list[tuple[str, str]]:
    """Read ``(label, text)`` passages from a file path or ``vigie:`` package path.

    Raises:
        PolicyError: the file cannot be read.
    """
    try:
        if reference.startswith(PACKAGE_PREFIX):
            resource = resources.files("vigie").joinpath(reference[len(PACKAGE_PREFIX):])
            content = resource.read_text(encoding="utf-8")
        else:
            content = Path(reference).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PolicyError(
            f"detectors.vigie.confidential.recognizers.v1.protected_texts: cannot read "
            f"{reference!r}: {error}"
        ) from None
    passages: list[tuple[str, str]] = []
    label, lines = "", []
    name = Path(reference.removeprefix(PACKAGE_PREFIX)).name
    for line in [*content.splitlines(), ""]:
        stripped = line.strip()
        if stripped.startswith("##"):
            label = stripped.lstrip("#").strip()
        elif stripped.startswith("#"):
            continue
        elif stripped:
            lines.append(stripped)
        elif lines:
            passages.append((label or f"{name} passage {len(passages) + 1}", " ".join(lines)))
            label, lines = "", []
    return passages


class ProtectedTexts:
    """Shingle fingerprints of protected passages; :meth:`match` is pure."""

    def __init__(self, passages: Iterable[tuple[str, str]], shingle_words: int = 5,
                 min_shingles: int = 3) -> None:
        self.k = shingle_words
        self.min_shingles = min_shingles
        self.labels: list[str] = []
        self.totals: list[int] = []
        self.shingles: dict[int, list[int]] = {}
        self.terms: dict[int, dict[int, int]] = {}  # length -> digest -> passage index
        # Words of any passage: a window with a word outside it cannot match. The longer
        # words are anchors: a comment with none of them is dismissed without hashing.
        self.vocabulary: set[str] = set()
        self.anchors: set[str] = set()
        for label, text in passages:
            words = _WORD.findall(normalize(text).text)
            if not words:
                continue
            index = len(self.labels)
            self.labels.append(label)
            self.vocabulary.update(words)
            long_words = [w for w in words if len(w) >= 5]
            self.anchors.update(long_words if long_words and len(words) >= self.k else words)
            if len(words) < self.k:
                self.terms.setdefault(len(words), {})[_digest(words)] = index
                self.totals.append(1)
                continue
            digests = {_digest(words[i:i + self.k]) for i in range(len(words) - self.k + 1)}
            for d in digests:
                self.shingles.setdefault(d, []).append(index)
            self.totals.append(len(digests))

    def __len__(self) -> int:
        return len(self.labels)

    def match(self, folded: str) -> list[ProtectedMatch]:
        """Return the protected passages reproduced in ``folded`` (pure)."""
        if not self.labels:
            return []
        if self.anchors.isdisjoint(_WORD.findall(folded)):
            return []
        vocabulary = self.vocabulary
        tokens = [(m.group(0), m.start(), m.end()) for m in _WORD.finditer(folded)]
        words = [t[0] for t in tokens]
        known = [w in vocabulary for w in words]
        out: list[ProtectedMatch] = []
        for length, table in self.terms.items():
            for i in range(len(words) - length + 1):
                if not all(known[i:i + length]):
                    continue
                index = table.get(_digest(words[i:i + length]))
                if index is not None:
                    out.append(ProtectedMatch(tokens[i][1], tokens[i + length - 1][2],
                                              self.labels[index], 1, 1, True))
        if self.shingles and len(words) >= self.k:
            seen: dict[int, list[int]] = {}
            run = 0  # known words ending at i
            for i, is_known in enumerate(known):
                run = run + 1 if is_known else 0
                if run < self.k:
                    continue
                first = i - self.k + 1
                for index in self.shingles.get(_digest(words[first:i + 1]), ()):
                    seen.setdefault(index, []).append(first)
            for index, positions in seen.items():
                needed = min(self.min_shingles, self.totals[index])
                if len(positions) >= needed:
                    out.append(ProtectedMatch(
                        tokens[positions[0]][1], tokens[positions[-1] + self.k - 1][2],
                        self.labels[index], len(positions), self.totals[index], False,
                    ))
        return out
