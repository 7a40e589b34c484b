"""The bridge from the store's outbox to the platforms: an ``ActionSink`` over connectors.

The store plans actions in platform-neutral words (``hide_comment``, ``remove_comment``,
``block_author``, ``restore_comment``, ``unblock_author``). :class:`ConnectorSink` maps each onto
what the target platform can do (:func:`vigie.connectors.base.map_action`), applies it through
the account's connector, and answers the outbox with an ``ActionResult`` whose detail records
the mapping (``remove → hide``, ``block → hide (degraded: ...)``): the audit trail keeps what was
asked and what the platform actually did.

Failures become outbox outcomes, never crashes: throttling, quota and 5xx are ``retry`` (the
outbox backs off); a missing permission or an impossible operation is ``failed`` (a human must
act); an expired token is ``retry`` *and* takes the connector out of service, through the
``on_auth_expired`` hook, until someone renews the token.

Replies (``reply_comment``) are posted one by one through the connector's
:class:`~vigie.connectors.replies.Replier` side, never batched; an attempt that may have reached
the platform (a retry, or an action in doubt after a crash) first looks for the reply there, so
no reply is posted twice. A comment gone is a *failed* reply, not an applied one.

Batches: the outbox worker hands :meth:`ConnectorSink.apply_many` groups of one platform and
one kind; the sink splits them by account and into chunks of the connector's
``capabilities.batch_size`` (YouTube: 50 ids per ``setModerationStatus``, one call of 50 quota
units instead of 50), and answers per action. A chunk that fails as a whole (throttled, 5xx,
expired token) is ``retry`` for each of its actions; chunks already applied keep their results.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence

from vigie.actions import Action
from vigie.connectors.base import (
    ActionMapping,
    ActionOutcome,
    ChecksEffects,
    Connector,
    Operation,
    PlatformAction,
    map_action,
)
from vigie.connectors.errors import (
    ApiError,
    AuthExpired,
    ConnectorError,
    NotFound,
    PermissionDenied,
    RateLimited,
    TransientError,
)
from vigie.connectors.replies import Replier, ReplyRequest
from vigie.store.outbox import ActionKind, ActionResult, OutboxAction

__all__ = ["ConnectorSink", "mapping_for"]

log = logging.getLogger(__name__)

_DECISION_ACTION = {
    ActionKind.HIDE_COMMENT: Action.HIDE,
    ActionKind.REMOVE_COMMENT: Action.REMOVE,
}


def mapping_for(kind: ActionKind, connector: Connector) -> ActionMapping:
    """The platform operations for an outbox action kind on ``connector`` (pure).

    ``block_author`` blocks without touching the comment (the comment's own action is planned
    separately), except on YouTube where a ban only exists as ``rejected`` + ``banAuthor``.
    """
    caps = connector.capabilities
    if kind in _DECISION_ACTION:
        return map_action(_DECISION_ACTION[kind], caps)
    if kind is ActionKind.BLOCK_AUTHOR:
        if caps.supports(Operation.BLOCK_AUTHOR, Operation.REJECT) and not caps.standalone_block:
            return ActionMapping(Action.BLOCK, (Operation.REJECT, Operation.BLOCK_AUTHOR), False,
                                 "block applied as reject + ban (YouTube bans with a rejection)")
        if caps.supports(Operation.BLOCK_AUTHOR):
            return ActionMapping(Action.BLOCK, (Operation.BLOCK_AUTHOR,), False,
                                 "block applied as block_author")
        return ActionMapping(Action.BLOCK, (), True,
                             f"{connector.platform.value} offers no block to this account: "
                             "block the author by hand if needed")
    if kind is ActionKind.RESTORE_COMMENT:
        for op in (Operation.UNHIDE, Operation.PUBLISH):
            if caps.supports(op):
                return ActionMapping(Action.ALLOW, (op,), False, f"restore applied as {op}")
        return ActionMapping(Action.ALLOW, (), True,
                             f"{connector.platform.value} cannot restore a comment (its removal "
                             f"is a {caps.remove_as.value}, for good): ask the author to post "
                             "it again if needed")
    if caps.supports(Operation.UNBLOCK_AUTHOR):
        return ActionMapping(Action.ALLOW, (Operation.UNBLOCK_AUTHOR,), False,
                             "unblock applied as unblock_author")
    return ActionMapping(Action.ALLOW, (), True, "the platform offers no unblock")


def _detail(mapping: ActionMapping, extra: str = "") -> str:
    record = mapping.to_dict()
    if extra:
        record["outcome"] = extra
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


class ConnectorSink:
    """Applies outbox actions through the connectors of the configured accounts.

    Routing: an action names its platform, not its account. With one account per platform the
    choice is obvious; with several, the account whose fetch saw the comment's post is used
    (:meth:`remember`), and otherwise each account is tried until one is allowed to act.
    """

    def __init__(
        self,
        connectors: Sequence[Connector],
        *,
        on_auth_expired: Callable[[Connector, AuthExpired], None] | None = None,
        is_active: Callable[[Connector], bool] | None = None,
    ) -> None:
        """Build a sink.

        Args:
            connectors: one per configured account.
            on_auth_expired: called once per failure with an expired token (the runner
                disables that connector and alerts the community manager).
            is_active: whether a connector is still in service (default: always).
        """
        self._by_platform: dict[str, list[Connector]] = {}
        # Imports and replays stand for whatever platform their records name.
        self._any: list[Connector] = []
        for connector in connectors:
            if getattr(connector, "accepts_any_platform", False):
                self._any.append(connector)
            else:
                self._by_platform.setdefault(connector.platform.value, []).append(connector)
        self._post_owner: dict[str, Connector] = {}
        self._on_auth_expired = on_auth_expired
        self._is_active = is_active or (lambda c: True)

    def remember(self, post_ids: Sequence[str], connector: Connector) -> None:
        """Record that ``connector`` fetched comments of these posts (routing hint)."""
        for post_id in post_ids:
            self._post_owner[post_id] = connector

    def _candidates(self, action: OutboxAction) -> list[Connector]:
        accounts = [c for c in self._by_platform.get(action.platform, []) or self._any
                    if self._is_active(c)]
        owner = self._post_owner.get(action.post_id or "")
        if owner is not None and owner in accounts:
            accounts.remove(owner)
            accounts.insert(0, owner)
        return accounts

    def confirm(self, action: OutboxAction) -> bool | ActionResult | None:
        """Whether an action in doubt is already in effect on its platform (never raises).

        Asks the account that would apply it, where its connector can read the state back
        (:class:`~vigie.connectors.base.ChecksEffects`: Facebook, Instagram); ``None`` otherwise,
        and the outbox sends the action again with its idempotency key.
        """
        candidates = self._candidates(action)
        if action.kind is ActionKind.REPLY_COMMENT:
            return self._reply_posted(candidates[0], action) if candidates else None
        if not candidates or not isinstance(candidates[0], ChecksEffects):
            return None
        connector = candidates[0]
        _, request = self._request(connector, action)
        if isinstance(request, ActionResult):
            return None
        try:
            return connector.in_effect(request)
        except ConnectorError as error:
            log.info("%s: cannot confirm %s: %s", connector.name, action.key, error)
            return None

    def apply(self, action: OutboxAction) -> ActionResult:
        """Apply one outbox action; never raises (failures are outcomes).

        Returns:
            ``applied`` with the mapping as JSON detail; ``retry`` for throttling, quota, 5xx,
            expired tokens and accounts out of service; ``failed`` when the platform cannot or
            may not do it.
        """
        return self.apply_many([action])[0]

    def apply_many(self, actions: Sequence[OutboxAction]) -> list[ActionResult]:
        """Apply several outbox actions, batched per account where the platform allows.

        Each action goes to its preferred account (see :meth:`remember`); actions sharing an
        account are sent in chunks of its ``capabilities.batch_size``. An action ``failed`` on
        one account is tried on the next candidate account, as :meth:`apply` does. Never raises.

        Returns:
            One result per action, in order, as :meth:`apply` would give it.
        """
        results: list[ActionResult | None] = [None] * len(actions)
        queues: dict[int, list[Connector]] = {}
        for index, action in enumerate(actions):
            candidates = self._candidates(action)
            if candidates:
                queues[index] = candidates
                continue
            known = self._by_platform.get(action.platform) or self._any
            why = "its account is out of service" if known else "no account configured"
            results[index] = ActionResult("retry" if known else "failed",
                                          f"{action.platform}: {why}")
        while queues:
            by_account: dict[int, tuple[Connector, list[int]]] = {}
            for index, queue in queues.items():
                by_account.setdefault(id(queue[0]), (queue[0], []))[1].append(index)
            for connector, indexes in by_account.values():
                got = self._apply_on(connector, [actions[i] for i in indexes])
                for index, result in zip(indexes, got, strict=True):
                    results[index] = result
                    queue = queues[index]
                    queue.pop(0)
                    # Another page's token may be the right one: a refusal tries the next.
                    if result.status != "failed" or not queue:
                        del queues[index]
        return [r if r is not None else ActionResult("retry", "not applied") for r in results]

    def _apply_on(self, connector: Connector, actions: Sequence[OutboxAction]
                  ) -> list[ActionResult]:
        size = max(1, connector.capabilities.batch_size)
        if any(a.kind is ActionKind.REPLY_COMMENT for a in actions):
            size = 1  # no platform posts several replies in one call
        results: list[ActionResult] = []
        for start in range(0, len(actions), size):
            chunk = actions[start:start + size]
            if not self._is_active(connector):  # its token expired earlier in this pass
                results.extend(ActionResult("retry", f"{connector.platform.value}: its account "
                                            "is out of service") for _ in chunk)
            elif size == 1:
                results.append(self._apply_with(connector, chunk[0]))
            else:
                results.extend(self._apply_chunk(connector, chunk))
        return results

    def _request(self, connector: Connector, action: OutboxAction
                 ) -> tuple[ActionMapping, PlatformAction | ActionResult]:
        mapping = mapping_for(action.kind, connector)
        if not mapping.operations:
            return mapping, ActionResult("failed", _detail(mapping))
        target = action.comment_id
        if target is None:  # an author action planned without a comment
            if any(op not in (Operation.BLOCK_AUTHOR, Operation.UNBLOCK_AUTHOR)
                   for op in mapping.operations):
                return mapping, ActionResult("failed", _detail(mapping, "needs a comment id"))
            target = ""
        return mapping, PlatformAction(target, mapping.operations, author_id=action.author_id,
                                       post_id=action.post_id)

    def _apply_with(self, connector: Connector, action: OutboxAction) -> ActionResult:
        if action.kind is ActionKind.REPLY_COMMENT:
            return self._reply(connector, action)
        mapping, request = self._request(connector, action)
        if isinstance(request, ActionResult):
            return request
        try:
            outcome = connector.apply(request)
        except ConnectorError as error:
            return self._error_result(connector, mapping, error)
        return _outcome_result(connector, mapping, action, outcome)

    def _apply_chunk(self, connector: Connector, chunk: Sequence[OutboxAction]
                     ) -> list[ActionResult]:
        results: list[ActionResult | None] = [None] * len(chunk)
        mappings: list[ActionMapping] = []
        sent: list[tuple[int, PlatformAction]] = []
        for index, action in enumerate(chunk):
            mapping, request = self._request(connector, action)
            mappings.append(mapping)
            if isinstance(request, ActionResult):
                results[index] = request
            else:
                sent.append((index, request))
        if sent:
            try:
                outcomes = connector.apply_many([request for _, request in sent])
            except ConnectorError as error:
                one_by_one = len(sent) > 1 and isinstance(error, NotFound | ApiError)
                for index, _ in sent:
                    # A whole call refused for what may concern one comment only (gone, or
                    # refused): each action alone says which, if the connector did not.
                    results[index] = (self._apply_with(connector, chunk[index]) if one_by_one
                                      else self._error_result(connector, mappings[index], error))
            else:
                for (index, _), outcome in zip(sent, outcomes, strict=True):
                    results[index] = _outcome_result(connector, mappings[index], chunk[index],
                                                     outcome)
        return [r if r is not None else ActionResult("retry", "not applied") for r in results]

    # -- replies -------------------------------------------------------------------------------

    def _replier(self, connector: Connector, action: OutboxAction
                 ) -> tuple[Replier, ReplyRequest] | ActionResult:
        platform = connector.platform.value
        if not connector.capabilities.supports(Operation.REPLY) or not isinstance(
                connector, Replier):
            return ActionResult("failed", f"{platform}/{connector.name} cannot reply through "
                                "the platform's API: reply by hand on the platform")
        if not action.comment_id or not action.body:
            return ActionResult("failed", "a reply needs a comment and a text")
        return connector, ReplyRequest(action.comment_id, action.body, action.key,
                                       action.post_id, action.planned_at)

    def _reply_posted(self, connector: Connector, action: OutboxAction) -> ActionResult | None:
        """The reply already on the platform (applied), or ``None`` to post it; never raises.

        A platform that cannot be asked now gives ``retry``: posting blind could post twice.
        """
        found = self._replier(connector, action)
        if isinstance(found, ActionResult):
            return None
        replier, request = found
        try:
            posted = replier.find_reply(request)
        except NotFound as error:
            return ActionResult("failed", f"the comment no longer exists ({error.code})")
        except ConnectorError as error:
            if isinstance(error, AuthExpired) and self._on_auth_expired is not None:
                self._on_auth_expired(connector, error)
            return ActionResult("retry", f"cannot tell whether an earlier attempt posted the "
                                f"reply: {type(error).__name__}: {error}"[:300])
        if posted is None:
            return None
        return ActionResult("applied", _reply_detail(posted, "already on the platform (an "
                                                     "earlier attempt posted it)"),
                            platform_ref=posted)

    def _reply(self, connector: Connector, action: OutboxAction) -> ActionResult:
        found = self._replier(connector, action)
        if isinstance(found, ActionResult):
            return found
        replier, request = found
        if action.attempt > 1:  # an earlier attempt may have reached the platform
            earlier = self._reply_posted(connector, action)
            if earlier is not None:
                return earlier
        try:
            posted = replier.reply(request)
        except NotFound as error:
            return ActionResult("failed", f"the comment no longer exists ({error.code})")
        except ConnectorError as error:
            later = self._later(connector, error)
            return later or ActionResult("failed", f"{type(error).__name__}: {error}"[:300])
        return ActionResult("applied", _reply_detail(posted), platform_ref=posted)

    def _later(self, connector: Connector, error: ConnectorError) -> ActionResult | None:
        """``retry`` for an expired token (the account stops), throttling or a 5xx; else None."""
        if isinstance(error, AuthExpired):
            if self._on_auth_expired is not None:
                self._on_auth_expired(connector, error)
            return ActionResult("retry", f"token expired: {error}"[:300])
        if isinstance(error, RateLimited | TransientError):
            return ActionResult("retry", f"{type(error).__name__}: {error}"[:300])
        return None

    def _error_result(self, connector: Connector, mapping: ActionMapping,
                      error: ConnectorError) -> ActionResult:
        later = self._later(connector, error)
        if later is not None:
            return later
        if isinstance(error, NotFound):
            return ActionResult("applied", _detail(mapping, f"gone: {error.code}"))
        if isinstance(error, PermissionDenied):
            return ActionResult("failed", _detail(mapping, f"permission: {error}"[:200]))
        return ActionResult("failed", _detail(mapping, f"{type(error).__name__}: "
                                              f"{error}"[:200]))


def _reply_detail(reply_id: str, outcome: str = "") -> str:
    record = {"operations": [Operation.REPLY.value], "reply_id": reply_id}
    if outcome:
        record["outcome"] = outcome
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def _outcome_result(connector: Connector, mapping: ActionMapping, action: OutboxAction,
                    outcome: ActionOutcome) -> ActionResult:
    if outcome.skipped and not outcome.done:
        gone = all("no longer exists" in why for why in outcome.skipped.values())
        return ActionResult("applied" if gone else "failed",
                            _detail(mapping, "; ".join(f"{k}: {v}" for k, v in
                                                       outcome.skipped.items())))
    extra = ("partly: " + "; ".join(f"{k}: {v}" for k, v in outcome.skipped.items())
             if outcome.skipped else "")
    return ActionResult("applied", _detail(mapping, extra),
                        platform_ref=f"{connector.name}:{action.comment_id or ''}")
