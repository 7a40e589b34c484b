"""Run many regular expressions fast by skipping those that cannot match.

Python's regex engine tries every alternative at every position of the text, so sixty
patterns over a comment cost hundreds of microseconds. Most patterns need some literal text to
match ("whatsapp", "promo", "votez"): :func:`required_literals` reads a pattern's syntax tree
and returns strings of which at least one occurs in every match (the "prefilter" idea of RE2
and Hyperscan). A :class:`Gate` finds all those strings in one Aho-Corasick pass over the text
and tells which patterns are worth running. A pattern whose requirement cannot be worked out is
always run, so gating never changes what matches, only how fast.

Pure functions apart from building the automaton once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import ahocorasick

__all__ = ["Gate", "required_literals"]

try:  # the parser of the standard library's own regex engine
    from re import _constants as _c  # type: ignore[attr-defined]
    from re import _parser as _p  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python < 3.11 names
    import sre_constants as _c
    import sre_parse as _p

_Req = frozenset[str] | None


def _best(candidates: list[frozenset[str]]) -> _Req:
    """The most selective requirement: the set whose shortest string is longest."""
    if not candidates:
        return None
    return max(candidates, key=lambda s: (min(len(x) for x in s), -len(s)))


def _seq(items: Any) -> _Req:
    candidates: list[frozenset[str]] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            candidates.append(frozenset({"".join(run)}))
            run.clear()

    for op, arg in items:
        if op is _c.LITERAL:
            run.append(chr(arg))
            continue
        if op is _c.AT:  # \b, ^, $: zero width, but the literal run stops here
            flush()
            continue
        flush()
        req = _node(op, arg)
        if req:
            candidates.append(req)
    flush()
    return _best(candidates)


def _node(op: Any, arg: Any) -> _Req:
    if op is _c.SUBPATTERN:
        return _seq(arg[-1])
    if op is _c.BRANCH:
        union: set[str] = set()
        for branch in arg[1]:
            req = _seq(branch)
            if not req:
                return None
            union |= req
        return frozenset(union)
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
        low, _high, item = arg
        return _seq(item) if low >= 1 else None
    return None


def required_literals(pattern: str) -> frozenset[str] | None:
    """Strings of which at least one occurs in any match of ``pattern`` (pure).

    Returns ``None`` when no such set can be established (the pattern must always run).
    """
    try:
        req = _seq(_p.parse(pattern))
    except Exception:
        return None
    if not req or min(len(s) for s in req) < 2:
        return None
    return req


class Gate:
    """Tells which of ``patterns`` may match a text, from one scan for their literals."""

    def __init__(self, patterns: Sequence[re.Pattern[str]]) -> None:
        self.size = len(patterns)
        self.always: list[int] = []
        owners: dict[str, list[int]] = {}
        for index, pattern in enumerate(patterns):
            # Literals are matched as written: a case-insensitive pattern always runs.
            caseless = bool(pattern.flags & re.IGNORECASE)
            req = None if caseless else required_literals(pattern.pattern)
            if req is None:
                self.always.append(index)
                continue
            for literal in req:
                owners.setdefault(literal, []).append(index)
        self._automaton: Any = ahocorasick.Automaton()
        for literal, indexes in owners.items():
            self._automaton.add_word(literal, tuple(indexes))
        if owners:
            self._automaton.make_automaton()
        self._empty = not owners

    def candidates(self, text: str) -> set[int]:
        """Indexes of the patterns that may match ``text``."""
        found = set(self.always)
        if self._empty:
            return found
        for _end, indexes in self._automaton.iter(text):
            found.update(indexes)
        return found
