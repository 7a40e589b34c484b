"""Find numbers that may identify a person: phones, cards, SIN/NAS, student numbers.

Works on the *folded* text (see :mod:`vigie.text.normalize`), where full-width and mathematical
digits are already plain ASCII. A run is a sequence of digit groups joined by up to three
separator characters (space, dot, dash, slash, brackets), so "514.555.0163",
"(514) 555-0107" and "5 1 4 5 5 5 0 1 0 7" are each one run. Inside a run the letters o, l
and i written against a digit are read as 0 and 1 ("514-555-O1O7"), a common way to slip
numbers past filters.

A run may hold several numbers ("514-555-0107 2 fois"), so it is cut, left to right, into the
longest window of whole groups that reads as a known kind. Pure functions; phonenumbers'
metadata is read from the installed package, never fetched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

import phonenumbers
from phonenumbers import PhoneNumberType

from vigie.detectors._checksums import card_brand, is_test_card, sin_valid

__all__ = ["NumberCandidate", "find_numbers", "phone_of"]

Kind = Literal["card", "card_like", "phone", "nine", "short"]

# A digit, or a look-alike letter touching a digit.
_D = r"(?:\d|[oil](?=\d)|(?<=\d)[oil](?![a-z]))"
_RUN = re.compile(rf"(?<![\w+@#$])(\+ ?)?\(?{_D}(?:[ .\-/()]{{0,3}}{_D})*")
_GROUP = re.compile(r"\d+|[oil]+")
_LOOKALIKE = str.maketrans("oil", "011")

_MAX_GROUPS = 40
_CARD_GROUPINGS = frozenset({(4, 4, 4, 4), (4, 6, 5), (4, 6, 4), (4, 4, 4, 4, 3), (4, 4, 4, 1)})
_TOLL_FREE_TYPES = frozenset({PhoneNumberType.TOLL_FREE, PhoneNumberType.PREMIUM_RATE,
                              PhoneNumberType.SHARED_COST, PhoneNumberType.UAN})


@dataclass(frozen=True, slots=True)
class NumberCandidate:
    """A number found in the folded text.

    Attributes:
        kind: ``card`` (valid network and Luhn), ``card_like`` (card-shaped, invalid),
            ``phone`` (a valid number per libphonenumber), ``nine`` (nine digits, a SIN
            candidate), ``short`` (one group of 7 or 8 digits, a student-number candidate).
        digits: the ASCII digits.
        start: start offset in the folded text.
        end: end offset in the folded text.
        groups: lengths of the digit groups, e.g. ``(3, 3, 4)``.
        detail: card network, phone E.164 form, or ``""``.
        toll_free: for phones, a toll-free or shared-cost line (an organisation's, not a
            person's).
        substituted: letters were read as digits (an obfuscation).
        valid: for ``nine``, whether it is a well-formed SIN; for ``card``, not a test card.
        separators: the characters between the groups ("-", " ", "."), deduplicated.
    """

    kind: Kind
    digits: str
    start: int
    end: int
    groups: tuple[int, ...]
    detail: str = ""
    toll_free: bool = False
    substituted: bool = False
    valid: bool = True
    separators: str = ""


# How North American numbers are written: "514-555-0107", "(514) 555 0107", "1 514 555-0107",
# "5145550107". Other groupings are counts and codes ("2.126.521.750 views", "83039 62735"),
# except digits spaced one by one to slip past filters ("5 1 4 5 5 5 ...").
_NANP_GROUPINGS = frozenset({(10,), (3, 3, 4), (3, 7), (3, 3, 2, 2), (11,), (1, 10), (1, 3, 3, 4),
                             (1, 3, 7), (4, 3, 4)})


def _phone(digits: str, plus: bool, groups: tuple[int, ...],
           region: str) -> tuple[str, bool] | None:
    """Return ``(e164, toll_free)`` when ``digits`` is a valid phone number, else None."""
    nanp_shape = groups in _NANP_GROUPINGS or max(groups) <= 2
    if plus or (len(digits) == 11 and digits[0] == "1" and nanp_shape):
        text = "+" + digits
    elif (len(digits) == 10 and digits[0] in "23456789" and digits[3] in "23456789"
          and nanp_shape):
        text = "+1" + digits
    elif len(digits) == 10 and digits[0] == "0" and groups == (2, 2, 2, 2, 2):
        text = digits  # French national form "06 12 34 56 78"
        region = "FR"
    else:
        return None
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return e164, phonenumbers.number_type(number) in _TOLL_FREE_TYPES


def phone_of(digits: str, plus: bool, region: str) -> tuple[str, bool] | None:
    """``(e164, toll_free)`` of a digit string read without its grouping, else None (pure).

    For digits whose grouping says nothing (spelled out as words, one by one).
    """
    return _phone(digits, plus, (1,) * len(digits), region)


def _classify(digits: str, groups: tuple[int, ...], plus: bool,
              region: str, short_lengths: frozenset[int]) -> NumberCandidate | None:
    """Read one window of groups; positions are filled in by the caller."""
    n = len(digits)
    if 13 <= n <= 19:
        brand = card_brand(digits)
        if brand is not None:
            return NumberCandidate("card", digits, 0, 0, groups, brand,
                                   valid=not is_test_card(digits))
        if n == 16 and groups in _CARD_GROUPINGS:
            return NumberCandidate("card_like", digits, 0, 0, groups)
    if (plus and 8 <= n <= 15) or n in (10, 11):
        phone = _phone(digits, plus, groups, region)
        if phone is not None:
            return NumberCandidate("phone", digits, 0, 0, groups, phone[0], toll_free=phone[1])
    if n == 9 and groups in ((9,), (3, 3, 3)) and not plus:
        return NumberCandidate("nine", digits, 0, 0, groups, valid=sin_valid(digits))
    if n in short_lengths and len(groups) == 1 and not plus:
        return NumberCandidate("short", digits, 0, 0, groups)
    return None


def find_numbers(folded: str, region: str = "CA",
                 short_lengths: frozenset[int] = frozenset({7})) -> list[NumberCandidate]:
    """Find identifying numbers in ``folded`` (pure).

    Args:
        folded: the folded comment text.
        region: ISO 3166 region for numbers written without a country code.
        short_lengths: digit counts reported as ``short`` (student-number candidates).

    Returns:
        Candidates in text order, spans in the folded text; windows never overlap.
    """
    found: list[NumberCandidate] = []
    shortest = min(7, *short_lengths)
    for run in _RUN.finditer(folded):
        text = run.group(0)
        plus = run.group(1) is not None
        spans = [(m.start() + run.start(), m.end() + run.start(), m.group(0))
                 for m in _GROUP.finditer(text)]
        # Merge look-alike letters into the digit group they touch.
        groups: list[tuple[int, int, str]] = []
        for start, end, chunk in spans:
            if groups and groups[-1][1] == start:
                g_start, _, g_text = groups[-1]
                groups[-1] = (g_start, end, g_text + chunk)
            else:
                groups.append((start, end, chunk))
        if sum(len(g[2]) for g in groups) < shortest:
            continue
        # Nobody writes a list of more than a few numbers in one run; a longer run is noise
        # ("1 1 1 1 ...") and only its start is read, which bounds the work on any input.
        groups = groups[:_MAX_GROUPS]
        i = 0
        while i < len(groups):
            best: NumberCandidate | None = None
            # At most 19 digits, hence at most 19 groups, in a window.
            for j in range(min(len(groups), i + 19), i, -1):
                window = groups[i:j]
                raw = "".join(g[2] for g in window)
                if len(raw) > 19 or len(raw) < shortest:
                    continue
                digits = raw.translate(_LOOKALIKE)
                lengths = tuple(len(g[2]) for g in window)
                cand = _classify(digits, lengths, plus and i == 0, region, short_lengths)
                if cand is not None:
                    start = run.start() if plus and i == 0 else window[0][0]
                    between = "".join(sorted({
                        c for a, b in pairwise(window)
                        for c in folded[a[1]:b[0]]
                    }))
                    best = NumberCandidate(
                        cand.kind, digits, start, window[-1][1], lengths, cand.detail,
                        cand.toll_free, substituted=raw != digits, valid=cand.valid,
                        separators=between,
                    )
                    i = j
                    break
            if best is None:
                i += 1
            else:
                found.append(best)
    return found
