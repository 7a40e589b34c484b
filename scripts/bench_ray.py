"""Benchmark of ``vigie moderate --engine ray`` against the single process (issue 10).

Writes N synthetic comments (:func:`vigie.synthetic.synthetic_records`) to a JSONL file, then
moderates it, each configuration in a fresh child process:

- ``single``: the single-process ``vigie moderate`` path (``moderate_stream``), one core;
- ``ray-K``: a local Ray cluster started by the run, with K moderation workers.

For each it reports the end-to-end wall time (start-up included: Ray's cluster start and each
actor's model loading, the pipeline's model loading), the steady-state throughput (from the
first decision written to the last), the CPU time of every process of the run and the cores it
actually got while deciding (the machine may be shared), and the peak of the summed proportional
memory (PSS: shared pages counted once) of the child and all Ray processes of the run (GCS,
raylet, workers), sampled every 0.5 s. The outputs are compared byte for byte. Usage::

    .venv/bin/python scripts/bench_ray.py --n 100000 --workers 1,2 --repeat 2 --dir /tmp/b

Every child runs with OMP_NUM_THREADS=1, as Ray runs its workers, so that one worker and the
single process do the same work per comment.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil


def _write_input(path: Path, n: int) -> None:
    from vigie.synthetic import synthetic_records

    if path.exists() and sum(1 for _ in path.open(encoding="utf-8")) == n:
        return
    with path.open("w", encoding="utf-8") as out:
        for record in synthetic_records(n):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def _child(mode: str, source: str, output: str, workers: int, batch_size: int) -> None:
    """Run one configuration and print its timings as JSON (runs in the child process)."""
    started = time.perf_counter()
    marks: dict[str, float] = {}
    done = 0

    def progress(count: int) -> None:
        nonlocal done
        if not marks:
            marks["first"] = time.perf_counter()
            marks["first_n"] = count
            marks["first_epoch"] = time.time()
        done += count

    if mode == "single":
        from vigie.moderation import moderate_stream
        from vigie.pipeline import Pipeline
        from vigie.policy import load_policy
        from vigie.reader import read_comments

        pipeline = Pipeline.from_policy(load_policy(None))
        with open(output, "w", encoding="utf-8") as out:
            moderate_stream(pipeline, read_comments(source), out, None, batch_size=batch_size,
                            on_batch=lambda c, d: progress(len(d)))
    else:
        import logging

        logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
        logging.getLogger("vigie.scale.ray_engine").setLevel(logging.INFO)
        from vigie.policy import default_policy_path
        from vigie.scale.ray_engine import RayOptions, moderate_ray

        moderate_ray([source], output, policy_path=default_policy_path(),
                     options=RayOptions(workers=workers, batch_size=batch_size),
                     on_progress=progress)
    ended = time.perf_counter()
    steady = (done - marks["first_n"]) / (ended - marks["first"]) if done > marks["first_n"] \
        else 0.0
    print(json.dumps({"wall_s": ended - started, "first_decision_s": marks["first"] - started,
                      "decided": done, "steady_comments_per_s": steady,
                      "steady_from": marks["first_epoch"], "steady_to": time.time()}))


def _run_processes(root: psutil.Process, since: float) -> list[psutil.Process]:
    """The child and its descendants, and Ray's processes started since ``since``: Ray's
    daemons and workers are re-parented to init, so the tree alone misses them."""
    found = {}
    try:
        for process in [root, *root.children(recursive=True)]:
            found[process.pid] = process
    except psutil.NoSuchProcess:
        pass
    for process in psutil.process_iter(["create_time", "cmdline"]):
        info = process.info
        if (info["create_time"] or 0) >= since - 1 and "ray" in " ".join(info["cmdline"] or ()):
            found.setdefault(process.pid, process)
    return list(found.values())


def _measure(mode: str, source: Path, output: Path, workers: int, batch_size: int
             ) -> dict[str, Any]:
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    command = [sys.executable, __file__, "--child", mode, "--input", str(source),
               "--output", str(output), "--workers", str(workers),
               "--batch-size", str(batch_size)]
    started, since = time.perf_counter(), time.time()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
    root = psutil.Process(child.pid)
    peak_pss = 0
    cpu: dict[int, float] = {}
    samples: list[tuple[float, float]] = []  # (epoch, CPU seconds of the run so far)
    while child.poll() is None:
        total = 0
        for process in _run_processes(root, since):
            try:
                with process.oneshot():
                    total += process.memory_full_info().pss  # shared pages counted once
                    times = process.cpu_times()
                cpu[process.pid] = times.user + times.system
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue
        peak_pss = max(peak_pss, total)
        samples.append((time.time(), sum(cpu.values())))
        time.sleep(0.5)
    stdout, _ = child.communicate()
    if child.returncode != 0:
        raise SystemExit(f"{mode} failed with exit code {child.returncode}")
    result: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    n = result["decided"]

    def cpu_at(epoch: float) -> float:
        return min(samples, key=lambda s: abs(s[0] - epoch))[1] if samples else 0.0

    window = result.pop("steady_to") - result.pop("steady_from")
    steady_cpu = cpu_at(since + window + result["first_decision_s"]) - cpu_at(
        since + result["first_decision_s"])
    result.update(
        process_wall_s=round(time.perf_counter() - started, 2),
        comments_per_s=round(n / result["wall_s"], 1),
        steady_comments_per_s=round(result["steady_comments_per_s"], 1),
        wall_s=round(result["wall_s"], 2),
        first_decision_s=round(result["first_decision_s"], 2),
        cpu_s=round(sum(cpu.values()), 1),
        # Cores the run actually got while deciding (the machine is shared with others).
        cores_used_steady=round(steady_cpu / window, 2) if window > 0 else None,
        peak_pss_mb=round(peak_pss / 2**20, 1),
        sha256=hashlib.sha256(output.read_bytes()).hexdigest(),
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="synthetic comments")
    parser.add_argument("--workers", default="1,2", help="Ray worker counts, comma-separated")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--dir", default="/tmp/vigie-bench-ray", help="input and outputs")
    parser.add_argument("--skip-single", action="store_true")
    parser.add_argument("--repeat", type=int, default=1, help="rounds; the fastest is kept")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    parser.add_argument("--output", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.input, args.output, int(args.workers), args.batch_size)
        return
    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / f"synthetic-{args.n}.jsonl"
    _write_input(source, args.n)
    configs = [] if args.skip_single else [("single", "single", 1)]
    configs += [(f"ray-{w}", "ray", int(w)) for w in args.workers.split(",")]
    runs: dict[str, Any] = {}
    walls: dict[str, list[float]] = {name: [] for name, _, _ in configs}
    load = os.getloadavg()  # other users of the machine: figures are only comparable when low
    # Rounds run the configurations in turn, so that a busy spell of the machine's other users
    # does not fall on one configuration only; each keeps its fastest round.
    for _ in range(args.repeat):
        for name, mode, workers in configs:
            result = _measure(mode, source, folder / f"{name}.jsonl", workers, args.batch_size)
            print(json.dumps({name: result}), file=sys.stderr)
            walls[name].append(result["wall_s"])
            if name not in runs or result["wall_s"] < runs[name]["wall_s"]:
                runs[name] = result
    for name, values in walls.items():
        runs[name]["wall_s_all_rounds"] = values
    summary: dict[str, Any] = {"n": args.n, "cpus": os.cpu_count(), "load_avg_at_start": load,
                               "load_avg_at_end": os.getloadavg(), "runs": runs}
    digests = {run["sha256"] for run in runs.values()}
    summary["identical_outputs"] = len(digests) == 1
    single, one, two = runs.get("single"), runs.get("ray-1"), runs.get("ray-2")
    if single and one:
        summary["ray_overhead_1_worker_pct"] = round(
            100 * (one["wall_s"] / single["wall_s"] - 1), 1)
        summary["ray_overhead_1_worker_steady_pct"] = round(
            100 * (single["steady_comments_per_s"] / one["steady_comments_per_s"] - 1), 1)
    if one and two:
        summary["speedup_2_vs_1"] = round(one["wall_s"] / two["wall_s"], 2)
        summary["speedup_2_vs_1_steady"] = round(
            two["steady_comments_per_s"] / one["steady_comments_per_s"], 2)
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
