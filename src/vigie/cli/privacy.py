"""``vigie privacy``: a person's rights under Québec's Law 25, from the command line.

``export`` answers an access request (everything held on one author, JSON or CSV); ``erase``
answers an erasure request (:mod:`vigie.store.erasure`). Both are recorded in the audit chain
with who did it. Registered on the main app by :mod:`vigie.cli.app`.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import IO, Annotated, Any

import typer

from vigie.cli.options import ByOption, DbOption, ReasonOption, err_console, out_console
from vigie.cli.store import open_store_at
from vigie.errors import VigieError
from vigie.store.retention import AUTHOR_CSV_FIELDS, author_csv_rows

__all__ = ["CSV_FIELDS", "person_names", "privacy_app", "write_author_csv"]

privacy_app = typer.Typer(help="Law 25: export or erase one person's data (audited).",
                          no_args_is_help=True)

AuthorArgument = Annotated[str, typer.Argument(
    help="The platform's author id, as stored (e.g. fb:u-123).", metavar="AUTHOR")]
PlatformOption = Annotated[str | None, typer.Option(
    help="Only this platform, when the id exists on several.")]

#: Columns of the CSV export (:data:`vigie.store.retention.AUTHOR_CSV_FIELDS`).
CSV_FIELDS = AUTHOR_CSV_FIELDS


def person_names(file: dict[str, Any]) -> list[str]:
    """The names an author's file goes by: the author id and each account's handle (pure)."""
    return [file["author_id"], *(a["handle"] for a in file["accounts"] if a["handle"])]


def write_author_csv(file: dict[str, Any], handle: IO[str]) -> None:
    """Write an author's file (from ``export_author``) as CSV, one row per comment (pure I/O)."""
    writer = csv.writer(handle)
    writer.writerow(CSV_FIELDS)
    writer.writerows(author_csv_rows(file))


@privacy_app.command("export")
def privacy_export(
    author: AuthorArgument,
    db: DbOption = None,
    output: Annotated[Path | None, typer.Option("--output", "-o",
                                                help="File to write (default: stdout).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="json (everything) or csv (one row "
                                     "per comment, with a BOM for Excel).")] = "json",
    platform: PlatformOption = None,
    by: ByOption = "vigie",
) -> None:
    """Everything held on one person (access request), as JSON or CSV; audited.

    JSON also lists the drafts put to a supervisor that name them (as the one who asked, the
    speaker or the supervisor); CSV has one row per comment.
    """
    from vigie.monitoring.consultation_privacy import consultations_of
    from vigie.store.retention import export_author

    if fmt not in ("json", "csv"):
        raise VigieError(f"--format: unknown format {fmt!r}; valid: json, csv")
    store = open_store_at(db)
    file = export_author(store, author, platform=platform, actor=by)
    with store.read() as conn:
        file["consultations"] = consultations_of(conn, person_names(file))
    handle = (output.open("w", encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="")
              if output else sys.stdout)
    try:
        if fmt == "csv":
            write_author_csv(file, handle)
        else:
            handle.write(json.dumps(file, ensure_ascii=False, indent=2) + "\n")
    finally:
        if output:
            handle.close()
    if output:
        err_console.print(f"{author}: exported to {output}", highlight=False)


@privacy_app.command("erase")
def privacy_erase(
    author: AuthorArgument,
    reason: ReasonOption,
    by: ByOption,
    db: DbOption = None,
    platform: PlatformOption = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Erase one person's names, handles, texts and evidence fragments; audited.

    Decisions and the audit trail stay, under a pseudonym. This cannot be undone.
    """
    from vigie.monitoring.consultation_privacy import erase_consultations_of
    from vigie.store.erasure import erase_author
    from vigie.store.retention import find_authors

    if not yes and not typer.confirm(f"Erase everything held on {author}? This cannot be "
                                     "undone.", err=True):
        raise typer.Abort
    store = open_store_at(db)
    with store.read() as conn:  # the names, before the erasure empties them
        names = [author, *(r.handle for r in find_authors(conn, author, platform) if r.handle)]
    drafts = erase_consultations_of(store, names, actor=by, reason=reason)
    report = erase_author(store, author, actor=by, reason=reason, platform=platform)
    out_console.print(f"{author}: erased ({report.comments} comment(s), {report.decisions} "
                      f"decision(s) redacted, {drafts} draft(s) put to a supervisor purged); "
                      f"now {', '.join(report.pseudonyms)} in the audit", highlight=False)
