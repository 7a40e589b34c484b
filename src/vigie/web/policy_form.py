"""The policy form: the common edits of the directive, without pasting its YAML.

Section 9 lets the communications service make minor changes: thresholds per category, the
institution's own words (the lexicon's ``extra_words``), its official pages (the links
detector's ``institution_pages``), the reviewers' preset reasons, and the version's label and
date. The form shows these from the version in force and turns the submitted fields into
changes of its YAML text (:mod:`vigie.web.policy_yaml`, comments kept), which are then loaded
by the same loader as any policy file (:func:`vigie.policy.parse_policy`).

Every field is checked first, with a message in the reader's language naming the field and
the valid choices, so that the loader's (English, path-based) message is a last resort.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from vigie.errors import PolicyError
from vigie.policy import Policy, parse_policy
from vigie.store.policy_versions import normalise_newlines
from vigie.web.i18n import Translator
from vigie.web.policy_yaml import Path, apply_changes

__all__ = ["LEXICON", "LINKS", "Draft", "build_draft", "form_values"]

LEXICON = "vigie.lexicon.aho.v1"
LINKS = "vigie.links.v1"
_REASON_ACTIONS = ("approve", "remove", "block", "escalate", "restore")
_PAGE = re.compile(r"^[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:/\S*)?$", re.I)


@cache
def _severities() -> tuple[str, ...]:
    text = resources.files("vigie").joinpath("data/lexicons/manifest.yaml").read_text("utf-8")
    return tuple(yaml.safe_load(text)["scores"])


def _signals() -> tuple[str, ...]:
    from vigie.detectors.lexicon import SIGNALS

    return tuple(s for s in SIGNALS if s != "context.counter_speech")


@dataclass(frozen=True, slots=True)
class Draft:
    """A draft built from the form: its text, its policy and its differences from the base."""

    text: str
    policy: Policy
    kept_layout: bool
    diff: list[str] = field(default_factory=list)


def _number(value: float) -> str:
    return f"{value:g}"


def _word_line(word: Mapping[str, Any]) -> str:
    cells = [str(word.get("term", "")), str(word.get("signal", "")),
             str(word.get("severity", "")), str(word.get("lang", "any")),
             ", ".join(word.get("variants") or ()), str(word.get("target", ""))]
    while cells and cells[-1] in ("", "any") and len(cells) > 3:
        cells.pop()
    return "; ".join(cells)


def form_values(policy: Policy) -> dict[str, str]:
    """The form's fields for ``policy``, as strings (pure)."""
    values = {"version": policy.version, "effective_date": policy.effective_date.isoformat()}
    for rule in policy.categories:
        review, remove = policy.thresholds(rule)
        values[f"review.{rule.slug}"] = _number(review)
        values[f"remove.{rule.slug}"] = _number(remove)
        values[f"reasons.{rule.slug}"] = "\n".join(
            f"{r.action}: {r.text.fr} | {r.text.en}" for r in rule.reasons)
    if LEXICON in policy.detectors:
        words = (policy.detectors[LEXICON] or {}).get("extra_words") or ()
        values["words"] = "\n".join(_word_line(w) for w in words)
    if LINKS in policy.detectors:
        values["pages"] = "\n".join((policy.detectors[LINKS] or {}).get("institution_pages")
                                    or ())
    return values


def _lines(text: str) -> list[tuple[int, str]]:
    return [(n, line.strip()) for n, line in enumerate(normalise_newlines(text).split("\n"), 1)
            if line.strip() and not line.strip().startswith("#")]


