"""Benchmark of the review queue page: :func:`queue_page_latency`.

Fills a fresh SQLite database with ``n`` comments through the store's own workflow
(:class:`vigie.store.workflow.StoreModerator`: ingest, decisions, review items, strikes, audit
events), with canned evidence instead of the detectors so that the fill measures nothing but
the store, then times ``GET /queue`` (authentication, queries and HTML rendering, in process)
under several filters. Target: under 200 ms per page at 100,000 comments.

The lead can call it from ``vigie bench``; it leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from vigie.findings import Finding
from vigie.pipeline import Analysis
from vigie.policy import Policy, default_policy_path, load_policy
from vigie.records import Comment, parse_comment

__all__ = ["CannedPipeline", "fill_store", "queue_page_latency"]

_TEXTS = (
    "Merci pour l'info, très utile pour la rentrée! Bravo à l'équipe.",
    "Great news, congratulations to the whole team and the students.",
    "Est-ce que la bibliothèque sera ouverte pendant les vacances de Noël?",
    "Check my profile for cheap followers, best prices on the market today",
    "C'est malade comme projet, bravo aux étudiants de génie mécanique",
    "Wann beginnt das Semester? Ich freue mich sehr darauf, danke schön",
)


def _signal_for(rule: Any) -> str:
    # Policies list signals as glob strings or as rules with a ``pattern``.
    pattern = str(getattr(rule, "pattern", rule))
    return pattern.replace("*", "bench").replace("?", "x")


class CannedPipeline:
    """Stands in for the detectors: deterministic evidence, no model, no text analysis.

    One comment in six is held for review and one in twenty removed, spread over the policy's
    categories (so the category filter has something to find).
    """

    detector_names = ("vigie.bench.canned.v1",)

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.signals = [_signal_for(c.signals[0]) for c in policy.categories if c.signals]

    def analyse(self, comments: Sequence[Comment]) -> list[Analysis]:
        """One analysis per comment; the score depends only on the comment id's number."""
        out = []
        for c in comments:
            k = int(c.id.rsplit("-", 1)[1])
            signal = self.signals[k % len(self.signals)]
            score = 0.6 if k % 6 == 1 else (0.97 if k % 20 == 0 else 0.0)
            found = (Finding(signal, score, self.detector_names[0], "canned bench evidence",
                             (0, min(5, len(c.text)))),) if score else ()
            # Only ``prepared.comment`` is read downstream.
            out.append(Analysis(SimpleNamespace(comment=c), found, ()))  # type: ignore[arg-type]
        return out


def _records(n: int, start: dt.datetime) -> list[dict[str, Any]]:
    platforms = ("facebook", "instagram", "youtube", "x", "linkedin")
    return [{
        "id": f"{platforms[i % 5][:2]}:bench-{i}", "platform": platforms[i % 5],
        "text": _TEXTS[i % len(_TEXTS)],
        "created_at": (start + dt.timedelta(seconds=20 * i)).isoformat(),
        "author": {"id": f"u-{(i * 7919) % max(n // 20, 1)}", "name": f"Auteur {i % 997}"},
        "post": {"id": f"p-{i // 200}", "text": "La rentrée à Polytechnique", "links": []},
    } for i in range(n)]


def fill_store(store: Any, n: int, *, batch: int = 1000) -> float:
    """Write ``n`` canned comments through the store's workflow; returns the seconds taken."""
    from vigie.store.workflow import StoreModerator

    policy = load_policy()
    moderator = StoreModerator(store, policy, default_policy_path().read_text("utf-8"),
                               pipeline_factory=CannedPipeline)  # type: ignore[arg-type]
    start = store.now() - dt.timedelta(seconds=20 * n + 3600)
    comments = [parse_comment(r) for r in _records(n, start)]
    began = time.perf_counter()
    for i in range(0, n, batch):
        moderator.process(comments[i:i + batch])
    return time.perf_counter() - began


def queue_page_latency(n: int = 100_000, *, repeats: int = 15, db: str | None = None
                       ) -> dict[str, Any]:
    """Fill a database with ``n`` comments and time the queue page under several filters.

    Args:
        n: comments in the database.
        repeats: timed requests per filter (after one warm-up request).
        db: an SQLite file to use (default: a temporary one, deleted afterwards).

    Returns:
        ``{"comments", "fill_s", "facets_s", "open_items", "pages": {filter: {"p50_ms",
        "p95_ms", "max_ms"}}, "worst_p95_ms", "target_ms": 200, "ok"}``.
    """
    from fastapi.testclient import TestClient

    from vigie.store.store import open_store
    from vigie.web import create_app, load_web_settings
    from vigie.web.accounts import create_user
    from vigie.web.queries import queue_counts
    from vigie.web.service import refresh_facets

    with tempfile.TemporaryDirectory(prefix="vigie-web-bench-") as tmp:
        path = db or str(Path(tmp) / "bench.sqlite")
        store = open_store(path)
        try:
            app = create_app(load_web_settings(env={}, mode="test", database_url=path,
                                               load_pipeline=False, fast_password_hashing=True),
                             store=store)
            ctx = app.state.vigie
            fill_s = fill_store(store, n)
            t0 = time.perf_counter()
            refresh_facets(ctx)
            facets_s = time.perf_counter() - t0
            with store.begin() as conn:
                create_user(conn, ctx.passwords, "bench", "bench-password", "moderator",
                            store.now())
            client = TestClient(app)
            page = client.get("/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            assert token is not None
            client.post("/login", data={"username": "bench", "password": "bench-password",
                                        "csrf_token": token.group(1)})
            first = client.get("/queue")
            after = re.search(r'href="/queue\?[^"]*after=(\d+)', first.text)
            with store.read() as conn:
                open_items = queue_counts(conn).get("open", 0)
            filters = {
                "default": "/queue",
                "category": "/queue?category=abuse",
                "language": "/queue?language=fr",
                "platform": "/queue?platform=youtube",
                "age": "/queue?age=older",
                "newest": "/queue?order=newest",
                "page2": f"/queue?after={after.group(1) if after else 0}",
                "closed": "/queue?state=closed",
            }
            pages: dict[str, dict[str, float]] = {}
            for name, url in filters.items():
                client.get(url)
                times = []
                for _ in range(repeats):
                    began = time.perf_counter()
                    answer = client.get(url)
                    times.append((time.perf_counter() - began) * 1000)
                    assert answer.status_code == 200, answer.text[:200]
                times.sort()
                pages[name] = {"p50_ms": round(statistics.median(times), 1),
                               "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
                               "max_ms": round(times[-1], 1)}
        finally:
            store.dispose()
    worst = max(p["p95_ms"] for p in pages.values())
    return {"comments": n, "fill_s": round(fill_s, 1), "facets_s": round(facets_s, 2),
            "open_items": open_items, "pages": pages,
            "worst_p95_ms": worst, "target_ms": 200, "ok": worst < 200}


if __name__ == "__main__":  # pragma: no cover
    import json
    import sys

    print(json.dumps(queue_page_latency(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000),
                     indent=2))
