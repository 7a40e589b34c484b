"""Curated-lexicon detector (directive 6.4 b, c, e): swears, insults, slurs, threats, sexual terms.

One Aho-Corasick pass over each comment's matching view (:attr:`Normalized.words`: leetspeak,
look-alike letters, spelled-out words and stretched letters undone) against the curated
lexicons of :mod:`vigie.text.lexicon`. Each hit becomes a finding whose score is the entry's
severity (``manifest.yaml``); several distinct hits of one signal add up (noisy-or), but weak
hits alone never pass the manifest's ``weak_cap``. Three rules read the hits together:

- a slur right after an address word ("une tapette", "you f*ggot") is also an insult
  (``abuse.insult``): FORMAT.md labels a slur aimed at a person hate *and* abuse;
- explicit sexual content with a reference to a specific person ("la prof", "she", "je la
  ...") is also ``sexual.harassment``;
- condemnation ("signalé", "reported", "c'est raciste") together with quotation marks or
  reported speech ("a écrit", "someone asked if") is ``context.counter_speech``, which the
  policy uses to cap the comment at review: quoting hateful words to condemn them is allowed.

Scores are evidence; thresholds live in the policy only.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from vigie.detectors.base import DetectorInfo, parse_options
from vigie.findings import Finding
from vigie.policy import Policy
from vigie.text.lexicon import INTERNAL_SIGNALS, Lexicon, LexiconError, Match, load_lexicon
from vigie.text.prepare import PreparedComment

__all__ = ["SIGNALS", "LexiconDetector", "LexiconOptions"]

NAME = "vigie.lexicon.aho.v1"
SIGNALS = (
    "abuse.sacre",
    "abuse.vulgarity",
    "abuse.insult",
    "threat.violence",
    "threat.death",
    "hate.slur",
    "hate.generalisation",
    "hate.glorification",
    "hate.defamation",
    "sexual.explicit",
    "sexual.harassment",
    "context.counter_speech",
)

_WHAT = {
    "abuse.sacre": "Québec swear '{form}'",
    "abuse.vulgarity": "vulgar word '{form}'",
    "abuse.insult": "insult '{form}'",
    "threat.violence": "threat of violence ('{form}')",
    "threat.death": "death threat ('{form}')",
    "hate.slur": "{target}slur '{form}'",
    "hate.generalisation": "derogatory generalisation about a group ('{form}')",
    "hate.glorification": "glorification of a hate crime ('{form}')",
    "hate.defamation": "accusation of a crime against a person ('{form}')",
    "sexual.explicit": "explicit sexual term '{form}'",
    "sexual.harassment": "sexual remark aimed at a person ('{form}')",
}
_TARGET = {"origin": "racist ", "religion": "religious ", "gender": "sexist ",
           "gender_identity": "transphobic ", "orientation": "homophobic ",
           "disability": "ableist ", "group": "group "}
_STRENGTH = {"high": "strong", "medium": "moderate", "low": "mild or ambiguous",
             "cue": "weak cue", "hint": "weak cue"}
_QUOTED = re.compile(r"«[^»]{1,300}»|“[^”]{1,300}”|\"[^\"]{1,300}\"|(?<!\w)'[^'\n]{2,120}'(?!\w)")
_TOKEN = re.compile(r"[^\W\d_]+")
# Latin letters (accented included), spaces, apostrophes and hyphens: a hit made only of
# these was written plainly; anything else (digits, symbols, other scripts, invisible
# characters, stretched or spelled-out letters) was disguised.
_PLAIN = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿŒœÆæ' \-’]+")
_EDGE_PUNCT = ".,;:!?=()[]{}\"'«»“”…-"
_STRETCHED = re.compile(r"([^\W\d_])\1\1|(?<![^\W\d_])[^\W\d_][ .\-_][^\W\d_](?![^\W\d_])")
# Object pronouns right before a sexual verb make it about a person ("je la baiserais").
_AIMED = frozenset({"la", "le", "te", "les", "lui", "her", "him", "you", "t", "l", "jla", "jle"})
_HARASSMENT_FLOOR = 0.55
_COMBINED_HITS = 16
_FINDINGS_PER_SIGNAL = 5


class ExtraWord(BaseModel):
    """A word or phrase the institution adds to a lexicon category.

    ``variants`` are other spellings; ``lang`` is ``fr``, ``en`` or ``any``; ``severity`` is
    one of the manifest's levels (``high``: removal, ``medium`` / ``low``: review, ``cue``:
    weak evidence); ``target`` names the group a slur aims at (``origin``, ``gender``...).
    """

    model_config = ConfigDict(extra="forbid")
    term: str = Field(min_length=1)
    variants: tuple[str, ...] = ()
    lang: str = Field("any", pattern=r"^(?:fr|en|any)$")
    signal: str
    severity: str
    target: str = ""

    @field_validator("signal")
    @classmethod
    def _known_signal(cls, value: str) -> str:
        valid = [s for s in SIGNALS if s != "context.counter_speech"]
        if value not in valid:
            raise ValueError(f"unknown signal {value!r}; valid: {', '.join(valid)}")
        return value

    def row(self) -> str:
        """The entry as a row of the lexicon files (tab-separated)."""
        cells = [self.term, "|".join(self.variants), self.lang, self.signal.split(".")[0],
                 self.signal, self.severity, self.target, "", "from the policy"]
        if any("\t" in c or "\n" in c for c in cells):
            raise ValueError(f"extra word {self.term!r}: tabs and line breaks are not allowed")
        return "\t".join(cells)


class LexiconOptions(BaseModel):
    """Options, from the policy's ``detectors.vigie.lexicon.aho.v1`` mapping."""

    model_config = ConfigDict(extra="forbid")
    extra_words: tuple[ExtraWord, ...] = Field(
        default=(), description="the institution's own words per category, with a severity")
    files: tuple[str, ...] | None = Field(
        default=None, description="lexicon files to load (default: every file of the manifest)")
    allow: tuple[str, ...] = Field(
        default=(), description="more allow-list phrases: the institution's names, local words")
    counter_speech: bool = Field(default=True, description="emit context.counter_speech")


