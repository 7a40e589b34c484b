"""Evidence and decisions in the reader's language.

Detectors explain their findings in English words (a finding carries its signal name, which
is stable, and a free sentence, which is not translated). The dashboard shows, in French, a
sentence chosen by signal: ``evidence.<signal>`` in the catalogue, else the family's
(``evidence.hate``), else a neutral one naming the signal; in English the detector's own
sentence, which is the most precise. The decision's summary line is rebuilt the same way from
its action, clauses and category labels, so no English sentence reaches a French page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vigie.policy import Policy
from vigie.web.formats import Formats
from vigie.web.i18n import Translator

__all__ = ["Ground", "block_reason", "escalation_grounds", "escalation_reason", "evidence_text",
           "stored_reason", "summary"]


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


@dataclass(frozen=True, slots=True)
class Ground:
    """One clause a decision reached, in the reader's language.

    Attributes:
        clause: the directive's clause (``6.1``, ``6.4 b``).
        label: the clause's label.
        description: what the clause covers, as the policy says it.
        evidence: one sentence per finding, with its score.
    """

    clause: str
    label: str
    description: str
    evidence: tuple[str, ...]

    @property
    def headline(self) -> str:
        """The clause and its label (``6.1 Critique de l'établissement``)."""
        return f"{self.clause} {self.label}".strip()


def escalation_grounds(decision: Mapping[str, Any], policy: Policy, t: Translator,
                       fmt: Formats) -> list[Ground]:
    """The clauses a decision reached, escalation rules first, with their evidence (pure).

    An escalation rule (6.1) is followed by the findings that reached its threshold
    (``escalation_evidence``; decisions stored before it was recorded have none), then each
    category reached, with its evidence. A slug the policy no longer has is shown as is.
    """
    def pick(text: Any) -> str:
        return str(text.fr if t.lang == "fr" else text.en)

    def sentences(found: Any) -> tuple[str, ...]:
        return tuple(f"{evidence_text(f, t)} (score {fmt.number(f.get('score'), 2)})"
                     for f in found or ())

    rules = {e.slug: e for e in policy.escalations}
    categories = {c.slug: c for c in policy.categories}
    evidence = decision.get("escalation_evidence") or {}
    out = []
    for slug in decision.get("escalations") or ():
        rule = rules.get(str(slug))
        out.append(Ground(rule.clause if rule else "", pick(rule.label) if rule else str(slug),
                          pick(rule.description) if rule else "",
                          sentences(evidence.get(slug))))
    for cat in decision.get("categories") or ():
        category = categories.get(str(cat.get("slug")))
        out.append(Ground(str(cat.get("clause") or ""),
                          pick(category.label) if category else str(cat.get("slug")),
                          pick(category.description) if category else "",
                          sentences(cat.get("evidence"))))
    return out


# How the monitoring of staff replies words its escalations (vigie.monitoring.staff._record).
_STAFF_REPLY = re.compile(r"^6\.1 staff reply: (?P<who>.+?) \((?P<why>.*)\) replied in a thread "
                          r"that criticises the institution \((?P<thread>[^()]*)\); directive "
                          r"(?P<clause>[^:]+):")


def stored_reason(reason: str, t: Translator) -> str | None:
    """A reason the store wrote in English words, in the reader's language (pure).

    A reviewer's escalation is stored as ``escalated by WHO: REASON``; a staff reply in a
    critical thread (6.1) as ``6.1 staff reply: WHO (...) replied in a thread ...``. ``None``
    for any other reason (the engine's: read its decision instead).
    """
    if reason.startswith("escalated by ") and ": " in reason:
        who, why = reason[len("escalated by "):].split(": ", 1)
        return t("escalations.by_reviewer", who=who, reason=why)
    staff = _STAFF_REPLY.match(reason)
    if staff:
        return t("escalations.staff_reply", who=staff["who"], thread=staff["thread"],
                 clause=staff["clause"])
    return None


_STRIKES = re.compile(r"^(?P<n>\d+) strikes within (?P<days>\d+) days \(section 7\)$")
_LINKED = re.compile(r"^(?P<n>\d+) strikes within (?P<days>\d+) days across (?P<k>\d+) linked "
                     r"accounts \(section 7\)$")
_POLICY_BLOCK = "the policy blocks the author for "


def block_reason(reason: str, t: Translator) -> str:
    """Why an author was blocked, in the reader's language (pure; unknown forms as stored).

    The store writes ``blocked by WHO: REASON`` (a reviewer), ``N strikes within D days
    (section 7)`` (the threshold), ``N strikes within D days across K linked accounts (section
    7)`` (a person's threshold) or ``the policy blocks the author for CLAUSES``.
    """
    if reason.startswith("blocked by ") and ": " in reason:
        who, why = reason[len("blocked by "):].split(": ", 1)
        return t("block.by_reviewer", who=who, reason=why)
    strikes = _STRIKES.match(reason)
    if strikes:
        return t("block.strikes", n=strikes["n"], days=strikes["days"])
    linked = _LINKED.match(reason)
    if linked:  # the person's strikes, on several accounts (vigie.store.persons)
        return t("block.strikes_linked", n=linked["n"], days=linked["days"], k=linked["k"])
    if reason.startswith(_POLICY_BLOCK):
        return t("block.policy", clauses=reason[len(_POLICY_BLOCK):])
    return reason


def escalation_reason(row: Mapping[str, Any], policy: Policy, t: Translator,
                      fmt: Formats) -> str:
    """Why an item was escalated, in the reader's language (pure).

    A reviewer's or a staff reply's reason is translated (:func:`stored_reason`); the engine's
    names the clauses of the decision (``decision_body``), escalation rules first.
    """
    reason = str(row.get("reason") or "")
    known = stored_reason(reason, t)
    if known is not None:
        return known
    body = row.get("decision_body")
    if body:
        import json

        decision = json.loads(body) if isinstance(body, str) else body
        grounds = escalation_grounds(decision, policy, t, fmt)
        if grounds:
            return "; ".join(g.headline for g in grounds)
        labels = {c.slug: (c.label.fr if t.lang == "fr" else c.label.en)
                  for c in policy.categories}
        return summary(decision, labels, t, fmt)
    return reason if t.lang == "en" else t("escalations.by_policy")
