"""Store commands of the ``vigie`` CLI: queue, audit, outbox, escalations, purge, policy life cycle.

Registered on the main app by :mod:`vigie.cli.app`. Every
command takes ``--db`` (a URL or an SQLite path; default ``VIGIE_DATABASE_URL``, else
``./vigie.sqlite``). Errors are :class:`~vigie.errors.VigieError` subclasses, translated to exit
codes by :func:`vigie.cli.app`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from vigie.cli.options import (
    ByOption,
    DbOption,
    JsonFlag,
    ReasonOption,
    err_console,
    out_console,
)
from vigie.errors import StoreError
from vigie.policy import Policy, default_policy_path

if TYPE_CHECKING:  # kept out of `vigie --help`'s start-up
    from vigie.batch.moderation import RunStats
    from vigie.batch.reader import ReadResult

__all__ = ["escalations_app", "moderate_with_store", "open_store_at", "outbox_app", "queue_app"]

queue_app = typer.Typer(help="Review queue: list, show, resolve, appeal.", no_args_is_help=True)
outbox_app = typer.Typer(help="Planned platform actions.", no_args_is_help=True)
escalations_app = typer.Typer(help="Escalations to the community manager.",
                              no_args_is_help=True)


def open_store_at(db: str | None) -> Any:
    """The store of ``--db`` (``None``, ``""`` or ``default``: the configured one)."""
    from vigie.store.store import open_store

    return open_store(None if db in (None, "", "default") else db)


_open = open_store_at


# -- moderate --db ---------------------------------------------------------------------------

def moderate_with_store(
    db: str, sink_spec: str | None, policy: Policy, policy_file: Path | None, pipelines: Any,
    results: Iterable[ReadResult], out: IO[str], rejects: IO[str] | None, *,
    batch_size: int, advance: Callable[[int], None],
    on_reject: Callable[[ReadResult], None],
) -> RunStats:
    """``vigie moderate --db``: the store-aware run (see :mod:`vigie.store.workflow`).

    Args:
        db: ``--db`` value (``default``: ``VIGIE_DATABASE_URL`` else ``./vigie.sqlite``).
        sink_spec: ``--sink`` value, or ``None`` to leave actions in the outbox.
        policy: the ``--policy`` file's policy, used where no approved version is in force.
        policy_file: its path (``None``: the bundled policy), whose text is recorded.
        pipelines: the :class:`vigie.routing.PolicyRouter` of ``policy``
            (:func:`vigie.cli.moderate.build_pipeline`): every policy in force, a stored
            version or a period's, gets its pipeline from it, built once.
        results: the read records.
        out: decisions output.
        rejects: rejects output.
        batch_size: comments per batch (and per transaction).
        advance: progress callback (comments done).
        on_reject: called for each bad record.
    """
    from vigie.monitoring.registry import own_pages
    from vigie.store.outbox import resolve_sink
    from vigie.store.workflow import StoreModerator, moderate_stream_db

    store = _open(db)
    text = (policy_file or default_policy_path()).read_text(encoding="utf-8")
    sink = resolve_sink(sink_spec) if sink_spec else None

    moderator = StoreModerator(store, policy, text, sink=sink,
                               pipeline_factory=pipelines.pipeline, own_pages=own_pages)
    try:
        stats = moderate_stream_db(moderator, results, out, rejects, batch_size=batch_size,
                                   on_batch=lambda c, d: advance(len(d)), on_reject=on_reject)
        if sink is not None:
            from vigie.store.outbox import run_outbox

            run_outbox(store, sink)  # whatever became due during the last batch
    finally:
        close = getattr(sink, "close", None)
        if callable(close):
            close()
        store.dispose()
    return stats


# -- queue -----------------------------------------------------------------------------------

@queue_app.command("list")
def queue_list(
    db: DbOption = None,
    state: Annotated[str, typer.Option(help="open (with escalated), escalated, closed, all.")]
    = "open",
    limit: Annotated[int, typer.Option(min=1)] = 100,
    as_json: JsonFlag = False,
) -> None:
    """List review items, oldest first."""
    from vigie.store.queue import list_items

    if state not in ("open", "escalated", "closed", "all"):
        raise StoreError(f"unknown state {state!r}; valid: open, escalated, closed, all")
    items = list_items(_open(db), state=None if state == "all" else state, limit=limit)
    if as_json:
        for item in items:
            print(json.dumps(item.to_dict(), ensure_ascii=False))
        return
    table = Table(title=f"review queue ({state}): {len(items)} items")
    for column in ("item", "state", "comment", "action", "clauses", "why"):
        table.add_column(column)
    for item in items:
        table.add_row(str(item.pk), item.state, item.comment_id, item.action or "",
                      ", ".join(item.clauses), (item.explanation or "")[:120])
    out_console.print(table)


@queue_app.command("show")
def queue_show(
    item: Annotated[int, typer.Argument(help="Review item number.")],
    db: DbOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Show one item: the comment, the decision, and the item's history."""
    from vigie.store.queue import show_item

    view = show_item(_open(db), item)
    if as_json:
        print(json.dumps(view.to_dict(), ensure_ascii=False))
        return
    out_console.print(f"[bold]Item {view.pk}[/] · {view.state}"
                      + (f" ({view.outcome})" if view.outcome else "") + f" · {view.origin}")
    when = view.created_at.strftime("%Y-%m-%d %H:%M")
    out_console.print(f"Comment {view.comment_id} ({view.platform}, {when} UTC)")
    out_console.print(f"  {view.text if view.text is not None else '[dim](text purged)[/]'}")
    if view.post_text:
        out_console.print(f"[dim]On post: {view.post_text[:200]}[/]")
    out_console.print(f"Decision: {view.action} {', '.join(view.clauses)} — {view.explanation}")
    for event in view.events:
        out_console.print(f"  #{event['seq']} {event['at'][:19]} {event['kind']} by "
                          f"{event['actor']}: {event['payload'].get('reason', '')}")


