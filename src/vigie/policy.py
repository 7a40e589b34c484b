"""The policy file: an institution's directive as thresholds, actions and clauses.

A policy is a YAML document (format documented in ``docs/policy-format.md``). It is validated on
load; an invalid file raises :class:`~vigie.errors.PolicyError` naming the file, the line, the
path inside the document and the valid choices. There is never a silent fallback.

A policy is identified by its *digest*: the SHA-256 of the canonical JSON of the validated
document, so two files that differ only in comments or key order share a digest, and any change
of meaning changes it.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import hashlib
import json
from collections.abc import Iterable
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from vigie.actions import Action
from vigie.errors import PolicyError

__all__ = [
    "Approval",
    "Blocking",
    "CategoryRule",
    "EscalationRule",
    "Policy",
    "SignalRule",
    "default_policy_path",
    "load_policy",
    "parse_policy",
]

#: Actions a category may take when its score reaches ``remove_threshold``.
CATEGORY_ACTIONS = (Action.ESCALATE, Action.REVIEW, Action.HIDE, Action.REMOVE, Action.BLOCK)


class _Strict(BaseModel):
    # A typo in a policy key must fail loudly, not be ignored.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Bilingual(_Strict):
    """A text in French and English."""

    fr: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Approval(_Strict):
    """Who approved this version of the directive (section 9)."""

    reference: str = Field(min_length=1)
    body: str = ""
    date: dt.date | None = None


class Blocking(_Strict):
    """Rule for blocking repeat authors: ``strikes`` removals within ``window_days``."""

    strikes: int = Field(ge=1)
    window_days: int = Field(ge=1)


class Thresholds(_Strict):
    """Default thresholds, used where a category does not set its own."""

    review_threshold: float = Field(0.5, ge=0.0, le=1.0)
    remove_threshold: float = Field(0.85, ge=0.0, le=1.0)


class SignalRule(_Strict):
    """How one signal pattern counts toward a category.

    In a policy file, a plain string ``"pii.*"`` is short for ``{pattern: "pii.*"}``.

    Attributes:
        pattern: glob pattern over signal names.
        weight: factor applied to the finding's score before thresholds, in [0, 1] (a signal
            the institution trusts less counts for less).
        max_action: the strongest action this signal alone may cause (``review``: a human
            always confirms, e.g. for "media not analysed").
        min_score: findings of this signal scoring below it do not count toward the category
            at all (a learned model that should speak only when it is very sure).
        review_threshold: this signal's own review threshold (default: the category's), for
            a calibrated model whose thresholds were measured apart (``judge.*``).
        remove_threshold: this signal's own removal threshold (default: the category's).
    """

    pattern: str = Field(min_length=1)
    weight: float = Field(1.0, ge=0.0, le=1.0)
    min_score: float = Field(0.0, ge=0.0, le=1.0)
    max_action: Literal["review", "hide", "remove", "block"] | None = None
    review_threshold: float | None = Field(None, ge=0.0, le=1.0)
    remove_threshold: float | None = Field(None, ge=0.0, le=1.0)


class CategoryRule(_Strict):
    """One category of forbidden content and what to do about it.

    ``signals`` are glob patterns over signal names (``pii.*``); a category's score is the highest
    score among matching findings. A finding matching ``mitigated_by`` (counter-speech, a quote)
    caps the category's action at ``review``: removing legitimate speech is a failure too (6.2).
    """

    slug: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    clause: str = Field(min_length=1)
    label: Bilingual
    description: Bilingual
    signals: tuple[SignalRule, ...] = ()
    mitigated_by: tuple[str, ...] = ()
    review_threshold: float | None = Field(None, ge=0.0, le=1.0)
    remove_threshold: float | None = Field(None, ge=0.0, le=1.0)
    action: Literal["escalate", "review", "hide", "remove", "block"] = "remove"
    counts_as_strike: bool = True

    @field_validator("signals", mode="before")
    @classmethod
    def _expand(cls, value: Any) -> Any:
        # "pii.*" is short for {pattern: "pii.*"}.
        if isinstance(value, list | tuple):
            return [{"pattern": v} if isinstance(v, str) else v for v in value]
        return value

    @property
    def patterns(self) -> tuple[str, ...]:
        """The signal patterns, without their options."""
        return tuple(s.pattern for s in self.signals)


class EscalationRule(_Strict):
    """A routing rule: content that stays up but goes to the community manager.

    Directive 6.1: negative information about the institution is routed to the community
    manager rather than answered by staff, and it is never removed for that (6.2). An
    escalation never takes a comment down; it sets ``Decision.escalate``.
    """

    slug: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    clause: str = Field(min_length=1)
    label: Bilingual
    description: Bilingual
    signals: tuple[str, ...] = Field(min_length=1)
    threshold: float = Field(0.7, ge=0.0, le=1.0)


class Policy(_Strict):
    """A validated policy. Build it with :func:`load_policy` or :func:`parse_policy`."""

    vigie_policy: Literal[1]
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    institution: str = Field(min_length=1)
    title: Bilingual
    version: str = Field(min_length=1)
    effective_date: dt.date
    approval: Approval
    allowed_languages: tuple[str, ...] = Field(min_length=1)
    on_detector_error: Literal["allow", "review", "hide", "remove"] = "review"
    blocking: Blocking | None = None
    defaults: Thresholds = Thresholds()
    detectors: dict[str, dict[str, Any]] = Field(min_length=1)
    categories: tuple[CategoryRule, ...] = Field(min_length=1)
    escalations: tuple[EscalationRule, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Policy:
        slugs = [c.slug for c in self.categories] + [e.slug for e in self.escalations]
        duplicates = sorted({s for s in slugs if slugs.count(s) > 1})
        if duplicates:
            raise ValueError(f"category slugs must be unique; repeated: {', '.join(duplicates)}")
        for rule in self.categories:
            review, remove = self.thresholds(rule)
            if review > remove:
                raise ValueError(
                    f"category {rule.slug!r}: review_threshold {review} is above "
                    f"remove_threshold {remove}"
                )
        return self

    # -- derived, cached (the model is frozen) ---------------------------------------------

    def thresholds(self, rule: CategoryRule) -> tuple[float, float]:
        """Return ``(review, remove)`` thresholds for ``rule``, defaults filled in."""
        review = (
            rule.review_threshold
            if rule.review_threshold is not None
            else self.defaults.review_threshold
        )
        remove = (
            rule.remove_threshold
            if rule.remove_threshold is not None
            else self.defaults.remove_threshold
        )
        return review, remove

    @cached_property
    def digest(self) -> str:
        """``sha256:<hex>`` of the canonical JSON of this policy."""
        canonical = json.dumps(
            self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False, separators=(",", ":")
        )
        return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    @property
    def short_digest(self) -> str:
        """The first 12 hex digits of the digest, for display."""
        return self.digest.split(":", 1)[1][:12]

    def category(self, slug: str) -> CategoryRule:
        """Return the rule for ``slug``.

        Raises:
            KeyError: with the valid slugs in the message.
        """
        for rule in self.categories:
            if rule.slug == slug:
                return rule
        raise KeyError(f"unknown category {slug!r}; valid: {', '.join(self.slugs)}")

    @property
    def slugs(self) -> tuple[str, ...]:
        """Category slugs in policy order."""
        return tuple(c.slug for c in self.categories)

    def categories_for(self, signal: str) -> tuple[CategoryRule, ...]:
        """Categories whose ``signals`` patterns match ``signal`` (memoised per signal)."""
        cache = self._signal_index
        if signal not in cache:
            cache[signal] = tuple(
                c for c in self.categories
                if any(fnmatch.fnmatchcase(signal, p) for p in c.patterns)
            )
        return cache[signal]

    def escalations_for(self, signal: str) -> tuple[EscalationRule, ...]:
        """Escalation rules whose patterns match ``signal`` (memoised per signal)."""
        cache = self._escalation_index
        if signal not in cache:
            cache[signal] = tuple(
                e for e in self.escalations
                if any(fnmatch.fnmatchcase(signal, p) for p in e.signals)
            )
        return cache[signal]

    @cached_property
    def _escalation_index(self) -> dict[str, tuple[EscalationRule, ...]]:
        return {}

    def signal_rule(self, rule: CategoryRule, signal: str) -> SignalRule:
        """The first of ``rule``'s signal entries matching ``signal`` (memoised).

        Raises:
            KeyError: ``signal`` does not count toward ``rule``.
        """
        key = (rule.slug, signal)
        cache = self._rule_index
        if key not in cache:
            cache[key] = next(s for s in rule.signals if fnmatch.fnmatchcase(signal, s.pattern))
        return cache[key]

    @cached_property
    def _rule_index(self) -> dict[tuple[str, str], SignalRule]:
        return {}

    def mitigates(self, rule: CategoryRule, signal: str) -> bool:
        """Whether ``signal`` caps ``rule``'s action at review."""
        return any(fnmatch.fnmatchcase(signal, p) for p in rule.mitigated_by)

    @cached_property
    def _signal_index(self) -> dict[str, tuple[CategoryRule, ...]]:
        return {}

    def check_signals(self, provided: Iterable[str]) -> None:
        """Check that every signal pattern is provided by an enabled detector.

        Raises:
            PolicyError: naming the category, the pattern and the signals that are provided.
        """
        provided = sorted(set(provided))
        rules: list[tuple[str, CategoryRule | EscalationRule]] = [
            *((f"categories[{i}]", r) for i, r in enumerate(self.categories)),
            *((f"escalations[{i}]", r) for i, r in enumerate(self.escalations)),
        ]
        for where, rule in rules:
            for field_name in ("signals", "mitigated_by"):
                entries = getattr(rule, field_name, ())
                for pattern in (e.pattern if isinstance(e, SignalRule) else e for e in entries):
                    if not any(fnmatch.fnmatchcase(s, pattern) for s in provided):
                        raise PolicyError(
                            f"{where} ({rule.slug}).{field_name}: no enabled detector "
                            f"provides a signal matching {pattern!r}; provided signals: "
                            f"{', '.join(provided)}"
                        )


