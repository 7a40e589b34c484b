"""Masked words ("f*ck", "gr*tuit"): masked lexicon keys, and readings of masked words.

Private to :mod:`vigie.text.lexicon`. A commenter who masks a letter leaves a word that several
words may fit; these helpers list the lexicon and ordinary words that fit, build copies of the
text with the likeliest readings, and judge whether a hit read a masked word plainly, guessed
it, or should not have read it at all. Pure functions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from vigie.text.normalize import squeeze_letters

__all__ = ["MASKED", "Masked", "mask_verdict", "masked_words", "masks", "reading", "unmaskings"]

MASKED = re.compile(r"[a-z*]*\*[a-z*]*")
_MAX_UNMASKINGS = 24
_MAX_MASKED_WORDS = 32  # masked words read per comment; more are left to the masked keys
_VOWELS = frozenset("aeiouy")


@dataclass(frozen=True, slots=True)
class Masked:
    """A masked word of a comment ("f*ck") and the lexicon words that fit it."""

    start: int
    end: int
    fits: tuple[str, ...]  # lexicon words that fit, ordinary words first
    common: frozenset[str]  # ordinary words that fit ("th*t": that)


def masks(word: str) -> set[str]:
    """Masked spellings of one word: "f*ck", "sh*t", "f**k" (pure)."""
    if len(word) < 4 or not word.isalpha():
        return set()
    inner = range(1, len(word) - 1)
    out = set()
    vowels = [i for i in inner if word[i] in _VOWELS]
    for i in vowels:
        out.add(word[:i] + "*" + word[i + 1:])
    if len(vowels) > 1:
        out.add("".join("*" if i in vowels else c for i, c in enumerate(word)))
    if len(word) <= 8:
        out.add(word[0] + "*" * (len(word) - 2) + word[-1])
    return out


def masked_words(text: str, words_by_length: Mapping[int, str],
                 common_by_length: Mapping[int, str]) -> list[Masked]:
    """The masked words of ``text`` and the lexicon and ordinary words that fit them.

    Args:
        text: the matching view's text.
        words_by_length: lexicon words, one newline-separated string per length, most
            frequent first.
        common_by_length: ordinary words, the same way.
    """
    out: list[Masked] = []
    for token in MASKED.finditer(text):
        if len(out) >= _MAX_MASKED_WORDS:
            break
        word = token.group()
        letters = sum(c.isalpha() for c in word)
        if letters < 2:
            continue
        fit = re.compile("^" + "".join("[a-z]" if c == "*" else re.escape(c) for c in word)
                         + "$", re.MULTILINE)
        lexical = tuple(fit.findall(words_by_length.get(len(word), "")))
        common = frozenset(fit.findall(common_by_length.get(len(word), "")))
        # Ordinary readings first: "s*r" is most likely "sur".
        lexical = tuple(w for w in lexical if w in common) + tuple(
            w for w in lexical if w not in common)
        out.append(Masked(token.start(), token.end(), lexical, common))
    return out

def unmaskings(text: str, masked: Sequence[Masked], rounds: int = 4) -> list[str]:
    """Copies of ``text`` with masked words replaced by lexicon words that fit them.

    The first copy gives every masked word its likeliest fit (the lexicon word found in
    the most forms); each further copy changes one masked word to another of its
    ``rounds`` likeliest fits. One character for one: offsets and runs stay aligned.
    """
    fits = [m for m in masked if m.fits]
    if not fits:
        return []
    base = list(text)
    for m in fits:
        base[m.start:m.end] = m.fits[0]
    out = ["".join(base)]
    # Then one masked word at a time takes its other readings.
    for m in fits:
        for candidate in m.fits[1:rounds]:
            chars = base.copy()
            chars[m.start:m.end] = candidate
            out.append("".join(chars))
            if len(out) >= _MAX_UNMASKINGS:
                return out
    return out


def reading(variant: str, start: int, end: int, form: str) -> str | None:
    """The letters a hit reads at ``[start, end)``; for a masked key, the form's own."""
    reading = variant[start:end]
    if "*" not in reading:
        return reading
    unmasked, _ = squeeze_letters(form)
    return unmasked if len(unmasked) == end - start else None


def mask_verdict(masked: Sequence[Masked], start: int, end: int, read: str | None
                  ) -> str:
    """How a hit reads the masked words it covers: ``read``, ``guess`` or ``drop``.

    Reading an ordinary word ("s*r" as "sur") is plain reading. Reading a lexicon word where
    an ordinary word fits too ("th*t" as "thot", not "that") is a guess, and for a word of
    three characters ("p*s": pas, pis, pos) too much of one to keep. Several lexicon words
    fitting ("m*rde") is a guess.

    Args:
        masked: the comment's masked words.
        start: start of the hit in the matching view.
        end: end of the hit.
        read: the letters the hit read at ``[start, end)``; ``None`` when unknown.
    """
    verdict = "read"
    for m in masked:
        if m.end <= start or m.start >= end:
            continue
        if read is None or m.start < start or m.end > end:
            verdict = "guess"
            continue
        letters = read[m.start - start:m.end - start]
        if letters in m.common:
            continue
        if m.common:
            if m.end - m.start <= 3:
                return "drop"
            verdict = "guess"
        elif len(m.fits) > 1:
            verdict = "guess"
    return verdict