@queue_app.command("resolve")
def queue_resolve(
    item: Annotated[int, typer.Argument(help="Review item number.")],
    action: Annotated[str, typer.Argument(
        help="approve, restore, remove, block, unblock, escalate or comment.")],
    by: ByOption,
    reason: ReasonOption,
    db: DbOption = None,
    strike: Annotated[bool, typer.Option(help="A remove or block counts as a strike.")] = True,
) -> None:
    """Resolve a review item (the review state machine says what is valid)."""
    from vigie.store.queue import REVIEWER_ACTIONS, resolve

    if action not in REVIEWER_ACTIONS:
        raise StoreError(f"unknown review action {action!r}; valid: {', '.join(REVIEWER_ACTIONS)}")
    status = resolve(_open(db), item, action, by=by, reason=reason, strike=strike)
    out_console.print(f"item {item}: {status.state.value}"
                      + (f" ({status.outcome.value})" if status.outcome else ""))


@queue_app.command("appeal")
def queue_appeal(
    comment_id: Annotated[str, typer.Argument(help="The comment's id (e.g. fb:c-0001).")],
    by: ByOption,
    reason: ReasonOption,
    db: DbOption = None,
) -> None:
    """Open review of a removed comment or a blocked author, on appeal."""
    from vigie.store.queue import appeal

    item = appeal(_open(db), comment_id, by=by, reason=reason)
    out_console.print(f"appeal recorded: review item {item} is open")


# -- outbox, escalations, purge ------------------------------------------------------------

