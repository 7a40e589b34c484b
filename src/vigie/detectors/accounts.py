"""Account signals (directive 6.4 i): anonymous or automated accounts, posts made for others.

"Messages qui ne sont pas envoyés par leur auteur ou affichés par des comptes anonymes ou
automatisés" cannot be judged from the text: it needs the account. Commercial tools judge
accounts by age, photo and follower count, one at a time; a new student with no photo yet is
then treated like a bot farm. Here each account trait is *weak* evidence on its own (scores
below 0.5, so the policy can never act on one of them), and one combined
``account.inauthentic`` finding rises with the number and strength of the traits present and
lists them all in its explanation, so the reviewer sees *why*:

- weak: account young at the time of the comment, default avatar, generated-looking handle,
  hardly any follower, a busy posting rate;
- strong: 80+ posts in 24 h, posting through an automation client (IFTTT, dlvr.it, Buffer...).

``authorship.on_behalf`` is separate: the text itself says it is posted for someone else
("je publie pour ma fille", "posting on behalf of my son").

Account age is measured between the comment's own ``created_at`` and the account's, never
against the wall clock, so decisions replay identically.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from vigie.detectors.base import DetectorInfo, parse_options
from vigie.findings import Finding
from vigie.policy import Policy
from vigie.records import Author
from vigie.text.prepare import PreparedComment

__all__ = [
    "AccountOptions",
    "AccountTrait",
    "AccountsDetector",
    "automation_client",
    "generated_handle",
    "on_behalf",
]

NAME = "vigie.accounts.signals.v1"
SIGNALS = (
    "account.new",
    "account.default_avatar",
    "account.generated_handle",
    "account.few_followers",
    "account.high_rate",
    "account.automation_client",
    "account.inauthentic",
    "authorship.on_behalf",
)

# Weak traits never exceed this score on their own (the policy's review floor is 0.5).
_WEAK_CAP = 0.45


class AccountOptions(BaseModel):
    """Options, from the policy's ``detectors.vigie.accounts.signals.v1`` mapping."""

    model_config = ConfigDict(extra="forbid")
    brand_new_days: float = Field(7.0, gt=0, description="account younger than this: brand new")
    new_days: float = Field(30.0, gt=0, description="account younger than this: new")
    high_rate: int = Field(80, ge=1, description="posts in 24 h that are strong evidence")
    busy_rate: int = Field(30, ge=1, description="posts in 24 h that are weak evidence")
    few_followers: int = Field(5, ge=0, description="at most this many followers: weak evidence")
    trusted_authors: tuple[str, ...] = Field(
        (), description="author ids never judged (the institution's own accounts)"
    )
    extra_automation_clients: dict[str, float] = Field(
        default_factory=dict, description="more automation clients: folded name -> score"
    )


@dataclass(frozen=True, slots=True)
class AccountTrait:
    """One trait of an account, as evidence.

    Attributes:
        signal: the signal it is emitted as.
        weight: its contribution in [0, 1] to the combined score.
        reason: a short phrase for the explanation.
        strong: whether it is enough on its own to be acted on.
    """

    signal: str
    weight: float
    reason: str
    strong: bool = False


# -- handles ------------------------------------------------------------------------------

_DEFAULT_HANDLE = re.compile(r"^(?:user|usr|member|account|utilisateur|fb|ig)[._-]?\d{5,}$")
_TRAILING_DIGITS = re.compile(r"(\d+)$")
_SEGMENT = re.compile(r"[._-]")


def generated_handle(handle: str | None) -> tuple[float, str] | None:
    """Judge whether a handle looks machine-generated (pure).

    Real people's handles often end in a birth or graduation year ("diane.r.1989") or an
    area code ("jo.gagne.514"); those are not evidence. Platform default handles
    ("user84736251"), long digit runs and random alphanumeric suffixes are.

    Returns:
        ``(weight, reason)`` with ``weight`` < 0.5, or ``None`` when the handle looks chosen.
    """
    if not handle:
        return None
    h = handle.lower().lstrip("@")
    if _DEFAULT_HANDLE.match(h):
        return 0.4, "platform default handle (word + digits)"
    last = _SEGMENT.split(h)[-1]
    digits = _TRAILING_DIGITS.search(h)
    run = digits.group(1) if digits else ""
    if len(run) >= 5:
        return 0.35, f"handle ends in a {len(run)}-digit number"
    letters_in_last = sum(c.isalpha() for c in last)
    digits_in_last = sum(c.isdigit() for c in last)
    if len(last) >= 7 and letters_in_last >= 2 and digits_in_last >= 3 and last != h:
        return 0.3, "handle ends in a random-looking code"
    if len(run) == 4 and not 1940 <= int(run) <= 2035:
        return 0.25, "handle ends in a 4-digit number that is not a year"
    return None


