"""The ``vigie`` command line.

Errors are translated here, and only here: a :class:`~vigie.errors.VigieError` becomes a
message on standard error and the exit code from :func:`vigie.errors.exit_code_for`.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from vigie.actions import Action
from vigie.decision import Decision
from vigie.errors import VigieError, exit_code_for
from vigie.policy import Policy, load_policy

app = typer.Typer(
    name="vigie",
    help="Enforce an institution's social-media directive on its official pages, offline.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
policy_app = typer.Typer(help="Validate and show policy files.", no_args_is_help=True)
app.add_typer(policy_app, name="policy")

out_console = Console(soft_wrap=True)
err_console = Console(stderr=True)

PolicyOption = Annotated[
    Path | None,
    typer.Option("--policy", "-p", envvar="VIGIE_POLICY",
                 help="Policy file (default: the bundled Polytechnique Montréal directive)."),
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]

_ACTION_STYLE = {
    Action.ALLOW: "green", Action.ESCALATE: "cyan", Action.REVIEW: "yellow",
    Action.HIDE: "magenta", Action.REMOVE: "red", Action.BLOCK: "bold red",
}


def _pipeline(policy: Policy) -> Any:
    from vigie.pipeline import Pipeline, freeze_heap  # imported late: loads models

    pipeline = Pipeline.from_policy(policy)
    freeze_heap()  # a command keeps its pipeline to the end
    return pipeline


def _highlight(text: str, decision: Decision) -> Text:
    rich_text = Text(text)
    for verdict in decision.categories:
        for finding in verdict.evidence:
            if finding.span is not None and finding.span != (0, len(text)):
                rich_text.stylize(f"reverse {_ACTION_STYLE[verdict.action]}", *finding.span)
    return rich_text


def _print_decision(text: str, decision: Decision, policy: Policy) -> None:
    style = _ACTION_STYLE[decision.action]
    out_console.print(Text("Comment: ", style="bold") + _highlight(text, decision))
    out_console.print(f"[bold]Decision:[/] [{style}]{decision.action.value}[/]"
                      + (" [cyan](escalate)[/]" if decision.escalate else ""))
    for verdict in decision.categories:
        rule = policy.category(verdict.slug)
        out_console.print(
            f"  [bold]{verdict.clause}[/] {verdict.slug} — {rule.label.en}: "
            f"score {verdict.score:.2f} → [{_ACTION_STYLE[verdict.action]}]"
            f"{verdict.action.value}[/]" + (" (mitigated)" if verdict.mitigated else "")
        )
        for finding in verdict.evidence:
            span = f" @{finding.span[0]}-{finding.span[1]}" if finding.span else ""
            out_console.print(f"    • {finding.signal} {finding.score:.2f}{span}: "
                              f"{finding.explanation} [dim]({finding.detector})[/]")
    for failure in decision.failures:
        out_console.print(f"  [red]detector failed[/] {failure.detector}: {failure.error}")
    out_console.print(f"[dim]Policy {policy.id} {policy.version} {policy.digest}[/]")


@app.command()
def check(
    text: Annotated[str, typer.Argument(help="The comment to judge.")],
    post: Annotated[str, typer.Option(help="Text of the post the comment answers.")] = "",
    post_link: Annotated[list[str] | None, typer.Option(help="A link of the post.")] = None,
    platform: Annotated[str, typer.Option(help="Platform of the comment.")] = "facebook",
    policy_file: PolicyOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Judge one comment and show the decision with its evidence."""
    from vigie.records import parse_comment

    policy = load_policy(policy_file)
    comment = parse_comment({
        "id": "cli:check", "platform": platform, "text": text,
        "created_at": datetime.now(UTC).isoformat(), "author": {"id": "cli:author"},
        "post": {"id": "cli:post", "text": post, "links": post_link or []},
    })
    decision = _pipeline(policy).moderate([comment])[0]
    if as_json:
        out_console.print_json(json.dumps(decision.to_dict(), ensure_ascii=False))
    else:
        _print_decision(text, decision, policy)


