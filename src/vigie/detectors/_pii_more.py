"""More privacy recognizers: spelled-out numbers, IBANs, SSN/NIR, staff numbers, private facts.

- :func:`spelled_numbers`: digits written as words, alone or mixed with figures ("cinq un
  quatre, cinq cinq cinq...", "six-oh-four", "514 cinq cinq cinq 01 48") are read back into a
  digit string so the phone checks of :mod:`vigie.detectors._digits` can judge them.
- :func:`find_ibans`: IBANs (ISO 13616) of any country, with the country's length and the
  mod-97 check digits, grouped or not.
- :func:`find_national_ids`: the US Social Security Number (area, group and serial rules) and
  the French NIR (13 digits and its 97-complement key).
- :func:`find_staff_ids`: an employee or staff number next to its keyword.
- :func:`find_private_facts`: a named person tied to a private fact: sexual orientation or
  gender identity ("X est gai", "Y is bisexual"), grades or academic standing, and personal
  social-media accounts or profile links ("her Facebook is facebook.com/...").

Pure functions over the folded text (lower case, no accents) unless a docstring says the
original; spans are in the text the function was given.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = [
    "FactHit",
    "find_ibans",
    "find_national_ids",
    "find_private_facts",
    "find_staff_ids",
    "spelled_numbers",
]

# -- digits written as words ------------------------------------------------------------------

_WORD_DIGITS = {
    "zero": "0", "oh": "0", "o": "0", "un": "1", "une": "1", "one": "1", "deux": "2", "two": "2",
    "trois": "3", "three": "3", "quatre": "4", "four": "4", "cinq": "5", "five": "5", "six": "6",
    "sept": "7", "seven": "7", "huit": "8", "eight": "8", "neuf": "9", "nine": "9",
}
_TOKEN = re.compile(r"[a-z]+|\d+")
_JOINER = re.compile(r"^[\s,.\-/()]*$")


def spelled_numbers(folded: str) -> list[tuple[int, int, str, tuple[int, ...]]]:
    """Runs of digits written as words, possibly mixed with figures (pure).

    Returns:
        ``(start, end, digits, groups)`` for each run of 7 to 15 digits holding at least three
        digit words ("o" and "oh" count only inside a run), in the folded text.
    """
    if not any(w in folded for w in ("zero", "un", "one", "deux", "two", "trois", "three",
                                     "quatre", "four", "cinq", "five", "six", "sept", "seven",
                                     "huit", "eight", "neuf", "nine")):
        return []
    out: list[tuple[int, int, str, tuple[int, ...]]] = []
    run: list[tuple[int, int, str, bool]] = []

    def flush() -> None:
        while run and run[-1][2] == "0" and run[-1][3] and folded[run[-1][0]:run[-1][1]] in (
                "o", "oh"):
            run.pop()  # a trailing "oh" is an interjection
        words = sum(1 for r in run if r[3])
        digits = "".join(r[2] for r in run)
        if words >= 3 and 7 <= len(digits) <= 15:
            out.append((run[0][0], run[-1][1], digits, tuple(len(r[2]) for r in run)))
        run.clear()

    last_end = 0
    for match in _TOKEN.finditer(folded):
        token = match.group(0)
        value = token if token.isdigit() else _WORD_DIGITS.get(token)
        if value is not None and len(value) > 4:
            value = None  # a long figure is another number, not part of a spelled one
        joined = bool(run) and _JOINER.match(folded[last_end:match.start()]) is not None
        if value is None or (run and not joined):
            flush()
        if value is not None:
            if not run and token in ("o", "oh", "un", "une", "one"):
                # "un", "one" and "oh" open sentences: they start a run only before a digit.
                nxt = _TOKEN.match(folded, match.end() + 1) if match.end() < len(folded) else None
                if nxt is None or (not nxt.group(0).isdigit()
                                   and nxt.group(0) not in _WORD_DIGITS):
                    last_end = match.end()
                    continue
            run.append((match.start(), match.end(), value, not token.isdigit()))
        last_end = match.end()
    flush()
    return out


# -- IBAN -------------------------------------------------------------------------------------

# ISO 13616 lengths of the countries whose IBANs are likeliest on a Québec page.
_IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AT": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29, "CH": 21, "CI": 28,
    "CM": 27, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DZ": 26, "EE": 20, "EG": 29, "ES": 24,
    "FI": 18, "FR": 27, "GB": 22, "GR": 27, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IT": 27,
    "LB": 28, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MA": 28, "MC": 27, "MG": 27, "ML": 28,
    "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PT": 25, "QA": 29, "RO": 24,
    "RS": 22, "SA": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SN": 28, "TN": 24, "TR": 26,
    "UA": 29,
}
_IBAN = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{2}\d{2}(?:[ -]?[A-Za-z0-9]){11,30})(?![A-Za-z0-9])")
_IBAN_CONTEXT = re.compile(r"\b(?:iban|rib|bic|swift|compte|account|virement|virez|transfer"
                           r"|wire|banque|bank)\b")


def iban_valid(compact: str) -> bool:
    """Whether ``compact`` (no spaces, upper case) is an IBAN with valid check digits (pure)."""
    country = compact[:2]
    if _IBAN_LENGTHS.get(country) != len(compact) or not compact.isalnum():
        return False
    moved = compact[4:] + compact[:4]
    number = "".join(str(int(c, 36)) for c in moved)
    return int(number) % 97 == 1


def find_ibans(original: str) -> list[tuple[int, int, bool]]:
    """IBANs in the original text (pure).

    Returns:
        ``(start, end, context)``: ``context`` when banking words are near.
    """
    out: list[tuple[int, int, bool]] = []
    for match in _IBAN.finditer(original):
        raw = match.group(1)
        compact = re.sub(r"[ -]", "", raw).upper()
        # The run may swallow a following word ("...189 au cas"): trim to the country length.
        want = _IBAN_LENGTHS.get(compact[:2])
        if want is None or len(compact) < want:
            continue
        end = match.start(1)
        count = 0
        for index, char in enumerate(raw):
            if char.isalnum():
                count += 1
            if count == want:
                end = match.start(1) + index + 1
                break
        if not iban_valid(compact[:want]):
            continue
        near = original[max(0, match.start() - 50):match.start()].lower()
        out.append((match.start(1), end, _IBAN_CONTEXT.search(near) is not None))
    return out


# -- SSN and NIR ------------------------------------------------------------------------------

_SSN = re.compile(r"(?<![\d-])(\d{3})[- ](\d{2})[- ](\d{4})(?![\d-])")
_SSN_CONTEXT = re.compile(r"\b(?:ssn|social security|securite sociale|social\b(?= \d)|ss#"
                          r"|numero de secu|secu)")
_NIR = re.compile(r"(?<!\d)([12])\s?(\d{2})\s?(\d{2})\s?(\d{2}|2a|2b)\s?(\d{3})\s?(\d{3})"
                  r"\s?(\d{2})(?!\d)")


def _ssn_plausible(area: str, group: str, serial: str) -> bool:
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"


def find_national_ids(folded: str) -> list[tuple[int, int, str, bool]]:
    """US Social Security Numbers and French NIR (pure).

    Returns:
        ``(start, end, kind, context)`` with ``kind`` ``ssn`` or ``nir``; ``context`` when
        "SSN / social security / sécurité sociale" is near.
    """
    out: list[tuple[int, int, str, bool]] = []
    for match in _NIR.finditer(folded):
        sex, year, month, dept, commune, order, key = match.groups()
        if not (1 <= int(month) <= 12 or 20 <= int(month) <= 42):
            continue
        dept_num = dept.replace("2a", "19").replace("2b", "18")
        body = int(sex + year + month + dept_num + commune + order)
        if 97 - body % 97 != int(key):
            continue
        near = folded[max(0, match.start() - 60):match.start() + 1]
        out.append((match.start(), match.end(), "nir", _SSN_CONTEXT.search(near) is not None))
    for match in _SSN.finditer(folded):
        if not _ssn_plausible(*match.groups()):
            continue
        if any(s <= match.start() < e for s, e, _, _ in out):
            continue
        near = folded[max(0, match.start() - 60):match.start() + 1]
        out.append((match.start(), match.end(), "ssn", _SSN_CONTEXT.search(near) is not None))
    return out


# -- staff numbers ----------------------------------------------------------------------------

_STAFF = re.compile(
    r"\b(?:(?:numero|no\.?|n°|#|matricule|code|id|identifiant)\s+(?:d'|de l'|du\s+)?"
    r"(?:employee?|employe\(?e?\)?|personnel|membre du personnel|agent)"
    r"|(?:employee|staff|personnel|badge|payroll|worker)\s*(?:number|no\.?|id|#|num)"
    r"|employee\s+id)\b(?:\s+(?:de|du|d'|of)\s*[\w.'-]+(?:\s+[\w'-]+){0,3}?)?"
    r"[\s:#.]*(?:(?:is|est|c'est|c est|:)\s*)?"
    r"(?P<id>[a-z]{0,3}-?\d[\d-]{3,11}\d)(?![\w])"
)


def find_staff_ids(folded: str) -> list[tuple[int, int]]:
    """Employee or staff numbers right after their keyword (pure)."""
    if not any(w in folded for w in ("employ", "staff", "personnel", "badge", "payroll", "agent",
                                     "worker")):
        return []
    return [(m.start("id"), m.end("id")) for m in _STAFF.finditer(folded)]


# -- private facts ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FactHit:
    """A private fact tied to a person (offsets in the folded text).

    Attributes:
        start: start of the phrase.
        end: end of the phrase.
        kind: ``orientation``, ``grades`` or ``account``.
        referent: ``named`` (a person's name before it) or ``pronoun``.
        outing: the comment says the fact is hidden ("il le cache", "doesn't know").
    """

    start: int
    end: int
    kind: str
    referent: str
    outing: bool


_ORIENTATION = re.compile(
    r"\b(?:est|is|serait|etait|was|is secretly|est en fait|is actually|est rendu|came out as"
    r"|sort avec (?:un|une) (?:gars|fille|homme|femme))?\s*"
    r"(?P<word>gaie?s?|gay|lesbiennes?|lesbian|bisexuel(?:le)?s?|bisexual|bi|homosexuel(?:le)?s?"
    r"|homosexual|homo|queer|pansexuel(?:le)?|pansexual|asexuel(?:le)?|asexual"
    r"|trans|transgenre|transgender|non-binaire|non-binary|dans le placard|in the closet"
    r"|closeted)\b"
)
_COPULA_BEFORE = re.compile(r"\b(?:est|is|serait|etait|was|secretly|en fait|actually|rendu"
                            r"|came out as|sort du placard)\s+$")
_OUTING = re.compile(
    r"\b(?:le cache|la cache|le sait pas|le savent pas|sait pas encore|savent pas|ne le sait pas"
    r"|en secret|secretement|no idea|doesn't know|don't know|does not know|hides? it|hiding it"
    r"|secretly|tout le monde devrait savoir|everyone should know|faut que tout le monde sache"
    r"|dans le placard|in the closet|closeted|personne le sait|nobody knows)\b"
)
_PROUD = re.compile(r"\b(?:fier|fiere|proud|fierte|pride|coming out|allie|ally|mon |ma |my )")
_GRADES = re.compile(
    r"\b(?:a eu|got|scored|obtenu|a obtenu|a fait|had)\s+(?:un |une |a )?\d{1,3}(?:[.,]\d)?\s?%"
    r"|\b(?:a (?:coule|echoue|rate)|failed|flunked|is failing|echoue|coule)\b"
    r"|\b(?:en probation|on (?:academic )?probation|academic probation|exclu(?:e)? du programme"
    r"|kicked out of the program|expelled|renvoye(?:e)?)\b"
    r"|\bmoyenne (?:cumulative )?de \d|\bgpa (?:is|of|de) \d"
)
_ACADEMIC = re.compile(r"\b(?:intra|examens?|exams?|final|midterms?|cours|courses?|session"
                       r"|semester|moyenne|gpa|note|notes|grades?|programme|program|probation"
                       r"|[a-z]{3}\d{4})\b")
_ACCOUNT = re.compile(
    r"\b(?:son|sa|ses|his|her|their|(?P<named>[a-z'-]+(?:'s)))\s+"
    r"(?:(?:vrai|real|second|deuxieme|main|alt)\s+)?"
    r"(?:facebook|fb|insta(?:gram)?|snap(?:chat)?|tiktok|twitter|x|linkedin|onlyfans|discord"
    r"|compte (?:facebook|insta(?:gram)?|snap|tiktok|twitter|discord|linkedin))"
    r"(?:\s+(?:perso|personnel|prive|privee|private|personal|secret))?"
    r"\s*(?:c'est|c est|est|is|:|=|->|here|ici)\s*"
    r"(?P<target>@[a-z0-9_.]{3,30}|(?:https?://)?(?:www\.)?(?:facebook|fb|instagram|snapchat"
    r"|tiktok|twitter|x|linkedin|onlyfans)\.com/\S+)"
)
_SELF_PREFIX = re.compile(r"\b(?:i|je|j'|moi|me|my|mon|ma)\b")


def _named_before(start: int, people_starts: Sequence[int], reach: int = 45) -> bool:
    return any(0 <= start - p <= reach for p in people_starts)


def find_private_facts(folded: str, people_starts: Callable[[], Sequence[int]]) -> list[FactHit]:
    """Private facts tied to a named person or an identified third person (pure).

    Args:
        folded: the folded text.
        people_starts: folded offsets where a person's name starts (full names, titles,
            given names), computed only when a candidate fact is found.
    """
    out: list[FactHit] = []
    lowered = folded
    outing = _OUTING.search(lowered) is not None
    for match in _ORIENTATION.finditer(lowered):
        word = match.group("word")
        start = match.start("word")
        before = lowered[max(0, start - 50):start]
        sentence = before.rsplit(".", 1)[-1]
        if _COPULA_BEFORE.search(before) is None and word not in ("dans le placard",
                                                                  "in the closet"):
            continue  # "la Fierté gaie", "a gay student": an adjective, nobody outed
        if _SELF_PREFIX.search(sentence) and not outing:
            continue  # "je suis gai", "mon frère est gai et fier": said by or of one's own
        if _PROUD.search(lowered) and not outing:
            continue
        if word in ("bi", "homo", "trans") and not outing:
            continue  # short forms are also slang and prefixes
        starts = people_starts()
        if _named_before(start, starts):
            out.append(FactHit(max(0, start - 45), match.end(), "orientation", "named", outing))
        elif outing:
            out.append(FactHit(match.start(), match.end(), "orientation", "pronoun", outing))
    for match in _GRADES.finditer(lowered):
        if _ACADEMIC.search(lowered) is None:
            continue
        sentence = lowered[max(0, match.start() - 50):match.start()].rsplit(".", 1)[-1]
        if _SELF_PREFIX.search(sentence):
            continue  # "j'ai eu 92 %", "I got 41% and still passed"
        if _named_before(match.start(), people_starts()):
            out.append(FactHit(max(0, match.start() - 45), match.end(), "grades", "named", False))
    for match in _ACCOUNT.finditer(lowered):
        named = match.group("named")
        if named is not None and named.removesuffix("'s") in (
                "my", "mon", "ma", "our", "it", "that", "what", "let", "there", "here", "he",
                "she", "who", "where"):
            continue
        referent = "named" if named is not None or _named_before(
            match.start(), people_starts(), 60) else "pronoun"
        out.append(FactHit(match.start(), match.end(), "account", referent, outing))
    return out
