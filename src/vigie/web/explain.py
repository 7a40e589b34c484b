"""Evidence and decisions in the reader's language.

Detectors explain their findings in English words (a finding carries its signal name, which
is stable, and a free sentence, which is not translated). The dashboard shows, in French, a
sentence chosen by signal: ``evidence.<signal>`` in the catalogue, else the family's
(``evidence.hate``), else a neutral one naming the signal; in English the detector's own
sentence, which is the most precise. The decision's summary line is rebuilt the same way from
its action, clauses and category labels, so no English sentence reaches a French page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vigie.web.formats import Formats
from vigie.web.i18n import Translator

__all__ = ["escalation_reason", "evidence_text", "summary"]


def evidence_text(finding: Mapping[str, Any], t: Translator) -> str:
    """One finding's explanation in the reader's language (pure).

    Args:
        finding: a finding of a decision's evidence (``signal``, ``explanation``...).
        t: the reader's translator.
    """
    signal = str(finding.get("signal") or "")
    own = str(finding.get("explanation") or "").strip()
    if t.lang == "en" and own:
        return own
    for key in (f"evidence.{signal}", f"evidence.{signal.split('.', 1)[0]}"):
        if t.has(key):
            return t(key)
    return t("evidence.unknown", signal=signal)


def summary(decision: Mapping[str, Any], labels: Mapping[str, str], t: Translator,
            fmt: Formats) -> str:
    """The decision in one line: its action, then each clause with its label and score (pure).

    Args:
        decision: a stored decision's body.
        labels: category slug → label in the reader's language.
        t: the reader's translator.
        fmt: the reader's number format.
    """
    action = str(decision.get("action") or "")
    parts = []
    for cat in decision.get("categories", ()):
        slug = str(cat.get("slug"))
        parts.append(t("explain.category", clause=cat.get("clause", ""),
                       label=labels.get(slug, slug), score=fmt.number(cat.get("score"), 2)))
    head = t(f"action.{action}") if action else "—"
    if not parts:
        return t("explain.nothing", action=head)
    return t("explain.line", action=head, categories="; ".join(parts))


def escalation_reason(row: Mapping[str, Any], labels: Mapping[str, str], t: Translator,
                      fmt: Formats) -> str:
    """Why an item was escalated, in the reader's language (pure).

    A reviewer's escalation is stored as ``escalated by WHO: REASON`` (the store's words); the
    engine's is rebuilt from the decision (``decision_body``) like :func:`summary`.
    """
    reason = str(row.get("reason") or "")
    if reason.startswith("escalated by ") and ": " in reason:
        who, why = reason[len("escalated by "):].split(": ", 1)
        return t("escalations.by_reviewer", who=who, reason=why)
    body = row.get("decision_body")
    if body:
        import json

        return summary(json.loads(body) if isinstance(body, str) else body, labels, t, fmt)
    return reason if t.lang == "en" else t("escalations.by_policy")
