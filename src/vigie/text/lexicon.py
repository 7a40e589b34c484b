"""Curated lexicons: loading, compiling, and whole-word matching with context rules.

The lexicons are versioned data files in ``vigie/data/lexicons/`` (format: the README there):
a ``manifest.yaml`` (version, severity scores, word sets, context rules, file list) and TSV
files with the columns ``term, variants, lang, category, signal, severity, target, context,
notes``. Terms and variants are *patterns*:

- ``{a|b|c}`` expands to alternatives, ``{|x}`` makes ``x`` optional;
- ``@institution`` in an alternative stands for each of the policy's names of the institution
  (``{le campus|à @institution}``): no institution is named in the data;
- ``A … B`` matches ``A`` followed by ``B`` within ``gap_window`` words;
- every pattern is folded exactly like a comment (:attr:`vigie.text.normalize.Normalized.words`),
  so "câlisse", "calisse" and "C@LISSE" are one key; repeated letters are compared through
  run lengths, so the key "crisse" matches "crissssse" but never "crise".

Matching is one Aho-Corasick pass (``pyahocorasick``) over the comment's matching view,
keeping whole-word hits only; single-word keys of strong entries also get masked forms
("f*ck", "b*tch", "f**k"). Hits inside an allow-list match are dropped ("cum laude",
"cul-de-sac"), then each entry's context rules are checked ("tabernacle" near "église").

Loading is done once per process and per configuration; matching is pure.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import ahocorasick
import yaml
from pydantic import ValidationError

from vigie.text._lexicon_files import (
    COLUMNS,
    ContextRule,
    Entry,
    LexiconError,
    Manifest,
    expand,
    expand_folded,
    fold_pattern,
    parse_file,
    read_package_text,
)
from vigie.text._lexicon_masks import mask_verdict, masked_words, masks, reading, unmaskings
from vigie.text.normalize import WordsView, squeeze_letters

__all__ = [
    "COLUMNS",
    "INTERNAL_SIGNALS",
    "ContextRule",
    "Entry",
    "Lexicon",
    "LexiconError",
    "Manifest",
    "Match",
    "expand",
    "expand_folded",
    "fold_pattern",
    "load_lexicon",
]

#: Signals used inside the detector's rules and never emitted: allow-list entries, the cues
#: of counter-speech, references to a person.
INTERNAL_SIGNALS = frozenset({"allow", "counter.condemn", "counter.report", "cue.person"})
_TOKEN = re.compile(r"[^\W\d_]+")
_MAX_CHAIN_STARTS = 64
# Words counted in a gap: masked words count once ("e*x"), elisions twice ("c'est").
_GAP_WORD = re.compile(r"[^\W_]+(?:\*+[^\W_]*)*|\*+[^\W_]+")
_MASKABLE = frozenset({"high", "medium"})
_PRONOUNS = frozenset({"il", "elle", "lui", "he", "she", "him", "her", "ils", "elles"})
_SENTENCE_END = frozenset(".!?\n:;«\"“")


@dataclass(frozen=True, slots=True)
class Match:
    """One lexicon hit in a comment.

    Attributes:
        entry: the lexicon entry.
        start: start index in the matching view.
        end: end index (exclusive) in the matching view.
        span: ``(start, end)`` in the original comment text.
        form: the lexicon form that matched, folded ("calisse", "c'est lui le pirate"); parts
            of an ``A … B`` pattern are joined with " … ". Safe to show: it is lexicon text.
        guessed: the match reads a masked word ("th*t") that other words fit as well: the
            letters behind the mask are a guess.
    """

    entry: Entry
    start: int
    end: int
    span: tuple[int, int]
    form: str
    guessed: bool = False


@dataclass(frozen=True, slots=True)
class _Words:
    """A compiled word set: exact words and prefixes (``eglise*``)."""

    exact: frozenset[str]
    prefixes: tuple[str, ...]

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and (word in self.exact or word.startswith(self.prefixes))


@dataclass(frozen=True, slots=True)
class _Rule:
    safe_words: _Words | None
    need_words: _Words | None
    window: int
    safe_before: _Words | None
    need_before: _Words | None
    safe_after: _Words | None
    need_after: _Words | None
    adjacent: int
    not_lang: frozenset[str]
    need_name: bool


@dataclass
class _Pattern:
    entry: int
    parts: int


@dataclass
class _Tokens:
    """Word tokens of a matching view, computed once per comment when a rule needs them."""

    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    words: list[str] = field(default_factory=list)


class Lexicon:
    """Compiled lexicons: one automaton, the entries, the context rules.

    Build with :func:`load_lexicon` (cached) rather than directly.
    """

    def __init__(self, manifest: Manifest, entries: Sequence[Entry],
                 patterns: Sequence[tuple[int, list[list[str]]]]) -> None:
        """Compile ``patterns`` (entry index, parts of surface forms) into an automaton.

        Raises:
            LexiconError: an entry names an unknown context rule or word set.
        """
        self.manifest = manifest
        self.version = manifest.version
        self.entries = tuple(entries)
        self.gap_window = manifest.gap_window
        self._wordsets = {name: self._compile_words(words, name)
                          for name, words in manifest.wordsets.items()}
        self._rules = {name: self._compile_rule(name, rule)
                       for name, rule in manifest.contexts.items()}
        for entry in self.entries:
            for name in entry.context:
                if name not in self._rules:
                    raise LexiconError(f"{entry.id}: unknown context rule {name!r}; defined: "
                                       f"{', '.join(sorted(self._rules))}")
        self._patterns: list[_Pattern] = []
        table: dict[str, list[tuple[int, int, bytes, str]]] = {}
        plain: set[str] = set()  # keys as written, without collapsed double letters
        for entry_index, parts in patterns:
            pattern_index = len(self._patterns)
            self._patterns.append(_Pattern(entry_index, len(parts)))
            entry = self.entries[entry_index]
            maskable = entry.severity in _MASKABLE and not entry.context and len(parts) == 1
            for part_index, surfaces in enumerate(parts):
                for surface in surfaces:
                    forms = {surface} | (masks(surface) if maskable else set())
                    for form in forms:
                        key, runs = squeeze_letters(form)
                        if not key:
                            continue
                        plain.add(key)
                        for variant, variant_runs in _collapsed(key, runs):
                            table.setdefault(variant, []).append(
                                (pattern_index, part_index, variant_runs, surface))
        # Every word of every lexicon form, by length and with the number of forms it
        # appears in, to restore masked words ("gr*tuit" → "gratuit").
        words: dict[int, dict[str, int]] = {}
        for key in plain:
            for word in _TOKEN.findall(key):
                if len(word) >= 3:
                    counts = words.setdefault(len(word), {})
                    counts[word] = counts.get(word, 0) + 1
        # One newline-separated string per length: a masked word is looked up with one
        # regular-expression scan ("^f[a-z]ck$"), most frequent words first.
        self._words_by_length = {
            n: "\n".join(w for _, w in sorted((-count, w) for w, count in ws.items()))
            for n, ws in words.items()}
        common = self._wordsets.get("common")
        by_length: dict[int, list[str]] = {}
        for word in sorted(common.exact if common is not None else ()):
            by_length.setdefault(len(word), []).append(word)
        self._common_by_length = {n: "\n".join(ws) for n, ws in by_length.items()}
        automaton = ahocorasick.Automaton()
        for key, payload in table.items():
            automaton.add_word(key, (len(key), key[0].isalpha(), key[-1].isalpha(),
                                     tuple(dict.fromkeys(payload))))
        automaton.make_automaton()
        self._automaton = automaton
        self.keys = len(table)

    def _compile_words(self, words: Iterable[str], where: str) -> _Words:
        exact: set[str] = set()
        prefixes: list[str] = []
        for word in words:
            if word.startswith("@"):
                ref = self._wordsets.get(word[1:]) if hasattr(self, "_wordsets") else None
                if ref is None:
                    raise LexiconError(f"manifest: {where}: unknown word set {word!r}; defined: "
                                       f"{', '.join(sorted(self.manifest.wordsets))}")
                exact |= ref.exact
                prefixes.extend(ref.prefixes)
                continue
            folded, _ = squeeze_letters(fold_pattern(word.rstrip("*")))
            if word.endswith("*"):
                prefixes.append(folded)
            else:
                exact.add(folded)
        return _Words(frozenset(exact), tuple(prefixes))

    def _compile_rule(self, name: str, rule: ContextRule) -> _Rule:
        def words(items: list[str], key: str) -> _Words | None:
            return self._compile_words(items, f"contexts.{name}.{key}") if items else None

        return _Rule(
            safe_words=words(rule.safe_words, "safe_words"),
            need_words=words(rule.need_words, "need_words"),
            window=rule.window,
            safe_before=words(rule.safe_before, "safe_before"),
            need_before=words(rule.need_before, "need_before"),
            safe_after=words(rule.safe_after, "safe_after"),
            need_after=words(rule.need_after, "need_after"),
            adjacent=rule.adjacent,
            not_lang=frozenset(rule.not_lang),
            need_name=rule.need_name,
        )

    def wordset(self, name: str) -> _Words:
        """A compiled word set of the manifest (membership tests on folded words).

        Raises:
            LexiconError: no such word set.
        """
        try:
            return self._wordsets[name]
        except KeyError:
            raise LexiconError(f"unknown word set {name!r}; defined: "
                               f"{', '.join(sorted(self._wordsets))}") from None

    @property
    def signals(self) -> frozenset[str]:
        """Every signal the entries emit (internal ones included)."""
        return frozenset(e.signal for e in self.entries)

    # -- matching ------------------------------------------------------------------------

    def match(self, view: WordsView, original: str = "", lang: str | None = None,
              lang_score: float = 0.0) -> list[Match]:
        """Find every lexicon entry in a comment (pure).

        Args:
            view: the comment's matching view (``Normalized.words``).
            original: the comment as posted (for rules that look at capital letters).
            lang: the identified language of the comment, if any.
            lang_score: the identifier's confidence in ``lang``, in [0, 1].

        Returns:
            Matches sorted by position; allow-listed and context-suppressed hits removed,
            and a hit contained in a longer hit of the same signal dropped.
        """
        text = view.text
        runs = view.runs
        breaks = view.breaks
        n = len(text)
        # (start, end, pattern, part) → (form, the letters read behind masks)
        found: dict[tuple[int, int, int, int], tuple[str, str | None]] = {}
        # Masked words ("f*ck", "gr*tuit") are matched as written (masked keys) and as the
        # lexicon words they may stand for.
        masked = (masked_words(text, self._words_by_length, self._common_by_length)
                  if "*" in text else [])
        variants = (text, *unmaskings(text, masked)) if masked else (text,)
        for variant in variants:
            for last, (length, left, right, payload) in self._automaton.iter(variant):
                start, end = last - length + 1, last + 1
                if left and start > 0 and variant[start - 1].isalpha() and start not in breaks:
                    continue
                if right and end < n and variant[end].isalpha() and end not in breaks:
                    continue
                for pattern_index, part_index, key_runs, form in payload:
                    key = (start, end, pattern_index, part_index)
                    if key not in found and _runs_agree(runs, start, key_runs):
                        found[key] = (form, reading(variant, start, end, form))
        raw: list[tuple[int, int, int, int, str]] = []
        guessed: set[tuple[int, int, str]] = set()
        for (start, end, pattern_index, part_index), (form, letters) in found.items():
            verdict = mask_verdict(masked, start, end, letters) if masked else "read"
            if verdict == "drop":
                continue
            if verdict == "guess":
                guessed.add((start, end, form))
            raw.append((start, end, pattern_index, part_index, form))
        if not raw:
            return []
        tokens = _Tokens()
        allow: list[tuple[int, int]] = []
        singles: list[tuple[int, int, int, str]] = []  # (start, end, entry, form)
        gapped: dict[int, list[tuple[int, int, int, str]]] = {}
        for start, end, pattern_index, part_index, form in raw:
            pattern = self._patterns[pattern_index]
            if pattern.parts == 1:
                if self.entries[pattern.entry].signal == "allow":
                    allow.append((start, end))
                else:
                    singles.append((start, end, pattern.entry, form))
            else:
                gapped.setdefault(pattern_index, []).append((part_index, start, end, form))
        for pattern_index, hits in gapped.items():
            chain = self._assemble(text, self._patterns[pattern_index].parts, hits)
            if chain is not None:
                start, end, form = chain
                singles.append((start, end, self._patterns[pattern_index].entry, form))
        kept: dict[tuple[int, int, int], Match] = {}
        for start, end, entry_index, form in singles:
            if any(a <= start and end <= b and b - a > end - start for a, b in allow):
                continue
            entry = self.entries[entry_index]
            if entry.context and not self._context_ok(entry, view, original, start, end, tokens,
                                                      lang, lang_score):
                continue
            if (start, end, entry_index) not in kept:  # the term's own form comes first
                guess = (start, end, form) in guessed or (" … " in form and any(
                    m.start < end and start < m.end and (m.common or len(m.fits) > 1)
                    for m in masked))
                kept[(start, end, entry_index)] = Match(
                    entry, start, end, view.to_original(start, end), form, guess)
        return _drop_nested(sorted(kept.values(), key=lambda m: (m.start, -m.end)))

    def _assemble(self, text: str, parts: int, hits: list[tuple[int, int, int, str]]
                  ) -> tuple[int, int, str] | None:
        """First ordered chain of parts 0..n-1, each within the gap window of the previous."""
        by_part: list[list[tuple[int, int, str]]] = [[] for _ in range(parts)]
        for part_index, start, end, form in hits:
            by_part[part_index].append((start, end, form))
        for part in by_part:
            part.sort()
        starts = [[s for s, _, _ in part] for part in by_part]
        for chain_start, chain_end, first_form in by_part[0][:_MAX_CHAIN_STARTS]:
            end = chain_end
            forms = [first_form]
            for part, part_starts in zip(by_part[1:], starts[1:], strict=True):
                # The nearest next part is the only one that can be within the window.
                i = bisect.bisect_left(part_starts, end)
                if i == len(part) or self._too_far(text, end, part[i][0]):
                    break
                end = part[i][1]
                forms.append(part[i][2])
            else:
                return chain_start, end, " … ".join(forms)
        return None

    def _too_far(self, text: str, start: int, end: int) -> bool:
        """Whether more than ``gap_window`` words lie in ``text[start:end]``."""
        words = _GAP_WORD.finditer(text, start, end)
        return next(itertools.islice(words, self.gap_window, None), None) is not None

    def _context_ok(self, entry: Entry, view: WordsView, original: str, start: int, end: int,
                    tokens: _Tokens, lang: str | None, lang_score: float) -> bool:
        if not tokens.starts:
            for m in _TOKEN.finditer(view.text):
                tokens.starts.append(m.start())
                tokens.ends.append(m.end())
                tokens.words.append(m.group())
        first = bisect.bisect_left(tokens.starts, start)  # first token of the match
        after = bisect.bisect_left(tokens.starts, end)  # first token after the match
        for name in entry.context:
            rule = self._rules[name]
            if rule.not_lang and lang in rule.not_lang and lang_score >= 0.7:
                return False
            before = tokens.words[max(0, first - rule.adjacent):first]
            following = tokens.words[after:after + rule.adjacent]
            if rule.safe_before is not None and any(w in rule.safe_before for w in before):
                return False
            if rule.need_before is not None and not any(w in rule.need_before for w in before):
                return False
            if rule.safe_after is not None and any(w in rule.safe_after for w in following):
                return False
            if rule.need_after is not None and not any(w in rule.need_after
                                                       for w in following):
                return False
            near = (tokens.words[max(0, first - rule.window):first]
                    + tokens.words[after:after + rule.window])
            if rule.safe_words is not None and any(w in rule.safe_words for w in near):
                return False
            if rule.need_words is not None and not any(w in rule.need_words for w in near):
                return False
            if rule.need_name and not _name_before(view, original, tokens,
                                                   first, rule.window):
                return False
        return True


def _runs_agree(runs: bytes, start: int, key_runs: bytes) -> bool:
    """Whether the text's stretched letters fit the key's (pure).

    A single letter of the key matches one letter or a stretch ("fuuuck"); a collapsed
    double letter of the key matches a stretch only ("crissssse", never "crise").
    """
    if not any(r > 1 for r in key_runs):
        return True
    return all(want == 1 or runs[start + offset] >= 3
               for offset, want in enumerate(key_runs))


def _collapsed(key: str, runs: bytes) -> list[tuple[str, bytes]]:
    """The key, and its forms with double letters collapsed (pure).

    A collapsed letter must be stretched in the text: "crisse" is also keyed as "crise" for
    "crissssse", and the plain word "crise" never matches it.
    """
    doubles = [i for i in range(len(key) - 1) if key[i] == key[i + 1] and key[i].isalpha()
               and (i == 0 or key[i - 1] != key[i])][:4]
    out = [(key, runs)]
    for size in range(1, len(doubles) + 1):
        for chosen in itertools.combinations(doubles, size):
            chars, wants = list(key), bytearray(runs)
            for i in sorted(chosen, reverse=True):
                del chars[i + 1]
                del wants[i + 1]
                wants[i] = max(2, wants[i])
            out.append(("".join(chars), bytes(wants)))
    return out


def _name_before(view: WordsView, original: str, tokens: _Tokens, first: int,
                 window: int) -> bool:
    """A capitalised name (not sentence-initial) or a personal pronoun before token ``first``."""
    for i in range(max(0, first - window), first):
        word = tokens.words[i]
        if word in _PRONOUNS:
            return True
        position = view.starts[tokens.starts[i]]
        if not original or not original[position].isupper() or len(word) < 2:
            continue
        j = position - 1
        while j >= 0 and original[j] in " \t":
            j -= 1
        if j >= 0 and original[j] not in _SENTENCE_END:
            return True
    return False


def _drop_nested(matches: list[Match]) -> list[Match]:
    """Drop a match inside a longer match of the same signal that is at least as strong.

    Pure; one sweep per signal.
    """
    by_signal: dict[str, list[Match]] = {}
    for m in matches:
        by_signal.setdefault(m.entry.signal, []).append(m)
    kept: list[Match] = []
    for group in by_signal.values():
        group.sort(key=lambda m: (m.start, -m.end, -m.entry.score))
        reach, reach_score = -1, 0.0  # furthest end so far, and the score of that match
        for m in group:
            if m.end <= reach and m.entry.score <= reach_score:
                continue
            kept.append(m)
            if m.end > reach:
                reach, reach_score = m.end, m.entry.score
    return sorted(kept, key=lambda m: (m.start, -m.end))


#: Stands, in an alternative of a ``{a|b}`` group, for each name of the institution.
INSTITUTION = "@institution"
_GROUP = re.compile(r"\{([^{}]*)\}")


def with_institution(text: str, names: Sequence[str]) -> str:
    """``text`` with each alternative that holds :data:`INSTITUTION` once per name (pure).

    ``{le campus|à @institution}`` under the names ("Poly", "PolyMtl") becomes ``{le campus|à
    Poly|à PolyMtl}``; without names the alternative is dropped. A handle's ``@`` is left out.
    """
    if INSTITUTION not in text:
        return text
    forms = [n.strip().lstrip("@") for n in names]
    forms = [n for n in dict.fromkeys(forms) if n and not set(n) & set("{}|\t\n")]

    def expand(group: re.Match[str]) -> str:
        alternatives: list[str] = []
        for alternative in group.group(1).split("|"):
            if INSTITUTION in alternative:
                alternatives.extend(alternative.replace(INSTITUTION, n) for n in forms)
            else:
                alternatives.append(alternative)
        return "{" + "|".join(alternatives) + "}"

    return _GROUP.sub(expand, text)


def _load(files: tuple[str, ...] | None, extra_allow: tuple[str, ...],
          reader: Any = read_package_text, extra_rows: str = "",
          institution: tuple[str, ...] = ()) -> Lexicon:
    try:
        manifest = Manifest.model_validate(yaml.safe_load(reader("manifest.yaml")))
    except ValidationError as error:
        raise LexiconError(f"manifest.yaml: {error}") from None
    chosen = manifest.files if files is None else list(files)
    unknown = sorted(set(chosen) - set(manifest.files))
    if unknown:
        raise LexiconError(f"unknown lexicon file(s) {unknown}; available: "
                           f"{', '.join(manifest.files)}")
    entries: list[Entry] = []
    patterns: list[tuple[int, list[list[str]]]] = []
    for name in chosen:
        for entry, entry_patterns in parse_file(name, with_institution(reader(name), institution),
                                                manifest.scores):
            entries.append(entry)
            patterns.extend((len(entries) - 1, p) for p in entry_patterns)
    if extra_rows:
        header = "\t".join(COLUMNS)
        for entry, entry_patterns in parse_file("policy:extra_words", header + "\n" + extra_rows,
                                                manifest.scores):
            entries.append(entry)
            patterns.extend((len(entries) - 1, p) for p in entry_patterns)
    if extra_allow:
        entries.append(Entry("policy:allow", extra_allow[0], "any", "", "allow", "", 0.0, "",
                             (), "allow-list from the policy"))
        patterns.extend((len(entries) - 1, [[fold_pattern(p)]]) for p in extra_allow)
    return Lexicon(manifest, entries, patterns)


@lru_cache(maxsize=8)
def load_lexicon(files: tuple[str, ...] | None = None,
                 extra_allow: tuple[str, ...] = (), extra_rows: str = "",
                 institution: tuple[str, ...] = ()) -> Lexicon:
    """Load and compile the bundled lexicons (cached per argument set).

    Args:
        files: lexicon files to load (default: every file of the manifest).
        extra_allow: more allow-list phrases (an institution's names, local false friends).
        extra_rows: more entries from the policy, as TSV rows in the lexicon files' columns
            (without the header).
        institution: the institution's names (the policy's), for :data:`INSTITUTION`.

    Raises:
        LexiconError: a data file is malformed, or ``files`` names an unknown file.
    """
    return _load(files, extra_allow, extra_rows=extra_rows, institution=institution)
