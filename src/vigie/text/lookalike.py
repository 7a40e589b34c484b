"""Look-alike domains: names built to pass for the institution's own (``po1ymtl-ca.com``).

Phishing comments imitate the institution's domain with confusable characters (``1`` for
``l``, a capital ``I`` for ``l``, ``rn`` for ``m``), one edited letter, or the real name
embedded in someone else's domain (``polymtl-ca.secure-login.com``). Each label is reduced to
a *skeleton* in which confusable characters are unified, then compared with the skeletons of
the institution's names.

Pure functions; no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Lookalike", "LookalikeKind", "find_lookalike", "skeleton"]

# Digits and letters that readers confuse, mapped to the letter they imitate. Hosts are
# lower-cased before they get here, so a capital "I" imitating "l" arrives as "i".
_CONFUSABLE = str.maketrans({"0": "o", "1": "l", "i": "l", "|": "l", "3": "e", "5": "s",
                             "7": "t", "4": "a", "$": "s", "@": "a"})
_MULTI = (("rn", "m"), ("vv", "w"), ("cl", "d"))
_PART = re.compile(r"[.\-_]+")
# Labels shorter than this collide with ordinary words ("poly"): no fuzzy matching on them.
_MIN_NAME = 6


class LookalikeKind(StrEnum):
    """How a host imitates the institution."""

    CONFUSABLE = "confusable"  # same skeleton, different spelling: po1ymtl, polymtI
    EDITED = "edited"  # one letter added, dropped or changed: polymtll, polymt
    EMBEDDED = "embedded"  # the real name inside another domain: polymtl-ca.evil.com


@dataclass(frozen=True, slots=True)
class Lookalike:
    """A host that imitates one of the institution's names.

    Attributes:
        name: the institution name imitated (``polymtl``).
        part: the part of the host that imitates it.
        kind: how it imitates it.
    """

    name: str
    part: str
    kind: LookalikeKind


def skeleton(label: str) -> str:
    """Return ``label`` with confusable characters unified (pure)."""
    out = label.lower().translate(_CONFUSABLE)
    for multi, single in _MULTI:
        out = out.replace(multi, single)
    return out


def _within_one_edit(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by at most one insertion, deletion or substitution."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = j = edits = 0
    while i < len(a) and j < len(b):
        if a[i] != b[j]:
            edits += 1
            if edits > 1:
                return False
            if len(a) == len(b):
                i += 1
            j += 1
        else:
            i += 1
            j += 1
    return edits + (len(b) - j) + (len(a) - i) <= 1


def find_lookalike(host: str, names: frozenset[str]) -> Lookalike | None:
    """Return how ``host`` imitates one of ``names``, or ``None`` (pure).

    Args:
        host: lower-case host name of a link that is *not* on the institution's domains.
        names: the institution's registrable labels (``polymtl``, ``polytechniquemontreal``).
    """
    labels = host.lower().split(".")
    # The public suffix ("com", "ca") is never the imitation.
    parts = [p for label in labels[:-1] for p in _PART.split(label) if p]
    wholes = [label for label in labels[:-1] if label]
    for name in names:
        if len(name) < _MIN_NAME:
            continue
        target = skeleton(name)
        for part in parts + wholes:
            if part == name:
                return Lookalike(name, part, LookalikeKind.EMBEDDED)
            shape = skeleton(part)
            if shape == target:
                return Lookalike(name, part, LookalikeKind.CONFUSABLE)
            if len(part) >= _MIN_NAME and _within_one_edit(shape, target):
                return Lookalike(name, part, LookalikeKind.EDITED)
        for whole in wholes:
            squeezed = skeleton(whole.replace("-", ""))
            if target in squeezed:
                return Lookalike(name, whole, LookalikeKind.EMBEDDED)
    return None
