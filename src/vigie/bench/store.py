"""Store benchmarks, callable from ``vigie bench`` or on their own.

* :func:`store_throughput` — the store alone: ingest, decisions, strikes, review items, outbox
  rows and hash-chained events written for ``n`` comments, classification excluded (canned
  findings stand in for the detectors). Target: at least 5,000 comments/s into SQLite on one
  core.
* :func:`moderate_db_overhead` — the whole ``vigie moderate`` path on the same synthetic file,
  with and without ``--db``. Target: the store run no more than 20% slower.

Both work in a temporary directory and leave nothing behind. Figures are wall-clock on the
calling process (pin it to one core for a one-core figure: ``taskset -c 0``).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vigie.findings import DetectorFailure, Finding
from vigie.policy import Policy, default_policy_path, load_policy
from vigie.records import Comment, parse_comment

__all__ = ["moderate_db_overhead", "store_throughput", "synthetic_records"]

# Comment texts are assembled from fragments so that few are alike (like real threads), with
# spam and foreign-language comments at a low rate.
_OPENERS = ("Merci pour", "Bravo pour", "Question sur", "Great post about", "Thanks for",
            "Hâte de voir", "Quelle bonne idée,", "Je me demande pourquoi", "Love seeing",
            "Est-ce que quelqu'un sait pour")
_SUBJECTS = ("la rentrée", "le labo de robotique", "the new library hours", "les bourses",
             "the hackathon", "le stationnement", "les cours du soir", "the co-op program",
             "la cafétéria", "les examens de mi-session", "the open house", "le pavillon")
_CLOSERS = ("!", " ?", ", vraiment utile.", " — see you there.", ", merci à l'équipe.",
            " (asking for a friend).", ", c'est malade!", ". Any update?", " 🙂", ".")
_SPAM = "Check my profile for cheap followers, promo code VIP50 at www.example-spam.biz"
_FOREIGN = "Wann beginnt das Semester? Ich freue mich sehr darauf, danke schön"


_WORDS = tuple(str.split(
    "cours examen labo projet bibliothèque session stage bourse équipe professeur campus "
    "horaire inscription résultat atelier conférence recherche étudiant étudiante génie "
    "mécanique électrique informatique chimique civil physique industriel minier logiciel "
    "robot drone satellite pont béton énergie solaire hydrogène batterie réseau données "
    "sécurité intelligence artificielle modèle calcul simulation thèse maîtrise doctorat "
    "course exam lab project library semester internship scholarship team professor "
    "schedule registration results workshop talk research student engineering design "
    "software hardware bridge concrete energy battery network data model thesis degree "
    "merci bravo super génial intéressant hâte demain lundi vendredi matin soir semaine "
    "thanks great awesome interesting tomorrow monday friday morning evening week "
    "où quand comment pourquoi combien where when how why which est-ce que vraiment aussi "
    "encore déjà bientôt toujours jamais souvent really also again already soon always"
))


def _text(i: int) -> str:
    if i % 40 == 7:
        return _SPAM
    if i % 40 == 23:
        return _FOREIGN
    rng = random.Random(i)
    words = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(6, 16)))
    return f"{_OPENERS[i % 10]} {_SUBJECTS[(i // 10) % 12]}: {words}{_CLOSERS[i % 10]}"


def synthetic_records(n: int, *, authors: int = 0, start: dt.datetime | None = None
                      ) -> list[dict[str, Any]]:
    """``n`` comment records in the input format (pure; deterministic).

    Args:
        n: how many.
        authors: distinct authors (default ``n // 20``, so some authors repeat and collect
            strikes).
        start: time of the first comment; one comment every 10 seconds after it.
    """
    start = start or dt.datetime(2024, 9, 1, tzinfo=dt.UTC)
    authors = authors or max(n // 20, 1)
    records = []
    for i in range(n):
        a = (i * 7919) % authors
        records.append({
            "id": f"fb:bench-{i}", "platform": "facebook", "text": _text(i),
            "created_at": (start + dt.timedelta(seconds=10 * i)).isoformat(),
            "author": {"id": f"fb:u-{a}", "name": f"Author {a}", "followers": 10 + a % 500},
            "post": {"id": f"fb:p-{i // 200}", "text": "La rentrée à Polytechnique",
                     "links": ["https://www.polymtl.ca/rentree"]},
        })
    return records


@dataclass(frozen=True, slots=True)
class _Canned:
    findings: tuple[Finding, ...]
    failures: tuple[DetectorFailure, ...] = ()


class _CannedAnalyser:
    """Stands in for the detectors: a fixed mix of allow, review, hide and removal evidence."""

    detector_names: tuple[str, ...] = ("vigie.bench.canned.v1",)

    def __init__(self, policy: Policy) -> None:
        self.policy = policy

    def analyse(self, comments: Sequence[Comment]) -> list[_Canned]:
        out = []
        for c in comments:
            k = int(c.id.rsplit("-", 1)[1]) % 20
            found: tuple[Finding, ...]
            if k == 0:  # remove (spam): strikes, and blocks for repeat authors
                found = (Finding("link.unrelated", 0.95, "vigie.bench.canned.v1",
                                 "link unrelated to the post"),)
            elif k == 1:  # review
                found = (Finding("link.unrelated", 0.6, "vigie.bench.canned.v1",
                                 "link possibly unrelated to the post"),)
            elif k == 2:  # hide, no strike
                found = (Finding("language.foreign", 0.97, "vigie.bench.canned.v1",
                                 "written in German"),)
            else:
                found = ()
            out.append(_Canned(found))
        return out


def store_throughput(n: int = 20_000, *, db: str | None = None, batch: int = 256
                     ) -> dict[str, Any]:
    """Write ``n`` comments through the store with canned evidence; measure comments/s.

    Args:
        n: comments to write.
        db: database URL (default: a fresh SQLite file in a temporary directory).
        batch: comments per transaction pair (ingest, then decisions), as in ``moderate``.

    Returns:
        ``{"comments", "seconds", "comments_per_s", "cpu_s", "comments_per_cpu_s", "events",
        "decisions", "chain_ok", "verify_s", "database"}``; the CPU figures are this
        process's CPU time, a fairer one-core measure on a busy machine than wall time.
    """
    from vigie.store.events import verify_chain
    from vigie.store.store import open_store
    from vigie.store.workflow import StoreModerator

    policy = load_policy()
    text = default_policy_path().read_text(encoding="utf-8")
    comments = [parse_comment(r) for r in synthetic_records(n)]
    with tempfile.TemporaryDirectory(prefix="vigie-bench-") as tmp:
        store = open_store(db or str(Path(tmp) / "bench.sqlite"))
        moderator = StoreModerator(store, policy, text, pipeline_factory=_CannedAnalyser)
        started, cpu = time.perf_counter(), time.process_time()
        for i in range(0, n, batch):
            moderator.process(comments[i:i + batch])
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        t0 = time.perf_counter()
        with store.read() as conn:
            report = verify_chain(conn)
        verify_s = time.perf_counter() - t0
        store.dispose()
    return {"comments": n, "seconds": round(seconds, 3),
            "comments_per_s": round(n / seconds, 1), "cpu_s": round(cpu, 3),
            "comments_per_cpu_s": round(n / cpu, 1), "events": report.events,
            "decisions": report.decisions, "chain_ok": report.ok,
            "verify_s": round(verify_s, 3), "database": store.dialect}


def _constant(pipeline: Any) -> Any:
    """A pipeline factory that always returns ``pipeline`` (one policy in the benchmark)."""
    def factory(policy: Policy) -> Any:
        return pipeline
    return factory


def moderate_db_overhead(n: int = 5_000, *, policy_file: str | None = None,
                         db: str | None = None, batch: int = 256,
                         repeats: int = 5) -> dict[str, Any]:
    """Time the moderation of the same ``n`` synthetic comments without and with the store.

    Each run gets a pipeline of its own, built and warmed before its timing (some detectors
    remember recent comments: a run must not see another run's comments as duplicates). The
    two kinds of run alternate ``repeats`` times and the fastest of each kind is kept, so a
    burst of load on a shared machine does not land on one side only.

    Returns:
        ``{"comments", "without_db_s", "with_db_s", "overhead", "without_db_cpu_s",
        "with_db_cpu_s", "cpu_overhead", "without_per_s", "with_per_s", "repeats"}``;
        ``overhead`` is ``with / without - 1`` in wall time (target: at most 0.20),
        ``cpu_overhead`` the same in this process's CPU time (steadier on a shared machine).
    """
    from vigie.batch.moderation import moderate_stream
    from vigie.batch.reader import read_comments
    from vigie.pipeline import Pipeline, freeze_heap
    from vigie.store.store import open_store
    from vigie.store.workflow import StoreModerator, moderate_stream_db

    policy = load_policy(policy_file)
    text = Path(policy_file).read_text(encoding="utf-8") if policy_file else \
        default_policy_path().read_text(encoding="utf-8")
    warm = [parse_comment(r) for r in synthetic_records(batch, start=dt.datetime(
        2020, 1, 1, tzinfo=dt.UTC))]

    def ready() -> Pipeline:
        pipeline = Pipeline.from_policy(policy)
        pipeline.moderate(warm)  # lazy imports and caches, outside the timings
        freeze_heap()  # as `vigie moderate` does once its pipeline is built
        return pipeline

    times: dict[str, list[tuple[float, float]]] = {"without": [], "with": []}
    with tempfile.TemporaryDirectory(prefix="vigie-bench-") as tmp:
        source = Path(tmp) / "comments.jsonl"
        source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n"
                                  for r in synthetic_records(n)), encoding="utf-8")
        for round_ in range(repeats):
            pipeline = ready()
            started, cpu = time.perf_counter(), time.process_time()
            moderate_stream(pipeline, read_comments(source), io.StringIO(), None,
                            batch_size=batch)
            times["without"].append((time.perf_counter() - started,
                                     time.process_time() - cpu))
            fresh = ready()
            store = open_store(db or str(Path(tmp) / f"bench-{round_}.sqlite"))
            moderator = StoreModerator(store, policy, text,
                                       pipeline_factory=_constant(fresh))
            started, cpu = time.perf_counter(), time.process_time()
            moderate_stream_db(moderator, read_comments(source), io.StringIO(), None,
                               batch_size=batch)
            times["with"].append((time.perf_counter() - started, time.process_time() - cpu))
            store.dispose()
    without = min(w for w, _ in times["without"])
    without_cpu = min(c for _, c in times["without"])
    with_db = min(w for w, _ in times["with"])
    with_cpu = min(c for _, c in times["with"])
    return {"comments": n, "without_db_s": round(without, 3), "with_db_s": round(with_db, 3),
            "overhead": round(with_db / without - 1.0, 3),
            "without_db_cpu_s": round(without_cpu, 3), "with_db_cpu_s": round(with_cpu, 3),
            "cpu_overhead": round(with_cpu / without_cpu - 1.0, 3),
            "without_per_s": round(n / without, 1), "with_per_s": round(n / with_db, 1),
            "repeats": repeats}