@app.command()
def moderate(
    sources: Annotated[list[str], typer.Argument(
        help="JSONL or CSV files of comments ('-': stdin); Parquet, folders and object-store "
        "URLs too (read one after the other).", metavar="IN...")],
    output: Annotated[Path | None, typer.Option("--output", "-o",
                                                help="Decisions file (default: stdout).")] = None,
    rejects: Annotated[Path | None, typer.Option(
        help="Where malformed records go (default: OUTPUT.rejects.jsonl, or stderr).")] = None,
    batch_size: Annotated[int, typer.Option(min=1, max=100_000)] = 256,
    policy_file: PolicyOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    db: Annotated[str | None, typer.Option(
        "--db", help="Store everything in this database (URL or SQLite path; 'default': "
        "VIGIE_DATABASE_URL, else ./vigie.sqlite): crash-safe, resumable, audited.")] = None,
    sink: Annotated[str | None, typer.Option(
        help="With --db: apply planned platform actions here (e.g. jsonl:actions.jsonl); "
        "default: they wait in the outbox.")] = None,
    engine: Annotated[str, typer.Option(
        help="local: this process; ray: spread over a Ray cluster (optional extra 'ray'), same "
        "decisions byte for byte (docs/scale-out.md).")] = "local",
    address: Annotated[str | None, typer.Option(
        help="With --engine ray: an existing cluster (auto, HOST:PORT, ray://HOST:10001); "
        "default: start a local one for the run.")] = None,
    workers: Annotated[int | None, typer.Option(
        min=1, help="With --engine ray: moderation workers (default: one per CPU).")] = None,
) -> None:
    """Moderate files of comments: one JSON decision per line, in input order."""
    from vigie.moderation import moderate_stream
    from vigie.reader import read_comments

    if engine not in ("local", "ray"):
        raise VigieError(f"--engine: unknown engine {engine!r}; valid: local, ray")
    if engine == "local" and (address is not None or workers is not None):
        raise VigieError("--address and --workers need --engine ray")
    policy = load_policy(policy_file)
    if engine == "ray":  # the scale-out path lives in vigie.scale.ray_engine
        from vigie.scale.ray_engine import moderate_command

        moderate_command(sources, output, rejects, policy_file, batch_size=batch_size,
                         quiet=quiet, address=address, workers=workers, db=db)
        return
    pipeline = _pipeline(policy)
    plain = sources[0] == "-" or (
        "://" not in sources[0] and Path(sources[0]).suffix.lower() not in (".parquet", ".pq"))
    if len(sources) == 1 and plain:
        results = read_comments(sources[0])
    else:  # several files, Parquet or URLs: read as the Ray engine reads them
        from vigie.scale.io import read_sources, resolve_sources

        results = read_sources(resolve_sources(sources))
    out = output.open("w", encoding="utf-8") if output else sys.stdout
    rejects_path = rejects or (output.with_name(output.name + ".rejects.jsonl") if output else None)
    reject_sink = rejects_path.open("w", encoding="utf-8") if rejects_path else None

    def report(result: Any) -> None:
        err_console.print(f"[yellow]line {result.line}[/]: rejected: {result.error}")
        if reject_sink is None:
            err_console.print(f"  raw: {result.error.raw}", markup=False)

    progress = Progress(TextColumn("[progress.description]{task.description}"), BarColumn(),
                        TextColumn("{task.completed:,} comments"), TimeElapsedColumn(),
                        console=err_console, disable=quiet or output is None)
    try:
        with progress:
            task = progress.add_task("moderating", total=None)
            if db is not None:  # the store path lives in vigie.cli_store
                from vigie.cli_store import moderate_with_store

                stats = moderate_with_store(
                    db, sink, policy, policy_file, pipeline, results, out, reject_sink,
                    batch_size=batch_size, advance=lambda n: progress.advance(task, n),
                    on_reject=report)
            else:
                stats = moderate_stream(
                    pipeline, results, out, reject_sink, batch_size=batch_size,
                    on_batch=lambda c, d: progress.advance(task, len(d)), on_reject=report,
                )
    finally:
        if output:
            out.close()
        if reject_sink:
            reject_sink.close()
    err_console.print(
        f"{stats.decided:,} decided, {stats.rejected:,} rejected"
        + (f" (see {rejects_path})" if stats.rejected and rejects_path else "")
    )


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
    from vigie.langid import identify

    return [g.lang for g in identify([c.text for c in comments])]


@app.command("eval")
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
    from vigie.evaluate import evaluate
    from vigie.reader import read_comments

    policy = load_policy(policy_file)
    pipeline = _pipeline(policy)
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


