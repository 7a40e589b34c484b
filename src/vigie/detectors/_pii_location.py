"""Where a person lives: street addresses, postal codes, residence rooms, doxxing phrases.

Matches run on the folded text (lower case, no accents), with a look back at the original
text to see whether the street name is capitalised: "89 rue des Érables" is an address,
"1 place libre" is a free seat. Québec forms come first (number, street type, name:
"2210 rue Jean-Talon Est, app. 6"), then English ones ("12 Maple Street") and the bare form
that only a unit number makes safe ("4400 Édouard-Montpetit apt 312").

A doxxing phrase ("il reste au", "lives at", "son appart c'est au") right before an address,
or an invitation to go there ("venez cogner", "allez lui dire"), turns an address into an
exposure of where someone lives. Pure functions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "AddressHit",
    "find_addresses",
    "find_postal_codes",
    "find_private_accounts",
    "find_residence_rooms",
    "find_zip_codes",
    "lives_in_city",
    "residence_cue",
    "visit_call",
]

_FR_TYPES = (
    r"rue|avenue|av\.?|boulevard|boul\.?|bd|blvd\.?|chemin|ch\.|rang|montee|place|croissant|cote"
    r"|route|rte|allee|impasse|terrasse|promenade|carre|ruelle|square|autoroute|voie|rond-point"
)
_EN_TYPES = (
    r"street|st|avenue|ave|road|rd|boulevard|blvd|drive|dr|crescent|cres|lane|ln|way|court|ct"
    r"|place|pl|terrace|circle|parkway|highway|hwy"
)
_NAME_TOKEN = r"[\w'’.-]+"
_STOP = r"(?:a|au|aux|et|pis|pour|dans|en|sur|le|la|les|app|apt|with|in|and|to|at|if|si|ou|or)"
_ADDR_FR = re.compile(
    rf"\b(?P<num>\d{{1,5}})(?:[- ]?(?:[a-d]|bis|ter)\b)?,?\s+(?:{_FR_TYPES})\s+"
    r"(?:(?:de la|de l'|des|du|de|d')\s*)?"
    rf"(?P<name>{_NAME_TOKEN}(?:\s+(?!{_STOP}\b){_NAME_TOKEN}){{0,3}})"
)
_ADDR_EN = re.compile(
    rf"\b(?P<num>\d{{1,5}})\s+(?P<name>(?:{_NAME_TOKEN}\s+){{1,3}}?)(?:{_EN_TYPES})\b\.?"
)
_ADDR_BARE = re.compile(
    rf"\b(?P<num>\d{{2,5}}),?\s+(?P<name>(?:{_NAME_TOKEN}\s+){{0,2}}{_NAME_TOKEN}),?\s+"
    r"(?:apt|app|appartement|apartment|unit|unite|suite|logement|#)\.?\s*\d{1,5}[a-z]?\b"
)
_UNIT = re.compile(
    r"\s*,?\s*(?:apt|app|appartement|apartment|unit|unite|suite|logement|log|#|porte)\.?\s*"
    r"\d{1,5}[a-z]?\b"
)
_POSTAL = re.compile(
    r"\b[abceghj-nprstvxy]\d[abceghj-nprstv-z][ -]?\d[abceghj-nprstv-z]\d\b"
)
_ROOM = re.compile(
    r"\b(?:residences?|rez|dorms?|building|batiment|pavillon)\b[^.!?\n]{0,30}?"
    r"\b(?:room|chambre|ch\.|apt|app|appartement|unit|porte)\.?\s*[a-z]?-?\d{1,4}\b"
)
_LIVES = re.compile(
    r"\b(?:habite|habitent|habitait|reste|restent|restait|demeure|demeurent|vit|vivent|rete|lives"
    r"|live|living|stays|staying|resides|moved(?: back)? to|moved back|a demenage|est demenagee?"
    r"|est repartie?|is staying)\b"
)
_HOME = re.compile(
    r"\b(?:son|sa|his|her|leur|their|mon|ma|my)\s+(?:appart|appartement|apartment|maison|house"
    r"|place|adresse|address|condo|logement|chambre|room|dorm|dortoir|residence|rez)\b"
    r"|\bchez (?:lui|elle|eux|moi|nous)\b"
    r"|\bchez (?:ses|son|sa|leurs?) (?:parents|pere|mere|chum|blonde|copain|copine"
    r"|grands-parents)\b"
    r"|\b(?:his|her|their) (?:parents'?|mom'?s|dad'?s|family'?s?) (?:place|house|home)\b"
)
_SELF_HOME = re.compile(r"^(?:mon|ma|my)\b|chez (?:moi|nous)")
_SELF_BEFORE = re.compile(r"(?:\bj'|\bje |\bi |\bwe |\bnous )\s*\S*\s*$")
_VISIT = re.compile(
    r"\b(?:venez cogner|allez cogner|allez (?:lui|leur) dire|allez le voir|allez la voir"
    r"|rendez-vous devant|devant chez (?:lui|elle)|go knock|pay (?:him|her) a visit"
    r"|(?:congratulate|see|tell) (?:him|her) in person|en personne|show up at"
    r"|go see (?:him|her)|visit (?:him|her))\b"
)
_CITY = re.compile(
    r"\s+(?:maintenant\s+|now\s+|encore\s+|still\s+)?(?:a|au|in|on)\s+(?P<city>[\w'-]+)"
)
_PRIVATE_ACCOUNT = re.compile(
    r"\b(?:(?:private|prive|privee|perso|secret|finsta|second|alt)\s+(?:insta|instagram|ig|snap"
    r"|snapchat|tiktok|account|compte|fb|facebook|twitter)|(?:insta|instagram|snap|snapchat|compte"
    r"|account)\s+(?:prive|privee|perso|personnel|personnelle|private|secret))\b"
)
_HANDLE = re.compile(r"@[a-z0-9_.]{3,30}")


@dataclass(frozen=True, slots=True)
class AddressHit:
    """A street address in the folded text.

    Attributes:
        start: start offset in the folded text.
        end: end offset in the folded text (unit number included).
        number: the civic number.
        street: the folded street name (first word), for matching public addresses.
        capitalised: the street name is capitalised in the original text.
        unit: an apartment or unit number follows.
        form: ``fr``, ``en`` or ``bare``.
    """

    start: int
    end: int
    number: str
    street: str
    capitalised: bool
    unit: bool
    form: str


def _capitalised(original: str, offsets: Sequence[int], folded_index: int) -> bool:
    if folded_index >= len(offsets):
        return False
    char = original[offsets[folded_index]]
    return char.isupper() or char.isdigit()


def find_addresses(folded: str, original: str, offsets: Sequence[int]) -> list[AddressHit]:
    """Find street addresses (pure); overlapping forms keep the first found."""
    hits: list[AddressHit] = []
    for form, pattern in (("fr", _ADDR_FR), ("bare", _ADDR_BARE), ("en", _ADDR_EN)):
        for match in pattern.finditer(folded):
            if any(h.start <= match.start() < h.end for h in hits):
                continue
            name_start = match.start("name")
            capitalised = _capitalised(original, offsets, name_start)
            if form != "fr" and not capitalised:
                continue  # "10 minutes drive", "25 ans, app 3": English forms need capitals
            if form == "en" and not _capitalised(original, offsets, match.end("name")):
                continue  # "1:3 Every place that...": the street type is capitalised too
            end = match.end()
            unit = form == "bare"
            more = _UNIT.match(folded, end)
            if more is not None and not unit:
                end, unit = more.end(), True
            street = match.group("name").split()[0] if match.group("name").split() else ""
            hits.append(AddressHit(match.start(), end, match.group("num"), street,
                                   capitalised, unit, form))
    hits.sort(key=lambda h: h.start)
    return hits


# Five-digit postal codes: a US ZIP after its state ("VT 05401", "MA 02116-1234") or a French
# code before its town ("69002 Lyon"). Read only next to a street address: alone, five digits
# are counts and prices.
_ZIP = re.compile(
    r"\b(?:a[klrz]|c[aot]|d[ce]|fl|ga|hi|i[adln]|k[sy]|la|m[adeinost]|n[cdehjmvy]|o[hkr]|pa|ri"
    r"|s[cd]|t[nx]|ut|v[at]|w[aivy])\s+\d{5}(?:-\d{4})?\b|\b\d{5}\s+[a-z][\w'-]{2,}"
)


def find_zip_codes(folded: str) -> list[tuple[int, int, str]]:
    """US ZIP and French postal codes with their state or town, ``(start, end, code)`` (pure)."""
    return [(m.start(), m.end(), m.group(0)) for m in _ZIP.finditer(folded)]


def find_postal_codes(folded: str) -> list[tuple[int, int, str]]:
    """Canadian postal codes as ``(start, end, "A1A1A1")`` in the folded text (pure)."""
    return [
        (m.start(), m.end(), m.group(0).replace(" ", "").replace("-", "").upper())
        for m in _POSTAL.finditer(folded)
    ]


def find_residence_rooms(folded: str) -> list[tuple[int, int]]:
    """Rooms in a residence or building ("building C room 412") in the folded text (pure)."""
    return [(m.start(), m.end()) for m in _ROOM.finditer(folded)]


def residence_cue(folded: str, start: int, reach: int = 45) -> tuple[int, bool] | None:
    """Find a "lives at" phrase ending shortly before ``start`` (pure).

    Returns:
        ``(cue_start, self_owned)`` for the closest cue within ``reach`` characters before
        ``start`` and in the same sentence, or None. ``self_owned`` when the writer speaks of
        their own home ("j'habite au", "mon appart").
    """
    lo = max(0, start - reach)
    window = folded[lo:start]
    cut = max(window.rfind(". "), window.rfind("!"), window.rfind("?"), window.rfind("\n"))
    if cut >= 0:
        lo, window = lo + cut + 1, window[cut + 1:]
    best: re.Match[str] | None = None
    for pattern in (_LIVES, _HOME):
        for match in pattern.finditer(window):
            if best is None or match.start() > best.start():
                best = match
    if best is None:
        return None
    text = best.group(0)
    self_owned = bool(_SELF_HOME.search(text)) or bool(
        _SELF_BEFORE.search(folded[max(0, lo + best.start() - 12):lo + best.start()])
    )
    return lo + best.start(), self_owned


def lives_in_city(folded: str) -> list[tuple[int, int, int, bool]]:
    """"Habite à Brossard", "lives in Laval" (pure).

    Returns:
        ``(start, city_start, end, self_owned)`` in the folded text; the caller checks that
        the place name is capitalised in the original.
    """
    out: list[tuple[int, int, int, bool]] = []
    for match in _LIVES.finditer(folded):
        city = _CITY.match(folded, match.end())
        if city is None:
            continue
        before = folded[max(0, match.start() - 12):match.start()]
        out.append((match.start(), city.start("city"), city.end(),
                    bool(_SELF_BEFORE.search(before))))
    return out


def visit_call(folded: str) -> bool:
    """Whether the text invites readers to go to someone's place (pure)."""
    return _VISIT.search(folded) is not None


def find_private_accounts(folded: str) -> list[tuple[int, int, bool]]:
    """A person's private account handed out ("her private insta is @x") (pure).

    Returns:
        ``(start, end, self_owned)`` spans covering the phrase and the handle.
    """
    out: list[tuple[int, int, bool]] = []
    for match in _PRIVATE_ACCOUNT.finditer(folded):
        handle = _HANDLE.search(folded, match.end(), min(len(folded), match.end() + 30))
        if handle is None:
            continue
        before = folded[max(0, match.start() - 8):match.start()]
        self_owned = re.search(r"\b(?:my|mon|ma)\s*$", before) is not None
        out.append((match.start(), handle.end(), self_owned))
    return out
