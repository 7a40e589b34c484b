"""What a learned detector must not read: recognised data and the institution's own links.

A phone number, an IBAN or a key that a recognizer already named is no spam cue, and neither is
a link to the institution's own pages or a published help line ("Jeunesse, J'écoute : 1 800
668-6868, c'est gratuit" is no free-offer ad); a bare reaction ("Subscribed", "Bravo!") says
nothing a bag of words or a sentence model can judge. Shared by ``vigie.ml.linear.v1`` and
``vigie.judge.v1`` so that both read comments the same way. Pure functions.
"""

from __future__ import annotations

import fnmatch
from bisect import bisect_left
from collections.abc import Sequence

import phonenumbers

from vigie.detectors.privacy import NAME as PRIVACY_NAME
from vigie.detectors.privacy import public_numbers
from vigie.findings import Finding
from vigie.policy import Policy
from vigie.text.context_words import tokens, word_lists
from vigie.text.prepare import PreparedComment
from vigie.text.urls import page_prefixes

__all__ = ["OwnLinks", "blank", "blank_folded", "is_reaction", "masked_spans", "own_links"]


class OwnLinks:
    """What is the institution's or the public's: own domains, pages and numbers.

    The domains and pages are the policy's ``vigie.links.v1`` lists, and the pages of the
    registry where a store gives them (:meth:`know_own_pages`); the numbers (E.164) are
    the institution's published lines and the help and crisis lines
    (``data/privacy/public_lines.txt``): nobody's comment is selling them.
    """

    def __init__(self, patterns: Sequence[str] = (), numbers: frozenset[str] = frozenset(),
                 region: str = "CA") -> None:
        self.policy_patterns = page_prefixes(patterns)
        self.patterns = self.policy_patterns
        self.numbers = numbers
        self.region = region

    def know_own_pages(self, pages: Sequence[str]) -> None:
        """Own pages besides the policy's (the page registry); replaces the previous ones."""
        self.patterns = page_prefixes((*self.policy_patterns, *pages))

    def public_number_spans(self, text: str) -> list[tuple[int, int]]:
        """Spans of the public numbers in ``text`` ("Jeunesse, J'écoute : 1 800 668-6868")."""
        if not self.numbers or sum(c.isdigit() for c in text) < 7:
            return []
        return [(m.start, m.end) for m in phonenumbers.PhoneNumberMatcher(text, self.region)
                if phonenumbers.format_number(m.number, phonenumbers.PhoneNumberFormat.E164)
                in self.numbers]

    def __contains__(self, url: object) -> bool:
        rest = str(url).split("://", 1)[-1].lower().removeprefix("www.").removeprefix("m.")
        host = rest.split("/", 1)[0]
        return any(host == p or host.endswith("." + p) or rest == p or rest.startswith(p + "/")
                   for p in self.patterns)


def own_links(policy: Policy | None) -> OwnLinks:
    """The own links and numbers of the policy (one list for every detector).

    Links: the ``vigie.links.v1`` options; numbers: the privacy detector's ``public_numbers``
    and the help lines.
    """
    links = (policy.detectors.get("vigie.links.v1") or {}) if policy is not None else {}
    own = (*links.get("institution_domains", ()), *links.get("institution_pages", ()))
    privacy = (policy.detectors.get(PRIVACY_NAME) or {}) if policy is not None else {}
    region = str(privacy.get("region", "CA"))
    return OwnLinks(tuple(map(str, own)),
                    public_numbers(tuple(map(str, privacy.get("public_numbers", ()))), region),
                    region)


def is_reaction(item: PreparedComment) -> bool:
    """Whether the comment is made only of reactions and stop words ("Subscribed ✅")."""
    words = tokens(item.norm.text)
    lists = word_lists()
    return bool(words) and all(w in lists.reactions or w in lists.stopwords for w in words)


def masked_spans(item: PreparedComment, prior: Sequence[Finding], patterns: Sequence[str],
                 own: OwnLinks) -> list[tuple[int, int]]:
    """Spans (in the original text) to hide: third-party data named by ``patterns``, own links.

    A finding that says the data is an organisation's, the writer's own or of unknown owner stays
    visible: a business's WhatsApp line is a spam cue.
    """
    spans = [f.span for f in prior if f.span is not None
             and f.data.get("owner", "third") == "third"
             and any(fnmatch.fnmatchcase(f.signal, p) for p in patterns)]
    spans.extend(u.span for u in item.urls if u.url in own)
    spans.extend(own.public_number_spans(item.text))
    return spans


def blank(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """``text`` with each span replaced by spaces (same length, so offsets hold)."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (min(end, len(chars)) - start)
    return "".join(chars)


def blank_folded(item: PreparedComment, spans: Sequence[tuple[int, int]]) -> str:
    """The folded text with the original-text ``spans`` blanked, through the fold's offsets."""
    offsets = item.norm.offsets
    chars = list(item.norm.text)
    for start, end in spans:
        lo, hi = bisect_left(offsets, start), bisect_left(offsets, end)
        chars[lo:hi] = " " * (hi - lo)
    return "".join(chars)
