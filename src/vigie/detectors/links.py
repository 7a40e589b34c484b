"""Link detector (directive 6.4 k): links not directly related to the post.

A link is related when it points to the institution's own domains, to a domain the post itself
links to, or when its path shares several words with the post (an article on the same
subject). Anything else is evidence of an unrelated link; a defanged link
("hxxps://site[.]com") or a URL shortener hides its target and is stronger evidence.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict

from vigie.detectors.base import DetectorInfo
from vigie.findings import Finding
from vigie.policy import Policy
from vigie.prepare import PreparedComment
from vigie.registry import parse_options
from vigie.urls import UrlRef, registered_domain

__all__ = ["LinkDetector", "LinkOptions"]

NAME = "vigie.links.v1"
SIGNALS = ("link.unrelated",)

_SHORTENERS = frozenset(
    "bit.ly tinyurl.com t.co goo.gl ow.ly is.gd buff.ly rebrand.ly cutt.ly shorturl.at "
    "tiny.cc rb.gy t.ly s.id lnkd.in".split()
)
_WORD = re.compile(r"[a-z]{4,}")


class LinkOptions(BaseModel):
    """Options, from the policy's ``detectors.vigie.links.v1`` mapping."""

    model_config = ConfigDict(extra="forbid")
    institution_domains: tuple[str, ...] = ()


class LinkDetector:
    """Emits ``link.unrelated`` for each link that the post does not account for."""

    info = DetectorInfo(NAME, provides=SIGNALS, cost=1)

    def __init__(self, options: LinkOptions) -> None:
        self.institution = frozenset(registered_domain(d) for d in options.institution_domains)

    def _judge(self, url: UrlRef, item: PreparedComment, post_domains: frozenset[str],
               post_words: frozenset[str]) -> Finding | None:
        domain = registered_domain(url.host)
        if domain in self.institution or domain in post_domains:
            return None
        path_words = set(_WORD.findall(url.url.lower().split(url.host, 1)[-1]))
        if len(path_words & post_words) >= 2:
            return None
        if url.defanged:
            score, why = 0.95, f"defanged link to {url.host}, disguised from filters"
        elif url.host in _SHORTENERS:
            score, why = 0.75, f"shortened link ({url.host}) hides its target"
        else:
            score, why = 0.6, f"link to {domain}, a site the post does not refer to"
        return Finding("link.unrelated", score, NAME, why, url.span, {"host": url.host})

    def detect(
        self, batch: Sequence[PreparedComment], prior: Sequence[Sequence[Finding]]
    ) -> list[list[Finding]]:
        """Return one ``link.unrelated`` finding per unrelated link."""
        out: list[list[Finding]] = []
        for item in batch:
            if not item.urls:
                out.append([])
                continue
            post_domains = frozenset(registered_domain(u.host) for u in item.post_urls)
            post_words = frozenset(_WORD.findall(item.post_norm.text))
            found = [self._judge(u, item, post_domains, post_words) for u in item.urls]
            out.append([f for f in found if f is not None])
        return out


def create(options: Mapping[str, Any], policy: Policy) -> LinkDetector:
    """Factory for the registry."""
    return LinkDetector(parse_options(LinkOptions, NAME, options))
