"""``vigie run``: poll every account on its schedule, moderate through the store, apply actions.

One round, and why in this order:

1. **poll** each account that is due: fetch a page after the stored cursor, hand it to the
   store-aware moderator (which ingests it *before* anything else, decides, and plans the
   platform actions in the outbox, all committed), and only then save the new cursor. A crash
   anywhere re-fetches at most one page; the store's idempotent ingest recognises it and its
   stored decisions stand, so nothing is lost and nothing is decided or planned twice.
2. **decide pending**: comments ingested but not decided (webhook deliveries, or a crash
   between ingest and decision) are decided now.
3. **apply**: the outbox worker applies due actions through the connectors
   (:class:`~vigie.connectors.sink.ConnectorSink`), with idempotency keys and back-off.

Failures stay local to their account: an expired token takes that account out of service and
alerts the community manager, the others go on; throttling and quota park the account until
the platform's reset time; a 5xx streak backs it off. Only a store failure stops the run.

The audit trail says when and why an account stopped acting, from the log alone: the runner
appends ``connector_stopped`` (out of service until a restart), ``connector_parked`` (once
per episode of failed polls, with the time it polls again) and ``connector_resumed`` (the
first successful poll after either, a restart included), with subject ``connector`` and the
account's name. Payloads hold the account, the platform and the error's message, which never
carries a token.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import desc, or_, select, update

from vigie.connectors.base import Connector
from vigie.connectors.errors import AuthExpired, ConfigError, ConnectorError, RateLimited
from vigie.connectors.sink import ConnectorSink
from vigie.errors import InputError
from vigie.notify.escalation import Notifier
from vigie.records import Comment, Post
from vigie.store.checkpoints import Checkpointer
from vigie.store.events import EventKind, NewEvent, append_events
from vigie.store.outbox import OutboxRun, run_outbox
from vigie.store.schema import PLATFORMS, comments, decisions, events, outbox, posts
from vigie.store.store import Store
from vigie.store.workflow import StoreModerator

__all__ = [
    "AccountState",
    "Alert",
    "RoundReport",
    "Runner",
    "file_alert",
    "post_lookup",
    "store_ingest",
    "undecided",
]

log = logging.getLogger(__name__)

#: The cursor key under which each account's fetch position is stored.
CURSOR_KEY = "fetch"
#: ``(account name, message)``: tell the community manager something needs a human.
Alert = Callable[[str, str], None]
#: The events' subject type for a configured platform account (subject id: its name).
SUBJECT = "connector"
_HALTED = (EventKind.CONNECTOR_STOPPED.value, EventKind.CONNECTOR_PARKED.value)


def file_alert(path: Path | None) -> Alert:
    """An alert that logs at ERROR and, when ``path`` is set, appends a JSON line there."""

    def alert(account: str, message: str) -> None:
        log.error("ALERT %s: %s", account, message)
        if path is not None:
            record = {"at": datetime.now(UTC).isoformat(), "account": account,
                      "message": message}
            with path.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")

    return alert


def notify_alert(notifiers: Sequence[Notifier], then: Alert | None = None) -> Alert:
    """An alert sent through the store's escalation channels (e-mail, Teams, Slack).

    It is then passed to ``then``; a channel that fails is logged, never raised.
    """

    def alert(account: str, message: str) -> None:
        for notifier in notifiers:
            try:
                notifier.send(f"Vigie: account {account} stopped", [message])
            except Exception as error:
                log.error("alert through %s failed: %s", notifier.name, error)
        if then is not None:
            then(account, message)

    return alert


def undecided(store: Store, limit: int = 1000) -> list[Comment]:
    """Comments to decide, oldest first: never decided, or edited since (text not purged)."""
    query = (select(comments.c.payload)
             .outerjoin(decisions, decisions.c.comment_pk == comments.c.pk)
             .where(or_(decisions.c.pk.is_(None), decisions.c.revision < comments.c.revision),
                    comments.c.payload.is_not(None))
             .order_by(comments.c.pk).limit(limit))
    with store.read() as conn:
        payloads = list(conn.execute(query).scalars())
    out = []
    for payload in payloads:
        try:
            out.append(Comment.model_validate_json(payload))
        except ValueError as error:  # pragma: no cover - the store only holds validated records
            log.error("stored comment payload unreadable, skipped: %s", error)
    return out


def store_ingest(store: Store) -> Callable[[Sequence[Comment]], int]:
    """An idempotent ingest for the webhook handlers; returns how many are new or edited."""
    from vigie.store.ingest import ingest

    def run(batch: Sequence[Comment]) -> int:
        with store.begin() as conn:
            ingested = ingest(conn, batch, store.now())
        return len(ingested.new) + len(ingested.edited)

    return run


def post_lookup(store: Store) -> Callable[[str], Post | None]:
    """Find a stored post's text and links by Vigie post id (for webhook comments)."""

    def find(post_id: str) -> Post | None:
        with store.read() as conn:
            row = conn.execute(select(posts.c.text, posts.c.links)
                               .where(posts.c.platform.in_(PLATFORMS),
                                      posts.c.post_id == post_id)).first()
        if row is None:
            return None
        links = tuple(json.loads(row.links)) if row.links else ()
        return Post(id=post_id, text=row.text or "", links=links)

    return find


