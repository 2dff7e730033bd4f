from enum import StrEnum


class ActorKind(StrEnum):
    """Who caused a change: the applicant, a staff member, or the system (jobs, commands)."""

    APPLICANT = "applicant"
    STAFF = "staff"
    SYSTEM = "system"


class Role(StrEnum):
    """A staff member's role; what each may do is ``portal.core.permissions.GRANTS``."""

    CASEWORKER = "caseworker"
    DECIDER = "decider"
    SECURITY_OFFICER = "security_officer"
    ENVOY = "envoy"  # aggregate reports only, never a person's data
    ADMIN = "admin"
