r"""Obfuscation tricks that commenters use to dodge filters, for robustness measurements.

Each trick rewrites chosen words of a comment the way a determined commenter would
("osti" → "0st1", "o s t i", "оsti" with a Cyrillic о, "os\\u200bti", "ostiiii"...). Used by
``scripts/obfuscate.py`` to build one rewritten copy of a labelled set per trick and to measure
how much recall each trick costs, and by the lexicon tests.

Two ways to choose the words (``mode``):

- ``triggers``: only the words the clean comment was caught on (the words overlapping a
  finding's span), as a commenter disguises the words they expect a filter to catch;
- ``all``: every word of three letters or more (harsher; it also disguises ordinary words,
  which learned models and language identification suffer from).

Pure functions of (text, spans, seed): the same input always gives the same output.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence

__all__ = ["TRICKS", "obfuscate", "word_spans"]

# A word is a run of non-space characters, punctuation at its edges left out: "C@lisse",
# "Ta🅱️arnak" and "h0rny" are one word each.
_WORD = re.compile(r"[^\s.,;:!?()\[\]{}«»“”\"'’]*[^\W\d_][^\s.,;:!?()\[\]{}«»“”\"'’]*")
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\ufe0f")
_LEET = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"}
_CYRILLIC = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "i": "і",
             "A": "А", "E": "Е", "O": "О", "P": "Р", "C": "С", "X": "Х", "H": "Н", "K": "К",
             "M": "М", "T": "Т", "B": "В"}
_VOWELS = "aeiouyAEIOUYéèêàâîôûÉÈÊÀÂÎÔÛ"
_COMBINING = ("\u0301", "\u0308", "\u0303", "\u0327", "\u0302")


def _leet(word: str, rng: random.Random) -> str:
    spots = [i for i, c in enumerate(word) if c.lower() in _LEET]
    if not spots:
        return word
    chosen = {i for i in spots if rng.random() < 0.6} or {rng.choice(spots)}
    return "".join(_LEET[c.lower()] if i in chosen else c for i, c in enumerate(word))


def _mask(word: str, rng: random.Random) -> str:
    inner = [i for i in range(1, len(word) - 1) if word[i] in _VOWELS] or [
        i for i in range(1, len(word) - 1) if word[i].isalpha()]
    if not inner:
        return word
    i = rng.choice(inner)
    return word[:i] + "*" + word[i + 1:]


def _visible(word: str) -> list[str]:
    """The word's characters, each with the invisible marks that follow it."""
    out: list[str] = []
    for c in word:
        if out and c in _INVISIBLE:
            out[-1] += c
        else:
            out.append(c)
    return out


def _spaced(word: str, rng: random.Random) -> str:
    return " ".join(_visible(word))


def _dotted(word: str, rng: random.Random) -> str:
    return ".".join(_visible(word))


def _homoglyph(word: str, rng: random.Random) -> str:
    return "".join(_CYRILLIC.get(c, c) for c in word)


def _zero_width(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word))
    return word[:i] + "\u200b" + word[i:]


def _repeat(word: str, rng: random.Random) -> str:
    spots = [i for i, c in enumerate(word) if c in _VOWELS] or list(range(len(word)))
    i = rng.choice(spots)
    return word[:i] + word[i] * rng.randint(3, 6) + word[i + 1:]


def _fullwidth(word: str, rng: random.Random) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in word)


def _math_bold(word: str, rng: random.Random) -> str:
    def bold(c: str) -> str:
        if "a" <= c <= "z":
            return chr(0x1D41A + ord(c) - ord("a"))
        if "A" <= c <= "Z":
            return chr(0x1D400 + ord(c) - ord("A"))
        return c
    return "".join(bold(c) for c in word)


def _emoji_letter(word: str, rng: random.Random) -> str:
    spots = [i for i, c in enumerate(word) if c.isascii() and c.isalpha()]
    if not spots:
        return word
    i = rng.choice(spots)
    return word[:i] + chr(0x1F170 + ord(word[i].lower()) - ord("a")) + "\ufe0f" + word[i + 1:]


def _diacritics(word: str, rng: random.Random) -> str:
    return "".join(c + rng.choice(_COMBINING) if c.isalpha() else c for c in word)


def _case(word: str, rng: random.Random) -> str:
    return "".join(c.upper() if i % 2 else c.lower() for i, c in enumerate(word))


#: Trick name → word rewriter ``(word, rng) -> word``.
TRICKS: dict[str, Callable[[str, random.Random], str]] = {
    "leet": _leet,
    "mask": _mask,
    "spaced": _spaced,
    "dotted": _dotted,
    "homoglyph": _homoglyph,
    "zero_width": _zero_width,
    "repeat": _repeat,
    "fullwidth": _fullwidth,
    "math_bold": _math_bold,
    "emoji_letter": _emoji_letter,
    "diacritics": _diacritics,
    "case": _case,
}


def word_spans(text: str, within: Sequence[tuple[int, int]] | None = None
               ) -> list[tuple[int, int]]:
    """Spans of the words (three letters or more) of ``text`` to disguise (pure).

    Args:
        text: the comment.
        within: only words overlapping one of these spans (``None``: every word).
    """
    spans = [(m.start(), m.end()) for m in _WORD.finditer(text) if len(m.group()) >= 3]
    if within is None:
        return spans
    return [(a, b) for a, b in spans if any(a < e and s < b for s, e in within)]


def obfuscate(text: str, trick: str, spans: Sequence[tuple[int, int]], seed: int = 0) -> str:
    """Rewrite the words at ``spans`` of ``text`` with ``trick`` (pure, deterministic).

    Words spelled letter by letter are set apart with two spaces, as commenters do, so that
    readers (and the normaliser) can tell where one word ends.

    Raises:
        KeyError: unknown trick (the message lists the tricks).
    """
    if trick not in TRICKS:
        raise KeyError(f"unknown trick {trick!r}; tricks: {', '.join(TRICKS)}")
    rewrite = TRICKS[trick]
    rng = random.Random(f"{seed}:{trick}:{text}")
    out = []
    last = 0
    for start, end in sorted(spans):
        out.append(text[last:start])
        word = rewrite(text[start:end], rng)
        if trick == "spaced":
            if out[-1].endswith(" "):
                out[-1] += " "
            if text[end:end + 1] == " ":
                word += " "
        out.append(word)
        last = end
    out.append(text[last:])
    return "".join(out)
