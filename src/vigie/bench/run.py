"""``vigie bench``: throughput, latency, memory and cold start of the whole pipeline.

Each measurement runs in a fresh child process so that the figures do not depend on what the
parent loaded: the one-core run is pinned to a single CPU, the all-cores run uses one worker
process per CPU (each loads the models once, as a deployment would). Speed targets are
checked here, in benchmarks, never in timed tests.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

__all__ = ["run_bench"]

_BATCH = 256
_PIPELINE: Any = None


def _build(policy_path: str | None) -> Any:
    from vigie.pipeline import Pipeline, freeze_heap
    from vigie.policy import load_policy

    pipeline = Pipeline.from_policy(load_policy(policy_path))
    freeze_heap()  # as the commands do
    return pipeline


def _moderate_records(pipeline: Any, records: list[dict[str, Any]]) -> int:
    from vigie.records import parse_comment

    comments = [parse_comment(r) for r in records]
    return len(pipeline.moderate(comments))


def _one_core(policy_path: str | None, records: list[dict[str, Any]], latency_n: int,
              queue: Any) -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    pipeline = _build(policy_path)
    _moderate_records(pipeline, records[:_BATCH])  # warm-up: caches, lazy imports
    started = time.perf_counter()
    done = 0
    for i in range(0, len(records), _BATCH):
        done += _moderate_records(pipeline, records[i : i + _BATCH])
    elapsed = time.perf_counter() - started
    latencies = []
    for record in records[:latency_n]:
        t0 = time.perf_counter()
        _moderate_records(pipeline, [record])
        latencies.append((time.perf_counter() - t0) * 1000)
    latencies.sort()
    queue.put({
        "comments_per_s": done / elapsed,
        "p50_ms": statistics.median(latencies),
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    })


def _pool_init(policy_path: str | None) -> None:
    global _PIPELINE
    _PIPELINE = _build(policy_path)


def _pool_run(records: list[dict[str, Any]]) -> int:
    return _moderate_records(_PIPELINE, records)


def _all_cores(policy_path: str | None, records: list[dict[str, Any]]) -> tuple[float, int]:
    workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    workers = workers or 1
    chunks = [records[i : i + _BATCH] for i in range(0, len(records), _BATCH)]
    ctx = mp.get_context("spawn")
    with ctx.Pool(workers, initializer=_pool_init, initargs=(policy_path,)) as pool:
        pool.map(_pool_run, chunks[:workers], chunksize=1)  # every worker loaded and warm
        started = time.perf_counter()
        done = sum(pool.map(_pool_run, chunks, chunksize=1))
        elapsed = time.perf_counter() - started
    return done / elapsed, workers


def _cold_start(policy_path: str | None) -> float:
    code = (
        "import sys\n"
        "from vigie.bench.run import _build, _moderate_records\n"
        "from vigie.demo.synthetic import synthetic_records\n"
        "p = _build(sys.argv[1] or None)\n"
        "_moderate_records(p, list(synthetic_records(1)))\n"
    )
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, policy_path or ""], check=True)
    return time.perf_counter() - started


def _measure(policy_path: str | None, records: list[dict[str, Any]],
             latency_n: int) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    child = ctx.Process(target=_one_core, args=(policy_path, records, latency_n, queue))
    child.start()
    one = queue.get()
    child.join()
    all_rate, workers = _all_cores(policy_path, records)
    return {
        "n": len(records),
        "mean_chars": round(sum(len(r["text"]) for r in records) / len(records), 1),
        "comments_per_s_1core": round(one["comments_per_s"], 1),
        "comments_per_s_all": round(all_rate, 1),
        "workers": workers,
        "p50_ms": round(one["p50_ms"], 3),
        "p99_ms": round(one["p99_ms"], 3),
        "peak_rss_mb": round(one["peak_rss_mb"], 1),
    }


def _dev_records(dev: Path, n: int) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in dev.read_text(encoding="utf-8").splitlines() if line]
    out = []
    for i in range(n):
        row = dict(rows[i % len(rows)])
        row["id"] = f"{row['id']}#{i // len(rows)}"  # repeated rows stay distinct comments
        out.append(row)
    return out


#: Public sets whose texts are real comments or posts (tweets, YouTube comments, forum and
#: social-media posts): the SMS collection, CONAN's written pairs and TOXIGEN's generated
#: sentences are not.
PUBLIC_COMMENT_SETS = ("youtube_spam_uci", "olid_en", "davidson", "fr_hate_superset", "mlma",
                       "political_tweets_fr_en")


def public_records(public: Path, n: int) -> list[dict[str, Any]]:
    """``n`` real comments from ``public`` (``shared/data/public``), every set in equal turns.

    Each set's texts are ordered by a hash of the text (a fixed, seedless shuffle), then the
    sets are interleaved, so a shorter run reads the same mix; the YouTube comments carry
    their platform, the rest are read as tweets.

    Raises:
        FileNotFoundError: a data set is missing.
    """
    import hashlib

    from vigie.models.corpus import public_examples

    by_set: dict[str, list[str]] = {}
    for example in public_examples(public):
        name = example.source.split("/")[0].split(":")[0]
        name = "mlma" if name.startswith("mlma") else name
        if name in PUBLIC_COMMENT_SETS:
            by_set.setdefault(name, []).append(example.text)
    for texts in by_set.values():
        texts.sort(key=lambda t: hashlib.blake2b(t.encode(), digest_size=8).digest())
    sets = [name for name in PUBLIC_COMMENT_SETS if by_set.get(name)]
    interleaved: list[tuple[str, str]] = []
    for index in range(max((len(by_set[name]) for name in sets), default=0)):
        interleaved += [(name, by_set[name][index]) for name in sets
                        if index < len(by_set[name])]
    out: list[dict[str, Any]] = []
    for i in range(n if interleaved else 0):
        name, text = interleaved[i % len(interleaved)]
        platform = "youtube" if name == "youtube_spam_uci" else "x"
        prefix = "yt" if platform == "youtube" else "x"
        out.append({"id": f"{prefix}:bench-{i}", "platform": platform, "text": text,
                    "created_at": "2026-03-18T14:05:42Z",
                    "author": {"id": f"{prefix}:u-{i % 997}", "name": "Bench"}})
    return out


def run_bench(policy: str | Path | None = None, *, dev: Path | None = None,
              public: Path | None = None, n: int = 20_000,
              latency_n: int = 2_000) -> dict[str, Any]:
    """Run the benchmark and return its figures.

    Args:
        policy: policy file (default: the bundled one).
        dev: labeled dev set to repeat up to ``n`` comments (default: ``../shared/data/dev/
            comments.jsonl`` when it exists).
        public: the ``shared/data/public`` folder whose real comments are the headline corpus
            (default: ``../shared/data/public`` when it exists).
        n: comments per throughput run.
        latency_n: single-comment calls for the latency percentiles.

    Returns:
        Top-level keys ``comments_per_s_1core``, ``comments_per_s_all``, ``p50_ms``, ``p99_ms``,
        ``peak_rss_mb`` (one process), ``cold_start_s`` and ``corpus`` (which corpus the
        top-level figures come from: real public comments when the data is there, else the
        synthetic corpus); the per-corpus details under ``public``, ``synthetic`` and
        ``dev_repeated``.
    """
    from vigie.demo.synthetic import synthetic_records

    policy_path = str(policy) if policy is not None else None
    if dev is None:
        candidate = Path("../shared/data/dev/comments.jsonl")
        dev = candidate if candidate.exists() else None
    if public is None:
        candidate = Path("../shared/data/public")
        public = candidate if candidate.exists() else None
    result: dict[str, Any] = {}
    if public is not None:
        result["public"] = _measure(policy_path, public_records(public, n), latency_n)
    result["synthetic"] = _measure(policy_path, list(synthetic_records(n)), latency_n)
    if dev is not None:
        result["dev_repeated"] = _measure(policy_path, _dev_records(dev, n), latency_n)
    headline = "public" if "public" in result else "synthetic"
    ordered: dict[str, Any] = {key: result[headline][key] for key in (
        "comments_per_s_1core", "comments_per_s_all", "p50_ms", "p99_ms", "peak_rss_mb")}
    ordered["cold_start_s"] = round(_cold_start(policy_path), 3)
    ordered["cpu"] = os.cpu_count()
    ordered["corpus"] = headline
    for name in ("public", "synthetic", "dev_repeated"):
        if name in result:
            ordered[name] = result[name]
    return ordered


#: The component benchmarks of ``vigie bench --with NAME``: each issue's own target.
EXTRAS = ("store", "coordination", "queue", "images", "cascade")


def _policy_with_judge(policy_path: str | None, options: dict[str, Any], folder: Path,
                       name: str) -> str:
    """A copy of the policy whose judge options are updated with ``options``."""
    import yaml

    from vigie.policy import default_policy_path

    file = Path(policy_path) if policy_path else default_policy_path()
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    detectors = data.setdefault("detectors", {})
    detectors["vigie.judge.v1"] = {**(detectors.get("vigie.judge.v1") or {}), **options}
    path = folder / f"policy-{name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return str(path)


def cascade_curve(policy: str | Path | None = None, n: int = 3_000,
                  public: Path = Path("../shared/data/public")) -> dict[str, Any]:
    """Speed of the whole system on real comments for each cascade coverage of the judge.

    Each point runs in a fresh process pinned to one core, on the same ``n`` real public
    comments; ``off`` is the judge without cascade (the encoder on every comment). The quality
    side of the same curve (share encoded, flags kept against the judge without cascade, F1)
    is in ``docs/quality.md``.

    Raises:
        FileNotFoundError: ``public`` is missing.
    """
    import tempfile

    from vigie.models.judge.train import GATE_COVERAGES

    records = public_records(public, n)
    ctx = mp.get_context("spawn")
    points: list[tuple[str, dict[str, Any]]] = [("off", {"cascade": False})]
    points += [(f"{c:g}", {"coverage": c}) for c in sorted(GATE_COVERAGES, reverse=True)]
    out: dict[str, Any] = {"n": len(records), "corpus": "public", "points": []}
    with tempfile.TemporaryDirectory() as folder:
        for name, options in points:
            path = _policy_with_judge(None if policy is None else str(policy), options,
                                      Path(folder), name)
            queue = ctx.Queue()
            child = ctx.Process(target=_one_core, args=(path, records, 200, queue))
            child.start()
            one = queue.get()
            child.join()
            out["points"].append({
                "coverage": name, "comments_per_s_1core": round(one["comments_per_s"], 1),
                "p50_ms": round(one["p50_ms"], 3), "p99_ms": round(one["p99_ms"], 3)})
    return out


def run_extra(name: str, n: int | None, policy: str | Path | None = None) -> dict[str, Any]:
    """Run one component benchmark by name.

    - ``store``: comments, decisions and events written per second into SQLite, and the
      overhead of ``vigie moderate --db`` over the same run without the store;
    - ``coordination``: the coordinated-posting detector on a long synthetic stream, with its
      memory along the way (bounded window);
    - ``queue``: the dashboard's queue page with ``n`` comments in the database;
    - ``images``: images per second per core through the image detector.

    Raises:
        VigieError: unknown name (the message lists the valid ones).
    """
    from vigie.errors import VigieError

    if name == "store":
        from vigie.bench.store import moderate_db_overhead, store_throughput

        policy_file = str(policy) if policy is not None else None
        return {"throughput": store_throughput(n or 20_000),
                "moderate_db_overhead": moderate_db_overhead(n or 5_000,
                                                             policy_file=policy_file)}
    if name == "coordination":
        from vigie.bench.coordination import run_coordination_bench

        return run_coordination_bench(n or 1_000_000)
    if name == "queue":
        from vigie.bench.web import queue_page_latency

        return queue_page_latency(n or 100_000)
    if name == "images":
        from vigie.bench.images import run_images_bench

        return run_images_bench(images=n or 64)
    if name == "cascade":
        return cascade_curve(policy, n or 3_000)
    raise VigieError(f"unknown benchmark {name!r}; valid: {', '.join(EXTRAS)}")
