"""Mentions of the institution by name, told apart from its homonyms.

"Polytechnique" is Montréal's school in Québec and the École polytechnique of Palaiseau in
France; "Poly" is also Cal Poly, a Singapore polytechnic, a Québec high school ("la poly"),
polyester and polyamory. A name alone rarely settles it, so each occurrence is scored:

* the name's *prior* (log-odds that the form designates the institution: "polymtl" is sure,
  lower-case "poly" is unlikely),
* *adjacent* cues, the words right before or after the name ("Cal Poly", "Polytechnique
  Hauts-de-France", "École polytechnique fédérale"),
* *document* cues anywhere in the text (Montréal, cégep, 6 December 1989 for; Palaiseau,
  prépa, Lausanne, polyester against), each counted once,
* a per-source *bias* (a Québec news feed leans toward Montréal),

and the logistic of the sum is the probability that the occurrence is about the institution.
A document is as much about the institution as its most convincing occurrence.

Names and cues come from the loaded policy (:func:`matcher_for`): its ``monitoring.names_file``
(Polytechnique's is ``vigie/policies/polytechnique-names.yaml``, format in
``docs/monitoring.md``), or else its ``institution`` and ``aliases``, each scored by its form
(:func:`names_from_policy`). Nothing of one institution is built into the code. Matching runs on
the folded text of :func:`vigie.text.normalize.normalize` (lower case, no accents); spans are
reported in the original text. Pure functions once the matcher is built; no I/O after loading.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from vigie.errors import VigieError
from vigie.policy import Policy, load_policy
from vigie.text.normalize import normalize

__all__ = [
    "Mention",
    "MentionScore",
    "NameMatcher",
    "NamesFile",
    "default_matcher",
    "load_names",
    "matcher_for",
    "names_from_policy",
]

#: Names files inside the installed package are written ``vigie:PATH``.
PACKAGE_PREFIX = "vigie:"
# Log-odds are clipped so one runaway cue list cannot make a score exactly 0 or 1.
_CLIP = 9.0


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NameForm(_Strict):
    """One way of writing the institution's name."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    pattern: str = Field(min_length=1)
    prior: float = Field(ge=-_CLIP, le=_CLIP)
    case: Literal["title", "upper", "lower"] | None = None


class AdjacentCue(_Strict):
    """Words right before or after a name that change what it designates."""

    side: Literal["before", "after"]
    pattern: str = Field(min_length=1)
    weight: float = Field(ge=-_CLIP, le=_CLIP)
    names: tuple[str, ...] = ()
    original: bool = False


class DocumentCue(_Strict):
    """Words anywhere in the document that make the institution more or less likely."""

    pattern: str = Field(min_length=1)
    weight: float = Field(ge=-_CLIP, le=_CLIP)


class NamesFile(_Strict):
    """The validated names file."""

    version: Literal[1]
    institution: str = Field(min_length=1)
    names: tuple[NameForm, ...] = Field(min_length=1)
    adjacent: tuple[AdjacentCue, ...] = ()
    document: tuple[DocumentCue, ...] = ()


@dataclass(frozen=True, slots=True)
class Mention:
    """One occurrence of a name.

    Attributes:
        name: the name form's id (``full_name``, ``poly_title``...).
        span: ``(start, end)`` in the original text.
        score: probability in [0, 1] that this occurrence designates the institution.
        cues: the adjacent and document cues that moved the score, as ``(cue, weight)``.
        folded: ``(start, end)`` in the folded text (:func:`vigie.text.normalize.normalize`).
    """

    name: str
    span: tuple[int, int]
    score: float
    cues: tuple[tuple[str, float], ...] = ()
    folded: tuple[int, int] = (0, 0)


