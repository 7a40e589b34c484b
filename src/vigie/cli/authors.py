"""``vigie authors``: link one person's accounts on several platforms (directive 7).

Linked accounts count their strikes together against the policy's threshold, and the block
it causes reaches each of them (:mod:`vigie.store.persons`). ``link`` and ``unlink`` are
recorded in the audit chain with who did it and why; ``show`` lists a person's accounts.
Accounts are named by their stored author id (``fb:u-123``), or ``platform/id`` where the
same id exists on several platforms. Registered on the main app by :mod:`vigie.cli.app`.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from vigie.cli.options import ByOption, DbOption, JsonFlag, ReasonOption, out_console
from vigie.cli.store import open_store_at

__all__ = ["authors_app"]

authors_app = typer.Typer(help="Link one person's accounts across platforms, so their strikes "
                          "count together (directive 7; audited).", no_args_is_help=True)

AccountArgument = Annotated[str, typer.Argument(
    help="An author id as stored (e.g. fb:u-123), or platform/id (instagram/ig:456).",
    metavar="ACCOUNT")]


def _print(accounts: list[dict[str, Any]]) -> None:
    for a in accounts:
        state = " · blocked" if a["blocked"] else ""
        out_console.print(f"{a['platform']}/{a['author_id']} · {a['strikes']} strike(s){state}",
                          highlight=False)


@authors_app.command("link")
def authors_link(
    accounts: Annotated[list[str], typer.Argument(
        help="Two accounts or more, as for show (e.g. fb:u-123 instagram/ig:456).",
        metavar="ACCOUNT...")],
    by: ByOption = "",
    reason: ReasonOption = "",
    db: DbOption = None,
) -> None:
    """Link accounts as one person: their strikes count together from now on; audited."""
    from vigie.store.persons import link_accounts

    store = open_store_at(db)
    linked = link_accounts(store, accounts, actor=by, reason=reason)
    out_console.print(f"linked: {', '.join(a.label() for a in linked)}", highlight=False)


@authors_app.command("unlink")
def authors_unlink(account: AccountArgument, by: ByOption = "", reason: ReasonOption = "",
                   db: DbOption = None) -> None:
    """Take an account out of its person: its strikes count alone from now on; audited."""
    from vigie.store.persons import unlink_account

    store = open_store_at(db)
    left = unlink_account(store, account, actor=by, reason=reason)
    rest = ", ".join(a.label() for a in left) if left else "no other link left"
    out_console.print(f"{account}: unlinked ({rest})", highlight=False)


@authors_app.command("show")
def authors_show(account: AccountArgument, db: DbOption = None, as_json: JsonFlag = False
                 ) -> None:
    """The person's accounts, with their strikes and blocks."""
    from vigie.store.persons import describe, find_account

    store = open_store_at(db)
    with store.read() as conn:
        found = describe(conn, find_account(conn, account).pk)
    if as_json:
        out_console.print_json(json.dumps(found, default=str, ensure_ascii=False))
        return
    if len(found) == 1:
        out_console.print(f"{account}: linked to no other account", highlight=False)
    _print(found)
