"""Coordinated posting (directive 6.4 i): the same text from several accounts.

A copy-paste campaign (a slogan, a promotion, a petition call) posted word for word, or nearly,
by different accounts within a few days, on one post or across posts and platforms, is the
work of "comptes automatisés" or of people posting what they did not write. Commercial tools
judge one account at a time and miss it.

Each comment with enough words of its own is reduced to its word skeleton and a MinHash
signature (:mod:`vigie.text.duplicates`); a bounded window of recent comments (kept between
batches, behind the :class:`~vigie.text.duplicates.DuplicateWindow` port; after a restart the
store rebuilds it from the comments already decided, :mod:`vigie.store.recall`) is searched for
the same or a near-identical skeleton from *another* author within the time window. Within a
batch the search goes both ways, so the first comment of a campaign is caught too, not only the
copies.

What is never evidence: short reactions ("Félicitations!", "Congrats to the grads!") that many
people write independently, and sentences made of the post's own words. A comment is eligible
only with ``min_novel_words`` content words that are neither reactions nor words of the post.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from vigie.detectors.base import DetectorInfo, parse_options
from vigie.findings import Finding
from vigie.policy import Policy
from vigie.text.context_words import content_words, stem, tokens, word_lists
from vigie.text.duplicates import (
    DuplicateWindow,
    InMemoryWindow,
    WindowEntry,
    band_keys,
    signatures,
    text_key,
)
from vigie.text.prepare import PreparedComment

__all__ = ["CoordinationDetector", "CoordinationOptions", "eligible_words"]

NAME = "vigie.coordination.minhash.v1"
SIGNALS = ("coordination.duplicate",)

# A campaign of hundreds of accounts needs no more proof than ten of them: stop looking there,
# so a huge campaign cannot make each comment cost hundreds of comparisons.
_ENOUGH_ACCOUNTS = 10
_MAX_CANDIDATES = 200
_CHUNK = 16  # candidates compared per vectorised step


class CoordinationOptions(BaseModel):
    """Options, from the policy's ``detectors.vigie.coordination.minhash.v1`` mapping."""

    model_config = ConfigDict(extra="forbid")
    window_hours: float = Field(72.0, gt=0, description="how far apart copies may be, in hours")
    max_entries: int = Field(100_000, ge=1, description="comments remembered at most")
    min_words: int = Field(5, ge=1, description="words a comment needs to be compared")
    min_novel_words: int = Field(
        3, ge=1, description="content words that are neither reactions nor words of the post"
    )
    min_jaccard: float = Field(0.7, gt=0, le=1, description="word-set similarity of a near copy")


@dataclass(frozen=True, slots=True)
class _Match:
    entry: WindowEntry
    exact: bool


def eligible_words(
    item: PreparedComment, min_words: int, min_novel: int, post_stems: set[str] | None = None
) -> list[str] | None:
    """Return the comment's word skeleton when it says enough of its own, else ``None`` (pure).

    Args:
        item: the prepared comment.
        min_words: words needed in the skeleton.
        min_novel: content words needed that are neither reactions nor words of the post.
        post_stems: stems of the post's words, when the caller has them already.
    """
    words = tokens(item.norm.text)
    if len(words) < min_words:
        return None
    lists = word_lists()
    if post_stems is None:
        post_stems = {stem(w) for w in tokens(item.post_norm.text)}
    novel = {
        w for w in content_words(words)
        if w not in lists.reactions and stem(w) not in post_stems
    }
    return words if len(novel) >= min_novel else None


def _score(authors: int, exact: bool) -> float:
    base = 0.8 if authors == 1 else 0.88 if authors == 2 else 0.93
    return base if exact else base - 0.05


def _span(seconds: float) -> str:
    if seconds < 3600:
        return f"{max(1, round(seconds / 60))} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:.0f} days"


