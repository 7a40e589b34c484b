"""Measuring commands of the ``vigie`` CLI.

``vigie eval``, ``vigie bench``, ``vigie train``, ``vigie quality-report``, ``vigie golden``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from vigie.cli.moderate import build_pipeline
from vigie.cli.options import JsonFlag, PolicyOption, err_console, out_console
from vigie.errors import VigieError
from vigie.policy import load_policy

__all__ = ["bench", "eval_command", "golden", "quality_report", "train"]


def _reference_languages(labeled: Path, comments: list[Any]) -> list[str]:
    """Each comment's language, for ``vigie eval --lang``.

    From ``<name>.meta.tsv`` (columns id, lang) beside the labeled file when it exists (the
    annotators' language), else as identified by Vigie.
    """
    meta = labeled.with_name(labeled.name.removesuffix(".jsonl") + ".meta.tsv")
    if meta.exists():
        import csv

        with meta.open(encoding="utf-8", newline="") as handle:
            known = {row["id"]: row["lang"] for row in csv.DictReader(handle, delimiter="\t")}
        if all(c.id in known for c in comments):
            return [known[c.id] for c in comments]
    from vigie.text.langid import identify

    return [g.lang for g in identify([c.text for c in comments])]


def eval_command(
    labeled: Annotated[Path, typer.Argument(help="Labeled JSONL (shared/data/FORMAT.md).")],
    policy_file: PolicyOption = None,
    as_json: JsonFlag = False,
    errors: Annotated[Path | None, typer.Option(help="Write misclassified rows here.")] = None,
    lang: Annotated[str | None, typer.Option(
        help="Only rows in this language (fr, en, other): from FILE's .meta.tsv when present, "
             "else as identified.")] = None,
) -> None:
    """Precision, recall and F1 per category, and the false-removal rate."""
    from vigie.batch.reader import read_comments
    from vigie.quality.evaluate import evaluate

    policy = load_policy(policy_file)
    pipeline = build_pipeline(policy)
    comments = []
    for result in read_comments(labeled):
        if result.comment is None:
            raise VigieError(f"{labeled}: line {result.line}: {result.error}")
        comments.append(result.comment)
    decisions = pipeline.moderate(comments)
    pairs = list(zip(comments, decisions, strict=True))
    if lang is not None:
        langs = _reference_languages(labeled, comments)
        pairs = [p for p, g in zip(pairs, langs, strict=True)
                 if g == lang or (lang == "other" and g not in ("fr", "en"))]
    report = evaluate(policy.slugs, pairs, keep_errors=errors is not None)
    if errors is not None:
        errors.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n"
                                  for e in report.errors), encoding="utf-8")
    if as_json:
        print(json.dumps(report.to_dict(), ensure_ascii=False))
        return
    table = Table(title=f"{labeled.name}: {report.n} comments, policy {policy.short_digest}")
    for column in ("category", "clause", "precision", "recall", "F1", "support"):
        table.add_column(column, justify="left" if column in ("category", "clause") else "right")
    for slug, score in report.per_category.items():
        table.add_row(slug, policy.category(slug).clause, f"{score.precision:.2f}",
                      f"{score.recall:.2f}", f"{score.f1:.2f}", str(score.support))
    out_console.print(table)
    out_console.print(f"macro F1 {report.macro_f1:.3f} · micro F1 {report.micro_f1:.3f} · "
                      f"false-removal rate {report.false_removal_rate:.2%} "
                      f"({report.false_removals}/{report.acceptable} acceptable comments)")


def bench(
    as_json: JsonFlag = False,
    policy_file: PolicyOption = None,
    dev: Annotated[Path | None, typer.Option(help="Labeled dev set to repeat.")] = None,
    public: Annotated[Path | None, typer.Option(
        help="shared/data/public: its real comments are the headline corpus "
             "(default: ../shared/data/public when it exists).")] = None,
    n: Annotated[int, typer.Option(help="Comments per corpus for throughput.")] = 20_000,
    latency_n: Annotated[int, typer.Option(help="Single-comment calls for p50/p99.")] = 2_000,
    extra: Annotated[list[str] | None, typer.Option(
        "--with",
        help="Also run: store, coordination, queue, images, cascade (repeatable).")] = None,
    extra_n: Annotated[int | None, typer.Option(
        help="Size for the --with benchmarks (default: each one's own).")] = None,
) -> None:
    """Throughput (1 core, all cores), single-comment latency, memory and cold start."""
    from vigie.bench.run import run_bench, run_extra

    result = run_bench(policy_file, dev=dev, public=public, n=n, latency_n=latency_n)
    for name in extra or ():
        result[name] = run_extra(name, extra_n, policy_file)
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
        return
    table = Table(title="vigie bench")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, value in result.items():
        if not isinstance(value, dict):
            table.add_row(key, f"{value:,.2f}" if isinstance(value, float) else str(value))
    out_console.print(table)


def train(
    data: Annotated[Path, typer.Option(help="The shared/data/public folder.")] = Path(
        "../shared/data/public"),
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Model file (default: the bundled vigie/data/models/linear-v1.npz).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed for template expansion, splits, solver.")] = 13,
    judge: Annotated[bool, typer.Option(help="Also rebuild the judge (vigie.judge.v1).")] = True,
    offtopic: Annotated[bool, typer.Option(
        help="Also rebuild the off-topic relatedness (needs ../shared/data/dev).")] = True,
    judge_output: Annotated[Path | None, typer.Option(
        help="Judge file (default: the bundled vigie/data/models/judge-v1.npz).")] = None,
    cache: Annotated[Path, typer.Option(help="Embedding cache (outside the repository).")] = Path(
        "/tmp/judge-cache/use"),
) -> None:
    """Rebuild the learned models (linear heads, judge, off-topic relatedness) from shared data."""
    from vigie.models.train import TrainConfig, save_model
    from vigie.models.train import train as run_training

    model = run_training(TrainConfig(data, seed=seed), log=err_console.print)
    path = save_model(model, output)
    err_console.print(f"[green]wrote[/] {path} ({path.stat().st_size / 1e6:.1f} MB); "
                      "the model card is docs/models/linear-v1.md")
    if offtopic:
        from vigie.detectors.offtopic_training import train_relatedness, write_relatedness

        shared = data.parent if data.name == "public" else data
        path = write_relatedness(train_relatedness(shared, log=err_console.print))
        err_console.print(f"[green]wrote[/] {path} (off-topic relatedness; see "
                          "vigie/models/relatedness.py)")
    if judge:
        from vigie.models.judge.model import save_judge
        from vigie.models.judge.train import JudgeConfig, default_path, train_judge

        built = train_judge(JudgeConfig(data, cache=cache, seed=seed), log=err_console.print)
        path = save_judge(built, judge_output or default_path())
        err_console.print(f"[green]wrote[/] {path} ({path.stat().st_size / 1e6:.1f} MB); "
                          "the model card is docs/models/judge-v1.md")


def quality_report(
    data: Annotated[Path, typer.Option(help="The shared/data folder (dev/ and public/).")] = Path(
        "../shared/data"),
    output: Annotated[Path, typer.Option("--output", "-o", help="Markdown report.")] = Path(
        "docs/quality.md"),
    policy_file: PolicyOption = None,
) -> None:
    """Write the quality report: dev set per category and language, public held-out sets."""
    from vigie.quality.report import write_report

    write_report(data, output, load_policy(policy_file), log=err_console.print)
    err_console.print(f"[green]wrote[/] {output}")


def golden(
    folder: Annotated[Path, typer.Argument(help="Folder of golden cases (*.yaml).")] = Path(
        "golden"),
    policy_file: PolicyOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Run the golden cases: exit 1 and list every case whose decision differs."""
    from vigie.quality.golden import load_cases, run_cases

    policy = load_policy(policy_file)
    results = run_cases(build_pipeline(policy), load_cases(folder))
    failed = [r for r in results if r.problems]
    if as_json:
        print(json.dumps([{"id": r.case.id, "action": r.decision.action.value,
                           "clauses": list(r.decision.clauses), "problems": list(r.problems)}
                          for r in results], ensure_ascii=False))
    else:
        for r in failed:
            out_console.print(f"[red]✗[/] {r.case.id}: {'; '.join(r.problems)}")
            out_console.print(f"    {r.decision.explanation['en']}", markup=False)
        out_console.print(f"{len(results) - len(failed)}/{len(results)} golden cases hold "
                          f"under policy {policy.id} ({policy.short_digest})")
    if failed:
        raise typer.Exit(1)
