"""Leaked institutional information: marked documents, exam content, internal figures, security.

All patterns run on the folded text (lower case, no accents) except the confidentiality
stamps, which are read on the original text because a stamp is written in capitals
("CONFIDENTIEL", "INTERNAL USE ONLY").

Each recognizer needs two things: *what* (a marked document, exam questions, a money figure)
and a sign that it is being *disclosed* (a colon followed by figures, "qui circule", "voici",
"fuité", "me l'a montré", a Drive link). Talking about confidentiality ("ma candidature
reste confidentielle?"), asking for past exams or quoting published figures is not a leak.
Pure functions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["LeakHit", "find_confided", "find_exam_leaks", "find_internal_figures", "find_marked",
           "find_minutes", "find_security_gaps"]


@dataclass(frozen=True, slots=True)
class LeakHit:
    """A leak found in the folded text (or in the original, for stamps).

    Attributes:
        signal: ``confidential.marked``, ``confidential.exam``,
            ``confidential.internal_figure`` or ``confidential.security``.
        score: calibrated confidence in [0, 1].
        start: start offset (folded text, except ``original`` hits).
        end: end offset.
        what: words for the explanation.
        original: the offsets are in the original text.
    """

    signal: str
    score: float
    start: int
    end: int
    what: str
    original: bool = False


# -- marked documents -------------------------------------------------------------------------

_STAMP = re.compile(
    r"\b(?:STRICTEMENT CONFIDENTIEL(?:LE)?|CONFIDENTIEL(?:LE)?S?|CONFIDENTIAL|USAGE INTERNE"
    r"(?: SEULEMENT)?|INTERNAL USE ONLY|NE PAS (?:DIFFUSER|DIVULGUER|DISTRIBUER)"
    r"|DO NOT (?:DISTRIBUTE|SHARE|FORWARD)|SOUS EMBARGO|UNDER EMBARGO)\b"
)
_DOC_NOUN = (
    r"documents?|docs?|memos?|notes? de service|notes?|rapports?|listes?|courriels?|e-?mails?"
    r"|fichiers?"
    r"|presentations?|decks?|versions?|chiffres|donnees|proces-verbal|proces-verbaux|pv"
    r"|comptes? rendus?|budgets?|plans?|ententes?|contrats?|annexes?|resultats"
)
_MARKED = re.compile(
    rf"\b(?P<noun>{_DOC_NOUN})\s+(?P<between>(?:[\w'-]+\s+){{0,3}}?)(?:confidentiel(?:le)?s?"
    r"|internes?|internal|confidential|secrete?s?)\b"
    r"|\b(?:confidential|internal|secret|leaked)\s+(?:documents?|memos?|reports?|lists?|files?"
    r"|decks?|e-?mails?|budgets?|plans?|figures|numbers|data|minutes)\b"
    r"|\ba usage interne\b|\bfor internal use\b|\b(?:sous|under)\s+embargo\b"
    r"|\bnot for (?:distribution|circulation|publication)\b|\bne pas (?:diffuser|distribuer"
    r"|circuler|divulguer)\b"
    r"|\b(?:entente de non-divulgation|non-disclosure agreement|nda)\b"
)
# "Vos données restent confidentielles": a statement about confidentiality, not a marking.
_COPULA_BEFORE = re.compile(
    r"\b(?:est|sont|reste|restent|demeure|demeurent|sera|seront|rester|demeurer|traitees?"
    r"|gardees?|is|are|remain|remains|stay|stays|be|kept|treated)\s+$"
)
_DISCLOSE = re.compile(
    r":\s*[^\n]{0,60}?\d|«|\bqui circulen?t?\b|\bcircule(?:nt)?\b|\bvoici\b|\bhere (?:is|are)\b"
    r"|\bj'ai (?:vu|lu|recu|eu)\b|\bi (?:saw|read|got|have)\b|\bsaw the\b|\bvrais chiffres\b"
    r"|\breal (?:numbers|figures)\b|\bfuite\b|\bleaked?\b|\bpage \d+\b|\bpour ceux qui l'ont\b"
    r"|\bmais voici\b|\bje les ai\b|\bi have (?:it|them)\b|\bpresente au\b|\bdans le\b.{0,30}\bil"
    r" (?:dit|est ecrit)|\bne pas divulguer\b"
)
# Substrings every match of the patterns above contains: most comments skip the regexes.
_STAMP_HINTS = ("CONFIDENTI", "INTERN", "EMBARGO", "NE PAS", "DO NOT")
_MARK_HINTS = ("confiden", "intern", "secret", "embargo", "divulgation", "disclosure", "nda",
               "leaked", "not for", "ne pas")
_LEAK_HINTS = ("fuite", "coule", "leaked")
_LEAKED = re.compile(
    r"\b(?:ont|a|have|has)\s+(?:deja\s+|already\s+)?(?:fuite|coule|leaked)\b"
    r"(?=[^\n]{0,60}(?:je les ai|i have them|voici|here they are|:))"
)


_CONTENT_AFTER = re.compile(r"[^.\n:]{0,40}?:\s*[\w'-]+(?:\s+[\w'-]+){2,}")


# "HR told us confidentially that ...", "le doyen m'a dit en confidence que ...".
_CONFIDED = re.compile(
    r"\b(?:told (?:us|me|everyone)|said|mentioned|shared|confirmed) (?:confidentially|in confidence"
    r"|off the record|privately)\b|\bconfidentially,? (?:told|said)\b"
    r"|\b(?:m'a|nous a|leur a|a) (?:dit|confie|confirme|avoue) (?:en confidence|confidentiellement"
    r"|officieusement|en prive)\b"
)


def find_confided(folded: str) -> list[LeakHit]:
    """What someone said in confidence, passed on ("HR told us confidentially that ...") (pure)."""
    return [LeakHit("confidential.marked", 0.8, m.start(), m.end(),
                    "passes on what was said in confidence")
            for m in _CONFIDED.finditer(folded)][:1]


def find_marked(folded: str, original: str) -> list[LeakHit]:
    """Find documents marked confidential or internal that the comment discloses (pure)."""
    hits: list[LeakHit] = []
    stamps = list(_STAMP.finditer(original)) if any(
        w in original for w in _STAMP_HINTS) else []
    marks = list(_MARKED.finditer(folded)) if any(w in folded for w in _MARK_HINTS) else []
    if not stamps and not marks and not any(w in folded for w in _LEAK_HINTS):
        return hits
    disclose = _DISCLOSE.search(folded) is not None
    for match in stamps:
        # A stamp followed by a colon or a quote introduces the document's content.
        quoted = re.match(r"\s*[:«\"“]", original[match.end():match.end() + 5]) is not None
        score = 0.9 if disclose or quoted else 0.7
        hits.append(LeakHit("confidential.marked", score, match.start(), match.end(),
                            "document stamped confidential or internal"
                            + (", its content disclosed" if disclose or quoted else ""),
                            original=True))
    for match in marks:
        between = match.group("between") or ""
        if match.group("noun") and _COPULA_BEFORE.search(" " + between):
            continue
        # "à usage interne seulement : liste des employés...": the content follows a colon.
        content = _CONTENT_AFTER.match(folded, match.end()) is not None
        score = 0.85 if disclose or content else 0.45
        hits.append(LeakHit("confidential.marked", score, match.start(), match.end(),
                            "confidential or internal document named"
                            + (", its content disclosed" if disclose else "")))
    for match in _LEAKED.finditer(folded):
        hits.append(LeakHit("confidential.marked", 0.8, match.start(), match.end(),
                            "says non-public material has leaked and shares it"))
    return hits


# -- minutes of closed meetings --------------------------------------------------------------

_MINUTES = re.compile(
    r"\b(?:proces-verbal|proces-verbaux|proces verbal|pv|comptes? rendus?|compte-rendu|minutes"
    r"|notes? de (?:la )?reunion|meeting notes|ordre du jour|agenda)\b"
)
_CLOSED = re.compile(
    r"\b(?:huis clos|in[- ]camera|closed[- ]door|closed[- ]session"
    r"|closed (?:board |committee )?(?:meeting|session)s?"
    r"|seance (?:a huis clos|fermee|privee)|confidentiel(?:le)?s?|confidential|internes?|internal"
    r"|non publie(?:e|s)?|not public|restricted|secret(?:e|s)?|privee?s?|private|leaked|fuitee?s?"
    r"|pas encore (?:publie|public|adopte)e?s?|not yet (?:published|approved|adopted))\b"
)
_TOLD = re.compile(
    r":\s*\S|\b(?:ils|elles|on|they|it|qui|which|that)\s+(?:\w+\s+)?(?:dit|disent|parlent|parle"
    r"|mentionnent|mentionne|annoncent|prevoient|ferment|coupent|veulent|vont|says?|said|mentions?"
    r"|show|shows|plan|planning|are|will|want|closing|cutting)\b|\b(?:selon|d'apres|according to"
    r"|from|dans|in|extrait|excerpt)\b[^.!?\n]{0,60}\b(?:\d|ils|they|le |la |les |the )"
    r"|\b(?:says?|said|dit|disent|show|shows|indique|indiquent|revele|reveals?)\b"
)


def find_minutes(folded: str) -> list[LeakHit]:
    """Minutes or agendas of a closed or confidential meeting whose content is told (pure)."""
    hits: list[LeakHit] = []
    for match in _MINUTES.finditer(folded):
        lo = max(folded.rfind(c, 0, match.start()) for c in ".!?\n") + 1
        hi_candidates = [i for i in (folded.find(c, match.end()) for c in ".!?\n") if i != -1]
        hi = min(hi_candidates) if hi_candidates else len(folded)
        sentence = folded[lo:hi]
        closed = _CLOSED.search(folded, max(lo, match.start() - 40), min(hi, match.end() + 60))
        if closed is None or _COPULA_BEFORE.search(folded[lo:closed.start()]):
            continue  # "le PV est public", "minutes are kept confidential": no content told
        told = _TOLD.search(sentence) is not None
        hits.append(LeakHit("confidential.marked", 0.88 if told else 0.6, match.start(),
                            max(match.end(), closed.end()),
                            "minutes of a closed or confidential meeting"
                            + (", their content disclosed" if told else "")))
        break
    return hits


# -- exams ------------------------------------------------------------------------------------

_EXAM = (
    r"examens?|exams?|finals?|intras?|midterms?|mi-session|partiels?|quizz?|controles?|tests?"
    r"|epreuves?"
)
_COURSE = r"[a-z]{3}\d{4}[a-z]?"
_EXAM_CONTEXT = re.compile(rf"\b(?:{_EXAM}|{_COURSE})\b")
_EXAM_FIRST = re.compile(
    rf"\b(?:{_EXAM}|{_COURSE})\s+(?:(?:final|finale|de demain|de lundi|de mardi|de mercredi"
    r"|de jeudi|de vendredi|d'hier|de la semaine prochaine|tomorrow's|next week's)\s+)?"
    r"(?:solutions?|solutionnaires?|corriges?|reponses?|answers?|answer keys?|questions?)\b"
)
_EXAM_CONTENT = re.compile(
    r"\b(?:solutions?|solutionnaires?|corriges?|reponses?|answers?|enonces?|questions?|copies?"
    r"|sujets?|answer keys?|cles? de correction|grilles? de correction)\s+"
    r"(?:(?:du|de l'|de la|de|des|d'|to|for|of|from|on)\s*(?:the\s+|l'|la\s+|le\s+)?)"
    rf"(?:[\w'-]+\s+){{0,2}}?(?:{_EXAM}|{_COURSE})\b"
)
_QUESTION_CLAIM = re.compile(
    r"\b(?:la |the )?(?:question|q|numero|no\.?|#)\s*\d+\s*"
    r"(?:(?:du|de l'|de la|de|d'|of|on|in|from|the|le|la|final|finale|examen|exam|intra|midterm"
    r"|quiz|test|[a-z]{3}\d{4})\s*){0,5}(?:(?:c'est|c est|ce sera|sera|va etre"
    r"|porte sur|will be|is about|is on)\b|(?:is|est|=|:|->)\s*(?=-?\d|[a-e]\b))"
)
_MORE_CLAIMS = re.compile(r"\b(?:pis |et |and )?(?:la |the )\d+\s*(?:c'est|c est|ce sera|is)\b")
_LEAK_CUE = re.compile(
    r"\b(?:drive|dropbox|discord|onedrive|sharepoint|wetransfer|fuite|fuites|leaked|leak|coule"
    r"|me l'a montre|me l'a envoye|m'a montre|showed me|sent me|en avance|d'avance"
    r"|avant l'examen|before the exam|trainer|laissees? trainer|circulent?|serveur|server"
    r"|inquietez-vous pas|pas besoin d'etudier|no need to study|je les ai|i have them|voici"
    r"|here they are|accidentally|by mistake|by accident|par erreur|par accident"
    r"|je l'ai vue?|i saw (?:it|them|the)|saw the (?:draft|exam|copy|questions)"
    r"|sur le bureau du prof|on the (?:prof's|professor's|teacher's) desk|brouillon|the draft"
    r"|imprimante|printer|photocopieuse|photocopier)\b|dans /|🤫"
)
_PUBLISHED = re.compile(
    r"\b(?:anciens?|anciennes?|anterieure?s?|past|previous|last year'?s?|l'an passe"
    r"|l'annee passee|officiel(?:le)?s?|publiee?s?|published|posted|moodle|site du cours"
    r"|course site|biblio|bibliotheque|library)\b"
)


# "the final for MEC1210 is the same as last year's practice exam": what an exam will be.
_SAME_AS = re.compile(
    rf"\b(?:{_EXAM})\b[^.!?\n]{{0,30}}?\b(?:is|will be|sera|est|c'est|c est|va etre)\s+"
    r"(?:exactly\s+|exactement\s+|literally\s+)?(?:the same as|identical to|identique a|pareil que"
    r"|pareil comme|le meme que|la meme que|les memes que|the same questions as)"
)


def find_exam_leaks(folded: str) -> list[LeakHit]:
    """Find unreleased exam content or solutions being shared (pure)."""
    hits: list[LeakHit] = []
    if _EXAM_CONTEXT.search(folded) is None:
        return hits
    leak = _LEAK_CUE.search(folded) is not None
    published = _PUBLISHED.search(folded) is not None
    for match in [*_EXAM_CONTENT.finditer(folded), *_EXAM_FIRST.finditer(folded)]:
        sentence_end = folded.find("?", match.end())
        question = sentence_end != -1 and "." not in folded[match.end():sentence_end]
        if published and not leak:
            score = 0.25
        elif leak:
            score = 0.9
        else:
            score = 0.35 if question else 0.6
        hits.append(LeakHit("confidential.exam", score, match.start(), match.end(),
                            "exam questions or solutions shared"
                            + (" from a leaked source" if leak else "")))
    for match in _SAME_AS.finditer(folded):
        hits.append(LeakHit("confidential.exam", 0.75, match.start(), match.end(),
                            "reveals what an exam will contain"))
    for match in _QUESTION_CLAIM.finditer(folded):
        more = _MORE_CLAIMS.search(folded, match.end()) is not None
        score = 0.88 if leak or more else 0.6
        if published and not leak:
            score = 0.3
        hits.append(LeakHit("confidential.exam", score, match.start(), match.end(),
                            "reveals what an exam question will be"))
    return hits


# -- internal figures and salaries ------------------------------------------------------------

_INTERNAL = re.compile(
    r"\b(?:(?:budget|chiffres?|seuils?|montants?|documents?|rapports?|donnees|estimes?"
    r"|projections?|previsions?|grille|echelle|memo|deck|presentation|sondage|evaluation|liste"
    r"|calculs?|couts?|bilan|cible|cibles|objectifs?)\s+internes?|a l'interne|internal(?:ly)?"
    r"|pas encore (?:ete )?(?:publie|public|annonce|divulgue|officiel)e?s?"
    r"|(?:pas|non) (?:encore )?(?:public|publie|officiel|annonce)e?s?"
    r"|not (?:yet )?(?:public|published|released|announced)|unpublished|unreleased"
    r"|not (?:public|published|released|announced|official) yet"
    r"|non publiee?s?|sous embargo|under embargo|officieusement|off the record"
    r"|les vrais chiffres|the real (?:numbers|figures)|ils le diront pas|ils le disent pas"
    r"|they won't say|steering committee deck)\b"
)
_MONEY = re.compile(
    r"\d[\d\s]*(?:[.,]\d+)?\s?(?:\$|m\$|k\$|millions?|milliards?|m\b|k\b|%|dollars)"
    r"|\$\s?\d[\d,.]*\s?(?:m|k|million|billion)?\b|\b\d+,\d+\b|\b\d+\.\d+\b"
)
_COUNT = re.compile(r"\b(?!(?:19|20)\d\d\b)\d{3,}\b")
_SALARY = re.compile(
    r"\b(?:paye|payee|gagne|gagnait|touche|touchait|makes|made|earns|earned|earning|paid"
    r"|salaire|salary|remuneration)\b"
)
# The amount right after the pay word ("payé 104 750 $", "makes $212k", "salaire de 95 000 $"),
# a salary-sized one: billions are budgets.
_PAY = re.compile(
    r"(?:\s+(?:de|d'|of|is|est|:|environ|about|around|over|plus de|more than|pres de|up to|upto"
    r"|annuel|a year))*\s*(?:\$\s?\d[\d,.]*\s?k?|\d[\d\s]*(?:[.,]\d+)?\s?(?:\$|k\$|k\b|dollars))"
    r"(?!\s*(?:billion|milliard|million))"
)
_INTERNAL_HINTS = ("intern", "publi", "public", "annonce", "announce", "divulgue", "officiel",
                   "official", "released",
                   "embargo", "officieusement", "off the record", "vrais chiffres", "real ",
                   "diront", "disent", "won't say", "steering")
_SALARY_HINTS = ("pay", "gagn", "touch", "make", "made", "earn", "paid", "salaire", "salary",
                 "remuneration")
_SELF_SALARY = re.compile(r"\b(?:je|j'|i|mon|my|on|you|vous|tu|we|nous|get|gets|getting)\s+"
                          r"(?:\w+\s+)?$")


def find_internal_figures(folded: str,
                          person_before: Callable[[int, int], str | None]) -> list[LeakHit]:
    """Find unpublished internal figures and named staff members' pay (pure).

    Args:
        folded: the folded text.
        person_before: ``person_before(lo, hi)`` tells whether a person is named (``"named"``)
            or designated by role (``"role"``: "l'ancien titulaire") in ``folded[lo:hi]``, or
            None; called only when pay words and an amount are present.
    """
    hits: list[LeakHit] = []
    internal = any(w in folded for w in _INTERNAL_HINTS)
    salary = any(w in folded for w in _SALARY_HINTS)
    if not internal and not salary:
        return hits
    money = _MONEY.search(folded)
    count = _COUNT.search(folded) if money is None else None
    if money is None and count is None:
        return hits
    for match in _INTERNAL.finditer(folded) if internal else ():
        score = 0.88 if money is not None else 0.75
        hits.append(LeakHit("confidential.internal_figure", score, match.start(), match.end(),
                            "figures presented as internal or not yet published"))
        break
    for match in _SALARY.finditer(folded) if salary and money is not None else ():
        if _SELF_SALARY.search(folded[max(0, match.start() - 20):match.start()]):
            continue
        near = _PAY.match(folded, match.end())
        if near is None:
            continue
        sentence_start = max(folded.rfind(c, 0, match.start()) for c in ".!?\n") + 1
        who = person_before(max(sentence_start, match.start() - 80), match.start())
        if who is None:
            continue
        hits.append(LeakHit("confidential.internal_figure", 0.88 if who == "named" else 0.6,
                            match.start(), near.end(), "pay of a named staff member"
                            if who == "named" else "pay of a staff member designated by role"))
        break
    return hits


# -- security details -------------------------------------------------------------------------

_TIME = (r"(?:\d{1,2}\s?(?:h|pm|am|:\d\d)\b|la nuit|at night|overnight|la fin de semaine"
         r"|(?:this |the |every |on )?weekends?|fin de semaine|ce soir|tonight|apres les cours"
         r"|after hours|apres \d|after \d|jusqu'a|until|depuis|since|toujours|always"
         r"|tout le temps|all the time|jamais|never)")
_SECURITY: tuple[tuple[tuple[str, ...], re.Pattern[str], str], ...] = (
    (("gardien", "securit", "guard", "veilleur", "surveillant", "patrouille", "patrol"), re.compile(
        r"\b(?:gardien|gardienne|agente? de securite|securitas|guard|guards|security guard|veilleur"
        r"|surveillant|patrouille|patrol|security)\b[^.!?\n]{0,80}?\b(?:dort|dorment|sleeps?"
        r"|patrols?|patrouillent?|only works?|travaille seulement|finit|ends?"
        r"|sleeping|absent|part|partent|quitte|quittent|leaves?|left|goes home|n'est pas la"
        r"|est jamais la|is never there|isn't there|fait sa ronde|passe|passes|changes? shift"
        r"|change de quart)\b[^.!?\n]{0,40}?\b" + _TIME
    ), "the hours when the premises are unguarded"),
    (("securit", "guard", "surveill", "gardien"), re.compile(
        r"\b(?:pas de|aucune?|plus de|no|zero)\s+(?:securite|gardiens?|guards?|security"
        r"|surveillance|agents?)\b[^.!?\n]{0,60}?\b" + _TIME
        + r"|\bnobody (?:checks|watches|guards)\b|\bpersonne (?:surveille|verifie|check)\b"
    ), "the hours when the premises are unguarded"),
    (("camera", "cctv", "surveillance"), re.compile(
        r"\b(?:cameras? (?:de (?:surveillance|securite)|du (?:pavillon|batiment|stationnement"
        r"|garage|hall|couloir|labo|campus|quai)|des (?:couloirs|entrees|stationnements|residences)"
        r"|de l'entree|of (?:the )?(?:building|pavilion|parking|garage|lobby|hall|lab|campus"
        r"|entrance|dock))|(?:security|surveillance|parking|lobby|hallway|building|campus)"
        r" cameras?|cctv|video ?surveillance|surveillance)\b[^.!?\n]{0,50}?(?:(?:ne )?"
        r"(?:marche|marchent|fonctionne|fonctionnent|filment|enregistrent) (?:pas|plus)"
        r"|brisee?s?|broken|fake|fausses?|desactivee?s?|disabled|eteintes?|fermees?"
        r"|(?:is|are|sont|seront|will be) (?:off|down|out)|turned off|switched off|shut off"
        r"|hors (?:service|d'usage|fonction)|out of (?:order|service)|not working|don't work"
        r"|doesn't work|do not work|don't record|not recording|ne sont pas branchees?"
        r"|debranchees?|not plugged|unplugged|en panne)"
    ), "security cameras out of service"),
    (("camera",), re.compile(
        r"\b(?:no|pas de|aucune|zero)\s+(?:security |surveillance )?cameras?\s+"
        r"(?:de surveillance\s+)?"
        r"(?:on|in|at|au|aux|dans|sur|near|pres|du|de la|covering|qui couvre)\b(?!\s+(?:allowed"
        r"|permitted|please|svp))"
    ), "a place without surveillance"),
    (("key", "cle"), re.compile(
        r"\b(?:spare |the |extra |master )?keys? (?:to|for|of) (?:the )?[\w' -]{0,30}?\b(?:is|are)"
        r" (?:(?:hidden|kept|left|taped|stashed)\s+(?:\w+\s+)?|always\s+)?(?:under|behind|beneath"
        r"|on top of|above)\b"
        r"|\b(?:cles?|passe-partout|double) (?:du|de la|de l'|des)\s*[\w' -]{0,30}?\b(?:est|sont)"
        r" (?:toujours )?(?:cachee?s?|laissee?s?|rangee?s?|collee?s?)\s+(?:sous|derriere|dans|sur"
        r"|au-dessus)\b"
    ), "where a key is hidden"),
    (("alarm",), re.compile(
        r"\b(?:l'alarme|alarme|alarmes|alarm|alarms|systeme d'alarme|alarm system)\b[^.!?\n]{0,40}?"
        r"(?:(?:ne )?(?:marche|marchent|fonctionne|sonne) (?:pas|plus)|brisee?s?|broken"
        r"|desactivee?s?|disabled|deactivated|(?:is|are|est) off|turned off|hors service"
        r"|en panne|not working|doesn't work|debranchee|unplugged)"
    ), "an alarm out of service"),
    (("barre", "verrouill", "unlocked", "open", "ouvert", "lock", "ferme", "broken", "bris",
      "cass", "defectu", "jammed", "work", "marche", "fonctionne"), re.compile(
        r"\b(?:porte|portes|door|doors|entree|quai|loading dock|fenetre|window|garage"
        r"|badge readers?|card readers?|lecteurs? de (?:cartes?|badges?)|fire exits?"
        r"|emergency exits?|sorties? de secours|turnstiles?|tourniquets?)\b"
        r"[^.!?\n]{0,50}?\b(?:debarree|deverrouillee|unlocked|propped open|laissee ouverte"
        r"|left open|pas barree|jamais barree|never locked|ne (?:se )?barre pas|ne ferme pas"
        r"|reste ouverte|restent ouvertes|stays open|stay open|is open|est ouverte|doesn't lock"
        r"|don't lock|won't lock|never locks?|doesn't close|never closes|ne se verrouille pas"
        r"|don't work|doesn't work|do not work|ne (?:marchent?|fonctionnent?) pas"
        r"|(?:is|has been|have been|est|sont|a ete) (?:broken|brisee?s?|cassee?s?|defectueuses?"
        r"|jammed|bloquee?s? ouvertes?)"
        r"|ne se barre jamais|ne barre jamais|ne ferme jamais)\b"
    ), "an entrance left unlocked"),
    (("serveur", "server", "portail", "portal", "site", "systeme", "system", "wordpress",
      "apache", "windows", "php", "admin", "base de donnees", "database", "wifi", "wi-fi",
      "reseau", "network"), re.compile(
        r"\b(?:serveurs?|servers?|portail|portal|site|systemes?|systems?|wordpress|apache|nginx"
        r"|windows(?: server)? ?\d*|php|base de donnees|database|wi-?fi|reseau|network|routeur"
        r"|router|admin panel|panneau d'admin\w*|phpmyadmin|/admin)\b[^.!?\n]{0,70}?\b"
        r"(?:sans (?:correctifs?|mises? a jour|mot de passe|authentification|login)"
        r"|non (?:patche|corrige|securise)e?s?|pas a jour|jamais mis a jour|unpatched|outdated"
        r"|out of date|never updated|vulnerable|faille|failles|injection sql|sql injection"
        r"|no login|no password|without (?:a )?(?:password|login|authentication)"
        r"|(?:default|defaut) password|mot de passe par defaut|open to anyone|ouvert a tous"
        r"|facile a pirater|easy to hack|anyone can log in|n'importe qui peut)"
    ), "an IT security weakness"),
)
_DOOR_TIME = re.compile(r"\b" + _TIME + r"|\banyone can (?:walk|get|come) in\b"
                        r"|\bn'importe qui peut (?:entrer|rentrer)\b|\bfor (?:weeks|months)\b"
                        r"|\bdepuis des (?:semaines|mois)\b")


def find_security_gaps(folded: str) -> list[LeakHit]:
    """Find disclosed security weaknesses (guard away at set hours, cameras off) (pure)."""
    hits: list[LeakHit] = []
    for hints, pattern, what in _SECURITY:
        if not any(w in folded for w in hints):
            continue
        for match in pattern.finditer(folded):
            if what == "an entrance left unlocked":
                # An open door is a weakness only when it lasts: at night, on weekends, always.
                lo = max(folded.rfind(c, 0, match.start()) for c in ".!?\n") + 1
                ends = [i for i in (folded.find(c, match.end()) for c in ".!?\n") if i != -1]
                if _DOOR_TIME.search(folded, lo, min(ends) if ends else len(folded)) is None:
                    continue
            hits.append(LeakHit("confidential.security", 0.8, match.start(), match.end(),
                                f"discloses a security weakness: {what}"))
    return hits
