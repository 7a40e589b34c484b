"""The decision engine: policy + comment + findings in, decision out.

``decide`` is a pure function: no I/O, no clock, no model. The same inputs give the same
decision, so decisions can be replayed for audit years later and computed on any machine of a
cluster. Only this module turns evidence into actions; detectors hold no thresholds.

Order of reasoning, for each category of the policy:

1. its score is the highest score among findings whose signal matches the category's patterns,
   each multiplied by its signal entry's ``weight`` (1 by default), ignoring findings below
   the entry's ``min_score``;
2. at or above ``review_threshold`` a finding asks for ``review``; at or above
   ``remove_threshold`` it asks for the category's action (``hide``, ``remove``, ``block``...),
   capped by its signal entry's ``max_action``; the category takes the strongest (a signal
   entry may set its own two thresholds: a calibrated model measured apart);
3. a mitigating finding (counter-speech, quotation) caps it at ``review`` (free expression, 6.2).

Escalation rules (directive 6.1) never take a comment down: when one matches, the decision is
flagged for the community manager and an otherwise allowed comment becomes ``escalate``.

Then, over the whole comment: the strongest action wins; a detector failure raises the action
to ``on_detector_error`` at least (never a silent pass); a removal counts as a strike and the
author is blocked when the strikes within the window reach the policy's count (section 7).
"""

from __future__ import annotations

from collections.abc import Sequence

from vigie.actions import REMOVING_ACTIONS, Action, strongest
from vigie.decision import AuthorHistory, CategoryVerdict, Decision
from vigie.findings import DetectorFailure, Finding
from vigie.policy import CategoryRule, Policy, SignalRule
from vigie.records import Comment

__all__ = ["ceiling", "decide"]

_NO_HISTORY = AuthorHistory()


def _capped(asked: Action, entry: SignalRule) -> Action:
    """``asked``, lowered to the signal entry's ``max_action`` when it has one (pure)."""
    if entry.max_action is not None and asked.strength > Action(entry.max_action).strength:
        return Action(entry.max_action)
    return asked


def ceiling(policy: Policy, signals: Sequence[str]) -> Action:
    """The strongest action findings of ``signals`` could ever cause under ``policy`` (pure).

    A signal that can raise an escalation flag counts as ``block``: it can always change the
    decision. The pipeline skips an expensive detector where this ceiling is already reached.
    """
    top = Action.ALLOW
    for signal in signals:
        if policy.escalations_for(signal):
            return Action.BLOCK
        for rule in policy.categories_for(signal):
            top = strongest(top, _capped(Action(rule.action), policy.signal_rule(rule, signal)),
                            Action.REVIEW)
    return top


def _verdict(
    policy: Policy, rule: CategoryRule, matching: Sequence[Finding], findings: Sequence[Finding]
) -> tuple[float, CategoryVerdict | None]:
    if not matching:
        return 0.0, None
    review, remove = policy.thresholds(rule)
    score = 0.0
    action = Action.ALLOW
    evidence: list[tuple[float, Finding]] = []
    for f in matching:
        entry = policy.signal_rule(rule, f.signal)
        if f.score < entry.min_score:
            continue
        weighted = f.score * entry.weight
        score = max(score, weighted)
        own_review = review if entry.review_threshold is None else entry.review_threshold
        own_remove = remove if entry.remove_threshold is None else entry.remove_threshold
        if weighted < own_review:
            continue
        evidence.append((weighted, f))
        asked = _capped(Action(rule.action) if weighted >= own_remove else Action.REVIEW, entry)
        action = strongest(action, asked)
    if not evidence:
        return score, None
    mitigated = action.strength > Action.REVIEW.strength and any(
        policy.mitigates(rule, f.signal) and f.score >= review for f in findings
    )
    if mitigated:
        action = Action.REVIEW
    ordered = tuple(f for _, f in sorted(evidence, key=lambda e: (-e[0], e[1].signal)))
    return score, CategoryVerdict(rule.slug, rule.clause, score, action, mitigated, ordered)


