"""People in a comment: names, whose data a number belongs to, health details, accusations.

A cheap stand-in for a named-entity model. Names are found with capitalised-word patterns and
a gazetteer of given names; they are never evidence on their own, only a sign that other
evidence (a phone, a health detail, an accusation) is about an identifiable third person.

Whose data is it? The pronoun closest before the data decides ("*son* cell", "*her* number",
"*mon* numéro", "écrivez-*nous*"): a third person's data is a privacy breach, the writer's own
or an organisation's contact line is not.

Loaded once per process (lexicons are cached); the functions are pure afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, lru_cache
from importlib import resources

import ahocorasick

from vigie.text.normalize import fold_char

__all__ = [
    "HealthHit",
    "Owner",
    "PersonRef",
    "find_health",
    "find_people",
    "find_reputation",
    "has_role_person",
    "owner_of",
]

_UP = "A-ZÀ-ÖØ-Þ"
_LOW = "a-zà-öø-ÿ"
_CAP = rf"(?:[{_UP}]['’])?(?:Mc|Mac)?[{_UP}][{_LOW}]+(?:-[{_UP}][{_LOW}]+)*"
_PARTICLE = r"(?:(?:de|du|des|van|von|da|di|dos|ben|bin|el|al|le|la)\s+)?"
# The second name sits in a lookahead so that matches may overlap: in "Contact Sophie Roy",
# "Contact Sophie" is rejected and "Sophie Roy" is still found.
_FULL = re.compile(rf"(?<![\w@])({_CAP})(?=\s+{_PARTICLE}({_CAP})\b)")
_SINGLE = re.compile(rf"(?<![\w@.-])({_CAP})\b")
# Given names that are also everyday words at the start of a sentence ("Ben là", "Will you").
_AMBIGUOUS_GIVEN = frozenset({"ben", "will", "mark", "claire", "rose", "jean", "noel", "guy",
                              "lance", "pierre", "may", "dominique"})
_TITLE = re.compile(
    r"(?<![\w@])(?:[Pp]rof\.?|[Pp]rofesseure?|[Pp]rofessor|[Dd]r\.?|[Dd]re|[Dd]octeure?|M\.|Mme"
    rf"|Mlle|Mr\.?|Mrs\.?|Ms\.?|[Mm]adame|[Mm]onsieur)\s+(?:{_CAP}\s+)?({_CAP})\b"
)
_HANDLE = re.compile(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_.]{2,29}")


class Owner(StrEnum):
    """Whose personal data a piece of contact data is, judged from the words around it."""

    THIRD = "third"
    SELF = "self"
    ORG = "org"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class PersonRef:
    """A reference to a person in the original text.

    Attributes:
        start: start offset in the original text.
        end: end offset in the original text.
        kind: ``full`` (known given name + surname), ``title`` ("Prof. Mercier"), ``pair``
            (two capitalised words, weaker), ``first`` (a known given name alone) or
            ``handle`` (an @mention).
    """

    start: int
    end: int
    kind: str


@lru_cache(maxsize=4096)
def _fold(text: str) -> str:
    return "".join(fold_char(c) for c in text)


def _read_list(name: str) -> list[str]:
    path = resources.files("vigie").joinpath(f"data/privacy/{name}")
    return [
        line.strip()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]


@cache
def _given_names() -> frozenset[str]:
    return frozenset(_read_list("first_names.txt"))


@cache
def _not_names() -> frozenset[str]:
    return frozenset(_read_list("not_names.txt"))


def find_people(text: str, author_name: str = "") -> list[PersonRef]:
    """Find references to people in ``text`` (original case), except the author (pure).

    Args:
        text: the comment as posted.
        author_name: the author's display name; mentions of it are the writer, not a third
            person.
    """
    given, stop = _given_names(), _not_names()
    author = _fold(author_name)
    found: list[PersonRef] = []
    taken: set[int] = set()
    for match in _TITLE.finditer(text):
        surname = _fold(match.group(1))
        if surname not in stop and (not author or surname not in author):
            found.append(PersonRef(match.start(), match.end(), "title"))
            taken.update(range(match.start(), match.end()))
    for match in _FULL.finditer(text):
        if match.start() in taken:
            continue
        end = match.end(2)
        first, last = _fold(match.group(1)), _fold(match.group(2))
        if first in stop or last in stop:
            continue
        if author and f"{first} {last}" in author:
            continue
        if first in given:
            found.append(PersonRef(match.start(), end, "full"))
            taken.update(range(match.start(), end))
            continue
        before = text[: match.start()].rstrip()
        if before and before[-1] not in ".!?:\n\"«(":
            found.append(PersonRef(match.start(), end, "pair"))
            taken.update(range(match.start(), end))
    for match in _SINGLE.finditer(text):
        if match.start() in taken:
            continue
        first = _fold(match.group(1))
        if first in given and first not in _AMBIGUOUS_GIVEN and first not in author.split():
            found.append(PersonRef(match.start(), match.end(), "first"))
    for match in _HANDLE.finditer(text):
        found.append(PersonRef(match.start(), match.end(), "handle"))
    found.sort(key=lambda p: p.start)
    return found


# -- whose data -------------------------------------------------------------------------------

# Friends and relatives: "mon chum", "my roommate" are third persons, not the writer.
_RELATIONS = (
    r"pere|mere|frere|soeur|fils|fille|grand-pere|grand-mere|oncle|tante|cousin|cousine|ami"
    r"|amie|chum|blonde|conjoint|conjointe|coloc|colocataire|voisin|voisine|collegue|prof|boss"
    r"|dad|father|mom|mother|brother|sister|son|daughter|uncle|aunt|friend|boyfriend|girlfriend"
    r"|partner|husband|wife|roommate|neighbour|neighbor|grandpa|grandma|grandfather|grandmother"
    r"|colleague|classmate|coworker"
)

# Cues read on the folded text, closest to the data first.
_OWNER_CUES = re.compile(
    r"(?P<third>\b(?:son|sa|ses|his|her|him|lui|leur)\b|-(?:le|la|lui)\b"
    rf"|\b(?:mon|ma|mes|my)\s+(?:{_RELATIONS})\b"
    r"|\b(?!(?:it|that|he|she|what|there|here|let|who|where)'s)[a-z]+'s\b)"
    r"|(?P<self>\b(?:mon|ma|mes|my|me|moi|je|j'|i|i'm|mine)\b|-moi\b)"
    r"|(?P<org>\b(?:nous|nos|notre|us|our|we|whatsapp|telegram|wechat|viber|contactez|contactez-nous"
    r"|sans frais|toll[- ]free|escribenos|llamanos|contactanos|nuestro|bureau|reception|accueil"
    r"|secretariat|entreprise|company|business|service|services|clinique|clinic|magasin|store"
    r"|commandes?|orders?|dm|inbox|securite|security|urgence|urgences|emergency|ligne|line|poste"
    r"|centre|center|clsc|hopital|hospital|cafe|restaurant|resto|bar|boutique|shop|salle|pavillon"
    r"|campus|bibliotheque|library|cegep|ecole|school|universite|eglise|church|association|asso)\b)"
)
_AFTER_CUES = re.compile(
    r"(?P<third>-(?:le|la|lui)\b|\b(?:him|her|his|lui|he|she|il|elle)\b)"
    r"|(?P<self>-moi\b|\bme\b)"
    r"|(?P<org>-nous\b|\bus\b)"
)


def owner_of(folded: str, start: int, end: int, window: int = 60) -> Owner:
    """Judge whose data ``folded[start:end]`` is from the nearest pronoun or cue (pure).

    Looks back ``window`` characters for the closest cue, then a little ahead
    ("appelez-*le* au ...", "call *me*").
    """
    last: str | None = None
    for match in _OWNER_CUES.finditer(folded, max(0, start - window), start):
        last = match.lastgroup
    if last is None:
        after = _AFTER_CUES.search(folded, end, min(len(folded), end + 30))
        last = after.lastgroup if after is not None else None
    return Owner(last) if last is not None else Owner.UNKNOWN


# -- health -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HealthHit:
    """A health detail tied to a third person.

    Attributes:
        start: start offset in the folded text.
        end: end offset in the folded text.
        kind: ``condition``, ``treatment``, ``event`` or ``state``.
        referent: ``named`` (a name in the comment), ``role`` ("la candidate"),
            ``pronoun`` (il/elle only) or ``relative`` (my father, my roommate: unnamed).
    """

    start: int
    end: int
    kind: str
    referent: str


@cache
def _health_automaton() -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for line in _read_list("health_terms.txt"):
        term, kind = line.split("\t")
        automaton.add_word(term, (len(term), kind))
    automaton.make_automaton()
    return automaton


_MAX_TERMS = 30
_SENTENCE_END = re.compile(r"[.!?\n;]")
_COPULA = (
    r"est|etait|sera|serait|devenue?|is|was|'s|got|gets|became|has become|been|est rendue?"
    r"|est tombee|he's|she's"
)
_FILLER = (
    r"un|une|le|la|l'|les|des|du|de|d'|a|an|the|from|of|with|en|contre|avec|on|sous|in|through"
    r"|been|diagnosed|diagnostiquee?|atteinte?|grave|gros|grosse|severe|chronic|chronique|really"
    r"|very|tres|encore|deja|already|still|toujours|since|rendue?|tombee?|had|having|getting"
    r"|some|major|bad|mauvaise|pour|une grave|de la|d'une?|pas mal|vraiment|probably|probablement"
)
_VERB_END = re.compile(
    rf"\b(?P<verb>{_COPULA}|a|avait|aurait|a eu|avait eu|fait|a fait|faisait|prend|prenait|souffre"
    r"|souffrait|vit|se bat|combat|combattu|vaincu|survecu|subi|recu|traverse|lutte|se remet"
    r"|recupere|has|had|takes|took|suffers|suffered|beat|survived|battled|fought"
    r"|struggles|struggling|battling|fighting|recovering|recovers|recuperating|underwent|needs)"
    rf"(?:\s+(?:{_FILLER}))*\s*$"
)
_COPULA_ONLY = re.compile(rf"^(?:{_COPULA})$")
_POSS_END = re.compile(
    r"\b(?P<poss>son|sa|ses|his|her)\s+(?:(?:propre|own|grave|gros|grosse|recent|recente|nouvelle"
    r"|nouveau|new|chronic|chronique|severe|secret|secrete)\s+)?$"
)
_SELF_END = re.compile(r"\b(?:mon|ma|mes|my)\s+(?:\w+\s+)?$")
_SUBJECT = re.compile(
    r"(?P<self>\b(?:je|j'|i|i'm|i've|moi)\b)"
    r"|(?P<third>\b(?:il|elle|he|she|qu'il|qu'elle|he's|she's)\b(?!\s+(?:y a|faut|fallait|semble"
    r"|est (?:important|possible|temps|clair|vrai|dommage|normal)|s'agit)))"
)
_ROLE = re.compile(
    r"\b(?:le|la|l'|notre|votre|the|our|your|cette|ce|that)\s*(?:(?:nouveau|nouvelle|ancien"
    r"|ancienne|new|former|old)\s+)?(?:prof|professeure?|professor|candidate?|directeur|directrice"
    r"|director|registraire|registrar|gardien|gardienne|guard|doyen|doyenne|dean|recteur|rectrice"
    r"|president|presidente|charge|chargee|technicien|technicienne|technician|secretaire"
    r"|coach|entraineur|entraineuse|capitaine|captain|ministre|minister|depute|deputee|mairesse"
    r"|maire|mayor|employee?|concierge|manager|gerant|gerante|boss|patron|patronne)\b"
)
_ROLE_TITULAR = re.compile(r"\b(?:l'ancien|l'ancienne|le|la|the former|the)\s+titulaire\b")


def has_role_person(folded: str) -> bool:
    """Whether the text designates one person by role ("la registraire", "l'ancien titulaire")."""
    return _ROLE.search(folded) is not None or _ROLE_TITULAR.search(folded) is not None


_RELATIVE = re.compile(rf"\b(?:mon|ma|mes|my)\s+(?:{_RELATIONS})\b")


def _health_terms(folded: str) -> list[tuple[int, int, str]]:
    found: list[tuple[int, int, str]] = []
    for last, (length, kind) in _health_automaton().iter(folded):
        start, end = last - length + 1, last + 1
        if (start > 0 and folded[start - 1].isalnum()) or (
            end < len(folded) and folded[end].isalnum()
        ):
            continue
        found.append((start, end, kind))
    # Keep the longest term where several overlap ("heart surgery" over "surgery").
    found.sort(key=lambda t: (t[0], t[0] - t[1]))
    kept: list[tuple[int, int, str]] = []
    for term in found:
        if kept and term[0] < kept[-1][1]:
            continue
        kept.append(term)
    return kept


def find_health(folded: str, people: Callable[[], Sequence[PersonRef]], original: str,
                offsets: Sequence[int]) -> list[HealthHit]:
    """Find health details that the text ties to a third person (pure).

    A term counts when a possessive ("son TDAH", "his surgery") or a verb ("elle est
    bipolaire", "il prend des antidépresseurs") ties it to someone other than the writer.

    Args:
        folded: the folded comment text.
        people: returns the person references of :func:`find_people` (called only when a
            health term is tied to someone); a name (not an @mention) makes the referent
            ``named``, unless the sentence speaks of an unnamed relative ("ma mère").
        original: the comment as posted ("à l'IVG" is no verb, "a l'IVG" would be).
        offsets: folded-to-original offsets.
    """
    terms = _health_terms(folded)[:_MAX_TERMS]  # bounds the work on pathological input
    if not terms:
        return []
    out: list[HealthHit] = []
    for start, end, kind in terms:
        sentence_start = 0
        for boundary in _SENTENCE_END.finditer(folded, max(0, start - 160), start):
            sentence_start = boundary.end()
        pre = folded[max(sentence_start, start - 90):start]
        if _SELF_END.search(pre):
            continue
        verb = _VERB_END.search(pre)
        poss = _POSS_END.search(pre)
        if verb is not None and verb.group("verb") == "a":
            at = start - len(pre) + verb.start("verb")
            if at < len(offsets) and original[offsets[at]] == "à":
                verb = None  # the preposition "à", folded like the verb "a"
        if verb is not None:
            if kind == "state" and not _COPULA_ONLY.match(verb.group("verb")):
                continue
            subject_zone = pre[: verb.start()] if not verb.group("verb").endswith("'s") else pre
        elif poss is not None and kind != "state":
            subject_zone = folded[max(0, start - 200):start]
        else:
            continue
        last_subject: str | None = None
        for match in _SUBJECT.finditer(subject_zone):
            last_subject = match.lastgroup
        if verb is not None and verb.group("verb") in ("he's", "she's"):
            last_subject = "third"
        if last_subject == "self":
            continue
        role = _ROLE.search(folded, max(0, start - 200), start) is not None
        relative = _RELATIVE.search(folded, max(0, start - 200), start) is not None
        names = [p for p in people() if p.kind != "handle"]
        sentence_from = offsets[sentence_start] if sentence_start < len(offsets) else 0
        named_here = any(p.start >= sentence_from for p in names)
        if _RELATIVE.search(folded, sentence_start, start) and not named_here:
            referent = "relative"  # "Ma mère rêve qu'elle est enceinte"
        elif names:
            referent = "named"
        elif role:
            referent = "role"
        elif relative:
            referent = "relative"
        elif last_subject == "third" or poss is not None:
            referent = "pronoun"
        else:
            continue
        out.append(HealthHit(start, end, kind, referent))
    return out


# -- accusations (reputation) -----------------------------------------------------------------

_ACCUSATION = re.compile(
    r"\b(?:c'est (?:lui|elle)(?: qui)?|est|etait|is|was|he's|she's)\s+(?:un |une |le |la |l'"
    r"|a |an |the )?(?:vrai |vraie |gros |grosse |real |total |known |notorious )?"
    r"(?P<noun>pirate|hacker|voleur|voleuse|fraudeur|fraudeuse|escroc|violeur|pedophile|pedo"
    r"|predateur|predatrice|agresseur|agresseuse|harceleur|harceleuse|dealer|vendeur de drogue"
    r"|criminel|criminelle|tricheur|tricheuse|plagiaire|arnaqueur|arnaqueuse|thief|paedophile"
    r"|rapist|predator|fraudster|scammer|criminal|stalker|abuser|drug dealer|cheater|plagiarist"
    r"|embezzler|child molester)\b"
    r"|\b(?:a|avait|aurait|ont)\s+(?:deja\s+)?(?P<act>vole|viole|agresse|harcele|fraude|triche"
    r"|plagie|detourne|pirate|drogue)\b(?!\s+(?:la vedette|le show|le spectacle|haut|au-dessus"
    r"|en\b|vers|jusqu|au secours|a la rescousse|au-devant|de ses propres ailes))"
    r"|\b(?P<act_en>stole|raped|molested|harassed|embezzled|plagiari[sz]ed|cheated on (?:the|his"
    r"|her|an?) (?:exam|test|final|midterm)|sells drugs|deals drugs|vend de la drogue"
    r"|deale de la drogue)\b"
)


def find_reputation(folded: str, people: Callable[[], Sequence[PersonRef]],
                    offsets: Sequence[int]) -> list[tuple[int, int, str]]:
    """Find precise criminal or misconduct accusations against a named person (pure).

    Args:
        folded: the folded comment text.
        people: returns the person references (called only when an accusation is found).
        offsets: folded-to-original offsets.

    Returns:
        ``(start, end, what)`` spans in the folded text; only where a named person (not an
        @mention alone) appears before the accusation in the comment.
    """
    out: list[tuple[int, int, str]] = []
    matches = list(_ACCUSATION.finditer(folded))
    if not matches:
        return out
    named = [p for p in people() if p.kind in ("full", "title", "pair")]
    for match in matches:
        original_start = offsets[match.start()] if match.start() < len(offsets) else 0
        if not any(p.start < original_start for p in named):
            continue
        what = match.group("noun") or match.group("act") or match.group("act_en") or ""
        out.append((match.start(), match.end(), what))
    return out
