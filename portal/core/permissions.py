"""What staff may do: one permission per kind of action, granted to roles.

Every staff view names the permission it needs (``@requires``); a test walks the URL map
and fails on a staff route without one. Permissions are written scope:resource:action.
"""

from enum import StrEnum

from portal.accounts.models import Role


class Permission(StrEnum):
    CASE_READ = "review:case:read"
    CASE_ASSIGN = "review:case:assign"
    CASE_NOTE = "review:case:note"
    CASE_REQUEST_INFO = "review:case:request_info"
    CASE_EXPORT = "review:case:export"
    CASE_REOPEN = "review:case:reopen"
    DOCUMENT_READ = "review:document:read"
    RISK_SET = "review:risk:set"
    SCREENING_SET = "review:screening:set"
    SCREENING_DETAILS_READ = "review:screening:read_details"  # watch-list entries
    EMPLOYMENT_CONFIRM = "review:employment:confirm"
    DECISION_PROPOSE = "review:decision:propose"
    DECISION_CONFIRM = "review:decision:confirm"
    VISA_RECORD = "review:visa:record"
    REPORTS_READ = "reports:aggregate:read"
    STAFF_MANAGE = "admin:staff:manage"
    AUDIT_READ = "admin:audit:read"
    QUEUE_MANAGE = "admin:queue:manage"
    OWN_ACCOUNT = "account:self:manage"  # sign out, change one's own password


P = Permission
_CASEWORK = {
    P.CASE_READ,
    P.CASE_ASSIGN,
    P.CASE_NOTE,
    P.CASE_REQUEST_INFO,
    P.CASE_EXPORT,
    P.DOCUMENT_READ,
    P.RISK_SET,
    P.EMPLOYMENT_CONFIRM,
    P.DECISION_PROPOSE,
    P.VISA_RECORD,
}
GRANTS: dict[Role, frozenset[Permission]] = {
    Role.CASEWORKER: frozenset(_CASEWORK | {P.OWN_ACCOUNT}),
    Role.DECIDER: frozenset(_CASEWORK | {P.DECISION_CONFIRM, P.CASE_REOPEN, P.OWN_ACCOUNT}),
    Role.SECURITY_OFFICER: frozenset(
        {
            P.CASE_READ,
            P.CASE_NOTE,
            P.DOCUMENT_READ,
            P.SCREENING_SET,
            P.SCREENING_DETAILS_READ,
            P.RISK_SET,
            P.OWN_ACCOUNT,
        }
    ),
    Role.ENVOY: frozenset({P.REPORTS_READ, P.OWN_ACCOUNT}),
    Role.ADMIN: frozenset({P.STAFF_MANAGE, P.AUDIT_READ, P.QUEUE_MANAGE, P.OWN_ACCOUNT}),
}


def permissions_of(roles: set[Role]) -> frozenset[Permission]:
    granted: set[Permission] = set()
    for role in roles:
        granted |= GRANTS[role]
    return frozenset(granted)
