"""The lexicon file format: manifest model, entries, pattern expansion, TSV parsing.

Private to :mod:`vigie.text.lexicon`, which re-exports the public names. Pure functions except
:func:`read_package_text` (reads the bundled data files).
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field

from vigie.errors import DetectorError
from vigie.text.normalize import normalize

#: Columns of every lexicon TSV file, in order.
COLUMNS = ("term", "variants", "lang", "category", "signal", "severity", "target", "context",
           "notes")
GAP = "…"
_FIRST_CHOICE = re.compile(r"\{([^{}|]*)[^{}]*\}")


class LexiconError(DetectorError):
    """A lexicon data file is malformed (the message names the file and line)."""


class ContextRule(BaseModel):
    """A context rule of ``manifest.yaml`` (see the comments there)."""

    model_config = ConfigDict(extra="forbid")
    safe_words: list[str] = Field(default_factory=list)
    need_words: list[str] = Field(default_factory=list)
    window: int = Field(8, ge=1, le=50)
    safe_before: list[str] = Field(default_factory=list)
    need_before: list[str] = Field(default_factory=list)
    safe_after: list[str] = Field(default_factory=list)
    need_after: list[str] = Field(default_factory=list)
    adjacent: int = Field(1, ge=1, le=5)
    not_lang: list[str] = Field(default_factory=list)
    need_name: bool = False


class Manifest(BaseModel):
    """The validated ``manifest.yaml``."""

    model_config = ConfigDict(extra="forbid")
    version: str
    scores: dict[str, float]
    weak_cap: float = Field(0.8, ge=0.0, le=1.0)
    gap_window: int = Field(8, ge=1, le=50)
    files: list[str]
    wordsets: dict[str, list[str]] = Field(default_factory=dict)
    contexts: dict[str, ContextRule] = Field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Entry:
    """One row of a lexicon file.

    Attributes:
        id: ``file:line``, stable while the file is not reordered.
        term: the term as written (its first expansion names it in explanations).
        lang: ``fr``, ``fr-qc``, ``en`` or ``any``.
        category: the directive category the authors meant (documentation only: the policy
            maps signals to categories).
        signal: the signal emitted, or an internal one (:data:`INTERNAL_SIGNALS`).
        severity: ``high``, ``medium``, ``low``, ``cue`` or ``hint`` (or empty for allow).
        score: the manifest's score for the severity, in [0, 1].
        target: for slurs and generalisations, the group targeted.
        context: names of the context rules that must all pass.
        notes: why the entry exists, for the people who maintain it.
    """

    id: str
    term: str
    lang: str
    category: str
    signal: str
    severity: str
    score: float
    target: str
    context: tuple[str, ...]
    notes: str

    @property
    def label(self) -> str:
        """The term's first expansion (``{a|b} c`` → ``a c``); pure, linear in its length."""
        first = _FIRST_CHOICE.sub(lambda m: m.group(1), self.term.split(GAP)[0])
        return re.sub(r"\s+", " ", first).strip()


def _split_top(text: str, sep: str = "|") -> list[str]:
    """Split on ``sep`` outside braces (pure)."""
    out: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        if char == sep and depth == 0:
            out.append("".join(current))
            current = []
        else:
            current.append(char)
    out.append("".join(current))
    return [s for s in (p.strip() for p in out) if s]


def expand(pattern: str, limit: int = 20000) -> list[str]:
    """Expand ``{a|b}`` alternatives in ``pattern`` (pure; braces do not nest).

    Raises:
        LexiconError: unbalanced braces, or more than ``limit`` expansions.
    """
    pieces = re.split(r"(\{[^{}]*\})", pattern)
    if any("{" in p or "}" in p for p in pieces if not (p.startswith("{") and p.endswith("}"))):
        raise LexiconError(f"unbalanced braces in pattern {pattern!r}")
    choices = [p[1:-1].split("|") if p.startswith("{") else [p] for p in pieces]
    total = 1
    for c in choices:
        total *= len(c)
    if total > limit:
        raise LexiconError(f"pattern {pattern[:60]!r} expands to {total} forms (limit {limit})")
    return [re.sub(r"\s+", " ", "".join(combo)).strip() for combo in itertools.product(*choices)]