def _explain(policy: Policy, verdicts: Sequence[CategoryVerdict], action: Action,
             failures: Sequence[DetectorFailure], blocked: bool,
             held: bool = False, premoderated: bool = False) -> dict[str, str]:
    if not verdicts and not failures and not held and not premoderated:
        return {
            "fr": "Aucun manquement à la directive détecté.",
            "en": "No breach of the directive detected.",
        }
    parts_fr, parts_en = [], []
    for v in verdicts:
        rule = policy.category(v.slug)
        why = "; ".join(f.explanation for f in v.evidence[:3])
        note_fr = " (atténué : contre-discours ou citation)" if v.mitigated else ""
        note_en = " (mitigated: counter-speech or quotation)" if v.mitigated else ""
        parts_fr.append(f"{v.clause} {rule.label.fr} — {why} (score {v.score:.2f}){note_fr}")
        parts_en.append(f"{v.clause} {rule.label.en} — {why} (score {v.score:.2f}){note_en}")
    if failures:
        names = ", ".join(sorted({f.detector for f in failures}))
        parts_fr.append(f"détecteur en échec : {names}, vérification humaine requise")
        parts_en.append(f"detector failed: {names}, human review required")
    if blocked:
        parts_fr.append("auteur bloqué : récidive (section 7)")
        parts_en.append("author blocked: repeated breaches (section 7)")
    if premoderated:
        parts_fr.append("pré-modération de la période : aucun manquement détecté, mais chaque "
                        "commentaire attend qu'un humain l'approuve")
        parts_en.append("the period's pre-moderation: no breach detected, but every comment "
                        "waits for a human to approve it")
    if held:
        parts_fr.append("auteur déjà bloqué par Vigie, mais la plateforme le laisse publier "
                        "(pas de blocage possible) : vérification humaine (section 7)")
        parts_en.append("author already blocked by Vigie, yet the platform lets them post "
                        "(no block available): human review (section 7)")
    return {
        "fr": f"{action.value} : " + " | ".join(parts_fr),
        "en": f"{action.value}: " + " | ".join(parts_en),
    }


def decide(
    policy: Policy,
    comment: Comment,
    findings: Sequence[Finding],
    failures: Sequence[DetectorFailure] = (),
    history: AuthorHistory | None = None,
    detectors: Sequence[str] = (),
) -> Decision:
    """Decide what to do with ``comment`` given the evidence (pure).

    Args:
        policy: the validated policy in force when the comment was posted.
        comment: the comment judged (only its id is read; the text is never re-analysed here).
        findings: every finding of every detector for this comment.
        failures: detectors that failed on this comment.
        history: the author's strikes in the policy window, from the store (none: a clean slate).
        detectors: versioned names of the detectors that ran, recorded on the decision.

    Returns:
        The decision, with the clauses cited, the evidence and the policy digest.
    """
    history = history or _NO_HISTORY
    verdicts: list[CategoryVerdict] = []
    scores: dict[str, float] = {}
    by_slug: dict[str, list[Finding]] = {}
    for finding in findings:
        for matched in policy.categories_for(finding.signal):
            by_slug.setdefault(matched.slug, []).append(finding)
    for rule in policy.categories:
        score, verdict = _verdict(policy, rule, by_slug.get(rule.slug, ()), findings)
        if score > 0.0:
            scores[rule.slug] = score
        if verdict is not None:
            verdicts.append(verdict)

    escalated: dict[str, list[Finding]] = {}
    for f in findings:
        for routing in policy.escalations_for(f.signal):
            if f.score >= routing.threshold:
                escalated.setdefault(routing.slug, []).append(f)
    escalations = tuple(e.slug for e in policy.escalations if e.slug in escalated)
    escalation_evidence = {
        slug: tuple(sorted(escalated[slug], key=lambda f: (-f.score, f.signal)))
        for slug in escalations}
    escalate = bool(escalations) or any(v.action is Action.ESCALATE for v in verdicts)
    action = strongest(*(v.action for v in verdicts))
    if escalate:
        action = strongest(action, Action.ESCALATE)
    if failures:
        action = strongest(action, Action(policy.on_detector_error))

    strike = action in REMOVING_ACTIONS and any(
        v.action in REMOVING_ACTIONS and policy.category(v.slug).counts_as_strike
        for v in verdicts
    )
    blocked = False
    if (strike and policy.blocking is not None and action is not Action.BLOCK
            and history.strikes + 1 >= policy.blocking.strikes):
        action, blocked = Action.BLOCK, True
    # A blocked author who still posts is on a platform without a block (Instagram, X on most
    # plans, YouTube without a removal): their comments wait for a human (section 7).
    held = history.blocked and action.strength < Action.REVIEW.strength
    if held:
        action = Action.REVIEW
    # A period that holds for review (policy.Period): queued means off view until a human
    # decides; a hide is reversible, and it is no strike.
    period = policy.active_period
    # Pre-moderation (Period.premoderate): even a clean comment waits, off view, for a human.
    premoderated = (period is not None and period.premoderate
                    and action.strength < Action.REVIEW.strength)
    if premoderated:
        action = Action.REVIEW
    if period is not None and period.holds_off_view and action is Action.REVIEW:
        action = Action.HIDE
    explanation = _explain(policy, verdicts, action, failures, blocked, held, premoderated)
    if period is not None and (verdicts or failures or premoderated):
        explanation = {"fr": f"{explanation['fr']} | période : {period.label.fr}",
                       "en": f"{explanation['en']} | period: {period.label.en}"}

    return Decision(
        comment_id=comment.id,
        action=action,
        categories=tuple(verdicts),
        escalate=escalate,
        escalations=escalations,
        escalation_evidence=escalation_evidence,
        strike=strike,
        failures=tuple(failures),
        explanation=explanation,
        policy={"id": policy.id, "version": policy.version, "digest": policy.source_digest,
                **({"period": policy.period} if policy.period else {})},
        detectors=tuple(detectors),
        scores=scores,
    )
