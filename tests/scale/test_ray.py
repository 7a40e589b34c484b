"""Scale-out (issue 10): a stream spread over workers is decided exactly as one process decides it.

The context step and its replay are tested without Ray (they are plain Python); the Ray engine
itself is tested end to end, byte for byte against ``vigie moderate``, where ``ray`` is installed
(CI installs it: ``pip install -e '.[dev,ray]'``).
"""

from __future__ import annotations

import importlib.util
import json
import random
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml

from factories import DEV_SET, make_policy, needs_dev_set
from vigie.batch.moderation import batched_results, moderate_stream
from vigie.batch.reader import ReadResult, read_comments
from vigie.demo.synthetic import synthetic_records
from vigie.detectors.base import DetectorInfo
from vigie.detectors.registry import Registry
from vigie.errors import InputError, VigieError
from vigie.findings import Finding
from vigie.pipeline import Pipeline
from vigie.policy import Policy, default_policy_path, load_policy
from vigie.records import parse_comment
from vigie.scale.context import STATEFUL, ContextBatch, ContextSequencer, ReplayPipeline
from vigie.scale.io import DecisionWriter, read_sources, resolve_sources
from vigie.text.prepare import PreparedComment

needs_ray = pytest.mark.skipif(
    importlib.util.find_spec("ray") is None,
    reason="ray is not installed (pip install -e '.[ray]'; CI installs it)")


def _lines(decisions: Sequence[Any]) -> list[str]:
    return [json.dumps(d.to_dict(), ensure_ascii=False) for d in decisions]


def _single(policy: Policy, results: Sequence[ReadResult], batch_size: int,
            registry: Registry | None = None) -> list[str]:
    """What ``vigie moderate`` decides: one pipeline, batches in input order."""
    pipeline = Pipeline.from_policy(policy, registry)
    out: list[str] = []
    for comments, _ in batched_results(results, batch_size):
        out += _lines(pipeline.moderate(comments))
    return out


def _replayed(policy: Policy, results: Sequence[ReadResult], batch_size: int,
              registry: Registry | None = None) -> tuple[list[str], list[ContextBatch]]:
    """Sequence the stream, then decide its batches in *reverse* order in one worker: the
    worker's history is as different from the single process's as it can be."""
    batches = list(ContextSequencer(policy, batch_size=batch_size, registry=registry)
                   .stream(results))
    worker = ReplayPipeline(policy, registry)
    decided = {b.seq: _lines(worker.moderate(b)) for b in reversed(batches)}
    return [line for seq in sorted(decided) for line in decided[seq]], batches


def _stress_records(n: int) -> list[dict[str, Any]]:
    """Synthetic comments with what makes order matter: replies to comments of earlier (and
    later) batches, copies of other accounts' texts, off-topic chatter, bursts."""
    rng = random.Random(3)
    records = list(synthetic_records(n, seed=11))
    for i, record in enumerate(records):
        roll = rng.random()
        if roll < 0.15 and i > 5:
            record["parent_id"] = records[rng.randrange(max(0, i - 400), min(n, i + 30))]["id"]
        elif roll < 0.25 and i > 5:
            record["text"] = records[rng.randrange(max(0, i - 300), i)]["text"]
        elif roll < 0.30:
            record["text"] = ("Le match de hockey hier soir était incroyable, les Canadiens ont "
                              "gagné en prolongation contre Toronto")
        elif roll < 0.33:
            record["author"] = dict(record["author"], id="fb:u-burst")
    return records


def _results(records: Sequence[dict[str, Any]]) -> list[ReadResult]:
    return [ReadResult(i + 1, parse_comment(r), None) for i, r in enumerate(records)]


# -- the context step and its replay, no Ray -------------------------------------------------


@needs_dev_set
def test_dev_set_replayed_in_reverse_order_is_decided_byte_for_byte_as_one_process() -> None:
    policy = load_policy()
    results = list(read_comments(DEV_SET))
    expected = _single(policy, results, batch_size=64)
    got, batches = _replayed(policy, results, batch_size=64)
    assert len(batches) == 6
    assert got == expected


