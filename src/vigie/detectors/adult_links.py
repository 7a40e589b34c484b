"""Adult-link detector (directive 6.4 e): links to pornography and explicit link previews.

Two kinds of evidence, from data the comment already carries (nothing is fetched):

* ``sexual.link_adult`` — a link in the text, or an attachment's URL (a link preview, an
  image hosted on an adult site), whose host is a known adult domain or one of its subdomains
  (``vigie/data/links/adult_domains.txt``), or lies under an adult top-level domain
  (``.xxx``, ``.porn``, ``.sex``, ``.adult``);
* ``sexual.preview_explicit`` — the title or description of a link preview, as the connector
  gives it, contains explicit sexual terms of the curated lexicon (``sexual.tsv``, read through
  :func:`vigie.text.lexicon.load_lexicon`, with its allow-list and context rules).

The 6.4 k link detector (:mod:`vigie.detectors.links`) already calls a link to an adult site
unrelated promotion; this one says it is pornographic material, a different clause. A link
quoted in a warning to other readers ("attention, lien piégé vers un site porno, signalez-le")
is shaded to review level, with the warning words of the link detector's data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field

from vigie.detectors.base import DetectorInfo, parse_options
from vigie.detectors.links import load_domain_lists
from vigie.findings import Finding
from vigie.policy import Policy
from vigie.text.lexicon import Lexicon, load_lexicon
from vigie.text.normalize import normalize
from vigie.text.prepare import PreparedComment

__all__ = ["SIGNALS", "AdultDomains", "AdultLinkDetector", "AdultLinkOptions",
           "load_adult_domains"]

NAME = "vigie.links.adult.v1"
SIGNALS = ("sexual.link_adult", "sexual.preview_explicit")

# Probability that a link of this kind, posted on an official page, is pornographic material
# (the list holds only sites whose main purpose is pornography; creator platforms and erotic
# writing also host non-explicit pages).
_KIND_SCORES = {"tube": 0.95, "studio": 0.95, "cam": 0.95, "images": 0.95, "drawn": 0.9,
                "tld": 0.9, "escort": 0.9, "creator": 0.9, "stories": 0.8}
_KIND_WORDS = {"tube": "pornographic video site", "studio": "pornographic studio",
               "cam": "sex webcam site", "images": "explicit image host",
               "drawn": "explicit drawings site", "tld": "adult top-level domain",
               "escort": "sex-work listings site", "creator": "adult creator platform",
               "stories": "erotic stories site"}
# A warned link keeps this share of its score (0.95 → 0.57: held for review, not removed).
_WARNING_FACTOR = 0.6
_LEXICON_FILES = ("sexual.tsv", "allow.tsv")


@dataclass(frozen=True, slots=True)
class AdultDomains:
    """The adult-domain list: registered domains and top-level domains, with their kind."""

    domains: dict[str, str]
    tlds: dict[str, str]
    reviewed: str

    def kind_of(self, host: str) -> str | None:
        """The kind of ``host`` if it is, or is under, a listed domain (pure)."""
        labels = host.lower().strip(".").removeprefix("www.").split(".")
        for i in range(len(labels) - 1):
            kind = self.domains.get(".".join(labels[i:]))
            if kind is not None:
                return kind
        return self.tlds.get(labels[-1]) if len(labels) >= 2 else None


def parse_adult_domains(text: str) -> AdultDomains:
    """Parse the data file's text (pure).

    Raises:
        ValueError: a line is not ``domain<TAB>kind`` or names an unknown kind.
    """
    domains: dict[str, str] = {}
    tlds: dict[str, str] = {}
    reviewed = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith("# Reviewed:"):
            reviewed = line.split(":", 1)[1].strip().rstrip(".")
        if not line or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 2 or parts[1] not in _KIND_SCORES or " " in parts[0]:
            raise ValueError(f"adult_domains.txt line {number}: expected 'domain<TAB>kind' "
                             f"with kind in {sorted(_KIND_SCORES)}, got {raw!r}")
        name, kind = parts[0].lower(), parts[1]
        if name.startswith("."):
            tlds[name[1:]] = kind
        else:
            domains[name.removeprefix("www.")] = kind
    return AdultDomains(domains, tlds, reviewed)


@cache
def load_adult_domains() -> AdultDomains:
    """Load the bundled list (once per process).

    Raises:
        OSError: the data file is missing from the installation.
        ValueError: the data file is malformed.
    """
    path = resources.files("vigie").joinpath("data", "links", "adult_domains.txt")
    return parse_adult_domains(path.read_text(encoding="utf-8"))


class AdultLinkOptions(BaseModel):
    """Options, from the policy's ``detectors.vigie.links.adult.v1`` mapping."""

    model_config = ConfigDict(extra="forbid")
    extra_domains: tuple[str, ...] = Field(
        default=(), description="more adult domains (subdomains match too)")
    allow_domains: tuple[str, ...] = Field(
        default=(), description="listed domains never flagged (with their subdomains)")
    previews: bool = Field(default=True, description="read link previews' title/description")