# -- posting clients ----------------------------------------------------------------------


@cache
def _automation_table() -> tuple[tuple[str, str, float], ...]:
    path = resources.files("vigie").joinpath("data/accounts/automation_clients.tsv")
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, kind, score = line.split("\t")
        rows.append((name.strip().lower(), kind.strip(), float(score)))
    return tuple(rows)


def _word_in(phrase: str, text: str) -> bool:
    return re.search(rf"(?<![a-z0-9]){re.escape(phrase)}(?![a-z0-9])", text) is not None


def automation_client(
    via: str | None, extra: Mapping[str, float] | None = None
) -> tuple[float, str] | None:
    """Return ``(score, kind)`` when ``via`` names an automation client, else ``None`` (pure).

    Args:
        via: the client the platform says posted the comment ("Facebook for Android", "IFTTT").
        extra: more clients (folded name -> score), from the policy.
    """
    if not via:
        return None
    folded = via.strip().lower()
    best: tuple[float, str] | None = None
    for name, kind, score in _automation_table():
        if _word_in(name, folded) and (best is None or score > best[0]):
            best = (score, kind)
    for name, score in (extra or {}).items():
        if _word_in(name.lower(), folded) and (best is None or score > best[0]):
            best = (score, "listed by the policy")
    return best


# -- posting on someone else's behalf ------------------------------------------------------

_KIN_FR = (
    r"(?:fils|fille|enfant|mere|pere|maman|papa|ami|amie|chum|blonde|conjoint|conjointe|femme|"
    r"mari|coloc|colocataire|frere|soeur|cousin|cousine|grand-mere|grand-pere|voisin|voisine|"
    r"client|cliente|patron|patronne|collegue|neveu|niece|oncle|tante)"
)
_KIN_EN = (
    r"(?:son|daughter|kid|child|mom|mother|dad|father|friend|buddy|wife|husband|partner|"
    r"girlfriend|boyfriend|roommate|brother|sister|cousin|grandma|grandmother|grandpa|"
    r"grandfather|neighbou?r|client|boss|colleague|coworker|nephew|niece|uncle|aunt)"
)
_ON_BEHALF = tuple(
    re.compile(p)
    for p in (
        # "je publie (ceci) pour / au nom de / de la part de ma fille"
        rf"\bj(?:e |')\s*(?:publie|poste|ecris|commente|partage|mets)\s+(?:ceci\s+|ce message\s+|"
        rf"ce commentaire\s+|ca\s+)?(?:pour|au nom d(?:e|u)|de la part d(?:e|u))\s+"
        rf"(?:mon|ma|mes|un|une|notre)\s+(?:\w+\s+)?{_KIN_FR}\b",
        rf"\b(?:message|commentaire|texte)\s+(?:publie|envoye|ecrit|poste)\s+"
        rf"(?:pour|au nom d(?:e|u)|de la part d(?:e|u))\s+(?:mon|ma|mes|un|une)\s+(?:\w+\s+)?"
        rf"{_KIN_FR}\b",
        rf"\b(?:mon|ma)\s+{_KIN_FR}\s+m'a\s+demande\s+de\s+(?:publier|poster|ecrire|partager)",
        rf"\bj'utilise\s+(?:le\s+)?compte\s+de\s+(?:mon|ma)\s+{_KIN_FR}\b",
        rf"\b(?:c'est|cest)\s+(?:mon|ma)\s+{_KIN_FR}\s+qui\s+(?:ecrit|a ecrit)\b",
        r"\b(?:posting|writing|commenting|sharing this|sharing)\s+on\s+behalf\s+of\b",
        rf"\b(?:posting|writing|commenting)\s+(?:this\s+)?for\s+(?:my|a)\s+(?:\w+\s+)?{_KIN_EN}\b",
        rf"\bmy\s+{_KIN_EN}\s+asked\s+me\s+to\s+(?:post|write|share|comment)",
        rf"\b(?:using|on)\s+my\s+{_KIN_EN}(?:'s|s)\s+account\b",
        rf"\bthis\s+is\s+my\s+{_KIN_EN}\s+writing\b",
    )
)


def on_behalf(folded: str) -> tuple[int, int] | None:
    """Find a statement that the comment is posted for someone else (pure).

    Args:
        folded: the folded comment text (:func:`vigie.text.normalize.normalize`).

    Returns:
        The ``(start, end)`` span in ``folded``, or ``None``. "Asking for my wife" is not a
        match: the author still wrote the comment.
    """
    for pattern in _ON_BEHALF:
        match = pattern.search(folded)
        if match:
            return match.start(), match.end()
    return None


