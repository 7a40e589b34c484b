"""Time ``verify_trail`` (chain + acting rows) against ``verify_chain`` on N strikes and actions.

Builds a store with N comments, one strike and one planned removal each (their events carry the
row digests, as the workflow writes them), and one block for each of min(N/10, 5000) authors;
then times each verification ``--repeat`` times, alternating, in one read transaction each.
Usage::

    .venv/bin/python scripts/time_audit_verify.py --n 100000 --db /tmp/audit.sqlite
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from typing import Any

from sqlalchemy import insert, select

from vigie.records import parse_comment
from vigie.store.events import EventKind, append_events, verify_chain
from vigie.store.ingest import ingest
from vigie.store.outbox import ActionKind, insert_planned, plan_action
from vigie.store.schema import comments, strikes
from vigie.store.settings import StoreSettings
from vigie.store.state_audit import verify_trail
from vigie.store.store import Store, open_store
from vigie.store.strikes import record_block, strike_event

T0 = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
BATCH = 5000


def build(store: Store, n: int) -> None:
    """N comments with a strike and a planned removal each, and some blocks."""
    records = [parse_comment({
        "id": f"fb:c-{i}", "platform": "facebook", "text": "x",
        "created_at": (T0 + dt.timedelta(seconds=i)).isoformat(),
        "author": {"id": f"fb:u-{i % 5000}", "name": "n"}}) for i in range(n)]
    for start in range(0, n, BATCH):
        with store.begin() as conn:
            ingest(conn, records[start:start + BATCH], T0)
    with store.read() as conn:
        keys = {r.comment_id: (r.pk, r.author_pk) for r in conn.execute(
            select(comments.c.comment_id, comments.c.pk, comments.c.author_pk))}
    clauses = json.dumps(["6.4 k"])
    for start in range(0, n, BATCH):
        rows: list[dict[str, Any]] = []
        planned: list[dict[str, Any]] = []
        events = []
        for c in records[start:start + BATCH]:
            pk, author = keys[c.id]
            rows.append({"author_pk": author, "comment_pk": pk, "at": c.created_at,
                         "clauses": clauses})
            events.append(strike_event(EventKind.STRIKE_RECORDED, c.id, comment_pk=pk,
                                       author_pk=author, at=c.created_at, clauses=clauses,
                                       voided=False, actor="vigie",
                                       details={"author_pk": author, "clauses": ["6.4 k"]}))
            plan_action(ActionKind.REMOVE_COMMENT, key=f"remove:{c.id}", platform="facebook",
                        comment_id=c.id, author_id=c.author.id, post_id=None, reason="6.4 k",
                        when=T0, rows=planned, events=events)
        with store.begin() as conn:
            conn.execute(insert(strikes), rows)
            insert_planned(conn, planned)
            append_events(conn, events, T0)
    with store.begin() as conn:
        blocked = []
        for i in range(min(n // 10, 5000)):
            blocked += record_block(conn, author_pk=keys[f"fb:c-{i}"][1], comment_pk=None,
                                    decision_pk=None, when=T0, reason="section 7")
        append_events(conn, blocked, T0)


def main() -> None:
    """Build, then time and print each verification."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--db", required=True, help="a new SQLite file or a PostgreSQL URL")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    store = open_store(settings=StoreSettings(database_url=args.db, pseudonym_key="k" * 32))
    started = time.perf_counter()
    build(store, args.n)
    print(f"built in {time.perf_counter() - started:.1f} s")
    for _ in range(args.repeat):
        for verify in (verify_chain, verify_trail):
            with store.read() as conn:
                started = time.perf_counter()
                report = verify(conn)
                took = time.perf_counter() - started
            rows = report.strikes + report.blocks + report.actions
            print(f"{verify.__name__}: {report.events:,} events, {rows:,} acting rows, "
                  f"ok={report.ok}, {took:.2f} s")
    store.dispose()


if __name__ == "__main__":
    main()
