"""One person's accounts on several platforms (directive 7): strikes counted for the person.

A *person* is the set of author accounts sharing a ``person`` id in ``person_links``. The
strike threshold (``blocking`` in the policy) then counts the strikes of every linked account
within the window, and the block it causes reaches each of them: one ``blocks`` row and one
``block_author`` outbox action per account, on that account's platform (where the platform has
no block, the connector's sink says so and later comments of that account wait for a human,
as for any block Vigie cannot apply).

Links are made by an operator, never guessed. No connector's API names a commenter across
platforms: Facebook gives a page-scoped user id, Instagram an IGSID that means nothing on
Facebook, Threads a username only, X, YouTube, LinkedIn and Bluesky ids of their own. Meta's
``connected_threads_user`` and the Instagram account behind a Page describe the institution's
own accounts, not its commenters. A Threads username follows the Instagram one, but a username
can change and be taken by someone else: a match is a hint for a human, not a link.

Linking accounts of two persons merges them; unlinking takes one account out (a person left
with a single account is no person: its row goes too), and counts stop adding up for the
decisions made after it. Both are events (``person_linked``, ``person_unlinked``, subject
``person``) carrying author numbers and platforms, never an id or a name. An erasure (Law 25)
removes the erased account's link (:func:`forget_links`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection

from vigie.errors import StoreError
from vigie.store.events import EventKind, NewEvent, append_events, lock_chain
from vigie.store.outbox import ActionKind, action_key, plan_action
from vigie.store.retention import find_authors
from vigie.store.schema import PLATFORMS, authors, blocks, person_links, strikes
from vigie.store.store import Store
from vigie.store.strikes import lift_blocks, record_block

__all__ = ["Account", "accounts_of", "block_linked", "describe", "find_account",
           "forget_links", "lift_linked", "link_accounts", "linked_reason", "unlink_account"]

#: The longest reason kept with a link (the rest is cut).
MAX_REASON = 500


@dataclass(frozen=True, slots=True)
class Account:
    """One platform account of an author: the ``authors`` row's number, platform and id."""

    pk: int
    platform: str
    author_id: str

    def label(self) -> str:
        """``platform/author_id``, the form :func:`find_account` reads back (pure)."""
        return f"{self.platform}/{self.author_id}"


def find_account(conn: Connection, spec: str) -> Account:
    """The stored account named by ``spec``: an author id (``fb:u-123``) or ``platform/id``.

    Raises:
        StoreError: no such account, an erased one, or an id stored on several platforms
            (the message says how to name one).
    """
    spec = spec.strip()
    platform, _, rest = spec.partition("/")
    if rest and platform in PLATFORMS:
        rows = find_authors(conn, rest, platform)
    else:
        rows = find_authors(conn, spec)
    if len(rows) > 1:
        names = ", ".join(f"{r.platform}/{r.author_id}" for r in rows)
        raise StoreError(f"{spec!r} is an author on several platforms: name one ({names})")
    row = rows[0]
    if row.erased_at is not None:
        raise StoreError(f"{spec!r} was erased (Law 25): it cannot be linked")
    return Account(int(row.pk), str(row.platform), str(row.author_id))


def accounts_of(conn: Connection, author_pks: Iterable[int]) -> dict[int, tuple[Account, ...]]:
    """For each linked account among ``author_pks``: every account of its person, itself too.

    Accounts linked to nobody are absent from the answer.
    """
    pks = sorted(set(author_pks))
    if not pks:
        return {}
    person_of = dict(conn.execute(select(person_links.c.author_pk, person_links.c.person)
                                  .where(person_links.c.author_pk.in_(pks))).all())
    if not person_of:
        return {}
    members: dict[str, list[Account]] = {}
    for person, pk, platform, author_id in conn.execute(
            select(person_links.c.person, authors.c.pk, authors.c.platform, authors.c.author_id)
            .join(authors, authors.c.pk == person_links.c.author_pk)
            .where(person_links.c.person.in_(set(person_of.values())))
            .order_by(authors.c.pk)):
        members.setdefault(person, []).append(Account(int(pk), platform, author_id))
    return {pk: tuple(members[person]) for pk, person in person_of.items()}


