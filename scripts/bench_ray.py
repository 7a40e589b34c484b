"""Benchmark of ``vigie moderate --engine ray`` against the single process (issue 10).

Writes N synthetic comments (:func:`vigie.demo.synthetic.synthetic_records`) to a JSONL file, then
moderates it, each configuration in a fresh child process:

- ``single``: the single-process ``vigie moderate`` path (``moderate_stream``), one core;
- ``ray-K``: a local Ray cluster started by the run, with K moderation workers.

For each it reports the end-to-end wall time (start-up included: Ray's cluster start and each
actor's model loading, the pipeline's model loading), the steady-state throughput (from the
first decision written to the last), the CPU time of every process of the run and the cores it
actually got while deciding (the machine may be shared), and the peak of the summed proportional
memory (PSS: shared pages counted once) of the child and all Ray processes of the run (GCS,
raylet, workers), sampled every 5 s. The outputs are compared byte for byte.

CPU time is also split by role over the steady window (sampled every 0.5 s): ``workers``
(the moderation actors), ``sequencer`` (its actor), ``driver`` (the child process: Ray Data's
executor, writing), ``ray_other`` (Ray's daemons and any other Ray process), in milliseconds
per comment decided in the window. ``workers`` is the issue's *w*, the rest its *d*. The
benchmark's own sampling CPU is reported too (``monitor_cpu_s``): it runs on the same cores.
Usage::

    .venv/bin/python scripts/bench_ray.py --n 100000 --workers 1,2 --repeat 2 --dir /tmp/b \
        --json-out docs/bench-ray-100k.json

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
    from vigie.demo.synthetic import synthetic_records

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
        from vigie.batch.moderation import moderate_stream
        from vigie.batch.reader import read_comments
        from vigie.pipeline import Pipeline
        from vigie.policy import load_policy

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
                      "steady_n": done - marks["first_n"],
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


def _role(process: psutil.Process, root: psutil.Process) -> str:
    if process.pid == root.pid:
        return "driver"
    title = " ".join(process.cmdline())  # Ray sets an actor's title to its class
    if "ModerateStage" in title:
        return "workers"
    if "SequenceStage" in title:
        return "sequencer"
    return "ray_other"


def _short_name(process: psutil.Process) -> str:
    """``raylet``, ``gcs_server``, ``log_monitor.py``, ``ray::IDLE``...: what a process is."""
    words: list[str] = process.cmdline()
    if not words:
        return str(process.name())
    if words[0].startswith("ray::"):
        return words[0]
    scripts = [w for w in words[1:3] if w.endswith(".py")]
    return Path(scripts[0] if scripts else words[0]).name


_ROLES = ("workers", "sequencer", "driver", "ray_other")
_PSS_EVERY = 10  # PSS reads every 10th sample (5 s): reading smaps is not free on 2 cores


def _measure(mode: str, source: Path, output: Path, workers: int, batch_size: int
             ) -> dict[str, Any]:
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    command = [sys.executable, __file__, "--child", mode, "--input", str(source),
               "--output", str(output), "--workers", str(workers),
               "--batch-size", str(batch_size)]
    started, since = time.perf_counter(), time.time()
    monitor_cpu = time.process_time()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
    root = psutil.Process(child.pid)
    peak_pss = 0
    cpu: dict[int, float] = {}
    roles: dict[int, str] = {}  # sticky: an idle Ray worker becomes an actor, never back
    names: dict[int, str] = {}
    # (epoch, CPU seconds of the run so far, per role, per process)
    samples: list[tuple[float, float, dict[str, float], dict[int, float]]] = []
    tick = 0
    while child.poll() is None:
        total = 0
        for process in _run_processes(root, since):
            try:
                with process.oneshot():
                    if tick % _PSS_EVERY == 0:
                        total += process.memory_full_info().pss  # shared pages counted once
                    times = process.cpu_times()
                    if roles.get(process.pid, "ray_other") == "ray_other":
                        roles[process.pid] = _role(process, root)
                        names[process.pid] = _short_name(process)
                cpu[process.pid] = times.user + times.system
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue
        peak_pss = max(peak_pss, total)
        by_role = dict.fromkeys(_ROLES, 0.0)
        for pid, seconds in cpu.items():
            by_role[roles.get(pid, "ray_other")] += seconds
        samples.append((time.time(), sum(cpu.values()), by_role, dict(cpu)))
        tick += 1
        time.sleep(0.5)
    monitor_cpu = time.process_time() - monitor_cpu
    stdout, _ = child.communicate()
    if child.returncode != 0:
        raise SystemExit(f"{mode} failed with exit code {child.returncode}")
    result: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    n = result["decided"]

    def sample_at(epoch: float) -> tuple[float, float, dict[str, float], dict[int, float]]:
        return min(samples, key=lambda s: abs(s[0] - epoch)) if samples else (
            epoch, 0.0, dict.fromkeys(_ROLES, 0.0), {})

    steady_from, steady_to = result.pop("steady_from"), result.pop("steady_to")
    window = steady_to - steady_from
    start, end = sample_at(steady_from), sample_at(steady_to)
    steady_cpu = end[1] - start[1]
    steady_n = result.pop("steady_n")
    if steady_n and end[0] > start[0]:
        # Comments decided between the two samples, at the steady rate.
        in_window = steady_n * (end[0] - start[0]) / window
        result["steady_cpu_ms_per_comment"] = {
            role: round(1000 * (end[2][role] - start[2][role]) / in_window, 4)
            for role in _ROLES}
        other: dict[str, float] = {}  # what ray_other is made of
        for pid, seconds in end[3].items():
            if roles.get(pid) == "ray_other":
                name = names.get(pid, "?")
                other[name] = other.get(name, 0.0) + seconds - start[3].get(pid, 0.0)
        result["steady_ray_other_ms_per_comment"] = {
            name: round(1000 * seconds / in_window, 4)
            for name, seconds in sorted(other.items(), key=lambda kv: -kv[1]) if seconds > 0}
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
        monitor_cpu_s=round(monitor_cpu, 1),
        sha256=hashlib.sha256(output.read_bytes()).hexdigest(),
    )
    return result


def _sequencer_only(source: Path, batch_size: int, gc_mode: str, payload: str
                    ) -> dict[str, Any]:
    """The sequencer actor's work on ``source``, in this process, no Ray: CPU per comment.

    ``gc_mode`` ``default`` leaves Python's collector as it is, ``tuned`` sets it as the actor
    does; ``payload`` ``lines`` sends batches as the engine does, ``pickle`` pickles the
    batch objects whole (the engine's former payload).
    """
    import gc
    import pickle

    from vigie.pipeline import freeze_heap
    from vigie.policy import load_policy
    from vigie.scale._wire import encode_batch
    from vigie.scale.context import ContextSequencer
    from vigie.scale.io import read_sources_with_lines, resolve_sources
    from vigie.scale.ray_engine import _SEQUENCER_GC_THRESHOLD

    sequencer = ContextSequencer(load_policy(), batch_size=batch_size)
    freeze_heap()
    if gc_mode == "tuned":
        gc.set_threshold(*_SEQUENCER_GC_THRESHOLD)
    lines: dict[int, str] = {}
    sources = resolve_sources([str(source)])

    def records() -> Any:
        for result, line in read_sources_with_lines(sources):
            if line is not None and payload == "lines":
                lines[id(result.comment)] = line
            yield result

    started, n, size = time.process_time(), 0, 0
    for batch in sequencer.stream(records()):
        data = (encode_batch(batch, lines) if payload == "lines"
                else pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL))
        n += len(batch.comments)
        size += len(data)
    seconds = time.process_time() - started
    return {"comments": n, "gc": gc_mode, "payload": payload,
            "cpu_ms_per_comment": round(1000 * seconds / n, 4),
            "payload_bytes_per_comment": round(size / n)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="synthetic comments")
    parser.add_argument("--workers", default="1,2", help="Ray worker counts, comma-separated")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--dir", default="/tmp/vigie-bench-ray", help="input and outputs")
    parser.add_argument("--skip-single", action="store_true")
    parser.add_argument("--repeat", type=int, default=1, help="rounds; the fastest is kept")
    parser.add_argument("--json-out", help="also write the summary to this file")
    parser.add_argument("--sequencer-only", action="store_true",
                        help="time the sequencer's work in this process (no Ray), then stop")
    parser.add_argument("--sequencer-gc", choices=("default", "tuned"), default="tuned")
    parser.add_argument("--sequencer-payload", choices=("lines", "pickle"), default="lines")
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
    if args.sequencer_only:
        print(json.dumps(_sequencer_only(source, args.batch_size, args.sequencer_gc,
                                         args.sequencer_payload)))
        return
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
    for name, run in runs.items():
        # The arithmetic: w = CPU of the moderation workers per comment, d = the rest
        # (sequencer, driver, Ray); on 2 cores 2 workers can reach 2w / (w + d) of one.
        per = run.get("steady_cpu_ms_per_comment")
        if per and name.startswith("ray-"):
            w = per["workers"]
            d = round(sum(per.values()) - w, 4)
            run["w_ms"], run["d_ms"] = w, d
            run["d_over_w"] = round(d / w, 3) if w else None
    summary["command"] = " ".join(["scripts/bench_ray.py", *sys.argv[1:]])
    text = json.dumps(summary, indent=1)
    print(text)
    if args.json_out:
        Path(args.json_out).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
