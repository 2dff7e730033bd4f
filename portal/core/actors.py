from enum import StrEnum


class ActorKind(StrEnum):
    """Who caused a change: the applicant, a staff member, or the system (jobs, commands)."""

    APPLICANT = "applicant"
    STAFF = "staff"
    SYSTEM = "system"
