"""CLI commands for the platform connectors: ``vigie run`` and ``vigie connectors ...``.

Registered on the main app by :mod:`vigie.cli.app`. Errors
are :class:`~vigie.errors.VigieError` subclasses, translated to exit codes by ``vigie.cli.app``.
"""

from __future__ import annotations

import json
import logging
import signal
import threading
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from vigie.cli.options import (
    ConfiguredDbOption,
    ConnectorsOption,
    PolicyOption,
    err_console,
    out_console,
)

__all__ = ["connectors_app", "run_command"]




def _setup(connectors: Path, db: str | None, policy_file: Path | None,
           accounts: list[str] | None) -> tuple[Any, Any, Any, list[Any]]:
    from vigie.connectors.config import Secrets, load_config
    from vigie.connectors.factory import build_connector
    from vigie.monitoring.registry import own_pages
    from vigie.pipeline import Pipeline, freeze_heap
    from vigie.policy import Policy, default_policy_path, load_policy
    from vigie.store.store import open_store
    from vigie.store.workflow import StoreModerator

    config = load_config(connectors)
    chosen = [config.account(n) for n in accounts] if accounts else [
        a for a in config.accounts if a.enabled]
    secrets = Secrets(config)
    built = [build_connector(a, secrets) for a in chosen]  # reads every token now: fail early
    policy = load_policy(policy_file)
    text = (policy_file or default_policy_path()).read_text(encoding="utf-8")
    store = open_store(db)

    def factory(p: Policy) -> Pipeline:
        pipeline = Pipeline.from_policy(p)
        freeze_heap()  # `vigie run` keeps its pipelines to the end
        return pipeline

    moderator = StoreModerator(store, policy, text, pipeline_factory=factory,
                               own_pages=own_pages)
    return config, store, moderator, list(zip(chosen, built, strict=True))


connectors_app = typer.Typer(help="Check and list platform connectors.",
                             no_args_is_help=True)


def run_command(
    connectors: ConnectorsOption,
    db: ConfiguredDbOption = None,
    policy_file: PolicyOption = None,
    account: Annotated[list[str] | None, typer.Option(
        help="Only this account (repeatable).")] = None,
    once: Annotated[bool, typer.Option(
        "--once", help="One round: poll every account, decide, apply every due action; "
        "then exit.")] = False,
    rounds: Annotated[int | None, typer.Option(min=1, help="Stop after N rounds.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print each round as JSON.")
                       ] = False,
) -> None:
    """Poll the configured accounts on their schedules and moderate what they bring."""
    from vigie.connectors.runner import Runner, file_alert, notify_alert
    from vigie.monitoring.group_tasks import open_group_tasks
    from vigie.monitoring.registry import load_book
    from vigie.monitoring.staff import SmtpReminders, watch_staff_replies
    from vigie.notify.escalation import notifiers_from_settings
    from vigie.store.checkpoints import Checkpointer
    from vigie.web.notices import group_tasks_composer

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    config, store, moderator, pairs = _setup(connectors, db, policy_file, account)
    smtp = store.settings.escalation.smtp
    reminders = SmtpReminders(smtp) if smtp is not None else None

    seen = {"pk": 0}

    def after_round() -> None:
        staff_replies()
        opened = open_group_tasks(store, compose=group_tasks_composer(
            store.settings.escalation.dashboard_url)).opened
        if opened:  # directive 7: blocked members to remove from the institution's groups
            err_console.print(f"7: {len(opened)} group-membership task(s) for the community "
                              "manager (vigie groups tasks)")

    def staff_replies() -> None:  # directive 6.1: staff answering criticism themselves
        found = watch_staff_replies(store, load_book(store), moderator.fallback,
                                    reminders=reminders, after_pk=seen["pk"])
        seen["pk"] = found.last_pk
        for reply in found.replies:
            err_console.print(f"6.1: {reply.staff} replied in a critical thread "
                              f"({reply.comment_id}); the community manager is told")

    runner = Runner(store, moderator, [c for _, c in pairs],
                    intervals={a.name: a.poll_interval_s for a, _ in pairs},
                    alert=notify_alert(notifiers_from_settings(store.settings.escalation),
                                       file_alert(config.alerts_file)),
                    after_round=after_round,
                    checkpointer=Checkpointer.from_settings(store))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        if once:
            report = runner.run_round(force=True, drain=True)
            if as_json:
                print(json.dumps(report.to_dict(), ensure_ascii=False))
            else:
                _print_round(report.to_dict())
            if report.unreachable:
                err_console.print("[red]error:[/] no account could be reached: " + "; ".join(
                    f"{name}: {why}" for name, why in {**report.failed,
                                                       **report.stopped}.items()),
                                  highlight=False)
                raise typer.Exit(2)
            if report.stopped:
                raise typer.Exit(2)
            return
        err_console.print(f"polling {len(pairs)} account(s); Ctrl-C to stop")
        try:
            runner.run_forever(stop, rounds=rounds)
        except KeyboardInterrupt:
            err_console.print("stopping")
    finally:
        runner.close()
        store.dispose()


