"""Tone toward the institution, in French and English: criticism, negative news, praise.

Directive 6.1 routes negative information about the institution to the community manager;
6.2 forbids removing it for that. What matters is therefore not whether a text is negative but
whether its judgement is *aimed at the institution*: "les politiciens sont incompétents" is
no business of the community manager, "Poly est incompétente" is.

The analysis is a lexicon pass (one Aho-Corasick scan of the folded text) followed by a little
structure:

* *judgements* (``vigie/data/tone/lexicon.tsv``): evaluative criticism ("inacceptable",
  "shameful"), reproaches ("vous auriez pu", "still no answer"), negative news ("grève",
  "data breach") and praise ("bravo", "proud"), each with a weight in [0, 1];
* *targets* (``vigie/data/tone/targets.tsv`` and the sure names of the names file): the
  institution named, its bodies and services ("l'administration", "le registrariat"), and the
  page spoken to ("vous", "you"; weaker in a reply to another commenter);
* a negator within two words before a judgement cancels a criticism and turns praise into a
  mild criticism ("pas acceptable" is listed as a phrase; "pas génial" is derived);
* praise before "mais"/"but" in the same sentence counts for less ("beau pavillon, mais...");
  praise followed by an ellipsis ("bravo...") reads as sarcasm.

A sentence's criticism is the noisy-or of its judgements times the strength of the target in
that sentence; a target elsewhere in the text counts for 60 %. Scores are evidence in [0, 1];
the thresholds live in the policy (escalations) and in the monitoring settings (alerts).

Pure once built; about 10 µs per comment on one core (measured in ``docs/monitoring.md``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

import ahocorasick

from vigie.errors import VigieError
from vigie.text.normalize import normalize

__all__ = [
    "Cue",
    "ToneAnalysis",
    "ToneLabel",
    "ToneLexicon",
    "default_lexicon",
    "load_lexicon",
]

ToneLabel = Literal["negative", "neutral", "positive"]
_JUDGEMENT_KINDS = frozenset({"neg", "complaint", "event", "accuse", "pos"})
_KINDS = _JUDGEMENT_KINDS | {"negator", "contrast", "name", "body", "address"}
# Share of a target found in another sentence of the same text.
_ELSEWHERE = 0.6
# Praise that is negated becomes a mild criticism ("pas génial"); praise before a contrast
# word counts for less; address words in a reply point at another commenter.
_NEGATED_PRAISE = 0.75
_BEFORE_CONTRAST = 0.5
_REPLY_ADDRESS = 0.35
_SENTENCE = re.compile(r"[.!?;\n]+|…")
_ELLIPSIS = re.compile(r"\s*(?:\.\.\.|…)")
_WORD = re.compile(r"[\w'@-]+")
# A negation does not reach past a comma or a colon: "jamais, c'est ridicule".
_CLAUSE_BREAK = re.compile(r"[,:()\u2014]")
# Links and bare domains are masked: "polymtl.ca/greve-info" names neither a target nor a strike.
_LINK = re.compile(r"(?:https?://|www\.)\S+|\b[\w.-]+\.(?:ca|com|org|net|edu|fr|io|ly|gg)\b\S*")


@dataclass(frozen=True, slots=True)
class Cue:
    """One lexicon entry found in a text.

    Attributes:
        phrase: the lexicon entry (folded form).
        kind: ``neg``, ``complaint``, ``event``, ``accuse``, ``pos`` (judgements), ``name``,
            ``body``,
            ``address`` (targets), ``negator`` or ``contrast``.
        weight: the entry's weight in [0, 1] after negation, contrast and sarcasm.
        span: ``(start, end)`` in the folded text.
        sentence: index of the sentence it is in.
    """

    phrase: str
    kind: str
    weight: float
    span: tuple[int, int]
    sentence: int


@dataclass(frozen=True, slots=True)
class ToneAnalysis:
    """The tone of one text toward the institution.

    Attributes:
        criticism: evidence in [0, 1] that the text criticises the institution or carries
            negative information about it (a judgement aimed at a target).
        negative: evidence in [0, 1] of negative judgements anywhere in the text.
        positive: evidence in [0, 1] of praise anywhere in the text.
        target: strength in [0, 1] of the best target found (0: nothing aimed at).
        cues: the judgements and targets found, in text order.
        best: the judgement behind ``criticism`` (``None`` when it is 0).
        best_target: the target behind ``criticism``.
    """

    criticism: float
    negative: float
    positive: float
    target: float
    cues: tuple[Cue, ...]
    best: Cue | None = None
    best_target: Cue | None = None

    @property
    def score(self) -> float:
        """Tone in [-1, 1]: praise minus negative evidence."""
        return round(self.positive - self.negative, 4)

    def label(self, about: bool = True) -> ToneLabel:
        """``negative``, ``neutral`` or ``positive`` (0.5 evidence floor; pure).

        Args:
            about: the text is known to be about the institution (a mention), so negative
                judgements anywhere in it count; otherwise only ``criticism`` does.
        """
        negative = self.negative if about else self.criticism
        if negative >= 0.5 and negative >= self.positive:
            return "negative"
        if self.positive >= 0.5 and self.positive > negative:
            return "positive"
        return "neutral"

    def explain(self) -> str:
        """A short sentence naming the judgement and its target (never the whole text)."""
        if self.best is None:
            return "no judgement aimed at the institution"
        kind = {"neg": "criticism", "complaint": "reproach", "event": "negative news",
                "accuse": "criticism", "pos": "negated praise"}[self.best.kind]
        target = f" aimed at '{self.best_target.phrase}'" if self.best_target else ""
        return f"{kind} '{self.best.phrase.rstrip('*')}'{target}"


def _noisy_or(weights: Iterable[float]) -> float:
    missing = 1.0
    for w in weights:
        missing *= 1.0 - w
    return 1.0 - missing


class ToneLexicon:
    """The compiled lexicon: one automaton over judgements, targets, negators and contrasts."""

    def __init__(self, entries: Sequence[tuple[str, str, float]]) -> None:
        """Compile ``(phrase, kind, weight)`` entries; a trailing ``*`` matches a word's rest.

        Raises:
            VigieError: an entry has an unknown kind or a weight outside [0, 1].
        """
        self._automaton: Any = ahocorasick.Automaton()
        seen: dict[str, tuple[str, str, float, bool]] = {}
        for phrase, kind, weight in entries:
            if kind not in _KINDS:
                raise VigieError(f"tone lexicon: {phrase!r}: unknown kind {kind!r}; valid: "
                                 f"{', '.join(sorted(_KINDS))}")
            if not 0.0 <= weight <= 1.0:
                raise VigieError(f"tone lexicon: {phrase!r}: weight {weight} not in [0, 1]")
            prefix = phrase.endswith("*")
            key = phrase.rstrip("*")
            if key in seen and seen[key][2] >= weight:
                continue  # the same phrase in two languages: keep the stronger entry
            seen[key] = (phrase, kind, weight, prefix)
        for key, value in seen.items():
            self._automaton.add_word(key, value)
        self._automaton.make_automaton()
        self.size = len(seen)

    def scan(self, folded: str) -> list[tuple[int, int, str, str, float]]:
        """Every entry in ``folded`` on word boundaries, longest first where they overlap.

        Returns:
            ``(start, end, phrase, kind, weight)`` in text order (pure).
        """
        found = []
        n = len(folded)
        for last, (phrase, kind, weight, prefix) in self._automaton.iter(folded):
            key_len = len(phrase) - (1 if prefix else 0)
            start, end = last - key_len + 1, last + 1
            glued = start > 0 and (folded[start - 1].isalnum() or folded[start - 1] in "_@")
            if glued and not phrase.startswith("@"):
                continue
            if prefix:
                while end < n and (folded[end].isalnum() or folded[end] == "_"):
                    end += 1
            elif end < n and (folded[end].isalnum() or folded[end] == "_"):
                continue
            found.append((start, end, phrase, kind, weight))
        found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
        kept: list[tuple[int, int, str, str, float]] = []
        for item in found:
            if kept and item[0] < kept[-1][1]:
                continue  # inside a longer phrase already kept ("franchement decevant")
            kept.append(item)
        return kept

    def analyse(self, folded: str, *, reply: bool = False, implicit_target: float = 0.0,
                event_weight: float = 1.0,
                extra_targets: Sequence[tuple[int, int]] = ()) -> ToneAnalysis:
        """Analyse a folded text (see :func:`vigie.text.normalize.normalize`); pure.

        Args:
            folded: the folded text (lower case, no accents).
            reply: the text answers another commenter, so "vous"/"you" may address them.
            implicit_target: strength in [0, 1] of the page itself as the target of a
                reproach that names nothing ("vous auriez pu", "les priorités?"): on the
                institution's own page a reproach is addressed to it. 0 for other texts.
            event_weight: factor in [0, 1] on negative news ("grève", "breach"): full for a
                news item, less for a comment, where a question about a strike is no reproach.
            extra_targets: spans of names found by another matcher (the names file's sure
                names), counted as name targets.
        """
        text = _LINK.sub(lambda m: " " * len(m.group()), folded.replace("’", "'"))
        bounds = [m.end() for m in _SENTENCE.finditer(text)]

        def sentence_of(pos: int) -> int:
            return sum(1 for b in bounds if b <= pos)

        raw = self.scan(text)
        raw.extend((s, e, "(name)", "name", 1.0) for s, e in extra_targets)
        raw.sort(key=lambda f: f[0])
        negators = [(s, e, sentence_of(s)) for s, e, _, k, _ in raw if k == "negator"]
        contrasts = [(s, sentence_of(s)) for s, _, _, k, _ in raw if k == "contrast"]
        cues: list[Cue] = []
        for start, end, phrase, kind, weight in raw:
            if kind in ("negator", "contrast"):
                continue
            sentence = sentence_of(start)
            if kind == "address" and reply:
                weight *= _REPLY_ADDRESS
            elif kind in ("event", "accuse"):
                weight *= event_weight
            if kind in _JUDGEMENT_KINDS:
                negated = any(
                    ns == sentence and ne <= start and len(_WORD.findall(text[ne:start])) <= 2
                    and not _CLAUSE_BREAK.search(text, ne, start)
                    for _, ne, ns in negators
                )
                if kind == "pos":
                    if _ELLIPSIS.match(text, end):
                        kind, weight = "neg", weight * _NEGATED_PRAISE  # "bravo..." is sarcasm
                    elif negated:
                        kind, weight = "neg", weight * _NEGATED_PRAISE
                    elif any(cs == sentence and cpos > end for cpos, cs in contrasts):
                        weight *= _BEFORE_CONTRAST
                elif negated:
                    continue  # "pas en retard", "not a scandal": no criticism
            cues.append(Cue(phrase, kind, round(weight, 4), (start, end), sentence))
        return _combine(tuple(cues), 0.0 if reply else implicit_target)


def _combine(cues: tuple[Cue, ...], implicit: float) -> ToneAnalysis:
    judgements = [c for c in cues if c.kind in ("neg", "complaint", "event", "accuse")]
    praise = [c for c in cues if c.kind == "pos"]
    targets = [c for c in cues if c.kind in ("name", "body", "address")]
    negative = _noisy_or(c.weight for c in judgements)
    positive = _noisy_or(c.weight for c in praise)
    best_target = max(targets, key=lambda c: c.weight, default=None)
    anywhere = best_target.weight if best_target else 0.0
    criticism, best, aimed = 0.0, None, None
    for sentence in sorted({c.sentence for c in judgements}):
        here = [c for c in judgements if c.sentence == sentence]
        local = [c for c in targets if c.sentence == sentence]
        # A verb of criticising is aimed at what follows it: "Polytechnique dénonce X".
        first_accuse = min((c.span[0] for c in here if c.kind == "accuse"), default=None)
        if first_accuse is not None and all(c.kind == "accuse" for c in here):
            local = [c for c in local if c.span[0] > first_accuse]
            later = [c for c in targets if c.span[0] > first_accuse]
            elsewhere = max((c.weight for c in later), default=0.0)
        else:
            elsewhere = anywhere
        target = max(local, key=lambda c: c.weight, default=None)
        strength = target.weight if target else elsewhere * _ELSEWHERE
        score = _noisy_or(c.weight for c in here) * strength
        reproaches = [c for c in here if c.kind == "complaint"]
        if reproaches and implicit > strength:
            # A reproach that names no one, on the institution's page, is addressed to it.
            score = max(score, _noisy_or(c.weight for c in reproaches) * implicit)
        if score > criticism:
            criticism = score
            best = max(here, key=lambda c: c.weight)
            aimed = target or best_target
    return ToneAnalysis(round(criticism, 4), round(negative, 4), round(positive, 4),
                        anywhere, cues, best, aimed)


def _read_tsv(name: str) -> list[tuple[str, str, float]]:
    text = resources.files("vigie").joinpath("data", "tone", name).read_text("utf-8")
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        try:
            out.append((parts[0].strip(), parts[1].strip(), float(parts[2])))
        except (IndexError, ValueError):
            raise VigieError(f"vigie/data/tone/{name}: line {number}: expected "
                             "phrase<TAB>kind<TAB>weight") from None
    return out


def load_lexicon(names: tuple[str, ...] = ()) -> ToneLexicon:
    """Build the bundled bilingual lexicon (judgements and targets).

    Args:
        names: the institution's names and aliases (from its policy), matched as targets of
            kind ``name``; the bundled files name no institution.

    Raises:
        VigieError: a data file is malformed.
    """
    own = [(normalize(n).text, "name", 1.0) for n in names if normalize(n).text.strip()]
    return ToneLexicon(_read_tsv("lexicon.tsv") + _read_tsv("targets.tsv") + own)


@cache
def default_lexicon(names: tuple[str, ...] = ()) -> ToneLexicon:
    """The bundled lexicon with ``names`` as institution names, built once per name set."""
    return load_lexicon(names)
