"""Judge comments: ``vigie check`` (one comment), ``vigie moderate`` (files), ``vigie demo``."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from vigie.cli.options import (
    ACTION_STYLE,
    EncodingOption,
    JsonFlag,
    PolicyOption,
    err_console,
    out_console,
)
from vigie.decision import Decision
from vigie.errors import VigieError
from vigie.policy import Policy, effective_policy, load_policy

if TYPE_CHECKING:
    from vigie.pipeline import Pipeline
    from vigie.routing import PolicyRouter

__all__ = ["build_pipeline", "check", "demo", "moderate"]


def build_pipeline(policy: Policy, at: datetime | None = None) -> PolicyRouter[Pipeline]:
    """The policy's pipelines: each comment is judged by the policy in force at its date.

    The pipeline of the policy in force at ``at`` (default: outside every period) is built now,
    so that a broken policy stops the command before it reads anything; a period's pipeline is
    built with the period's first comment. Models are frozen out of the garbage collector.
    """
    from vigie.pipeline import Pipeline, freeze_heap  # imported late: loads models
    from vigie.routing import PolicyRouter

    def build(in_force: Policy) -> Pipeline:
        pipeline = Pipeline.from_policy(in_force)
        freeze_heap()  # a command keeps its pipelines to the end
        return pipeline

    router = PolicyRouter(policy, build)
    router.pipeline(policy if at is None else effective_policy(policy, at))
    return router


def _highlight(text: str, decision: Decision) -> Text:
    rich_text = Text(text)
    for verdict in decision.categories:
        for finding in verdict.evidence:
            if finding.span is not None and finding.span != (0, len(text)):
                rich_text.stylize(f"reverse {ACTION_STYLE[verdict.action]}", *finding.span)
    return rich_text


def _print_decision(text: str, decision: Decision, policy: Policy) -> None:
    style = ACTION_STYLE[decision.action]
    out_console.print(Text("Comment: ", style="bold") + _highlight(text, decision))
    out_console.print(f"[bold]Decision:[/] [{style}]{decision.action.value}[/]"
                      + (" [cyan](escalate)[/]" if decision.escalate else ""))
    for verdict in decision.categories:
        rule = policy.category(verdict.slug)
        out_console.print(
            f"  [bold]{verdict.clause}[/] {verdict.slug} — {rule.label.en}: "
            f"score {verdict.score:.2f} → [{ACTION_STYLE[verdict.action]}]"
            f"{verdict.action.value}[/]" + (" (mitigated)" if verdict.mitigated else "")
        )
        for finding in verdict.evidence:
            span = f" @{finding.span[0]}-{finding.span[1]}" if finding.span else ""
            out_console.print(f"    • {finding.signal} {finding.score:.2f}{span}: "
                              f"{finding.explanation} [dim]({finding.detector})[/]")
    for failure in decision.failures:
        out_console.print(f"  [red]detector failed[/] {failure.detector}: {failure.error}")
    period = policy.active_period
    out_console.print(f"[dim]Policy {policy.id} {policy.version} {policy.source_digest}[/]"
                      + (f" · period {period.slug} ({period.label.en}, {period.start:%m-%d} "
                         f"to {period.end:%m-%d})" if period is not None else ""))


def check(
    text: Annotated[str, typer.Argument(help="The comment to judge.")],
    post: Annotated[str, typer.Option(help="Text of the post the comment answers.")] = "",
    post_link: Annotated[list[str] | None, typer.Option(help="A link of the post.")] = None,
    platform: Annotated[str, typer.Option(help="Platform of the comment.")] = "facebook",
    created_at: Annotated[str | None, typer.Option(
        help="When the comment was posted, ISO 8601 (default: now); a period of the policy "
        "that covers it applies.")] = None,
    policy_file: PolicyOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Judge one comment and show the decision with its evidence."""
    from vigie.records import parse_comment

    policy = load_policy(policy_file)
    comment = parse_comment({
        "id": "cli:check", "platform": platform, "text": text,
        "created_at": created_at or datetime.now(UTC).isoformat(),
        "author": {"id": "cli:author"},
        "post": {"id": "cli:post", "text": post, "links": post_link or []},
    })
    pipelines = build_pipeline(policy, at=comment.created_at)
    decision = pipelines.moderate([comment])[0]
    if as_json:
        out_console.print_json(json.dumps(decision.to_dict(), ensure_ascii=False))
    else:
        _print_decision(text, decision, pipelines.policy_at(comment))


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
    encoding: EncodingOption = None,
) -> None:
    """Moderate files of comments: one JSON decision per line, in input order."""
    from vigie.batch.moderation import moderate_stream
    from vigie.batch.reader import read_comments

    if engine not in ("local", "ray"):
        raise VigieError(f"--engine: unknown engine {engine!r}; valid: local, ray")
    if engine == "ray" and encoding is not None:
        raise VigieError("--encoding applies to --engine local")
    if engine == "local" and (address is not None or workers is not None):
        raise VigieError("--address and --workers need --engine ray")
    policy = load_policy(policy_file)
    if engine == "ray":  # the scale-out path lives in vigie.scale.ray_engine
        from vigie.scale.ray_engine import moderate_command

        moderate_command(sources, output, rejects, policy_file, batch_size=batch_size,
                         quiet=quiet, address=address, workers=workers, db=db)
        return
    pipeline = build_pipeline(policy)
    plain = sources[0] == "-" or (
        "://" not in sources[0] and Path(sources[0]).suffix.lower() not in (".parquet", ".pq"))
    if len(sources) == 1 and plain:
        results = read_comments(sources[0], encoding=encoding)
    elif encoding is not None:
        raise VigieError("--encoding applies to one local CSV file")
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
            if db is not None:  # the store path lives in vigie.cli.store
                from vigie.cli.store import moderate_with_store

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


def demo(
    policy_file: PolicyOption = None,
    as_json: JsonFlag = False,
    db: Annotated[str | None, typer.Option(
        "--db", help="Also fill this database (e.g. vigie.sqlite) for `vigie serve`.")] = None,
) -> None:
    """Moderate the bundled demo comments and print the decisions."""
    from importlib import resources

    from vigie.batch.reader import read_comments

    policy = load_policy(policy_file)
    pipeline = build_pipeline(policy)
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
        style = ACTION_STYLE[decision.action]
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
        from vigie.cli.web import DEFAULT_PORT, fill_demo_database

        url, report = fill_demo_database(db, policy_file)
        out_console.print(f"Demo database {url}: " + (
            "already filled" if report.skipped else
            f"{report.comments} comments, {report.reviewed} reviews; accounts "
            + ", ".join(f"{u} / {p} ({r})" for u, p, r in report.accounts)))
        out_console.print(f"Dashboard: .venv/bin/vigie serve --db {db}  →  "
                          f"http://127.0.0.1:{DEFAULT_PORT}")