@dataclass(slots=True)
class AccountState:
    """Where one account stands in the schedule.

    Attributes:
        connector: the account's connector.
        interval_s: seconds between two polls.
        next_due: monotonic time of the next poll.
        active: still in service (``False`` after an expired token or a broken cursor).
        reason: why it is out of service, or the last error.
        fetched: comments fetched since start.
        failures: consecutive failed polls (drives the back-off).
        halted: the ``connector_stopped`` or ``connector_parked`` event last appended for it
            (by this run or, for a stop, a run before a restart) and not yet followed by a
            ``connector_resumed``; ``None`` while it acts normally.
        parked_for: the error class of the parking episode already in the log.
    """

    connector: Connector
    interval_s: float
    next_due: float = 0.0
    active: bool = True
    reason: str | None = None
    fetched: int = 0
    failures: int = 0
    halted: str | None = None
    parked_for: str | None = None


@dataclass(slots=True)
class RoundReport:
    """What one round did."""

    fetched: dict[str, int] = field(default_factory=dict)
    decided_pending: int = 0
    outbox: OutboxRun = field(default_factory=OutboxRun)
    stopped: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def unreachable(self) -> bool:
        """Every account polled this round failed (or none is left in service)."""
        polled = set(self.fetched)
        return bool(polled) and polled <= set(self.failed) | set(self.stopped)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (pure)."""
        return {"fetched": dict(self.fetched), "decided_pending": self.decided_pending,
                "applied": self.outbox.applied, "retried": self.outbox.retried,
                "dead": self.outbox.dead, "stopped": dict(self.stopped),
                "failed": dict(self.failed)}


class Runner:
    """Polls connectors into the store and applies the planned actions."""

    def __init__(
        self,
        store: Store,
        moderator: StoreModerator,
        connectors: Sequence[Connector],
        *,
        intervals: dict[str, float] | None = None,
        alert: Alert | None = None,
        clock: Callable[[], float] = time.monotonic,
        max_pages: int = 1000,
        after_round: Callable[[], object] | None = None,
        checkpointer: Checkpointer | None = None,
    ) -> None:
        """Build a runner.

        Args:
            store: the store (cursors, outbox).
            moderator: ingests, decides and plans (its ``sink`` should be ``None``: the runner
                applies the outbox itself, after every account was polled).
            connectors: one per account.
            intervals: seconds between polls, per account name (default 60).
            alert: where a human is told that an account stopped.
            clock: monotonic clock for the schedule.
            max_pages: most pages one account fetches per round (keeps rounds fair).
            after_round: called at the end of each round, once the decisions are recorded
                (``vigie run`` looks there for staff replying to criticism, directive 6.1);
                a failure is logged, never fatal to the round.
            checkpointer: signs checkpoints of the audit chain when due, after each round.
        """
        self.store = store
        self.moderator = moderator
        self.accounts = [AccountState(c, (intervals or {}).get(c.name, 60.0))
                         for c in connectors]
        self._by_connector = {id(a.connector): a for a in self.accounts}
        self.alert = alert or file_alert(None)
        self.clock = clock
        self.max_pages = max_pages
        self.after_round = after_round
        self.checkpointer = checkpointer
        self.sink = ConnectorSink(connectors, on_auth_expired=self._auth_expired,
                                  is_active=lambda c: self._by_connector[id(c)].active)
        # Events wait here until the step that caused them is over: the sink's callbacks run
        # inside the outbox worker, which must not see a store failure as a platform one.
        self._events: list[NewEvent] = []
        self._read_halts()
        self._release_auth_backoffs()

    # -- the audit trail of accounts -----------------------------------------------------------

    def _read_halts(self) -> None:
        """Find the accounts the log shows stopped or parked (a run before a restart)."""
        with self.store.read() as conn:
            for state in self.accounts:
                last = conn.execute(
                    select(events.c.kind).where(events.c.subject_type == SUBJECT,
                                                events.c.subject_id == state.connector.name)
                    .order_by(desc(events.c.seq)).limit(1)).scalar()
                state.halted = last if last in _HALTED else None

    def _release_auth_backoffs(self) -> None:
        """Actions backed off for an expired token are due again at start-up.

        A restart is how an operator puts a renewed token in service; waiting out a back-off
        of up to an hour that the old token earned would leave the page unmoderated for no
        reason. (Still expired: the first action stops the account again, with an alert.)
        """
        platforms = {s.connector.platform.value for s in self.accounts}
        if not platforms:
            return
        now = self.store.now()
        with self.store.begin() as conn:
            conn.execute(update(outbox).where(
                outbox.c.status == "pending", outbox.c.platform.in_(platforms),
                outbox.c.last_error.like("token expired%"), outbox.c.next_attempt_at > now,
            ).values(next_attempt_at=now))

    def _note(self, kind: EventKind, state: AccountState, **details: Any) -> None:
        connector = state.connector
        payload: dict[str, Any] = {"account": connector.name,
                                   "platform": connector.platform.value, **details}
        self._events.append(NewEvent(kind, SUBJECT, connector.name, payload))
        state.halted = None if kind is EventKind.CONNECTOR_RESUMED else kind.value

    def flush_events(self) -> None:
        """Append the accounts' pending events to the audit trail (one transaction).

        Raises:
            StoreError: the store refused the write.
        """
        if not self._events:
            return
        pending, self._events = self._events, []
        with self.store.begin() as conn:
            append_events(conn, pending, self.store.now())

    # -- failures ----------------------------------------------------------------------------

    def _stop(self, state: AccountState, message: str) -> None:
        if not state.active:
            return
        state.active, state.reason = False, message
        self._note(EventKind.CONNECTOR_STOPPED, state, reason=message[:500])
        self.alert(state.connector.name, message + " — this account is stopped; the others "
                   "go on. Fix it and restart `vigie run`.")

    def _auth_expired(self, connector: Connector, error: AuthExpired) -> None:
        self._stop(self._by_connector[id(connector)], str(error))

    def _park(self, state: AccountState, error: ConnectorError) -> None:
        state.failures += 1
        state.reason = str(error)
        if isinstance(error, RateLimited) and error.retry_after is not None:
            wait = error.retry_after
        else:
            wait = min(state.interval_s * (2 ** min(state.failures, 6)), 3600.0)
        state.next_due = self.clock() + wait
        log.warning("%s: %s; next poll in %.0fs", state.connector.name, error, wait)
        cause = type(error).__name__
        # One event per episode of failed polls (and per change of cause), not per poll.
        if state.halted != EventKind.CONNECTOR_PARKED.value or state.parked_for != cause:
            until = self.store.now() + timedelta(seconds=wait)
            self._note(EventKind.CONNECTOR_PARKED, state, reason=str(error)[:500],
                       error=cause, code=error.code, until=until.isoformat())
            state.parked_for = cause

    # -- the three steps ---------------------------------------------------------------------

    def poll(self, state: AccountState) -> int:
        """Fetch, moderate and advance the cursor of one account until it has no more.

        Returns:
            Comments fetched.

        Raises:
            StoreError: the store refused a write (the run stops: nothing can be kept).
        """
        connector = state.connector
        cursor = self.store.get_cursor(connector.name, CURSOR_KEY)
        fetched = 0
        try:
            for _ in range(self.max_pages):
                result = connector.fetch(cursor)
                if result.comments:
                    batch = list(result.comments)
                    self.moderator.process(batch)  # ingest first, decide, plan: committed
                    self.sink.remember([c.post.id for c in batch if c.post is not None],
                                       connector)
                    fetched += len(batch)
                if result.cursor is not None and result.cursor != cursor:
                    self.store.set_cursor(connector.name, CURSOR_KEY, result.cursor)
                    cursor = result.cursor
                if not result.more:
                    break
        except AuthExpired as error:
            self._stop(state, str(error))
        except ConfigError as error:  # a stored cursor this version cannot read
            self._stop(state, str(error))
        except InputError as error:  # an import file that vanished
            self._stop(state, str(error))
        except ConnectorError as error:  # throttled, quota, 5xx, or a refusal: back off
            self._park(state, error)
        else:
            state.failures = 0
            state.reason = None
            state.next_due = self.clock() + state.interval_s
            if state.halted is not None:
                self._note(EventKind.CONNECTOR_RESUMED, state, after=state.halted,
                           reason="a poll succeeded")
                state.parked_for = None
        state.fetched += fetched
        self.flush_events()
        return fetched

    def decide_pending(self, limit: int = 1000) -> int:
        """Decide comments ingested without a decision (webhooks, or a crash); returns count."""
        total = 0
        previous: list[str] = []
        while True:
            batch = undecided(self.store, limit)
            ids = [c.id for c in batch]
            if not batch or ids == previous:  # no progress: never spin
                return total
            self.moderator.process(batch)
            total += len(batch)
            if len(batch) < limit:
                return total
            previous = ids

    def apply_actions(self, limit: int = 1000) -> OutboxRun:
        """Apply due outbox actions through the connectors (one pass).

        The connector sink batches them where the platform allows (YouTube: 50 per call).
        """
        run = run_outbox(self.store, self.sink, limit=limit)
        self.flush_events()  # an account stopped by an expired token while applying
        return run

    def drain_actions(self, limit: int = 1000) -> OutboxRun:
        """Apply passes until no due action is left (``vigie run --once``).

        Retries wait for their back-off, so they are not due again in the same drain: it ends.
        """
        total = OutboxRun()
        while True:
            run = self.apply_actions(limit)
            total.applied += run.applied
            total.retried += run.retried
            total.dead += run.dead
            total.errors.extend(run.errors)
            if run.applied + run.retried + run.dead < limit:
                return total

    # -- rounds ------------------------------------------------------------------------------

    def run_round(self, *, force: bool = False, drain: bool = False) -> RoundReport:
        """Poll every due account (all when ``force``), decide pending, apply actions.

        With ``drain``, every due action is applied before it returns, not one pass of them.
        """
        report = RoundReport()
        now = self.clock()
        for state in self.accounts:
            if state.active and (force or state.next_due <= now):
                report.fetched[state.connector.name] = self.poll(state)
                if state.failures and state.reason:  # parked by this poll
                    report.failed[state.connector.name] = state.reason
        report.decided_pending = self.decide_pending()
        report.outbox = self.drain_actions() if drain else self.apply_actions()
        if self.after_round is not None:
            try:
                self.after_round()
            except Exception:  # the platforms' work is done; a watcher must not undo it
                log.exception("the end-of-round step failed")
        report.stopped = {s.connector.name: s.reason or "" for s in self.accounts
                          if not s.active}
        if self.checkpointer is not None:
            self.checkpointer.maybe()
        return report

    def run_forever(self, stop: threading.Event | None = None, *,
                    rounds: int | None = None) -> None:
        """Run rounds until ``stop`` is set (or ``rounds`` rounds ran, or no account is left).

        Between rounds it sleeps until the next account is due (at most 5 s, so pending
        webhook comments and outbox retries are handled promptly).
        """
        stop = stop or threading.Event()
        done = 0
        while not stop.is_set():
            self.run_round()
            done += 1
            if rounds is not None and done >= rounds:
                return
            active = [s for s in self.accounts if s.active]
            if not active:
                log.error("every account is stopped; nothing left to poll")
                return
            wait = min(s.next_due for s in active) - self.clock()
            stop.wait(max(0.05, min(wait, 5.0)))

    def close(self) -> None:
        """Close every connector."""
        for state in self.accounts:
            state.connector.close()