@outbox_app.command("run")
def outbox_run(
    sink: Annotated[str, typer.Option(help="Where to apply actions, e.g. jsonl:actions.jsonl.")],
    db: DbOption = None,
    limit: Annotated[int, typer.Option(min=1)] = 1000,
) -> None:
    """Apply the due planned actions once (retries wait for their back-off)."""
    from vigie.store.outbox import resolve_sink, run_outbox

    run = run_outbox(_open(db), resolve_sink(sink), limit=limit)
    out_console.print(f"{run.applied} applied, {run.retried} to retry, {run.dead} given up")
    for error in run.errors[:20]:
        err_console.print(f"  {error}", highlight=False)


@escalations_app.command("send")
def escalations_send(
    db: DbOption = None,
    digest: Annotated[bool | None, typer.Option(
        help="One message for all pending escalations (default: from the settings).")] = None,
    policy_file: Annotated[Path | None, typer.Option(
        "--policy", "-p", envvar="VIGIE_POLICY",
        help="Policy whose clause labels the notices use (default: the one in force, else "
             "the bundled directive).")] = None,
) -> None:
    """Send pending escalations by e-mail and/or webhook, in each channel's language."""
    from vigie.notify.escalation import notifiers_from_settings, send_escalations
    from vigie.policy import load_policy
    from vigie.store.policy_versions import PolicyResolver
    from vigie.web.notices import escalation_composer

    store = _open(db)
    settings = store.settings.escalation
    notifiers = notifiers_from_settings(settings)
    if not notifiers:
        raise StoreError("no escalation channel configured: set VIGIE_SMTP_HOST (with "
                         "VIGIE_SMTP_FROM, VIGIE_SMTP_TO) and/or VIGIE_WEBHOOK_URL")
    policy: Policy | None = load_policy(policy_file) if policy_file else None
    if policy is None:
        with store.read() as conn:
            found = PolicyResolver(conn).at(store.now())
        policy = found[0] if found else load_policy()
    report = send_escalations(store, notifiers,
                              compose=escalation_composer(policy, settings.dashboard_url),
                              digest=settings.digest if digest is None else digest,
                              include_text=settings.include_text, lang=settings.lang)
    out_console.print(f"{report.sent} escalations sent in {report.messages} messages")
    for error in report.errors:
        err_console.print(f"[red]failed[/]: {error}", highlight=False)
    if report.errors:
        raise typer.Exit(1)


def purge_command(
    db: DbOption = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count only.")] = False,
) -> None:
    """Apply the retention rules: purge old comment texts and drafts put to a supervisor."""
    from vigie.monitoring.consultation_privacy import purge_consultations
    from vigie.store.retention import purge

    store = _open(db)
    report = purge(store, dry_run=dry_run)
    drafts = purge_consultations(store, dry_run=dry_run)
    rules = store.settings.retention
    verb = "would purge" if dry_run else "purged"
    out_console.print(f"{verb} the text of {report.allowed:,} allowed comments (older than "
                      f"{rules.allowed_text_days} days) and {report.removed:,} removed comments "
                      f"(older than {rules.removed_years} years), and {drafts.purged:,} drafts "
                      f"put to a supervisor (older than {rules.consultation_days} days)")


# -- policy life cycle -----------------------------------------------------------------------

def policy_propose(
    file: Annotated[Path, typer.Argument(help="Policy YAML file.")],
    by: ByOption,
    db: DbOption = None,
    effective: Annotated[str | None, typer.Option(
        help="Date it comes into force, YYYY-MM-DD (default: the file's effective_date); "
        "another date than the file's needs --override-reason.")]
    = None,
    override_reason: Annotated[str | None, typer.Option(
        help="Why --effective overrides the file's date (recorded in the audit).")] = None,
) -> None:
    """Store a proposed version of the directive (section 9)."""
    from vigie.store.policy_versions import propose

    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        raise StoreError(f"{file}: cannot read: {error}") from None
    try:
        when = dt.date.fromisoformat(effective) if effective else None
    except ValueError:
        raise StoreError(f"--effective {effective!r} is not a date (YYYY-MM-DD)") from None
    version = propose(_open(db), text, by=by, effective=when, override_reason=override_reason,
                      source=str(file))
    out_console.print(f"proposed {version.digest} ({version.policy_id} {version.version}), "
                      f"effective {version.effective_date}; approve it with `vigie policy "
                      f"approve {version.digest[7:19]} --by NAME --reference ADD-...`")


