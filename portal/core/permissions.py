"""What staff may do: one permission per kind of action, granted to roles.

The only statement of who may do what. Every staff view names the permission it needs
(``@requires``), and every staff action checks it again through ``authorize``; a test walks
the URL map and fails on a staff route without one. Permissions are written
scope:resource:action.
"""

from collections.abc import Iterable
from enum import StrEnum
from typing import Protocol

from portal.core.actors import Role
from portal.core.i18n import _ls
from portal.core.refusal import ActionRefused


class Permission(StrEnum):
    CASE_READ = "review:case:read"  # unassigned cases and one's own
    CASE_READ_ALL = "review:case:read_all"  # every submitted case
    # Find cases by reference, name, document or phone; only those one may read are found
    CASE_SEARCH = "review:case:search"
    CASE_HOLD = "review:case:hold"  # may have cases assigned to them
    CASE_ASSIGN = "review:case:assign"
    CASE_NOTE = "review:case:note"
    CASE_REQUEST_INFO = "review:case:request_info"
    CASE_EXPORT = "review:case:export"
    CASE_REOPEN = "review:case:reopen"
    DOCUMENT_READ = "review:document:read"
    RISK_SET = "review:risk:set"
    PRIORITY_ADJUST = "review:priority:adjust"
    SCREENING_SET = "review:screening:set"
    SCREENING_DETAILS_READ = "review:screening:read_details"  # watch-list entries
    EMPLOYMENT_CONFIRM = "review:employment:confirm"
    DECISION_PROPOSE = "review:decision:propose"
    DECISION_CONFIRM = "review:decision:confirm"
    VISA_RECORD = "review:visa:record"
    # Who holds how many cases, what waits for confirmation, moving cases between people
    TEAM_MANAGE = "review:team:manage"
    REPORTS_READ = "reports:aggregate:read"
    STAFF_MANAGE = "admin:staff:manage"
    AUDIT_READ = "admin:audit:read"
    QUEUE_MANAGE = "admin:queue:manage"
    ALERTS_READ = "admin:alerts:read"  # insider budgets exceeded: who, which, when
    OWN_ACCOUNT = "account:self:manage"  # sign out, change one's own password


P = Permission
_CASEWORK = {
    P.CASE_READ,
    P.CASE_SEARCH,
    P.CASE_HOLD,
    P.CASE_ASSIGN,
    P.CASE_NOTE,
    P.CASE_REQUEST_INFO,
    P.CASE_EXPORT,
    P.DOCUMENT_READ,
    P.RISK_SET,
    P.PRIORITY_ADJUST,
    P.EMPLOYMENT_CONFIRM,
    P.DECISION_PROPOSE,
    P.VISA_RECORD,
}
GRANTS: dict[Role, frozenset[Permission]] = {
    Role.CASEWORKER: frozenset(_CASEWORK | {P.OWN_ACCOUNT}),
    Role.DECIDER: frozenset(
        # In a visa section the deciding officer leads the caseworkers: a decider already
        # sees every case and confirms their proposals, so leading the team is no new trust.
        _CASEWORK
        | {P.CASE_READ_ALL, P.DECISION_CONFIRM, P.CASE_REOPEN, P.TEAM_MANAGE, P.OWN_ACCOUNT}
    ),
    Role.SECURITY_OFFICER: frozenset(
        {
            P.CASE_READ,
            P.CASE_READ_ALL,
            P.CASE_SEARCH,
            P.CASE_NOTE,
            P.DOCUMENT_READ,
            P.SCREENING_SET,
            P.SCREENING_DETAILS_READ,
            P.RISK_SET,
            P.ALERTS_READ,
            P.OWN_ACCOUNT,
        }
    ),
    Role.ENVOY: frozenset({P.REPORTS_READ, P.OWN_ACCOUNT}),
    Role.ADMIN: frozenset(
        {
            P.STAFF_MANAGE,
            P.AUDIT_READ,
            P.QUEUE_MANAGE,
            P.ALERTS_READ,
            P.REPORTS_READ,
            P.OWN_ACCOUNT,
        }
    ),
}


# Administrators make and reset accounts. One who could also work on cases could give
# themselves a colleague's part in a decision, so the role is held alone: no case role, and
# no reports either, so that the account is used for administration only and exposed as
# little as possible. The database holds the same rule (migration 0009).
HELD_ALONE = frozenset({Role.ADMIN})


def roles_compatible(roles: Iterable[Role]) -> bool:
    """May one account hold all of ``roles`` at once?"""
    held = set(roles)
    return len(held) <= 1 or not held & HELD_ALONE


class Actor(Protocol):
    """A member of staff as far as access goes (``portal.accounts.models.StaffUser``)."""

    @property
    def active(self) -> bool: ...

    @property
    def role_names(self) -> set[Role]: ...


def permissions_of(roles: Iterable[Role]) -> frozenset[Permission]:
    granted: set[Permission] = set()
    for role in roles:
        granted |= GRANTS[role]
    return frozenset(granted)


def permitted(actor: Actor, permission: Permission) -> bool:
    """May ``actor`` do this now? An inactive account may do nothing."""
    return bool(actor.active) and permission in permissions_of(actor.role_names)


def authorize(actor: Actor, permission: Permission) -> None:
    """The check every staff action makes first; refuses with a readable message."""
    if not permitted(actor, permission):
        raise ActionRefused(_ls("You may not do this."))
