"""Undo the cheap disguises spammers put on words, keeping offsets to the original text.

Two tricks defeat word patterns and survive the shared folding (:mod:`vigie.text.normalize`):

* digits and symbols inside a word standing for letters ("h0rny", "G4tas", "s3x");
* words spelled letter by letter ("p.o.r.n.o", "s e x e", "n.u.d.e.s").

:func:`squeeze` rewrites the folded text so that word patterns see the plain words, and keeps,
for each character, the index of the original character it comes from.

Pure functions; no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vigie.text.normalize import Normalized

__all__ = ["Squeezed", "squeeze"]

# Only between two letters: "50k", "MTH1102" and "B-418" stay as they are.
_LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
_LEET_RE = re.compile(r"(?<=[^\W\d_])[013457@$](?=[^\W\d_])")
# Three or more single letters joined by one separator each: "p.o.r.n", "s e x e".
_SPACED = re.compile(r"(?<![^\W\d_])[^\W\d_](?:[ .\-_*•|·/][^\W\d_]){2,}(?![^\W\d_])")


@dataclass(frozen=True, slots=True)
class Squeezed:
    """A folded text with disguises undone.

    Attributes:
        text: the rewritten folded text.
        offsets: ``offsets[i]`` is the index in the *original* comment of character ``i``.
    """

    text: str
    offsets: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a ``[start, end)`` span of :attr:`text` to the original text (pure)."""
        if not self.offsets or start >= end:
            return (0, 0)
        return self.offsets[start], self.offsets[min(end, len(self.offsets)) - 1] + 1


def squeeze(norm: Normalized) -> Squeezed:
    """Undo in-word digit substitutions and letter-by-letter spelling in ``norm.text`` (pure)."""
    text = norm.text
    # Most comments carry no disguise: two scans in C, no copy.
    leeted = _LEET_RE.sub(lambda m: _LEET[m.group(0)], text) if _LEET_RE.search(text) else text
    if not _SPACED.search(leeted):
        return Squeezed(leeted, norm.offsets)
    offsets = list(norm.offsets)
    out: list[str] = []
    out_offsets: list[int] = []
    position = 0
    for match in _SPACED.finditer(leeted):
        out.extend(leeted[position:match.start()])
        out_offsets.extend(offsets[position:match.start()])
        for k in range(match.start(), match.end(), 2):
            out.append(leeted[k])
            out_offsets.append(offsets[k])
        position = match.end()
    out.extend(leeted[position:])
    out_offsets.extend(offsets[position:])
    return Squeezed("".join(out), tuple(out_offsets))