def _check_approver(store: Any, by: str) -> None:
    """Refuse an approver who is not a dashboard account allowed to approve (when any exist)."""
    from sqlalchemy import func, select

    from vigie.web.models import web_users
    from vigie.web.roles import Permission, can

    with store.read() as conn:
        if not conn.execute(select(func.count()).select_from(web_users)).scalar_one():
            return  # no accounts: a one-person install names the approver in words
        role = conn.execute(select(web_users.c.role).where(
            web_users.c.username == by, web_users.c.active.is_(True))).scalar_one_or_none()
    if role is None or not can(role, Permission.APPROVE_POLICY):
        raise StoreError(f"--by {by!r} must be a dashboard account whose role approves policy "
                         "versions (admin); see `vigie users list`")


def policy_approve(
    digest: Annotated[str, typer.Argument(help="Digest (or a unique prefix) of the version.")],
    by: ByOption,
    reference: Annotated[str, typer.Option(help="Management assembly reference, ADD-...")],
    db: DbOption = None,
    body: Annotated[str | None, typer.Option(help="Approving body.")] = None,
) -> None:
    """Record the approval of a proposed version (section 9).

    Where dashboard accounts exist, --by must name one whose role approves policy versions
    (admin); the person who proposed the version cannot approve it.
    """
    from vigie.store.policy_versions import approve

    store = _open(db)
    _check_approver(store, by)
    version = approve(store, digest, by=by, reference=reference, body=body)
    out_console.print(f"approved {version.digest} by {version.approved_by} ({version.reference}); "
                      f"in force from {version.effective_date}")


def policy_refuse(
    digest: Annotated[str, typer.Argument(help="Digest (or a unique prefix) of the version.")],
    by: ByOption,
    note: Annotated[str, typer.Option(help="Why it is refused (recorded in the audit trail).")],
    db: DbOption = None,
) -> None:
    """Refuse a proposed version, with a note (section 9); a refused version is closed.

    As for an approval: where dashboard accounts exist, --by must name one whose role
    approves policy versions (admin), and the person who proposed it cannot refuse it.
    """
    from vigie.store.policy_versions import refuse

    store = _open(db)
    _check_approver(store, by)
    version = refuse(store, digest, by=by, note=note)
    out_console.print(f"refused {version.digest} by {by}: {note}")


def policy_history(db: DbOption = None, as_json: JsonFlag = False) -> None:
    """Stored versions of the directive, with their approvals."""
    from vigie.store.policy_versions import history

    versions = history(_open(db))
    if as_json:
        for v in versions:
            print(json.dumps({"digest": v.digest, "policy_id": v.policy_id, "version": v.version,
                              "effective_date": v.effective_date.isoformat(),
                              "origin": v.origin, "proposed_by": v.proposed_by,
                              "approved_by": v.approved_by, "reference": v.reference},
                             ensure_ascii=False))
        return
    table = Table(title="directive versions")
    for column in ("digest", "version", "effective", "proposed by", "approved", "origin"):
        table.add_column(column)
    for v in versions:
        table.add_row(v.digest[7:19], v.version, str(v.effective_date), v.proposed_by,
                      f"{v.approved_by} ({v.reference})" if v.approved else "[yellow]no[/]",
                      v.origin)
    out_console.print(table)


def policy_diff(
    a: Annotated[str, typer.Argument(help="Older version's digest (or prefix).")],
    b: Annotated[str, typer.Argument(help="Newer version's digest (or prefix).")],
    db: DbOption = None,
) -> None:
    """Unified diff of two stored versions' YAML."""
    from vigie.store.policy_versions import diff

    print(diff(_open(db), a, b), end="")
