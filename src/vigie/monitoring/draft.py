"""The pre-publication check: a member of staff pastes a draft and learns what to change.

Before a post goes out, :class:`DraftChecker` tells whether it

* speaks in the institution's name without a mandate (6.1): "Au nom de Polytechnique, je
  dénonce…", "Polytechnique considère que…", "on behalf of Polytechnique" — fine from a
  registered official account or a mandated person
  (:class:`~vigie.monitoring.registry.MandateBook`),
  a finding from anyone else;
* discloses confidential data (6.3, 6.4 d), exposes someone's personal data (6.4 a), or holds
  anything else the directive forbids (6.4 b–h, k) — by running the draft through the same
  moderation pipeline as comments, under the same policy and thresholds;
* carries negative information about the institution (6.1): advice to hand it to the
  community manager rather than publish or answer it.

Each finding cites its clause and suggests what to change, in French and English. Categories
that judge a comment against its post or its author's account (6.4 i inauthentic, 6.4 j off
topic) do not apply to a draft and are left out.

The phrases that speak in the institution's name are data
(``vigie/data/mentions/speaking_for.yaml``); the names they are said in are the policy's
(``institution`` and ``aliases``) with generic ones ("notre école", "the institution")
(:func:`speaking_for`). No I/O once built; the clock is injected.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml

from vigie.actions import REMOVING_ACTIONS
from vigie.detectors.base import KnowsOwnPages
from vigie.engine import decide
from vigie.errors import VigieError
from vigie.findings import Finding
from vigie.monitoring.registry import MandateBook, MandateCheck, page_prefixes_of
from vigie.policy import Policy, load_policy
from vigie.records import parse_comment
from vigie.text.normalize import normalize

__all__ = [
    "DraftChecker",
    "DraftFinding",
    "DraftReport",
    "SpeakingFor",
    "default_speaking_for",
    "speaking_for",
]

Severity = Literal["must_change", "review", "advice"]
# Categories that read the post or the author's account: meaningless for a draft.
_NOT_FOR_DRAFTS = frozenset({"inauthentic", "off_topic"})

#: Suggestions by signal prefix (longest prefix wins), then by category slug.
_SUGGEST_SIGNAL: dict[str, tuple[str, str]] = {
    "pii.phone": ("Retirez le numéro de téléphone.", "Remove the phone number."),
    "pii.email": ("Retirez l'adresse courriel.", "Remove the e-mail address."),
    "pii.address": ("Retirez l'adresse.", "Remove the address."),
    "pii.postal_code": ("Retirez le code postal.", "Remove the postal code."),
    "pii.student_id": ("Retirez le matricule.", "Remove the student number."),
    "pii.sin": ("Retirez le numéro d'assurance sociale.", "Remove the social insurance number."),
    "pii.ramq": ("Retirez le numéro d'assurance maladie.", "Remove the health insurance number."),
    "pii.credit_card": ("Retirez le numéro de carte.", "Remove the card number."),
    "pii.health": ("Retirez l'information de santé sur cette personne.",
                   "Remove the health information about this person."),
    "pii.reputation": ("Retirez l'accusation visant une personne nommée.",
                       "Remove the accusation against a named person."),
    "secret.": ("Retirez le mot de passe, le code ou la clé : un employé ne divulgue pas de "
                "données confidentielles (6.3).",
                "Remove the password, code or key: staff do not disclose confidential data "
                "(6.3)."),
    "confidential.": ("Retirez l'information confidentielle (document interne, examen, "
                      "chiffre non publié) : un employé ne la divulgue pas (6.3).",
                      "Remove the confidential information (internal document, exam, "
                      "unpublished figure): staff do not disclose it (6.3)."),
}
_SUGGEST_CATEGORY: dict[str, tuple[str, str]] = {
    "privacy": ("Retirez les données personnelles ou obtenez le consentement écrit de la "
                "personne.", "Remove the personal data or get the person's written consent."),
    "hate": ("Reformulez sans propos haineux ni généralisation sur un groupe.",
             "Rephrase without hateful words or generalisations about a group."),
    "abuse": ("Reformulez sans sacres, grossièretés ni insultes.",
              "Rephrase without swears, vulgarity or insults."),
    "confidential": ("Retirez les données confidentielles (6.3).",
                     "Remove the confidential data (6.3)."),
    "sexual": ("Retirez le contenu à caractère sexuel.", "Remove the sexual content."),
    "org_announcement": ("Une page officielle ne relaie pas les annonces d'organisations "
                         "sociales, syndicales ou politiques.",
                         "An official page does not relay announcements of social, union or "
                         "political organizations."),
    "political_support": ("Retirez l'appui à un candidat ou à un parti.",
                          "Remove the support for a candidate or a party."),
    "language": ("Rédigez en français ou en anglais.", "Write in French or English."),
    "spam": ("Retirez le contenu promotionnel ou le lien sans rapport avec la publication.",
             "Remove the promotional content or the link unrelated to the post."),
}
_MANDATE = ("Parlez en votre nom (« Je pense que… ») ou demandez au Service des "
            "communications de publier ce message depuis un compte officiel.",
            "Speak in your own name ('I think…') or ask the communications service to publish "
            "it from an official account.")
_CRITICISM = ("Une information négative sur l'établissement relève de la gestionnaire de "
              "communauté : transmettez-la-lui plutôt que de la publier ou d'y répondre.",
              "Negative information about the institution is handled by the community "
              "manager: forward it rather than publish or answer it yourself.")


class SpeakingFor:
    """Finds phrases that speak in the institution's name (6.1)."""

    def __init__(self, data: dict[str, Any], institution_names: Sequence[str] = ()) -> None:
        """Compile the ``speaking_for.yaml`` mapping, ``{name}`` standing for every name.

        Args:
            data: the mapping; its ``names`` are generic ("notre école", "the institution").
            institution_names: the institution's own names (the policy's), folded here.

        Raises:
            VigieError: the mapping is malformed or a pattern is invalid.
        """
        own = {normalize(n).text.strip() for n in institution_names}
        own |= {n.lstrip("@") for n in own}
        try:
            every = {*map(str, data["names"]), *(n for n in own if n)}
            names = "|".join(re.escape(n) for n in sorted(every, key=len, reverse=True))
            self._patterns = [
                (str(p["id"]), re.compile(r"(?<!\w)(?:" + str(p["pattern"]).replace(
                    "{name}", f"(?:{names})") + r")(?!\w)"))
                for p in data["patterns"]
            ]
            self._reported = re.compile(str(data["reported"]))
        except (KeyError, TypeError, re.error) as error:
            raise VigieError(f"speaking_for.yaml: {type(error).__name__}: {error}") from None

    def find(self, folded: str) -> list[tuple[str, int, int]]:
        """Each phrase in the folded text as ``(pattern id, start, end)`` (pure).

        Reported speech ("selon Polytechnique, ...") is left out.
        """
        text = folded.replace("’", "'")
        out = []
        for pid, regex in self._patterns:
            for match in regex.finditer(text):
                if self._reported.search(text[max(0, match.start() - 40):match.start()]):
                    continue
                out.append((pid, match.start(), match.end()))
        return sorted(out, key=lambda m: m[1])


