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

__all__ = ["CSV_FIELDS", "privacy_app", "write_author_csv"]

privacy_app = typer.Typer(help="Law 25: export or erase one person's data (audited).",
                          no_args_is_help=True)

AuthorArgument = Annotated[str, typer.Argument(
    help="The platform's author id, as stored (e.g. fb:u-123).", metavar="AUTHOR")]
PlatformOption = Annotated[str | None, typer.Option(
    help="Only this platform, when the id exists on several.")]

#: Columns of the CSV export: one row per comment (an author without comments: one row).
CSV_FIELDS = ("platform", "name", "handle", "first_seen", "comment_id", "post_id",
              "created_at", "text", "purged_at", "action", "clauses", "strikes", "blocked")


def write_author_csv(file: dict[str, Any], handle: IO[str]) -> None:
    """Write an author's file (from ``export_author``) as CSV, one row per comment (pure I/O)."""
    writer = csv.writer(handle)
    writer.writerow(CSV_FIELDS)
    for account in file["accounts"]:
        person = [account["platform"], account["name"] or "", account["handle"] or "",
                  account["first_seen"] or ""]
        strikes = str(sum(1 for s in account["strikes"] if not s["voided_at"]))
        blocked = "yes" if any(not b["lifted_at"] for b in account["blocks"]) else "no"
        for c in account["comments"] or [None]:
            if c is None:
                writer.writerow([*person, "", "", "", "", "", "", "", strikes, blocked])
                continue
            decision = c["decision"] or {}
            writer.writerow([*person, c["comment_id"], c["post_id"] or "", c["created_at"] or "",
                             c["text"] or "", c["purged_at"] or "", decision.get("action", ""),
                             " ".join(decision.get("clauses", [])), strikes, blocked])


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
    """Everything held on one person (access request), as JSON or CSV; audited."""
    from vigie.store.retention import export_author

    if fmt not in ("json", "csv"):
        raise VigieError(f"--format: unknown format {fmt!r}; valid: json, csv")
    file = export_author(open_store_at(db), author, platform=platform, actor=by)
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
    from vigie.store.erasure import erase_author

    if not yes and not typer.confirm(f"Erase everything held on {author}? This cannot be "
                                     "undone.", err=True):
        raise typer.Abort
    report = erase_author(open_store_at(db), author, actor=by, reason=reason,
                          platform=platform)
    out_console.print(f"{author}: erased ({report.comments} comment(s), {report.decisions} "
                      f"decision(s) redacted); now {', '.join(report.pseudonyms)} in the audit",
                      highlight=False)