def default_policy_path() -> Path:
    """Path of the bundled Polytechnique Montréal policy."""
    return Path(str(resources.files("vigie.policies").joinpath("polytechnique.yaml")))


def _line_of(document: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """Follow a pydantic error location through the YAML node tree; return a 1-based line."""
    node = document
    line = node.start_mark.line + 1 if node is not None else None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == key), None)
            if match is None:
                # A missing key: point at the mapping that should contain it.
                return line
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            return line
        line = node.start_mark.line + 1
    return line


def _format_errors(error: ValidationError, source: str, document: yaml.Node | None) -> str:
    lines = [f"{source}: invalid policy ({error.error_count()} error(s))"]
    for item in error.errors(include_url=False):
        loc = tuple(item["loc"])
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
        line = _line_of(document, loc)
        where = f"line {line}, " if line else ""
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            message = "unknown key (check its spelling against docs/policy-format.md)"
        lines.append(f"  {where}{path or '(document)'}: {message}")
    return "\n".join(lines)


def parse_policy(text: str, *, source: str = "<policy>") -> Policy:
    """Parse and validate a policy from YAML text.

    Raises:
        PolicyError: the YAML is malformed or the document is invalid; the message names the
            line, the path inside the document and the valid choices.
    """
    try:
        document = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise PolicyError(f"{source}: not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise PolicyError(f"{source}: a policy must be a YAML mapping at the top level")
    try:
        return Policy.model_validate(data)
    except ValidationError as error:
        raise PolicyError(_format_errors(error, source, document)) from None


def load_policy(path: str | Path | None = None) -> Policy:
    """Load and validate a policy file (the bundled Polytechnique policy when ``path`` is None).

    Raises:
        PolicyError: the file is missing, unreadable or invalid.
    """
    file = Path(path) if path is not None else default_policy_path()
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PolicyError(f"{file}: cannot read policy file: {error}") from None
    return parse_policy(text, source=str(file))