def test_order_dependent_stream_replayed_in_reverse_is_decided_as_one_process() -> None:
    policy = load_policy()
    results = _results(_stress_records(900))
    expected = _single(policy, results, batch_size=128)
    got, batches = _replayed(policy, results, batch_size=128)
    assert got == expected
    # The stream really depends on its order: parents found in earlier batches, copies of
    # earlier batches' texts, a busy author counted across batches.
    first_of = {c.id: b.seq for b in batches for c in b.comments}
    parents_before = sum(1 for b in batches for ctx in b.contexts
                         if ctx.parent is not None and first_of[ctx.parent.id] < b.seq)
    copies = sum('"coordination.duplicate"' in line for line in expected)
    burst = max(ctx.author_posts for b in batches for ctx in b.contexts)
    assert parents_before > 20 and copies > 50 and burst > 20


def test_batches_sent_as_json_lines_arrive_equal_and_are_decided_as_one_process(
        tmp_path: Path) -> None:
    """What the Ray sequencer sends (lines, positions) rebuilds the batches it computed."""
    from vigie.scale._wire import decode_batch, encode_batch
    from vigie.scale.io import read_sources_with_lines

    records = _stress_records(600)
    jsonl = tmp_path / "a.jsonl"
    jsonl.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records[:500])
                     + "{broken\n", encoding="utf-8")
    csv_file = tmp_path / "b.csv"  # no line to send: its comments travel as objects
    csv_file.write_text("id,platform,text,created_at,author_id,post_id,post_text,parent_id\n"
                        + "".join(f'{r["id"]},{r["platform"]},"{r["text"].replace(chr(34), "")}",'
                                  f'{r["created_at"]},{r["author"]["id"]},{r["post"]["id"]},'
                                  f'"{r["post"]["text"]}",{r.get("parent_id") or ""}\n'
                                  for r in records[500:]), encoding="utf-8")
    sources = resolve_sources([str(jsonl), str(csv_file)])
    policy = load_policy()
    results = list(read_sources(sources))
    expected = list(ContextSequencer(policy, batch_size=128).stream(results))
    lines: dict[int, str] = {}

    def records_with_lines() -> Any:
        for result, line in read_sources_with_lines(sources):
            if line is not None:
                lines[id(result.comment)] = line
            yield result

    sent = [encode_batch(b, lines)
            for b in ContextSequencer(policy, batch_size=128).stream(records_with_lines())]
    assert not lines  # every line went out with its batch
    got = [decode_batch(payload) for payload in sent]
    assert got == expected
    for batch in got:  # a parent or earlier comment of the same batch is that very comment
        ids = {id(c) for c in batch.comments}
        for ctx in batch.contexts:
            if ctx.parent is not None and ctx.parent.id in {c.id for c in batch.comments}:
                assert id(ctx.parent) in ids
    worker = ReplayPipeline(policy)
    decided = {b.seq: _lines(worker.moderate(b)) for b in reversed(got)}
    assert [line for seq in sorted(decided) for line in decided[seq]] == _single(
        policy, results, batch_size=128)


class _Echo:
    """A stateful fake: flags a text seen before, in any earlier batch; explodes on 'boom'."""

    info = DetectorInfo("vigie.coordination.minhash.v1", ("spam.echo",), cost=2)

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def detect(self, batch: Sequence[PreparedComment],
               prior: Sequence[Sequence[Finding]]) -> list[list[Finding]]:
        if any("boom" in item.text for item in batch):
            raise RuntimeError("window corrupted")
        out = []
        for item in batch:
            key = item.norm.text
            out.append([Finding("spam.echo", 0.95, self.info.name, "seen before", None)]
                       if key in self.seen else [])
            self.seen.add(key)
        return out


class _Silent:
    info = DetectorInfo("test.silent.v1", ("hate.slur", "threat.death", "language.foreign",
                                           "tone.negative", "context.counter_speech"))

    def detect(self, batch: Sequence[PreparedComment],
               prior: Sequence[Sequence[Finding]]) -> list[list[Finding]]:
        return [[] for _ in batch]


