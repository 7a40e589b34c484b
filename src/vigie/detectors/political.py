"""Political support (6.4 g) and organisation announcements (6.4 f).

Both recognizers read the gazetteer (:mod:`vigie.text.gazetteer`) and the folded comment.

``political.support`` — a call to vote for a party or a candidate ("votez QS", "on vote
libéral", "Vote Liberal"), a cheer ("Go PQ!"), a leader acclaimed for office ("PSPP premier
ministre!"), a partisan hashtag (``#CAQ2026``), a party slogan, or an endorsement phrase next to
a party's name. A neutral mention of a party as news is not support, nor is agreeing with a
party's *position*; those only give ``political.mention``, an informational signal that no
category of the bundled policy uses (and none should: naming a party is not misconduct).

``org.announcement`` — an organisation (a union, an association, a party, a collective...)
announcing its event: an event word (general assembly, strike vote, rally, picket line,
petition, workshop...) with an organisation and an announcing verb or a call to join, graded
up by a date, a time or a place. Militant events (rally, strike, petition) called for without
a named organisation still count; ordinary events (a workshop, a 5 à 7) need an organisation,
so the institution's own activities are not caught. A question about an event is not an
announcement.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from vigie.detectors.base import DetectorInfo, parse_options
from vigie.errors import PolicyError
from vigie.findings import Finding
from vigie.policy import Policy
from vigie.text.gazetteer import Gazetteer, Leader, Organisation, Party, Slogan, load_gazetteer
from vigie.text.normalize import normalize
from vigie.text.prefilter import Gate
from vigie.text.prepare import PreparedComment
from vigie.text.squeeze import Squeezed, squeeze

__all__ = ["PoliticalDetector", "PoliticalOptions"]

NAME = "vigie.political.gazetteer.v1"
SIGNALS = ("political.support", "org.announcement", "political.mention")


def _phrase(text: str) -> str:
    """Regex for a folded phrase: any run of spaces or hyphens between words, any apostrophe."""
    words = re.split(r"[\s\-]+", normalize(text).text.strip())
    return r"[\s\-]+".join(re.escape(w).replace("'", "['’]") for w in words if w)


def _abbreviation(abbr: str) -> str:
    """Regex for an abbreviation, with or without dots ("QS", "Q.S.")."""
    return r"\.?".join(re.escape(c) for c in abbr) + r"\.?"


def _alternation(phrases: Iterable[str], abbreviations: Iterable[str] = ()) -> str:
    """One regex matching any of ``phrases`` (folded) or ``abbreviations`` (dots optional)."""
    unique = {_phrase(p) for p in phrases if p.strip()}
    unique |= {_abbreviation(normalize(a).text) for a in abbreviations}
    ordered = sorted(unique, key=len, reverse=True)
    return "(?:" + "|".join(ordered) + ")" if ordered else "(?!)"


# --- support cues (folded text) -------------------------------------------------------------
# "vote" is also a noun ("le vote libéral a chuté"): no determiner may precede the verb.
_NOT_NOUN = r"(?<!\ble )(?<!\bdu )(?<!\bau )(?<!\bun )(?<!\bce )(?<!\bson )(?<!\bleur )" \
            r"(?<!\bthe )(?<!\bsa )(?<!\bnotre )(?<!\bvotre )(?<!\bmon )(?<!\bton )"
_VOTE_VERB = (
    r"(?:votez|votons|vote|votes|voter pour|j'?vote|allez voter|vote for|voten por|votem (?:no|na)|"
    r"elisez|reelisez|elect|re-?elect|appuyez|soutenez|donnez votre vote a|votre vote pour)"
)
_VOTE_LINK = (r"\s+(?:pour\s+|for\s+|por\s+|no\s+|na\s+)?"
              r"(?:(?:le|la|les|el|the|a|your|votre|ton|local|locale|du|de)\s+|l['’]\s*){0,3}")
_CHEER = r"(?:go|gogo|let'?s go|vive|allez|bravo au|bravo a la)\s+(?:le\s+|la\s+|les\s+|l['’]\s*)?"
_TITLE = r"(?:premier|premiere|prime)\s+(?:ministre|minister)|maire|mairesse|mayor|pm\b"
_TITLE_NEUTRAL = r"(?!\s+(?:a|du|de|des|depuis|qui|est|etait|avait|has|was|is|of|sortant|actuel)\b)"
_ENDORSE = re.compile(
    r"\b(?:le seul|la seule|the only|seul|meilleur|best|vrai)\s+(?:vrai\s+)?(?:parti|choix|option|"
    r"party|choice)\b|\bseul choix logique\b|\b(?:notre|our)\s+(?:candidat|candidate|cheffe|chef|"
    r"leader)\b|\bon reprend le controle\b|\bpour un pays\b"
)
_DELIVERS = r"\s+(?:livre|a livre|delivers|delivered|tient parole|keeps (?:its )?promises)\b"
_THANKS = r"\b(?:merci|thank you|thanks)\s+(?:au\s+|a\s+la\s+|a\s+|to\s+(?:the\s+)?)?"
_POSITION = re.compile(
    r"\b(?:position|proposition|propose|plan|idee|sur ce point|on this|quand|when)\b"
    r"|\b(?:sur|on|pour|for) (?:la|le|les|l'|leur|son|sa|ses|the|their|its)\b"
)

# --- announcement cues (folded text) --------------------------------------------------------
_MILITANT = re.compile(
    r"\b(?:vote de greve|mandat de greve|greve (?:generale|illimitee|etudiante|du personnel|de "
    r"solidarite)|en greve|ligne de piquetage|ligne de piquet|piquetage|piquet de greve|"
    r"manifestation|manif|marche (?:silencieuse|pour|contre|de solidarite)|(?:une|la|notre|sa) "
    r"marche\b|rassemblement|vigile|sit-in|occupation|petition|lettre ouverte|manifeste|boycott|"
    r"journee d'action|semaine d'action|strike vote|strike mandate|general strike|on strike|"
    r"picket(?:ing)? lines?|picket|rally|protest|demonstration|walk-?out|march (?:for|against|on)"
    r"|(?:a|the|our) march|open letter)\b|#(?:greve|strike|manif|onstrike)\w*"
)
_MEETING = re.compile(
    r"\b(?:assemblee (?:generale|publique|extraordinaire|syndicale|speciale|d'information|des "
    r"membres)|ag (?:extraordinaire|speciale|de greve)|(?:une|l'|notre|son|sa|leur) ?ag\b|"
    r"general (?:assembly|meeting)|agm|town hall|members'? meeting|membership meeting|congres)\b"
)
_ORDINARY_EVENT = re.compile(
    r"\b(?:atelier|workshop|5 a 7|cinq a sept|kiosque|seance d'information|info(?:rmation)? "
    r"session|conference|souper|brunch|levee de fonds|collecte de fonds|fundraiser|campagne|"
    r"campaign|porte-a-porte|tractage|soiree|mixer|reunion|meeting)\b"
)
_CALL = re.compile(
    r"\b(?:venez|viens|joignez[- ]vous|joins[- ]toi|rejoignez[- ]nous|soyez (?:nombreux|"
    r"nombreuses|la|presents?|presentes?|des notres)|soyez-y|on vous attend|nous vous attendons|"
    r"inscrivez[- ]vous|inscris[- ]toi|inscription|signez|signe[sz]?[- ]la|passez (?:signer|nous "
    r"voir)|partagez|participez|mobilisez[- ]vous|apportez|votez (?:oui|non|pour le mandat|en "
    r"faveur)|appuyez|be there|join us|come (?:out|join|to|and)|sign (?:the|our)|show up|register|"
    r"rsvp|see you there|don'?t miss|ne manquez pas|bienvenue a (?:tous|toutes|nos|aux))\b"
)
_ORG_VERB = re.compile(
    r"\b(?:organise|organisent|organisons|tient|tiendra|tiendront|tenons|tiendrons|lance|lancent|"
    r"lancons|convoque|convoquent|invite|invitent|invitons|appelle|appellent|rappelle|rappellent|"
    r"distribue|distribuent|annonce|annoncent|mobilise|is holding|will hold|holds|invites|calls on|"
    r"announces|launches|organizes|organises|hosts|is hosting|reminds|urges)\b"
)
_MEMBERS = re.compile(r"\b(?:ses|nos|tous nos|tous les|toutes les|its|our|all)\s+(?:membres|"
                      r"members|syndique(?:e|es|s)?)\b")
_ORG_GENERIC = re.compile(
    r"\b(?:le|la|l'|l’|les|notre|nos|du|de la|au|a la)\s*(?:syndicat|association|asso|collectif|"
    r"coalition|regroupement|federation|confederation|comite|mouvement|front|alliance|"
    r"union|ligue|reseau|parti|caucus|societe etudiante|section locale|executif)\b"
    r"|\b(?:the|our)\s+(?:[a-z'’-]+\s+){0,4}(?:union|association|coalition|collective|federation|"
    r"caucus|committee|alliance|league|student society)\b"
    r"|\b[a-z'’-]+(?:'s|s')\s+(?:union|association|coalition|collective|federation)\b"
)
_AUTHOR_ORG = re.compile(
    r"^(?:le |la |l'|les )?(?:syndicat|association|asso|collectif|coalition|regroupement|"
    r"federation|comite|mouvement|parti|union|alliance|front|ligue)\b|\b(?:union|association|"
    r"coalition|collective|federation|caucus|committee|party)$"
)
_MONTHS = (r"janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre|"
           r"january|february|march|april|may|june|july|august|september|october|november|december")
_WHEN = re.compile(
    rf"\b\d{{1,2}}(?:er)?\s+(?:{_MONTHS})\b|\b(?:{_MONTHS})\s+\d{{1,2}}\b|\b(?:lundi|mardi|"
    r"mercredi|jeudi|vendredi|samedi|dimanche|monday|tuesday|wednesday|thursday|friday|saturday|"
    r"sunday)\b|\b\d{1,2}\s?h(?:\s?\d{2})?\b|\b\d{1,2}(?::\d{2})?\s?(?:am|pm)\b|\bmidi\b|\bnoon\b|"
    r"\bce soir\b|\btonight\b|\bdemain\b|\btomorrow\b"
)
_PAST = re.compile(
    r"\b(?:samedi|dimanche|lundi|mardi|mercredi|jeudi|vendredi|weekend|mois|semaine) "
    r"derni(?:er|ere)"
    r"|\bhier\b|\blast (?:week|night|month|year|weekend|monday|tuesday|wednesday|thursday|"
    r"friday|saturday|sunday)\b|\byesterday\b|\ba eu lieu\b|\btook place\b|\bont participe\b|"
    r"\bparticipated\b"
)
_WHERE = re.compile(
    r"\b(?:local|salle|room|pavillon)\s+[a-z]?-?\d{2,4}\b|\b(?:amphitheatre|amphi|auditorium|"
    r"agora|atrium|cafeteria|centre communautaire|pub|esplanade|hall)\b"
    r"|\bdevant (?:l'|le |la |les )"
    r"|\bau metro\b|\bdepart (?:du|de)\b|\bin front of\b"
)


class PoliticalOptions(BaseModel):
    """Options, from the policy's ``detectors.vigie.political.gazetteer.v1`` mapping.

    The bundled gazetteer covers Québec, Canadian federal and Montréal parties, union
    centrals and student federations; an institution extends it with its own (its student
    associations and unions, another province's or country's parties), in the gazetteer's
    own entry format (``vigie/data/political/gazetteer.yaml``).
    """

    model_config = ConfigDict(extra="forbid")
    extra_parties: tuple[Party, ...] = Field(default=(), description="more parties")
    extra_organisations: tuple[Organisation, ...] = Field(
        default=(), description="more unions, student associations, social or political groups")
    extra_leaders: dict[str, tuple[Leader, ...]] = Field(
        default_factory=dict, description="more leaders of a party, by party id")
    extra_slogans: dict[str, tuple[Slogan, ...]] = Field(
        default_factory=dict, description="more slogans of a party, by party id")


def extended_gazetteer(base: Gazetteer, options: PoliticalOptions) -> Gazetteer:
    """``base`` with the policy's extension lists (pure).

    Raises:
        PolicyError: an extension names an unknown party id or repeats an id; the message
            lists the valid ids.
    """
    ids = [p.id for p in base.parties]
    for kind, mapping in (("extra_leaders", options.extra_leaders),
                          ("extra_slogans", options.extra_slogans)):
        unknown = sorted(set(mapping) - set(ids) - {p.id for p in options.extra_parties})
        if unknown:
            raise PolicyError(f"{NAME}.{kind}: unknown party id(s) {unknown}; valid: "
                              f"{', '.join(ids + [p.id for p in options.extra_parties])}")
    taken = set(ids) | {o.id for o in base.organisations}
    new_ids = [p.id for p in options.extra_parties] + [o.id for o in options.extra_organisations]
    repeated = sorted(i for i in new_ids if i in taken)
    if repeated:
        raise PolicyError(f"{NAME}: id(s) {repeated} already in the bundled gazetteer; "
                          "use extra_leaders / extra_slogans to extend an existing party")
    parties = tuple(
        p.model_copy(update={"leaders": p.leaders + options.extra_leaders.get(p.id, ()),
                             "slogans": p.slogans + options.extra_slogans.get(p.id, ())})
        for p in (*base.parties, *options.extra_parties)
    )
    return base.model_copy(update={
        "parties": parties,
        "organisations": base.organisations + options.extra_organisations,
    })


class _Scan:
    """Per comment: which gated patterns may match, from one literal scan (speed only)."""

    __slots__ = ("_candidates", "_index")

    def __init__(self, index: dict[int, int], candidates: set[int]) -> None:
        self._index = index
        self._candidates = candidates

    def may_match(self, pattern: re.Pattern[str]) -> bool:
        index = self._index.get(id(pattern))
        return index is None or index in self._candidates

    def search(self, pattern: re.Pattern[str], text: str, pos: int = 0,
               endpos: int = sys.maxsize) -> re.Match[str] | None:
        return pattern.search(text, pos, endpos) if self.may_match(pattern) else None


@dataclass(frozen=True, slots=True)
class _Cue:
    score: float
    what: str
    span: tuple[int, int]


class PoliticalDetector:
    """Emits ``political.support``, ``org.announcement`` and informational ``political.mention``."""

    info = DetectorInfo(NAME, provides=SIGNALS, cost=2)

    def __init__(self, gazetteer: Gazetteer, options: PoliticalOptions) -> None:
        self.gazetteer = gazetteer
        self.options = options
        parties, orgs = gazetteer.parties, gazetteer.organisations
        # Full names of parties, leaders and organisations: unambiguous, matched folded.
        self._entity: dict[str, tuple[str, str]] = {}
        for party in parties:
            for name in party.names:
                self._entity[normalize(name).text] = (party.id, "party")
            for leader in party.leaders:
                for name in leader.names:
                    self._entity[normalize(name).text] = (party.id, "leader")
        for org in orgs:
            for name in org.names:
                self._entity[normalize(name).text] = (org.id, org.kind)
        self._names = re.compile(r"(?<!\w)" + _alternation(self._entity) + r"(?!\w)")
        # Abbreviations: in capitals, on the original text.
        self._abbr: dict[str, tuple[str, str, bool]] = {}
        for party in parties:
            for abbr in party.abbreviations:
                self._abbr[abbr] = (party.id, "party", party.ambiguous)
        for org in orgs:
            for abbr in org.abbreviations:
                self._abbr[abbr] = (org.id, org.kind, False)
        self._abbrs = re.compile(
            r"(?<![\w@.])("
            + "|".join(sorted(map(_abbreviation, self._abbr), key=len, reverse=True))
            + r")(?![\w])"
        )
        # What may follow a call to vote: any party name, abbreviation, vote word or leader.
        party_terms: list[str] = []
        leader_terms: list[str] = []
        for party in parties:
            party_terms += [*party.names, *party.vote_words]
            for leader in party.leaders:
                leader_terms += leader.names
                if leader.surname:
                    leader_terms.append(leader.surname)
        abbreviations = [a for p in parties for a in p.abbreviations]
        target = _alternation(party_terms + leader_terms, abbreviations)
        party_only = _alternation([n for p in parties for n in p.names], abbreviations)
        leaders = _alternation(leader_terms)
        hashtag_terms = sorted(
            {normalize(a).text for p in parties for a in p.abbreviations}
            | {re.sub(r"[\s'\-]+", "", normalize(n).text) for p in parties for n in p.names},
            key=len, reverse=True,
        )
        self._support: tuple[tuple[re.Pattern[str], float, str], ...] = (
            (re.compile(rf"(?<!\w){_NOT_NOUN}{_VOTE_VERB}{_VOTE_LINK}{target}(?!\w)"), 0.9,
             "call to vote for a party or candidate"),
            # A call to vote for an unnamed candidate: which office is for a human to judge
            # (a student election is not always political), so the score only asks review.
            (re.compile(rf"(?<!\w){_NOT_NOUN}{_VOTE_VERB}\s+(?:pour\s+|for\s+)?"
                        r"(?:notre|nos|mon|ma|mes|our|my|cette|this)\s+"
                        r"(?:candidat|candidate|candidats|candidates|candidature|equipe|liste|"
                        r"slate|ticket|team)(?!\w)"), 0.7, "call to vote for a candidate"),
            (re.compile(rf"(?<!\w){_CHEER}{party_only}(?!\w)"), 0.75, "cheer for a party"),
            (re.compile(rf"(?<!\w){leaders}\s+(?:(?:for|pour|comme)\s+)?(?:{_TITLE})"
                        rf"{_TITLE_NEUTRAL}"), 0.8,
             "leader acclaimed for office"),
            (re.compile(r"#(?:vote|votez|votons|go|team|equipe)?(?:"
                        + "|".join(map(re.escape, hashtag_terms)) + r")(?:20)?\d\d(?!\w)"),
             0.85, "partisan campaign hashtag"),
            (re.compile(r"#(?:vote|votez|votons|go|team|equipe)(?:"
                        + "|".join(map(re.escape, hashtag_terms)) + r")(?!\w)"),
             0.85, "partisan campaign hashtag"),
            (re.compile(rf"(?<!\w){party_only}\s+(?:en\s+)?20\d\d(?=\s*(?:$|[^\w\s]))"), 0.75,
             "party with an election year, campaign style"),
            (re.compile(rf"(?<!\w){party_only}{_DELIVERS}"), 0.55, "party praised for delivering"),
        )
        self._hashtag_bare = re.compile(r"#(?:" + "|".join(map(re.escape, hashtag_terms))
                                        + r")(?!\w)")
        self._thanks = re.compile(rf"{_THANKS}{party_only}(?!\w)")
        self._endorse_with = re.compile(
            rf"\b(?:j'appuie|je supporte|j'?supporte|i support|we support|on appuie|je soutiens|"
            rf"fier partisan|fiere partisane|proud supporter of|membre fier du)\s+"
            rf"(?:le\s+|la\s+|les\s+|l['’]\s*|the\s+)?{party_only}(?!\w)"
        )
        strong = [s for p in parties for s in p.slogans if not s.weak]
        weak = [s for p in parties for s in p.slogans if s.weak]
        # A slogan also travels as a hashtag: "Choose forward" and #ChooseForward.
        tags = sorted({re.sub(r"[\W_]+", "", normalize(s.text).text) for s in strong}, key=len,
                      reverse=True)
        self._slogans = re.compile(r"(?<!\w)" + _alternation(s.text for s in strong) + r"(?!\w)"
                                   + r"|#(?:" + "|".join(map(re.escape, tags)) + r")(?!\w)")
        self._weak_slogans = re.compile(r"(?<!\w)" + _alternation(s.text for s in weak)
                                        + r"(?!\w)")
        gated = [self._names, *(p for p, _, _ in self._support), self._hashtag_bare,
                 self._slogans, self._weak_slogans, self._endorse_with, self._thanks, _ENDORSE,
                 _MILITANT, _MEETING, _ORDINARY_EVENT, _CALL, _ORG_VERB, _MEMBERS, _ORG_GENERIC,
                 _WHEN, _WHERE, _PAST, _POSITION]
        self._gate = Gate(gated)
        self._gate_index = {id(p): i for i, p in enumerate(gated)}

    # -- mentions --------------------------------------------------------------------------

    def _mentions(self, item: PreparedComment,
                  scan: _Scan) -> list[tuple[str, str, bool, tuple[int, int]]]:
        """``(entity id, kind, ambiguous, original span)`` for each entity named."""
        found = []
        norm = item.norm
        names = self._names.finditer(norm.text) if scan.may_match(self._names) else ()
        for match in names:
            entity, kind = self._entity.get(match.group(0), ("", ""))
            if not entity:  # matched with other spacing: find the entry by its folded form
                key = re.sub(r"[\s\-]+", " ", match.group(0).replace("’", "'"))
                entity, kind = next(((e, k) for n, (e, k) in self._entity.items()
                                     if re.sub(r"[\s\-]+", " ", n) == key), ("?", "party"))
            found.append((entity, kind, False, norm.to_original(match.start(), match.end())))
        for match in self._abbrs.finditer(item.text):
            entity, kind, ambiguous = self._abbr[match.group(1).replace(".", "")]
            # "la CAQ" is the party; the immigration certificate is "le CAQ".
            if ambiguous and item.text[max(0, match.start() - 3):match.start()].lower() == "la ":
                ambiguous = False
            found.append((entity, kind, ambiguous, (match.start(1), match.end(1))))
        return found

    # -- political support -----------------------------------------------------------------

    def _support_cues(self, squeezed: Squeezed, scan: _Scan, party_named: bool,
                      clear_party: bool) -> list[_Cue]:
        text = squeezed.text
        cues = []
        for pattern, score, what in self._support:
            match = scan.search(pattern, text)
            if match is not None:
                cues.append(_Cue(score, what, squeezed.span(match.start(), match.end())))
        if (match := scan.search(self._hashtag_bare, text)) is not None:
            cues.append(_Cue(0.45, "party hashtag", squeezed.span(*match.span())))
        if clear_party or party_named:
            match = scan.search(self._slogans, text)
            if match is not None:
                cues.append(_Cue(0.8, "party slogan", squeezed.span(*match.span())))
        elif (match := scan.search(self._slogans, text)) is not None:
            cues.append(_Cue(0.6, "party slogan", squeezed.span(*match.span())))
        if clear_party:
            for pattern, score, what in (
                (self._weak_slogans, 0.65, "party slogan next to the party's name"),
                (_ENDORSE, 0.6, "endorsement of a party"),
                (self._endorse_with, 0.7, "declared support for a party"),
                (self._thanks, 0.4, "thanks addressed to a party"),
            ):
                match = scan.search(pattern, text)
                if match is None:
                    continue
                if pattern is self._endorse_with and scan.search(_POSITION, text, match.end(),
                                                                  match.end() + 40):
                    continue  # agreeing with a party's position is acceptable (6.2)
                cues.append(_Cue(score, what, squeezed.span(*match.span())))
        return cues

    # -- organisation announcements --------------------------------------------------------

    def _announcement(self, item: PreparedComment, scan: _Scan, org_named: bool) -> _Cue | None:
        text = item.norm.text
        militant = scan.search(_MILITANT, text)
        meeting = scan.search(_MEETING, text)
        ordinary = scan.search(_ORDINARY_EVENT, text)
        event = militant or meeting or ordinary
        members = scan.search(_MEMBERS, text)
        if event is None and members is None:
            return None  # every rule below needs an event or a notice to members
        org = org_named or scan.search(_ORG_GENERIC, text) is not None
        if not org:
            author = normalize(item.comment.author.name).text.strip()
            org = bool(author) and (_AUTHOR_ORG.search(author) is not None
                                    or self._names.search(author) is not None)
        org_verb = scan.search(_ORG_VERB, text) is not None
        call = scan.search(_CALL, text) is not None
        when_where = (scan.search(_WHEN, text) is not None
                      or scan.search(_WHERE, text) is not None)
        score, what = 0.0, ""
        if event is not None and org and (org_verb or call):
            score = 0.95 if when_where else 0.85
            what = "an organisation announcing its event"
        elif event is not None and org and when_where:
            score, what = 0.7, "an organisation's dated event"
        elif (militant or meeting) and call and when_where:
            score, what = 0.8, "call to join a dated rally, strike action or assembly"
        elif militant and call:
            score, what = 0.65, "call to join a campaign action (petition, rally, strike)"
        elif org and org_verb and members is not None:
            score, what = 0.7, "an organisation's notice to its members"
        elif (militant or meeting) and org:
            score, what = 0.35, "an organisation's event mentioned"
        if score == 0.0:
            return None
        if scan.search(_PAST, text) is not None:
            score *= 0.5  # a report on a past event, not an announcement
        anchor = event or members
        span = item.norm.to_original(*anchor.span()) if anchor is not None else None
        return _Cue(score, what, span or (0, len(item.text)))

    # -- detector --------------------------------------------------------------------------

    def _findings(self, item: PreparedComment) -> list[Finding]:
        # Letter-by-letter and in-word digit disguises undone ("v o t e z") for support cues.
        squeezed = squeeze(item.norm)
        folded = item.norm.text
        scanned = folded if squeezed.text == folded else folded + "\n" + squeezed.text
        scan = _Scan(self._gate_index, self._gate.candidates(scanned))
        mentions = self._mentions(item, scan)
        parties = [m for m in mentions if m[1] in ("party", "leader")]
        clear_party = any(not m[2] for m in parties)
        org_named = any(m[1] != "leader" for m in mentions)
        findings = []
        seen: set[str] = set()
        for entity, kind, ambiguous, span in mentions:
            if entity in seen:
                continue
            seen.add(entity)
            findings.append(Finding(
                "political.mention", 0.6 if ambiguous else 0.9, NAME,
                f"names a {kind.replace('_', ' ')} ({entity})", span,
                {"entity": entity, "kind": kind},
            ))
        cues = self._support_cues(squeezed, scan, bool(parties), clear_party)
        if cues:
            cues.sort(key=lambda c: -c.score)
            remaining = 1.0
            for cue in cues:
                remaining *= 1.0 - cue.score
            score = min(0.99, 1.0 - remaining)
            what = "; ".join(dict.fromkeys(c.what for c in cues))
            findings.append(Finding("political.support", round(score, 4), NAME,
                                    f"partisan message: {what}", cues[0].span,
                                    {"cues": len(cues)}))
        announcement = self._announcement(item, scan, org_named)
        if announcement is not None:
            findings.append(Finding("org.announcement", announcement.score, NAME,
                                    announcement.what, announcement.span))
        return findings

    def detect(
        self, batch: Sequence[PreparedComment], prior: Sequence[Sequence[Finding]]
    ) -> list[list[Finding]]:
        """Return political and announcement findings for each comment."""
        return [self._findings(item) for item in batch]


def create(options: Mapping[str, Any], policy: Policy) -> PoliticalDetector:
    """Factory for the registry."""
    parsed = parse_options(PoliticalOptions, NAME, options)
    return PoliticalDetector(extended_gazetteer(load_gazetteer(), parsed), parsed)