@dataclass(frozen=True, slots=True)
class MentionScore:
    """What a document says about the institution.

    Attributes:
        score: probability in [0, 1] that the document mentions the institution (its best
            occurrence; 0 when no name occurs).
        mentions: every occurrence, in text order.
    """

    score: float
    mentions: tuple[Mention, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """Distinct name ids found, in text order."""
        return tuple(dict.fromkeys(m.name for m in self.mentions))

    def explain(self) -> str:
        """A short sentence naming what was found (never the text itself)."""
        if not self.mentions:
            return "no name of the institution"
        best = max(self.mentions, key=lambda m: m.score)
        moved = ", ".join(f"'{p}' ({w:+.1f})" for p, w in best.cues[:3])
        return (f"name form '{best.name}' (probability {best.score:.2f})"
                + (f"; context: {moved}" if moved else ""))


def _label(pattern: str) -> str:
    """A readable name for a cue: the first alternative of its pattern, regex syntax dropped."""
    depth, cut = 0, len(pattern)
    for i, char in enumerate(pattern):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "|" and depth <= 0:
            cut = i
            break
    first = re.sub(r"\(\?[:!=<]+|\\b|\\.|[()\[\]?*+^$\\]|\{[^}]*\}", "", pattern[:cut])
    return (first.split("|")[0].strip() or pattern)[:30]


def _case_of(text: str) -> str:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return "lower"
    if all(c.isupper() for c in letters):
        return "upper"
    if letters[0].isupper():
        return "title"
    return "lower"


_RUN = re.compile(r"\s{2,}|[\t\n\r\f\v]")


def _collapse(folded: str) -> tuple[str, list[int]]:
    """``folded`` with whitespace runs as one space, and each character's index in it."""
    if _RUN.search(folded) is None:
        return folded, list(range(len(folded)))
    chars: list[str] = []
    index: list[int] = []
    for i, char in enumerate(folded):
        if char.isspace():
            if chars and chars[-1] == " ":
                continue
            char = " "
        chars.append(char)
        index.append(i)
    return "".join(chars), index


def _compile(pattern: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as error:
        raise VigieError(f"names file: {where}: invalid pattern {pattern!r}: {error}") from None


class NameMatcher:
    """Finds the institution's names in a text and scores each occurrence.

    Built once from a :class:`NamesFile` (the regular expressions compile here); then
    :meth:`score` is pure and safe to call from one thread at a time.
    """

    def __init__(self, names: NamesFile) -> None:
        """Compile the names file.

        Raises:
            VigieError: a pattern is not a valid regular expression.
        """
        self.file = names
        self.institution = names.institution
        #: The policy's other names for the institution (handles an imitation would copy).
        self.aliases: tuple[str, ...] = ()
        self._forms = {form.id: form for form in names.names}
        parts = []
        for form in names.names:
            _compile(form.pattern, f"names.{form.id}")
            parts.append(f"(?P<{form.id}>{form.pattern})")
        # Alternatives are tried in file order at each position: sure forms first, so
        # "polytechnique de montreal" wins over "polytechnique".
        self._names = re.compile(r"(?<![\w@])(?:" + "|".join(parts) + r")(?![\w])")
        self._adjacent: list[tuple[AdjacentCue, re.Pattern[str]]] = []
        for i, cue in enumerate(names.adjacent):
            if cue.side == "before":
                regex = _compile(rf"(?:^|(?<![\w]))(?:{cue.pattern})[\s\-]*$", f"adjacent[{i}]")
            else:
                regex = _compile(rf"^[\s\-]*(?:{cue.pattern})", f"adjacent[{i}]")
            self._adjacent.append((cue, regex))
        self._document = [
            (cue, _compile(rf"(?<![\w])(?:{cue.pattern})(?![\w])", f"document[{i}]"))
            for i, cue in enumerate(names.document)
        ]
        self._sure = frozenset(f.id for f in names.names if f.prior >= 3.0)

    def _adjacent_cues(self, form: NameForm, folded: str, start: int, end: int,
                       original: str, ostart: int, oend: int) -> list[tuple[str, float]]:
        out = []
        for cue, regex in self._adjacent:
            if cue.names:
                if form.id not in cue.names:
                    continue
            elif form.prior >= 3.0:
                continue  # a sure name is not re-read by generic cues
            if cue.original:
                window = original[max(0, ostart - 40):ostart] if cue.side == "before" \
                    else original[oend:oend + 40]
            else:
                window = folded[max(0, start - 40):start] if cue.side == "before" \
                    else folded[end:end + 40]
            if regex.search(window):
                out.append((_label(cue.pattern), cue.weight))
        return out

    def document_cues(self, folded: str, exclude: Sequence[tuple[int, int]] = ()
                      ) -> list[tuple[str, float]]:
        """Document cues present in ``folded`` outside the ``exclude`` spans (pure)."""
        out = []
        for cue, regex in self._document:
            for match in regex.finditer(folded):
                if not any(s <= match.start() < e for s, e in exclude):
                    out.append((_label(cue.pattern), cue.weight))
                    break
        return out

    def score(self, text: str, *, bias: float = 0.0) -> MentionScore:
        """Find and score every occurrence of a name in ``text`` (pure).

        Args:
            text: the document (a title and summary, a post, a page's text).
            bias: log-odds added for the source (a Québec news feed: about +1).

        Returns:
            The document's score and its occurrences; score 0 when no name occurs.
        """
        norm = normalize(text)
        # Runs of spaces and line breaks read as one space ("Polytechnique \n Montréal");
        # index[i] is where character i of the collapsed text sits in the folded one.
        folded, index = _collapse(norm.text)

        def original(start: int, end: int) -> tuple[int, int]:
            return norm.to_original(index[start], index[end - 1] + 1)

        found: list[tuple[NameForm, int, int]] = []
        for match in self._names.finditer(folded):
            form = self._forms[match.lastgroup or ""]
            ostart, oend = original(match.start(), match.end())
            if form.case is not None and _case_of(text[ostart:oend]) != form.case:
                # The same letters in another case: try the form's case-free siblings.
                alt = next((f for f in self.file.names if f.pattern == form.pattern
                            and f.case == _case_of(text[ostart:oend])), None)
                if alt is None:
                    continue
                form = alt
            found.append((form, match.start(), match.end()))
        if not found:
            return MentionScore(0.0, ())
        doc = self.document_cues(folded, [(s, e) for _, s, e in found])
        doc_sum = sum(w for _, w in doc)
        sure_present = any(f.id in self._sure for f, _, _ in found)
        mentions = []
        for form, start, end in found:
            ostart, oend = original(start, end)
            adjacent = self._adjacent_cues(form, folded, start, end, text, ostart, oend)
            if form.id in self._sure:
                # A sure name is not re-read by the document ("Polytechnique Montréal, not to
                # be confused with the X in France" is still about the institution).
                cues, logit = adjacent, form.prior + sum(w for _, w in adjacent)
            else:
                cues = adjacent + doc
                logit = form.prior + bias + sum(w for _, w in adjacent) + doc_sum
            if form.id not in self._sure and sure_present and not any(w < 0 for _, w in adjacent):
                # A short form in a text that names the institution in full refers back to it.
                logit = max(logit, 2.0)
            logit = max(-_CLIP, min(_CLIP, logit))
            mentions.append(Mention(
                form.id, (ostart, oend), round(1.0 / (1.0 + math.exp(-logit)), 4),
                tuple(sorted(cues, key=lambda c: -abs(c[1]))),
                (index[start], index[end - 1] + 1)))
        return MentionScore(max(m.score for m in mentions), tuple(mentions))


def _parse(text: str, source: str) -> NamesFile:
    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise VigieError(f"{source}: not valid YAML: {error}") from None
    if not isinstance(data, Mapping):
        raise VigieError(f"{source}: a names file is a YAML mapping")
    try:
        return NamesFile.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                             for e in error.errors(include_url=False))
        raise VigieError(f"{source}: invalid names file: {problems}") from None


def load_names(path: str | Path | None = None) -> NameMatcher:
    """Load a names file (``vigie:PATH`` inside the package; the default policy's when None).

    Raises:
        VigieError: the file is missing, invalid, or holds an invalid pattern.
    """
    if path is None:
        return default_matcher()
    where = str(path)
    try:
        if where.startswith(PACKAGE_PREFIX):
            text = resources.files("vigie").joinpath(where.removeprefix(PACKAGE_PREFIX)
                                                     ).read_text("utf-8")
        else:
            text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise VigieError(f"{where}: cannot read names file: {error}") from None
    return NameMatcher(_parse(text, where))


# Priors of the names a policy gives without a names file (log-odds, before any context): its
# full name and the forms nobody else writes (several words, a handle, a joined word in camel
# case, "NorthfieldTech") are sure; a single word ("Northfield", a town too) or an acronym
# ("NIT", only in capitals) leans toward the institution, and a names file's cues can say more.
_PRIOR_FULL = 5.0
_PRIOR_SURE = 4.0
_PRIOR_SHORT = 0.5
_CAMEL = re.compile(r"[a-z][A-Z]")


def _form(index: int, name: str) -> NameForm | None:
    folded = normalize(name.strip()).text.strip()
    handle = folded.startswith("@")
    word = folded.lstrip("@")
    if not word:
        return None
    pattern = re.escape(word).replace(r"\ ", r"[ -]?")
    form_id = "institution" if index == 0 else f"alias_{index}"
    if index == 0:
        return NameForm(id=form_id, pattern=pattern, prior=_PRIOR_FULL)
    if handle:
        return NameForm(id=form_id, pattern="@?" + pattern, prior=_PRIOR_SURE)
    if " " in word or _CAMEL.search(name):
        return NameForm(id=form_id, pattern=pattern, prior=_PRIOR_SURE)
    letters = [c for c in name if c.isalpha()]
    upper = len(letters) > 1 and all(c.isupper() for c in letters)
    return NameForm(id=form_id, pattern=pattern, prior=_PRIOR_SHORT,
                    case="upper" if upper else None)


def names_from_policy(policy: Policy) -> NamesFile:
    """The names file a policy without ``monitoring.names_file`` stands for (pure).

    Each of ``institution`` and ``aliases`` is one name form, longest first (so that
    "Northfield Tech" wins over "Northfield"); its prior comes from its form: the full name,
    a name of several words, a handle or a joined word in camel case are sure; a single word
    or an acronym (read only in capitals) leans toward the institution. No cue tells a
    homonym apart: a names file adds them.
    """
    return _names_file(policy.institution, policy.aliases)


def _names_file(institution: str, aliases: tuple[str, ...]) -> NamesFile:
    forms: dict[str, NameForm] = {}
    for index, name in enumerate((institution, *aliases)):
        form = _form(index, name)
        if form is not None and form.pattern not in forms:
            forms[form.pattern] = form
    ordered = sorted(forms.values(), key=lambda f: (-f.prior, -len(f.pattern)))
    return NamesFile(version=1, institution=institution, names=tuple(ordered))


@cache
def _matcher(institution: str, aliases: tuple[str, ...], names_file: str | None
             ) -> NameMatcher:
    if names_file is None:
        matcher = NameMatcher(_names_file(institution, aliases))
    else:
        matcher = load_names(names_file)
        if matcher.institution != institution:
            raise VigieError(f"{names_file}: names file of {matcher.institution!r}, but the "
                             f"policy is {institution!r}'s: give monitoring.names_file of its "
                             "own")
    matcher.aliases = aliases
    return matcher


def matcher_for(policy: Policy) -> NameMatcher:
    """The names matcher of ``policy``, built once per institution and names file.

    Raises:
        VigieError: the policy's names file is missing or invalid, or names another
            institution.
    """
    names_file = policy.monitoring.names_file if policy.monitoring is not None else None
    return _matcher(policy.institution, policy.aliases, names_file)


@cache
def default_matcher() -> NameMatcher:
    """The matcher of the default policy (:func:`vigie.policy.load_policy`), built once."""
    return matcher_for(load_policy())
