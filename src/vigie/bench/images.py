"""Benchmark of the image detector: images per second per core, and what text-only costs.

Measures, on one core (ONNX Runtime with one intra-op and one inter-op thread):

* ``images_per_s`` — decode + letterbox + model + box decoding, batches of 8, on the labeled
  benign set (:mod:`vigie.bench.images_evalset`: renders 512 to 800 px, photographs up to 1411 px);
* ``latency_ms`` — one image at a time, p50 and p99;
* ``decode_share`` — the share of the time spent decoding and resizing (Pillow);
* ``text_comments_per_s`` — the detector on comments without attachments (the usual case),
  which must cost next to nothing.

Fetch time is not included: it depends on the platform's CDN, and it is bounded by the fetch
time-outs (docs/images.md).

Usage::

    python -m vigie.bench.images --images 64      # prints one JSON object

or :func:`run_images_bench` from ``vigie bench``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import UTC, datetime
from typing import Any

__all__ = ["run_images_bench"]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run_images_bench(images: int = 64, text_comments: int = 20_000) -> dict[str, Any]:
    """Time the image detector (see the module docstring); loads the model once.

    Returns:
        A JSON-ready dict; ``{"available": False, "reason": ...}`` without the ``images``
        extra.
    """
    from vigie.detectors.images import ImageDetector, ImageOptions, load_model

    model, why = load_model()
    if model is None:
        return {"available": False, "reason": why}
    from vigie.bench.images_evalset import eval_set
    from vigie.media.decode import decode_image, letterbox
    from vigie.records import Author, Comment, Platform
    from vigie.text.prepare import prepare_batch

    pool = [item.data for item in eval_set(per_kind=6)]
    blobs = [pool[i % len(pool)] for i in range(images)]
    model.analyse(blobs[:2])  # warm-up: first-run allocations are not the steady state

    started = time.perf_counter()
    for start in range(0, len(blobs), 8):
        model.analyse(blobs[start:start + 8])
    batched = time.perf_counter() - started

    latencies = []
    for blob in blobs:
        t0 = time.perf_counter()
        model.analyse([blob])
        latencies.append((time.perf_counter() - t0) * 1000.0)

    t0 = time.perf_counter()
    for blob in blobs:
        letterbox(decode_image(blob).image)
    decode = time.perf_counter() - t0

    detector = ImageDetector(ImageOptions(), model, None)
    comments = [Comment(id=f"b:{i}", platform=Platform.FACEBOOK, text="Bravo à tous!",
                        created_at=datetime(2025, 1, 1, tzinfo=UTC), author=Author(id="b:a"))
                for i in range(min(text_comments, 2000))]
    prepared = prepare_batch(comments)
    empty: list[list[Any]] = [[] for _ in prepared]
    rounds = max(1, text_comments // len(prepared))
    t0 = time.perf_counter()
    for _ in range(rounds):
        detector.detect(prepared, empty)
    text_s = time.perf_counter() - t0

    return {
        "available": True,
        "images": len(blobs),
        "images_per_s": round(len(blobs) / batched, 1),
        "latency_ms": {"p50": round(statistics.median(latencies), 1),
                       "p99": round(_percentile(latencies, 0.99), 1)},
        "decode_share": round(decode / sum(latencies) * 1000.0, 3),
        "text_comments_per_s": round(rounds * len(prepared) / text_s),
        "threads": 1,
    }


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: print the benchmark as one JSON object."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=64)
    parser.add_argument("--text-comments", type=int, default=20_000)
    args = parser.parse_args(argv)
    json.dump(run_images_bench(args.images, args.text_comments), sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