@connectors_app.command("webhooks")
def webhooks_command(
    connectors: ConnectorsOption,
    db: ConfiguredDbOption = None,
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535)] = 8081,
) -> None:
    """Receive Meta webhooks (Facebook feed, Instagram comments) into the store.

    ``vigie run`` decides what arrives. The dashboard's ``vigie serve`` can mount the same
    handlers (:class:`vigie.connectors.serve.WebhookEndpoint`) instead.
    """
    from vigie.connectors.config import Secrets, load_config
    from vigie.connectors.runner import post_lookup, store_ingest
    from vigie.connectors.serve import WebhookEndpoint, WebhookServer
    from vigie.store.store import open_store

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    config = load_config(connectors)
    store = open_store(db)
    endpoint = WebhookEndpoint(config, Secrets(config), store_ingest(store),
                               post_lookup(store))
    server = WebhookServer(endpoint, host, port)
    bound = server.address
    err_console.print(f"webhooks on http://{bound[0]}:{bound[1]}/webhooks/facebook and "
              "/webhooks/instagram; put TLS in front (Meta calls https only)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        err_console.print("stopping")
    finally:
        server.shutdown()
        store.dispose()


@connectors_app.command("check")
def check_command(
    file: Annotated[Path, typer.Argument(help="Connectors file.")],
) -> None:
    """Validate a connectors file and check every secret is readable (no network)."""
    from vigie.connectors.config import (
        FacebookAccount,
        ImportAccount,
        InstagramAccount,
        Secrets,
        load_config,
    )

    config = load_config(file)
    secrets = Secrets(config)
    table = Table(title=f"{file}: {len(config.accounts)} account(s)")
    for column in ("account", "platform", "target", "poll", "secrets"):
        table.add_column(column)
    for a in config.accounts:
        refs: dict[str, Any] = {}
        token = getattr(a, "token", None)
        if not isinstance(a, ImportAccount) and token is not None:
            refs["token"] = token
        password = getattr(a, "app_password", None)  # WordPress, Bluesky
        if password is not None:
            refs["app_password"] = password
        if isinstance(a, FacebookAccount | InstagramAccount):
            refs.update({k: v for k, v in (("app_secret", a.app_secret),
                                           ("verify_token", a.verify_token)) if v})
        oauth = getattr(a, "oauth", None)
        if oauth is not None:  # the refresh grant's secrets; the token file is not read
            refs.update({k: v for k, v in (("oauth.client_secret", oauth.client_secret),
                                           ("oauth.refresh_token", oauth.refresh_token))
                         if v})
        for name, ref in refs.items():
            secrets.resolve(ref, account=a.name, field=name)  # raises with the location
        target = next(str(getattr(a, f)) for f in
                      ("page_id", "ig_user_id", "channel_id", "user_id",
                       "organization_id", "site_url", "identifier", "path")
                      if hasattr(a, f))
        table.add_row(a.name + ("" if a.enabled else " (disabled)"), a.platform, target,
                      f"{a.poll_interval_s:.0f}s", ", ".join(refs) + " ok" if refs else "-")
    out_console.print(table)


def _print_round(report: dict[str, Any]) -> None:
    for name, n in report["fetched"].items():
        out_console.print(f"{name}: {n} comment(s) fetched")
    out_console.print(f"decided from webhooks: {report['decided_pending']} · actions applied "
              f"{report['applied']}, to retry {report['retried']}, dead {report['dead']}")
    for name, why in report["stopped"].items():
        err_console.print(f"[red]stopped[/] {name}: {why}", highlight=False)
