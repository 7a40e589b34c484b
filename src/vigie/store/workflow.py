"""Store-aware moderation: ingest, decide with the author's history, record, plan actions.

The order of one batch, and why:

1. **ingest** (own transaction) — the comments are stored before anything else, so a crash in
   classification loses nothing; comments already decided (a rerun after a crash) are found
   here and skipped: a comment is never decided twice.
2. **policy** — each comment is judged by the approved version in force at its ``created_at``
   (directive section 10); without one, by the run's policy file, recorded as a fallback.
3. **analyse** (no transaction) — the detectors run, per policy version, outside any lock;
   they first get the pages the store lists as the institution's own (the page registry),
   whose links are never spam.
4. **decide and record** (one transaction, chain head locked) — the author's strikes within the
   policy window are read, the pure engine decides in the order the comments were posted (a
   second removal in the same batch sees the first, whatever order the platform listed them
   in), and the decision, strike, block, review item, escalation, outbox actions and their
   events are written together: all or nothing.
5. **apply** — when a sink is given, the outbox worker applies the due actions (idempotency keys
   make a repeated delivery after a crash harmless).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Connection

from vigie.actions import REMOVING_ACTIONS, Action
from vigie.batch.moderation import DEFAULT_BATCH, RunStats, batched_read, write_rejects
from vigie.batch.reader import ReadResult
from vigie.decision import AuthorHistory, Decision
from vigie.engine import decide
from vigie.errors import RecordError, StoreError
from vigie.pipeline import Pipeline
from vigie.policy import Policy, effective_policy
from vigie.records import Comment
from vigie.routing import Analyser, Evidence, PolicyRouter
from vigie.store._bulk import bulk_insert, select_in
from vigie.store.events import EventKind, NewEvent, append_events, lock_chain
from vigie.store.ingest import Ingested, KeyCache, ingest
from vigie.store.outbox import (
    ActionKind,
    ActionSink,
    action_key,
    insert_planned,
    plan_action,
    run_outbox,
)
from vigie.store.persons import Account, accounts_of, block_linked, linked_reason
from vigie.store.policy_versions import PolicyResolver, record_fallback
from vigie.store.recall import recall
from vigie.store.schema import decisions, escalations, review_items, strikes
from vigie.store.store import Store
from vigie.store.strikes import StrikeBook, record_block, record_strike, strike_event

__all__ = ["Analyser", "Evidence", "StoreModerator", "action_key", "moderate_stream_db"]

PipelineFactory = Callable[[Policy], Analyser]

# An edited comment's decision row is replaced by the decision on its latest revision (the
# event log keeps both 'decided' events, each with the SHA-256 of its body).
_REPLACE_DECISION = (update(decisions).where(decisions.c.comment_pk == bindparam("b_comment_pk"))
                     .values({name: bindparam(f"b_{name}") for name in (
                         "action", "strike", "escalate", "policy_digest", "policy_source",
                         "decided_at", "body", "body_sha256", "revision")}))


@dataclass(slots=True)
class _Judged:
    comment: Comment
    comment_pk: int
    author_pk: int
    policy: Policy
    source: str
    decision: Decision
    body: str
    blocked_now: bool = False
    strikes_before: int = 0
    author_blocked: bool = False
    revision: int = 1
    replaces: bool = False  # a decision on an earlier revision (an edit) is replaced
    # The person's other accounts (directive 7): how many count, and which the block reaches.
    linked: int = 0
    also_block: tuple[Account, ...] = ()


@dataclass(slots=True)
class _Analysed:
    pending: list[Comment]
    chosen: dict[str, tuple[Policy, str, str]]
    analyses: dict[str, tuple[Evidence, Analyser]]


@dataclass(slots=True)
class _Writes:
    events: list[NewEvent] = field(default_factory=list)
    outbox: list[dict[str, Any]] = field(default_factory=list)


class StoreModerator:
    """Moderates batches against the store (see the module docstring for the order).

    Args:
        store: the store.
        fallback: the policy used where no approved version is in force.
        fallback_text: its YAML text, recorded with the decisions that used it.
        sink: where to apply planned actions after each batch (``None``: they wait in the
            outbox for ``vigie outbox run``).
        pipeline_factory: builds a pipeline for a policy (once per policy version).
        own_pages: reads, in the store, the pages the institution lists besides the policy's
            (:func:`vigie.monitoring.registry.own_pages`, the page registry): before each
            batch they are given to the pipelines (:meth:`Pipeline.know_own_pages`), so a
            page listed or approved during a run counts from the next batch.
    """

    def __init__(self, store: Store, fallback: Policy, fallback_text: str, *,
                 sink: ActionSink | None = None,
                 pipeline_factory: PipelineFactory = Pipeline.from_policy,
                 own_pages: Callable[[Connection], Sequence[str]] | None = None) -> None:
        self.store = store
        self.own_pages = own_pages
        self.fallback = fallback
        self.fallback_text = fallback_text
        self.sink = sink
        self.pipeline_factory = pipeline_factory
        # One pipeline per policy in force (a store version, a period's effective policy),
        # its memory rebuilt from the store when it first serves this store.
        self.router = PolicyRouter(fallback, self._recalled)
        with store.read() as conn:
            self.resolver = PolicyResolver(conn)
        self.fallback_recorded = False
        self.keys = KeyCache()

    def pipeline(self, policy: Policy) -> Analyser:
        """The pipeline for ``policy`` (built once per digest)."""
        return self.router.pipeline(policy)

    def _recalled(self, policy: Policy) -> Analyser:
        """The factory's pipeline, remembering what this policy decided before a restart."""
        pipeline = self.pipeline_factory(policy)
        recall(self.store, pipeline, lambda c: self._policy_for(c)[0].digest == policy.digest)
        return pipeline

    def _policy_for(self, comment: Comment) -> tuple[Policy, str, str]:
        # The version in force when the comment was posted, with its period if one covers it.
        found = self.resolver.at(comment.created_at)
        if found is None:
            return effective_policy(self.fallback, comment.created_at), self.fallback_text, "file"
        return effective_policy(found[0], comment.created_at), found[1], "store"

    def process(self, batch: Sequence[Comment]) -> list[str]:
        """Ingest, decide and record one batch.

        Returns:
            One decision per comment of ``batch``, in order, as the JSON text stored (a
            comment decided before, in this run or an earlier one, gets its stored decision).

        Raises:
            StoreError: the database refused a write; nothing of the failed transaction is kept.
        """
        store = self.store
        try:
            with store.begin() as conn:
                ingested = ingest(conn, batch, store.now(), self.keys)
        except Exception:
            self.keys.forget()  # keys cached in a rolled-back transaction may not exist
            raise
        bodies: dict[str, str] = dict(ingested.decided)
        pending: dict[str, Comment] = {}
        for comment in batch:
            if comment.id not in bodies:
                pending.setdefault(comment.id, comment)
        if pending:
            bodies.update(self._judge(self._analyse(list(pending.values())), ingested))
            if self.sink is not None:
                run_outbox(store, self.sink)
        return [bodies[c.id] for c in batch]

    def _analyse(self, pending: list[Comment]) -> _Analysed:
        """Steps 2 and 3: each comment's policy version, and the detectors' evidence."""
        if self.own_pages is not None:
            with self.store.read() as conn:
                self.router.know_own_pages(self.own_pages(conn))
        chosen = {c.id: self._policy_for(c) for c in pending}
        found = self.router.analyse(pending, [chosen[c.id][0] for c in pending])
        analyses = {c.id: item for c, item in zip(pending, found, strict=True)}
        return _Analysed(pending, chosen, analyses)

    def _judge(self, analysed: _Analysed, ingested: Ingested) -> dict[str, str]:
        """Step 4: decide with the authors' strikes and record it all, in one transaction."""
        pending, chosen, analyses = analysed.pending, analysed.chosen, analysed.analyses
        comment_pks, author_pks = ingested.comment_pk, ingested.author_pk
        revision = ingested.revision
        store = self.store
        now = store.now()
        with store.begin() as conn:
            head = lock_chain(conn)
            # Another process may have decided some while we analysed: theirs stand (a
            # decision on an earlier revision of an edited comment is replaced).
            ids = {comment_pks[c.id]: c.id for c in pending}
            out: dict[str, str] = {}
            replaced: set[str] = set()
            for comment_pk, body, judged_revision in select_in(
                    conn, decisions, ("comment_pk", "body", "revision"),
                    {"comment_pk": list(ids)}):
                cid = ids[comment_pk]
                if judged_revision >= revision.get(cid, 1):
                    out[cid] = body
                else:
                    replaced.add(cid)
            todo = [c for c in pending if c.id not in out]
            if not todo:
                return out
            writes = _Writes()
            recorded = False
            if any(chosen[c.id][2] == "file" for c in todo) and not self.fallback_recorded:
                if record_fallback(conn, self.fallback, self.fallback_text, now):
                    head = lock_chain(conn)
                recorded = True
            windows = [p.blocking.window_days for p, _, _ in chosen.values() if p.blocking]
            window = dt.timedelta(days=max(windows, default=0))
            # A person's accounts on other platforms count with theirs (linked by an operator).
            persons = accounts_of(conn, {author_pks[c.id] for c in todo})
            book = StrikeBook.load(conn, {author_pks[c.id] for c in todo}
                                   | {a.pk for group in persons.values() for a in group},
                                   min(c.created_at for c in todo) - window,
                                   max(c.created_at for c in todo))
            judged = []
            # In the authors' time line, not the platform's listing order (YouTube and X list
            # newest first): a strike counts only strikes dated before it, so three removals
            # fetched newest-first would each see none and never reach the block.
            for c in sorted(todo, key=lambda c: c.created_at):
                policy, _, source = chosen[c.id]
                analysis, pipeline = analyses[c.id]
                author_pk, comment_pk = author_pks[c.id], comment_pks[c.id]
                person = persons.get(author_pk, ())
                n_strikes = (book.count_all([a.pk for a in person] or [author_pk], c.created_at,
                                            policy.blocking.window_days, comment_pk)
                             if policy.blocking else 0)
                decision = decide(policy, c, analysis.findings, analysis.failures,
                                  AuthorHistory(strikes=n_strikes,
                                                blocked=author_pk in book.blocked),
                                  pipeline.detector_names)
                if decision.strike:
                    book.add(author_pk, c.created_at, comment_pk)
                blocked_now = decision.action is Action.BLOCK and author_pk not in book.blocked
                # The person's count reached the threshold: the block reaches every account.
                others = tuple(a for a in person if a.pk != author_pk
                               and a.pk not in book.blocked) if _by_count(
                    decision, policy, n_strikes) else ()
                if blocked_now:
                    book.blocked.add(author_pk)
                body = json.dumps(decision.to_dict(), ensure_ascii=False)
                judged.append(_Judged(c, comment_pk, author_pk, policy, source, decision, body,
                                      blocked_now, n_strikes, author_pk in book.blocked,
                                      revision.get(c.id, 1), c.id in replaced, len(person),
                                      others))
                book.blocked.update(a.pk for a in others)
                out[c.id] = body
            self._record(conn, judged, now, writes)
            insert_planned(conn, writes.outbox)
            append_events(conn, writes.events, now, head)
        self.fallback_recorded = self.fallback_recorded or recorded  # once committed
        return out

    def _record(self, conn: Connection, judged: Sequence[_Judged], now: dt.datetime,
                writes: _Writes) -> None:
        rows = [{"comment_pk": j.comment_pk, "action": j.decision.action.value,
                 "strike": j.decision.strike, "escalate": j.decision.escalate,
                 "policy_digest": j.policy.source_digest, "policy_source": j.source,
                 "decided_at": now, "body": j.body,
                 "body_sha256": hashlib.sha256(j.body.encode("utf-8")).hexdigest(),
                 "revision": j.revision}
                for j in judged]
        bulk_insert(conn, decisions, [r for r, j in zip(rows, judged, strict=True)
                                      if not j.replaces])
        replacing = [{f"b_{key}": value for key, value in r.items()}
                     for r, j in zip(rows, judged, strict=True) if j.replaces]
        if replacing:  # edited comments: the row holds the decision on the latest revision
            conn.execute(_REPLACE_DECISION, replacing)
        by_comment = dict(select_in(conn, decisions, ("comment_pk", "pk"),
                                    {"comment_pk": [j.comment_pk for j in judged]}))
        decision_pks = [by_comment[j.comment_pk] for j in judged]
        reviews: list[tuple[_Judged, int]] = []
        strikes_rows: list[dict[str, Any]] = []
        escalation_rows: list[dict[str, Any]] = []
        for j, pk, row in zip(judged, decision_pks, rows, strict=True):
            d, c = j.decision, j.comment
            payload = {
                "decision_pk": pk, "action": d.action.value, "clauses": list(d.clauses),
                "policy": j.policy.source_digest, "policy_source": j.source,
                "strike": d.strike,
                "escalate": d.escalate, "body_sha256": row["body_sha256"]}
            if j.revision > 1:
                payload["revision"] = j.revision
            writes.events.append(NewEvent(EventKind.DECIDED, "comment", c.id, payload))
            if d.action is Action.ALLOW and not d.escalate:
                continue  # the common case: nothing else to write
            self._consequences(conn, j, pk, now, writes, reviews, strikes_rows, escalation_rows)
        if strikes_rows:
            bulk_insert(conn, strikes, strikes_rows)
        if escalation_rows:
            bulk_insert(conn, escalations, escalation_rows)
        if reviews:
            bulk_insert(conn, review_items, [
                {"comment_pk": j.comment_pk, "decision_pk": pk, "origin": "decision",
                 "state": "open", "outcome": None,
                 "takedown": _held(j.decision, j.policy),
                 "author_blocked": j.author_blocked, "appeals": 0, "opened_at": now,
                 "updated_at": now, "last_actor": "vigie", "last_reason": None}
                for j, pk in reviews])
            items = dict(conn.execute(select(review_items.c.decision_pk, review_items.c.pk)
                                      .order_by(review_items.c.pk)  # the newest item wins
                                      .where(review_items.c.decision_pk.in_(
                                          [pk for _, pk in reviews]))).all())
            for j, decision_pk in reviews:
                item_pk = items[decision_pk]
                writes.events.append(NewEvent(EventKind.REVIEW_OPENED, "review", str(item_pk), {
                    "comment_id": j.comment.id, "origin": "decision",
                    "takedown": _held(j.decision, j.policy),
                    "author_blocked": j.author_blocked, "appeal": False,
                    "clauses": list(j.decision.clauses)}))

    def _consequences(self, conn: Connection, j: _Judged, decision_pk: int, now: dt.datetime,
                      writes: _Writes, reviews: list[tuple[_Judged, int]],
                      strikes_rows: list[dict[str, Any]],
                      escalation_rows: list[dict[str, Any]]) -> None:
        d, c = j.decision, j.comment
        reason = (", ".join(d.clauses) + ": " if d.clauses else "") + d.explanation.get("en", "")
        platform = c.platform.value
        post_id = c.post.id if c.post is not None else None
        # A decision on an edit is another cause: its actions get keys of their own.
        cause = "decision" if j.revision == 1 else f"decision:r{j.revision}"
        if d.action in REMOVING_ACTIONS:
            kind = ActionKind.HIDE_COMMENT if d.action is Action.HIDE else ActionKind.REMOVE_COMMENT
            plan_action(kind, key=action_key(kind, c.id, cause), platform=platform,
                        comment_id=c.id, author_id=c.author.id, post_id=post_id, reason=reason,
                        when=now, rows=writes.outbox, events=writes.events)
        if d.strike and j.replaces:  # an edit of a comment that may already have its strike
            writes.events.extend(record_strike(
                conn, author_pk=j.author_pk, comment_pk=j.comment_pk, comment_id=c.id,
                decision_pk=decision_pk, at=c.created_at, clauses=d.clauses))
        elif d.strike:  # a first decision: the comment cannot have a strike yet
            text = json.dumps(list(d.clauses))
            strikes_rows.append({"author_pk": j.author_pk, "comment_pk": j.comment_pk,
                                 "decision_pk": decision_pk, "at": c.created_at,
                                 "clauses": text})
            writes.events.append(strike_event(
                EventKind.STRIKE_RECORDED, c.id, comment_pk=j.comment_pk,
                author_pk=j.author_pk, at=c.created_at, clauses=text, voided=False,
                actor="vigie", details={"author_pk": j.author_pk, "clauses": list(d.clauses)}))
        why = _block_reason(j)
        if j.blocked_now:
            writes.events.extend(record_block(
                conn, author_pk=j.author_pk, comment_pk=j.comment_pk, decision_pk=decision_pk,
                when=now, reason=why))
            kind = ActionKind.BLOCK_AUTHOR
            plan_action(kind, key=action_key(kind, c.author.id, f"{cause}:{c.id}"),
                        platform=platform, comment_id=c.id, author_id=c.author.id,
                        post_id=post_id, reason=why, when=now, rows=writes.outbox,
                        events=writes.events)
        if j.also_block:  # the person's other accounts, each on its own platform
            block_linked(conn, j.also_block, blocked=set(), comment_pk=j.comment_pk,
                         comment_id=c.id, decision_pk=decision_pk, when=now, reason=why,
                         cause=cause, rows=writes.outbox, events=writes.events)
        if d.action is Action.REVIEW or _held(d, j.policy):
            reviews.append((j, decision_pk))
        if d.escalate or d.action is Action.ESCALATE:
            escalation_rows.append({
                "comment_pk": j.comment_pk, "decision_pk": decision_pk, "review_pk": None,
                "reason": reason[:2000], "status": "pending", "created_at": now,
                "attempts": 0})
            writes.events.append(NewEvent(EventKind.ESCALATED, "comment", c.id, {
                "clauses": list(d.clauses), "origin": "decision"}))


