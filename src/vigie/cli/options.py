"""Options and consoles that every command group shares, declared once.

Each option is a Typer ``Annotated`` type: a command takes ``db: DbOption = None`` and gets the
same flag, environment variable and help text as every other command.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from vigie.actions import Action

__all__ = [
    "ACTION_STYLE",
    "ByOption",
    "ConfiguredDbOption",
    "ConnectorsOption",
    "DbOption",
    "FormatOption",
    "JsonFlag",
    "PolicyOption",
    "ReasonOption",
    "err_console",
    "out_console",
]

#: Standard output (results) and standard error (progress, warnings, errors).
out_console = Console(soft_wrap=True)
err_console = Console(stderr=True)

PolicyOption = Annotated[
    Path | None,
    typer.Option("--policy", "-p", envvar="VIGIE_POLICY",
                 help="Policy file (default: the bundled Polytechnique Montréal directive)."),
]
EncodingOption = Annotated[str | None, typer.Option(
    "--encoding", help="Encoding of CSV input (default: guessed among UTF-8 with or without "
    "BOM, cp1252 and latin-1), e.g. cp1252.")]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
DbOption = Annotated[str | None, typer.Option(
    "--db", envvar="VIGIE_DATABASE_URL",
    help="Database URL or SQLite path (default: VIGIE_DATABASE_URL, else ./vigie.sqlite).")]
# `vigie run` resolves its database through the settings file first, so no envvar here.
ConfiguredDbOption = Annotated[
    str | None, typer.Option("--db", help="Database URL or SQLite path (default: settings, "
                                          "VIGIE_DATABASE_URL, ./vigie.sqlite).")]
ConnectorsOption = Annotated[
    Path, typer.Option("--connectors", "-c", envvar="VIGIE_CONNECTORS",
                       help="Connectors file (accounts, pages, where their secrets are).")]
ByOption = Annotated[str, typer.Option("--by", help="Who does this (recorded in the audit).")]
ReasonOption = Annotated[str, typer.Option("--reason", help="Why, in words (recorded).")]
FormatOption = Annotated[str, typer.Option(
    "--format", "-f", help="csv or json (default: from the file name, else csv).")]

ACTION_STYLE = {
    Action.ALLOW: "green", Action.ESCALATE: "cyan", Action.REVIEW: "yellow",
    Action.HIDE: "magenta", Action.REMOVE: "red", Action.BLOCK: "bold red",
}
