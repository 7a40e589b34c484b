"""Pages and accounts that use the institution's name but are not in its registry.

Directive 6.1: every page created in the institution's name is registered. An account that
presents itself under the institution's name (or a look-alike of its handle) and is not in the
registry is either an unregistered unit page or an impersonation; both are surfaced for
review, never acted on automatically.

Evidence, per candidate account (display name, handle, bio, URL):

* the display name or the bio uses a sure name of the institution ("Polytechnique
  Montréal", "polymtl") — read by :class:`vigie.monitoring.names.NameMatcher`;
* the handle imitates a registered handle or the institution's names (``po1ymtl``,
  ``polymtl_officiel``) — :func:`vigie.text.lookalike.find_lookalike`;
* it claims to be official ("compte officiel", "official account", "admissions", "bourses");
* it says it is not ("fan page", "non officiel", "étudiant à", "alumni"): an alumnus whose
  bio reads "Diplômé de Polytechnique Montréal" is not an impersonator, so the score is
  halved.

Candidates come from a file (CSV or JSON lines) or from the authors the store has seen
(:func:`candidates_from_authors`). Pure scoring; the store functions keep suspects for review.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select, update

from vigie.errors import VigieError
from vigie.monitoring.names import NameMatcher, default_matcher
from vigie.monitoring.registry import MandateBook, canonical_page_url
from vigie.monitoring.tables import monitor_suspects
from vigie.store.schema import authors
from vigie.store.store import Store
from vigie.text.lookalike import find_lookalike
from vigie.text.normalize import normalize

__all__ = [
    "Candidate",
    "Suspect",
    "candidates_from_authors",
    "find_suspects",
    "list_suspects",
    "parse_candidates",
    "save_suspects",
    "score_candidate",
]

def _name_labels(names: Sequence[str]) -> frozenset[str]:
    """Labels an imitation would copy, from the institution's names in the policy (pure).

    "Polytechnique Montréal" gives ``polytechniquemontreal`` and ``polytechnique``, the alias
    "@polymtl" ``polymtl``; the registered handles are added by the caller. Nothing about one
    institution is built in.
    """
    labels: set[str] = set()
    for index, name in enumerate(names):
        words = [w for w in re.split(r"[^a-z0-9]+", normalize(name).text) if w]
        joined = "".join(words)
        if index == 0 or len(joined) >= _MIN_LABEL:
            labels.add(joined)
        if index == 0 and words and len(words[0]) >= 4:
            labels.add(words[0])
    return frozenset(label for label in labels if label)


# An alias shorter than this ("Poly", "NIT") is too common a string to call a handle a copy.
_MIN_LABEL = 5
_CLAIMS = re.compile(
    r"(?<!\w)(?:compte officiel|page officielle|officiel(?:le)?|official(?: account| page)?"
    r"|verified|admissions?|bourses?|scholarships?|registrariat|registrar|service aux etudiants"
    r"|student services|recrutement|recruitment|support|aide|help ?desk)(?!\w)")
_DISCLAIMERS = re.compile(
    r"(?<!\w)(?:fan ?page|fan account|unofficial|non[ -]officiel(?:le)?|parod(?:y|ie)"
    r"|etudiante?s? (?:a|de)|students? at|diplomee?s? (?:de|en)|alumn(?:i|us|a)|ancien(?:ne)? de"
    r"|grad(?:uate)? of|prof(?:esseure?)? (?:a|de)|professor at|chercheure? (?:a|de)"
    r"|researcher at|association|club|comite|committee|chapter)(?!\w)")
_HOSTS = {"x": "x.com", "instagram": "instagram.com", "facebook": "facebook.com",
          "youtube": "youtube.com/@", "linkedin": "linkedin.com/in", "tiktok": "tiktok.com/@",
          "threads": "threads.net/@", "bluesky": "bsky.app/profile"}


@dataclass(frozen=True, slots=True)
class Candidate:
    """An account to check.

    Attributes:
        platform: ``x``, ``instagram``, ``facebook``...
        url: its page URL (built from the handle when unknown).
        handle: its handle, without ``@``.
        name: its display name.
        bio: its description, when known.
        source: where it was seen (``file``, ``authors``, a feed name).
    """

    platform: str
    url: str
    handle: str | None = None
    name: str = ""
    bio: str = ""
    source: str = "file"


@dataclass(frozen=True, slots=True)
class Suspect:
    """A candidate that uses the institution's name and is not registered.

    Attributes:
        candidate: the account.
        score: evidence in [0, 1] that it presents itself as the institution.
        reasons: short sentences, strongest first.
    """

    candidate: Candidate
    score: float
    reasons: tuple[str, ...] = field(default_factory=tuple)


def _url_for(platform: str, handle: str | None, fallback: str) -> str:
    if handle and platform in _HOSTS:
        host = _HOSTS[platform]
        sep = "" if host.endswith("@") else "/"
        return f"https://{host}{sep}{handle}"
    return fallback


def _noisy_or(weights: Iterable[float]) -> float:
    missing = 1.0
    for w in weights:
        missing *= 1.0 - w
    return 1.0 - missing


def score_candidate(candidate: Candidate, book: MandateBook, matcher: NameMatcher
                    ) -> Suspect | None:
    """Score one account; ``None`` when it is registered or does not use the name (pure)."""
    try:
        url = canonical_page_url(candidate.url)
    except VigieError:
        url = candidate.url
    if book.find(url) is not None or (
            candidate.handle and book.find(f"{candidate.platform}:{candidate.handle}")):
        return None
    reasons: list[tuple[float, str]] = []
    name_score = matcher.score(candidate.name).score if candidate.name else 0.0
    if name_score >= 0.5:
        reasons.append((0.6 * name_score, f"display name uses the institution's name "
                                          f"(probability {name_score:.2f})"))
    handle = (candidate.handle or "").lower().lstrip("@")
    if handle:
        labels = _name_labels((matcher.institution, *matcher.aliases)) | {
            e.handle.replace("-", "").replace(".", "") for e in book.entries if e.handle}
        look = find_lookalike(f"{handle}.invalid", frozenset(labels))
        if look is not None:
            weight = 0.5 if look.kind.value == "embedded" else 0.75
            reasons.append((weight, f"handle '{handle}' imitates '{look.name}' "
                                    f"({look.kind.value})"))
    bio = normalize(f"{candidate.name} {candidate.bio}").text
    bio_score = matcher.score(candidate.bio).score if candidate.bio else 0.0
    if bio_score >= 0.9 and name_score < 0.5:
        reasons.append((0.3, "description names the institution"))
    if not reasons:
        return None
    if _CLAIMS.search(bio):
        reasons.append((0.4, "presents itself as an official service"))
    score = _noisy_or(w for w, _ in reasons)
    if _DISCLAIMERS.search(bio):
        score *= 0.5
        reasons.append((0.0, "says it is a fan, alumni, student or association account "
                             "(score halved)"))
    ordered = tuple(r for _, r in sorted(reasons, key=lambda r: -r[0]))
    fixed = Candidate(candidate.platform, _url_for(candidate.platform, handle or None, url),
                      handle or None, candidate.name, candidate.bio, candidate.source)
    return Suspect(fixed, round(score, 4), ordered)


def find_suspects(candidates: Iterable[Candidate], book: MandateBook, *,
                  matcher: NameMatcher | None = None, floor: float = 0.5) -> list[Suspect]:
    """Accounts that present themselves under the institution's name and are not registered.

    Args:
        candidates: accounts to check.
        book: the registry (and mandates).
        matcher: names matcher (default: the default policy's,
            :func:`~vigie.monitoring.names.matcher_for`).
        floor: least score reported (a review threshold of the monitoring, not of the policy).

    Returns:
        Suspects, strongest first (pure).
    """
    matcher = matcher or default_matcher()
    out = [s for c in candidates if (s := score_candidate(c, book, matcher)) is not None
           and s.score >= floor]
    return sorted(out, key=lambda s: -s.score)


def parse_candidates(text: str, *, source: str = "<candidates>") -> list[Candidate]:
    """Read candidates from CSV (``platform,url,handle,name,bio``) or JSON lines (pure).

    Raises:
        VigieError: a row misses ``platform`` or both ``url`` and ``handle``.
    """
    stripped = text.lstrip()
    rows: list[tuple[str, dict[str, Any]]]
    if stripped.startswith("{"):
        rows = []
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    rows.append((f"line {number}", json.loads(line)))
                except ValueError as error:
                    raise VigieError(f"{source}: line {number}: not JSON: {error}") from None
    else:
        rows = [(f"line {i}", dict(r)) for i, r in enumerate(csv.DictReader(io.StringIO(text)), 2)]
    out = []
    for where, row in rows:
        platform = str(row.get("platform") or "").strip().lower()
        handle = str(row.get("handle") or "").strip().lstrip("@") or None
        url = str(row.get("url") or "").strip()
        if not platform or not (url or handle):
            raise VigieError(f"{source}: {where}: needs platform and a url or a handle")
        out.append(Candidate(platform, url or _url_for(platform, handle, ""), handle,
                             str(row.get("name") or ""), str(row.get("bio") or ""), "file"))
    return out


def candidates_from_authors(store: Store, limit: int = 100_000) -> list[Candidate]:
    """Every author the store has seen, as a candidate (name and handle; no bio)."""
    with store.read() as conn:
        rows = conn.execute(select(authors.c.platform, authors.c.author_id, authors.c.name,
                                   authors.c.handle).where(authors.c.erased_at.is_(None))
                            .limit(limit))
        out = []
        for row in rows:
            handle = (row.handle or "").lstrip("@") or None
            url = _url_for(row.platform, handle, f"https://{row.platform}.invalid/{row.author_id}")
            out.append(Candidate(row.platform, url, handle, row.name or "", "", "authors"))
        return out


def save_suspects(store: Store, suspects: Sequence[Suspect]) -> int:
    """Keep suspects for review (upsert by URL; a dismissed one stays dismissed); return new."""
    now = store.now()
    new = 0
    with store.begin() as conn:
        for suspect in suspects:
            c = suspect.candidate
            values = {"platform": c.platform, "handle": c.handle, "name": c.name[:255] or None,
                      "score": suspect.score, "reasons": json.dumps(list(suspect.reasons)),
                      "source": c.source, "last_seen": now}
            exists = conn.execute(select(monitor_suspects.c.pk).where(
                monitor_suspects.c.url == c.url)).first()
            if exists:
                conn.execute(update(monitor_suspects).where(
                    monitor_suspects.c.pk == exists.pk).values(**values))
            else:
                conn.execute(insert(monitor_suspects).values(
                    **values, url=c.url, status="new", first_seen=now))
                new += 1
    return new


def list_suspects(store: Store, status: str | None = "new") -> list[dict[str, Any]]:
    """Suspects kept for review, strongest first (``status=None``: all)."""
    query = select(monitor_suspects)
    if status:
        query = query.where(monitor_suspects.c.status == status)
    with store.read() as conn:
        rows = []
        for row in conn.execute(query.order_by(monitor_suspects.c.score.desc())):
            data = dict(row._mapping)
            data["reasons"] = json.loads(data["reasons"])
            rows.append(data)
        return rows