def describe(conn: Connection, author_pk: int) -> list[dict[str, Any]]:
    """The accounts of ``author_pk``'s person (only itself when linked to nobody), for display.

    Each: ``pk``, ``platform``, ``author_id``, ``name``, ``strikes`` (not voided, ever),
    ``blocked`` (a block not lifted), ``linked_at``, ``linked_by`` and ``reason`` (``None``
    when not linked).
    """
    pks = [a.pk for a in accounts_of(conn, [author_pk]).get(author_pk, ())] or [author_pk]
    rows = conn.execute(
        select(authors.c.pk, authors.c.platform, authors.c.author_id, authors.c.name,
               person_links.c.linked_at, person_links.c.linked_by, person_links.c.reason)
        .outerjoin(person_links, person_links.c.author_pk == authors.c.pk)
        .where(authors.c.pk.in_(pks)).order_by(authors.c.pk)).all()
    counts: dict[int, int] = dict(conn.execute(select(strikes.c.author_pk, func.count()).where(
        strikes.c.author_pk.in_(pks), strikes.c.voided_at.is_(None))
        .group_by(strikes.c.author_pk)).all())
    blocked = set(conn.execute(select(blocks.c.author_pk).where(
        blocks.c.author_pk.in_(pks), blocks.c.lifted_at.is_(None))).scalars())
    return [{**r._mapping, "strikes": int(counts.get(r.pk, 0)), "blocked": r.pk in blocked}
            for r in rows]


def _checked(actor: str, reason: str) -> str:
    if not actor.strip():
        raise StoreError("a link needs who makes it (--by)")
    if not reason.strip():
        raise StoreError("a link needs a reason (--reason): how you know it is the same person")
    return reason.strip()[:MAX_REASON]


def link_accounts(store: Store, specs: Sequence[str], *, actor: str, reason: str
                  ) -> tuple[Account, ...]:
    """Link accounts as one person (merging persons they already belong to); audited.

    Returns:
        Every account of the person after the link.

    Raises:
        StoreError: fewer than two different accounts, an unknown or erased one, or no
            ``actor`` or ``reason``.
    """
    why = _checked(actor, reason)
    now = store.now()
    with store.begin() as conn:
        lock_chain(conn)
        chosen = list({a.pk: a for a in (find_account(conn, s) for s in specs)}.values())
        if len(chosen) < 2:
            raise StoreError("a link needs at least two different accounts")
        before = accounts_of(conn, [a.pk for a in chosen])
        persons = sorted(set(conn.execute(select(person_links.c.person).where(
            person_links.c.author_pk.in_([a.pk for a in chosen]))).scalars()))
        person = persons[0] if persons else uuid.uuid4().hex
        if persons[1:]:  # accounts of two persons: one person from now on
            conn.execute(update(person_links).where(person_links.c.person.in_(persons[1:]))
                         .values(person=person))
        fresh = [a for a in chosen if a.pk not in before]
        if fresh:
            conn.execute(insert(person_links), [
                {"person": person, "author_pk": a.pk, "linked_at": now, "linked_by": actor,
                 "reason": why} for a in fresh])
        after = accounts_of(conn, [chosen[0].pk])[chosen[0].pk]
        if fresh or persons[1:]:
            append_events(conn, [NewEvent(EventKind.PERSON_LINKED, "person", person, {
                "accounts": [a.pk for a in after], "added": [a.pk for a in fresh],
                "platforms": sorted({a.platform for a in after}), "merged": persons[1:],
                "reason": why}, actor)], now)
    return after


def _take_out(conn: Connection, account: Account) -> tuple[str, list[int]] | None:
    """Remove ``account``'s link, and its person's last one if only one is left."""
    person = conn.execute(select(person_links.c.person).where(
        person_links.c.author_pk == account.pk)).scalar()
    if person is None:
        return None
    conn.execute(delete(person_links).where(person_links.c.author_pk == account.pk))
    left = list(conn.execute(select(person_links.c.author_pk).where(
        person_links.c.person == person)).scalars())
    if len(left) == 1:
        conn.execute(delete(person_links).where(person_links.c.person == person))
    return str(person), [int(pk) for pk in left]


