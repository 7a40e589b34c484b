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
import re
import string
import zoneinfo
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
    PrivateAttr,
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
    "Monitoring",
    "Period",
    "PeriodCategory",
    "Policy",
    "PresetReason",
    "ReplyTemplate",
    "ReplyTemplates",
    "SignalRule",
    "StaffReplies",
    "default_policy_path",
    "effective_policy",
    "load_policy",
    "parse_policy",
]

#: Actions a category may take when its score reaches ``remove_threshold``.
CATEGORY_ACTIONS = (Action.ESCALATE, Action.REVIEW, Action.HIDE, Action.REMOVE, Action.BLOCK)


class _Strict(BaseModel):
    # A typo in a policy key must fail loudly, not be ignored.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Bilingual(_Strict):
    """A text in the policy's languages: French, English or both.

    A policy gives its texts only in its own ``allowed_languages`` (checked by
    :class:`Policy`); a language left out is filled with the other one, so that the French
    and English screens of the dashboard always have a text to show.
    """

    fr: str = Field(min_length=1)
    en: str = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _fill(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        given = {k: v for k, v in value.items() if v not in (None, "")}
        known = [given[k] for k in ("fr", "en") if k in given]
        if not known:
            raise ValueError("give the text in at least one of: fr, en")
        return {**given, "fr": given.get("fr", known[0]), "en": given.get("en", known[0])}


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


class PresetReason(_Strict):
    """A reviewer's ready-made reason for a clause (the dashboard offers it as one click).

    ``action`` is the reviewer action it goes with; ``text`` is recorded as the reason.
    """

    action: Literal["approve", "remove", "block", "escalate", "restore"]
    text: Bilingual


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
    # Left out of the canonical JSON when empty, so policies without presets keep their digest.
    reasons: tuple[PresetReason, ...] = Field((), exclude_if=lambda v: not v)

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
    #: Other names the institution is called by in comments: short forms, former names,
    #: handles ("Poly", "@polymtl"). With ``institution``, the only institution names any
    #: detector knows (criticism targets, campus words, never-flagged names).
    aliases: tuple[str, ...] = ()
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
    #: Overrides bounded by dates (see "Periods" at the end of this module).
    periods: tuple[Period, ...] = ()
    #: The period applied, set only on a policy returned by :func:`effective_policy`.
    period: str | None = None
    #: What to do when staff reply in a thread that criticises the institution (6.1).
    staff_replies: StaffReplies | None = None
    #: How the monitoring of the institution's name on the web reads it (directive 7).
    monitoring: Monitoring | None = None
    #: Reply templates the community manager answers comments with (see "Replies" below).
    replies: ReplyTemplates | None = None
    _source_digest: str | None = PrivateAttr(default=None)

    @model_validator(mode="before")
    @classmethod
    def _texts_in_own_languages(cls, data: Any) -> Any:
        """Every title, label and description is given in each of the policy's languages."""
        if not isinstance(data, dict):
            return data
        allowed = data.get("allowed_languages") or ()
        required = [lang for lang in ("fr", "en") if lang in allowed]

        def check(where: str, text: Any) -> None:
            if isinstance(text, dict):
                missing = [lang for lang in required if not text.get(lang)]
                if missing:
                    raise ValueError(
                        f"{where}: no text in {', '.join(missing)}; a policy gives its texts in "
                        f"each of its allowed_languages ({', '.join(required)})")

        check("title", data.get("title"))
        for kind in ("categories", "escalations"):
            for index, rule in enumerate(data.get(kind) or ()):
                if isinstance(rule, dict):
                    for name in ("label", "description"):
                        check(f"{kind}[{index}].{name}", rule.get(name))
        replies = data.get("replies")
        templates = replies.get("templates") if isinstance(replies, dict) else None
        for index, template in enumerate(templates or ()):
            if isinstance(template, dict):
                for name in ("label", "text"):
                    check(f"replies.templates[{index}].{name}", template.get(name))
        return data

    @property
    def institution_names(self) -> tuple[str, ...]:
        """The institution's name and aliases, as written in the policy."""
        return (self.institution, *self.aliases)

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
        # A policy without periods keeps the digest it had before periods existed.
        exclude = {k for k in ("periods", "period", "staff_replies", "replies", "monitoring")
                   if not getattr(self, k)}
        canonical = json.dumps(
            self.model_dump(mode="json", exclude=exclude), sort_keys=True, ensure_ascii=False,
            separators=(",", ":")
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

    @model_validator(mode="after")
    def _periods_consistent(self) -> Policy:
        check_periods(self)
        if self.staff_replies is not None:
            known = {e.slug for e in self.escalations}
            unknown = sorted(set(self.staff_replies.escalations) - known)
            if unknown:
                raise ValueError(f"staff_replies.escalations: unknown {', '.join(unknown)}; "
                                 f"valid: {', '.join(sorted(known))}")
        if self.replies is not None:
            self.replies.check_against(self)
        return self

    @property
    def source_digest(self) -> str:
        """The digest of the policy file: for an effective policy, the file it came from.

        Decisions cite it with the period's slug; the effective policy is rebuilt from the
        file's text and the comment's date.
        """
        return self._source_digest or self.digest

    @property
    def active_period(self) -> Period | None:
        """The period this effective policy applies (``None`` outside every period)."""
        return next((p for p in self.periods if p.slug == self.period), None)

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


# -- Periods: overrides bounded by dates ------------------------------------------------------
#
# Some days bring floods of hateful and of grieving comments (at Polytechnique, the days around
# 6 December, the anniversary of the 1989 attack on its women students). A period lowers
# thresholds, holds for review what would only be queued, and adds a word list, between two
# dates; :func:`effective_policy` returns the policy in force for a comment's ``created_at``.

#: The detector that matches a period's word list (``vigie.detectors.period_terms``).
PERIOD_TERMS_DETECTOR = "vigie.terms.period.v1"
PERIOD_TERM_SIGNAL = "period.term"


class PeriodCategory(_Strict):
    """Stricter thresholds for one category during a period (never more lenient)."""

    slug: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    review_threshold: float | None = Field(None, ge=0.0, le=1.0)
    remove_threshold: float | None = Field(None, ge=0.0, le=1.0)


class Period(_Strict):
    """Policy overrides in force from ``start`` to ``end`` (both days included).

    Attributes:
        slug: the period's name, recorded on each decision taken under it.
        label: shown on the dashboard and in decisions.
        description: why the period exists.
        start: first day (with ``yearly``, only its month and day count).
        end: last day, included (with ``yearly``, may fall in the next year: 28 Dec-3 Jan).
        yearly: the period comes back every year.
        timezone: the IANA zone the days are counted in (``America/Toronto``).
        categories: stricter thresholds per category.
        hold_for_review: a comment that would be queued for review is also taken off view
            (hidden, reversibly) until a human decides.
        premoderate: pre-moderation: every comment, even one with no finding, is taken off
            view (hidden or held, reversibly, where the platform allows it) and queued until a
            human approves it. Implies ``hold_for_review``.
        terms: an extra word list: a comment containing one of them (folded: case and accents
            ignored, whole words) gets the ``period.term`` signal, counted in ``terms_category``.
        terms_category: the category the word list counts toward.
        terms_max_action: the strongest action the word list alone may cause.
        detectors: detector options for the period; a list option extends the policy's.
    """

    slug: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    label: Bilingual
    description: Bilingual
    start: dt.date
    end: dt.date
    yearly: bool = False
    timezone: str = "UTC"
    categories: tuple[PeriodCategory, ...] = ()
    hold_for_review: bool = False
    premoderate: bool = False
    terms: tuple[str, ...] = ()
    terms_category: str | None = None
    terms_max_action: Literal["review", "hide", "remove", "block"] = "review"
    detectors: dict[str, dict[str, Any]] = Field(default_factory=dict)

    @property
    def holds_off_view(self) -> bool:
        """Whether a comment queued for review is also taken off view (hold or pre-moderation)."""
        return self.hold_for_review or self.premoderate

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (an IANA name such as "
                             "America/Toronto)") from None
        return value

    @model_validator(mode="after")
    def _dates(self) -> Period:
        if not self.yearly and self.end < self.start:
            raise ValueError(f"period {self.slug!r}: end {self.end} is before start {self.start}")
        if self.terms and self.terms_category is None:
            raise ValueError(f"period {self.slug!r}: terms need a terms_category")
        return self

    def covers(self, when: dt.datetime) -> bool:
        """Whether ``when`` (an aware datetime) falls within the period, in its time zone."""
        day = when.astimezone(zoneinfo.ZoneInfo(self.timezone)).date()
        if not self.yearly:
            return self.start <= day <= self.end
        md, first, last = ((day.month, day.day), (self.start.month, self.start.day),
                           (self.end.month, self.end.day))
        return first <= md <= last if first <= last else (md >= first or md <= last)

    def days(self, when: dt.datetime) -> tuple[dt.date, dt.date]:
        """The first and last day of the occurrence that covers ``when`` (pure).

        For a yearly period, the dates of that year's occurrence (1-10 December 2026); one that
        spans the new year ends in the next year. Only meaningful where :meth:`covers` holds.
        """
        if not self.yearly:
            return self.start, self.end
        day = when.astimezone(zoneinfo.ZoneInfo(self.timezone)).date()
        year = day.year if (day.month, day.day) >= (self.start.month, self.start.day) \
            else day.year - 1
        spans = (self.end.month, self.end.day) < (self.start.month, self.start.day)
        return _in_year(self.start, year), _in_year(self.end, year + spans)


def _in_year(day: dt.date, year: int) -> dt.date:
    """``day``'s month and day in ``year`` (29 February becomes the 28th outside leap years)."""
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


def check_periods(policy: Policy) -> None:
    """Check the periods against the policy's categories (pure).

    Raises:
        ValueError: a period names an unknown category, or would relax a threshold.
    """
    slugs = [p.slug for p in policy.periods]
    repeated = sorted({s for s in slugs if slugs.count(s) > 1})
    if repeated:
        raise ValueError(f"period slugs must be unique; repeated: {', '.join(repeated)}")
    if policy.period is not None and policy.period not in slugs:
        raise ValueError(f"period {policy.period!r} is not among the policy's periods")
    known = {c.slug: c for c in policy.categories}
    for period in policy.periods:
        named = [c.slug for c in period.categories] + [period.terms_category or ""] * bool(
            period.terms)
        for slug in named:
            if slug not in known:
                raise ValueError(f"period {period.slug!r}: unknown category {slug!r}; valid: "
                                 f"{', '.join(known)}")
        if policy.period is not None:
            continue  # an effective policy carries the lowered thresholds already
        for override in period.categories:
            review, remove = policy.thresholds(known[override.slug])
            for name, new, old in (("review_threshold", override.review_threshold, review),
                                   ("remove_threshold", override.remove_threshold, remove)):
                if new is not None and new > old:
                    raise ValueError(f"period {period.slug!r}, category {override.slug!r}: "
                                     f"{name} {new} is above the policy's {old}; a period "
                                     "can only be stricter")


def _merge_options(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        old = merged.get(key)
        merged[key] = [*old, *value] if isinstance(old, list) and isinstance(value, list) \
            else value
    return merged


_EFFECTIVE: dict[tuple[str, str], Policy] = {}


def effective_policy(policy: Policy, when: dt.datetime) -> Policy:
    """The policy in force for a comment created at ``when`` (pure; results memoised).

    Outside every period, ``policy`` itself. Within one (the first listed wins), a policy with
    the period's stricter thresholds, word list and detector options, and ``period`` set to its
    slug (recorded on the decision). Its digest differs from the file's, and is reproducible
    from the file's text and ``when``.
    """
    if policy.period is not None:
        return policy
    period = next((p for p in policy.periods if p.covers(when)), None)
    if period is None:
        return policy
    key = (policy.digest, period.slug)
    if key not in _EFFECTIVE:
        data = policy.model_dump(mode="json")
        overrides = {c.slug: c for c in period.categories}
        for category in data["categories"]:
            override = overrides.get(category["slug"])
            if override is not None:
                for name in ("review_threshold", "remove_threshold"):
                    value = getattr(override, name)
                    if value is not None:
                        category[name] = value
                review = category["review_threshold"]
                if review is None:
                    review = policy.defaults.review_threshold
                remove = category["remove_threshold"]
                if remove is None:
                    remove = policy.defaults.remove_threshold
                category["review_threshold"] = min(review, remove)
            if period.terms and category["slug"] == period.terms_category:
                category["signals"].insert(0, {"pattern": PERIOD_TERM_SIGNAL, "weight": 1.0,
                                               "min_score": 0.0,
                                               "max_action": period.terms_max_action})
        detectors = data["detectors"]
        for name, options in period.detectors.items():
            detectors[name] = _merge_options(detectors.get(name) or {}, options)
        if period.terms:
            detectors[PERIOD_TERMS_DETECTOR] = {"terms": list(period.terms)}
        data["period"] = period.slug
        effective = Policy.model_validate(data)
        effective._source_digest = policy.digest
        _EFFECTIVE[key] = effective
    return _EFFECTIVE[key]


# -- Staff replying to criticism (directive 6.1) ------------------------------------------------


class Monitoring(_Strict):
    """How the web monitoring of the institution's name (directive 7) reads its names.

    Attributes:
        names_file: a names file (format in ``docs/monitoring.md``): each way of writing the
            name with its prior, and the cues that tell it apart from homonyms. A path, or
            ``vigie:PATH`` inside the installed package. Without it, the names are
            ``institution`` and ``aliases``, each scored by its form
            (:func:`vigie.monitoring.names.names_from_policy`).
    """

    names_file: str | None = Field(None, min_length=1)


class StaffReplies(_Strict):
    """Staff who answer negative information themselves (6.1), instead of alerting.

    The community manager is always told; the staff member is reminded of 6.1 when ``remind``
    is set.

    Attributes:
        clause: the clause cited.
        escalations: the escalation rules whose match marks a thread as critical (default:
            every rule citing ``6.1``).
        remind: send the staff member ``reminder`` (by e-mail, where the registry gives one).
        reminder: the reminder's text.
        exempt: accounts that answer for the institution (the community manager's own):
            ``platform:handle``, ``@handle`` or an author id.
    """

    clause: str = "6.1"
    escalations: tuple[str, ...] = ()
    remind: bool = False
    reminder: Bilingual = Bilingual(
        fr="Rappel de la directive (6.1) : une information négative au sujet de "
           "l'établissement est transmise à la gestionnaire de communauté, qui y répond ; "
           "merci de ne pas y répondre vous-même.",
        en="Reminder of the directive (6.1): negative information about the institution is "
           "passed on to the community manager, who answers it; please do not answer it "
           "yourself.")
    exempt: tuple[str, ...] = ()

    def critical_slugs(self, policy: Policy) -> tuple[str, ...]:
        """The escalation slugs that mark a thread as carrying criticism (pure)."""
        if self.escalations:
            return self.escalations
        return tuple(e.slug for e in policy.escalations if e.clause.startswith(self.clause))


# -- Replies: the community manager's ready-made answers ---------------------------------------

#: The placeholders a reply template may use: the comment's author (display name, else
#: handle), the institution's name, the directive's title, ``replies.directive_url``, and the
#: comment's appeal code and the public appeal page's address with the code filled in
#: (``vigie.web.appeals``; the address is absolute when ``escalation.dashboard_url`` is set).
REPLY_PLACEHOLDERS = ("author", "institution", "directive", "directive_url", "appeal_code",
                      "appeal_url")
_FORMATTER = string.Formatter()


def placeholders_of(text: str) -> tuple[str, ...]:
    """The ``{name}`` placeholders of a template text, in order (pure).

    Raises:
        ValueError: a brace is unbalanced, or a placeholder has a format or a conversion
            (write a literal brace as ``{{`` or ``}}``).
    """
    names = []
    for _, name, spec, conversion in _FORMATTER.parse(text):
        if name is None:
            continue
        if spec or conversion or not name.isidentifier():
            raise ValueError(f"placeholder {{{name}{'!' + conversion if conversion else ''}"
                             f"{':' + spec if spec else ''}}} is not a plain {{name}}")
        names.append(name)
    return tuple(names)


class ReplySuggestion(_Strict):
    """When a template is the one the dashboard offers first for a comment.

    It matches when any condition holds: the comment asks a question, reached one of the
    ``escalations`` or ``categories``, or was decided one of the ``actions``.
    """

    question: bool = False
    escalations: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    actions: tuple[Literal["allow", "review", "hide", "remove", "block", "escalate"], ...] = ()


class ReplyTemplate(_Strict):
    """One ready-made answer, in the policy's languages, with ``{placeholders}``."""

    slug: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    clause: str | None = None
    label: Bilingual
    text: Bilingual
    suggest_for: ReplySuggestion = ReplySuggestion()

    def render(self, lang: str, values: dict[str, str]) -> str:
        """The text in ``lang`` (``fr`` unless ``en``) with its placeholders filled (pure).

        An empty value (an author without a name) leaves no stray space before punctuation.
        """
        text = self.text.en if lang == "en" else self.text.fr
        filled = text.format_map({name: values.get(name, "") for name in REPLY_PLACEHOLDERS})
        return re.sub(r"[ \t]+([,.])", r"\1", re.sub(r"[ \t]{2,}", " ", filled)).strip()


class ReplyTemplates(_Strict):
    """The ``replies`` section: templates in policy order, the first matching one suggested.

    Attributes:
        directive_url: where the directive can be read, for ``{directive_url}``.
        templates: at least one; slugs unique.
    """

    directive_url: str | None = Field(None, pattern=r"^https?://\S+$")
    templates: tuple[ReplyTemplate, ...] = Field(min_length=1)

    def check_against(self, policy: Policy) -> None:
        """Slugs unique, placeholders known and given, suggestions naming existing rules.

        Raises:
            ValueError: naming the template, the field and the valid choices.
        """
        slugs = [t.slug for t in self.templates]
        repeated = sorted({s for s in slugs if slugs.count(s) > 1})
        if repeated:
            raise ValueError(f"replies.templates: slugs must be unique; repeated: "
                             f"{', '.join(repeated)}")
        valid = ", ".join(f"{{{p}}}" for p in REPLY_PLACEHOLDERS)
        known = {"categories": set(policy.slugs),
                 "escalations": {e.slug for e in policy.escalations}}
        for index, template in enumerate(self.templates):
            where = f"replies.templates[{index}] ({template.slug})"
            for lang in ("fr", "en"):
                try:
                    names = placeholders_of(getattr(template.text, lang))
                except ValueError as error:
                    raise ValueError(f"{where}.text.{lang}: {error}; valid: {valid}") from None
                unknown = [n for n in names if n not in REPLY_PLACEHOLDERS]
                if unknown:
                    raise ValueError(f"{where}.text.{lang}: unknown placeholder "
                                     f"{{{unknown[0]}}}; valid: {valid}")
                if "directive_url" in names and not self.directive_url:
                    raise ValueError(f"{where}.text.{lang} uses {{directive_url}} but "
                                     "replies.directive_url is not set")
            for kind, slugs_known in known.items():
                missing = sorted(set(getattr(template.suggest_for, kind)) - slugs_known)
                if missing:
                    raise ValueError(f"{where}.suggest_for.{kind}: unknown "
                                     f"{', '.join(missing)}; valid: "
                                     f"{', '.join(sorted(slugs_known)) or '(none)'}")

    def get(self, slug: str) -> ReplyTemplate:
        """The template ``slug``.

        Raises:
            KeyError: with the valid slugs in the message.
        """
        by_slug = {t.slug: t for t in self.templates}
        if slug not in by_slug:
            raise KeyError(f"unknown reply template {slug!r}; valid: {', '.join(by_slug)}")
        return by_slug[slug]

    def suggest(self, *, action: str, categories: Iterable[str] = (),
                escalations: Iterable[str] = (), question: bool = False
                ) -> ReplyTemplate | None:
        """The first template whose ``suggest_for`` matches the situation (pure).

        Args:
            action: the decision's action (``allow``, ``review``, ``remove``...).
            categories: the category slugs the decision reached.
            escalations: the escalation slugs it matched.
            question: the comment asks a question.
        """
        reached, matched = set(categories), set(escalations)
        for template in self.templates:
            when = template.suggest_for
            if ((question and when.question) or matched & set(when.escalations)
                    or reached & set(when.categories) or action in when.actions):
                return template
        return None


Policy.model_rebuild()  # its periods, staff rules and replies are defined after it