@cache
def _speaking_for(names: tuple[str, ...]) -> SpeakingFor:
    text = resources.files("vigie").joinpath("data", "mentions", "speaking_for.yaml").read_text(
        "utf-8")
    return SpeakingFor(yaml.safe_load(text), names)


def speaking_for(policy: Policy) -> SpeakingFor:
    """The bundled phrases said in the names of ``policy``'s institution (built once each)."""
    return _speaking_for(policy.institution_names)


def default_speaking_for() -> SpeakingFor:
    """The phrases in the names of the default policy's institution."""
    return speaking_for(load_policy())


@dataclass(frozen=True, slots=True)
class DraftFinding:
    """One thing to change (or consider) before publishing.

    Attributes:
        clause: the directive's clause (``6.1``, ``6.3, 6.4 d``, ``6.4 a``...).
        topic: ``mandate``, ``criticism`` or a 6.4 category slug.
        severity: ``must_change`` (the policy would take it down, or no mandate),
            ``review`` (the policy would hold it for review), ``advice``.
        explanation: what was found, in words (never the whole draft).
        suggestion: what to change, ``{"fr": ..., "en": ...}``.
        span: ``(start, end)`` in the draft, when the finding has one.
        score: the evidence behind it, in [0, 1].
    """

    clause: str
    topic: str
    severity: Severity
    explanation: str
    suggestion: dict[str, str]
    span: tuple[int, int] | None = None
    score: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (pure)."""
        return {"clause": self.clause, "topic": self.topic, "severity": self.severity,
                "explanation": self.explanation, "suggestion": dict(self.suggestion),
                "span": list(self.span) if self.span else None, "score": round(self.score, 4)}


@dataclass(frozen=True)
class DraftReport:
    """The outcome of a pre-publication check.

    Attributes:
        speaker: who would publish it (account or person, as given).
        mandate: whether they may speak in the institution's name, and why.
        findings: what to change, most serious first.
        policy: ``{"id", "version", "digest"}`` of the policy applied.
    """

    speaker: str
    mandate: MandateCheck
    findings: tuple[DraftFinding, ...] = field(default_factory=tuple)
    policy: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Nothing must change before publishing (advice and review notes aside)."""
        return not any(f.severity == "must_change" for f in self.findings)

    @property
    def clauses(self) -> tuple[str, ...]:
        """The clauses cited, in order of first appearance."""
        return tuple(dict.fromkeys(f.clause for f in self.findings))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (pure)."""
        return {"ok": self.ok, "speaker": self.speaker,
                "mandated": self.mandate.mandated, "mandate": self.mandate.reason,
                "clauses": list(self.clauses),
                "findings": [f.to_dict() for f in self.findings], "policy": dict(self.policy)}


def _suggestion(slug: str, evidence: Sequence[Finding]) -> dict[str, str]:
    for finding in evidence:
        best = max((p for p in _SUGGEST_SIGNAL if finding.signal.startswith(p)), key=len,
                   default=None)
        if best is not None:
            fr, en = _SUGGEST_SIGNAL[best]
            return {"fr": fr, "en": en}
    fr, en = _SUGGEST_CATEGORY.get(slug, ("Modifiez le passage signalé.",
                                          "Change the passage flagged."))
    return {"fr": fr, "en": en}


_ORDER = {"must_change": 0, "review": 1, "advice": 2}


class DraftChecker:
    """Checks drafts with the moderation pipeline, the mandate rule and the tone detector."""

    def __init__(self, pipeline: Any, book: MandateBook, *,
                 speaking: SpeakingFor | None = None,
                 clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)) -> None:
        """Build a checker.

        Args:
            pipeline: a :class:`vigie.pipeline.Pipeline` (its policy is the one applied).
            book: who may speak in the institution's name; its pages are the institution's
                own for the pipeline's link detectors.
            speaking: the phrases that speak in its name (default: :func:`speaking_for` the
                pipeline's policy).
            clock: "now", for mandate expiry and the draft's timestamp.
        """
        self.pipeline = pipeline
        self.policy = pipeline.policy
        self.book = book
        if isinstance(pipeline, KnowsOwnPages):  # a link to a registered page is not spam
            pipeline.know_own_pages(page_prefixes_of(e.url for e in book.entries))
        self.speaking = speaking or speaking_for(self.policy)
        self.clock = clock

    def _mandate_findings(self, text: str, speaker: str, check: MandateCheck
                          ) -> list[DraftFinding]:
        if check.mandated:
            return []
        norm = normalize(text)
        found = self.speaking.find(norm.text)
        if not found:
            return []
        _, start, end = found[0]
        span = norm.to_original(start, end)
        phrase = text[span[0]:span[1]]
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        fr, en = _MANDATE
        return [DraftFinding(
            "6.1", "mandate", "must_change",
            f"speaks in the institution's name ('{phrase[:60]}'){more}, but {speaker!r} is "
            f"{check.reason}", {"fr": fr, "en": en}, span)]

    def check(self, text: str, speaker: str, *, platform: str = "facebook") -> DraftReport:
        """Check one draft.

        Args:
            text: the draft.
            speaker: the account or person who would publish it (``@polymtl``,
                ``x:polymtl``, a page URL, an e-mail address).
            platform: where it would be published.

        Raises:
            VigieError: the draft is empty.
        """
        if not text.strip():
            raise VigieError("the draft is empty")
        now = self.clock()
        mandate = self.book.check(speaker, now)
        comment = parse_comment({
            "id": "draft", "platform": platform, "text": text, "created_at": now.isoformat(),
            "author": {"id": f"draft:{speaker}", "name": speaker},
        })
        [analysis] = self.pipeline.analyse([comment])
        decision = decide(self.policy, comment, analysis.findings, analysis.failures)
        findings = self._mandate_findings(text, speaker, mandate)
        for verdict in decision.categories:
            if verdict.slug in _NOT_FOR_DRAFTS:
                continue
            rule = self.policy.category(verdict.slug)
            clause = "6.3, " + verdict.clause if verdict.slug == "confidential" else verdict.clause
            why = "; ".join(f.explanation for f in verdict.evidence[:2])
            first = next((f.span for f in verdict.evidence if f.span is not None), None)
            findings.append(DraftFinding(
                clause, verdict.slug,
                "must_change" if verdict.action in REMOVING_ACTIONS else "review",
                f"{rule.label.en}: {why}", _suggestion(verdict.slug, verdict.evidence), first,
                verdict.score))
        for rule in self.policy.escalations:
            if rule.slug not in decision.escalations:
                continue
            evidence = [f for f in analysis.findings if f.score >= rule.threshold
                        and any(fnmatch.fnmatchcase(f.signal, p) for p in rule.signals)]
            best = max(evidence, key=lambda f: f.score, default=None)
            fr, en = _CRITICISM
            findings.append(DraftFinding(
                rule.clause, rule.slug, "advice",
                f"{rule.label.en}: {best.explanation if best else 'negative information'}",
                {"fr": fr, "en": en}, best.span if best else None,
                best.score if best else rule.threshold))
        for failure in analysis.failures:
            findings.append(DraftFinding(
                "—", "detector_failure", "review",
                f"a check could not run ({failure.detector}); have someone read the draft",
                {"fr": "Faites relire le brouillon.", "en": "Have the draft read by someone."}))
        findings.sort(key=lambda f: (_ORDER[f.severity], f.span[0] if f.span else 0))
        return DraftReport(speaker, mandate, tuple(findings), dict(decision.policy))
