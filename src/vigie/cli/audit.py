"""``vigie audit``: verify the hash chain and the signed checkpoints, export, sign the head.

Registered on the main app by :mod:`vigie.cli.app`. The checkpoint commands keep the private
key and the checkpoints file outside the database (see :mod:`vigie.store.checkpoints`).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from vigie.cli.options import DbOption, JsonFlag, err_console, out_console
from vigie.cli.store import open_store_at

__all__ = ["audit_app"]

audit_app = typer.Typer(help="Audit trail: verify the hash chain and its signed checkpoints, "
                        "export, sign.", no_args_is_help=True)

CheckpointsOption = Annotated[Path | None, typer.Option(
    "--checkpoints", help="Signed checkpoints file (JSON lines), kept outside the database.")]
PublicKeyOption = Annotated[Path | None, typer.Option(
    "--public-key", help="Public key (PEM) that verifies the checkpoints.")]


@audit_app.command("verify")
def audit_verify(db: DbOption = None, as_json: JsonFlag = False,
                 checkpoints: CheckpointsOption = None,
                 public_key: PublicKeyOption = None) -> None:
    """Recompute the hash chain and check the acting tables against it; exit 1 on a problem.

    Strikes, blocks and outbox rows must be what their events recorded: a row inserted,
    edited, deleted or an action's status reset is named. With --checkpoints and --public-key
    (or, without them, VIGIE_AUDIT_CHECKPOINT_FILE and VIGIE_AUDIT_CHECKPOINT_PUBLIC_KEY or
    VIGIE_AUDIT_CHECKPOINT_KEY), also check the signed checkpoints: a log rewritten with every
    hash recomputed is caught, and the message says after which checkpoint.
    """
    from vigie.store.audit_verify import verify_audit

    found = verify_audit(open_store_at(db), checkpoints, public_key)
    report, signed = found.chain, found.signed
    if as_json:
        print(json.dumps(found.to_dict(), ensure_ascii=False))
    else:
        if report.ok:
            out_console.print(f"[green]ok[/]: {report.events:,} events, {report.decisions:,} "
                              f"decisions, {report.strikes:,} strikes, {report.blocks:,} "
                              f"blocks and {report.actions:,} outbox actions verify",
                              highlight=False)
        else:
            for problem in report.problems:
                err_console.print(f"[red]tampered[/]: {problem}", highlight=False)
            err_console.print(f"{len(report.problems)} problem(s) in {report.events:,} events")
        if signed is not None:
            where = f" ({found.checkpoints_file})" if checkpoints is None else ""
            if signed.ok:
                out_console.print(f"[green]ok[/]: {signed.summary()}{where}", highlight=False)
            else:
                err_console.print(f"[red]tampered[/]: {signed.summary()}{where}",
                                  highlight=False)
    if not found.ok:
        raise typer.Exit(1)


@audit_app.command("keygen")
def audit_keygen(
    private_key: Annotated[Path, typer.Option(
        "--private-key", help="Where to write the private key (PEM, mode 600). Keep it off the "
        "database server's backups.")],
    public_key: Annotated[Path, typer.Option(
        "--public-key", help="Where to write the public key (PEM), for auditors.")],
) -> None:
    """Create the Ed25519 key pair that signs audit checkpoints."""
    from vigie.store.checkpoints import generate_key

    out_console.print(f"key {generate_key(private_key, public_key)} written: {private_key} "
                      f"(secret), {public_key} (public)", highlight=False)


@audit_app.command("checkpoint")
def audit_checkpoint(
    private_key: Annotated[Path, typer.Option(
        "--private-key", help="The private key from `vigie audit keygen`.")],
    checkpoints: Annotated[Path, typer.Option(
        "--checkpoints", help="Checkpoints file to append to, outside the database.")],
    db: DbOption = None,
) -> None:
    """Sign the head of the audit chain and append it to the checkpoints file.

    Run it periodically (cron, a systemd timer): a rewrite of the log before the last
    checkpoint is then caught by `vigie audit verify --checkpoints ... --public-key ...`.
    """
    from vigie.store.checkpoints import load_private_key, write_checkpoint

    key = load_private_key(private_key)
    store = open_store_at(db)
    with store.read() as conn:
        cp = write_checkpoint(conn, key, checkpoints, dt.datetime.now(dt.UTC))
    out_console.print(f"checkpoint: event #{cp.seq} ({cp.hash[:16]}…) signed by key "
                      f"{cp.key_id}, appended to {checkpoints}", highlight=False)


@audit_app.command("export")
def audit_export(
    db: DbOption = None,
    author: Annotated[str | None, typer.Option(
        help="Export everything held about this author (access request) instead.")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o")] = None,
    by: Annotated[str, typer.Option("--by", help="Who asks (recorded).")] = "vigie",
) -> None:
    """Export the audit trail (authors pseudonymised, no text), or one author's file."""
    from vigie.store.retention import export_audit, export_author

    store = open_store_at(db)
    handle = output.open("w", encoding="utf-8") if output else sys.stdout
    try:
        if author is not None:
            handle.write(json.dumps(export_author(store, author, actor=by), ensure_ascii=False,
                                    indent=2) + "\n")
        else:
            for record in export_audit(store, actor=by):
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    finally:
        if output:
            handle.close()


