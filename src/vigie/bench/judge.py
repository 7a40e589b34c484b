"""Speed of the judge on real comments: throughput on one core, latency, memory.

``python -m vigie.bench.judge [--data ../shared/data]`` runs the detector
(``vigie.judge.v1``, cascade on, then off) on real comments: the YouTube comments of the UCI
spam collection and the dev set's comments (real platform text, FR/EN and other languages).
Throughput is comments per CPU second in batches of 64 (one thread: ``OMP_NUM_THREADS=1``
is set before numpy loads); latency is each comment judged alone (p50, p99); memory is the
process's peak resident set. Preparation (folding, language identification) is timed apart,
as every detector shares it.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import csv
import json
import resource
import time
from pathlib import Path

import numpy as np

__all__ = ["main", "run"]


def _texts(data: Path) -> list[str]:
    texts = []
    for path in sorted((data / "public" / "youtube_spam_uci").glob("Youtube0*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            texts += [row["CONTENT"] for row in csv.DictReader(handle)]
    dev = data / "dev" / "comments.jsonl"
    if dev.exists():
        texts += [json.loads(line)["text"] for line in dev.read_text(encoding="utf-8").splitlines()]
    return texts


def run(data: Path, limit: int = 2000, latency_n: int = 300) -> dict[str, float]:
    """Measure; returns the figures (comments/s, ms, MB, share sent to the encoder)."""
    from vigie.detectors.judge import JudgeDetector, JudgeOptions
    from vigie.models.encoder import encode, load_encoder
    from vigie.records import parse_comment
    from vigie.text.prepare import prepare_batch

    texts = _texts(data)[:limit]
    comments = [parse_comment({
        "id": f"yt:c-{i}", "platform": "youtube", "text": t, "created_at": "2025-03-18T14:05:42Z",
        "author": {"id": "yt:u-1", "name": "T"}}) for i, t in enumerate(texts)]
    start = time.process_time()
    prepared = prepare_batch(comments)
    prep = time.process_time() - start
    load_encoder()
    out: dict[str, float] = {"comments": float(len(texts)),
                             "prepare_per_s": len(texts) / max(prep, 1e-9)}
    for cascade in (True, False):
        detector = JudgeDetector(JudgeOptions(cascade=cascade))
        detector.detect(prepared[:64], [[] for _ in range(64)])  # warm-up
        start = time.process_time()
        encoded = 0
        for i in range(0, len(prepared), 64):
            batch = prepared[i : i + 64]
            native = [detector.is_native(p) for p in batch]
            scores = detector.model.score([p.text for p in batch],
                                          [p.norm.text for p in batch], native, encode,
                                          cascade=cascade,
                                          settle=detector.options.settle_above)
            encoded += int(scores.encoded.sum())
        scoring = time.process_time() - start
        start = time.process_time()
        for i in range(0, len(prepared), 64):
            batch = prepared[i : i + 64]
            detector.detect(batch, [[] for _ in batch])
        whole = time.process_time() - start
        latencies = []
        for p in prepared[:latency_n]:
            t0 = time.perf_counter()
            detector.detect([p], [[]])
            latencies.append((time.perf_counter() - t0) * 1000)
        key = "cascade" if cascade else "encoder_always"
        out[f"{key}_scores_per_cpu_s"] = len(prepared) / max(scoring, 1e-9)
        out[f"{key}_detect_per_cpu_s"] = len(prepared) / max(whole, 1e-9)
        out[f"{key}_encoder_share"] = encoded / len(prepared)
        out[f"{key}_latency_p50_ms"] = float(np.percentile(latencies, 50))
        out[f"{key}_latency_p99_ms"] = float(np.percentile(latencies, 99))
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def main() -> None:
    """Command line: print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--limit", type=int, default=2000)
    args = parser.parse_args()
    print(json.dumps({k: round(v, 3) for k, v in run(args.data, args.limit).items()}, indent=1))


if __name__ == "__main__":
    main()