@lru_cache(maxsize=65536)
def _fold_piece(text: str) -> str:
    view = normalize(text).words
    return "".join(c * r if c.isalpha() else c for c, r in zip(view.text, view.runs,
                                                                strict=True))


def fold_pattern(text: str) -> str:
    """Fold a lexicon pattern like a comment's matching view, repeated letters kept (pure)."""
    return re.sub(r"\s+", " ", _fold_piece(text)).strip()


def expand_folded(pattern: str, limit: int = 20000) -> set[str]:
    """Expand ``pattern`` and fold every form (pure; alternatives are folded once each).

    Folding piece by piece equals folding each expanded form: folding is per character
    except for leetspeak and spelled-out words, which lexicon patterns do not split across
    braces.

    Raises:
        LexiconError: unbalanced braces, or more than ``limit`` expansions.
    """
    pieces = re.split(r"(\{[^{}]*\})", pattern)
    if any("{" in p or "}" in p for p in pieces if not (p.startswith("{") and p.endswith("}"))):
        raise LexiconError(f"unbalanced braces in pattern {pattern!r}")
    choices = [[_fold_piece(a) for a in (p[1:-1].split("|") if p.startswith("{") else [p])]
               for p in pieces]
    total = 1
    for c in choices:
        total *= len(c)
    if total > limit:
        raise LexiconError(f"pattern {pattern[:60]!r} expands to {total} forms (limit {limit})")
    return {re.sub(r"\s+", " ", "".join(combo)).strip() for combo in itertools.product(*choices)}


def read_package_text(name: str) -> str:
    """Read a bundled lexicon file (``vigie/data/lexicons/<name>``)."""
    return resources.files("vigie").joinpath(f"data/lexicons/{name}").read_text(encoding="utf-8")


def parse_file(name: str, text: str, scores: dict[str, float]
                ) -> list[tuple[Entry, list[list[list[str]]]]]:
    """Parse one TSV file into entries and their patterns (parts of surface forms)."""
    lines = [(i, line) for i, line in enumerate(text.splitlines(), 1)
             if line.strip() and not line.startswith("#")]
    if not lines or tuple(lines[0][1].split("\t")) != COLUMNS:
        raise LexiconError(f"{name}: the first non-comment line must be the header "
                           f"{chr(9).join(COLUMNS)!r}")
    out = []
    for line_no, line in lines[1:]:
        row = next(csv.reader(io.StringIO(line), delimiter="\t", quoting=csv.QUOTE_NONE))
        if len(row) != len(COLUMNS):
            raise LexiconError(f"{name}:{line_no}: {len(row)} columns, expected {len(COLUMNS)}")
        values = dict(zip(COLUMNS, (v.strip() for v in row), strict=True))
        signal, severity = values["signal"], values["severity"]
        if signal != "allow" and severity not in scores:
            raise LexiconError(f"{name}:{line_no}: unknown severity {severity!r}; valid: "
                               f"{', '.join(scores)}")
        entry = Entry(
            id=f"{name}:{line_no}", term=values["term"], lang=values["lang"] or "any",
            category=values["category"], signal=signal, severity=severity,
            score=scores.get(severity, 0.0), target=values["target"],
            context=tuple(c.strip() for c in values["context"].split(",") if c.strip()),
            notes=values["notes"],
        )
        patterns = []
        for raw in [values["term"], *_split_top(values["variants"])]:
            parts = [p.strip() for p in raw.split(GAP)]
            try:
                patterns.append([sorted(expand_folded(p) - {""}) for p in parts])
            except LexiconError as error:
                raise LexiconError(f"{name}:{line_no}: {error}") from None
        out.append((entry, patterns))
    return out
