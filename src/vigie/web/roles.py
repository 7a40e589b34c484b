"""Roles and permissions: who may do what in the dashboard and the API.

The mapping is data, written down once here, and every route names the permission it needs;
``tests/web/test_web_roles.py`` tries every role (and anonymous) on every route, so a new route
cannot escape the rules.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Permission", "Role", "can"]


class Role(StrEnum):
    """Account roles, weakest first.

    ``auditor`` reads everything (queue, decisions, audit log, statistics) and can never act;
    ``moderator`` also triages the queue and asks for a page in the institution's name;
    ``community_manager`` also resolves escalations (and closes group-membership tasks),
    approves or refuses page requests (6.1), submits comments and proposes policy versions;
    ``admin`` also approves policy versions and manages accounts, API tokens and the page
    registry. Every role may change its own
    password (:attr:`Permission.OWN_ACCOUNT`).
    """

    AUDITOR = "auditor"
    MODERATOR = "moderator"
    COMMUNITY_MANAGER = "community_manager"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        """0 for auditor up to 3 for admin."""
        return list(Role).index(self)


class Permission(StrEnum):
    """What a route requires."""

    READ = "read"
    CHECK = "check"
    ACT = "act"
    RESOLVE_ESCALATION = "resolve_escalation"
    SUBMIT = "submit"
    PROPOSE_POLICY = "propose_policy"
    APPROVE_POLICY = "approve_policy"
    #: Decide a request to create a page in the institution's name (directive 6.1).
    APPROVE_PAGE = "approve_page"
    MANAGE = "manage"
    #: One's own account (change one's password): every role, the auditor's only write. It is
    #: also the only permission a session may use while a password change is pending.
    OWN_ACCOUNT = "own_account"


_GRANTS: dict[Role, frozenset[Permission]] = {
    Role.AUDITOR: frozenset({Permission.READ, Permission.CHECK, Permission.OWN_ACCOUNT}),
    Role.MODERATOR: frozenset({Permission.READ, Permission.CHECK, Permission.ACT,
                               Permission.OWN_ACCOUNT}),
    Role.COMMUNITY_MANAGER: frozenset({
        Permission.READ, Permission.CHECK, Permission.ACT, Permission.RESOLVE_ESCALATION,
        Permission.SUBMIT, Permission.PROPOSE_POLICY, Permission.APPROVE_PAGE,
        Permission.OWN_ACCOUNT,
    }),
    Role.ADMIN: frozenset(Permission),
}


def can(role: Role | str, permission: Permission) -> bool:
    """Whether ``role`` holds ``permission`` (pure; an unknown role holds nothing)."""
    try:
        return permission in _GRANTS[Role(role)]
    except ValueError:
        return False
