"""State changes of the applicant journey."""

from portal.cases.lifecycle import transition
from portal.cases.models import Case
from portal.cases.states import ActorKind, CaseStatus
from portal.core.db import DbSession
from portal.intake import outbox


def submit_case(session: DbSession, case: Case) -> None:
    """Submit a draft: the case and the promise to screen it commit together.

    The job is enqueued after the commit; if Redis is down the applicant is still
    confirmed and the relay enqueues the job once Redis is back.
    """
    transition(session, case, CaseStatus.SUBMITTED, actor_kind=ActorKind.APPLICANT)
    entry = outbox.promise(session, "intake", case.id)
    session.commit()
    outbox.dispatch(session, entry)
