"""The policy form's work apart from HTTP: the version to edit, and the replay of a draft.

The form starts from the version in force (an approved stored version), else from the policy
file the server was started with. Before a draft is saved, :func:`replay_draft` judges the
latest stored comments under both (:mod:`vigie.store.replay`) so the author sees which
decisions would change; saving goes through :func:`vigie.web.service.propose_policy`, and
the second person's approval or refusal through the service's ``approve_policy`` /
``refuse_policy``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from vigie.errors import StoreError
from vigie.policy import Policy, parse_policy
from vigie.records import Comment
from vigie.routing import PolicyRouter
from vigie.store.policy_versions import PolicyResolver, normalise_newlines
from vigie.store.replay import Replay, compare, stored_comments
from vigie.web.context import WebContext

__all__ = ["active_version", "replay_draft"]


def active_version(ctx: WebContext) -> tuple[Policy, str]:
    """The policy in force now and its YAML (LF line endings).

    That is the approved stored version in force, else the server's policy file.
    """
    with ctx.read() as conn:
        found = PolicyResolver(conn).at(ctx.store.now())
    if found is not None:
        return found[0], normalise_newlines(found[1])
    if ctx.settings.policy_path is not None:
        text = ctx.settings.policy_path.read_text(encoding="utf-8")
    else:
        from vigie.policy import default_policy_path

        text = default_policy_path().read_text(encoding="utf-8")
    text = normalise_newlines(text)
    return parse_policy(text, source="policy file"), text


def _factory(ctx: WebContext) -> Any:
    """Builds a fresh pipeline per policy, sharing the app's detectors where it can.

    A detector of the app's pipeline is reused (its models do not load again) when the policy
    gives it the same options; one with other options (new words, new pages) is built from the
    registry, and so is one that remembers earlier comments, so that the replay leaves the live
    pipeline's memory alone.
    """
    from vigie.detectors.base import Remembering
    from vigie.detectors.builtin import default_registry
    from vigie.pipeline import Pipeline

    base = ctx.pipeline

    def build(policy: Policy) -> Pipeline:
        if base is None:
            return Pipeline.from_policy(policy)
        registry = default_registry()
        built = {d.info.name: d for d in base.detectors}
        detectors = []
        for name, options in policy.detectors.items():
            same = name in built and options == base.policy.detectors.get(name)
            if same and not isinstance(built[name], Remembering):
                detectors.append(built[name])
            else:
                detectors.append(registry.create(name, options or {}, policy))
        return Pipeline(policy, detectors)

    return build


def replay_draft(ctx: WebContext, active: Policy, draft: Policy, *, limit: int = 500,
                 since: dt.date | None = None, until: dt.date | None = None) -> Replay:
    """The latest ``limit`` stored comments judged under ``active`` and under ``draft``.

    ``since`` and ``until`` bound the days the comments were posted (both included, UTC).

    Raises:
        StoreError: the server runs without detectors (nothing to replay with).
        PolicyError, RegistryError: a policy's detectors cannot be built.
    """
    if ctx.pipeline is None:
        raise StoreError("this server was started without detectors; replay is unavailable")
    start = dt.datetime.combine(since, dt.time(), dt.UTC) if since else None
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), dt.UTC) if until else None
    with ctx.read() as conn:
        items = stored_comments(conn, limit=limit, since=start, until=end)
    build = _factory(ctx)

    def moderate(policy: Policy) -> Any:
        def run(batch: Sequence[Comment]) -> Any:
            return PolicyRouter(policy, build).moderate(batch)
        return run

    with ctx.lock:  # detectors are safe from one thread at a time
        return compare(items, moderate(active), moderate(draft))
