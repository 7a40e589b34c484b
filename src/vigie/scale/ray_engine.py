"""``vigie moderate --engine ray``: one stream of comments moderated by many workers, on Ray Data.

The job is a Ray Data pipeline of two ``map_batches`` stages (docs/scale-out.md draws it):

1. **sequence** — one actor reads the inputs in order and runs the context step
   (:class:`vigie.scale.context.ContextSequencer`): batches of ``batch_size`` good comments, each
   with its thread context and the stateful detectors' results. It *yields* batches as it goes,
   so the workers start at once and memory stays bounded (Ray's generator back-pressure).
2. **moderate** — ``workers`` actors, each loading the pipeline once
   (:class:`vigie.scale.context.ReplayPipeline`), decide whole batches, in any order.

The driver takes the results back in input order (``preserve_order``), writes decisions and
rejects, and reports progress. Nothing in the distributed part has a side effect: store writes
and platform actions happen after it, from the driver, so a rerun is safe. The decisions are
byte for byte those of the single-process ``vigie moderate`` with the same policy, input and
``--batch-size``.

Ray is an optional extra (``pip install 'vigie[ray]'``), imported only when this engine runs.
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import os
import pickle
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from vigie.batch.moderation import DEFAULT_BATCH, RunStats
from vigie.batch.reader import ReadResult
from vigie.errors import InputError, VigieError
from vigie.pipeline import freeze_heap
from vigie.policy import parse_policy
from vigie.scale._wire import decode_batch, encode_batch
from vigie.scale.context import ContextSequencer, ReplayPipeline
from vigie.scale.io import DecisionWriter, Source, read_sources_with_lines, resolve_sources

__all__ = ["RayOptions", "moderate_command", "moderate_ray"]

log = logging.getLogger(__name__)

#: Context batches per block handed from the sequencer to the workers (256 comments each):
#: blocks of ~1,000 comments keep Ray's per-block cost negligible and the workers busy.
BATCHES_PER_BLOCK = 4

# The sequencer does about a quarter of a worker's work per comment. It reserves no CPU: N workers
# must all start at once on N cores (a reserved fraction kept the last worker waiting until the
# sequencer had read everything); it shares a core with them.
_SEQUENCER_CPUS = 0

# Target size of the blocks passed between stages (see _data_context).
_BLOCK_BYTES = 512 * 1024

_INSTALL_HINT = "--engine ray needs the optional extra: pip install 'vigie[ray]'"

# Native thread pools, one thread per actor: each actor has one CPU, and a BLAS pool per actor
# sized to the machine would oversubscribe it (Ray sets only OMP_NUM_THREADS, and only after
# numpy has loaded). What the driver's environment sets explicitly is kept.
_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

# Young objects the sequencer allocates between two cyclic collections (Python's default: 700).
# It keeps ~20,000 comments of thread context and the coordination window alive, and with the
# default the collections keep walking them for nothing (it makes no cycles): about a fifth of
# its CPU time on 100,000 synthetic comments, profiled in one process.
_SEQUENCER_GC_THRESHOLD = (10_000, 10, 10)


@dataclass(frozen=True, slots=True)
class RayOptions:
    """How to run on Ray.

    Attributes:
        address: an existing cluster (``auto``, ``HOST:PORT`` or ``ray://HOST:10001``); ``None``
            starts a local one for the run (and stops it after).
        workers: moderation actors (each loads the models once and uses one CPU); ``None``: as
            many as the cluster has CPUs.
        batch_size: good comments per batch, as ``vigie moderate --batch-size``.
        num_cpus: CPUs of the local cluster (``None``: all of this machine's).
    """

    address: str | None = None
    workers: int | None = None
    batch_size: int = DEFAULT_BATCH
    num_cpus: int | None = None


class SequenceStage:
    """Ray Data stage 1 (one actor): reads the inputs and yields context batches in order."""

    def __init__(self, sources: list[tuple[str, str]], policy_text: str, policy_source: str,
                 batch_size: int) -> None:
        """Load the policy and its stateful detectors (once)."""
        self.sources = [Source(uri, fmt) for uri, fmt in sources]
        # Its workers decide by the file's policy: a comment posted during one of its periods
        # is refused rather than decided under the wrong rules.
        self.sequencer = ContextSequencer(parse_policy(policy_text, source=policy_source),
                                          batch_size=batch_size, refuse_periods=True)
        freeze_heap()  # the actor keeps its detectors to the end
        gc.set_threshold(*_SEQUENCER_GC_THRESHOLD)

    def __call__(self, job: Any) -> Iterator[dict[str, Any]]:
        """Yield blocks of ``BATCHES_PER_BLOCK`` context batches: ``seq`` and ``payload``."""
        import numpy as np

        lines: dict[int, str] = {}  # JSON lines of the comments read, until sent

        def records() -> Iterator[ReadResult]:
            for result, line in read_sources_with_lines(self.sources):
                if line is not None:
                    lines[id(result.comment)] = line
                yield result

        seqs: list[int] = []
        payloads: list[bytes] = []
        for batch in self.sequencer.stream(records()):
            seqs.append(batch.seq)
            payloads.append(encode_batch(batch, lines))
            if len(seqs) >= BATCHES_PER_BLOCK:
                yield {"seq": np.array(seqs, dtype=np.int64),
                       "payload": np.array(payloads, dtype=object)}
                seqs, payloads = [], []
        if seqs:
            yield {"seq": np.array(seqs, dtype=np.int64),
                   "payload": np.array(payloads, dtype=object)}


class ModerateStage:
    """Ray Data stage 2 (``workers`` actors): decides whole context batches."""

    def __init__(self, policy_text: str, policy_source: str) -> None:
        """Build the pipeline once per actor (models load here)."""
        self.pipeline = ReplayPipeline(parse_policy(policy_text, source=policy_source))
        freeze_heap()  # the actor keeps its pipeline to the end

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        """Decide each context batch; return ``seq`` and ``result`` (pickled rows, rejects)."""
        import numpy as np

        results = []
        for payload in batch["payload"]:
            context = decode_batch(payload)
            rows = [
                (json.dumps(d.to_dict(), ensure_ascii=False), d.comment_id, d.action.value,
                 d.escalate, d.strike, list(d.clauses))
                for d in self.pipeline.moderate(context)
            ]
            rejects = [json.dumps(r, ensure_ascii=False) for r in context.rejects]
            results.append(pickle.dumps((context.seq, context.first, rows, rejects, os.getpid()),
                                        protocol=pickle.HIGHEST_PROTOCOL))
        return {"seq": np.asarray(batch["seq"], dtype=np.int64),
                "result": np.array(results, dtype=object)}


def _vigie_cause(error: BaseException) -> VigieError | None:
    """The VigieError a worker raised, found in the chain Ray wraps it in."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        original = getattr(current, "cause", None)  # a RayTaskError keeps the worker's error
        if isinstance(original, VigieError):
            return original
        if isinstance(current, VigieError):
            return current
        current = current.__cause__ or current.__context__
    return None


def _start(options: RayOptions) -> tuple[Any, bool]:
    try:
        import ray
    except ImportError:
        raise VigieError(_INSTALL_HINT) from None
    started = False
    if not ray.is_initialized():
        kwargs: dict[str, Any] = {
            "logging_level": logging.WARNING, "log_to_driver": True,
            # For this job's every worker process (idle ones included, so they can be used).
            "runtime_env": {"env_vars": {name: os.environ.get(name, "1")
                                         for name in _THREAD_VARS}},
        }
        address = options.address
        if address is None:
            # "local": a new cluster for this run, never one that someone else started here.
            address = "local"
            kwargs.update(include_dashboard=False, num_cpus=options.num_cpus)
        ray.init(address=address, **kwargs)
        started = True
    return ray, started


def _data_context(ray: Any) -> Any:
    """This run's Ray Data settings (on a copy: the driver's own context is left as it was)."""
    with warnings.catch_warnings():  # copying touches Ray's own deprecated settings
        warnings.simplefilter("ignore", DeprecationWarning)
        context = ray.data.DataContext.get_current().copy()
    context.execution_options.preserve_order = True  # results come back in input order
    # Ray merges what a stage yields into blocks of up to 128 MiB before passing them on; the
    # sequencer yields ~0.75 MB at a time, which must reach the workers at once, not at the end.
    context.target_max_block_size = _BLOCK_BYTES
    context.enable_progress_bars = False  # the CLI draws its own
    context.print_on_execution_start = False
    return context


def moderate_ray(
    inputs: Sequence[str],
    output: str | None,
    *,
    policy_path: str | Path,
    options: RayOptions = RayOptions(),
    rejects: str | None = None,
    text_out: IO[str] | None = None,
    on_progress: Callable[[int], None] | None = None,
    on_reject: Callable[[dict[str, Any]], None] | None = None,
) -> RunStats:
    """Moderate files of comments on a Ray cluster; decisions in input order.

    Args:
        inputs: JSONL, CSV or Parquet files, folders of them, or URLs (see
            :func:`vigie.scale.io.resolve_sources`), read one after the other.
        output: decisions file or URL (``.parquet``: Parquet, else JSONL); ``None``: JSONL to
            ``text_out``.
        policy_path: the policy file; workers parse the same text, so decisions carry the same
            digest.
        options: cluster address, workers, batch size.
        rejects: where bad records go (JSONL, as ``vigie moderate`` writes them); ``None``:
            not written (``on_reject`` still sees them).
        text_out: where JSONL decisions go when ``output`` is ``None``.
        on_progress: called with the number of decisions of each batch written.
        on_reject: called with each reject record (``line``, ``error``, ``raw``).

    Returns:
        Counts of records read, decided and rejected.

    Raises:
        VigieError: Ray is not installed, an input is missing or unreadable (the error a worker
            raised is re-raised here), or the policy is invalid.
    """
    if not inputs:
        raise InputError("no input file given")
    sources = resolve_sources(inputs)
    policy_file = Path(policy_path)
    policy_text = policy_file.read_text(encoding="utf-8")
    parse_policy(policy_text, source=str(policy_file))  # a broken policy stops here, not in Ray
    ray, started = _start(options)
    try:
        with ray.data.DataContext.current(_data_context(ray)):
            return _run(ray, sources, output, policy_text, str(policy_file), options, rejects,
                        text_out, on_progress, on_reject)
    except Exception as error:
        cause = _vigie_cause(error)  # a worker's error arrives wrapped by Ray
        if cause is not None and cause is not error:
            raise cause from None
        raise
    finally:
        if started:
            ray.shutdown()


def _run(ray: Any, sources: list[Source], output: str | None, policy_text: str,
         policy_source: str, options: RayOptions, rejects: str | None,
         text_out: IO[str] | None, on_progress: Callable[[int], None] | None,
         on_reject: Callable[[dict[str, Any]], None] | None) -> RunStats:
    cpus = int(ray.cluster_resources().get("CPU", 1))
    workers = options.workers or max(1, cpus)
    sequence_args: dict[str, Any] = {}
    if any(s.local for s in sources):
        # Local files exist on this machine only: the sequencer must run on the driver's node.
        sequence_args["label_selector"] = {
            "ray.io/node-id": ray.get_runtime_context().get_node_id()}
    pool = ray.data.ActorPoolStrategy
    dataset = ray.data.from_items([{"job": 0}]).map_batches(
        SequenceStage,
        fn_constructor_kwargs={"sources": [(s.uri, s.fmt) for s in sources],
                               "policy_text": policy_text, "policy_source": policy_source,
                               "batch_size": options.batch_size},
        batch_size=1, compute=pool(size=1), num_cpus=_SEQUENCER_CPUS, **sequence_args,
    ).map_batches(
        ModerateStage,
        fn_constructor_kwargs={"policy_text": policy_text, "policy_source": policy_source},
        batch_size=None, compute=pool(size=workers), num_cpus=1,
    )
    # Ray warns that the workers stage has a single input: the sequencer's one job row, which
    # fans out into many blocks as it runs.
    warnings.filterwarnings("ignore", message="The minimum number of concurrent actors")
    stats = RunStats()
    per_worker: dict[int, int] = {}
    expected = 0
    with contextlib.ExitStack() as stack:
        reject_sink = (stack.enter_context(Path(rejects).open("w", encoding="utf-8"))
                       if rejects else None)
        writer = stack.enter_context(DecisionWriter(output, text_out))
        for block in dataset.iter_batches(batch_size=None, batch_format="numpy",
                                          prefetch_batches=2):
            for result in block["result"]:
                seq, first, rows, reject_lines, worker = pickle.loads(result)
                per_worker[worker] = per_worker.get(worker, 0) + len(rows)
                if seq != expected:  # preserve_order guarantees it; never write out of order
                    raise VigieError(f"Ray returned batch {seq} where {expected} was due")
                expected += 1
                for line in reject_lines:
                    if reject_sink is not None:
                        reject_sink.write(line + "\n")
                    if on_reject is not None:
                        on_reject(json.loads(line))
                writer.write(first, rows)
                stats.read += len(rows) + len(reject_lines)
                stats.decided += len(rows)
                stats.rejected += len(reject_lines)
                if on_progress is not None and rows:
                    on_progress(len(rows))
    log.info("ray run: %d decided, %d rejected; decisions per worker process: %s",
             stats.decided, stats.rejected, per_worker)
    return stats


def moderate_command(
    inputs: Sequence[str], output: Path | None, rejects: Path | None,
    policy_file: Path | None, *, batch_size: int, quiet: bool, address: str | None,
    workers: int | None, db: str | None,
) -> None:
    """``vigie moderate --engine ray``: the CLI's side of :func:`moderate_ray`.

    Prints progress (when writing to a file) and the summary on standard error, as the
    single-process command does.

    Raises:
        VigieError: as :func:`moderate_ray`; ``--db`` is refused (see docs/scale-out.md).
    """
    import sys

    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from vigie.policy import default_policy_path

    if db is not None:
        raise VigieError("--db is not available with --engine ray yet: write the decisions to "
                         "a file, then import them, or run without --engine ray")
    err = Console(stderr=True)
    rejects_path = rejects or (output.with_name(output.name + ".rejects.jsonl")
                               if output else None)

    def report(record: dict[str, Any]) -> None:
        err.print(f"[yellow]line {record['line']}[/]: rejected: {record['error']}")
        if rejects_path is None:
            err.print(f"  raw: {record['raw']}", markup=False)

    progress = Progress(TextColumn("[progress.description]{task.description}"), BarColumn(),
                        TextColumn("{task.completed:,} comments"), TimeElapsedColumn(),
                        console=err, disable=quiet or output is None)
    with progress:
        task = progress.add_task("moderating on Ray", total=None)
        stats = moderate_ray(
            inputs, str(output) if output else None,
            policy_path=policy_file or default_policy_path(),
            options=RayOptions(address=address, workers=workers, batch_size=batch_size),
            rejects=str(rejects_path) if rejects_path else None, text_out=sys.stdout,
            on_progress=lambda n: progress.advance(task, n), on_reject=report,
        )
    err.print(f"{stats.decided:,} decided, {stats.rejected:,} rejected"
              + (f" (see {rejects_path})" if stats.rejected and rejects_path else ""))
