"""Preset reasons: a reviewer decides an item in one click, with a reason that cites the clause.

A category of the policy may list its own ``reasons`` (``{action, text: {fr, en}}``, edited in
the policy like everything else, through a proposed version); without them, one preset per
common action is built from the category's clause and label, so every clause has presets out
of the box. Presets are numbered 1 to 9: the item page's keyboard shortcuts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vigie.policy import CategoryRule, Policy
from vigie.web.i18n import Translator

__all__ = ["MAX_PRESETS", "Preset", "presets_for", "queue_reasons"]

#: Presets shown per item: the digit keys 1 to 9.
MAX_PRESETS = 9

#: The actions a preset is built for when the category lists none, in the order shown.
_DEFAULT_ACTIONS = ("remove", "approve", "escalate")


@dataclass(frozen=True, slots=True)
class Preset:
    """One ready-made decision.

    Attributes:
        key: its keyboard shortcut (``1`` to ``9``).
        action: the reviewer action (``approve``, ``remove``...).
        text: the reason recorded, in the reviewer's language.
        clause: the clause it cites (``""`` for the general "complies" preset).
    """

    key: str
    action: str
    text: str
    clause: str


def _label(rule: CategoryRule, lang: str) -> str:
    return rule.label.fr if lang == "fr" else rule.label.en


def _for_rule(rule: CategoryRule, t: Translator) -> Iterable[tuple[str, str, str]]:
    if rule.reasons:
        for r in rule.reasons:
            yield r.action, (r.text.fr if t.lang == "fr" else r.text.en), rule.clause
        return
    for action in _DEFAULT_ACTIONS:
        if action == "escalate" and rule.action == "escalate":
            continue  # the engine already escalates this clause
        yield action, t(f"preset.{action}", clause=rule.clause, label=_label(rule, t.lang)), \
            rule.clause


def presets_for(policy: Policy, categories: Sequence[Mapping[str, Any]],
                t: Translator) -> list[Preset]:
    """The presets for an item whose decision reached ``categories`` (pure).

    Args:
        policy: the policy in force (its categories' ``reasons``).
        categories: the decision's categories (``slug``, ``clause``...), strongest first.
        t: the reviewer's translator.

    Returns:
        At most :data:`MAX_PRESETS` presets, without duplicates; a general "complies with the
        directive" approval comes last (first when no category was reached).
    """
    rules = {c.slug: c for c in policy.categories}
    seen: set[tuple[str, str]] = set()
    out: list[tuple[str, str, str]] = []
    for cat in categories:
        rule = rules.get(str(cat.get("slug")))
        if rule is None:
            continue
        for action, text, clause in _for_rule(rule, t):
            if (action, text) not in seen:
                seen.add((action, text))
                out.append((action, text, clause))
    out.append(("approve", t("preset.complies"), ""))
    return [Preset(str(i), a, text, clause)
            for i, (a, text, clause) in enumerate(out[:MAX_PRESETS], start=1)]


def queue_reasons(policy: Policy, t: Translator) -> list[str]:
    """Reasons offered for bulk actions on the queue: every clause's presets (pure)."""
    texts: list[str] = []
    for rule in policy.categories:
        for _action, text, _clause in _for_rule(rule, t):
            if text not in texts:
                texts.append(text)
    texts.append(t("preset.complies"))
    return texts