def test_stateful_detector_findings_and_failures_are_replayed_exactly() -> None:
    assert "vigie.coordination.minhash.v1" in STATEFUL
    registry = Registry()
    registry.register("vigie.coordination.minhash.v1", ("spam.echo",), lambda o, p: _Echo())
    registry.register("test.silent.v1", _Silent.info.provides, lambda o, p: _Silent())
    policy = make_policy(**{"  test.fake.v1: {}": "  test.silent.v1: {}\n"
                                                  "  vigie.coordination.minhash.v1: {}"})
    texts = ["alpha", "beta", "alpha", "boom", "beta", "gamma", "boom again", "gamma", "alpha"]
    records = [{"id": f"fb:c-{i}", "platform": "facebook", "text": t,
                "created_at": "2025-03-18T14:05:42Z", "author": {"id": f"fb:u-{i}"}}
               for i, t in enumerate(texts)]
    results = _results(records)
    expected = _single(policy, results, batch_size=2, registry=registry)
    got, _ = _replayed(policy, results, batch_size=2, registry=registry)
    assert got == expected
    decisions = [json.loads(line) for line in got]
    assert [d["failures"] for d in decisions if "boom" in texts[int(d["comment_id"][5:])]] == [
        [{"detector": "vigie.coordination.minhash.v1", "error": "RuntimeError: window corrupted"}]
    ] * 2
    assert [d["action"] for d in decisions][4:6] == ["hide", "allow"]  # 'beta' again, 'gamma'