def _host(url: str) -> str:
    try:
        return (urlsplit(url if "://" in url else "https://" + url).hostname or "").lower()
    except ValueError:
        return ""


class AdultLinkDetector:
    """Emits ``sexual.link_adult`` and ``sexual.preview_explicit``."""

    info = DetectorInfo(NAME, provides=SIGNALS, cost=1)

    def __init__(self, options: AdultLinkOptions, domains: AdultDomains | None = None,
                 lexicon: Lexicon | None = None) -> None:
        """Load the domain list and the sexual lexicon (once per process).

        Raises:
            ValueError: the domain list is malformed.
            LexiconError: the lexicon is malformed.
        """
        base = domains or load_adult_domains()
        merged = dict(base.domains)
        merged.update({d.lower().removeprefix("www."): "tube" for d in options.extra_domains})
        for allowed in options.allow_domains:
            merged.pop(allowed.lower().removeprefix("www."), None)
        self.domains = AdultDomains(merged, dict(base.tlds), base.reviewed)
        self.allowed = AdultDomains({d.lower(): "allow" for d in options.allow_domains}, {}, "")
        self.options = options
        self.lexicon = lexicon or (load_lexicon(_LEXICON_FILES) if options.previews else None)
        lists = load_domain_lists()
        self._warning, self._negation = lists.warning, lists.warning_negation

    def _kind(self, host: str) -> str | None:
        if not host or self.allowed.kind_of(host) is not None:
            return None
        return self.domains.kind_of(host)

    def _warned(self, item: PreparedComment) -> bool:
        text = item.norm.text
        return self._warning.search(text) is not None and self._negation.search(text) is None

    def detect(
        self, batch: Sequence[PreparedComment], prior: Sequence[Sequence[Finding]]
    ) -> list[list[Finding]]:
        """Return adult-link and explicit-preview findings for each comment."""
        return [self._findings(item) if item.urls or item.comment.attachments else []
                for item in batch]

    def _findings(self, item: PreparedComment) -> list[Finding]:
        found: list[Finding] = []
        # (host, span, where) for every link of the text and every attachment URL.
        links: list[tuple[str, tuple[int, int] | None, str]] = [
            (u.host, u.span, "link") for u in item.urls]
        for number, attachment in enumerate(item.comment.attachments, start=1):
            if attachment.url:
                links.append((_host(attachment.url), None, f"attachment {number}"))
        seen: set[str] = set()
        warned: bool | None = None
        for host, span, where in links:
            kind = self._kind(host)
            if kind is None or host in seen:
                continue
            seen.add(host)
            if warned is None:
                warned = self._warned(item)
            score = _KIND_SCORES[kind] * (_WARNING_FACTOR if warned else 1.0)
            why = f"{where} to {host}, a known {_KIND_WORDS[kind]}"
            if warned:
                why += "; quoted in a warning to other readers"
            found.append(Finding("sexual.link_adult", round(score, 4), NAME, why, span,
                                 {"host": host, "kind": kind, "warning": warned,
                                  "list_reviewed": self.domains.reviewed}))
        if self.lexicon is not None:
            for number, attachment in enumerate(item.comment.attachments, start=1):
                preview = self._preview(number, attachment.title, attachment.description)
                if preview is not None:
                    found.append(preview)
        return found

    def _preview(self, number: int, title: str | None, description: str | None
                 ) -> Finding | None:
        text = " — ".join(t for t in (title, description) if t)
        if not text.strip() or self.lexicon is None:
            return None
        matches = [m for m in self.lexicon.match(normalize(text).words, text)
                   if m.entry.signal == "sexual.explicit"]
        if not matches:
            return None
        entries = {m.entry.id: m for m in matches}
        miss = 1.0
        for match in entries.values():
            miss *= 1.0 - match.entry.score
        score = 1.0 - miss
        if all(m.entry.severity not in ("high", "medium") for m in entries.values()):
            score = min(score, self.lexicon.manifest.weak_cap)
        forms = ", ".join(f"'{m.form}'" for m in list(entries.values())[:3])
        return Finding(
            "sexual.preview_explicit", round(score, 4), NAME,
            f"link preview of attachment {number} (title or description) has explicit "
            f"sexual terms: {forms}", None,
            {"attachment": number, "terms": [m.form for m in entries.values()],
             "lexicon": self.lexicon.version})


def create(options: Mapping[str, Any], policy: Policy) -> AdultLinkDetector:
    """Factory for the registry."""
    return AdultLinkDetector(parse_options(AdultLinkOptions, NAME, options))