@app.command()
def demo(
    policy_file: PolicyOption = None,
    as_json: JsonFlag = False,
    db: Annotated[str | None, typer.Option(
        "--db", help="Also fill this database (e.g. vigie.sqlite) for `vigie serve`.")] = None,
) -> None:
    """Moderate the bundled demo comments and print the decisions."""
    from importlib import resources

    from vigie.reader import read_comments

    policy = load_policy(policy_file)
    pipeline = _pipeline(policy)
    path = Path(str(resources.files("vigie.demo").joinpath("comments.jsonl")))
    comments = [r.comment for r in read_comments(path) if r.comment is not None]
    decisions = pipeline.moderate(comments)
    if as_json:
        for d in decisions:
            print(json.dumps(d.to_dict(), ensure_ascii=False))
        return
    table = Table(title=f"Vigie demo: {len(comments)} comments · policy {policy.id} "
                        f"{policy.version} ({policy.short_digest})", show_lines=True)
    table.add_column("comment", ratio=3)
    table.add_column("action")
    table.add_column("clauses")
    table.add_column("why", ratio=2)
    for comment, decision in zip(comments, decisions, strict=True):
        style = _ACTION_STYLE[decision.action]
        why = "; ".join(f.explanation for v in decision.categories for f in v.evidence[:1])
        table.add_row(_highlight(comment.text, decision), f"[{style}]{decision.action.value}[/]",
                      ", ".join(decision.clauses), why)
    out_console.print(table)
    counts: dict[str, int] = {}
    for d in decisions:
        counts[d.action.value] = counts.get(d.action.value, 0) + 1
    out_console.print("Actions: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    if db is not None:
        # Last, so that the run ends with the address to open.
        from vigie.cli_web import DEFAULT_PORT, fill_demo_database

        url, report = fill_demo_database(db, policy_file)
        out_console.print(f"Demo database {url}: " + (
            "already filled" if report.skipped else
            f"{report.comments} comments, {report.reviewed} reviews; accounts "
            + ", ".join(f"{u} / {p} ({r})" for u, p, r in report.accounts)))
        out_console.print(f"Dashboard: .venv/bin/vigie serve --db {db}  →  "
                          f"http://127.0.0.1:{DEFAULT_PORT}")


@app.command()
def bench(
    as_json: JsonFlag = False,
    policy_file: PolicyOption = None,
    dev: Annotated[Path | None, typer.Option(help="Labeled dev set to repeat.")] = None,
    n: Annotated[int, typer.Option(help="Synthetic comments for throughput.")] = 20_000,
    latency_n: Annotated[int, typer.Option(help="Single-comment calls for p50/p99.")] = 2_000,
    extra: Annotated[list[str] | None, typer.Option(
        "--with", help="Also run: store, coordination, queue, images (repeatable).")] = None,
    extra_n: Annotated[int | None, typer.Option(
        help="Size for the --with benchmarks (default: each one's own).")] = None,
) -> None:
    """Throughput (1 core, all cores), single-comment latency, memory and cold start."""
    from vigie.bench import run_bench, run_extra

    result = run_bench(policy_file, dev=dev, n=n, latency_n=latency_n)
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


@app.command()
def train(
    data: Annotated[Path, typer.Option(help="The shared/data/public folder.")] = Path(
        "../shared/data/public"),
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Model file (default: the bundled vigie/data/models/linear-v1.npz).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed for template expansion, splits, solver.")] = 13,
    judge: Annotated[bool, typer.Option(help="Also rebuild the judge (vigie.judge.v1).")] = True,
    judge_output: Annotated[Path | None, typer.Option(
        help="Judge file (default: the bundled vigie/data/models/judge-v1.npz).")] = None,
    cache: Annotated[Path, typer.Option(help="Embedding cache (outside the repository).")] = Path(
        "/tmp/judge-cache/use"),
) -> None:
    """Rebuild the learned models (vigie.ml.linear.v1, vigie.judge.v1) from shared data."""
    from vigie.ml.train import TrainConfig, save_model
    from vigie.ml.train import train as run_training

    model = run_training(TrainConfig(data, seed=seed), log=err_console.print)
    path = save_model(model, output)
    err_console.print(f"[green]wrote[/] {path} ({path.stat().st_size / 1e6:.1f} MB); "
                      "the model card is docs/models/linear-v1.md")
    if judge:
        from vigie.models.judge.model import save_judge
        from vigie.models.judge.train import JudgeConfig, default_path, train_judge

        built = train_judge(JudgeConfig(data, cache=cache, seed=seed), log=err_console.print)
        path = save_judge(built, judge_output or default_path())
        err_console.print(f"[green]wrote[/] {path} ({path.stat().st_size / 1e6:.1f} MB); "
                          "the model card is docs/models/judge-v1.md")


@app.command("quality-report")
def quality_report(
    data: Annotated[Path, typer.Option(help="The shared/data folder (dev/ and public/).")] = Path(
        "../shared/data"),
    output: Annotated[Path, typer.Option("--output", "-o", help="Markdown report.")] = Path(
        "docs/quality.md"),
    policy_file: PolicyOption = None,
) -> None:
    """Write the quality report: dev set per category and language, public held-out sets."""
    from vigie.ml.quality import write_report

    write_report(data, output, load_policy(policy_file), log=err_console.print)
    err_console.print(f"[green]wrote[/] {output}")


@app.command()
def golden(
    folder: Annotated[Path, typer.Argument(help="Folder of golden cases (*.yaml).")] = Path(
        "golden"),
    policy_file: PolicyOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Run the golden cases: exit 1 and list every case whose decision differs."""
    from vigie.golden import load_cases, run_cases

    policy = load_policy(policy_file)
    results = run_cases(_pipeline(policy), load_cases(folder))
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


@policy_app.command("validate")
def policy_validate(
    file: Annotated[Path, typer.Argument(help="Policy YAML file.")],
) -> None:
    """Validate a policy file against the format and the installed detectors."""
    policy = load_policy(file)
    _pipeline(policy)  # checks detectors, their options and every signal pattern
    out_console.print(f"[green]valid[/] {file}: {policy.id} version {policy.version}, "
                      f"{len(policy.categories)} categories, digest {policy.digest}")
    for rule in policy.categories:
        if not rule.signals:
            err_console.print(f"[yellow]warning[/]: category {rule.slug} ({rule.clause}) lists "
                              "no signals: nothing can ever reach it")


@policy_app.command("show")
def policy_show(
    file: Annotated[Path | None, typer.Argument(help="Policy YAML (default: bundled).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Show a policy: categories, clauses, thresholds and actions."""
    policy = load_policy(file)
    if as_json:
        print(json.dumps({"digest": policy.digest, **policy.model_dump(mode="json")},
                         ensure_ascii=False, indent=2))
        return
    out_console.print(f"[bold]{policy.title.fr}[/] / {policy.title.en}")
    out_console.print(f"{policy.institution} · version {policy.version} · in force "
                      f"{policy.effective_date} · approval {policy.approval.reference}")
    out_console.print(f"digest {policy.digest}")
    table = Table()
    for column in ("clause", "slug", "label", "review ≥", "act ≥", "action", "signals"):
        table.add_column(column)
    for rule in policy.categories:
        review, remove = policy.thresholds(rule)
        table.add_row(rule.clause, rule.slug, rule.label.fr, f"{review:.2f}", f"{remove:.2f}",
                      rule.action, ", ".join(rule.patterns) or "[yellow](none)[/]")
    out_console.print(table)
    if policy.blocking:
        out_console.print(f"Block author after {policy.blocking.strikes} strikes within "
                          f"{policy.blocking.window_days} days.")


from vigie.cli_store import install as _install_store  # noqa: E402 - needs app, policy_app

_install_store(app, policy_app)

from vigie.cli_web import install as _install_web  # noqa: E402 - needs app

_install_web(app)

from vigie.cli_connectors import install as _install_connectors  # noqa: E402 - needs app

_install_connectors(app)

from vigie.cli_monitoring import install as _install_monitoring  # noqa: E402 - needs app

_install_monitoring(app)


def main() -> None:
    """Console-script entry point: run the app, translating Vigie errors to exit codes."""
    try:
        # With standalone_mode=False click returns the code of a typer.Exit instead of exiting.
        code = app(standalone_mode=False)
        if isinstance(code, int) and code:
            raise SystemExit(code)
    except VigieError as error:
        err_console.print(f"[red]error:[/] {error}", markup=True, highlight=False)
        raise SystemExit(exit_code_for(error)) from None
    except typer.Exit as done:
        raise SystemExit(done.exit_code) from None
    except (typer.Abort, KeyboardInterrupt):
        err_console.print("aborted")
        raise SystemExit(130) from None
    except Exception as error:  # click usage errors
        import click

        if isinstance(error, click.ClickException):
            error.show()
            raise SystemExit(error.exit_code) from None
        raise