def _by_count(decision: Decision, policy: Policy, strikes_before: int) -> bool:
    """The decision blocks because the strikes reached the policy's count (pure)."""
    return (decision.action is Action.BLOCK and decision.strike and policy.blocking is not None
            and strikes_before + 1 >= policy.blocking.strikes)


def _block_reason(j: _Judged) -> str:
    """Why the decision blocks, as stored (pure; translated by ``vigie.web.explain``)."""
    blocking = j.policy.blocking
    if blocking is None or not _by_count(j.decision, j.policy, j.strikes_before):
        return f"the policy blocks the author for {', '.join(j.decision.clauses)}"
    if j.linked:
        return linked_reason(j.strikes_before + 1, blocking.window_days, j.linked)
    return f"{j.strikes_before + 1} strikes within {blocking.window_days} days (section 7)"


def _held(decision: Decision, policy: Policy) -> bool:
    """A period held the comment for review (``Period.holds_off_view``): hidden, a human decides.

    Only the period turned it into a hide: no category asked for more than review.
    """
    period = policy.active_period
    return (period is not None and period.holds_off_view and decision.action is Action.HIDE
            and all(v.action.strength <= Action.REVIEW.strength for v in decision.categories))


def moderate_stream_db(
    moderator: StoreModerator,
    results: Iterable[ReadResult],
    out: IO[str],
    rejects: IO[str] | None,
    *,
    batch_size: int = DEFAULT_BATCH,
    on_batch: Callable[[list[Comment], list[str]], None] | None = None,
    on_reject: Callable[[ReadResult], None] | None = None,
) -> RunStats:
    """Like :func:`vigie.batch.moderation.moderate_stream`, through the store.

    Each batch is committed before its decisions are written to ``out``, so ``out`` never
    shows a decision the store does not hold; a rerun after a crash writes the stored decision
    of every comment already decided (the output file is complete again) and decides the rest.

    Raises:
        StoreError: the database refused a write (the run stops; rerun it to go on).
    """
    stats = RunStats()
    for good, bad in batched_read(results, batch_size):
        stats.read += len(good) + len(bad)
        stats.rejected += write_rejects(bad, rejects, on_reject)
        if not good:
            continue
        try:
            lines = moderator.process([r.comment for r in good if r.comment is not None])
        except StoreError as error:
            good, lines, refused = _one_by_one(moderator, good, error)
            stats.rejected += write_rejects(refused, rejects, on_reject)
        out.write("".join(line + "\n" for line in lines))
        stats.decided += len(lines)
        if on_batch is not None:
            on_batch([r.comment for r in good if r.comment is not None], lines)
    return stats


def _one_by_one(moderator: StoreModerator, batch: list[ReadResult], error: StoreError
                ) -> tuple[list[ReadResult], list[str], list[ReadResult]]:
    """Store a refused batch one comment at a time.

    The comments the database refuses are rejected with its reason; the others are stored and
    decided.

    Raises:
        StoreError: the database refused every one of them (the database is the problem, not
            the lines: the run stops; rerun it to go on).
    """
    kept: list[ReadResult] = []
    lines: list[str] = []
    refused: list[ReadResult] = []
    for result in batch:
        assert result.comment is not None
        try:
            lines.extend(moderator.process([result.comment]))
        except StoreError as why:
            refused.append(ReadResult(result.line, None, RecordError(
                f"the database refused it: {str(why)[:300]}", line=result.line,
                raw=result.comment.model_dump_json())))
        else:
            kept.append(result)
    if not kept:
        raise error
    return kept, lines, refused