def _disguised(text: str) -> bool:
    """Whether an original span was written to dodge filters (pure)."""
    if _STRETCHED.search(text) is not None:
        return True
    words = (w.strip(_EDGE_PUNCT) for w in text.split())
    return any(w and _PLAIN.fullmatch(w) is None for w in words)


class LexiconDetector:
    """Emits abuse, threat, hate and sexual signals from the curated lexicons."""

    info = DetectorInfo(NAME, provides=SIGNALS, cost=1)

    def __init__(self, options: LexiconOptions, lexicon: Lexicon | None = None,
                 names: tuple[str, ...] = ()) -> None:
        """Load the lexicons (once per process and option set).

        ``names``: the institution's names and aliases, never flagged alone (allow-list), and
        the institution a threat may name (``@institution`` in the lexicons).

        Raises:
            LexiconError: a lexicon file is malformed or emits an undeclared signal.
        """
        self.options = options
        self.lexicon = lexicon or load_lexicon(
            options.files, tuple(options.allow) + tuple(names),
            "\n".join(w.row() for w in options.extra_words), institution=tuple(names))
        self.scores = self.lexicon.manifest.scores
        self.weak_cap = self.lexicon.manifest.weak_cap
        self.directed = self.lexicon.wordset("directed")
        unknown = self.lexicon.signals - set(SIGNALS) - INTERNAL_SIGNALS
        if unknown:
            raise LexiconError(f"lexicon entries emit undeclared signals {sorted(unknown)}; "
                               f"declared: {', '.join(SIGNALS)}")

    def detect(
        self, batch: Sequence[PreparedComment], prior: Sequence[Sequence[Finding]]
    ) -> list[list[Finding]]:
        """Return the lexicon findings of each comment (pure once the lexicon is loaded)."""
        return [self._findings(item) for item in batch]

    def _findings(self, item: PreparedComment) -> list[Finding]:
        view = item.norm.words
        matches = self.lexicon.match(view, item.text, item.language.lang, item.language.score)
        if not matches:
            return []
        evidence = [m for m in matches if m.entry.signal in SIGNALS]
        persons = [m for m in matches if m.entry.signal == "cue.person"]
        findings = self._combine(evidence, item.text)
        findings.extend(self._directed_slurs(evidence, view.text, item.text))
        harassment = self._harassment(evidence, persons, view.text, findings)
        if harassment is not None:
            findings.append(harassment)
        if self.options.counter_speech:
            counter = self._counter_speech(matches, evidence, item.text)
            if counter is not None:
                findings.append(counter)
        return findings

    def _finding(self, match: Match, score: float, text: str, extra: str = "") -> Finding:
        entry = match.entry
        disguised = (any(c.isalpha() for c in match.form)
                     and _disguised(text[match.span[0]:match.span[1]]))
        what = _WHAT[entry.signal].format(form=match.form, target=_TARGET.get(entry.target, ""))
        strength = ("masked word, reading guessed" if match.guessed
                    else _STRENGTH.get(entry.severity, entry.severity))
        explanation = f"{what} ({strength}{', disguised' if disguised else ''}){extra}"
        return Finding(
            signal=entry.signal,
            score=round(min(1.0, score), 4),
            detector=NAME,
            explanation=explanation[:1].upper() + explanation[1:],
            span=match.span,
            data={"entry": entry.id, "term": entry.label, "lang": entry.lang,
                  "severity": entry.severity, "target": entry.target,
                  "disguised": disguised, "guessed": match.guessed,
                  "lexicon": self.lexicon.version},
        )

    def _score(self, match: Match) -> float:
        """The entry's score; a guessed reading of a masked word counts as ``low`` at most."""
        if match.guessed:
            return min(match.entry.score, self.scores.get("low", 0.55))
        return match.entry.score

    def _combine(self, evidence: Sequence[Match], text: str) -> list[Finding]:
        """One finding per hit; the strongest hit of a signal carries the combined score."""
        by_signal: dict[str, list[Match]] = {}
        for m in evidence:
            by_signal.setdefault(m.entry.signal, []).append(m)
        out = []
        for hits in by_signal.values():
            hits.sort(key=lambda m: (-self._score(m), m.start))
            # Distinct, non-overlapping hits are independent evidence; overlapping ones
            # ("I'll slap that" inside "slap … off her face") are one piece of evidence.
            # The first few strongest hits say all there is to say: noisy-or saturates.
            best: dict[str, float] = {}
            counted: list[tuple[int, int]] = []
            for m in hits[:_COMBINED_HITS]:
                if any(m.start < e and s < m.end for s, e in counted):
                    continue
                counted.append((m.start, m.end))
                best[m.form] = max(best.get(m.form, 0.0), self._score(m))
            top = self._score(hits[0])
            combined = 1.0 - math.prod(1.0 - s for s in best.values())
            cap = 0.97 if top >= self.scores.get("medium", 0.75) else self.weak_cap
            score = max(top, min(combined, cap))
            more = len(hits) - 1
            extra = f"; with {more} more hit{'s' if more > 1 else ''}" if more else ""
            out.append(self._finding(hits[0], score, text, extra))
            # A long rant does not need a finding per word: the strongest few, then the count.
            out.extend(self._finding(m, self._score(m), text)
                       for m in hits[1:_FINDINGS_PER_SIGNAL])
        return out

    def _directed_slurs(self, evidence: Sequence[Match], folded: str, text: str
                        ) -> list[Finding]:
        """A slur right after an address word is an insult too ("une tapette", "you f*g")."""
        out: list[Finding] = []
        for m in evidence:
            if len(out) >= _FINDINGS_PER_SIGNAL:
                break
            if m.entry.signal != "hate.slur" or m.entry.severity not in ("high", "medium"):
                continue
            before = _TOKEN.findall(folded, max(0, m.start - 24), m.start)[-2:]
            if before and any(w in self.directed for w in before):
                finding = self._finding(m, self._score(m), text, "; aimed at a person")
                out.append(Finding("abuse.insult", finding.score, NAME,
                                   finding.explanation.replace("slur", "slur used as an insult",
                                                               1),
                                   finding.span, finding.data))
        return out

    def _harassment(self, evidence: Sequence[Match], persons: Sequence[Match], folded: str,
                    findings: Sequence[Finding]) -> Finding | None:
        """Explicit sexual content about a specific person is harassment too."""
        if any(m.entry.signal == "sexual.harassment" for m in evidence):
            return None
        sexual = [f for f in findings if f.signal == "sexual.explicit"]
        score = max((f.score for f in sexual), default=0.0)
        if score < _HARASSMENT_FLOOR:
            return None
        aimed = [m for m in evidence if m.entry.signal == "sexual.explicit"
                 and _TOKEN.findall(folded, max(0, m.start - 8), m.start)[-1:]
                 and _TOKEN.findall(folded, max(0, m.start - 8), m.start)[-1] in _AIMED]
        if not persons and not aimed:
            return None
        who = persons[0].form if persons else aimed[0].form
        span = (persons[0] if persons else aimed[0]).span
        return Finding(
            signal="sexual.harassment", score=round(score, 4), detector=NAME,
            explanation=f"Explicit sexual content about a specific person ('{who}')",
            span=span, data={"person": who, "lexicon": self.lexicon.version},
        )

    def _counter_speech(self, matches: Sequence[Match], evidence: Sequence[Match],
                        text: str) -> Finding | None:
        """Condemnation + quotation or reported speech: the offensive words are mentioned."""
        condemn = [m for m in matches if m.entry.signal == "counter.condemn"]
        report = [m for m in matches if m.entry.signal == "counter.report"]
        if not condemn and not report:
            return None
        quotes = [q.span() for q in _QUOTED.finditer(text)]
        quoted_hit = any(a <= m.span[0] and m.span[1] <= b for m in evidence for a, b in quotes)
        if condemn and (quotes or report):
            score = 0.85 if quoted_hit else 0.8
        elif report and quoted_hit:
            score = 0.7
        elif report and quotes:
            score = 0.6
        else:
            return None
        cues = [m.form for m in (condemn + report)[:3]]
        span = quotes[0] if quotes else None
        return Finding(
            signal="context.counter_speech", score=score, detector=NAME,
            explanation=("Offensive words quoted or reported in order to condemn them "
                         f"(cues: {', '.join(repr(c) for c in cues)}"
                         f"{'; quotation marks' if quotes else ''})"),
            span=span, data={"quoted_hit": quoted_hit, "lexicon": self.lexicon.version},
        )


def create(options: Mapping[str, Any], policy: Policy | None) -> LexiconDetector:
    """Factory for the registry: the institution's names (policy) join the allow-list."""
    names = policy.institution_names if policy is not None else ()
    return LexiconDetector(parse_options(LexiconOptions, NAME, options), names=names)