def unlink_account(store: Store, spec: str, *, actor: str, reason: str) -> tuple[Account, ...]:
    """Take one account out of its person; audited.

    Its strikes stop counting for the other accounts (and theirs for it) in the decisions made
    from now on; blocks already made stay (lift them by review if needed).

    Returns:
        The accounts still linked together (none when only one was left).

    Raises:
        StoreError: unknown account, one linked to nobody, or no ``actor`` or ``reason``.
    """
    why = _checked(actor, reason)
    now = store.now()
    with store.begin() as conn:
        lock_chain(conn)
        account = find_account(conn, spec)
        taken = _take_out(conn, account)
        if taken is None:
            raise StoreError(f"{spec!r} is linked to no other account")
        person, left = taken
        append_events(conn, [NewEvent(EventKind.PERSON_UNLINKED, "person", person, {
            "account": account.pk, "platform": account.platform,
            "left": left if len(left) > 1 else [], "reason": why}, actor)], now)
        remaining = accounts_of(conn, left[:1]).get(left[0], ()) if len(left) > 1 else ()
    return remaining


def forget_links(conn: Connection, author_pk: int, *, actor: str, reason: str
                 ) -> list[NewEvent]:
    """Remove an erased author's link (inside the erasure's transaction); the events to append."""
    row = conn.execute(select(authors.c.platform).where(authors.c.pk == author_pk)).first()
    if row is None:
        return []
    taken = _take_out(conn, Account(author_pk, str(row.platform), ""))
    if taken is None:
        return []
    person, left = taken
    return [NewEvent(EventKind.PERSON_UNLINKED, "person", person, {
        "account": author_pk, "platform": str(row.platform),
        "left": left if len(left) > 1 else [], "reason": f"erased (Law 25): {reason}"[:500]},
        actor)]


def block_linked(conn: Connection, accounts: Sequence[Account], *, blocked: set[int],
                 comment_pk: int, comment_id: str, decision_pk: int | None, when: dt.datetime,
                 reason: str, cause: str, rows: list[dict[str, Any]], events: list[NewEvent],
                 actor: str = "vigie") -> list[int]:
    """Block each of ``accounts`` not in ``blocked`` (added to it), through the outbox.

    The block's grounds are the comment that reached the person's threshold, on whichever
    account it was posted. The outbox action names no comment: the account's platform blocks
    the author alone, or the sink records why it cannot (YouTube bans only with a rejected
    comment; Instagram has no block), and that account's next comments wait for a human.

    Returns:
        The numbers of the accounts blocked now.
    """
    done = []
    for account in accounts:
        if account.pk in blocked:
            continue
        events.extend(record_block(conn, author_pk=account.pk, comment_pk=comment_pk,
                                   decision_pk=decision_pk, when=when, reason=reason,
                                   actor=actor))
        kind = ActionKind.BLOCK_AUTHOR
        plan_action(kind, key=action_key(kind, account.author_id, f"{cause}:{comment_id}"),
                    platform=account.platform, comment_id=None, author_id=account.author_id,
                    post_id=None, reason=reason, when=when, rows=rows, events=events,
                    actor=actor)
        blocked.add(account.pk)
        done.append(account.pk)
    return done


def lift_linked(conn: Connection, *, comment_pk: int, author_pk: int, when: dt.datetime,
                reason: str, cause: str, rows: list[dict[str, Any]], events: list[NewEvent],
                actor: str) -> list[int]:
    """Lift the blocks a restored comment caused on its person's other accounts.

    Those blocks name the comment as their grounds (:func:`block_linked`); once it is restored
    (its strike voided) they have none. Each gets an ``unblocked`` event and an
    ``unblock_author`` outbox action on its platform. Returns the accounts unblocked.
    """
    found = conn.execute(
        select(authors.c.pk.label("author_pk"), authors.c.platform, authors.c.author_id)
        .join(blocks, authors.c.pk == blocks.c.author_pk)
        .where(blocks.c.comment_pk == comment_pk, blocks.c.author_pk != author_pk,
               blocks.c.lifted_at.is_(None)).distinct()).all()
    for row in found:
        events.extend(lift_blocks(conn, author_pk=row.author_pk, comment_pk=comment_pk,
                                  when=when, reason=reason, actor=actor))
        kind = ActionKind.UNBLOCK_AUTHOR
        plan_action(kind, key=action_key(kind, row.author_id, f"{cause}:linked"),
                    platform=row.platform, comment_id=None, author_id=row.author_id,
                    post_id=None, reason=reason, when=when, rows=rows, events=events,
                    actor=actor)
    return [int(r.author_pk) for r in found]


def linked_reason(strikes: int, days: int, accounts: int) -> str:
    """The block reason of a person's threshold (pure; see :func:`vigie.web.explain`)."""
    return f"{strikes} strikes within {days} days across {accounts} linked accounts (section 7)"
