"""Capability mapping: the policy's action onto what each platform allows, never stronger."""

from __future__ import annotations

import pytest

from vigie.actions import Action
from vigie.connectors.base import (
    Capabilities,
    Operation,
    map_action,
    native_id,
    vigie_id,
)
from vigie.records import Platform

H, U, D = Operation.HIDE, Operation.UNHIDE, Operation.DELETE
HOLD, PUB, REJ = Operation.HOLD, Operation.PUBLISH, Operation.REJECT
BLK, UNBLK = Operation.BLOCK_AUTHOR, Operation.UNBLOCK_AUTHOR

FACEBOOK = Capabilities(frozenset({H, U, D, BLK, UNBLK}), remove_as=H, push=True)
FACEBOOK_DELETE = Capabilities(frozenset({H, U, D, BLK, UNBLK}), remove_as=D, push=True)
INSTAGRAM = Capabilities(frozenset({H, U, D}), remove_as=H, push=True)
YOUTUBE = Capabilities(frozenset({HOLD, PUB, REJ, BLK}), remove_as=REJ, batch_size=50,
                       standalone_block=False)
X_BASIC = Capabilities(frozenset({H, U}), remove_as=H)
X_BLOCKS = Capabilities(frozenset({H, U, BLK, UNBLK}), remove_as=H)
LINKEDIN_LIKE = Capabilities(frozenset({D}), remove_as=D)


@pytest.mark.parametrize(("caps", "action", "operations", "degraded"), [
    # Facebook: everything exists; "remove" means hide unless configured to delete.
    (FACEBOOK, Action.HIDE, (H,), False),
    (FACEBOOK, Action.REMOVE, (H,), False),
    (FACEBOOK_DELETE, Action.REMOVE, (D,), False),
    (FACEBOOK, Action.BLOCK, (H, BLK), False),
    (FACEBOOK, Action.REVIEW, (), False),  # no hold: left up, reviewed in Vigie
    # YouTube: no hide; hold is its reversible equivalent; ban goes with a rejection.
    (YOUTUBE, Action.HIDE, (HOLD,), True),
    (YOUTUBE, Action.REVIEW, (HOLD,), False),
    (YOUTUBE, Action.REMOVE, (REJ,), False),
    (YOUTUBE, Action.BLOCK, (REJ, BLK), False),
    # X: hide only; block where the plan allows it.
    (X_BASIC, Action.REMOVE, (H,), False),
    (X_BASIC, Action.BLOCK, (H,), True),
    (X_BLOCKS, Action.BLOCK, (H, BLK), False),
    # Instagram: no block API.
    (INSTAGRAM, Action.BLOCK, (H,), True),
    (INSTAGRAM, Action.REMOVE, (H,), False),
    # A hide is never escalated to an irreversible delete.
    (LINKEDIN_LIKE, Action.HIDE, (), True),
    (LINKEDIN_LIKE, Action.REMOVE, (D,), False),
    # Allow and escalate never touch the platform.
    (FACEBOOK, Action.ALLOW, (), False),
    (YOUTUBE, Action.ESCALATE, (), False),
])
def test_map_action(caps: Capabilities, action: Action, operations: tuple[Operation, ...],
                    degraded: bool) -> None:
    mapping = map_action(action, caps)
    assert mapping.operations == operations
    assert mapping.degraded is degraded
    assert mapping.requested is action
    assert mapping.to_dict()["operations"] == [op.value for op in operations]
    if degraded:
        assert "cannot" in mapping.note or "no equivalent" in mapping.note


@pytest.mark.parametrize("caps", [FACEBOOK, FACEBOOK_DELETE, INSTAGRAM, YOUTUBE, X_BASIC,
                                  X_BLOCKS, LINKEDIN_LIKE])
def test_mapping_never_exceeds_the_request(caps: Capabilities) -> None:
    strength = {H: 1, HOLD: 1, D: 2, REJ: 2, BLK: 3}
    ceiling = {Action.REVIEW: 1, Action.HIDE: 1, Action.REMOVE: 2, Action.BLOCK: 3}
    for action, limit in ceiling.items():
        ops = map_action(action, caps).operations
        assert all(strength[op] <= limit for op in ops), (action, ops)
        if action is Action.HIDE:
            assert D not in ops and REJ not in ops  # a hide stays reversible


def test_remove_as_must_be_available() -> None:
    with pytest.raises(ValueError, match="remove_as"):
        Capabilities(frozenset({H}), remove_as=D)


@pytest.mark.parametrize(("platform", "native", "vid"), [
    (Platform.FACEBOOK, "123_456", "fb:123_456"),
    (Platform.YOUTUBE, "Ugw.r1", "yt:Ugw.r1"),
    (Platform.X, "1800", "x:1800"),
    (Platform.INSTAGRAM, "179", "ig:179"),
])
def test_ids_round_trip(platform: Platform, native: str, vid: str) -> None:
    assert vigie_id(platform, native) == vid
    assert native_id(platform, vid) == native


def test_native_id_refuses_another_platform() -> None:
    with pytest.raises(ValueError, match="not a youtube id"):
        native_id(Platform.YOUTUBE, "fb:123")