# -- the detector ------------------------------------------------------------------------


def _rate_weight(rate: int, high: int) -> float:
    # 80/24 h -> 0.8, doubling the rate adds 0.1, capped at 0.95.
    return min(0.95, 0.8 + 0.1 * math.log2(rate / high))


class AccountsDetector:
    """Emits per-trait account findings and one combined ``account.inauthentic`` finding."""

    info = DetectorInfo(NAME, provides=SIGNALS, cost=1)

    def __init__(self, options: AccountOptions) -> None:
        self.options = options
        self._trusted = frozenset(options.trusted_authors)
        self._extra = {k.lower(): v for k, v in options.extra_automation_clients.items()}
        _automation_table()  # load the data file now, not on the first comment
        # A few client names cover nearly every comment: judge each name once.
        self._clients: dict[str, tuple[float, str] | None] = {}

    def _client(self, via: str | None) -> tuple[float, str] | None:
        if not via:
            return None
        if via not in self._clients:
            if len(self._clients) >= 4096:
                self._clients.clear()
            self._clients[via] = automation_client(via, self._extra)
        return self._clients[via]

    def traits(self, item: PreparedComment) -> list[AccountTrait]:
        """Return the account traits present for ``item`` (pure)."""
        comment = item.comment
        author: Author = comment.author
        opts = self.options
        out: list[AccountTrait] = []
        if not author.verified:
            if author.created_at is not None and author.created_at <= comment.created_at:
                days = (comment.created_at - author.created_at).total_seconds() / 86400
                age = f"account {int(days)} day(s) old when it commented"
                if days < opts.brand_new_days:
                    out.append(AccountTrait("account.new", 0.45, age))
                elif days < opts.new_days:
                    out.append(AccountTrait("account.new", 0.35, age))
            if author.default_avatar:
                out.append(AccountTrait("account.default_avatar", 0.3, "no profile photo"))
            handle = generated_handle(author.handle)
            if handle is not None:
                out.append(AccountTrait("account.generated_handle", handle[0],
                                        f"{handle[1]} ('{author.handle}')"))
            if author.followers is not None and author.followers <= opts.few_followers:
                out.append(AccountTrait("account.few_followers", 0.15,
                                        f"{author.followers} follower(s)"))
        # The platform's count, or what this stream saw, whichever is larger.
        rate = max(author.posts_last_24h or 0, item.author_posts)
        if rate >= opts.high_rate:
            out.append(AccountTrait("account.high_rate", _rate_weight(rate, opts.high_rate),
                                    f"{rate} posts in 24 h", strong=True))
        elif rate >= opts.busy_rate and not author.verified:
            out.append(AccountTrait("account.high_rate", 0.25, f"{rate} posts in 24 h"))
        client = self._client(author.via)
        if client is not None:
            out.append(AccountTrait("account.automation_client", client[0],
                                    f"posted through {author.via} ({client[1]})", strong=True))
        return out

    def _findings(self, item: PreparedComment) -> list[Finding]:
        if item.comment.author.id in self._trusted:
            return []
        out: list[Finding] = []
        traits = self.traits(item)
        for trait in traits:
            score = trait.weight if trait.strong else min(trait.weight, _WEAK_CAP)
            out.append(Finding(trait.signal, round(score, 4), NAME, trait.reason))
        if traits:
            # Noisy-or: each trait is independent evidence; one weak trait stays below 0.5.
            remaining = 1.0
            for trait in traits:
                remaining *= 1.0 - trait.weight
            combined = 1.0 - remaining
            if len(traits) == 1 and not traits[0].strong:
                combined = min(combined, _WEAK_CAP)
            ranked = sorted(traits, key=lambda t: -t.weight)
            listed = "; ".join(t.reason for t in ranked)
            kind = "automated or inauthentic-looking account" if any(
                t.strong for t in traits) else "account traits"
            out.append(Finding(
                "account.inauthentic", round(min(combined, 0.99), 4), NAME,
                f"{kind}: {listed}",
                data={"traits": [t.signal for t in ranked]},
            ))
        span = on_behalf(item.norm.text)
        if span is not None:
            out.append(Finding(
                "authorship.on_behalf", 0.75, NAME,
                "says it is posted on someone else's behalf",
                span=item.norm.to_original(*span),
            ))
        return out

    def detect(
        self, batch: Sequence[PreparedComment], prior: Sequence[Sequence[Finding]]
    ) -> list[list[Finding]]:
        """Return the account findings of each comment."""
        return [self._findings(item) for item in batch]


def create(options: Mapping[str, Any], policy: Policy) -> AccountsDetector:
    """Factory for the registry."""
    return AccountsDetector(parse_options(AccountOptions, NAME, options))
