"""``vigie policy validate`` and ``vigie policy show``.

The store adds propose, approve, history and diff (:mod:`vigie.cli.store`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from vigie.cli.moderate import build_pipeline
from vigie.cli.options import JsonFlag, err_console, out_console
from vigie.policy import Policy, load_policy

__all__ = ["policy_app"]

policy_app = typer.Typer(help="Validate and show policy files.", no_args_is_help=True)


@policy_app.command("validate")
def policy_validate(
    file: Annotated[Path, typer.Argument(help="Policy YAML file.")],
) -> None:
    """Validate a policy file against the format and the installed detectors."""
    from vigie.monitoring.names import matcher_for

    policy = load_policy(file)
    build_pipeline(policy)  # checks detectors, their options and every signal pattern
    _check_periods(policy)
    matcher_for(policy)  # the names file of the web monitoring (7): readable, its institution
    out_console.print(f"[green]valid[/] {file}: {policy.id} version {policy.version}, "
                      f"{len(policy.categories)} categories, digest {policy.digest}")
    for period in policy.periods:
        out_console.print(f"period {period.slug}: {period.start:%m-%d} to {period.end:%m-%d}"
                          + (" every year" if period.yearly else f" ({period.start.year})")
                          + f", {period.timezone}")
    for rule in policy.categories:
        if not rule.signals:
            err_console.print(f"[yellow]warning[/]: category {rule.slug} ({rule.clause}) lists "
                              "no signals: nothing can ever reach it")


def _check_periods(policy: Policy) -> None:
    """Build each period's effective policy: its detectors' options and its signals.

    Raises:
        PolicyError: a period's detector options are invalid, or a signal is provided by none.
    """
    import datetime as dt
    import zoneinfo

    from vigie.detectors.builtin import default_registry
    from vigie.policy import effective_policy

    registry = default_registry()
    for period in policy.periods:
        day = dt.datetime.combine(period.start, dt.time(12),
                                  zoneinfo.ZoneInfo(period.timezone))
        during = effective_policy(policy, day)
        for name, options in during.detectors.items():
            if options != policy.detectors.get(name):  # the base ones were built above
                registry.create(name, options or {}, during)
        during.check_signals(s for name in during.detectors for s in registry.provides(name))


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