class _Reader:
    """Reads the submitted fields into changes, collecting one message per bad field."""

    def __init__(self, policy: Policy, values: Mapping[str, str], t: Translator) -> None:
        self.policy, self.values, self.t = policy, values, t
        self.changes: dict[Path, Any] = {}
        self.errors: dict[str, str] = {}

    def get(self, name: str) -> str:
        return str(self.values.get(name, "")).strip()

    def threshold(self, name: str) -> float | None:
        raw = self.get(name).replace(",", ".")
        try:
            value = float(raw)
        except ValueError:
            value = -1.0
        if not 0.0 <= value <= 1.0:
            self.errors[name] = self.t("policyform.err.number", value=raw or "∅")
            return None
        return value

    def header(self) -> None:
        version = self.get("version")
        if not version:
            self.errors["version"] = self.t("policyform.err.required")
        elif version != self.policy.version:
            self.changes[("version",)] = version
        try:
            day = dt.date.fromisoformat(self.get("effective_date"))
        except ValueError:
            self.errors["effective_date"] = self.t("policyform.err.date",
                                                   value=self.get("effective_date") or "∅")
        else:
            if day != self.policy.effective_date:
                self.changes[("effective_date",)] = day

    def categories(self) -> None:
        for index, rule in enumerate(self.policy.categories):
            review = self.threshold(f"review.{rule.slug}")
            remove = self.threshold(f"remove.{rule.slug}")
            if review is not None and remove is not None and review > remove:
                self.errors[f"review.{rule.slug}"] = self.t(
                    "policyform.err.order", review=_number(review), remove=_number(remove))
                continue
            if self.below_a_period(rule.slug, review, remove):
                continue
            old_review, old_remove = self.policy.thresholds(rule)
            if review is not None and review != old_review:
                self.changes[("categories", index, "review_threshold")] = review
            if remove is not None and remove != old_remove:
                self.changes[("categories", index, "remove_threshold")] = remove
            reasons = self.reasons(f"reasons.{rule.slug}")
            old = [r.model_dump(mode="json") for r in rule.reasons]
            if reasons is not None and reasons != old:
                self.changes[("categories", index, "reasons")] = reasons

    def below_a_period(self, slug: str, review: float | None, remove: float | None) -> bool:
        """Whether a threshold is below a period's for the category (periods only tighten)."""
        lang = self.t.lang
        for period in self.policy.periods:
            for c in (c for c in period.categories if c.slug == slug):
                for kind, value, floor in (("review", review, c.review_threshold),
                                           ("remove", remove, c.remove_threshold)):
                    if value is not None and floor is not None and value < floor:
                        self.errors[f"{kind}.{slug}"] = self.t(
                            "policyform.err.period", value=_number(value), floor=_number(floor),
                            period=period.label.fr if lang == "fr" else period.label.en)
                        return True
        return False

    def reasons(self, name: str) -> list[dict[str, Any]] | None:
        out = []
        for number, line in _lines(self.get(name)):
            action, sep, rest = line.partition(":")
            fr, _, en = rest.partition("|")
            if not sep or action.strip() not in _REASON_ACTIONS or not rest.strip():
                self.errors[name] = self.t("policyform.err.reason", line=number,
                                           valid=", ".join(_REASON_ACTIONS))
                return None
            fr, en = fr.strip() or en.strip(), en.strip() or fr.strip()
            out.append({"action": action.strip(), "text": {"fr": fr, "en": en}})
        return out

    def words(self) -> None:
        if LEXICON not in self.policy.detectors:
            return
        out: list[dict[str, Any]] = []
        for number, line in _lines(self.get("words")):
            cells = [c.strip() for c in line.split(";")]
            cells += [""] * (6 - len(cells))
            term, signal, severity, lang, variants, target = cells[:6]
            problem = None
            if len(line.split(";")) > 6 or not term or not signal or not severity:
                problem = self.t("policyform.err.word_columns", line=number)
            elif signal not in _signals():
                problem = self.t("policyform.err.word_choice", line=number, value=signal,
                                 valid=", ".join(_signals()))
            elif severity not in _severities():
                problem = self.t("policyform.err.word_choice", line=number, value=severity,
                                 valid=", ".join(_severities()))
            elif (lang or "any") not in ("fr", "en", "any"):
                problem = self.t("policyform.err.word_choice", line=number, value=lang,
                                 valid="fr, en, any")
            if problem:
                self.errors["words"] = problem
                return
            word: dict[str, Any] = {"term": term, "signal": signal, "severity": severity}
            if lang and lang != "any":
                word["lang"] = lang
            if variants:
                word["variants"] = [v.strip() for v in variants.split(",") if v.strip()]
            if target:
                word["target"] = target
            out.append(word)
        old = list((self.policy.detectors[LEXICON] or {}).get("extra_words") or ())
        if [_word_line(w) for w in out] != [_word_line(w) for w in old]:
            self.changes[("detectors", LEXICON, "extra_words")] = out

    def pages(self) -> None:
        if LINKS not in self.policy.detectors:
            return
        out = []
        for number, line in _lines(self.get("pages")):
            page = re.sub(r"^https?://(?:www\.)?", "", line).rstrip("/")
            if not _PAGE.match(page):
                self.errors["pages"] = self.t("policyform.err.page", line=number, value=line)
                return
            out.append(page)
        old = list((self.policy.detectors[LINKS] or {}).get("institution_pages") or ())
        if out != old:
            self.changes[("detectors", LINKS, "institution_pages")] = out


def build_draft(base_text: str, values: Mapping[str, str],
                t: Translator) -> tuple[Draft | None, dict[str, str]]:
    """The draft the form describes, or the messages per field that prevent it.

    Args:
        base_text: the YAML of the version the form was filled from (any line endings).
        values: the submitted fields.
        t: the reader's translator, for the messages.

    Returns:
        ``(draft, {})``, or ``(None, {field: message})``; the field ``_form`` holds a message
        about the whole draft (unchanged, or refused by the loader).
    """
    base_text = normalise_newlines(base_text)
    base = parse_policy(base_text, source="policy in force")
    reader = _Reader(base, values, t)
    reader.header()
    reader.categories()
    reader.words()
    reader.pages()
    if reader.errors:
        return None, reader.errors
    if not reader.changes:
        return None, {"_form": t("policyform.err.unchanged")}
    text, kept = apply_changes(base_text, reader.changes)
    try:
        policy = parse_policy(text, source="draft")
        if LEXICON in policy.detectors:
            from vigie.detectors.lexicon import LexiconOptions

            LexiconOptions.model_validate(policy.detectors[LEXICON] or {})
    except (PolicyError, ValueError) as error:
        return None, {"_form": t("policyform.err.loader", detail=str(error))}
    diff = list(difflib.unified_diff(base_text.splitlines(), text.splitlines(), "active",
                                     "draft", lineterm=""))
    return Draft(text, policy, kept, diff), {}
