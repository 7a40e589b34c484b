"""Link detector (directive 6.4 k): links not directly related to the post.

A link is related when it points to the institution's own domains or pages (the policy's
lists, and the page registry's where a store gives it: :meth:`LinkDetector.know_own_pages`),
to a domain the post itself links to, or when its path names the post's subject (an article
on the same story). A link to a news, science or public-information site needs only one word
of the post's subject: that is the typical "related article". Anything else is evidence of an
unrelated link, graded by what the link hides or announces:

* a look-alike of the institution's domain (``po1ymtl-ca.com``) is phishing (``link.lookalike``);
* a defanged link (``hxxps://site[.]com``) or a shortener hides its target;
* a domain named for adult, dating, gambling, crypto or audience-selling business;
* an ordinary unknown domain is weak evidence on its own: the spam detector reads it as a
  corroborating cue, next to a sales pitch.

A commenter who quotes a link to warn others ("c'est de l'hameçonnage, signalez") is not
promoting it: the link's score is shaded down.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from vigie.detectors.base import DetectorInfo, parse_options
from vigie.findings import Finding
from vigie.policy import Policy
from vigie.text.lookalike import LookalikeKind, find_lookalike
from vigie.text.normalize import normalize
from vigie.text.prepare import PreparedComment
from vigie.text.urls import UrlRef, page_prefixes, registered_domain

__all__ = ["DomainLists", "LinkDetector", "LinkOptions", "load_domain_lists"]

NAME = "vigie.links.v1"
SIGNALS = ("link.unrelated", "link.lookalike")

_WORD = re.compile(r"[a-z]{4,}")
# Paths that ask for credentials or money make a look-alike unambiguous.
_CREDENTIAL_PATH = re.compile(
    r"login|log-in|signin|sign-in|connexion|verify|verif|valid|secure|account|compte|password|"
    r"passe|mfa|2fa|paiement|payment|pay|billing|facture|bourse|admission|inscription|reclam"
)
# Score of each kind of evidence: the probability, on commented official posts, that a link of
# this kind is unrelated promotion. Calibrated on hand-built examples, then checked on dev.
_SCORES = {
    "lookalike": 0.95,
    "lookalike_embedded": 0.8,
    "defanged": 0.9,
    "shortener": 0.55,
    "domain_word": 0.85,
    "domain_word_commercial": 0.6,
    "unknown": 0.45,
    "unknown_one_word": 0.3,
    "reference": 0.2,
}
_HOW = {
    LookalikeKind.CONFUSABLE: "with look-alike characters",
    LookalikeKind.EDITED: "with one letter changed",
    LookalikeKind.EMBEDDED: "inside another domain, with a login or payment path",
}
# A link quoted in a warning keeps this share of its score.
_WARNING_FACTOR = 0.35
_STEM = 5


@dataclass(frozen=True, slots=True)
class DomainLists:
    """The link detector's data (``vigie/data/links/domains.yaml``)."""

    reviewed: str
    shorteners: frozenset[str]
    reference: dict[str, str]  # domain -> kind (news, science, public, academic)
    reference_suffixes: tuple[str, ...]
    substring_words: dict[str, str]  # word -> business (adult, crypto...)
    token_words: dict[str, str]
    path_stopwords: frozenset[str]
    warning: re.Pattern[str]
    warning_negation: re.Pattern[str]


def _alternation(phrases: Sequence[str]) -> re.Pattern[str]:
    folded = sorted({normalize(p).text for p in phrases}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(p) for p in folded) + r")(?!\w)")


@cache
def load_domain_lists() -> DomainLists:
    """Load the bundled domain lists (read once per process).

    Raises:
        OSError: the data file is missing from the installation.
        yaml.YAMLError: the data file is malformed.
    """
    path = resources.files("vigie").joinpath("data", "links", "domains.yaml")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    reference = {
        domain.lower(): kind for kind, domains in data["reference"].items() for domain in domains
    }
    words = data["domain_words"]
    return DomainLists(
        reviewed=str(data["reviewed"]),
        shorteners=frozenset(d.lower() for d in data["shorteners"]),
        reference=reference,
        reference_suffixes=tuple(data["reference_suffixes"]),
        substring_words=dict(words["substring"]),
        token_words=dict(words["token"]),
        path_stopwords=frozenset(data["path_stopwords"]),
        warning=_alternation(data["warning_words"]),
        warning_negation=_alternation(data["warning_negations"]),
    )


class LinkOptions(BaseModel):
    """Options, from the policy's ``detectors.vigie.links.v1`` mapping.

    Attributes:
        institution_domains: the institution's own domains; their subdomains count too.
        institution_pages: the institution's pages on other sites, as ``host/path`` prefixes
            (``youtube.com/@polytechniquemontreal``).
        allow_domains: more domains (subdomains included) whose links are never evidence.
    """

    model_config = ConfigDict(extra="forbid")
    institution_domains: tuple[str, ...] = ()
    institution_pages: tuple[str, ...] = ()
    allow_domains: tuple[str, ...] = Field(
        default=(), description="other domains whose links are never evidence (partners, "
                                "public services, news sites the institution trusts)")


def _stems(text: str, stopwords: frozenset[str]) -> set[str]:
    """Five-letter stems of the words of ``text`` (folded): "décembre" and "december" meet."""
    return {w[:_STEM] for w in _WORD.findall(text) if w not in stopwords}


