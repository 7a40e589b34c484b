"""Text normalisation with offsets back to the original text.

Detectors match on a folded form of the comment (lower case, accents removed, compatibility
forms unified, invisible characters dropped) but must report spans in the *original* text, so
every folded character remembers the index of the original character it came from.

Pure functions; no I/O.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

__all__ = ["Normalized", "fold_char", "normalize"]

# Format characters (zero-width space/joiners, bidi controls, soft hyphen) are removed: they are
# invisible to readers and used to split words past filters.
_DROP_CATEGORIES = frozenset({"Cf", "Cc", "Mn"})
_KEEP_CONTROLS = frozenset("\n\t")


def fold_char(char: str) -> str:
    """Fold one character: NFKC, case-fold, strip accents; may return 0..n characters (pure)."""
    out = []
    for c in unicodedata.normalize("NFKC", char).casefold():
        for d in unicodedata.normalize("NFD", c):
            if unicodedata.category(d) in _DROP_CATEGORIES and d not in _KEEP_CONTROLS:
                continue
            out.append(d)
    return "".join(out)


@dataclass(frozen=True, slots=True)
class Normalized:
    """A folded text and, for each folded character, the index of its original character.

    Attributes:
        original: the text as posted.
        text: the folded text detectors match on.
        offsets: ``offsets[i]`` is the index in ``original`` of folded character ``i``;
            ``len(offsets) == len(text)``.
    """

    original: str
    text: str
    offsets: tuple[int, ...]

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a ``[start, end)`` span of the folded text to the original text (pure).

        The span covers every original character that produced a folded character in range,
        so a match on "sex" folded from "s.e.x" maps to the whole "s.e.x".
        """
        if not self.offsets or start >= end:
            anchor = self.offsets[start] if start < len(self.offsets) else len(self.original)
            return anchor, anchor
        first = self.offsets[start]
        last = self.offsets[min(end, len(self.offsets)) - 1]
        return first, last + 1


_FOLD_CACHE: dict[str, str] = {}


def normalize(text: str) -> Normalized:
    """Fold ``text`` for matching, keeping offsets to the original (pure).

    Steps: NFKC compatibility forms (full-width, mathematical alphabets, ligatures), case
    folding, accent stripping, removal of zero-width, bidi and control characters.
    """
    chars: list[str] = []
    offsets: list[int] = []
    cache = _FOLD_CACHE
    for index, char in enumerate(text):
        if char.isascii():
            folded = char.lower() if char.isprintable() or char in _KEEP_CONTROLS else ""
        else:
            folded = cache.get(char)
            if folded is None:
                folded = fold_char(char)
                if len(cache) < 65536:
                    cache[char] = folded
        for f in folded:
            chars.append(f)
            offsets.append(index)
    return Normalized(original=text, text="".join(chars), offsets=tuple(offsets))