class CoordinationDetector:
    """Emits ``coordination.duplicate`` when other accounts posted the same text recently."""

    info = DetectorInfo(NAME, provides=SIGNALS, cost=2)

    def __init__(self, options: CoordinationOptions, window: DuplicateWindow | None = None) -> None:
        """Build the detector.

        Args:
            options: validated options.
            window: where remembered comments live; default an :class:`InMemoryWindow` bounded
                by the options (state kept between batches of this process).
        """
        self.options = options
        self.window_s = options.window_hours * 3600.0
        self.window: DuplicateWindow = window if window is not None else InMemoryWindow(
            self.window_s, options.max_entries)
        word_lists()  # load the word lists now, not on the first comment

    def _entries(self, batch: Sequence[PreparedComment]) -> list[WindowEntry | None]:
        opts = self.options
        post_stems: dict[str, set[str]] = {}  # many comments share a post: once per post
        skeletons = []
        for item in batch:
            key = item.comment.post.id if item.comment.post is not None else ""
            if key not in post_stems:
                post_stems[key] = {stem(w) for w in tokens(item.post_norm.text)}
            skeletons.append(
                eligible_words(item, opts.min_words, opts.min_novel_words, post_stems[key]))
        chosen = [s for s in skeletons if s is not None]
        sigs = signatures(chosen)
        out: list[WindowEntry | None] = []
        row = 0
        for item, words in zip(batch, skeletons, strict=True):
            if words is None:
                out.append(None)
                continue
            sig = sigs[row]
            row += 1
            c = item.comment
            out.append(WindowEntry(
                comment_id=c.id, author_id=c.author.id, at=c.created_at.timestamp(),
                key=text_key(words), signature=sig.tobytes(), bands=band_keys(sig),
                post_id=c.post.id if c.post is not None else "", platform=c.platform.value,
            ))
        return out

    def _matches(self, entry: WindowEntry) -> list[_Match]:
        found: dict[str, _Match] = {}
        pool: list[WindowEntry] = []
        author, cid, at, window_s = entry.author_id, entry.comment_id, entry.at, self.window_s
        for checked, other in enumerate(self.window.candidates(entry)):
            if checked >= _MAX_CANDIDATES:
                break
            if other.author_id == author or other.comment_id == cid:
                continue
            if abs(other.at - at) <= window_s:
                pool.append(other)
                # Judged a chunk at a time, in candidate order: a campaign has its ten accounts
                # within the first few candidates, and the rest need not be read at all.
                if len(pool) == _CHUNK:
                    if self._judge(entry, pool, found):
                        return list(found.values())
                    pool = []
        if pool:
            self._judge(entry, pool, found)
        return list(found.values())

    def _judge(self, entry: WindowEntry, pool: list[WindowEntry],
               found: dict[str, _Match]) -> bool:
        """Add the pool's matches to ``found``, in order; True once enough accounts are found."""
        # One vectorised comparison for the chunk, not one call per candidate.
        agree = (
            np.frombuffer(b"".join(o.signature for o in pool), dtype=np.uint32)
            .reshape(len(pool), -1) == np.frombuffer(entry.signature, dtype=np.uint32)
        ).mean(axis=1)
        for other, similarity in zip(pool, agree.tolist(), strict=True):
            exact = other.key == entry.key
            if not exact and similarity < self.options.min_jaccard:
                continue
            known = found.get(other.author_id)
            if known is None or (exact and not known.exact):
                found[other.author_id] = _Match(other, exact)
                if len(found) >= _ENOUGH_ACCOUNTS:
                    return True
        return False

    def _finding(self, entry: WindowEntry, matches: list[_Match]) -> Finding:
        authors = len(matches)
        exact = all(m.exact for m in matches)
        spread = max(abs(m.entry.at - entry.at) for m in matches)
        posts = {m.entry.post_id for m in matches} | {entry.post_id}
        platforms = sorted({m.entry.platform for m in matches} | {entry.platform})
        where = "the same post" if len(posts) == 1 else f"{len(posts)} posts"
        if len(platforms) > 1:
            where += " on " + ", ".join(platforms)
        kind = "same text" if exact else "nearly the same text"
        return Finding(
            "coordination.duplicate", _score(authors, exact), NAME,
            f"{kind} as {authors}{'+' if authors >= _ENOUGH_ACCOUNTS else ''} other "
            f"account(s) within {_span(spread)}, on {where}",
            data={
                "accounts": authors,
                "matches": sorted(m.entry.comment_id for m in matches)[:10],
                "exact": exact,
            },
        )

    @property
    def memory_s(self) -> float:
        """How far back, in comment time, the window reaches (seconds)."""
        return self.window_s

    def remember(self, batch: Sequence[PreparedComment]) -> None:
        """Put the batch in the window without judging it (rebuilding it after a restart).

        Leaves the window as :meth:`detect` on the same comments would: the same entries in
        the same order, the same evictions (a sequence of batches remembered at once ends in
        the state the batches one by one end in, since the horizon only moves forward).
        """
        for entry in self._entries(batch):
            if entry is not None:
                self.window.add(entry)
        if batch:
            self.window.evict(max(item.comment.created_at.timestamp() for item in batch))

    def detect(
        self, batch: Sequence[PreparedComment], prior: Sequence[Sequence[Finding]]
    ) -> list[list[Finding]]:
        """Return a ``coordination.duplicate`` finding for each copied comment.

        Side effect: the batch's eligible comments are remembered in the window.
        """
        entries = self._entries(batch)
        # Remember the whole batch first so that the first comment of a campaign in this batch
        # finds its copies that come later in the batch.
        for entry in entries:
            if entry is not None:
                self.window.add(entry)
        out: list[list[Finding]] = []
        for entry in entries:
            if entry is None:
                out.append([])
                continue
            matches = self._matches(entry)
            out.append([self._finding(entry, matches)] if matches else [])
        if batch:
            # Time is that of every comment seen, eligible or not: a restart can then find
            # the horizon from the store's newest comment.
            self.window.evict(max(item.comment.created_at.timestamp() for item in batch))
        return out


def create(options: Mapping[str, Any], policy: Policy) -> CoordinationDetector:
    """Factory for the registry."""
    return CoordinationDetector(parse_options(CoordinationOptions, NAME, options))