class LinkDetector:
    """Emits ``link.unrelated`` and ``link.lookalike`` for links the post does not account for."""

    info = DetectorInfo(NAME, provides=SIGNALS, cost=1)

    def __init__(self, options: LinkOptions) -> None:
        self.lists = load_domain_lists()
        self.institution = frozenset(registered_domain(d) for d in options.institution_domains)
        # The registrable labels the institution is known by ("polymtl"), for look-alikes.
        self.names = frozenset(d.split(".")[0] for d in self.institution)
        self.policy_pages = page_prefixes(options.institution_pages)
        self.pages = self.policy_pages
        self.institution_stems = frozenset(n[:_STEM] for n in self.names if len(n) >= _STEM)
        self.allowed = frozenset(registered_domain(d.lower().removeprefix("www."))
                                 for d in options.allow_domains)

    def know_own_pages(self, pages: Sequence[str]) -> None:
        """Pages of the registry (``host/path``), own pages besides the policy's.

        Each call replaces the previous registry pages (see
        :class:`vigie.detectors.base.KnowsOwnPages`).
        """
        self.pages = page_prefixes((*self.policy_pages, *pages))

    def _reference_kind(self, host: str) -> str | None:
        labels = host.split(".")
        for i in range(len(labels) - 1):
            kind = self.lists.reference.get(".".join(labels[i:]))
            if kind is not None:
                return kind
        return next((s for s in self.lists.reference_suffixes if host.endswith("." + s)), None)

    def _domain_word(self, host: str) -> tuple[str, str] | None:
        name = host.rsplit(".", 1)[0]
        for token in re.split(r"[.\-_]", name):
            business = self.lists.token_words.get(token)
            if business is not None:
                return token, business
        squeezed = name.replace("-", "").replace(".", "")
        for word, business in self.lists.substring_words.items():
            if word in squeezed:
                return word, business
        return None

    def _on_institution_page(self, url: UrlRef) -> bool:
        if not self.pages:
            return False
        rest = url.url.split("://", 1)[-1].lower().removeprefix("www.").removeprefix("m.")
        return any(rest == p or rest.startswith(p + "/") or rest.startswith(p + "?")
                   for p in self.pages)

    def _judge(self, url: UrlRef, post_domains: frozenset[str],
               post_stems: frozenset[str]) -> tuple[str, str, float, str] | None:
        """Return ``(signal, kind, score, explanation)`` for one link, or ``None``."""
        host = url.host
        domain = registered_domain(host)
        if domain in self.institution or self._on_institution_page(url):
            return None
        if domain in self.allowed and not url.defanged:
            return None
        path = url.url.lower().split(host, 1)[-1]
        lookalike = find_lookalike(host, self.names)
        if lookalike is not None:
            embedded = lookalike.kind is LookalikeKind.EMBEDDED
            if embedded and not _CREDENTIAL_PATH.search(host + path):
                return ("link.lookalike", "lookalike_embedded", _SCORES["lookalike_embedded"],
                        f"link to {domain}, a domain that borrows the institution's name "
                        f"'{lookalike.name}'")
            how = _HOW[lookalike.kind]
            return ("link.lookalike", "lookalike", _SCORES["lookalike"],
                    f"link to {domain}, imitating the institution's domain '{lookalike.name}' "
                    f"{how}")
        if domain in post_domains:
            return None
        if url.defanged:
            return ("link.unrelated", "defanged", _SCORES["defanged"],
                    f"defanged link to {host}, disguised from filters")
        if host in self.lists.shorteners or domain in self.lists.shorteners:
            return ("link.unrelated", "shortener", _SCORES["shortener"],
                    f"shortened link ({host}) hides its target")
        word = self._domain_word(host)
        if word is not None:
            key = "domain_word_commercial" if word[1] == "commercial" else "domain_word"
            return ("link.unrelated", key, _SCORES[key],
                    f"link to {domain}, a domain named for {word[1]} business ('{word[0]}')")
        shared = len(_stems(normalize(path).text, self.lists.path_stopwords)
                     & (post_stems | self.institution_stems))
        reference = self._reference_kind(host)
        if reference is not None:
            if shared >= 1:
                return None
            return ("link.unrelated", "reference", _SCORES["reference"],
                    f"link to {domain} ({reference} site) on a subject the post does not name")
        if shared >= 2:
            return None
        key = "unknown_one_word" if shared == 1 else "unknown"
        return ("link.unrelated", key, _SCORES[key],
                f"link to {domain}, a site the post does not refer to")

    def _warned(self, item: PreparedComment) -> bool:
        text = item.norm.text
        return (self.lists.warning.search(text) is not None
                and self.lists.warning_negation.search(text) is None)

    def detect(
        self, batch: Sequence[PreparedComment], prior: Sequence[Sequence[Finding]]
    ) -> list[list[Finding]]:
        """Return one finding per unrelated or look-alike link of each comment."""
        out: list[list[Finding]] = []
        for item in batch:
            if not item.urls:
                out.append([])
                continue
            post_domains = frozenset(registered_domain(u.host) for u in item.post_urls)
            post_text = item.post_norm.text + " " + " ".join(
                normalize(u.url.split(u.host, 1)[-1]).text for u in item.post_urls)
            post_stems = frozenset(_stems(post_text, self.lists.path_stopwords))
            warned: bool | None = None
            found = []
            for url in item.urls:
                judged = self._judge(url, post_domains, post_stems)
                if judged is None:
                    continue
                signal, kind, score, why = judged
                if warned is None:
                    warned = self._warned(item)
                if warned:
                    score = round(score * _WARNING_FACTOR, 4)
                    why += "; quoted in a warning to other readers"
                found.append(Finding(signal, score, NAME, why, url.span,
                                     {"host": url.host, "kind": kind, "warning": warned}))
            out.append(found)
        return out


def create(options: Mapping[str, Any], policy: Policy) -> LinkDetector:
    """Factory for the registry."""
    return LinkDetector(parse_options(LinkOptions, NAME, options))
