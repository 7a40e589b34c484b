"""Roles and permissions: who may do what in the dashboard and the API.

The mapping is data, written down once here, and every route names the permission it needs;
``tests/web/test_web_roles.py`` tries every role (and anonymous) on every route, so a new route
cannot escape the rules.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["SESSION_ONLY", "Permission", "Role", "can", "grants"]


class Role(StrEnum):
    """Account roles, weakest first.

    ``auditor`` reads everything (queue, decisions, audit log, statistics), runs the audit
    trail's verification (:attr:`Permission.VERIFY_AUDIT`, with the admin only) and can never
    act;
    ``moderator`` also triages the queue and asks for a page in the institution's name;
    ``community_manager`` also resolves escalations (and closes group-membership tasks),
    replies to comments in the institution's name, approves or refuses page requests (6.1),
    submits comments and proposes policy versions; ``admin`` also approves policy versions
    and manages accounts, API tokens and the page registry. ``privacy_officer`` (Law 25's
    *responsable de la protection des renseignements personnels*) reads like the auditor and
    answers people's access and erasure requests, nothing else. Every role may change its own
    password (:attr:`Permission.OWN_ACCOUNT`).

    Roles are not a ladder (the privacy officer's rights are not the moderator's): a token or a
    demotion compares what the roles grant (:func:`grants`), never their order.
    """

    AUDITOR = "auditor"
    MODERATOR = "moderator"
    COMMUNITY_MANAGER = "community_manager"
    ADMIN = "admin"
    PRIVACY_OFFICER = "privacy_officer"

    def within(self, other: Role) -> bool:
        """Whether this role grants nothing ``other`` does not, for a token (pure).

        :data:`SESSION_ONLY` permissions are left out: no token holds them.
        """
        return grants(self) - SESSION_ONLY <= grants(other)


class Permission(StrEnum):
    """What a route requires."""

    READ = "read"
    CHECK = "check"
    ACT = "act"
    RESOLVE_ESCALATION = "resolve_escalation"
    #: Reply to a comment through the platform, in the institution's name (the community
    #: manager's job: nobody speaks for the institution without a mandate, 6.1).
    REPLY = "reply"
    SUBMIT = "submit"
    PROPOSE_POLICY = "propose_policy"
    APPROVE_POLICY = "approve_policy"
    #: Decide a request to create a page in the institution's name (directive 6.1).
    APPROVE_PAGE = "approve_page"
    MANAGE = "manage"
    #: A person's data under Law 25: find it, export it, erase it (``/privacy``).
    PRIVACY = "privacy"
    #: Run the audit trail's verification from the dashboard (``/audit/verify``): the auditor's
    #: and the admin's. It changes nothing but appends its own ``audit_verified`` event.
    VERIFY_AUDIT = "verify_audit"
    #: One's own account (change one's password): every role, the auditor's only write. It is
    #: also the only permission a session may use while a password change is pending.
    OWN_ACCOUNT = "own_account"


#: Permissions a person uses in the dashboard, never an API token (an integration): running
#: the audit verification is an auditor's act, under their name. Left out of
#: :meth:`Role.within`, so an auditor token stays within every role that reads.
SESSION_ONLY: frozenset[Permission] = frozenset({Permission.VERIFY_AUDIT})

_GRANTS: dict[Role, frozenset[Permission]] = {
    Role.AUDITOR: frozenset({Permission.READ, Permission.CHECK, Permission.VERIFY_AUDIT,
                             Permission.OWN_ACCOUNT}),
    Role.MODERATOR: frozenset({Permission.READ, Permission.CHECK, Permission.ACT,
                               Permission.OWN_ACCOUNT}),
    Role.COMMUNITY_MANAGER: frozenset({
        Permission.READ, Permission.CHECK, Permission.ACT, Permission.RESOLVE_ESCALATION,
        Permission.REPLY, Permission.SUBMIT, Permission.PROPOSE_POLICY, Permission.APPROVE_PAGE,
        Permission.OWN_ACCOUNT,
    }),
    Role.ADMIN: frozenset(Permission),
    Role.PRIVACY_OFFICER: frozenset({Permission.READ, Permission.CHECK, Permission.PRIVACY,
                                     Permission.OWN_ACCOUNT}),
}


def grants(role: Role | str) -> frozenset[Permission]:
    """What ``role`` may do (pure; an unknown role: nothing)."""
    try:
        return _GRANTS[Role(role)]
    except ValueError:
        return frozenset()


def can(role: Role | str, permission: Permission) -> bool:
    """Whether ``role`` holds ``permission`` (pure; an unknown role holds nothing)."""
    return permission in grants(role)
