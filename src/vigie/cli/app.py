"""The ``vigie`` command line: every command and group is registered here, in one place.

Errors are translated here, and only here: a :class:`~vigie.errors.VigieError` becomes a
message on standard error and the exit code from :func:`vigie.errors.exit_code_for`.
The commands live in one module per group (:mod:`vigie.cli.moderate`, :mod:`vigie.cli.quality`,
:mod:`vigie.cli.policy`, :mod:`vigie.cli.store`, :mod:`vigie.cli.web`,
:mod:`vigie.cli.connectors`, :mod:`vigie.cli.monitoring`, :mod:`vigie.cli.page_requests`,
:mod:`vigie.cli.audit`, :mod:`vigie.cli.replies`, :mod:`vigie.cli.authors`); none of them
imports this one.
"""

from __future__ import annotations

from collections.abc import Callable

import typer

from vigie.cli import (
    audit,
    authors,
    connectors,
    moderate,
    monitoring,
    page_requests,
    policy,
    privacy,
    quality,
    replies,
    store,
    web,
)
from vigie.cli.options import err_console
from vigie.errors import VigieError, exit_code_for

__all__ = ["app", "build_app", "main"]


def build_app() -> typer.Typer:
    """The ``vigie`` application with every command and group (pure: builds a new one)."""
    root = typer.Typer(
        name="vigie",
        help="Enforce an institution's social-media directive on its official pages, offline.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
    )
    # Commands, in the order `vigie --help` lists them.
    commands: tuple[tuple[str, Callable[..., None]], ...] = (
        ("check", moderate.check), ("moderate", moderate.moderate),
        ("eval", quality.eval_command), ("demo", moderate.demo), ("bench", quality.bench),
        ("train", quality.train), ("quality-report", quality.quality_report),
        ("golden", quality.golden), ("purge", store.purge_command), ("serve", web.serve),
        ("run", connectors.run_command), ("reply", replies.reply_command),
    )
    for name, command in commands:
        root.command(name)(command)
    # The store's policy-version commands join `vigie policy`.
    versions: tuple[tuple[str, Callable[..., None]], ...] = (
        ("propose", store.policy_propose), ("approve", store.policy_approve),
        ("refuse", store.policy_refuse),
        ("history", store.policy_history), ("diff", store.policy_diff))
    for name, command in versions:
        policy.policy_app.command(name)(command)
    monitoring.registry_app.add_typer(monitoring.mandate_app, name="mandate")
    # Page requests (6.1) join `vigie registry`.
    requests: tuple[tuple[str, Callable[..., None]], ...] = (
        ("request", page_requests.registry_request),
        ("requests", page_requests.registry_requests),
        ("approve", page_requests.registry_approve),
        ("refuse", page_requests.registry_refuse))
    for name, command in requests:
        monitoring.registry_app.command(name)(command)
    for name, group in (
        ("policy", policy.policy_app), ("queue", store.queue_app), ("audit", audit.audit_app),
        ("privacy", privacy.privacy_app), ("draft", monitoring.draft_app),
        ("outbox", store.outbox_app), ("escalations", store.escalations_app),
        ("users", web.users_app), ("connectors", connectors.connectors_app),
        ("mentions", monitoring.mentions_app), ("registry", monitoring.registry_app),
        ("groups", page_requests.groups_app), ("authors", authors.authors_app),
    ):
        root.add_typer(group, name=name)
    return root


app = build_app()


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
    except Exception as error:  # usage errors, from click or from Typer's own copy of it
        import click

        if isinstance(error, click.ClickException | typer.TyperException) and hasattr(
                error, "show"):
            error.show()
            raise SystemExit(getattr(error, "exit_code", 2)) from None
        raise
