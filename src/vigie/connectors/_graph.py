"""What the two Meta Graph API connectors (Facebook Pages and Instagram) share.

* :class:`GraphConnector`, their base: set-up, guarded calls, hide/unhide, delete, and the
  ``apply`` loop (each subclass adds the operations only it has, e.g. blocking on Facebook);

* the error envelope ``{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}``
  and its codes, mapped onto :mod:`vigie.connectors.errors` following "Handling Errors"
  (https://developers.facebook.com/docs/graph-api/guides/error-handling): 190 and 102 mean the
  token expired or was revoked, 4/17/32/613 and 80001-80014 mean throttling, 1/2 are temporary,
  10 and 200-299 are missing permissions, 100 with subcode 33 is an object that is gone;
* the usage headers ``X-Business-Use-Case-Usage`` and ``X-App-Usage``
  (https://developers.facebook.com/docs/graph-api/overview/rate-limiting): percentages of the
  allowance used, and ``estimated_time_to_regain_access`` in minutes once throttled;
* timestamps (``2025-03-18T14:05:42+0000``) and cursor paging (``paging.cursors.after``).
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

import httpx

from vigie.connectors._json import arr, obj
from vigie.connectors.base import (
    ActionOutcome,
    Capabilities,
    OneCallPerAction,
    Operation,
    PlatformAction,
    apply_in_turn,
    native_id,
    vigie_id,
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
from vigie.connectors.http import ApiClient, RetryPolicy, Secret
from vigie.connectors.replies import ReplyRequest, same_text
from vigie.records import Platform

__all__ = [
    "GraphConnector",
    "GraphUsage",
    "classify_graph_error",
    "graph_api_client",
    "graph_page",
    "parse_graph_time",
]

log = logging.getLogger(__name__)

_AUTH_CODES = frozenset({102, 190})
_THROTTLE_CODES = frozenset({4, 17, 32, 341, 368, 613}) | frozenset(range(80001, 80015))
_TEMPORARY_CODES = frozenset({1, 2})
_PERMISSION_CODES = frozenset({3, 10}) | frozenset(range(200, 300))
#: Subcode of code 100 meaning "Object with ID ... does not exist / cannot be loaded".
_GONE_SUBCODE = 33


def _envelope(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def classify_graph_error(
    response: httpx.Response, *, platform: str, account: str, usage: GraphUsage | None = None
) -> ConnectorError:
    """Map a failed Graph API answer onto the connector error tree (pure).

    The message names the Graph code, subcode, type and ``fbtrace_id`` (for Meta support), never
    the request (which holds no token anyway: tokens travel in the header).
    """
    error = _envelope(response)
    code = error.get("code")
    subcode = error.get("error_subcode")
    kind = error.get("type", "")
    text = str(error.get("message") or response.reason_phrase or "no message")
    trace = error.get("fbtrace_id")
    detail = (f"{platform}/{account}: Graph error {code}"
              + (f"/{subcode}" if subcode is not None else "")
              + f" ({kind or response.status_code}): {text}"
              + (f" [fbtrace_id {trace}]" if trace else ""))
    common: dict[str, Any] = {
        "platform": platform, "account": account, "status": response.status_code,
        "code": str(code) if code is not None else None,
    }
    if code in _AUTH_CODES or (code is None and response.status_code == 401):
        return AuthExpired(detail + " — renew the access token", **common)
    if code in _THROTTLE_CODES or response.status_code == 429:
        wait = usage.regain_seconds if usage is not None else None
        return RateLimited(detail, retry_after=wait, **common)
    if code in _TEMPORARY_CODES or response.status_code >= 500:
        return TransientError(detail, **common)
    if (code == 100 and subcode == _GONE_SUBCODE) or response.status_code == 404:
        return NotFound(detail, **common)
    if code in _PERMISSION_CODES or response.status_code == 403:
        return PermissionDenied(detail, **common)
    return ApiError(detail, **common)


@dataclass(slots=True)
class GraphUsage:
    """The latest rate-limit usage Meta reported for one account (mutable, per connector).

    Attributes:
        percent: the highest of call count, CPU time and total time, in percent (0-100+).
        regain_minutes: ``estimated_time_to_regain_access`` once throttled, else 0.
        observed_at: monotonic time of the last update.
    """

    percent: float = 0.0
    regain_minutes: float = 0.0
    observed_at: float = 0.0

    def pause_remaining(self, pause_percent: float, now: float | None = None) -> float:
        """Seconds to keep off the API given the last report, 0 when calls may go on.

        Past ``pause_percent`` (or once Meta gives a time to regain access) the account waits
        that time, or 60 s when Meta gave none, then one call probes the new usage: Meta's
        windows roll, so a report ages.
        """
        if self.percent < pause_percent and self.regain_minutes <= 0:
            return 0.0
        now = time.monotonic() if now is None else now
        return max(0.0, self.observed_at + (self.regain_seconds or 60.0) - now)

    def guard(self, pause_percent: float, *, platform: str, account: str) -> None:
        """Refuse a call locally while :meth:`pause_remaining` says to keep off the API.

        Raises:
            RateLimited: with ``retry_after`` set to the seconds left to wait.
        """
        wait = self.pause_remaining(pause_percent)
        if wait > 0:
            raise RateLimited(
                f"{platform}/{account}: Graph usage at {self.percent:.0f}%, pausing "
                f"{wait:.0f}s", retry_after=wait, platform=platform, account=account,
            )

    @property
    def regain_seconds(self) -> float | None:
        """Seconds until access returns, when Meta said so; ``None`` otherwise."""
        return self.regain_minutes * 60.0 if self.regain_minutes > 0 else None

    def update(self, response: httpx.Response) -> None:
        """Read ``X-Business-Use-Case-Usage`` / ``X-App-Usage`` from ``response``, if present.

        Absence is not zero usage (Meta sends the headers only past some volume): the previous
        figures are kept.
        """
        figures: list[dict[str, Any]] = []
        buc = response.headers.get("X-Business-Use-Case-Usage")
        if buc:
            try:
                parsed = json.loads(buc)
            except json.JSONDecodeError:
                log.warning("unreadable X-Business-Use-Case-Usage header ignored")
                parsed = {}
            if isinstance(parsed, dict):
                for entries in parsed.values():
                    if isinstance(entries, list):
                        figures.extend(e for e in entries if isinstance(e, dict))
        app = response.headers.get("X-App-Usage")
        if app:
            try:
                parsed_app = json.loads(app)
            except json.JSONDecodeError:
                parsed_app = None
            if isinstance(parsed_app, dict):
                figures.append(parsed_app)
        if not figures:
            return
        self.percent = max(
            float(f.get(k) or 0) for f in figures
            for k in ("call_count", "total_cputime", "total_time")
        )
        self.regain_minutes = max(float(f.get("estimated_time_to_regain_access") or 0)
                                  for f in figures)
        self.observed_at = time.monotonic()


def graph_api_client(
    client: httpx.Client,
    *,
    base_url: str,
    token: Secret,
    platform: str,
    account: str,
    usage: GraphUsage,
    retry: RetryPolicy | None,
    sleep: Callable[[float], None],
    rng: random.Random | None,
) -> ApiClient:
    """An :class:`ApiClient` for one Graph API account (Facebook Page or Instagram account).

    Failed answers are mapped by :func:`classify_graph_error` (a throttled call waits the time
    ``usage`` reports), and every answer's usage headers update ``usage``.
    """
    return ApiClient(
        client, base_url=base_url, token=token, platform=platform, account=account,
        classify=lambda r: classify_graph_error(r, platform=platform, account=account,
                                                usage=usage),
        retry=retry, sleep=sleep, rng=rng, on_response=usage.update,
    )


def parse_graph_time(value: Any) -> datetime:
    """Parse a Graph timestamp: ISO-8601 with ``+0000`` or Unix seconds (webhooks); pure.

    Raises:
        ValueError: unreadable value.
    """
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    if not isinstance(value, str):
        raise ValueError(f"not a timestamp: {value!r}")
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def graph_page(body: Any) -> tuple[list[dict[str, Any]], str | None, bool]:
    """Split a Graph list answer into ``(items, after_cursor, has_next)`` (pure).

    ``after`` is returned even on the last page: asking again with it later yields only what
    was added since, which is how a poll resumes without re-reading a post's comments.
    """
    if not isinstance(body, dict):
        return [], None, False
    items = [d for d in arr(body.get("data")) if isinstance(d, dict)]
    paging = obj(body.get("paging"))
    cursors = obj(paging.get("cursors"))
    after = cursors.get("after")
    return items, after if isinstance(after, str) else None, bool(paging.get("next"))


class GraphConnector(OneCallPerAction):
    """The base of the Facebook and Instagram connectors: one Graph API account.

    Subclasses set :attr:`platform`, :attr:`hide_field` (the form field that hides a comment),
    :attr:`hidden_field` (the field that reads it back), :attr:`reply_edge` and
    :attr:`reply_text_field` (where replies are posted and how their text reads back),
    :attr:`own_id` (the account's id, the ``from`` of its own replies) and
    :attr:`usage_pause_percent`, call
    :meth:`_connect` from their constructor, and override :meth:`_perform_more` for operations
    beyond hide, unhide and delete.
    """

    platform: Platform
    hide_field: ClassVar[str]
    hidden_field: ClassVar[str]
    reply_edge: ClassVar[str]
    reply_text_field: ClassVar[str]
    usage_pause_percent: ClassVar[float]
    own_id: str
    name: str
    capabilities: Capabilities
    usage: GraphUsage

    def _connect(self, name: str, client: httpx.Client, token: Secret, *, base_url: str,
                 operations: Iterable[Operation], remove_as: Operation,
                 retry: RetryPolicy | None, sleep: Callable[[float], None],
                 rng: random.Random | None) -> None:
        """Set the account's name, capabilities and guarded API client.

        Raises:
            ValueError: ``remove_as`` is neither hide nor delete.
        """
        label = self.platform.value.capitalize()
        if remove_as not in (Operation.HIDE, Operation.DELETE):
            raise ValueError(f"remove_as must be hide or delete on {label}, got {remove_as}")
        self.name = name
        self.capabilities = Capabilities(operations=frozenset(operations), remove_as=remove_as,
                                         push=True)
        self.usage = GraphUsage()
        self.api = graph_api_client(
            client, base_url=base_url, token=token, platform=self.platform.value, account=name,
            usage=self.usage, retry=retry, sleep=sleep, rng=rng,
        )

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        self.usage.guard(self.usage_pause_percent, platform=self.platform.value,
                         account=self.name)
        return self.api.request_json(method, path, **kwargs)

    def set_hidden(self, comment_id: str, hidden: bool) -> None:
        """Hide or unhide a comment (idempotent on the platform's side)."""
        self._call("POST", f"/{comment_id}",
                   data={self.hide_field: "true" if hidden else "false"})

    def delete_comment(self, comment_id: str) -> None:
        """Delete a comment; a comment already gone counts as deleted."""
        try:
            self._call("DELETE", f"/{comment_id}")
        except NotFound:
            log.info("%s/%s: comment %s already gone", self.platform.value, self.name,
                     comment_id)

    def reply(self, request: ReplyRequest) -> str:
        """Post a reply as the account: ``POST /{comment-id}/<reply_edge>`` with ``message``.

        Sent once (``resend=False``): a 5xx or a lost answer goes up, and the outbox looks
        for the reply (:meth:`find_reply`) before it posts again.

        Raises:
            ConnectorError: as the Graph API answers (a hidden or gone comment included).
        """
        target = native_id(self.platform, request.comment_id)
        body = self._call("POST", f"/{target}/{self.reply_edge}",
                          data={"message": request.text}, resend=False)
        reply_id = body.get("id") if isinstance(body, dict) else None
        if not isinstance(reply_id, str) or not reply_id:
            raise ApiError(f"{self.platform.value}/{self.name}: the reply was answered without "
                           "an id", platform=self.platform.value, account=self.name)
        return vigie_id(self.platform, reply_id)

    def find_reply(self, request: ReplyRequest) -> str | None:
        """The account's reply with this text under the comment (first 100 replies read)."""
        target = native_id(self.platform, request.comment_id)
        items, _, _ = graph_page(self._call(
            "GET", f"/{target}/{self.reply_edge}",
            params={"fields": f"id,{self.reply_text_field},from", "limit": 100}))
        for item in items:
            sender = item.get("from")
            mine = isinstance(sender, dict) and str(sender.get("id")) == self.own_id
            if mine and same_text(str(item.get(self.reply_text_field) or ""), request.text):
                return vigie_id(self.platform, str(item.get("id")))
        return None

    def _perform_more(self, op: Operation, action: PlatformAction) -> str | None:
        """Apply an operation beyond hide, unhide and delete; the reason when unsupported."""
        return f"not supported by the {self.platform.value.capitalize()} API"

    def in_effect(self, action: PlatformAction) -> bool | None:
        """Read the comment's state: is every hide, unhide or delete already in effect?

        One ``GET /{comment-id}?fields=<hidden field>``; a comment gone counts as taken down.
        ``None`` for any other operation (a block is not read back).

        Raises:
            ConnectorError: the platform could not be asked.
        """
        ops = set(action.operations)
        if not ops or not ops <= {Operation.HIDE, Operation.UNHIDE, Operation.DELETE}:
            return None
        target = native_id(self.platform, action.comment_id)
        try:
            state = self._call("GET", f"/{target}", params={"fields": self.hidden_field})
        except NotFound:
            return Operation.UNHIDE not in ops
        if Operation.DELETE in ops:
            return False
        hidden = bool(state.get(self.hidden_field)) if isinstance(state, dict) else None
        if hidden is None:
            return None
        return hidden if Operation.HIDE in ops else not hidden

    def apply(self, action: PlatformAction) -> ActionOutcome:
        """Apply each operation in order; a comment already gone is reported, not raised.

        Raises:
            AuthExpired, RateLimited, TransientError: retry later; nothing was half-recorded.
        """
        target = native_id(self.platform, action.comment_id)

        def perform(op: Operation) -> str | None:
            if op is Operation.HIDE:
                self.set_hidden(target, True)
            elif op is Operation.UNHIDE:
                self.set_hidden(target, False)
            elif op is Operation.DELETE:
                self.delete_comment(target)
            else:
                return self._perform_more(op, action)
            return None

        return apply_in_turn(action, perform, gone="comment no longer exists")