def test_sequencer_groups_records_and_rejects_as_vigie_moderate(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    good = [json.dumps(r) for r in synthetic_records(5)]
    source.write_text("\n".join([good[0], "{oops", good[1], "", good[2], good[3], good[4],
                                 '{"id": "x"}']) + "\n", encoding="utf-8")
    batches = list(ContextSequencer(load_policy(), batch_size=2).stream(read_comments(source)))
    assert [(b.seq, b.first, len(b.comments)) for b in batches] == [(0, 0, 2), (1, 2, 2),
                                                                     (2, 4, 1)]
    assert [[r["line"] for r in b.rejects] for b in batches] == [[2], [], [8]]


def test_ray_sequencer_refuses_a_comment_posted_during_a_period() -> None:
    from vigie.scale.context import PeriodNotSupportedError

    december = parse_comment({"id": "fb:c-6dec", "platform": "facebook", "text": "Souvenons-nous",
                              "created_at": "2026-12-06T15:00:00Z", "author": {"id": "fb:u-1"}})
    march = parse_comment({"id": "fb:c-mar", "platform": "facebook", "text": "Bravo",
                           "created_at": "2026-03-18T15:00:00Z", "author": {"id": "fb:u-1"}})
    sequencer = ContextSequencer(load_policy(), refuse_periods=True)
    assert sequencer.batch([march]).comments == (march,)
    with pytest.raises(PeriodNotSupportedError, match=r"fb:c-6dec.*sans --engine ray"):
        sequencer.batch([december])
    # The replay tests compare with Pipeline.moderate, which applies no period either.
    assert ContextSequencer(load_policy()).batch([december]).comments == (december,)


def test_sequencer_refuses_a_bad_batch_size() -> None:
    with pytest.raises(ValueError, match="batch_size"):
        ContextSequencer(load_policy(), batch_size=0)


# -- inputs and outputs ----------------------------------------------------------------------


def test_resolve_sources_expands_folders_in_name_order_and_names_bad_inputs(
        tmp_path: Path) -> None:
    (tmp_path / "b.csv").write_text("id\n", encoding="utf-8")
    (tmp_path / "a.jsonl").write_text("", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("", encoding="utf-8")
    sources = resolve_sources([str(tmp_path)])
    assert [(Path(s.uri).name, s.fmt) for s in sources] == [("a.jsonl", "jsonl"), ("b.csv", "csv")]
    with pytest.raises(InputError, match="cannot open"):
        resolve_sources([str(tmp_path / "missing.jsonl")])
    with pytest.raises(InputError, match="unknown input format"):
        resolve_sources([str(tmp_path / "notes.txt")])
    with pytest.raises(InputError, match="standard input"):
        resolve_sources(["-"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match=r"no \.jsonl"):
        resolve_sources([str(tmp_path / "empty")])


def test_parquet_in_both_shapes_reads_as_the_jsonl_it_came_from(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow", reason="pyarrow comes with the ray extra")
    pq = pytest.importorskip("pyarrow.parquet")
    records = _stress_records(40)
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                     encoding="utf-8")
    pq.write_table(pa.Table.from_pylist(records), tmp_path / "nested.parquet")
    flat = [{"id": r["id"], "platform": r["platform"], "text": r["text"],
             "created_at": r["created_at"], "author_id": r["author"]["id"],
             "author_name": r["author"]["name"], "author_followers": r["author"]["followers"],
             "author_verified": r["author"]["verified"], "post_id": r["post"]["id"],
             "post_text": r["post"]["text"], "post_links": r["post"]["links"],
             "parent_id": r["parent_id"]} for r in records]
    pq.write_table(pa.Table.from_pylist(flat), tmp_path / "flat.parquet")
    expected = [r.comment for r in read_comments(jsonl)]
    nested = [r.comment for r in read_sources(resolve_sources([str(tmp_path / "nested.parquet")]))]
    assert nested == expected
    flat_read = [r.comment for r in read_sources(resolve_sources([str(tmp_path / "flat.parquet")]))]
    assert [(c.id, c.text, c.author.id, c.author.followers, c.author.verified, c.post,
             c.parent_id, c.created_at) for c in flat_read] == [
        (c.id, c.text, c.author.id, c.author.followers, c.author.verified, c.post, c.parent_id,
         c.created_at) for c in expected]


def test_parquet_output_keeps_input_order_and_the_exact_json_lines(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet", reason="pyarrow comes with the ray extra")
    target = tmp_path / "out.parquet"
    rows = [(json.dumps({"comment_id": f"c{i}"}), f"c{i}", "allow", False, False, [])
            for i in range(5)]
    with DecisionWriter(str(target)) as writer:
        writer.write(0, rows[:3])
        writer.write(3, rows[3:])
    table = pq.read_table(target)
    assert table.column("index").to_pylist() == [0, 1, 2, 3, 4]
    assert table.column("decision").to_pylist() == [r[0] for r in rows]
    with DecisionWriter(str(tmp_path / "empty.parquet")):
        pass
    assert pq.read_table(tmp_path / "empty.parquet").num_rows == 0


# -- the Ray engine's edges, no cluster ------------------------------------------------------


def test_missing_input_fails_before_any_cluster_starts(tmp_path: Path) -> None:
    from vigie.scale.ray_engine import moderate_ray

    with pytest.raises(InputError, match="cannot open"):
        moderate_ray([str(tmp_path / "nope.jsonl")], None, policy_path=default_policy_path())


def test_without_ray_the_engine_says_how_to_install_it(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from vigie.scale.ray_engine import moderate_ray

    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(next(synthetic_records(1))) + "\n", encoding="utf-8")
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray -> ImportError
    with pytest.raises(VigieError, match=r"vigie\[ray\]"):
        moderate_ray([str(source)], None, policy_path=default_policy_path())


def test_a_workers_error_is_unwrapped_from_rays_exception() -> None:
    from vigie.scale.ray_engine import _vigie_cause

    class RayTaskError(Exception):  # Ray's wrapper keeps the worker's error as `cause`
        def __init__(self, cause: BaseException) -> None:
            super().__init__("ray::MapWorker(...) traceback")
            self.cause = cause

    original = InputError("in.csv: CSV header lacks author_id")
    try:
        try:
            raise RayTaskError(original)
        except RayTaskError as wrapped:
            raise RuntimeError("Failed to apply UDF transform") from wrapped
    except RuntimeError as error:
        assert _vigie_cause(error) is original
    assert _vigie_cause(RuntimeError("no vigie error here")) is None


def test_engine_options_are_checked_before_anything_runs(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(next(synthetic_records(1))) + "\n", encoding="utf-8")
    run = _vigie("moderate", str(source), "--engine", "spark")
    assert run.returncode == 1 and "valid: local, ray" in run.stderr
    run = _vigie("moderate", str(source), "--workers", "2")
    assert run.returncode == 1 and "need --engine ray" in run.stderr
    run = _vigie("moderate", str(source), "--engine", "ray", "--db", str(tmp_path / "v.sqlite"))
    assert run.returncode == 1 and "--db is not available with --engine ray" in run.stderr


# -- the Ray engine, end to end --------------------------------------------------------------


def _vigie(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "vigie", *args], capture_output=True,
                          text=True, timeout=280)


@needs_ray
@needs_dev_set
def test_vigie_moderate_on_ray_writes_the_same_bytes_as_one_process(tmp_path: Path) -> None:
    lines = DEV_SET.read_text(encoding="utf-8").splitlines()
    mixed = [*lines[:10], "{not json", *lines[10:20], "", *lines[20:],
             '{"id": "tail", "platform": "nowhere"}']
    source = tmp_path / "dev-mixed.jsonl"
    source.write_text("\n".join(mixed) + "\n", encoding="utf-8")
    # The Ray engine does not apply periods (it refuses comments posted during one, see
    # below): both runs use the bundled policy without its periods.
    data = yaml.safe_load(default_policy_path().read_text(encoding="utf-8"))
    data.pop("periods", None)
    policy_file = tmp_path / "no-periods.yaml"
    policy_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    single, on_ray = tmp_path / "single.jsonl", tmp_path / "ray.jsonl"
    run = _vigie("moderate", str(source), "-o", str(single), "-q", "--batch-size", "64",
                 "--policy", str(policy_file))
    assert run.returncode == 0, run.stderr
    run = _vigie("moderate", str(source), "-o", str(on_ray), "-q", "--batch-size", "64",
                 "--engine", "ray", "--workers", "2", "--policy", str(policy_file))
    assert run.returncode == 0, run.stderr[-3000:]
    assert "360 decided, 2 rejected" in run.stderr
    assert on_ray.read_bytes() == single.read_bytes()
    assert (tmp_path / "ray.jsonl.rejects.jsonl").read_bytes() == \
        (tmp_path / "single.jsonl.rejects.jsonl").read_bytes()


@needs_ray
def test_ray_engine_reads_parquet_folders_and_writes_parquet_in_input_order(
        tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from vigie.scale.ray_engine import RayOptions, moderate_ray

    records = _stress_records(700)
    folder = tmp_path / "archive"
    folder.mkdir()
    pq.write_table(pa.Table.from_pylist(records[:400]), folder / "2024-01.parquet")
    pq.write_table(pa.Table.from_pylist(records[400:]), folder / "2024-02.parquet")
    policy = load_policy()
    sources = resolve_sources([str(folder)])
    with (tmp_path / "single.jsonl").open("w", encoding="utf-8") as out:
        moderate_stream(Pipeline.from_policy(policy), read_sources(sources), out, None,
                        batch_size=100)
    expected = (tmp_path / "single.jsonl").read_text(encoding="utf-8").splitlines()
    progress: list[int] = []
    stats = moderate_ray([str(folder)], str(tmp_path / "out.parquet"),
                         policy_path=default_policy_path(),
                         options=RayOptions(workers=2, batch_size=100, num_cpus=2),
                         on_progress=progress.append)
    assert (stats.decided, stats.rejected) == (700, 0)
    assert sum(progress) == 700 and len(progress) == 7
    table = pq.read_table(tmp_path / "out.parquet")
    assert table.column("decision").to_pylist() == expected
    assert table.column("index").to_pylist() == list(range(700))
    assert table.column("comment_id").to_pylist() == [r["id"] for r in records]
