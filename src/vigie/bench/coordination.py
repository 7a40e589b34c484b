"""Benchmark of coordinated-posting detection over a long synthetic stream.

Checks two promises of :mod:`vigie.detectors.coordination`: it keeps up with the pipeline's
target (1,000 comments per second per core, all detectors together, so this one must be far
faster), and its memory stays bounded however long the stream (the window holds at most
``max_entries`` comments). The stream is mostly unique comments, with a share of copy-paste
campaigns posted by many accounts; comment time advances one second per comment, so a
72-hour window would hold 259,200 comments and the entry cap is what bounds it.

Usage::

    python -m vigie.bench.coordination --n 10000000      # prints one JSON object

or :func:`run_coordination_bench` from ``vigie bench``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import psutil

from vigie.detectors.coordination import CoordinationDetector, CoordinationOptions
from vigie.records import Author, Comment, Platform, Post
from vigie.text.langid import LanguageGuess
from vigie.text.normalize import normalize
from vigie.text.prepare import PreparedComment

__all__ = ["run_coordination_bench", "synthetic_stream"]

_GUESS = LanguageGuess("fr", 0.99, (("fr", 0.99),), 40, 8, 0.0, "LATIN")
_CONSONANTS = "bdflmnprstv"
_SYLLABLES = (
    *(c + v for c in _CONSONANTS for v in "aeiou"),
    "cha", "che", "cho", "tra", "tre", "tri", "pro", "pre", "gra", "gre",
)


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def synthetic_stream(n: int, seed: int = 11, campaign_share: float = 0.02,
                     campaigns: int = 50) -> Iterator[PreparedComment]:
    """Yield ``n`` prepared comments, deterministically.

    Args:
        n: comments in the stream.
        seed: random seed (same seed, same stream).
        campaign_share: share of comments that copy one of ``campaigns`` campaign texts.
        campaigns: number of distinct campaign texts.
    """
    rng = random.Random(seed)
    vocab = _vocabulary(rng, 5000)
    campaign_texts = [" ".join(rng.choices(vocab, k=rng.randint(8, 16))) + " !"
                      for _ in range(campaigns)]
    start = datetime(2025, 1, 1, tzinfo=UTC)
    posts = [Post.model_construct(id=f"fb:p-{i}", text="Publication officielle numero " + str(i),
                                  links=()) for i in range(200)]
    post_norms = {p.id: normalize(p.text) for p in posts}
    empty = normalize("")
    for i in range(n):
        if rng.random() < campaign_share:
            text = rng.choice(campaign_texts)
        else:
            text = " ".join(rng.choices(vocab, k=rng.randint(5, 25)))
        post = posts[rng.randrange(len(posts))]
        author = Author.model_construct(
            id=f"fb:u-{rng.randrange(10 * n + 1)}", name="", handle=None, created_at=None,
            verified=False, default_avatar=False, followers=None, posts_last_24h=None, via=None)
        comment = Comment.model_construct(
            id=f"fb:c-{i}", platform=Platform.FACEBOOK, text=text,
            created_at=start + timedelta(seconds=i), author=author, post=post, parent_id=None,
            attachments=(), labels=(), note=None)
        yield PreparedComment(comment=comment, norm=normalize(text), language=_GUESS, urls=(),
                              post_urls=(), post_norm=post_norms.get(post.id, empty))


def run_coordination_bench(
    n: int = 1_000_000, *, batch: int = 256, max_entries: int = 100_000,
    window_hours: float = 72.0, samples: int = 10, seed: int = 11,
) -> dict[str, Any]:
    """Stream ``n`` synthetic comments through the coordination detector.

    Args:
        n: comments in the stream (the issue's figure is 10,000,000).
        batch: comments per ``detect`` call.
        max_entries: the window's entry cap.
        window_hours: the window's length in comment time.
        samples: resident-memory samples taken along the stream.
        seed: stream seed.

    Returns:
        ``comments_per_s`` (detector time only, one thread), ``wall_s``, ``peak_rss_mb`` (the
        process's resident peak), ``rss_mb_samples`` (resident memory along the stream: flat
        once the window is full), ``window_entries`` (entries held at the end, never above
        ``max_entries``), ``max_window_entries`` and ``duplicates_found``.
    """
    detector = CoordinationDetector(CoordinationOptions.model_validate(
        {"window_hours": window_hours, "max_entries": max_entries}))
    process = psutil.Process()
    every = max(1, n // max(1, samples))
    rss: list[float] = []
    detect_s = 0.0
    found = 0
    largest = 0
    started = time.perf_counter()
    chunk: list[PreparedComment] = []

    def run(items: list[PreparedComment]) -> None:
        nonlocal detect_s, found, largest
        t0 = time.perf_counter()
        results = detector.detect(items, [[] for _ in items])
        detect_s += time.perf_counter() - t0
        found += sum(1 for r in results if r)
        largest = max(largest, len(detector.window))

    for seen, item in enumerate(synthetic_stream(n, seed=seed), start=1):
        chunk.append(item)
        if len(chunk) == batch:
            run(chunk)
            chunk = []
        if seen % every == 0:
            rss.append(round(process.memory_info().rss / 2**20, 1))
    if chunk:
        run(chunk)
    peak = max([*rss, process.memory_info().rss / 2 ** 20])
    try:
        import resource

        peak = max(peak, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    except ImportError:  # pragma: no cover - not on POSIX
        pass
    return {
        "comments": n,
        "comments_per_s": round(n / detect_s, 1) if detect_s else 0.0,
        "wall_s": round(time.perf_counter() - started, 1),
        "peak_rss_mb": round(peak, 1),
        "rss_mb_samples": rss,
        "window_entries": len(detector.window),
        "max_window_entries": largest,
        "max_entries": max_entries,
        "duplicates_found": found,
    }


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: print the benchmark's JSON object."""
    parser = argparse.ArgumentParser(description="Coordinated-posting detection benchmark.")
    parser.add_argument("--n", type=int, default=1_000_000, help="comments in the stream")
    parser.add_argument("--max-entries", type=int, default=100_000)
    parser.add_argument("--window-hours", type=float, default=72.0)
    parser.add_argument("--batch", type=int, default=256)
    args = parser.parse_args(argv)
    result = run_coordination_bench(args.n, batch=args.batch, max_entries=args.max_entries,
                                    window_hours=args.window_hours)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
